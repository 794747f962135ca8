//! Engine limits and timings, set from configuration and passed in at start.

use serde::{Deserialize, Serialize};

/// Limits and timings of the booking engine. Units are last in every name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// How long a hold lasts before it expires by itself.
    pub hold_ttl_ms: u64,
    /// Most seats (or tickets) in one hold.
    pub hold_seats_max: u32,
    /// How long a hold in payment may stay pending before it can expire again.
    pub payment_pending_max_ms: u64,
    /// Cancellation closes this long before the showtime starts.
    pub cancellation_cutoff_ms: u64,
    /// Commands a showtime actor may have queued before callers get `Overloaded`.
    pub mailbox_capacity: usize,
    /// Most journal entries in one group commit.
    pub batch_entries_max: usize,
    /// Journal writes of one showtime that may be in flight at once (1: wait for each
    /// write before sending the next batch).
    pub journal_pipeline_depth: usize,
    /// An actor with no holds and no traffic for this long stops.
    pub idle_stop_ms: u64,
    /// Most showtime actors alive at once.
    pub actors_max: usize,
    /// Threads (actix arbiters) that run showtime actors.
    pub arbiters: usize,
    /// How long a caller waits for a showtime actor's answer.
    pub request_timeout_ms: u64,
    /// Changes a showtime keeps for subscribers that resume (`since`); older ones get a
    /// snapshot.
    pub changes_ring_max: usize,
    /// Changes a subscriber may be behind the showtime before it lags (and resumes).
    pub changes_channel_max: usize,
    /// A payment without a booking is refunded by the background settler only once it is
    /// this old: beyond the longest a confirmation can take (payment protection plus a
    /// journal write timeout), so a confirmation can never land after its refund. Must be
    /// at least `payment_pending_max_ms + request_timeout_ms`.
    pub settle_after_ms: u64,
    /// How often the background settler looks for unsettled payments.
    pub settle_every_ms: u64,
    /// Bookings confirmed lately that are kept in memory, so that cancelling one needs no
    /// storage read (0: none; when full, the set starts over).
    pub recent_bookings_max: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            hold_ttl_ms: 7 * 60 * 1000,
            hold_seats_max: 10,
            payment_pending_max_ms: 30_000,
            cancellation_cutoff_ms: 2 * 60 * 60 * 1000,
            mailbox_capacity: 4096,
            batch_entries_max: 1024,
            journal_pipeline_depth: 4,
            idle_stop_ms: 10 * 60 * 1000,
            actors_max: 10_000,
            arbiters: 2,
            request_timeout_ms: 10_000,
            changes_ring_max: 1024,
            changes_channel_max: 1024,
            settle_after_ms: 5 * 60 * 1000,
            settle_every_ms: 60 * 1000,
            recent_bookings_max: 16_384,
        }
    }
}
