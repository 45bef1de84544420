//! A snapshot of a node with real mail installs into an empty store and
//! reproduces the same reads, blobs included; a node restarts from it.

#![allow(clippy::unwrap_used)]

use mailgate_backend::{ChangeRequest, MailChange, MailboxRole, MessageQuery, RequestId, State};
use mailgate_cluster::raft::snapshot::{self, SnapshotDir};
use mailgate_cluster::store::MailStore;
use mailgate_cluster::Node;

const RAW: &[u8] = b"From: a@example.com\r\nSubject: snap\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"a.bin\"\r\n\r\nATTACHED\r\n--b--\r\n";

fn req(id: &str, change: MailChange) -> ChangeRequest {
    ChangeRequest { request_id: RequestId::from(id), change }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_installs_elsewhere_and_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::open_single(dir.path()).await.unwrap();
    node.write(
        "ann",
        req("c", MailChange::CreateAccount { display_name: "Ann".into(), address: "ann@x".into(), legacy: None }),
    )
    .await
    .unwrap();
    let inbox = node
        .read(|r| r.mailboxes("ann"))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.role == Some(MailboxRole::Inbox))
        .unwrap()
        .id;
    for i in 0..3 {
        let change =
            MailChange::Import { mailbox: inbox.clone(), raw: RAW.to_vec(), flags: vec![], received_at: Some(i) };
        node.write("ann", req(&format!("i{i}"), change)).await.unwrap();
    }
    node.snapshot().await.unwrap();
    let all = MessageQuery { mailbox: None, filter: None, sort: Default::default(), offset: 0, limit: 10 };
    let q = all.clone();
    let before = node.read(move |r| r.query("ann", &q)).await.unwrap();
    assert_eq!(before.total, 3);

    let (meta, file) = SnapshotDir::open(&dir.path().join("snapshots")).unwrap().current().unwrap().unwrap();
    assert!(meta.last_log_id.is_some());
    let other = tempfile::tempdir().unwrap();
    let copy = MailStore::open(other.path()).unwrap();
    snapshot::install(&copy, &meta, &file.path).unwrap();
    let r = copy.read().unwrap();
    assert_eq!(r.query("ann", &all).unwrap(), before);
    assert_eq!(r.changes("ann", &State::from("0")).unwrap().created.len(), 3);
    let att = &before.items[0].attachments[0].blob_id;
    assert!(r.owns_blob("ann", att).unwrap());
    assert_eq!(copy.blobs().get(att.as_str()).unwrap(), b"ATTACHED");

    node.shutdown().await.unwrap();
    drop(node);
    let node = Node::open_single(dir.path()).await.unwrap();
    let q = all.clone();
    let after = node.read(move |r| r.query("ann", &q)).await.unwrap();
    assert_eq!(after, before);
    // Ids keep counting from where they were: no reuse after a restart.
    let change = MailChange::Import { mailbox: inbox, raw: RAW.to_vec(), flags: vec![], received_at: Some(9) };
    let out = node.write("ann", req("i9", change)).await.unwrap();
    assert!(!before.items.iter().any(|m| m.id == out.messages[0]));
    node.shutdown().await.unwrap();
}
