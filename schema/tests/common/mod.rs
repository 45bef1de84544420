//! The harness of the schema's integration tests: a real embedded native
//! store in a temp dir, seeded accounts and messages, a counting wrapper, and
//! helpers to run GraphQL as a principal.

#![allow(clippy::unwrap_used, dead_code)]

pub mod counting;
pub mod mail;

use async_graphql::{Request, Response, Variables};
use counting::Counting;
use mailgate_backend::{
    ChangeRequest, MailBackend, MailChange, MailboxId, MailboxRole, MessageId, Principal, RequestId,
};
use mailgate_native::NativeBackend;
use mailgate_schema::{attach_request_data, build_schema, Directory, MailSchema, SchemaSettings};
use serde_json::Value;
use std::sync::Arc;

/// The inline cap the tests run with: small, so that "too large" needs no megabytes.
pub const CAP: u64 = 200;

/// One store, one schema, and the accounts `alice` and `bob`.
pub struct Harness {
    _dir: tempfile::TempDir,
    pub native: Arc<NativeBackend>,
    pub counting: Arc<Counting>,
    pub schema: MailSchema,
    pub directory: Arc<Directory>,
}

impl Harness {
    /// Opens a fresh store with accounts `alice` (alice@example.com) and `bob`.
    pub async fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
        let counting = Arc::new(Counting::new(native.clone()));
        let directory = Arc::new(Directory::new(counting.clone()));
        let schema = build_schema(SchemaSettings { inline_content_cap: CAP, ..SchemaSettings::default() });
        let h = Harness { _dir: dir, native, counting, schema, directory };
        h.create_account("alice", "Alice Example", "alice@example.com").await;
        h.create_account("bob", "Bob Example", "bob@example.com").await;
        h
    }

    pub async fn create_account(&self, username: &str, name: &str, address: &str) {
        self.apply(
            username,
            MailChange::CreateAccount { display_name: name.to_owned(), address: address.to_owned(), legacy: None },
        )
        .await;
    }

    /// Applies a change as an administrator; returns the ids it touched.
    pub async fn apply(&self, account: &str, change: MailChange) -> Vec<MessageId> {
        let request = ChangeRequest { request_id: RequestId(uuid::Uuid::new_v4().to_string()), change };
        self.native.apply(&Principal::admin("root"), account, request).await.unwrap().messages
    }

    /// The backend id of an account's mailbox with `role`.
    pub async fn mailbox(&self, account: &str, role: MailboxRole) -> MailboxId {
        let boxes = self.native.mailboxes(&Principal::admin("root"), account).await.unwrap();
        boxes.into_iter().find(|m| m.role == Some(role)).unwrap().id
    }

    /// Imports a raw message into `account`'s inbox at `received_at` (ms).
    pub async fn import(&self, account: &str, raw: Vec<u8>, received_at: i64) -> MessageId {
        let inbox = self.mailbox(account, MailboxRole::Inbox).await;
        let ids = self
            .apply(
                account,
                MailChange::Import { mailbox: inbox, raw, flags: Vec::new(), received_at: Some(received_at) },
            )
            .await;
        ids[0].clone()
    }

    /// Runs a query as `principal` (or anonymously).
    pub async fn run_as(&self, principal: Option<Principal>, query: &str, vars: Value) -> Response {
        let req = Request::new(query).variables(Variables::from_json(vars));
        let req = attach_request_data(req, principal, self.directory.clone());
        self.schema.execute(req).await
    }

    /// Runs a query as the user `username`.
    pub async fn run(&self, username: &str, query: &str, vars: Value) -> Response {
        self.run_as(Some(Principal::user(username)), query, vars).await
    }

    /// Runs a query that must succeed and returns its data as JSON.
    pub async fn data(&self, username: &str, query: &str, vars: Value) -> Value {
        let res = self.run(username, query, vars).await;
        assert!(res.errors.is_empty(), "{query}: {:?}", res.errors);
        res.data.into_json().unwrap()
    }

    pub async fn shutdown(&self) {
        self.native.shutdown().await;
    }
}

/// The `extensions.code` of a response's first error.
pub fn first_code(res: &Response) -> Option<String> {
    let err = res.errors.first()?;
    let ext = err.extensions.as_ref()?;
    match ext.get("code")? {
        async_graphql::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The message of a response's first error.
pub fn first_message(res: &Response) -> String {
    res.errors.first().map(|e| e.message.clone()).unwrap_or_default()
}
