//! The `mailgate` command line: one binary, one subcommand per job.

mod account;
mod cluster;
mod demo;
mod import;
mod migrate;
mod node;
mod passwd;
mod serve;
mod token;
mod zimbra_sim;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub use account::AccountCommand;
pub use cluster::ClusterCommand;
pub use demo::DemoArgs;
pub use import::ImportArgs;
pub use migrate::MigrateArgs;
pub use node::NodeArgs;
pub use passwd::PasswdArgs;
pub use serve::ServeArgs;
pub use token::TokenArgs;
pub use zimbra_sim::ZimbraSimArgs;

/// Mailgate: a GraphQL email platform over a replicated mailbox store.
#[derive(Debug, Parser)]
#[command(name = "mailgate", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start an embedded single-node cluster with seeded demo data and serve GraphQL.
    Demo(DemoArgs),
    /// Serve GraphQL over a cluster of `mailgate node` processes.
    Serve(ServeArgs),
    /// Run one cluster node (Raft, client and admin API on one listener).
    Node(NodeArgs),
    /// Administer a pool: init, add, remove, status.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Manage accounts on a cluster.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Mint a bearer token for a user.
    Token(TokenArgs),
    /// Set a user's password for `login` (read from stdin) in the password file.
    Passwd(PasswdArgs),
    /// Import a Maildir, an mbox file, an .eml file or a folder of .eml files into an account.
    Import(ImportArgs),
    /// Copy a user's Zimbra mailbox into the native store, verify it, and cut the user over.
    Migrate(MigrateArgs),
    /// Run the Zimbra SOAP simulator, seeded with the demo's legacy mailbox.
    ZimbraSim(ZimbraSimArgs),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `mailgate config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file: unknown keys and bad values are reported.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Node(args) => node::run(args).await,
        Command::Cluster(cmd) => cluster::run(cmd).await,
        Command::Account(cmd) => account::run(cmd).await,
        Command::Token(args) => token::run(args),
        Command::Passwd(args) => passwd::run(args),
        Command::Import(args) => import::run(args).await,
        Command::Migrate(args) => migrate::run(args).await,
        Command::ZimbraSim(args) => zimbra_sim::run(args).await,
        Command::Config(ConfigCommand::Check { file }) => {
            let config = crate::config::Config::load(Some(&file))?;
            // The files the config names are part of it: a broken safelist would stop `serve`.
            if let Some(manifest) = &config.persisted_operations.safelist {
                let safelist = crate::persisted::Safelist::load(manifest)?;
                println!("{}: {} operations", manifest.display(), safelist.len());
            }
            println!("{}: ok", file.display());
            Ok(())
        }
    }
}
