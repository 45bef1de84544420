//! The demo's legacy source: an embedded Zimbra simulator holding
//! `andy.lewisohn@postlight.com`, and a Zimbra backend pointed at it over
//! real HTTP on loopback, registered as alewisohn's second source.

use crate::seed::zimbra::{zimbra_messages, SEED_ITEM_ID, ZIMBRA_ACCOUNT};
use anyhow::Context;
use mailgate_zimbra::sim::{Sim, SimConfig, INBOX, SENT};
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use std::net::SocketAddr;

/// The demo user whose second source lives on the simulator.
pub const ZIMBRA_DEMO_USER: &str = "alewisohn";

/// A simulator seeded with the demo's Zimbra mailbox; returns it with the
/// password of its account. The password is per process: the simulator is
/// only reachable on loopback and its state lives in memory.
pub fn seeded_sim() -> anyhow::Result<(Sim, String)> {
    let password = format!("demo-{:016x}", rand::random::<u64>());
    let sim = Sim::new(SimConfig::default()).context("cannot start the Zimbra simulator")?;
    seed_demo_mailbox(&sim, &password)?;
    Ok((sim, password))
}

/// Creates the demo's legacy account in `sim` with `password` and delivers its mail.
pub fn seed_demo_mailbox(sim: &Sim, password: &str) -> anyhow::Result<()> {
    sim.add_account(ZIMBRA_ACCOUNT, password, "Andy Lewisohn")?;
    sim.set_next_item_id(ZIMBRA_ACCOUNT, SEED_ITEM_ID)?;
    for message in zimbra_messages() {
        let folder = if message.sent { SENT } else { INBOX };
        let flags = if message.sent {
            "s"
        } else if message.unread {
            "u"
        } else {
            ""
        };
        sim.add_message(ZIMBRA_ACCOUNT, folder, &message.raw, flags, message.date)?;
    }
    Ok(())
}

/// Starts the seeded simulator on a free loopback port (it stops with the
/// process) and returns a backend logged in to it for [`ZIMBRA_DEMO_USER`].
pub async fn start() -> anyhow::Result<ZimbraBackend> {
    let (sim, password) = seeded_sim()?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(err) = sim.serve(listener, std::future::pending()).await {
            tracing::error!(error = %err, "the embedded Zimbra simulator stopped");
        }
    });
    let backend = ZimbraBackend::new()?;
    backend.add_user(ZIMBRA_DEMO_USER, ZimbraSourceConfig { url, account: ZIMBRA_ACCOUNT.to_owned(), password });
    Ok(backend)
}
