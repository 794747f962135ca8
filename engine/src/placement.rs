//! Placement: which showtimes this engine node may own.
//!
//! With one node (the default, [`SingleNode`]) every showtime is local. With several nodes
//! the gateway's cluster module implements [`Placement`] (rendezvous hashing over the live
//! nodes) and forwards each showtime's HTTP requests to its owner. The engine only starts
//! a showtime's actor where placement says it belongs, or inside [`as_owner`] (a request
//! that another node forwarded here because it believes this node owns the showtime);
//! anywhere else a command fails with [`EngineError::NotOwner`](crate::EngineError::NotOwner)
//! and a subscription is served by a read-only follower that tails the journal.
//!
//! Placement is only advice: two nodes may briefly disagree. Safety does not depend on it:
//! an actor takes ownership in storage (a new epoch) before it replays the journal, and
//! every journal write is conditional on that epoch, so a node that lost a showtime can
//! never write it again.

use std::future::Future;

use boxoffice_storage::ShowtimeId;

/// Where showtimes live.
pub trait Placement: Send + Sync + 'static {
    /// This node's id, recorded in storage as the owner of the showtimes it takes.
    fn node_id(&self) -> &str;
    /// Whether this node should own `showtime` now.
    fn owns(&self, showtime: ShowtimeId) -> bool;
}

/// One node owns everything.
#[derive(Clone, Debug)]
pub struct SingleNode {
    node_id: String,
}

impl SingleNode {
    /// A single node called `node_id`.
    #[must_use]
    pub fn new(node_id: impl Into<String>) -> Self {
        Self { node_id: node_id.into() }
    }
}

impl Default for SingleNode {
    fn default() -> Self {
        Self::new("single-node")
    }
}

impl Placement for SingleNode {
    fn node_id(&self) -> &str {
        &self.node_id
    }

    fn owns(&self, _showtime: ShowtimeId) -> bool {
        true
    }
}

tokio::task_local! {
    static FORWARDED_TO_OWNER: ();
}

/// Runs `future` (a request forwarded here by another node) as the owner of whatever
/// showtime it touches, whatever this node's placement says: the sender's view decided,
/// and one hop is the most a request makes, so views that briefly disagree cannot bounce
/// a request around. Storage epochs keep it safe.
pub async fn as_owner<F: Future>(future: F) -> F::Output {
    FORWARDED_TO_OWNER.scope((), future).await
}

/// Whether the current task runs inside [`as_owner`].
pub(crate) fn forwarded_to_owner() -> bool {
    FORWARDED_TO_OWNER.try_with(|()| ()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn as_owner_marks_only_its_own_future() {
        assert!(!forwarded_to_owner());
        assert!(as_owner(async { forwarded_to_owner() }).await);
        assert!(!forwarded_to_owner());
        let single = SingleNode::default();
        assert!(single.owns(ShowtimeId::new()));
        assert_eq!(single.node_id(), "single-node");
    }
}
