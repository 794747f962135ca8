//! The change feed of a showtime: what WebSocket subscribers (kiosks, live seat maps) see.
//!
//! Each showtime actor publishes **only durable** changes: after a journal write succeeds,
//! one [`Change`] per journal entry, in sequence order, without gaps. A change is rendered
//! and serialized **once** (JSON text in a [`Bytes`]) and shared by every subscriber.
//!
//! The actor keeps a bounded ring of its last changes and a bounded broadcast channel.
//! [`Engine::subscribe`](crate::Engine::subscribe) is answered by the actor in one handler,
//! so the starting point (a snapshot, or the changes missed since a sequence number) and
//! the live receiver are taken together: nothing is missed and nothing is repeated. The
//! actor never waits for a subscriber: a receiver that falls behind the channel sees
//! [`broadcast::error::RecvError::Lagged`] and must subscribe again with its last sequence
//! number.
//!
//! The JSON here is the wire format of protocol version [`PROTOCOL_VERSION`]
//! (`docs/websocket.md`): seat labels and statuses, counts, never a customer, hold or
//! booking id.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use boxoffice_storage::{JournalEntry, ShowtimeId};
use bytes::Bytes;
use tokio::sync::broadcast;

use crate::seat_map::{ReplayError, SeatMap, ShowtimeInfo};

/// Builds the encoded snapshot when a subscription needs one.
pub(crate) type SnapshotFn<'a> = Box<dyn FnOnce() -> Bytes + 'a>;

/// Version of the client protocol the encoded messages belong to.
pub const PROTOCOL_VERSION: u32 = 1;

/// One durable change of a showtime, encoded once for every subscriber.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The journal sequence number (consecutive within a showtime).
    pub seq: u64,
    /// The `change` message, JSON text (UTF-8).
    pub json: Bytes,
}

/// Where a subscription starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionStart {
    /// The whole seat map at `seq` (a `snapshot` message, JSON text); live changes follow
    /// from `seq + 1`.
    Snapshot {
        /// Sequence number the snapshot reflects.
        seq: u64,
        /// The `snapshot` message.
        json: Bytes,
    },
    /// The changes after the client's `since`, in order (possibly none); live changes
    /// follow from the last one's `seq + 1` (or `since + 1`).
    Resume {
        /// The client's last sequence number.
        since: u64,
        /// The missed changes, consecutive from `since + 1`.
        missed: Vec<Change>,
    },
}

impl SubscriptionStart {
    /// The sequence number the subscriber is at once it has sent this start.
    #[must_use]
    pub fn seq(&self) -> u64 {
        match self {
            SubscriptionStart::Snapshot { seq, .. } => *seq,
            SubscriptionStart::Resume { since, missed } => missed.last().map_or(*since, |c| c.seq),
        }
    }
}

/// A subscription to a showtime's changes.
#[derive(Debug)]
pub struct Subscription {
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// What to send first.
    pub start: SubscriptionStart,
    /// Live changes after the start, in order. `Lagged` means the subscriber fell behind
    /// and must subscribe again; `Closed` means the actor stopped (subscribe again too).
    pub receiver: broadcast::Receiver<Change>,
    /// The showtime's latest published seq and a recent snapshot, for catching up.
    pub latest: Arc<Latest>,
    /// The channel, to rejoin at its tail after a catch-up (a new receiver skips what the
    /// snapshot covered); weak, so that it never keeps a stopped actor's channel open.
    pub channel: broadcast::WeakSender<Change>,
}

/// Shortest interval between two catch-up snapshots of a showtime ([`Latest`]): encoding
/// one costs the actor a pass over the seat map, so a burst of decisions pays it at most
/// 50 times a second.
pub const CATCH_UP_SNAPSHOT_EVERY: Duration = Duration::from_millis(20);

/// What a subscriber's forwarder can read without asking the actor: the last sequence
/// number published and a recent `snapshot` message. A forwarder that finds itself far
/// behind (a burst of decisions outran its writes) sends the snapshot instead of every
/// change it missed: one message whatever the burst, which keeps a seat map's lag bounded
/// by the time of one write to every subscriber.
#[derive(Debug, Default)]
pub struct Latest {
    published: AtomicU64,
    snapshot: RwLock<Option<(u64, Bytes)>>,
}

impl Latest {
    /// The last sequence number published (0 before the first change of this actor).
    #[must_use]
    pub fn published_seq(&self) -> u64 {
        self.published.load(Ordering::Acquire)
    }

    /// The latest catch-up snapshot and the seq it reflects (at most
    /// [`CATCH_UP_SNAPSHOT_EVERY`] older than the last change of a burst).
    #[must_use]
    pub fn snapshot(&self) -> Option<(u64, Bytes)> {
        self.snapshot.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn store(&self, seq: u64, json: Bytes) {
        *self.snapshot.write().unwrap_or_else(PoisonError::into_inner) = Some((seq, json));
    }

    fn snapshot_seq(&self) -> Option<u64> {
        self.snapshot.read().unwrap_or_else(PoisonError::into_inner).as_ref().map(|(seq, _)| *seq)
    }
}

/// The actor's side of the feed: the broadcast sender, the resume ring and a cached
/// snapshot. Owned by the actor; never blocks.
pub(crate) struct Feed {
    /// Created on the first subscription (a channel preallocates every slot).
    sender: Option<broadcast::Sender<Change>>,
    channel_max: usize,
    ring: VecDeque<Change>,
    ring_max: usize,
    snapshot: Option<(u64, Bytes)>,
    latest: Arc<Latest>,
    /// When `latest` last got a snapshot.
    latest_at: Option<Instant>,
}

impl Feed {
    /// A feed with a broadcast channel of `channel_max` and a ring of `ring_max` changes.
    pub(crate) fn new(channel_max: usize, ring_max: usize) -> Self {
        Self {
            sender: None,
            channel_max: channel_max.max(1),
            ring: VecDeque::new(),
            ring_max: ring_max.max(1),
            snapshot: None,
            latest: Arc::new(Latest::default()),
            latest_at: None,
        }
    }

    /// Live receivers.
    pub(crate) fn subscribers(&self) -> usize {
        self.sender.as_ref().map_or(0, broadcast::Sender::receiver_count)
    }

    /// Forgets the cached snapshot (the showtime's details changed).
    pub(crate) fn invalidate_snapshot(&mut self) {
        self.snapshot = None;
    }

    /// Applies a durable entry to `durable` and publishes it.
    ///
    /// # Errors
    /// The entry does not apply (the durable copy diverged); nothing is published.
    pub(crate) fn apply_and_publish(
        &mut self,
        info: &ShowtimeInfo,
        durable: &mut SeatMap,
        entry: &JournalEntry,
    ) -> Result<(), ReplayError> {
        let touched = touched_seats(durable, &entry.event);
        durable.apply(entry)?;
        let json = encode_change(info, entry, &touched, durable.counts());
        self.publish(Change { seq: entry.seq, json });
        assert_eq!(durable.seq(), entry.seq, "the feed publishes the durable sequence");
        Ok(())
    }

    fn publish(&mut self, change: Change) {
        if let Some(last) = self.ring.back() {
            assert_eq!(change.seq, last.seq + 1, "changes are published without gaps");
        }
        if self.ring.len() >= self.ring_max {
            self.ring.pop_front();
        }
        self.latest.published.store(change.seq, Ordering::Release);
        self.ring.push_back(change.clone());
        self.snapshot = None;
        // No receiver is not an error: the change stays in the ring for resumes.
        if let Some(sender) = &self.sender {
            let _ = sender.send(change);
        }
    }

    /// Starts a subscription at the durable state `durable_seq`: the missed changes if the
    /// ring still has every one after `since`, else a snapshot (built by `snapshot`).
    pub(crate) fn subscribe(
        &mut self,
        showtime_id: ShowtimeId,
        since: Option<u64>,
        durable_seq: u64,
        snapshot: SnapshotFn<'_>,
    ) -> Subscription {
        debug_assert!(self.ring.back().is_none_or(|c| c.seq == durable_seq), "the ring ends at the durable seq");
        let channel_max = self.channel_max;
        let sender = self.sender.get_or_insert_with(|| broadcast::channel(channel_max).0);
        let (receiver, channel) = (sender.subscribe(), sender.downgrade());
        let start = match since.and_then(|s| self.missed_since(s, durable_seq)) {
            Some(start) => start,
            None => {
                let json = self.cached_snapshot(durable_seq, snapshot);
                SubscriptionStart::Snapshot { seq: durable_seq, json }
            }
        };
        Subscription { showtime_id, start, receiver, latest: Arc::clone(&self.latest), channel }
    }

    /// Gives the subscribers' [`Latest`] a snapshot of the durable state `durable_seq`
    /// (built by `snapshot`), at most every [`CATCH_UP_SNAPSHOT_EVERY`]. `false`: it is too
    /// soon, call again later; `true`: done, or not needed (no subscriber, or up to date).
    pub(crate) fn refresh_latest(&mut self, durable_seq: u64, snapshot: impl FnOnce() -> Bytes, now: Instant) -> bool {
        if self.subscribers() == 0 || self.latest.snapshot_seq() == Some(durable_seq) {
            return true;
        }
        if self.latest_at.is_some_and(|at| now.duration_since(at) < CATCH_UP_SNAPSHOT_EVERY) {
            return false;
        }
        let json = self.cached_snapshot(durable_seq, snapshot);
        self.latest.store(durable_seq, json);
        self.latest_at = Some(now);
        true
    }

    /// The snapshot of the durable state `durable_seq`: encoded once (by `snapshot`) and
    /// kept until the next change.
    fn cached_snapshot(&mut self, durable_seq: u64, snapshot: impl FnOnce() -> Bytes) -> Bytes {
        match &self.snapshot {
            Some((seq, json)) if *seq == durable_seq => json.clone(),
            _ => {
                let json = snapshot();
                self.snapshot = Some((durable_seq, json.clone()));
                json
            }
        }
    }

    /// The changes after `since`, if the ring has all of them.
    fn missed_since(&self, since: u64, durable_seq: u64) -> Option<SubscriptionStart> {
        if since > durable_seq {
            return None;
        }
        if since == durable_seq {
            return Some(SubscriptionStart::Resume { since, missed: Vec::new() });
        }
        let first = self.ring.front()?.seq;
        if first > since + 1 {
            return None;
        }
        let missed: Vec<Change> = self.ring.iter().filter(|c| c.seq > since).cloned().collect();
        let consecutive = missed.iter().zip(since + 1..).all(|(c, expected)| c.seq == expected);
        assert!(consecutive && missed.last().is_some_and(|c| c.seq == durable_seq), "resume without gaps");
        Some(SubscriptionStart::Resume { since, missed })
    }
}

mod encode;

pub use self::encode::{ChangeKind, encode_changes, encode_snapshot, status_char};
use self::encode::{encode_change, touched_seats};

#[cfg(test)]
mod tests;
