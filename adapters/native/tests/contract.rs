//! The shared backend contract against a real embedded single-node cluster.

#![allow(clippy::unwrap_used)]

use mailgate_backend::contract::run_suite;
use mailgate_backend::Principal;
use mailgate_native::NativeBackend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_backend_passes_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let backend = NativeBackend::open_embedded(dir.path()).await.unwrap();
    run_suite(&backend, &Principal::admin("operator")).await;
    backend.shutdown().await;
}
