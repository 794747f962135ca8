//! The showtime actor and the handle that reaches it.
//!
//! Lifecycle: the [registry](crate::registry) starts an actor on first use, after loading
//! the showtime and replaying its journal; the actor owns the seat map and is its only
//! writer; it stops after a quiet period with no holds, or at shutdown after flushing.
//!
//! Guarantees: a decision is applied in memory at once (the next command sees it), its
//! journal entries join the current batch, and its client is answered only after storage
//! has made the batch durable (group commit, one write in flight per showtime). If the
//! write fails, the in-memory state returns to the last durable state and every client of
//! the batch (and of the batch queued behind it) gets `StorageUnavailable`.

mod actor;
mod batch;
mod command;
mod flush;
mod handle;

pub(crate) use self::actor::{Shared, ShowtimeActor};
pub(crate) use self::command::{CancelledBooking, Command};
pub(crate) use self::handle::{SendFailure, ShowtimeHandle};
