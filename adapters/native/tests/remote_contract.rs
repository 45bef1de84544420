//! The shared backend contract against the remote backend over a real
//! three-node pool (in-process nodes, real HTTP and redb), then again after
//! the leader is stopped: the contract's writes and reads go on through
//! fail-over.

#![allow(clippy::unwrap_used)]

use mailgate_backend::contract::{run_suite, ANN};
use mailgate_backend::Principal;
use mailgate_cluster::testing::LocalCluster;
use mailgate_cluster::RetryPolicy;
use mailgate_native::NativeBackend;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_backend_passes_the_contract_on_a_three_node_pool() {
    let root = tempfile::tempdir().unwrap();
    let mut cluster = LocalCluster::start(root.path(), 3, 7, 5000).await.unwrap();
    cluster.init().await.unwrap();
    let leader = cluster.wait_leader(Duration::from_secs(10)).await.unwrap();
    let backend = NativeBackend::connect(cluster.addrs(), RetryPolicy::default()).unwrap();
    run_suite(&backend, &Principal::admin("operator")).await;
    // Without the first leader the backend still reads and writes, through the new leader.
    cluster.stop(leader).await.unwrap();
    let admin = Principal::admin("operator");
    let ann = mailgate_backend::MailBackend::account(&backend, &admin, ANN).await.unwrap();
    assert_eq!(ann.username, ANN);
    let request = mailgate_backend::ChangeRequest {
        request_id: mailgate_backend::RequestId::from("after-failover"),
        change: mailgate_backend::MailChange::CreateMailbox { name: "After".into(), parent: None },
    };
    mailgate_backend::MailBackend::apply(&backend, &admin, ANN, request).await.unwrap();
    cluster.shutdown().await;
}
