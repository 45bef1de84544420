//! Multi-node pools over real HTTP on loopback, in one process: init,
//! replication, membership changes (add a learner, promote it, remove the
//! leader), and a wiped node catching up from a streamed snapshot with its
//! blobs.

#![allow(clippy::unwrap_used)]

use mailgate_backend::{ChangeRequest, MailChange, MailboxId, MailboxRole, RequestId};
use mailgate_cluster::admin;
use mailgate_cluster::proto::{ReadEnvelope, ReadReply, ReadRequest};
use mailgate_cluster::testing::LocalCluster;
use mailgate_cluster::{ClusterClient, Command, RetryPolicy};
use std::time::{Duration, Instant};

fn cmd(account: &str, id: &str, change: MailChange) -> Command {
    Command { account: account.into(), request: ChangeRequest { request_id: RequestId::from(id), change } }
}

fn raw(i: usize) -> Vec<u8> {
    format!(
        "From: a@example.com\r\nSubject: m{i}\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nbody {i}\r\n--b\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"a{i}.bin\"\r\n\r\nATTACHED {i}\r\n--b--\r\n"
    )
    .into_bytes()
}

async fn create_account(client: &ClusterClient, user: &str) -> MailboxId {
    let change =
        MailChange::CreateAccount { display_name: user.into(), address: format!("{user}@example.com"), legacy: None };
    client.write(&cmd(user, &format!("create-{user}"), change)).await.unwrap();
    let env = ReadEnvelope { account: user.into(), read: ReadRequest::Mailboxes };
    let ReadReply::Mailboxes(boxes) = client.read(&env).await.unwrap() else { panic!("wrong reply") };
    boxes.into_iter().find(|m| m.role == Some(MailboxRole::Inbox)).unwrap().id
}

async fn import(client: &ClusterClient, user: &str, inbox: &MailboxId, i: usize) {
    let change = MailChange::Import { mailbox: inbox.clone(), raw: raw(i), flags: vec![], received_at: Some(i as i64) };
    client.write(&cmd(user, &format!("imp-{i}"), change)).await.unwrap();
}

/// Waits until every running node has applied the same index and checks their digests are equal.
async fn converged(cluster: &LocalCluster) {
    let client = cluster.client(RetryPolicy::default()).unwrap();
    let start = Instant::now();
    loop {
        let mut digests = Vec::new();
        for (i, slot) in cluster.slots.iter().enumerate() {
            if slot.running.is_some() {
                digests.push((i, client.digest(&slot.addr).await.unwrap()));
            }
        }
        let applied: Vec<_> = digests.iter().map(|(_, d)| d.applied).collect();
        if applied.windows(2).all(|w| w[0] == w[1]) {
            let first = &digests[0].1;
            for (i, d) in &digests {
                assert_eq!(d.sha256, first.sha256, "node {i} diverged at applied {:?}", d.applied);
            }
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "nodes did not converge: {applied:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_replicate_change_membership_and_survive_leader_removal() {
    let root = tempfile::tempdir().unwrap();
    let mut cluster = LocalCluster::start(root.path(), 3, 1, 5000).await.unwrap();
    cluster.init().await.unwrap();
    cluster.wait_leader(Duration::from_secs(10)).await.unwrap();
    let client = cluster.client(RetryPolicy::default()).unwrap();
    // A second init is refused: the nodes already belong to a pool.
    assert!(admin::init(&client).await.is_err());
    let inbox = create_account(&client, "ann").await;
    for i in 0..5 {
        import(&client, "ann", &inbox, i).await;
    }
    let status = admin::status(&client).await.unwrap();
    assert_eq!(status.members.len(), 3);
    assert!(status.leader.is_some());
    converged(&cluster).await;

    // Add a fourth node: learner, catch-up, promotion.
    let d = cluster.add_slot().await.unwrap();
    let added = admin::add(&client, &cluster.slots[d].addr).await.unwrap();
    assert_eq!(Some(added), cluster.id(d));
    let status = admin::status(&client).await.unwrap();
    assert_eq!(status.members.iter().filter(|m| m.role == "voter").count(), 4);
    converged(&cluster).await;

    // Remove the leader: a new leader takes over and writes go on.
    let leader = cluster.wait_leader(Duration::from_secs(10)).await.unwrap();
    let leader_addr = cluster.slots[leader].addr.clone();
    admin::remove(&client, &leader_addr).await.unwrap();
    cluster.stop(leader).await.unwrap();
    for i in 5..10 {
        import(&client, "ann", &inbox, i).await;
    }
    let status = admin::status(&client).await.unwrap();
    assert_eq!(status.members.len(), 3, "{status:?}");
    assert_ne!(status.leader.as_deref(), Some(leader_addr.as_str()));
    converged(&cluster).await;
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiped_node_catches_up_from_a_streamed_snapshot_with_blobs() {
    let root = tempfile::tempdir().unwrap();
    // A snapshot every 20 entries, so the log is purged well before the new node joins.
    let mut cluster = LocalCluster::start(root.path(), 3, 2, 20).await.unwrap();
    cluster.init().await.unwrap();
    cluster.wait_leader(Duration::from_secs(10)).await.unwrap();
    let client = cluster.client(RetryPolicy::default()).unwrap();
    let inbox = create_account(&client, "bob").await;
    for i in 0..60 {
        import(&client, "bob", &inbox, i).await;
    }
    // Wipe one follower: stop it, delete its directory, start a new node in its place, swap it in.
    let leader = cluster.wait_leader(Duration::from_secs(10)).await.unwrap();
    let victim = (0..3).find(|i| *i != leader).unwrap();
    let victim_addr = cluster.slots[victim].addr.clone();
    cluster.stop(victim).await.unwrap();
    admin::remove(&client, &victim_addr).await.unwrap();
    std::fs::remove_dir_all(&cluster.slots[victim].dir).unwrap();
    let fresh = cluster.add_slot().await.unwrap();
    let status = client.status(&cluster.slots[leader].addr).await.unwrap();
    assert!(status.purged.is_some(), "the leader purged its log: {status:?}");
    admin::add(&client, &cluster.slots[fresh].addr).await.unwrap();
    converged(&cluster).await;
    let fresh_status = client.status(&cluster.slots[fresh].addr).await.unwrap();
    assert!(fresh_status.snapshot.is_some(), "the new node installed a snapshot: {fresh_status:?}");
    // Its blob directory holds every blob, each named by the sha256 of its content.
    let blobs = cluster.slots[fresh].dir.join("blobs");
    let mut count = 0;
    for entry in walk(&blobs) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        if name.len() == 64 {
            let bytes = std::fs::read(&entry).unwrap();
            use sha2::Digest;
            assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), name);
            count += 1;
        }
    }
    assert!(count >= 60, "only {count} blobs on the new node");
    cluster.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
