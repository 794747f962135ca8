//! Group commit: one journal write in flight per showtime. Decisions made while a write is
//! in flight wait in the next batch; when the write returns, its clients are answered and
//! the next batch goes. A failed write returns the live map to the durable one and fails
//! every waiting client; a write that times out leaves the outcome unknown, so the actor
//! stops and the next request reloads the truth from storage.

use std::time::{Duration, Instant};

use actix::{ActorContext, ActorFutureExt, AsyncContext, Context, WrapFuture};

use super::actor::ShowtimeActor;
use super::batch::Batch;
use crate::error::EngineError;

/// How a journal write ended.
enum WriteOutcome {
    Durable,
    Failed(EngineError),
    TimedOut,
}

impl ShowtimeActor {
    /// Starts a write of the pending batch unless one is in flight.
    pub(super) fn flush(&mut self, ctx: &mut Context<Self>) {
        if self.in_flight.is_some() || self.pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        let entries = batch.entries.clone();
        self.in_flight = Some(batch);
        let storage = std::sync::Arc::clone(&self.shared.storage);
        let showtime = self.info.id;
        let timeout = Duration::from_millis(self.shared.config.request_timeout_ms);
        let started = Instant::now();
        metrics::histogram!("boxoffice_group_commit_entries").record(entries.len() as f64);
        let write = async move {
            if entries.is_empty() {
                return WriteOutcome::Durable;
            }
            match tokio::time::timeout(timeout, storage.append_journal(showtime, &entries)).await {
                Ok(Ok(())) => WriteOutcome::Durable,
                Ok(Err(e)) => WriteOutcome::Failed(EngineError::from(e)),
                Err(_) => WriteOutcome::TimedOut,
            }
        };
        ctx.spawn(write.into_actor(self).map(move |outcome, act, ctx| {
            metrics::histogram!("boxoffice_journal_write_seconds").record(started.elapsed().as_secs_f64());
            act.written(outcome, ctx);
        }));
    }

    fn written(&mut self, outcome: WriteOutcome, ctx: &mut Context<Self>) {
        let batch = self.in_flight.take().unwrap_or_default();
        match outcome {
            WriteOutcome::Durable => {
                for entry in &batch.entries {
                    if let Err(e) = self.durable.apply(entry) {
                        tracing::error!(showtime_id = %self.info.id, error = %e, "durable copy diverged; reloading");
                        self.answer(batch, Ok(()));
                        return self.abandon(ctx);
                    }
                }
                self.answer(batch, Ok(()));
                self.flush(ctx);
            }
            WriteOutcome::Failed(error) => {
                tracing::warn!(showtime_id = %self.info.id, %error, "journal write failed; batch undone");
                metrics::counter!("boxoffice_journal_write_failures_total").increment(1);
                self.answer(batch, Err(error.clone()));
                self.undo(error);
            }
            WriteOutcome::TimedOut => {
                tracing::warn!(showtime_id = %self.info.id, "journal write timed out; actor reloads");
                self.answer(batch, Err(EngineError::StorageUnavailable("journal write timed out".into())));
                self.abandon(ctx);
            }
        }
        self.stop_when_flushed(ctx);
    }

    fn answer(&self, batch: Batch, result: Result<(), EngineError>) {
        metrics::histogram!("boxoffice_group_commit_clients").record(batch.waiters.len() as f64);
        batch.answer(&result);
    }

    /// Returns the live map to the durable one and fails everything not yet written.
    pub(super) fn undo(&mut self, error: EngineError) {
        self.live = self.durable.clone();
        let pending = std::mem::take(&mut self.pending);
        self.answer(pending, Err(error));
    }

    /// The state is unknown: fail what waits and stop, so the next request reloads.
    fn abandon(&mut self, ctx: &mut Context<Self>) {
        self.undo(EngineError::StorageUnavailable("showtime state reloading".into()));
        self.leave_registry();
        ctx.stop();
    }

    /// Stops the actor once nothing is pending, if a stop was asked for.
    pub(super) fn stop_when_flushed(&mut self, ctx: &mut Context<Self>) {
        if !self.stop_waiters.is_empty() && self.in_flight.is_none() && self.pending.is_empty() {
            self.leave_registry();
            ctx.stop();
        }
    }
}
