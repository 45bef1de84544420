//! [`JwksCache`]: an identity provider's public keys (a JWKS), from a file
//! or a URL, cached and refreshed without holding up requests.
//!
//! Keys are looked up by the token's `kid`. A set older than the refresh
//! interval is refetched in the background while requests keep using it; a
//! `kid` not in the set (the provider rotated its keys) triggers one fetch
//! that the request waits for, at most every [`MISS_REFETCH`], so a flood of
//! tokens with made-up key ids cannot make the gateway hammer the provider.
//! A key is used only for the algorithm family it was published for (an RSA
//! key never checks an ES256 token) and, when the JWK names an `alg`, only
//! for that algorithm.

use super::{AuthConfig, AuthError};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The least time between two fetches caused by unknown key ids.
pub const MISS_REFETCH: Duration = Duration::from_secs(30);
/// The least time between two tries while no keys could be fetched yet.
pub const UNLOADED_RETRY: Duration = Duration::from_secs(5);
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest JWKS document read.
const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// Why a JWKS could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// Both or neither of file and URL (when one was expected).
    #[error("[auth] takes jwks_file or jwks_url, not both")]
    BothSources,
    /// The file could not be read.
    #[error("cannot read the JWKS file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The URL could not be fetched.
    #[error("cannot fetch the JWKS from {url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The document is not a JWKS.
    #[error("invalid JWKS from {from}: {reason}")]
    Invalid {
        /// The file or URL.
        from: String,
        /// What is wrong.
        reason: String,
    },
}

/// Where the keys come from.
#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    Url(String),
}

/// The keys and when they were fetched.
struct Loaded {
    keys: Arc<JwkSet>,
    fetched: Instant,
}

/// When fetches were last tried.
#[derive(Default)]
struct Attempts {
    /// Any fetch.
    any: Option<Instant>,
    /// One caused by a missing key.
    miss: Option<Instant>,
}

/// The cache.
pub struct JwksCache {
    source: Source,
    refresh_every: Duration,
    http: reqwest::Client,
    loaded: RwLock<Option<Loaded>>,
    /// Serializes fetches, and remembers when they were tried.
    attempts: tokio::sync::Mutex<Attempts>,
}

impl JwksCache {
    /// The cache `[auth]` configures, if it names a JWKS. A file is read now,
    /// so that a broken one stops startup; a URL is fetched on first use.
    pub fn from_config(config: &AuthConfig) -> Result<Option<Self>, JwksError> {
        let source = match (&config.jwks_file, &config.jwks_url) {
            (Some(_), Some(_)) => return Err(JwksError::BothSources),
            (Some(path), None) => Source::File(path.clone()),
            (None, Some(url)) => Source::Url(url.clone()),
            (None, None) => return Ok(None),
        };
        let http = reqwest::Client::builder().timeout(FETCH_TIMEOUT).build().map_err(|e| JwksError::Fetch {
            url: config.jwks_url.clone().unwrap_or_default(),
            reason: e.to_string(),
        })?;
        let cache = Self {
            source,
            refresh_every: Duration::from_secs(config.jwks_refresh_seconds.max(1)),
            http,
            loaded: RwLock::new(None),
            attempts: tokio::sync::Mutex::new(Attempts::default()),
        };
        if let Source::File(path) = &cache.source {
            let keys = read_file(path)?;
            cache.store(keys);
        }
        Ok(Some(cache))
    }

    /// The key `kid` for a token signed with `alg`.
    pub async fn key(self: &Arc<Self>, kid: Option<&str>, alg: Algorithm) -> Result<DecodingKey, AuthError> {
        if let Some((keys, fetched)) = self.current() {
            if let Some(key) = find(&keys, kid, alg)? {
                if fetched.elapsed() > self.refresh_every {
                    // Stale but usable: refresh behind the request's back.
                    let cache = self.clone();
                    tokio::spawn(async move { cache.refetch(false).await });
                }
                return Ok(key);
            }
        }
        // Not there (or nothing loaded yet): fetch once, then look again.
        self.refetch(true).await;
        let Some((keys, _)) = self.current() else {
            return Err(AuthError::InvalidToken("the identity provider's keys are not available".into()));
        };
        find(&keys, kid, alg)?.ok_or_else(|| AuthError::InvalidToken("the token's key id is unknown".into()))
    }

    fn current(&self) -> Option<(Arc<JwkSet>, Instant)> {
        let loaded = self.loaded.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        loaded.as_ref().map(|l| (l.keys.clone(), l.fetched))
    }

    fn store(&self, keys: JwkSet) {
        let mut loaded = self.loaded.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *loaded = Some(Loaded { keys: Arc::new(keys), fetched: Instant::now() });
    }

    /// Fetches the keys again, at most once per [`MISS_REFETCH`] for
    /// missing keys (`miss`) and once per refresh interval in the background,
    /// counting failed attempts too: an identity provider that is down is
    /// not hammered, and requests do not queue up behind fetches (a
    /// background refresh is skipped while another fetch runs). Failures keep
    /// the old keys and are logged.
    async fn refetch(&self, miss: bool) {
        let mut attempts = if miss {
            self.attempts.lock().await
        } else {
            match self.attempts.try_lock() {
                Ok(attempts) => attempts,
                Err(_) => return,
            }
        };
        let loaded = self.current().is_some();
        let (last, wait) = match (loaded, miss) {
            // Nothing to verify with yet: try again soon, but not per request.
            (false, _) => (attempts.any, UNLOADED_RETRY),
            (true, true) => (attempts.miss, MISS_REFETCH),
            (true, false) => (attempts.any, self.refresh_every),
        };
        if last.is_some_and(|at| at.elapsed() < wait) {
            return;
        }
        let now = Instant::now();
        attempts.any = Some(now);
        if miss && loaded {
            attempts.miss = Some(now);
        }
        let fetched = match &self.source {
            Source::File(path) => read_file(path),
            Source::Url(url) => self.fetch(url).await,
        };
        match fetched {
            Ok(keys) => self.store(keys),
            Err(err) => tracing::warn!(%err, "JWKS refresh failed; keeping the keys we have"),
        }
    }

    async fn fetch(&self, url: &str) -> Result<JwkSet, JwksError> {
        let failed = |reason: String| JwksError::Fetch { url: url.to_owned(), reason };
        let mut response = self.http.get(url).send().await.map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("status {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| failed(e.to_string()))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_JWKS_BYTES {
                return Err(failed(format!("the document is over {MAX_JWKS_BYTES} bytes")));
            }
        }
        parse(&body, url)
    }
}

fn read_file(path: &PathBuf) -> Result<JwkSet, JwksError> {
    let body = std::fs::read(path).map_err(|source| JwksError::Read { path: path.clone(), source })?;
    parse(&body, &path.display().to_string())
}

fn parse(body: &[u8], from: &str) -> Result<JwkSet, JwksError> {
    serde_json::from_slice(body).map_err(|e| JwksError::Invalid { from: from.to_owned(), reason: e.to_string() })
}

/// The key for `kid` usable with `alg`: `Ok(None)` if there is none.
/// Without a `kid`, the one key of the right family, if there is exactly one.
fn find(keys: &JwkSet, kid: Option<&str>, alg: Algorithm) -> Result<Option<DecodingKey>, AuthError> {
    let fits = |jwk: &jsonwebtoken::jwk::Jwk| {
        let family = matches!(
            (&jwk.algorithm, alg),
            (AlgorithmParameters::RSA(_), Algorithm::RS256) | (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
        );
        let named = jwk.common.key_algorithm.map(|a| format!("{a:?}")).is_none_or(|a| a == format!("{alg:?}"));
        family && named
    };
    let candidates: Vec<_> = match kid {
        Some(kid) => keys.keys.iter().filter(|k| k.common.key_id.as_deref() == Some(kid)).collect(),
        None => keys.keys.iter().filter(|k| fits(k)).collect(),
    };
    let [jwk] = candidates.as_slice() else { return Ok(None) };
    if !fits(jwk) {
        return Err(AuthError::InvalidToken(format!("the token's key is not an {alg:?} key")));
    }
    DecodingKey::from_jwk(jwk).map(Some).map_err(|e| AuthError::InvalidToken(format!("unusable key: {e}")))
}
