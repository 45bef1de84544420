//! The admin API used by `mailgate cluster ...`: status, digest, init,
//! add learner, set voters, snapshot. Membership changes must reach the
//! leader; a follower answers [`WireError::NotLeader`].

use crate::node::Node;
use crate::proto::{InitRequest, MemberRequest, NodeStatus, Reply, StateDigest, VotersRequest, WireError};
use axum::extract::State;
use axum::Json;

/// `GET /admin/status`.
pub async fn status(State(node): State<Node>) -> Json<Reply<NodeStatus>> {
    Json(node.status().await.map_err(WireError::from))
}

/// `GET /admin/digest`.
pub async fn digest(State(node): State<Node>) -> Json<Reply<StateDigest>> {
    Json(node.digest().await.map_err(WireError::from))
}

/// `POST /admin/init`.
pub async fn init(State(node): State<Node>, Json(req): Json<InitRequest>) -> Json<Reply<()>> {
    Json(node.raft().initialize(req.members).await)
}

/// `POST /admin/add-learner`: returns once the learner has caught up.
pub async fn add_learner(State(node): State<Node>, Json(req): Json<MemberRequest>) -> Json<Reply<()>> {
    Json(node.raft().add_learner(req.id, req.addr).await)
}

/// `POST /admin/voters`.
pub async fn voters(State(node): State<Node>, Json(req): Json<VotersRequest>) -> Json<Reply<()>> {
    Json(match req {
        VotersRequest::SetVoters(ids) => node.raft().set_voters(ids.into_iter().collect()).await,
        VotersRequest::RemoveLearners(ids) => node.raft().remove_learners(ids.into_iter().collect()).await,
    })
}

/// `POST /admin/snapshot`.
pub async fn snapshot(State(node): State<Node>) -> Json<Reply<()>> {
    Json(node.raft().snapshot().await.map_err(WireError::from))
}
