//! The end-to-end harness: builds the real `mailgate` binary, starts it as a
//! child process on a free loopback port, and talks to it over HTTP.
//!
//! # Layout
//! - [`binary`]: finds (building if needed) the `mailgate` executable.
//! - [`demo`]: a running `mailgate demo` process and its printed tokens.
//! - [`client`]: a small GraphQL-over-HTTP client.

pub mod binary;
pub mod client;
pub mod demo;

pub use client::GraphqlClient;
pub use demo::DemoProcess;
