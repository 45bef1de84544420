//! `/health/live` and `/health/ready`, for load balancers and orchestrators.
//!
//! *Live* means the process serves HTTP; it never looks at a backend, so a
//! slow cluster does not get a healthy gateway restarted. *Ready* means the
//! native store answers a linearizable read (a cluster with a leader, or the
//! embedded node) within [`PROBE_TIMEOUT`]: 503 otherwise, so traffic goes
//! to another gateway. Legacy sources (Zimbra) are probed and counted (which
//! ones are down is logged, not shown),
//! but one user's legacy server being down leaves the gateway ready: every
//! gateway would see the same outage, and taking them all out of rotation
//! would stop the other users' mail as well.

use crate::app::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use mailgate_backend::{ErrorKind, Principal};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one backend may take to answer the probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// The account the native probe looks up: it need not exist, the answer only has to come.
const PROBE_ACCOUNT: &str = "__mailgate_ready_probe__";

/// `GET /health/live` (and `/health`).
pub async fn live() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /health/ready`.
pub async fn ready(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let probe = Principal::admin("health-check");
    let native = state.directory.native().clone();
    let native_check = async {
        let outcome = timed(async { native.account(&probe, PROBE_ACCOUNT).await.map(|_| ()) }).await;
        // NOT_FOUND is an answer: the store is up.
        let up = matches!(&outcome.0, Ok(()) | Err(ErrorKind::NotFound));
        report("native", up, outcome)
    };
    let legacy_checks = state.directory.extra_sources().map(|(user, source, backend)| {
        let (probe, name) = (probe.clone(), format!("{user}/{source}"));
        let backend = backend.clone();
        let user = user.to_owned();
        async move {
            let outcome = timed(async { backend.state(&probe, &user).await.map(|_| ()) }).await;
            report(&name, outcome.0.is_ok(), outcome)
        }
    });
    let (native, legacy) = tokio::join!(native_check, futures::future::join_all(legacy_checks));
    let ready = native["ok"] == true;
    let down = legacy.iter().filter(|check| check["ok"] != true).count();
    let degraded = down > 0;
    // Which users' legacy servers are down goes to the log, not to an
    // unauthenticated endpoint: the names would tell who has mail where.
    for check in legacy.iter().filter(|check| check["ok"] != true) {
        tracing::warn!(source = %check["name"], error = %check["error"], "a legacy source does not answer");
    }
    let legacy = json!({ "sources": legacy.len(), "down": down });
    let status = match (ready, degraded) {
        (false, _) => "unavailable",
        (true, true) => "degraded",
        (true, false) => "ready",
    };
    let code = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(json!({ "status": status, "native": native, "legacy": legacy })))
}

/// The probe's outcome (its error kind, or "timeout" as `Unavailable`) and how long it took.
async fn timed(
    probe: impl std::future::Future<Output = Result<(), mailgate_backend::BackendError>>,
) -> (Result<(), ErrorKind>, Duration) {
    let started = Instant::now();
    let outcome = match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(result) => result.map_err(|err| err.kind),
        Err(_elapsed) => Err(ErrorKind::Unavailable),
    };
    (outcome, started.elapsed())
}

fn report(name: &str, up: bool, (outcome, took): (Result<(), ErrorKind>, Duration)) -> Value {
    let mut check = json!({ "name": name, "ok": up, "ms": took.as_millis() as u64 });
    if let (false, Err(kind)) = (up, &outcome) {
        check["error"] = json!(format!("{kind:?}"));
    }
    check
}
