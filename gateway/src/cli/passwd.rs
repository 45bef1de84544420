//! `mailgate passwd`: set a user's password in the password file behind
//! `login` (an argon2id hash; the password is read from stdin, so it never
//! shows in the process list or the shell history).

use crate::auth::passwords::set_password;
use crate::config::Config;
use anyhow::{bail, Context};
use clap::Args;
use std::io::BufRead;
use std::path::PathBuf;

/// Arguments of `mailgate passwd`.
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// The user.
    #[arg(long)]
    user: String,
    /// The password file; defaults to the config's `[auth] password_file`.
    #[arg(long)]
    file: Option<PathBuf>,
    /// A config file.
    #[arg(long, env = "MAILGATE_CONFIG")]
    config: Option<PathBuf>,
}

/// Reads the password (the first line of stdin) and stores its hash.
pub fn run(args: PasswdArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let Some(file) = args.file.or(config.auth.password_file) else {
        bail!("say which password file: --file FILE or [auth] password_file in the config file");
    };
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("cannot read the password from stdin")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!("the password (the first line of stdin) is empty");
    }
    set_password(&file, &args.user, password)?;
    eprintln!("password of {} set in {}", args.user, file.display());
    Ok(())
}
