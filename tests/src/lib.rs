//! The end-to-end harness: builds the real `mailgate` binary, starts it as a
//! child process on a free loopback port, and talks to it over HTTP; and the
//! tools of the cluster fault tests.
//!
//! # Layout
//! - [`binary`]: finds (building if needed) the `mailgate` executable.
//! - [`demo`]: a running `mailgate demo` process and its printed tokens.
//! - [`client`]: a small GraphQL-over-HTTP client.
//! - [`lincheck`]: a WGL linearizability checker.
//! - [`mailbox_model`]: the mailbox model and the history recorder.
//! - [`procs`]: `mailgate node` / `mailgate serve` child processes for multi-process tests.
//! - [`seed`]: test seeds from the environment, printed on failure.

pub mod binary;
pub mod client;
pub mod demo;
pub mod lincheck;
pub mod mailbox_model;
pub mod procs;
pub mod seed;

pub use client::GraphqlClient;
pub use demo::DemoProcess;
