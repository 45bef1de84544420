//! The Raft network: [`HttpNetwork`] creates an [`HttpPeer`] per target,
//! which speaks `RaftNetworkV2` over HTTP/JSON to the target's listener
//! (routes in [`crate::proto`], served by [`crate::server`]).
//!
//! An optional [`Faults`] plan lets the in-process fault tests cut links,
//! delay and drop RPCs on real HTTP traffic.

pub mod faults;
pub mod peer;

pub use faults::{Faults, Verdict};
pub use peer::HttpPeer;

use super::TypeConfig;
use openraft::network::RaftNetworkFactory;
use openraft::BasicNode;
use std::sync::Arc;
use std::time::Duration;

/// Creates [`HttpPeer`] clients sharing one connection pool.
#[derive(Debug, Clone)]
pub struct HttpNetwork {
    id: u64,
    client: reqwest::Client,
    faults: Option<Arc<Faults>>,
}

impl HttpNetwork {
    /// The network of node `id`, with an optional fault plan.
    pub fn new(id: u64, faults: Option<Arc<Faults>>) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            // Small JSON RPCs on a LAN: Nagle only adds latency.
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_millis(500))
            // Idle connections to a dead peer must not linger for long.
            .pool_idle_timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self { id, client, faults })
    }
}

impl RaftNetworkFactory<TypeConfig> for HttpNetwork {
    type Network = HttpPeer;

    async fn new_client(&mut self, target: u64, node: &BasicNode) -> Self::Network {
        HttpPeer::new(self.client.clone(), self.id, target, node.addr.clone(), self.faults.clone())
    }
}
