//! The actix actor owning one showtime's seat map: one `Handler` for the command envelope,
//! a few lines per command calling the state machine; the periodic tick (hold expiry, idle
//! stop); the group-commit flush and its undo live in `flush.rs`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix::{Actor, ActorContext, AsyncContext, Context, Handler};
use boxoffice_storage::{BookingRecord, HoldId, JournalEntry, SeatEvent, ShowtimeStatus, Storage, Timestamp};

use super::batch::{Batch, Waiter};
use super::command::{CancelledBooking, Closed, Command, Envelope, Reply};
use crate::clock::Clock;
use crate::config::EngineConfig;
use crate::error::EngineError;
use crate::registry::Registry;
use crate::seat_map::{SeatMap, ShowtimeInfo};

/// How often an actor expires holds and checks whether it is idle.
const TICK: Duration = Duration::from_millis(250);

/// What every actor shares: storage, clock, limits and the registry to leave when idle.
pub(crate) struct Shared {
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<EngineConfig>,
    pub registry: Weak<Registry>,
    /// Which showtimes this node may own (`crate::placement`).
    pub placement: Arc<dyn crate::placement::Placement>,
}

/// One showtime's actor.
pub(crate) struct ShowtimeActor {
    pub(super) info: ShowtimeInfo,
    /// Every decision applied, durable or not: what the next command sees.
    pub(super) live: SeatMap,
    /// Only what storage has acknowledged: where `live` returns when a write fails.
    pub(super) durable: SeatMap,
    pub(super) shared: Arc<Shared>,
    pub(super) pending: Batch,
    /// Journal writes sent to storage and not yet handled.
    pub(super) pipeline: super::flush::Pipeline,
    /// Holds whose payment is in flight, with the time their protection ends.
    pub(super) paying: HashMap<HoldId, Timestamp>,
    pub(super) last_activity: Timestamp,
    pub(super) generation: u64,
    pub(super) depth: Arc<AtomicUsize>,
    pub(super) stop_waiters: Vec<Reply<()>>,
    /// Durable changes for subscribers (`events.rs`).
    pub(super) feed: crate::events::Feed,
    /// A catch-up snapshot is due (`flush::refresh_catch_up`).
    pub(super) catch_up_scheduled: bool,
    /// The ownership epoch taken in storage when the actor started; every journal write
    /// is conditional on it (fencing).
    pub(super) epoch: u64,
}

impl ShowtimeActor {
    /// An actor for a loaded showtime; `map` is the replayed, durable state.
    pub(crate) fn new(
        info: ShowtimeInfo,
        map: SeatMap,
        shared: Arc<Shared>,
        generation: u64,
        depth: Arc<AtomicUsize>,
    ) -> Self {
        let now = shared.clock.now();
        let feed = crate::events::Feed::new(shared.config.changes_channel_max, shared.config.changes_ring_max);
        Self {
            info,
            live: map.clone(),
            durable: map,
            shared,
            pending: Batch::default(),
            pipeline: super::flush::Pipeline::default(),
            paying: HashMap::new(),
            last_activity: now,
            generation,
            depth,
            stop_waiters: Vec::new(),
            feed,
            catch_up_scheduled: false,
            epoch: 0,
        }
    }

    /// The actor writes as the owner of `epoch` (see `boxoffice_storage::ownership`).
    pub(crate) fn owning(mut self, epoch: u64) -> Self {
        self.epoch = epoch;
        self
    }

    fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// Applies decided events to the live map and queues them for the next write.
    pub(super) fn record(&mut self, events: Vec<SeatEvent>, now: Timestamp) -> Result<(), EngineError> {
        for event in events {
            let entry = JournalEntry { seq: self.live.seq() + 1, at: now, event };
            if let Err(e) = self.live.apply(&entry) {
                // A decision that does not apply to the state it was decided on is a bug.
                tracing::error!(showtime_id = %self.info.id, error = %e, "decided event does not apply");
                return Err(EngineError::StorageUnavailable(e.to_string()));
            }
            self.pending.entries.push(entry);
        }
        Ok(())
    }

    /// Records events and answers `reply` with `value` once they are durable.
    fn commit<T: Send + 'static>(
        &mut self,
        ctx: &mut Context<Self>,
        events: Vec<SeatEvent>,
        reply: Reply<T>,
        value: T,
    ) {
        let now = self.now();
        match self.record(events, now) {
            Ok(()) => {
                let waiter: Waiter = Box::new(move |result| {
                    let _ = reply.send(result.map(|()| value));
                });
                self.pending.waiters.push(waiter);
                self.flush(ctx);
            }
            Err(e) => {
                self.undo(e.clone());
                let _ = reply.send(Err(e));
            }
        }
    }

    fn dispatch(&mut self, command: Command, ctx: &mut Context<Self>) {
        let now = self.now();
        let cfg = Arc::clone(&self.shared.config);
        match command {
            Command::SeatMap { reply } => {
                let _ = reply.send(Ok(self.live.view(&self.info)));
            }
            Command::CurrentHold { owner, reply } => {
                let view = self.live.hold_of(owner).map(|h| self.live.hold_view(&self.info, h));
                let _ = reply.send(Ok(view));
            }
            Command::Hold { owner, request, reply } => {
                let hold_id = HoldId::new();
                match self.live.decide_hold(
                    &self.info,
                    owner,
                    &request,
                    hold_id,
                    now,
                    cfg.hold_ttl_ms,
                    cfg.hold_seats_max,
                ) {
                    Ok(events) => {
                        if let Some(previous) = self.live.hold_of(owner) {
                            self.paying.remove(&previous.id);
                        }
                        let view = placed_hold_view(&self.info, hold_id, &events);
                        self.commit(ctx, events, reply, view);
                    }
                    Err(e) => reject(reply, "hold", e),
                }
            }
            Command::Release { owner, hold_id, reply } => match self.live.decide_release(owner, hold_id) {
                Ok(events) => {
                    self.paying.remove(&hold_id);
                    self.commit(ctx, events, reply, ());
                }
                Err(e) => reject(reply, "release", e),
            },
            Command::BeginPayment { owner, hold_id, tiers, reply } => {
                let paid_now = self.paying.get(&hold_id).is_some_and(|until| now <= *until);
                let plan = match self.live.plan_purchase(&self.info, owner, hold_id, &tiers, now) {
                    // Only the hold's owner learns that it is being paid.
                    Ok(_) if paid_now => Err(EngineError::PaymentInProgress),
                    plan => plan,
                };
                if plan.is_ok() {
                    let max = i64::try_from(cfg.payment_pending_max_ms).unwrap_or(i64::MAX);
                    self.paying.insert(hold_id, now.plus_millis(max));
                }
                let _ = reply.send(plan);
            }
            Command::AbortPayment { hold_id } => {
                self.paying.remove(&hold_id);
            }
            Command::ConfirmPayment { plan, booking_id, payment_id, reply } => {
                self.confirm(ctx, plan, (booking_id, payment_id), reply, now);
            }
            Command::Cancel { booking_id, requester, reply } => {
                match self.live.decide_cancel(&self.info, booking_id, requester, now, cfg.cancellation_cutoff_ms) {
                    Ok(events) => {
                        let value = self.live.booking(booking_id).map(|b| CancelledBooking {
                            booking_id,
                            customer: b.customer,
                            payment_id: b.payment_id,
                            total: b.total,
                        });
                        match value {
                            Some(value) => self.commit(ctx, events, reply, value),
                            None => reject(reply, "cancel", EngineError::BookingNotFound),
                        }
                    }
                    Err(e) => reject(reply, "cancel", e),
                }
            }
            Command::Block { seats, blocked, reply } => match self.live.decide_block(&self.info, &seats, blocked) {
                Ok(events) => self.commit(ctx, events, reply, ()),
                Err(e) => reject(reply, "block", e),
            },
            Command::Close { reply } => self.close(ctx, reply),
            Command::Update { showtime, reply } => {
                self.info.starts_at = showtime.details.starts_at;
                self.info.prices = showtime.details.prices.clone();
                self.info.status = showtime.status;
                self.feed.invalidate_snapshot();
                let _ = reply.send(Ok(()));
            }
            Command::Subscribe { since, reply } => {
                let (info, durable) = (&self.info, &self.durable);
                let snapshot = Box::new(|| {
                    let layout = info.layout.as_deref().map(boxoffice_storage::SeatLayout::spec);
                    crate::events::encode_snapshot(&durable.view(info), layout)
                });
                let subscription = self.feed.subscribe(info.id, since, durable.seq(), snapshot);
                let _ = reply.send(Ok(subscription));
            }
            Command::Stop { reply } => {
                self.stop_waiters.push(reply);
                self.stop_when_flushed(ctx);
            }
        }
    }

    fn confirm(
        &mut self,
        ctx: &mut Context<Self>,
        plan: crate::seat_map::PurchasePlan,
        ids: (boxoffice_storage::BookingId, boxoffice_storage::PaymentId),
        reply: Reply<BookingRecord>,
        now: Timestamp,
    ) {
        // A payment that outlived its protection is refused: the saga refunds it, and the
        // background settler may rely on no booking appearing for an old payment.
        let protected = self.paying.remove(&plan.hold_id).is_some_and(|until| now <= until);
        if !protected {
            return reject(reply, "purchase", EngineError::HoldNotFound);
        }
        let reference = crate::reference::booking_reference();
        match self.live.decide_confirm(&self.info, &plan, ids, reference, now) {
            Ok(events) => {
                let record = match events.first() {
                    Some(SeatEvent::BookingConfirmed { booking }) => booking.clone(),
                    _ => return reject(reply, "purchase", EngineError::HoldNotFound),
                };
                self.commit(ctx, events, reply, record);
            }
            Err(e) => reject(reply, "purchase", e),
        }
    }

    fn close(&mut self, ctx: &mut Context<Self>, reply: Reply<Closed>) {
        let events = self.live.decide_close();
        let mut closed = Closed::default();
        for event in &events {
            match event {
                SeatEvent::HoldEnded { .. } => closed.holds_ended += 1,
                SeatEvent::BookingCancelled { booking_id, .. } => {
                    if let Some(b) = self.live.booking(*booking_id) {
                        closed.bookings.push(CancelledBooking {
                            booking_id: *booking_id,
                            customer: b.customer,
                            payment_id: b.payment_id,
                            total: b.total,
                        });
                    }
                }
                _ => {}
            }
        }
        self.paying.clear();
        self.info.status = ShowtimeStatus::Cancelled;
        if events.is_empty() {
            let _ = reply.send(Ok(closed));
        } else {
            self.commit(ctx, events, reply, closed);
        }
    }

    /// Expires lapsed holds and stops the actor when it has been idle long enough.
    fn tick(&mut self, ctx: &mut Context<Self>) {
        let now = self.now();
        self.paying.retain(|_, until| *until >= now);
        let events = self.live.decide_expiry(now, |id| self.paying.contains_key(&id));
        if !events.is_empty() {
            metrics::counter!("boxoffice_holds_expired_total").increment(events.len() as u64);
            if let Err(e) = self.record(events, now) {
                self.undo(e);
            }
            self.flush(ctx);
        }
        let idle_ms = i64::try_from(self.shared.config.idle_stop_ms).unwrap_or(i64::MAX);
        // An actor with live subscribers keeps running: stopping would close their feeds.
        let quiet = self.live.hold_count() == 0
            && self.pending.is_empty()
            && self.pipeline.is_empty()
            && self.feed.subscribers() == 0;
        let idle_for_ms = now.as_millis() - self.last_activity.as_millis();
        // Another node owns the showtime now: hand it over once nothing is in flight.
        let moved = !self.shared.placement.owns(self.info.id) && idle_for_ms >= super::flush::HANDOVER_IDLE_MS;
        if (quiet || (moved && self.pending.is_empty() && self.pipeline.is_empty()))
            && self.depth.load(Ordering::Relaxed) == 0
            && (idle_for_ms >= idle_ms || moved)
        {
            tracing::debug!(showtime_id = %self.info.id, "idle showtime actor stops");
            self.leave_registry();
            ctx.stop();
        }
    }

    /// Removes this actor from the registry (only if the entry is still ours).
    pub(super) fn leave_registry(&self) {
        if let Some(registry) = self.shared.registry.upgrade() {
            registry.forget(self.info.id, self.generation);
        }
    }
}

/// Answers a refused command at once: a rejection changes nothing, so it need not wait
/// for storage.
fn reject<T>(reply: Reply<T>, kind: &'static str, error: EngineError) {
    tracing::trace!(kind, code = error.code(), "command refused");
    let _ = reply.send(Err(error));
}

/// The customer's view of the hold that `events` place.
fn placed_hold_view(info: &ShowtimeInfo, hold_id: HoldId, events: &[SeatEvent]) -> crate::view::HoldView {
    let placed = events.iter().find_map(|e| match e {
        SeatEvent::HoldPlaced { seats, quantity, expires_at, .. } => Some((seats, *quantity, *expires_at)),
        _ => None,
    });
    let (seats, quantity, expires_at) = match placed {
        Some((seats, quantity, expires_at)) => (crate::seat_map::labels(info, seats), quantity, expires_at),
        None => (Vec::new(), 0, info.starts_at),
    };
    crate::view::HoldView { hold_id, showtime_id: info.id, seats, quantity, expires_at }
}

impl Actor for ShowtimeActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // The handle's counter bounds the mailbox; actix's own bound must not be lower
        // (its default is 16), and stop commands must always get through.
        ctx.set_mailbox_capacity(self.shared.config.mailbox_capacity.saturating_mul(2).max(64));
        ctx.run_interval(TICK, |act, ctx| act.tick(ctx));
        metrics::gauge!("boxoffice_live_actors").increment(1.0);
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        metrics::gauge!("boxoffice_live_actors").decrement(1.0);
        self.leave_registry();
        for reply in self.stop_waiters.drain(..) {
            let _ = reply.send(Ok(()));
        }
    }
}

impl Handler<Envelope> for ShowtimeActor {
    type Result = ();

    fn handle(&mut self, Envelope(command): Envelope, ctx: &mut Self::Context) {
        let depth = self.depth.fetch_sub(1, Ordering::Relaxed);
        metrics::histogram!("boxoffice_mailbox_depth").record(depth as f64);
        self.last_activity = self.now();
        self.dispatch(command, ctx);
    }
}
