//! The gateway's configuration: TOML with unknown keys rejected, every field
//! defaulted, command-line flags applied on top by the CLI.

use crate::auth::AuthConfig;
use crate::limits::LimitsConfig;
use crate::live::LiveConfig;
use crate::persisted::PersistedConfig;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything `mailgate demo` and the gateway read at startup.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the HTTP listener binds.
    pub listen: SocketAddr,
    /// The data directory (cluster store, blobs, token secret); `None` means a fresh temporary directory.
    pub data_dir: Option<PathBuf>,
    /// A file holding the HS256 token secret; `None` means `<data_dir>/jwt-secret`, created on first start.
    pub jwt_secret_file: Option<PathBuf>,
    /// How long tokens printed by the demo and `mailgate token` stay valid, in seconds.
    pub token_ttl_seconds: u64,
    /// Attachments up to this many bytes are inlined as base64 `content`; larger ones give only `downloadUrl`.
    pub inline_content_cap: u64,
    /// The largest request body `/graphql` accepts, in bytes (an import carries a whole raw message).
    pub max_request_bytes: u64,
    /// Cluster node addresses (`host:port`) that `mailgate serve` talks to.
    pub nodes: Vec<String>,
    /// Legacy Zimbra mailboxes served as users' sources (`[[zimbra_sources]]`).
    pub zimbra_sources: Vec<ZimbraSourceEntry>,
    /// Origins (`scheme://host[:port]`) whose browser pages may call the API;
    /// empty (the default) sends no CORS headers.
    #[serde(deserialize_with = "cors_origins")]
    pub cors_origins: Vec<String>,
    /// Refuse `/graphql` requests a browser could send cross-site without a
    /// preflight (see `http::csrf`); on by default.
    pub csrf_prevention: bool,
    /// What one request and one user may cost (`[limits]`).
    pub limits: LimitsConfig,
    /// Automatic persisted queries or a safelist (`[persisted_operations]`).
    pub persisted_operations: PersistedConfig,
    /// Token verification (JWKS, issuer, audience) and sign-in (`[auth]`).
    pub auth: AuthConfig,
    /// Subscriptions: polling, heartbeats, connections per user (`[live]`).
    pub live: LiveConfig,
}

/// Reads `cors_origins`, refusing an entry a browser would never send as `Origin`.
fn cors_origins<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let origins = Vec::<String>::deserialize(deserializer)?;
    for origin in &origins {
        crate::http::cors::parse_origin(origin).map_err(serde::de::Error::custom)?;
    }
    Ok(origins)
}

/// One user's Zimbra mailbox, served through the same schema as native mail.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ZimbraSourceEntry {
    /// Our username.
    pub user: String,
    /// The Zimbra account (an address); it names the source.
    pub account: String,
    /// The mailbox server's base URL, e.g. `https://zimbra.example.com`.
    pub url: String,
    /// A file whose first line is the account's password.
    pub password_file: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: None,
            jwt_secret_file: None,
            token_ttl_seconds: 30 * 24 * 3600,
            inline_content_cap: 1024 * 1024,
            max_request_bytes: 64 * 1024 * 1024,
            nodes: Vec::new(),
            zimbra_sources: Vec::new(),
            cors_origins: Vec::new(),
            csrf_prevention: true,
            limits: LimitsConfig::default(),
            persisted_operations: PersistedConfig::default(),
            auth: AuthConfig::default(),
            live: LiveConfig::default(),
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML for [`Config`] (including unknown keys).
    #[error("invalid config file {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause, naming the key and line.
        source: Box<toml::de::Error>,
    },
}

impl Config {
    /// Reads a TOML file (`None`: no file) with the `MAILGATE_*` variables
    /// of the environment over it ([`crate::config_env`]).
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let text = match path {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?
            }
            None => String::new(),
        };
        let shown = path.map_or_else(|| PathBuf::from("(no config file)"), Path::to_path_buf);
        Self::parse_with_env(&text, std::env::vars())
            .map_err(|source| ConfigError::Parse { path: shown, source: Box::new(source) })
    }

    /// Parses TOML text with `vars`' `MAILGATE_*` variables over it.
    pub fn parse_with_env(
        text: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, toml::de::Error> {
        let mut table: toml::Table = toml::from_str(text)?;
        if let Err(reason) = crate::config_env::overlay(&mut table, vars) {
            return Err(serde::de::Error::custom(format!("environment: {reason}")));
        }
        Config::deserialize(toml::Value::Table(table)).map_err(|e| serde::de::Error::custom(format!("{e}")))
    }

    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn keys_override_defaults() {
        let config = Config::parse("listen = \"0.0.0.0:9000\"\ninline_content_cap = 10\n").unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.inline_content_cap, 10);
    }

    #[test]
    fn documented_example_file_parses() {
        let text = include_str!("../../gateway.example.toml");
        let config = Config::parse(text).unwrap();
        assert_eq!(config.inline_content_cap, 1024 * 1024);
        assert!(config.csrf_prevention);
        // The documented [limits] values are the defaults.
        assert_eq!(config.limits, LimitsConfig::default());
        assert_eq!(config.persisted_operations, PersistedConfig::default());
        assert_eq!(config.auth, AuthConfig::default());
        assert_eq!(config.live, LiveConfig::default());
        // The commented-out example origins are valid too.
        let origins = text.lines().find_map(|line| line.strip_prefix("# cors_origins = ")).unwrap();
        assert_eq!(Config::parse(&format!("cors_origins = {origins}")).unwrap().cors_origins.len(), 2);
    }

    #[test]
    fn cluster_nodes_parse() {
        let config = Config::parse("nodes = [\"127.0.0.1:7001\", \"127.0.0.1:7002\"]\n").unwrap();
        assert_eq!(config.nodes, vec!["127.0.0.1:7001".to_owned(), "127.0.0.1:7002".to_owned()]);
    }

    #[test]
    fn zimbra_sources_parse_and_their_unknown_keys_are_rejected() {
        let text = "[[zimbra_sources]]\nuser = \"ann\"\naccount = \"ann@legacy.example\"\n\
url = \"http://127.0.0.1:7070\"\npassword_file = \"/etc/pw\"\n";
        let config = Config::parse(text).unwrap();
        assert_eq!(config.zimbra_sources[0].account, "ann@legacy.example");
        assert_eq!(config.zimbra_sources[0].password_file, PathBuf::from("/etc/pw"));
        let err = Config::parse(&format!("{text}passwd = \"x\"\n")).unwrap_err();
        assert!(err.to_string().contains("passwd"), "{err}");
    }

    #[test]
    fn cors_origins_and_csrf_parse_and_bad_origins_are_rejected() {
        let config = Config::parse("cors_origins = [\"https://mail.example.com\"]\ncsrf_prevention = false\n").unwrap();
        assert_eq!(config.cors_origins, vec!["https://mail.example.com".to_owned()]);
        assert!(!config.csrf_prevention);
        assert!(Config::default().csrf_prevention && Config::default().cors_origins.is_empty());
        let err = Config::parse("cors_origins = [\"https://mail.example.com/\"]\n").unwrap_err();
        assert!(err.to_string().contains("mail.example.com/"), "{err}");
    }

    #[test]
    fn limits_table_overrides_defaults_and_refuses_unknown_keys_and_zeros() {
        let config = Config::parse("[limits]\nmax_aliases = 3\nrate_limit_per_second = 0\n").unwrap();
        assert_eq!(config.limits.max_aliases, 3);
        assert_eq!(config.limits.rate_limit_per_second, 0);
        assert_eq!(config.limits.max_depth, LimitsConfig::default().max_depth);
        let err = Config::parse("[limits]\nmax_alias = 3\n").unwrap_err();
        assert!(err.to_string().contains("max_alias"), "{err}");
        let err = Config::parse("[limits]\nmax_concurrent_requests = 0\n").unwrap_err();
        assert!(err.to_string().contains("nonzero"), "{err}");
    }

    #[test]
    fn environment_variables_override_the_file_and_unknown_ones_are_refused() {
        let env =
            |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>();
        let text = "inline_content_cap = 10\n[limits]\nmax_depth = 20\n";
        let config = Config::parse_with_env(
            text,
            env(&[("MAILGATE_INLINE_CONTENT_CAP", "99"), ("MAILGATE_LIMITS__MAX_ALIASES", "3")]),
        )
        .unwrap();
        assert_eq!((config.inline_content_cap, config.limits.max_aliases, config.limits.max_depth), (99, 3, 20));
        let err = Config::parse_with_env(text, env(&[("MAILGATE_LIMITS__MAX_ALIAS", "3")])).unwrap_err();
        assert!(err.to_string().contains("max_alias"), "{err}");
        let err = Config::parse_with_env(text, env(&[("MAILGATE_LIMITS__MAX_DEPTH", "deep")])).unwrap_err();
        assert!(err.to_string().contains("max_depth") || err.to_string().contains("invalid type"), "{err}");
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let err = Config::parse("listen = \"127.0.0.1:1\"\nlisten_port = 3\n").unwrap_err();
        assert!(err.to_string().contains("listen_port"), "{err}");
    }
}
