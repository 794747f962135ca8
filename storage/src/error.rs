//! Errors every storage backend reports, in terms the engine and gateway can act on.

use crate::ids::ShowtimeId;
use crate::money::Money;

/// What went wrong in storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The record does not exist (or was deleted).
    #[error("{entity} {id} not found")]
    NotFound {
        /// `film`, `auditorium`, `showtime`, `customer`, `booking`.
        entity: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// A showtime would overlap another one in the same auditorium.
    #[error("overlaps showtime {0} in the same auditorium")]
    Overlap(ShowtimeId),
    /// A unique field is already taken (`email`, `username`, ...).
    #[error("{0} is already taken")]
    Duplicate(&'static str),
    /// A conditional debit found too little money.
    #[error("insufficient balance: {balance}")]
    InsufficientBalance {
        /// The balance that was found.
        balance: Money,
    },
    /// A journal batch does not continue the showtime's sequence (another writer appended,
    /// or entries were lost): the batch is refused whole.
    #[error("journal sequence conflict: expected {expected}, got {got}")]
    SequenceConflict {
        /// The next sequence number storage expected.
        expected: u64,
        /// The first sequence number of the refused batch.
        got: u64,
    },
    /// The showtime is owned by a newer epoch than the writer's: another engine node took
    /// it over, so this writer may never write it again (fencing). The batch is refused
    /// whole.
    #[error("showtime {showtime} is owned by epoch {current}, not by the writer's epoch {epoch}")]
    Fenced {
        /// The showtime.
        showtime: ShowtimeId,
        /// The writer's (stale) epoch.
        epoch: u64,
        /// The epoch that owns the showtime now.
        current: u64,
    },
    /// The write queue is full; try again shortly.
    #[error("storage is overloaded")]
    Overloaded,
    /// The backend could not do the work (I/O error, database locked, node down).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read back.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
}

/// Shorthand for storage results.
pub type StorageResult<T> = Result<T, StorageError>;
