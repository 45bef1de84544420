//! `mailgate zimbra-sim`: the Zimbra simulator on its own, for trying the
//! SOAP wire format by hand and as the legacy server of migration tests.
//! Without `--account` it holds the demo's legacy mailbox.

use crate::zimbra_demo::seeded_sim;
use crate::zimbra_seed::{seed_generated, seed_maildir};
use anyhow::Context;
use clap::Args;
use mailgate_zimbra::sim::{Sim, SimConfig};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `mailgate zimbra-sim`.
#[derive(Debug, Args)]
pub struct ZimbraSimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: SocketAddr,
    /// Serve this account (an address) instead of the demo's legacy mailbox.
    #[arg(long, requires = "password")]
    account: Option<String>,
    /// The account's password.
    #[arg(long, env = "MAILGATE_ZIMBRA_SIM_PASSWORD")]
    password: Option<String>,
    /// Deliver this many generated messages (the demo dataset, cycled) to the account.
    #[arg(long, requires = "account", default_value_t = 0)]
    generate: usize,
    /// Deliver the messages of this Maildir (or mbox, or .eml files) to the account's Inbox.
    #[arg(long, requires = "account")]
    maildir: Option<PathBuf>,
}

/// Serves until Ctrl-C; prints the URL and the account with its password.
pub async fn run(args: ZimbraSimArgs) -> anyhow::Result<()> {
    let (sim, account, password) = match (&args.account, &args.password) {
        (Some(account), Some(password)) => {
            let sim = Sim::new(SimConfig::default())?;
            sim.add_account(account, password, account)?;
            seed_generated(&sim, account, args.generate)?;
            if let Some(dir) = &args.maildir {
                seed_maildir(&sim, account, dir)?;
            }
            (sim, account.clone(), password.clone())
        }
        _ => {
            let (sim, password) = seeded_sim()?;
            (sim, crate::seed::zimbra::ZIMBRA_ACCOUNT.to_owned(), password)
        }
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!("Zimbra simulator on http://{}/service/soap", listener.local_addr()?);
    println!("ACCOUNT {account} {password}");
    sim.serve(listener, crate::server::shutdown_signal()).await?;
    Ok(())
}
