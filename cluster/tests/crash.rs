//! L0 storage crash test: the Raft log runs over a redb backend that keeps
//! only what was fsynced when "power is lost" at a random write, plus a
//! random subset of the writes after the last sync (torn writes). After a
//! reopen, every acknowledged entry and vote must be there. Seeded
//! (`MAILGATE_SEED`); the seed is printed.

#![allow(clippy::unwrap_used)]

use mailgate_cluster::raft::log_store::LogStore;
use mailgate_cluster::raft::{TypeConfig, Vote};
use openraft::storage::{RaftLogReader, RaftLogStorage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redb::{BackendError, StorageBackend};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct Disk {
    /// What the process sees.
    current: Vec<u8>,
    /// What survives a power loss for sure.
    durable: Vec<u8>,
    /// Writes since the last sync: (offset, bytes).
    pending: Vec<(u64, Vec<u8>)>,
    /// Writes left before the power goes; `None`: never.
    writes_left: Option<u64>,
    dead: bool,
}

#[derive(Debug, Clone)]
struct CrashBackend(Arc<Mutex<Disk>>);

fn lost() -> BackendError {
    BackendError::Io(std::io::Error::other("power lost"))
}

impl StorageBackend for CrashBackend {
    fn len(&self) -> Result<u64, BackendError> {
        Ok(self.0.lock().unwrap().current.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), BackendError> {
        let d = self.0.lock().unwrap();
        let start = offset as usize;
        let src = d
            .current
            .get(start..start + out.len())
            .ok_or_else(|| BackendError::Io(std::io::Error::other("short read")))?;
        out.copy_from_slice(src);
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<(), BackendError> {
        let mut d = self.0.lock().unwrap();
        if d.dead {
            return Err(lost());
        }
        d.current.resize(len as usize, 0);
        Ok(())
    }

    fn sync_data(&self) -> Result<(), BackendError> {
        let mut d = self.0.lock().unwrap();
        if d.dead {
            return Err(lost());
        }
        d.durable = d.current.clone();
        d.pending.clear();
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), BackendError> {
        let mut d = self.0.lock().unwrap();
        if let Some(left) = d.writes_left {
            if left == 0 {
                d.dead = true;
            } else {
                d.writes_left = Some(left - 1);
            }
        }
        if d.dead {
            return Err(lost());
        }
        let end = offset as usize + data.len();
        if d.current.len() < end {
            d.current.resize(end, 0);
        }
        d.current[offset as usize..end].copy_from_slice(data);
        d.pending.push((offset, data.to_vec()));
        Ok(())
    }
}

/// The image after the power loss: the durable bytes plus a random subset of later writes.
fn after_crash(disk: &Disk, rng: &mut StdRng) -> Vec<u8> {
    let mut image = disk.durable.clone();
    for (offset, bytes) in &disk.pending {
        if rng.gen_bool(0.5) {
            let end = *offset as usize + bytes.len();
            if image.len() < end {
                image.resize(end, 0);
            }
            image[*offset as usize..end].copy_from_slice(bytes);
        }
    }
    image
}

fn open(disk: Arc<Mutex<Disk>>) -> Result<LogStore, String> {
    let db = redb::Builder::new().create_with_backend(CrashBackend(disk)).map_err(|e| e.to_string())?;
    LogStore::from_db(db).map_err(|e| e.to_string())
}

async fn one_run(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let disk = Arc::new(Mutex::new(Disk::default()));
    let mut log = open(disk.clone()).unwrap();
    // Power goes after a random number of further writes.
    disk.lock().unwrap().writes_left = Some(rng.gen_range(0..400));
    let mut acked_index = 0u64;
    let mut acked_term = 0u64;
    for step in 1..200u64 {
        if rng.gen_bool(0.2) {
            let vote = Vote::new(step, 1);
            if log.save_vote(&vote).await.is_ok() {
                acked_term = step;
            } else {
                break;
            }
        } else {
            let entry = openraft::testing::blank_ent::<TypeConfig>(1, 1, acked_index + 1);
            if log.append_durably([entry]).await.is_ok() {
                acked_index += 1;
            } else {
                break;
            }
        }
    }
    drop(log);
    let image = after_crash(&disk.lock().unwrap(), &mut rng);
    let disk = Arc::new(Mutex::new(Disk { current: image.clone(), durable: image, ..Default::default() }));
    let mut log = open(disk).unwrap_or_else(|e| panic!("seed {seed}: reopen failed: {e}"));
    let vote = log.read_vote().await.unwrap();
    if acked_term > 0 {
        let vote = vote.unwrap_or_else(|| panic!("seed {seed}: acknowledged vote lost"));
        assert!(vote >= Vote::new(acked_term, 1), "seed {seed}: vote went back: {vote:?} < term {acked_term}");
    }
    let entries = log.try_get_log_entries(1..acked_index + 1).await.unwrap();
    assert_eq!(entries.len() as u64, acked_index, "seed {seed}: acknowledged entries lost");
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.log_id.index, i as u64 + 1, "seed {seed}: entry out of place");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_entry_or_vote_is_lost_at_a_power_loss() {
    let first: u64 = std::env::var("MAILGATE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("crash test: first seed {first} (replay with MAILGATE_SEED={first})");
    for i in 0..50 {
        one_run(first.wrapping_add(i)).await;
    }
}
