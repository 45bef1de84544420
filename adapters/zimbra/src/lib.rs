//! `mailgate-zimbra`: the [`MailBackend`](mailgate_backend::MailBackend) over
//! Zimbra SOAP, and the Zimbra simulator that tests and the demo run.
//!
//! # Layout
//! - [`xml`]: the element tree both halves share (hostile-input safe reader).
//! - [`client`]: the SOAP 1.2 client (auth token, faults, limits, retries, REST).
//! - [`backend`]: [`ZimbraBackend`], the trait implementation.
//! - [`convert`], [`query`]: Zimbra's words to ours and back; they stop here.
//! - [`parts`]: Zimbra's MIME part numbering and part bytes, one implementation
//!   for both halves (the simulator serves parts, the adapter cuts them).
//! - [`batch`]: BatchRequests built and read back by `requestId`.
//! - [`blobs`]: attachment bytes for a page in one round trip.
//! - [`sim`]: the simulator (`serve`, [`sim::Sim`] for seeding).
//!
//! Zimbra's vocabulary (`l`, `su`, `f="ua"`, conversation `-123`) never
//! leaves this crate: everything public speaks the backend crate's types.

pub mod backend;
pub mod batch;
pub mod blobs;
pub mod client;
pub mod config;
pub mod convert;
pub mod fault;
pub mod parts;
pub mod query;
pub mod sim;
pub mod xml;

pub use backend::ZimbraBackend;
pub use config::ZimbraSourceConfig;
