//! Pool administration over the node API: the work behind
//! `mailgate cluster init|add|remove|status`.

use crate::client::ClusterClient;
use crate::proto::{self, InitRequest, MemberRequest, NodeStatus, VotersRequest};
use mailgate_backend::BackendError;
use serde::Serialize;
use std::collections::BTreeMap;

/// One member in [`ClusterStatus`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MemberStatus {
    /// Node id.
    pub id: u64,
    /// Listen address.
    pub addr: String,
    /// `voter` or `learner`.
    pub role: String,
    /// The member's own Raft state (`Leader`, `Follower`, ...), `unreachable` if it did not answer.
    pub state: String,
    /// Its last applied index.
    pub applied: Option<u64>,
    /// How far its applied index is behind the leader's last log index.
    pub lag: Option<u64>,
}

/// The pool as seen from its leader.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClusterStatus {
    /// The leader's address, if there is one.
    pub leader: Option<String>,
    /// The leader's id.
    pub leader_id: Option<u64>,
    /// The leader's term.
    pub term: u64,
    /// The leader's last log index.
    pub last_log_index: Option<u64>,
    /// Every voter and learner.
    pub members: Vec<MemberStatus>,
}

/// Makes `client.nodes()` the voters of a new pool. Refuses if any of them
/// already belongs to a pool.
pub async fn init(client: &ClusterClient) -> Result<BTreeMap<u64, String>, BackendError> {
    let mut members = BTreeMap::new();
    for addr in client.nodes() {
        let status = client.status(addr).await?;
        if status.initialized {
            return Err(BackendError::conflict(format!("node {addr} (id {}) already belongs to a pool", status.id)));
        }
        members.insert(status.id, addr.clone());
    }
    let first = client.nodes().first().ok_or_else(|| BackendError::invalid("no nodes"))?;
    let req = InitRequest { members: members.clone() };
    match client.call_node::<_, ()>(first, proto::ADMIN_INIT, Some(&req), std::time::Duration::from_secs(10)).await {
        Ok(reply) => reply.map_err(BackendError::from)?,
        Err(e) => return Err(BackendError::unavailable(e)),
    }
    Ok(members)
}

/// Adds the node at `addr`: it joins as a learner, catches up, and is promoted to voter.
pub async fn add(client: &ClusterClient, addr: &str) -> Result<u64, BackendError> {
    let new = client.status(addr).await?;
    let req = MemberRequest { id: new.id, addr: addr.to_owned() };
    client.call_leader::<_, ()>(proto::ADMIN_ADD_LEARNER, &req).await?;
    let leader = leader_status(client).await?;
    let mut voters: Vec<u64> = leader.voters.keys().copied().collect();
    if !voters.contains(&new.id) {
        voters.push(new.id);
    }
    client.call_leader::<_, ()>(proto::ADMIN_VOTERS, &VotersRequest::SetVoters(voters)).await?;
    Ok(new.id)
}

/// Removes the member at `addr` (voter or learner); it need not be running.
pub async fn remove(client: &ClusterClient, addr: &str) -> Result<u64, BackendError> {
    let leader = leader_status(client).await?;
    if let Some((&id, _)) = leader.voters.iter().find(|(_, a)| a.as_str() == addr) {
        let voters: Vec<u64> = leader.voters.keys().copied().filter(|v| *v != id).collect();
        if voters.is_empty() {
            return Err(BackendError::invalid("cannot remove the last voter"));
        }
        client.call_leader::<_, ()>(proto::ADMIN_VOTERS, &VotersRequest::SetVoters(voters)).await?;
        return Ok(id);
    }
    if let Some((&id, _)) = leader.learners.iter().find(|(_, a)| a.as_str() == addr) {
        client.call_leader::<_, ()>(proto::ADMIN_VOTERS, &VotersRequest::RemoveLearners(vec![id])).await?;
        return Ok(id);
    }
    Err(BackendError::not_found(format!("no member at {addr}")))
}

/// The status of whichever node of `client.nodes()` leads (asking a leader
/// named by a follower too).
pub async fn leader_status(client: &ClusterClient) -> Result<NodeStatus, BackendError> {
    let mut known: BTreeMap<u64, String> = BTreeMap::new();
    for addr in client.nodes() {
        let Ok(status) = client.status(addr).await else { continue };
        if status.leader == Some(status.id) {
            return Ok(status);
        }
        known.extend(status.voters.clone());
        if let Some(leader_addr) = status.leader.and_then(|l| status.voters.get(&l).cloned()) {
            if let Ok(leader) = client.status(&leader_addr).await {
                if leader.leader == Some(leader.id) {
                    return Ok(leader);
                }
            }
        }
    }
    Err(BackendError::unavailable(format!("no leader among {:?} (members known: {known:?})", client.nodes())))
}

/// Leader, term and every member's applied index and lag.
pub async fn status(client: &ClusterClient) -> Result<ClusterStatus, BackendError> {
    let leader = leader_status(client).await?;
    let leader_addr = leader.voters.get(&leader.id).cloned();
    let last = leader.last_log_index;
    let mut members = Vec::new();
    let all = leader
        .voters
        .iter()
        .map(|(id, a)| (*id, a, "voter"))
        .chain(leader.learners.iter().map(|(id, a)| (*id, a, "learner")));
    for (id, addr, role) in all {
        let (state, applied) = match client.status(addr).await {
            Ok(s) => (s.state, s.applied),
            Err(_) => ("unreachable".to_owned(), None),
        };
        let lag = match (last, applied) {
            (Some(l), Some(a)) => Some(l.saturating_sub(a)),
            (Some(l), None) => Some(l + 1),
            _ => None,
        };
        members.push(MemberStatus { id, addr: addr.clone(), role: role.to_owned(), state, applied, lag });
    }
    Ok(ClusterStatus {
        leader: leader_addr,
        leader_id: Some(leader.id),
        term: leader.term,
        last_log_index: last,
        members,
    })
}
