//! The Raft state machine over the mailbox store.
//!
//! Each `apply` batch is one write transaction that applies every entry,
//! records `last_applied` and the membership, and commits; only then are the
//! responders answered.
//!
//! Most commits are not fsynced, as etcd's backend is not: the Raft log is
//! the durable record (an entry is acknowledged once a quorum fsynced it), and
//! the state machine is a cache of it that is made durable at a checkpoint
//! at most [`CHECKPOINT_EVERY`] apart, and before every snapshot. A crash loses
//! the commits since the last checkpoint, `last_applied` with them, and on
//! restart openraft re-applies those entries from the log, which still holds
//! them: the log is purged only behind a snapshot, and a snapshot is built
//! after a checkpoint. Applying is deterministic and blob writes idempotent,
//! so the replay rebuilds the same state. This takes the fsyncs of the state
//! machine and of every blob off the write path (one per message and one per
//! attachment before, on every replica).

use super::snapshot::{self, SnapshotDir, SnapshotFile};
use super::{blocking, Entry, LogId, SnapshotMeta, StoredMembership, TypeConfig};
use crate::command::CommandResponse;
use crate::store::apply::{self, Tables};
use crate::store::tables::{self as tb, db_err, from_json, to_json};
use crate::store::MailStore;
use futures::{Stream, TryStreamExt};
use openraft::storage::{EntryResponder, RaftSnapshotBuilder, RaftStateMachine, Snapshot};
use openraft::{EntryPayload, OptionalSend};
use redb::ReadableDatabase;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest time between two durable state-machine commits: it bounds the
/// log a restarted node re-applies.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

const LAST_APPLIED: &[u8] = b"last_applied";
const MEMBERSHIP: &[u8] = b"membership";

/// The state machine: the mailbox store plus its snapshot directory.
#[derive(Debug, Clone)]
pub struct StateMachine {
    store: Arc<MailStore>,
    snapshots: SnapshotDir,
    /// When the last durable commit was made.
    checkpointed: Instant,
}

impl StateMachine {
    /// Wraps an opened store (whose opening made a durable commit).
    pub fn new(store: Arc<MailStore>, snapshots: SnapshotDir) -> Self {
        Self { store, snapshots, checkpointed: Instant::now() }
    }
}

fn apply_batch(store: &MailStore, entries: Vec<Entry>, durable: bool) -> io::Result<Vec<CommandResponse>> {
    store.write_with(durable, |t: &mut Tables<'_>| {
        let mut responses = Vec::with_capacity(entries.len());
        let mut last = None;
        for entry in entries {
            let log_id = entry.log_id;
            let response = match entry.payload {
                EntryPayload::Blank => CommandResponse::default(),
                EntryPayload::Normal(cmd) => {
                    CommandResponse { outcome: Some(apply::apply_command(t, store.blobs(), &cmd)?) }
                }
                EntryPayload::Membership(m) => {
                    let stored = StoredMembership::new(Some(log_id), m);
                    t.meta.insert(MEMBERSHIP, to_json(&stored)?.as_slice()).map_err(db_err)?;
                    CommandResponse::default()
                }
            };
            last = Some(log_id);
            responses.push(response);
        }
        if let Some(last) = last {
            t.meta.insert(LAST_APPLIED, to_json(&Some(last))?.as_slice()).map_err(db_err)?;
        }
        Ok(responses)
    })
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotData = SnapshotFile;
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), io::Error> {
        let store = self.store.clone();
        blocking(move || {
            let txn = store.db().begin_read().map_err(db_err)?;
            let meta = txn.open_table(tb::META).map_err(db_err)?;
            let last: Option<LogId> = match tb::get_raw(&meta, LAST_APPLIED)? {
                Some(v) => from_json(&v)?,
                None => None,
            };
            let membership: StoredMembership = match tb::get_raw(&meta, MEMBERSHIP)? {
                Some(v) => from_json(&v)?,
                None => StoredMembership::default(),
            };
            Ok((last, membership))
        })
        .await
    }

    async fn apply<Strm>(&mut self, entries: Strm) -> Result<(), io::Error>
    where
        Strm: Stream<Item = Result<EntryResponder<TypeConfig>, io::Error>> + Unpin + OptionalSend,
    {
        let items: Vec<EntryResponder<TypeConfig>> = entries.try_collect().await?;
        let mut batch = Vec::with_capacity(items.len());
        let mut responders = Vec::with_capacity(items.len());
        for (entry, responder) in items {
            batch.push(entry);
            responders.push(responder);
        }
        let store = self.store.clone();
        let durable = self.checkpointed.elapsed() >= CHECKPOINT_EVERY;
        let responses = blocking(move || apply_batch(&store, batch, durable)).await?;
        if durable {
            self.checkpointed = Instant::now();
        }
        for (responder, response) in responders.into_iter().zip(responses) {
            if let Some(r) = responder {
                r.send(response);
            }
        }
        Ok(())
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        SnapshotBuilder { store: self.store.clone(), snapshots: self.snapshots.clone() }
    }

    async fn install_snapshot(&mut self, meta: &SnapshotMeta, snapshot: SnapshotFile) -> Result<(), io::Error> {
        let store = self.store.clone();
        let dir = self.snapshots.clone();
        let meta = meta.clone();
        blocking(move || {
            // The snapshot becomes current before the store takes it in: a
            // crash in between leaves a current snapshot ahead of the store,
            // which openraft installs again at startup. The other order could
            // leave the store (and the log, which startup purges up to the
            // store) ahead of every snapshot, and the node could never start.
            let current = dir.set_current(&meta, &snapshot.path)?;
            snapshot::install(&store, &meta, &current.path)
        })
        .await
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<openraft::type_config::alias::SnapshotOf<TypeConfig, SnapshotFile>>, io::Error> {
        let dir = self.snapshots.clone();
        let current = blocking(move || dir.current()).await?;
        Ok(current.map(|(meta, snapshot)| Snapshot { meta, snapshot }))
    }
}

/// Builds a snapshot file from a read transaction, concurrently with apply.
#[derive(Debug)]
pub struct SnapshotBuilder {
    store: Arc<MailStore>,
    snapshots: SnapshotDir,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    type SnapshotData = SnapshotFile;

    async fn build_snapshot(
        &mut self,
    ) -> Result<openraft::type_config::alias::SnapshotOf<TypeConfig, SnapshotFile>, io::Error> {
        let store = self.store.clone();
        let dir = self.snapshots.clone();
        blocking(move || {
            // The log is purged behind this snapshot: what it covers must not be
            // lost with a crash first.
            store.checkpoint()?;
            let tmp = dir.temp_path();
            let meta = snapshot::build(&store, &tmp)?;
            let snapshot = dir.set_current(&meta, &tmp)?;
            Ok(Snapshot { meta, snapshot })
        })
        .await
    }
}
