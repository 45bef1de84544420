//! `mailgate zimbra-sim`: the Zimbra simulator on its own, for trying the
//! SOAP wire format by hand and as the legacy server of migration tests.
//! Without `--account` it holds the demo's legacy mailbox; with `--data` its
//! mailboxes survive a restart (seeding happens only for accounts not there yet).

use crate::seed::zimbra::ZIMBRA_ACCOUNT;
use crate::zimbra_demo::seed_demo_mailbox;
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
    /// Keep the mailboxes in this directory (loaded at start, saved on every write).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Serve this account (an address) instead of the demo's legacy mailbox.
    #[arg(long, requires = "password")]
    account: Option<String>,
    /// The account's password (used when the account is created).
    #[arg(long, env = "MAILGATE_ZIMBRA_SIM_PASSWORD")]
    password: Option<String>,
    /// Deliver this many generated messages (the demo dataset, cycled) to a new account.
    #[arg(long, requires = "account", default_value_t = 0)]
    generate: usize,
    /// Deliver the messages of this Maildir (or mbox, or .eml files) to a new account's Inbox.
    #[arg(long, requires = "account")]
    maildir: Option<PathBuf>,
}

/// Serves until Ctrl-C; prints the URL and the account with its password.
pub async fn run(args: ZimbraSimArgs) -> anyhow::Result<()> {
    let sim = match &args.data {
        Some(dir) => Sim::open(SimConfig::default(), dir)
            .with_context(|| format!("cannot open the simulator's data in {}", dir.display()))?,
        None => Sim::new(SimConfig::default())?,
    };
    let account = match (&args.account, &args.password) {
        (Some(account), Some(password)) => {
            if !sim.has_account(account) {
                sim.add_account(account, password, account)?;
                seed_generated(&sim, account, args.generate)?;
                if let Some(dir) = &args.maildir {
                    seed_maildir(&sim, account, dir)?;
                }
            }
            account.clone()
        }
        _ => {
            if !sim.has_account(ZIMBRA_ACCOUNT) {
                seed_demo_mailbox(&sim, &format!("demo-{:016x}", rand::random::<u64>()))?;
            }
            ZIMBRA_ACCOUNT.to_owned()
        }
    };
    sim.save().context("cannot save the simulator's data")?;
    let password = sim.password(&account).unwrap_or_default();
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!("Zimbra simulator on http://{}/service/soap", listener.local_addr()?);
    println!("ACCOUNT {account} {password}");
    sim.serve(listener, crate::server::shutdown_signal()).await?;
    Ok(())
}
