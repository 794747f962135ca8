//! Which engine node owns a showtime, and the epoch that fences every other writer.
//!
//! With several engine nodes on one store, each showtime has exactly one writer at a time:
//! the node whose actor holds the showtime's current **epoch**. A node takes a showtime
//! over with [`crate::Storage::acquire_showtime`], which raises the epoch by one
//! atomically (a transaction on SQLite, a lightweight transaction on ScyllaDB) before the
//! actor replays the journal. Every journal batch is conditional on the epoch its actor
//! acquired ([`crate::Storage::append_journal_fenced`]), so once another node has taken
//! over, a stale owner's write is refused with [`crate::StorageError::Fenced`] and can never
//! land, whatever the clocks, the network or the old node's view of the cluster say.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The current owner of a showtime.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShowtimeOwner {
    /// The owning node's id (`cluster.node_id`, or the single node's).
    pub node: String,
    /// The owner's epoch: raised by one at every take-over, never lowered.
    pub epoch: u64,
    /// When the owner took over (the store's clock on ScyllaDB; informational only: the
    /// epoch, not the time, decides).
    pub acquired_at: Timestamp,
}

/// Longest node id the backends store.
pub const NODE_ID_BYTES_MAX: usize = 200;
