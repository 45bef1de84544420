//! [`Reloadable`]: the part of the gateway's state that `SIGHUP` replaces
//! (limits, the schema they configure, the rate limiter, the persisted
//! operations and the safelist), and the signal handler that reloads it.
//!
//! A request takes the current [`Reloadable`] once ([`crate::app::AppState::current`])
//! and keeps it to the end, so a reload never changes the rules halfway
//! through one. A reload that fails (a broken file, a broken manifest) is
//! logged and changes nothing. What is bound at startup stays: the listener,
//! the nodes, the token keys, `max_request_bytes`, CORS and CSRF.

use crate::app::AppState;
use crate::config::Config;
use crate::limits::load::ConcurrencyGate;
use crate::limits::rate::UserRateLimiter;
use crate::limits::LimitsConfig;
use crate::persisted::PersistedOperations;
use mailgate_schema::{build_schema, build_schema_with_apq, MailSchema, SchemaSettings};
use std::path::PathBuf;
use std::sync::Arc;

/// What a reload replaces.
pub struct Reloadable {
    /// The executable schema (its query limits come from `limits`).
    pub schema: MailSchema,
    /// The `[limits]` in force.
    pub limits: LimitsConfig,
    /// Sheds `/graphql` requests past `limits.max_concurrent_requests`.
    pub gate: ConcurrencyGate,
    /// Per-user token buckets; `None` when the rate limit is off.
    pub rate: Option<Arc<UserRateLimiter>>,
    /// APQ, a safelist, or neither.
    pub persisted: PersistedOperations,
}

impl Reloadable {
    /// Builds everything `config` asks for; `previous` lends what need not
    /// change (users' token buckets when the rates are the same, the gate
    /// when the cap is, so requests in flight keep counting).
    pub fn build(config: &Config, base: &SchemaSettings, previous: Option<&Reloadable>) -> anyhow::Result<Self> {
        let limits = config.limits;
        let persisted = PersistedOperations::load(&config.persisted_operations)?;
        let settings = SchemaSettings { limits: limits.query_limits(), ..base.clone() };
        let schema = match persisted.apq_cache() {
            Some(cache) => build_schema_with_apq(settings, cache),
            None => build_schema(settings),
        };
        let same_rates = |p: &&Reloadable| {
            (p.limits.rate_limit_per_second, p.limits.rate_limit_burst)
                == (limits.rate_limit_per_second, limits.rate_limit_burst)
        };
        let rate = match previous.filter(same_rates) {
            Some(previous) => previous.rate.clone(),
            None => UserRateLimiter::new(limits.rate_limit_per_second, limits.rate_limit_burst).map(Arc::new),
        };
        let gate = match previous.filter(|p| p.limits.max_concurrent_requests == limits.max_concurrent_requests) {
            Some(previous) => previous.gate.clone(),
            None => ConcurrencyGate::new(limits.max_concurrent_requests.get()),
        };
        Ok(Self { schema, limits, gate, rate, persisted })
    }
}

/// Reloads `[limits]` and `[persisted_operations]` from `path` on every
/// `SIGHUP`, until the process ends. Without a config file a `SIGHUP` is
/// logged and ignored (its default action would end the process).
pub fn reload_on_sighup(state: Arc<AppState>, path: Option<PathBuf>) {
    #[cfg(unix)]
    {
        // Installed before the task runs, so a SIGHUP right after start is caught too.
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; the configuration will not reload");
            return;
        };
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                let Some(path) = &path else {
                    tracing::info!("SIGHUP ignored: started without --config, nothing to reload");
                    continue;
                };
                match Config::load(Some(path)).map_err(anyhow::Error::from).and_then(|config| state.reload(&config)) {
                    Ok(()) => tracing::info!(path = %path.display(), "configuration reloaded"),
                    Err(err) => {
                        tracing::warn!(path = %path.display(), %err, "configuration not reloaded; keeping the current one")
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = (state, path);
}
