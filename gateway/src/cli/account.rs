//! `mailgate account add USER --nodes ...`: create an account with the
//! standard mailboxes on a cluster. The request id is derived from the user,
//! so running the command twice is harmless.

use super::cluster::NodesArg;
use anyhow::Context;
use clap::Subcommand;
use mailgate_backend::{ChangeRequest, MailChange, RequestId};
use mailgate_cluster::Command;

/// `mailgate account ...`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account with the standard mailboxes.
    Add {
        /// The username.
        user: String,
        #[command(flatten)]
        nodes: NodesArg,
        /// The account's address (names its native source) [default: USER@localhost].
        #[arg(long)]
        address: Option<String>,
        /// A display name [default: USER].
        #[arg(long)]
        name: Option<String>,
    },
}

/// Runs an account command.
pub async fn run(cmd: AccountCommand) -> anyhow::Result<()> {
    match cmd {
        AccountCommand::Add { user, nodes, address, name } => {
            let change = MailChange::CreateAccount {
                display_name: name.unwrap_or_else(|| user.clone()),
                address: address.unwrap_or_else(|| format!("{user}@localhost")),
                legacy: None,
            };
            let request = ChangeRequest { request_id: RequestId::from(format!("account-add:{user}").as_str()), change };
            let cmd = Command { account: user.clone(), request };
            cmd.validate()?;
            nodes.client()?.write(&cmd).await.with_context(|| format!("account add {user}"))?;
            println!("account {user} ready");
            Ok(())
        }
    }
}
