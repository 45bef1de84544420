//! The Mailgate gateway: the `mailgate` binary's library.
//!
//! It serves the GraphQL schema over HTTP (axum), authenticates callers with
//! bearer tokens, counts every backend round trip for `/metrics`, streams
//! attachment downloads, and runs the command line (demo, import, token).
//!
//! # Layout
//! - [`cli`]: the subcommands; `main.rs` only parses and calls [`cli::run`].
//! - [`server`], [`app`]: building the shared state and the routes;
//!   [`graphql_route`]: `/graphql`, its layers and handler.
//! - [`http`]: GraphQL-over-HTTP media types and status codes, CORS, CSRF
//!   prevention, compression, request ids.
//! - [`live`]: subscriptions over websockets and server-sent events.
//! - [`limits`]: the `[limits]` table, load shedding, timeouts, per-user rate limits.
//! - [`persisted`]: automatic persisted queries and the safelist; [`reload`]: what SIGHUP reloads.
//! - [`auth`], [`secret`]: bearer tokens and their signing secret.
//! - [`download`]: `GET /download/{message}/{part}`; [`health`]: `/health/live`, `/health/ready`.
//! - [`instrumented`]: the backend wrapper that feeds `/metrics`.
//! - [`config`], [`config_env`], [`telemetry`]: configuration (the file and `MAILGATE_*`
//!   variables), metrics recorder, logging; [`otlp`]: optional OTLP trace export.
//! - [`seed`], [`demo_seed`]: the deterministic demo dataset and how it is loaded.
//! - [`import`], [`mailbox_path`]: Maildir/mbox/.eml readers and mailbox resolution.
//! - [`playground`]: the GraphiQL page at `/`, built by `build.rs` and embedded.
//! - [`migrate`]: moving a user from a legacy source into the native store.
//! - [`zimbra_demo`]: the demo's embedded Zimbra simulator and its source.
//! - [`zimbra_seed`]: generated or Maildir mail for a simulator account.
//! - [`zimbra_sources`]: the configured Zimbra sources as backends.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod config_env;
pub mod demo_seed;
pub mod download;
pub mod graphql_route;
pub mod health;
pub mod http;
pub mod import;
pub mod instrumented;
pub mod limits;
pub mod live;
pub mod mailbox_path;
pub mod migrate;
pub mod otlp;
pub mod persisted;
pub mod playground;
pub mod reload;
pub mod secret;
pub mod seed;
pub mod server;
pub mod telemetry;
pub mod zimbra_demo;
pub mod zimbra_seed;
pub mod zimbra_sources;
