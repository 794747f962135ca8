//! Group commit with a short pipeline. Decisions accumulate in the pending batch; the batch
//! goes to storage at once if fewer than `journal_pipeline_depth` writes of this showtime
//! are in flight, else it keeps growing until one returns. Batches are submitted in
//! sequence order, synchronously ([`Storage::submit_journal`]); pipelining is used only
//! with a store that applies submitted batches in that order (the SQLite writer is one FIFO
//! queue), and every batch must continue the stored sequence anyway, so a reordered or lost
//! batch can never be applied: it fails, and is undone like any failed write.
//!
//! Results are handled strictly in send order. A durable batch is applied to the durable
//! copy and its clients are answered. A failed batch is answered with the error and, unless
//! an earlier failure already did it, the live map returns to the durable copy and every
//! pending client is failed too (an *undo*: the epoch advances). Batches sent before the
//! undo cannot land any more (their sequence numbers no longer continue the journal), so
//! they fail as well and are only answered. A write that times out leaves the outcome
//! unknown, so the actor stops and the next request reloads the truth from storage.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use actix::{ActorContext, ActorFutureExt, AsyncContext, Context, WrapFuture};
#[cfg(doc)]
use boxoffice_storage::Storage;
use boxoffice_storage::{JournalEntry, StorageError};

use super::actor::ShowtimeActor;
use super::batch::Batch;
use crate::error::EngineError;

/// An actor whose showtime another node owns now (placement moved) stops after this long
/// without traffic, so that subscribers move to the new owner's feed.
pub(super) const HANDOVER_IDLE_MS: i64 = 1_000;

/// How a journal write ended.
pub(super) enum WriteOutcome {
    Durable,
    Failed(EngineError),
    /// Refused because the journal does not continue where this actor thinks it ends.
    Diverged,
    TimedOut,
}

/// A batch sent to storage, waiting for (or holding) its outcome.
pub(super) struct InFlight {
    /// Which write this is (sent in increasing order).
    ticket: u64,
    /// The undo epoch it was decided in.
    epoch: u64,
    batch: Batch,
    outcome: Option<WriteOutcome>,
}

/// The writes of one showtime in flight, oldest first.
#[derive(Default)]
pub(super) struct Pipeline {
    writes: VecDeque<InFlight>,
    next_ticket: u64,
    /// Advances at every undo; batches of older epochs can no longer become durable.
    epoch: u64,
}

impl Pipeline {
    /// Whether nothing is in flight.
    pub(super) fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

impl ShowtimeActor {
    /// Sends the pending batch to storage if the pipeline has room.
    pub(super) fn flush(&mut self, ctx: &mut Context<Self>) {
        // Pipelining needs a store that applies submitted batches in order.
        let depth = if self.shared.storage.ordered_journal_writes() {
            self.shared.config.journal_pipeline_depth.max(1)
        } else {
            1
        };
        if self.pending.is_empty() || self.pipeline.writes.len() >= depth {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        let entries = batch.entries.clone();
        let ticket = self.pipeline.next_ticket;
        self.pipeline.next_ticket += 1;
        let epoch = self.pipeline.epoch;
        self.pipeline.writes.push_back(InFlight { ticket, epoch, batch, outcome: None });
        metrics::histogram!("boxoffice_group_commit_entries").record(entries.len() as f64);
        let timeout = Duration::from_millis(self.shared.config.request_timeout_ms);
        let started = Instant::now();
        // Submitted here, not when the future is first polled: actix may poll spawned
        // futures in any order, and the journal must reach storage in sequence order.
        let submitted =
            std::sync::Arc::clone(&self.shared.storage).submit_journal_fenced(self.info.id, self.epoch, entries);
        let write = async move {
            match tokio::time::timeout(timeout, submitted).await {
                Ok(Ok(())) => WriteOutcome::Durable,
                // The stored journal moved past this actor (an earlier write whose outcome
                // was unknown did land): only a reload can tell what is true.
                Ok(Err(StorageError::SequenceConflict { .. })) => WriteOutcome::Diverged,
                Ok(Err(e)) => WriteOutcome::Failed(EngineError::from(e)),
                Err(_) => WriteOutcome::TimedOut,
            }
        };
        ctx.spawn(write.into_actor(self).map(move |outcome, act, ctx| {
            metrics::histogram!("boxoffice_journal_write_seconds").record(started.elapsed().as_secs_f64());
            if let Some(w) = act.pipeline.writes.iter_mut().find(|w| w.ticket == ticket) {
                w.outcome = Some(outcome);
            }
            act.settle_writes(ctx);
        }));
    }

    /// Handles finished writes in send order, then sends what is pending.
    fn settle_writes(&mut self, ctx: &mut Context<Self>) {
        while self.pipeline.writes.front().is_some_and(|w| w.outcome.is_some()) {
            let Some(InFlight { epoch, batch, outcome: Some(outcome), .. }) = self.pipeline.writes.pop_front() else {
                break;
            };
            let current = epoch == self.pipeline.epoch;
            match outcome {
                WriteOutcome::Durable if current => {
                    if !self.make_durable(&batch.entries) {
                        self.answer(batch, Ok(()));
                        return self.abandon(ctx);
                    }
                    self.answer(batch, Ok(()));
                    self.refresh_catch_up(ctx);
                }
                WriteOutcome::Durable => {
                    tracing::error!(showtime_id = %self.info.id, "a write from before an undo became durable; reloading");
                    self.answer(batch, Ok(()));
                    return self.abandon(ctx);
                }
                WriteOutcome::Failed(EngineError::NotOwner) => {
                    // Fenced: another node took the showtime over; this actor may never write again.
                    tracing::warn!(showtime_id = %self.info.id, epoch = self.epoch, "showtime taken over by another node; actor stops");
                    metrics::counter!("boxoffice_fenced_writes_total").increment(1);
                    self.answer(batch, Err(EngineError::NotOwner));
                    return self.abandon(ctx);
                }
                WriteOutcome::Failed(error) => {
                    tracing::warn!(showtime_id = %self.info.id, %error, "journal write failed; batch undone");
                    metrics::counter!("boxoffice_journal_write_failures_total").increment(1);
                    self.answer(batch, Err(error.clone()));
                    if current {
                        self.undo(error);
                    }
                }
                WriteOutcome::Diverged => {
                    let error = EngineError::StorageUnavailable("journal sequence conflict".into());
                    self.answer(batch, Err(error.clone()));
                    if current {
                        tracing::warn!(showtime_id = %self.info.id, "stored journal moved on; actor reloads");
                        return self.abandon(ctx);
                    }
                }
                WriteOutcome::TimedOut => {
                    tracing::warn!(showtime_id = %self.info.id, "journal write timed out; actor reloads");
                    self.answer(batch, Err(EngineError::StorageUnavailable("journal write timed out".into())));
                    return self.abandon(ctx);
                }
            }
        }
        self.flush(ctx);
        self.stop_when_flushed(ctx);
    }

    /// Gives the subscribers a fresh catch-up snapshot (`events::Latest`), or, when the last
    /// one is too recent, once [`CATCH_UP_SNAPSHOT_EVERY`](crate::events::CATCH_UP_SNAPSHOT_EVERY)
    /// has passed: the last change of a burst is in a snapshot soon after it.
    pub(super) fn refresh_catch_up(&mut self, ctx: &mut Context<Self>) {
        let (info, durable) = (&self.info, &self.durable);
        // Called after every durable write: a plain closure, no allocation unless it runs.
        let snapshot = || {
            let layout = info.layout.as_deref().map(boxoffice_storage::SeatLayout::spec);
            crate::events::encode_snapshot(&durable.view(info), layout)
        };
        let done = self.feed.refresh_latest(durable.seq(), snapshot, std::time::Instant::now());
        if !done && !self.catch_up_scheduled {
            self.catch_up_scheduled = true;
            ctx.run_later(crate::events::CATCH_UP_SNAPSHOT_EVERY, |actor, ctx| {
                actor.catch_up_scheduled = false;
                actor.refresh_catch_up(ctx);
            });
        }
    }

    /// Applies durable entries to the durable copy; `false` if they do not apply (the
    /// copies diverged, which only a bug can cause).
    fn make_durable(&mut self, entries: &[JournalEntry]) -> bool {
        for entry in entries {
            if let Err(e) = self.feed.apply_and_publish(&self.info, &mut self.durable, entry) {
                tracing::error!(showtime_id = %self.info.id, error = %e, "durable copy diverged; reloading");
                return false;
            }
        }
        true
    }

    fn answer(&self, batch: Batch, result: Result<(), EngineError>) {
        metrics::histogram!("boxoffice_group_commit_clients").record(batch.waiters.len() as f64);
        batch.answer(&result);
    }

    /// Returns the live map to the durable one and fails everything not yet sent; batches
    /// in flight belong to the old epoch and will fail on their own.
    pub(super) fn undo(&mut self, error: EngineError) {
        self.live = self.durable.clone();
        self.pipeline.epoch += 1;
        let pending = std::mem::take(&mut self.pending);
        self.answer(pending, Err(error));
    }

    /// The state is unknown: fail what waits and stop, so the next request reloads.
    fn abandon(&mut self, ctx: &mut Context<Self>) {
        let error = EngineError::StorageUnavailable("showtime state reloading".into());
        self.undo(error.clone());
        for write in std::mem::take(&mut self.pipeline.writes) {
            self.answer(write.batch, Err(error.clone()));
        }
        self.leave_registry();
        ctx.stop();
    }

    /// Stops the actor once nothing is pending or in flight, if a stop was asked for.
    pub(super) fn stop_when_flushed(&mut self, ctx: &mut Context<Self>) {
        if !self.stop_waiters.is_empty() && self.pipeline.is_empty() && self.pending.is_empty() {
            self.leave_registry();
            ctx.stop();
        }
    }
}
