//! `mailgate zimbra-sim`: the Zimbra simulator on its own, seeded with the
//! demo's legacy mailbox, for trying the SOAP wire format by hand.

use crate::zimbra_demo::seeded_sim;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;

/// Arguments of `mailgate zimbra-sim`.
#[derive(Debug, Args)]
pub struct ZimbraSimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: SocketAddr,
}

/// Serves until Ctrl-C; prints the account and its password.
pub async fn run(args: ZimbraSimArgs) -> anyhow::Result<()> {
    let (sim, password) = seeded_sim()?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!("Zimbra simulator on http://{}/service/soap", listener.local_addr()?);
    println!("ACCOUNT {} {password}", crate::seed::zimbra::ZIMBRA_ACCOUNT);
    sim.serve(listener, crate::server::shutdown_signal()).await?;
    Ok(())
}
