//! openraft's storage conformance suite against the redb log store and the
//! mailbox state machine (including snapshot build and install).

#![allow(clippy::unwrap_used)]

use mailgate_cluster::raft::log_store::LogStore;
use mailgate_cluster::raft::snapshot::SnapshotDir;
use mailgate_cluster::raft::state_machine::StateMachine;
use mailgate_cluster::raft::TypeConfig;
use mailgate_cluster::store::MailStore;
use openraft::testing::log::{StoreBuilder, Suite};
use openraft::StorageError;
use std::sync::Arc;
use tempfile::TempDir;

struct Builder;

impl StoreBuilder<TypeConfig, LogStore, StateMachine, TempDir> for Builder {
    async fn build(&self) -> Result<(TempDir, LogStore, StateMachine), StorageError<TypeConfig>> {
        let dir = tempfile::tempdir().unwrap();
        let log = LogStore::open(&dir.path().join("log.redb")).unwrap();
        let store = Arc::new(MailStore::open(dir.path()).unwrap());
        let snapshots = SnapshotDir::open(&dir.path().join("snapshots")).unwrap();
        Ok((dir, log, StateMachine::new(store, snapshots)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_storage_suite() {
    Suite::test_all(Builder).await.unwrap();
}
