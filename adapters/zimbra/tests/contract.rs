//! The shared backend contract against `ZimbraBackend` talking SOAP to the simulator.

#![allow(clippy::unwrap_used)]

use mailgate_backend::contract::{run_suite, ANN, BOB};
use mailgate_backend::Principal;
use mailgate_zimbra::sim::{Sim, SimConfig};
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zimbra_backend_passes_the_contract() {
    let sim = Sim::new(SimConfig::default()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let backend = ZimbraBackend::new().unwrap();
    for user in [ANN, BOB] {
        let address = format!("{user}@example.com");
        sim.add_account(&address, "secret", user).unwrap();
        backend.add_user(user, ZimbraSourceConfig { url: url.clone(), account: address, password: "secret".into() });
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sim.clone().serve(listener, async move {
        let _ = rx.await;
    }));
    run_suite(&backend, &Principal::admin("operator")).await;
    let _ = tx.send(());
    server.await.unwrap().unwrap();
}
