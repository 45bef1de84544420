//! Building the gateway's state and serving it until shutdown.

use crate::app::{router, AppState};
use crate::auth::passwords::PasswordFile;
use crate::auth::SignIn;
use crate::auth::TokenAuthority;
use crate::config::Config;
use crate::download;
use crate::instrumented::InstrumentedBackend;
use crate::live::cap::ConnectionCap;
use crate::reload::Reloadable;
use crate::telemetry;
use mailgate_backend::MailBackend;
use mailgate_schema::{Authenticator, Directory, SchemaSettings};
use std::future::Future;
use std::sync::{Arc, RwLock};
use tokio::net::TcpListener;

/// A source of one user served by another backend than the native store.
pub struct ExtraSource {
    /// The user.
    pub username: String,
    /// The source's name (its address).
    pub source: String,
    /// The backend that serves it.
    pub backend: Arc<dyn MailBackend>,
}

/// Wires the schema, the directory and auth over a native backend and
/// the extra (e.g. Zimbra) sources. The
/// backend is wrapped so that every round trip shows in `/metrics`. Fails
/// when a file the configuration names (safelist manifest, JWKS, password
/// file) cannot be loaded.
pub fn app_state(
    native: Arc<dyn MailBackend>,
    extra: Vec<ExtraSource>,
    secret: &[u8],
    config: &Config,
) -> anyhow::Result<Arc<AppState>> {
    let inline_content_cap = config.inline_content_cap;
    let native: Arc<dyn MailBackend> = Arc::new(InstrumentedBackend::new(native));
    let schema_settings = SchemaSettings {
        inline_content_cap,
        download_base: download::ROUTE_PREFIX.to_owned(),
        live_poll_interval: config.live.poll_interval(),
        ..SchemaSettings::default()
    };
    let reloadable = Reloadable::build(config, &schema_settings, None)?;
    let auth = TokenAuthority::from_config(Some(secret), &config.auth)?;
    let passwords = config.auth.password_file.as_deref().map(PasswordFile::open).transpose()?;
    let sign_in: Arc<dyn Authenticator> = Arc::new(SignIn::new(auth.clone(), passwords, &config.auth));
    Ok(Arc::new(AppState {
        directory: Arc::new(extra.into_iter().fold(Directory::new(native.clone()), |directory, extra| {
            let backend: Arc<dyn MailBackend> = Arc::new(InstrumentedBackend::new(extra.backend));
            directory.with_source(extra.username, extra.source, backend)
        })),
        native,
        auth,
        sign_in,
        metrics: telemetry::prometheus(),
        max_request_bytes: usize::try_from(config.max_request_bytes).unwrap_or(usize::MAX),
        http: crate::http::HttpSettings::from_config(config),
        schema_settings,
        reloadable: RwLock::new(Arc::new(reloadable)),
        live: config.live,
        cap: ConnectionCap::new(config.live.max_connections_per_user.get()),
    }))
}

/// Serves HTTP on `listener` until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let forget = state.clone();
    let idle_buckets = tokio::spawn(async move {
        // Idle users' buckets are full again; dropping them keeps memory to the active users.
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Some(rate) = &forget.current().rate {
                rate.forget_idle();
            }
        }
    });
    let served = axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await;
    idle_buckets.abort();
    served
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
