//! One subscription of a connection: its `subscribed` answer, its start (a snapshot or the
//! missed changes), then every live change, each exactly once and in sequence order.
//!
//! A [`Forward`] is not a task: the connection's writer task (`connection.rs`) polls its
//! subscriptions' broadcast receivers directly, so a change costs one task wake-up per
//! connection, and the writer sends every change that is ready before it flushes.
//!
//! The engine's change messages are shared [`Bytes`](bytes::Bytes): forwarding one is a
//! reference-count increment, never a re-encoding. A subscription that asked for
//! **coalescing** (`subscribe` with `"coalesce": true`) gets the changes that are ready
//! together (a burst, or a resume's missed changes) as one `changes` message, at most
//! [`COALESCE_BYTES_MAX`] bytes of changes: the changes' bytes concatenated, one frame
//! instead of several for the server to write and the client to read.
//!
//! A forward is the second guard against gaps (the engine's feed is the first): it tracks
//! the last sequence number queued and never sends a change that does not follow it; a
//! lag, a gap or a stopped actor makes it resume from that number (the missed changes, or
//! a snapshot). Resumes are rate-limited; a client that keeps lagging is closed as a slow
//! consumer. The showtime actor never waits for any of it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use boxoffice_engine::events::{Latest, encode_changes};
use boxoffice_engine::{Change, Engine, EngineError, Subscription, SubscriptionStart};
use boxoffice_storage::ShowtimeId;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::ReusableBoxFuture;

use super::close::CloseReason;
use super::rate::TokenBucket;

/// Tries to resubscribe after the actor stopped, before giving up.
const RESUBSCRIBE_TRIES_MAX: u32 = 5;

/// Most bytes of change messages coalesced into one `changes` message. A connection's write
/// buffer keeps the capacity of the largest frame it ever wrote, so this stays within the
/// buffer's usual size ([`super::WRITE_BUFFER_BYTES`]).
pub const COALESCE_BYTES_MAX: usize = super::WRITE_BUFFER_BYTES;

/// Most changes coalesced into one `changes` message.
pub const COALESCE_CHANGES_MAX: usize = 64;

/// A coalescing subscription this many changes behind (more than a `changes` message holds)
/// gets the showtime's latest snapshot instead of the changes it missed.
pub const CATCH_UP_AFTER_CHANGES: u64 = 16;

/// Whether a coalescing forward whose next change is `next` should send the catch-up
/// snapshot at `snapshot` instead: it is more than [`CATCH_UP_AFTER_CHANGES`] behind the
/// last published change, and the snapshot covers `next`.
#[must_use]
pub fn catches_up(next: u64, published: u64, snapshot: Option<u64>) -> bool {
    published.saturating_sub(next) >= CATCH_UP_AFTER_CHANGES && snapshot.is_some_and(|seq| seq >= next)
}

/// What a forward sends next: a message as it is (a snapshot), or a change (which may be
/// coalesced with the ones after it).
enum Item {
    Text(Utf8Bytes),
    Change(Change),
}

/// A received change and the receiver, handed back for the next one.
type Received = (Result<Change, RecvError>, broadcast::Receiver<Change>);

async fn receive(mut receiver: broadcast::Receiver<Change>) -> Received {
    let result = receiver.recv().await;
    (result, receiver)
}

type Resubscribing = Pin<Box<dyn Future<Output = Result<Subscription, EngineError>> + Send>>;

enum Live {
    /// Waiting for the next change. The future owns the receiver (and keeps its place in
    /// the channel's waiter list between polls); its allocation is reused for every change.
    Receiving(ReusableBoxFuture<'static, Received>),
    /// Subscribing again from the last sequence number (after a lag, a gap or a stopped
    /// actor), after a back-off when a previous try failed.
    Resubscribing(Resubscribing),
}

/// One subscription, polled by the connection's writer.
pub struct Forward {
    showtime: ShowtimeId,
    /// The last sequence number queued for the client.
    at: u64,
    /// Messages of the start still to send, in order.
    start: Option<std::vec::IntoIter<Item>>,
    /// An item taken while coalescing that did not fit; it goes next.
    pending: Option<Item>,
    /// Send the changes that are ready together as one `changes` message (and catch up
    /// with a snapshot when far behind).
    coalesce: bool,
    /// The showtime's latest published seq and catch-up snapshot.
    latest: Arc<Latest>,
    /// The showtime's channel, to rejoin at its tail after a catch-up.
    channel: broadcast::WeakSender<Change>,
    live: Live,
    resyncs: TokenBucket,
    failed_tries: u32,
}

impl Forward {
    /// A new subscription: `ack` (its `subscribed` answer) is sent by the caller; the start
    /// follows, then live changes. With `coalesce`, changes that are ready together go out
    /// as one `changes` message.
    ///
    /// # Errors
    /// The engine's start is not valid UTF-8 or has a gap (a bug): close with `internal_error`.
    pub fn new(subscription: Subscription, coalesce: bool, resyncs_per_minute_max: u32) -> Result<Self, CloseReason> {
        let per_second = f64::from(resyncs_per_minute_max) / 60.0;
        let mut forward = Forward {
            showtime: subscription.showtime_id,
            at: 0,
            start: None,
            pending: None,
            coalesce,
            latest: subscription.latest,
            channel: subscription.channel,
            live: Live::Receiving(ReusableBoxFuture::new(receive(subscription.receiver))),
            resyncs: TokenBucket::with_rate(per_second, resyncs_per_minute_max, Instant::now()),
            failed_tries: 0,
        };
        forward.begin(subscription.start)?;
        Ok(forward)
    }

    /// The showtime.
    #[must_use]
    pub fn showtime(&self) -> ShowtimeId {
        self.showtime
    }

    /// Whether the start is still being sent (it goes before anything else).
    #[must_use]
    pub fn starting(&self) -> bool {
        self.start.is_some() || self.pending.is_some()
    }

    /// The next message for the client: the rest of the start, then live changes in order;
    /// when coalescing, the changes that are ready (up to [`COALESCE_BYTES_MAX`] bytes and
    /// [`COALESCE_CHANGES_MAX`] changes) in one `changes` message. Resumes by itself after
    /// a lag, a gap or a stopped actor.
    ///
    /// # Errors
    /// The connection must close: a client that keeps lagging (`slow_consumer`), or the
    /// showtime cannot be resubscribed (`internal_error`).
    pub fn poll_next(&mut self, cx: &mut Context<'_>, engine: &Engine) -> Poll<Result<Utf8Bytes, CloseReason>> {
        let first = match self.pending.take() {
            Some(item) => item,
            None => ready!(self.poll_item(cx, engine))?,
        };
        let first = match first {
            Item::Text(text) => return Poll::Ready(Ok(text)),
            Item::Change(change) if !self.coalesce => return Poll::Ready(text(change.json)),
            Item::Change(change) => {
                if let Some(snapshot) = self.catch_up(change.seq) {
                    return Poll::Ready(text(snapshot));
                }
                change
            }
        };
        let mut bytes = first.json.len();
        let mut batch = vec![first];
        while batch.len() < COALESCE_CHANGES_MAX {
            // Pending: nothing more is ready (and the waker is registered for the next).
            // An error closes the connection; the changes taken are not sent then.
            let Poll::Ready(item) = self.poll_item(cx, engine) else { break };
            match item? {
                Item::Change(change)
                    if bytes + change.json.len() < COALESCE_BYTES_MAX
                        && batch.last().is_some_and(|last| change.seq == last.seq + 1) =>
                {
                    bytes += change.json.len() + 1;
                    batch.push(change);
                }
                item => {
                    self.pending = Some(item);
                    break;
                }
            }
        }
        Poll::Ready(match batch.as_slice() {
            [one] => text(one.json.clone()),
            _ => text(encode_changes(self.showtime, &batch)),
        })
    }

    /// The latest snapshot instead of the changes from `next` on, when this forward is far
    /// behind ([`catches_up`]); the changes it covers are then skipped as they arrive.
    fn catch_up(&mut self, next: u64) -> Option<bytes::Bytes> {
        let published = self.latest.published_seq();
        // The distance alone first: almost every call stops here, before the snapshot's lock.
        if published.saturating_sub(next) < CATCH_UP_AFTER_CHANGES {
            return None;
        }
        let (seq, json) = self.latest.snapshot()?;
        if !catches_up(next, published, Some(seq)) {
            return None;
        }
        metrics::counter!("boxoffice_ws_catch_up_snapshots_total").increment(1);
        self.at = seq;
        self.rejoin_at_tail(seq);
        Some(json)
    }

    /// After a catch-up to `seq`: if nothing after `seq` has been published, a receiver at
    /// the channel's tail replaces the current one, so the changes the snapshot covers are
    /// never received one by one (dropping the old receiver releases them in one cheap
    /// pass). If something newer went out meanwhile, the current receiver stays: the
    /// covered changes are skipped as they arrive, and nothing is missed either way.
    fn rejoin_at_tail(&mut self, seq: u64) {
        let Some(sender) = self.channel.upgrade() else { return };
        let fresh = sender.subscribe();
        drop(sender);
        // Every change sent before `fresh` joined was published (counted) before it was
        // sent, so a count still at `seq` means the snapshot covers all of them.
        if self.latest.published_seq() > seq {
            return;
        }
        if let Live::Receiving(next) = &mut self.live {
            next.set(receive(fresh));
        }
    }

    /// The next item: the rest of the start, then live changes in order.
    fn poll_item(&mut self, cx: &mut Context<'_>, engine: &Engine) -> Poll<Result<Item, CloseReason>> {
        loop {
            if let Some(start) = &mut self.start {
                if let Some(item) = start.next() {
                    return Poll::Ready(Ok(item));
                }
                self.start = None;
            }
            match &mut self.live {
                Live::Receiving(next) => {
                    let (result, receiver) = ready!(next.poll(cx));
                    let restart = match result {
                        Ok(change) if change.seq <= self.at => {
                            next.set(receive(receiver));
                            continue;
                        }
                        Ok(change) if change.seq == self.at + 1 => {
                            next.set(receive(receiver));
                            self.at = change.seq;
                            return Poll::Ready(Ok(Item::Change(change)));
                        }
                        Ok(change) => {
                            let (showtime, at, seq) = (self.showtime, self.at, change.seq);
                            tracing::error!(showtime_id = %showtime, at, seq, "gap in a change feed; resuming");
                            true
                        }
                        Err(RecvError::Lagged(_)) => true,
                        Err(RecvError::Closed) => false,
                    };
                    drop(receiver);
                    self.restart(restart, engine)?;
                }
                Live::Resubscribing(resubscribing) => match ready!(resubscribing.as_mut().poll(cx)) {
                    Ok(fresh) => {
                        self.failed_tries = 0;
                        self.begin(fresh.start)?;
                        self.latest = fresh.latest;
                        self.channel = fresh.channel;
                        self.live = Live::Receiving(ReusableBoxFuture::new(receive(fresh.receiver)));
                    }
                    Err(error) => {
                        self.failed_tries += 1;
                        if self.failed_tries > RESUBSCRIBE_TRIES_MAX {
                            let showtime = self.showtime;
                            tracing::warn!(showtime_id = %showtime, %error, "cannot resubscribe; closing the connection");
                            return Poll::Ready(Err(CloseReason::Internal));
                        }
                        self.live = Live::Resubscribing(resubscribe(engine, self.showtime, self.at, self.failed_tries));
                    }
                },
            }
        }
    }

    /// Starts over from the last sequence number sent. A lag (or a gap) counts against the
    /// resync budget; a stopped actor does not.
    fn restart(&mut self, lagged: bool, engine: &Engine) -> Result<(), CloseReason> {
        if lagged {
            metrics::counter!("boxoffice_ws_resyncs_total").increment(1);
            if !self.resyncs.take(Instant::now()) {
                return Err(CloseReason::SlowConsumer);
            }
        }
        self.live = Live::Resubscribing(resubscribe(engine, self.showtime, self.at, 0));
        Ok(())
    }

    /// Queues a start: a snapshot, or the missed changes (consecutive from the last seq).
    fn begin(&mut self, start: SubscriptionStart) -> Result<(), CloseReason> {
        let messages = match start {
            SubscriptionStart::Snapshot { seq, json } => {
                self.at = seq;
                vec![Item::Text(text(json)?)]
            }
            SubscriptionStart::Resume { since, missed } => {
                let mut at = since;
                let mut messages = Vec::with_capacity(missed.len());
                for change in missed {
                    if change.seq != at + 1 {
                        tracing::error!(at, seq = change.seq, "resume with a gap; closing");
                        return Err(CloseReason::Internal);
                    }
                    at = change.seq;
                    messages.push(Item::Change(change));
                }
                self.at = at;
                messages
            }
        };
        self.start = (!messages.is_empty()).then(|| messages.into_iter());
        Ok(())
    }
}

/// Subscribes again from `at`, after `tries` × 100 ms.
fn resubscribe(engine: &Engine, showtime: ShowtimeId, at: u64, tries: u32) -> Resubscribing {
    let engine = engine.clone();
    Box::pin(async move {
        if tries > 0 {
            tokio::time::sleep(Duration::from_millis(100 * u64::from(tries))).await;
        }
        engine.subscribe(showtime, Some(at)).await
    })
}

fn text(json: bytes::Bytes) -> Result<Utf8Bytes, CloseReason> {
    Utf8Bytes::try_from(json).map_err(|_| {
        tracing::error!("the engine encoded a change that is not UTF-8");
        CloseReason::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::{CATCH_UP_AFTER_CHANGES, catches_up};

    #[test]
    fn only_a_forward_far_behind_catches_up_and_only_with_a_snapshot_that_covers_its_next_change() {
        let far = 10 + CATCH_UP_AFTER_CHANGES;
        assert!(catches_up(10, far, Some(far)), "far behind, a current snapshot");
        assert!(catches_up(10, far, Some(10)), "a snapshot that covers the next change is enough");
        assert!(!catches_up(10, far - 1, Some(far - 1)), "not far enough behind: the changes go out");
        assert!(!catches_up(10, far, Some(9)), "a snapshot older than the next change would go back in time");
        assert!(!catches_up(10, far, None), "no snapshot yet");
        assert!(!catches_up(far + 5, far, Some(far)), "ahead of the published seq (a stale read): no");
    }
}
