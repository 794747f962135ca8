//! One task per subscription: sends the `subscribed` answer, the start (a snapshot or the
//! missed changes), then every live change, each exactly once and in sequence order.
//!
//! The engine's change messages are shared [`Bytes`](bytes::Bytes): forwarding one is a
//! reference-count increment, never a re-encoding. The task is the second guard against
//! gaps (the engine's feed is the first): it tracks the last sequence number sent and never
//! sends a change that does not follow it; a lag, a gap or a stopped actor makes it resume
//! from that number (the missed changes, or a snapshot). Resumes are rate-limited; a client
//! that keeps lagging is closed as a slow consumer. A client whose queue stays full for
//! `websocket.slow_consumer_ms` is closed too. The showtime actor never waits for any of it.

use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use boxoffice_engine::{Change, Engine, EngineError, Subscription, SubscriptionStart};
use boxoffice_storage::ShowtimeId;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::close::{CloseReason, Closer};
use super::rate::TokenBucket;

/// Tries to resubscribe after the actor stopped, before giving up.
const RESUBSCRIBE_TRIES_MAX: u32 = 5;

/// What a forwarder needs.
pub struct Forwarder {
    /// The engine, to resume.
    pub engine: Engine,
    /// The connection's outbound queue.
    pub tx: mpsc::Sender<Utf8Bytes>,
    /// The connection's closer.
    pub closer: Closer,
    /// How long a message may wait for room in the queue.
    pub slow_consumer: Duration,
    /// Resumes allowed per minute.
    pub resyncs_per_minute_max: u32,
}

/// Why the live stream must restart from the last sequence number.
enum Restart {
    Lagged,
    ActorStopped,
}

impl Forwarder {
    /// Runs until the connection closes (or the task is aborted by `unsubscribe`).
    pub async fn run(self, subscription: Subscription, ack: Utf8Bytes) {
        let showtime = subscription.showtime_id;
        if !self.send(ack).await {
            return;
        }
        let Some(mut at) = self.send_start(&subscription.start).await else { return };
        let mut receiver = subscription.receiver;
        let per_second = f64::from(self.resyncs_per_minute_max) / 60.0;
        let mut resyncs = TokenBucket::with_rate(per_second, self.resyncs_per_minute_max, Instant::now());
        let mut failed_tries = 0;
        loop {
            let restart = match receiver.recv().await {
                Ok(change) if change.seq <= at => continue,
                Ok(change) if change.seq == at + 1 => {
                    if !self.send_change(change).await {
                        return;
                    }
                    at += 1;
                    continue;
                }
                Ok(change) => {
                    tracing::error!(showtime_id = %showtime, at, seq = change.seq, "gap in a change feed; resuming");
                    Restart::Lagged
                }
                Err(RecvError::Lagged(_)) => Restart::Lagged,
                Err(RecvError::Closed) => Restart::ActorStopped,
            };
            if matches!(restart, Restart::Lagged) {
                metrics::counter!("boxoffice_ws_resyncs_total").increment(1);
                if !resyncs.take(Instant::now()) {
                    self.closer.close(CloseReason::SlowConsumer);
                    return;
                }
            }
            match self.engine.subscribe(showtime, Some(at)).await {
                Ok(fresh) => {
                    failed_tries = 0;
                    let Some(next) = self.send_start(&fresh.start).await else { return };
                    at = next;
                    receiver = fresh.receiver;
                }
                Err(e) => {
                    failed_tries += 1;
                    if !self.retry_later(showtime, &e, failed_tries).await {
                        return;
                    }
                }
            }
        }
    }

    /// Waits before another resubscription; `false` when it is time to give up.
    async fn retry_later(&self, showtime: ShowtimeId, error: &EngineError, tries: u32) -> bool {
        if self.closer.is_closing() {
            return false;
        }
        if tries > RESUBSCRIBE_TRIES_MAX {
            tracing::warn!(showtime_id = %showtime, %error, "cannot resubscribe; closing the connection");
            self.closer.close(CloseReason::Internal);
            return false;
        }
        tokio::select! {
            () = self.closer.closing() => false,
            () = tokio::time::sleep(Duration::from_millis(100 * u64::from(tries))) => true,
        }
    }

    /// Sends a subscription's start; the sequence number the client is then at.
    async fn send_start(&self, start: &SubscriptionStart) -> Option<u64> {
        match start {
            SubscriptionStart::Snapshot { seq, json } => {
                let text = self.text(json.clone())?;
                self.send(text).await.then_some(*seq)
            }
            SubscriptionStart::Resume { since, missed } => {
                let mut at = *since;
                for change in missed {
                    if change.seq != at + 1 {
                        tracing::error!(at, seq = change.seq, "resume with a gap; closing");
                        self.closer.close(CloseReason::Internal);
                        return None;
                    }
                    if !self.send_change(change.clone()).await {
                        return None;
                    }
                    at = change.seq;
                }
                Some(at)
            }
        }
    }

    async fn send_change(&self, change: Change) -> bool {
        match self.text(change.json) {
            Some(text) => self.send(text).await,
            None => false,
        }
    }

    fn text(&self, json: bytes::Bytes) -> Option<Utf8Bytes> {
        match Utf8Bytes::try_from(json) {
            Ok(text) => Some(text),
            Err(_) => {
                tracing::error!("the engine encoded a change that is not UTF-8");
                self.closer.close(CloseReason::Internal);
                None
            }
        }
    }

    /// Queues a message; a client whose queue stays full is closed as a slow consumer.
    async fn send(&self, text: Utf8Bytes) -> bool {
        send_or_close(&self.tx, &self.closer, self.slow_consumer, text).await
    }
}

/// Queues `text` for the writer, waiting at most `slow_consumer` for room; `false` (and the
/// connection closing) when the client is too slow or gone.
pub async fn send_or_close(
    tx: &mpsc::Sender<Utf8Bytes>,
    closer: &Closer,
    slow_consumer: Duration,
    text: Utf8Bytes,
) -> bool {
    match tx.try_send(text) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Closed(_)) => false,
        Err(mpsc::error::TrySendError::Full(text)) => {
            tokio::select! {
                () = closer.closing() => false,
                sent = tokio::time::timeout(slow_consumer, tx.send(text)) => match sent {
                    Ok(Ok(())) => true,
                    Ok(Err(_)) => false,
                    Err(_) => {
                        closer.close(CloseReason::SlowConsumer);
                        false
                    }
                },
            }
        }
    }
}
