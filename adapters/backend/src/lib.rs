//! The one seam between the GraphQL schema and the places mail lives.
//!
//! A [`MailBackend`] serves accounts, mailboxes, messages, threads and blobs
//! of one kind of store (the native Raft cluster, a Zimbra server). Every call
//! is batch-shaped (many ids in, a map out) so that a DataLoader batch is one
//! round trip, and every call carries the caller's [`Principal`] so that
//! authorization is never implicit.
//!
//! # Layout
//! - [`ids`]: opaque id newtypes.
//! - [`principal`]: who is asking.
//! - [`account`], [`mailbox`], [`message`], [`thread`]: the domain model (JMAP semantics).
//! - [`query`]: the parsed search language and paging.
//! - [`change`]: writes, their outcomes, and delta sync.
//! - [`error`]: [`BackendError`], a closed set of kinds.
//! - [`backend`]: the [`MailBackend`] trait itself.
//! - [`contract`]: the suite every backend passes ([`contract::run_suite`]).
//!
//! This crate depends on no I/O crate: it is types and one trait.

pub mod account;
pub mod backend;
pub mod change;
pub mod contract;
pub mod error;
pub mod ids;
pub mod mailbox;
pub mod message;
pub mod principal;
pub mod query;
pub mod thread;

pub use account::{Account, Source, SourceKind};
pub use backend::MailBackend;
pub use change::{ChangeOutcome, ChangeRequest, Changes, MailChange};
pub use error::{BackendError, ErrorKind};
pub use ids::{BlobId, MailboxId, MessageId, RequestId, State, ThreadId};
pub use mailbox::{Mailbox, MailboxRole};
pub use message::{Address, AddressKind, Attachment, Flag, Flags, Header, Message};
pub use principal::Principal;
pub use query::{MessageQuery, Page, SearchExpr, Sort, SortKey, Term};
pub use thread::Thread;
