//! Process-wide observability: the Prometheus recorder, the log subscriber
//! and (optionally) OTLP trace export.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Distinct operation names kept as metric labels; later names count as `other`.
/// Clients choose operation names, so an unbounded label set would let them grow memory.
const MAX_OPERATION_LABELS: usize = 256;

static OPERATION_LABELS: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus handle, installing the global recorder on first
/// use (several gateways in one test process share it).
pub fn prometheus() -> PrometheusHandle {
    PROMETHEUS
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; then ours just stays empty.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Installs the log subscriber for the binary: `RUST_LOG`, else info for our
/// crates; and, when the `OTEL_*` variables ask for it, OTLP trace export
/// ([`crate::otlp`]). Keep the returned guard until exit: dropping it flushes.
pub fn init_logging() -> Option<crate::otlp::OtlpGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,mailgate=info,mailgate_gateway=info"));
    let (otlp, guard) = match crate::otlp::from_env() {
        Some(Ok((tracer, guard))) => (Some(tracing_opentelemetry::layer().with_tracer(tracer)), Some(guard)),
        Some(Err(err)) => {
            eprintln!("OTLP export is off: {err}");
            (None, None)
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(otlp)
        .try_init();
    guard
}

/// The metric label for a client's operation name: the name itself while
/// fewer than [`MAX_OPERATION_LABELS`] distinct names were seen, `anonymous`
/// without a name, `other` beyond the bound or for odd names.
pub fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name else { return "anonymous".to_owned() };
    let well_formed =
        !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !well_formed {
        return "other".to_owned();
    }
    let mut seen = match OPERATION_LABELS.get_or_init(|| Mutex::new(HashSet::new())).lock() {
        Ok(seen) => seen,
        Err(poisoned) => poisoned.into_inner(),
    };
    if seen.contains(name) || seen.len() < MAX_OPERATION_LABELS {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded_and_sanitized() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("Inbox Page")), "other");
        assert_eq!(operation_label(Some("InboxPage")), "InboxPage");
        for i in 0..(MAX_OPERATION_LABELS * 2) {
            let _ = operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(operation_label(Some("NeverSeenBefore")), "other");
        assert_eq!(operation_label(Some("InboxPage")), "InboxPage", "a known name keeps its label");
    }
}
