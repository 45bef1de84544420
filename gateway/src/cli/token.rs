//! `mailgate token`: mint a bearer token for the configured secret.

use crate::auth::TokenAuthority;
use crate::config::Config;
use crate::secret;
use anyhow::bail;
use clap::Args;
use mailgate_schema::Scopes;
use std::path::PathBuf;

/// Arguments of `mailgate token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The user the token names.
    #[arg(long)]
    user: String,
    /// The secret file; defaults to the config's `jwt_secret_file`, else `<data>/jwt-secret`.
    #[arg(long, env = "MAILGATE_JWT_SECRET_FILE")]
    jwt_secret_file: Option<PathBuf>,
    /// A demo data directory, whose generated secret signs the token.
    #[arg(long, env = "MAILGATE_DATA")]
    data: Option<PathBuf>,
    /// A config file.
    #[arg(long, env = "MAILGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Validity in seconds; defaults to the config's `token_ttl_seconds`.
    #[arg(long)]
    ttl: Option<u64>,
    /// Mint an operator token that may act on every account.
    #[arg(long)]
    admin: bool,
    /// The token's scopes, space-separated (`mail:read mail:write admin`);
    /// default `mail:read mail:write`, every scope with `--admin`.
    #[arg(long)]
    scope: Option<String>,
}

/// Prints the token on stdout.
pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let secret = match (args.jwt_secret_file, config.jwt_secret_file, args.data.or(config.data_dir)) {
        (Some(file), _, _) | (None, Some(file), _) => secret::read(&file)?,
        // A data directory's secret is created by whichever command needs it first.
        (None, None, Some(data)) => {
            std::fs::create_dir_all(&data)?;
            secret::read_or_create(&data.join(secret::SECRET_FILE_NAME))?
        }
        (None, None, None) => bail!("say which secret signs the token: --jwt-secret-file FILE or --data DIR"),
    };
    // The config's issuer and audience go into the token, so that a gateway
    // that requires them accepts it.
    let authority = TokenAuthority::from_config(Some(&secret), &config.auth)?;
    let ttl = args.ttl.unwrap_or(config.token_ttl_seconds);
    let scopes = match (&args.scope, args.admin) {
        (Some(scope), admin) => Scopes {
            admin: admin || Scopes::parse(scope.split_whitespace()).admin,
            ..Scopes::parse(scope.split_whitespace())
        },
        (None, true) => Scopes::ALL,
        (None, false) => Scopes::USER,
    };
    println!("{}", authority.mint_scoped(&args.user, scopes, ttl)?);
    Ok(())
}
