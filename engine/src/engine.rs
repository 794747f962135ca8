//! The engine facade: the only way callers reach showtime actors. It routes each request
//! to its showtime's actor through the registry and runs the two sagas that span more than
//! one owner:
//!
//! - **purchase**: price the hold and protect it from expiry (actor) → debit the wallet,
//!   conditional on the balance (storage) → confirm the booking (actor, durable) → if the
//!   confirmation fails, refund (storage).
//! - **cancellation**: cancel the booking and free its seats (actor, durable) → refund
//!   (storage). A store whose journal write records the refund itself
//!   ([`Storage::refunds_cancellations`]: SQLite) makes both one atomic write, and the
//!   engine skips the second step.
//!
//! A crash between two steps leaves a payment without a booking, or a cancelled booking
//! without a refund; [`Engine::settle_unsettled_payments`] (at start, then periodically)
//! refunds those. Refunds are keyed by payment, so nothing is ever refunded twice.

mod terminal;

pub use self::terminal::{TerminalPayment, check_terminal_ref};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_rt::Arbiter;
use boxoffice_storage::{
    Booking, BookingId, BookingRecord, BookingStatus, CancelReason, Currency, CustomerId, HoldId, LedgerEntry,
    LedgerKind, Money, PaymentId, Showtime, ShowtimeId, Storage, StorageError,
};
use tokio::sync::oneshot;

use crate::clock::Clock;
use crate::config::EngineConfig;
use crate::error::EngineError;
use crate::placement::{Placement, SingleNode};
use crate::recent::RecentBookings;
use crate::registry::Registry;
use crate::showtime::{CancelledBooking, Command, SendFailure, Shared};
use crate::view::{HoldRequest, HoldView, Requester, SeatMapView, ShowtimeCancellation, TierChoice};

/// Fallback of `engine.settle_after_ms` if it does not fit an `i64`.
const SETTLE_AFTER_MS: i64 = 5 * 60 * 1000;

/// Handle to the booking engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    registry: Arc<Registry>,
    followers: Arc<crate::follower::Followers>,
    shared: Arc<Shared>,
    currency: Currency,
    arbiters: Arc<Mutex<Vec<Arbiter>>>,
    settler: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    /// Bookings confirmed lately, for cancellations without a storage read.
    recent: Arc<RecentBookings>,
}

impl Engine {
    /// Starts the engine: `config.arbiters` actor threads and the background settler.
    /// Must be called inside a running actix `System` (and so a tokio runtime). With
    /// `arbiters = 0` actors run on the caller's arbiter, which only works on a
    /// single-threaded actix runtime (tests); servers use at least one.
    #[must_use]
    pub fn start(storage: Arc<dyn Storage>, config: EngineConfig, clock: Arc<dyn Clock>, currency: Currency) -> Self {
        let placement: Arc<dyn Placement> = Arc::new(SingleNode::default());
        Self::start_placed(storage, config, clock, currency, placement)
    }

    /// [`Engine::start`] for one node of several: showtime actors start only where
    /// `placement` puts them (see [`crate::placement`]).
    #[must_use]
    pub fn start_placed(
        storage: Arc<dyn Storage>,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
        currency: Currency,
        placement: Arc<dyn Placement>,
    ) -> Self {
        let recent = Arc::new(RecentBookings::new(config.recent_bookings_max));
        let arbiters: Vec<Arbiter> = (0..config.arbiters).map(|_| Arbiter::new()).collect();
        let handles = arbiters.iter().map(Arbiter::handle).collect();
        let registry = Arc::new_cyclic(|weak| {
            let config = Arc::new(config);
            let shared = Arc::new(Shared { storage, clock, config, registry: weak.clone(), placement });
            Registry::new(handles, shared)
        });
        let shared = registry.shared();
        let engine = Self {
            registry,
            followers: crate::follower::Followers::new(Arc::clone(&shared)),
            shared,
            currency,
            arbiters: Arc::new(Mutex::new(arbiters)),
            settler: Arc::new(Mutex::new(None)),
            recent,
        };
        let background = engine.clone();
        let settle_every = Duration::from_millis(engine.shared.config.settle_every_ms.max(1));
        let settle_after_ms = i64::try_from(engine.shared.config.settle_after_ms).unwrap_or(SETTLE_AFTER_MS);
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(settle_every);
            every.tick().await;
            loop {
                every.tick().await;
                if let Err(e) = background.settle(settle_after_ms).await {
                    tracing::warn!(error = %e, "settling payments failed; will retry");
                }
            }
        });
        if let Ok(mut slot) = engine.settler.lock() {
            *slot = Some(task);
        }
        engine
    }

    fn storage(&self) -> &Arc<dyn Storage> {
        &self.shared.storage
    }

    fn timeout(&self) -> Duration {
        Duration::from_millis(self.shared.config.request_timeout_ms)
    }

    /// Sends a command to a showtime's actor and waits for its answer. A command that
    /// reaches a stopped actor goes once more to a fresh one.
    async fn call<T>(
        &self,
        showtime: ShowtimeId,
        make: impl Fn(oneshot::Sender<Result<T, EngineError>>) -> Command,
    ) -> Result<T, EngineError> {
        if !self.may_own(showtime) {
            return Err(EngineError::NotOwner);
        }
        for _ in 0..3 {
            let handle = self.registry.get_or_start(showtime).await?;
            let (tx, rx) = oneshot::channel();
            match handle.send(make(tx)) {
                Ok(()) => {}
                Err(SendFailure::Full) => {
                    metrics::counter!("boxoffice_overloaded_total").increment(1);
                    return Err(EngineError::Overloaded);
                }
                Err(SendFailure::Gone) => {
                    self.registry.forget(showtime, handle.generation());
                    continue;
                }
            }
            match tokio::time::timeout(self.timeout(), rx).await {
                Ok(Ok(result)) => return result,
                // The actor stopped before handling the command: nothing was decided.
                Ok(Err(_)) => self.registry.forget(showtime, handle.generation()),
                Err(_) => return Err(EngineError::Timeout),
            }
        }
        Err(EngineError::Overloaded)
    }

    /// The seat map of a showtime, from the actor's memory.
    ///
    /// # Errors
    /// `ShowtimeNotFound`, `Overloaded`, `Timeout`, `StorageUnavailable` (while loading).
    pub async fn seat_map(&self, showtime: ShowtimeId) -> Result<SeatMapView, EngineError> {
        self.call(showtime, |reply| Command::SeatMap { reply }).await
    }

    /// Subscribes to a showtime's durable changes: from `since` (the changes missed since
    /// that sequence number, if the actor still has them all) or from a snapshot. See
    /// [`crate::events`].
    ///
    /// # Errors
    /// `ShowtimeNotFound`, `Overloaded`, `Timeout`, `StorageUnavailable` (while loading).
    pub async fn subscribe(
        &self,
        showtime: ShowtimeId,
        since: Option<u64>,
    ) -> Result<crate::events::Subscription, EngineError> {
        if !self.may_own(showtime) {
            return self.followers.subscribe(showtime, since).await;
        }
        self.call(showtime, |reply| Command::Subscribe { since, reply }).await
    }

    /// Whether this node may run the showtime's actor: placement puts it here, or another
    /// node forwarded the request here ([`crate::placement::as_owner`]).
    fn may_own(&self, showtime: ShowtimeId) -> bool {
        crate::placement::forwarded_to_owner() || self.shared.placement.owns(showtime)
    }

    /// Holds seats or a quantity for `owner`, replacing their previous hold on this showtime.
    ///
    /// # Errors
    /// `SeatsUnavailable`, `SoldOut`, `UnknownSeats`, `InvalidRequest`, `NotOnSale`, ...
    pub async fn hold(
        &self,
        showtime: ShowtimeId,
        owner: CustomerId,
        request: HoldRequest,
    ) -> Result<HoldView, EngineError> {
        let started = Instant::now();
        let result = self.call(showtime, |reply| Command::Hold { owner, request: request.clone(), reply }).await;
        observe("hold", started, &result);
        result
    }

    /// The owner's current hold on a showtime, if any.
    ///
    /// # Errors
    /// `ShowtimeNotFound`, `Overloaded`, `Timeout`.
    pub async fn current_hold(&self, showtime: ShowtimeId, owner: CustomerId) -> Result<Option<HoldView>, EngineError> {
        self.call(showtime, |reply| Command::CurrentHold { owner, reply }).await
    }

    /// Releases the owner's hold.
    ///
    /// # Errors
    /// `HoldNotFound` if the hold is not the owner's or has ended.
    pub async fn release(&self, showtime: ShowtimeId, owner: CustomerId, hold: HoldId) -> Result<(), EngineError> {
        let started = Instant::now();
        let result = self.call(showtime, |reply| Command::Release { owner, hold_id: hold, reply }).await;
        observe("release", started, &result);
        result
    }

    /// Buys a hold with the owner's wallet: one tier per ticket (empty: the first tier for
    /// every ticket).
    ///
    /// # Errors
    /// `HoldNotFound`, `UnknownTier`, `InsufficientBalance` (the hold stays), ...
    pub async fn purchase(
        &self,
        showtime: ShowtimeId,
        owner: CustomerId,
        hold: HoldId,
        tiers: Vec<TierChoice>,
    ) -> Result<Booking, EngineError> {
        let started = Instant::now();
        let result = self.purchase_saga(showtime, owner, hold, tiers).await;
        observe("purchase", started, &result);
        result
    }

    async fn purchase_saga(
        &self,
        showtime: ShowtimeId,
        owner: CustomerId,
        hold: HoldId,
        tiers: Vec<TierChoice>,
    ) -> Result<Booking, EngineError> {
        let plan = self
            .call(showtime, |reply| Command::BeginPayment { owner, hold_id: hold, tiers: tiers.clone(), reply })
            .await?;
        let payment_id = PaymentId::new();
        let debit = LedgerEntry {
            customer_id: owner,
            amount: plan.total.negated(),
            kind: LedgerKind::Payment,
            reference: LedgerEntry::payment_reference(payment_id),
            memo: format!("{} ticket(s), showtime {showtime}", plan.lines.len()),
            at: self.shared.clock.now(),
        };
        if let Err(e) = self.ledger(&debit).await {
            self.abort_payment(showtime, hold).await;
            return Err(match e {
                EngineError::InsufficientBalance { balance, .. } => {
                    EngineError::InsufficientBalance { balance, needed: plan.total }
                }
                other => other,
            });
        }
        let booking_id = BookingId::new();
        let confirmed = self
            .call(showtime, |reply| Command::ConfirmPayment { plan: plan.clone(), booking_id, payment_id, reply })
            .await;
        match confirmed {
            Ok(record) => Ok(self.confirmed(record)),
            // Unknown outcome: the settler refunds later if no booking appeared.
            Err(EngineError::Timeout) => Err(EngineError::Timeout),
            Err(e) => {
                self.refund(owner, payment_id, plan.total).await;
                Err(e)
            }
        }
    }

    async fn abort_payment(&self, showtime: ShowtimeId, hold: HoldId) {
        // Only a running actor holds the payment protection; never start one (elsewhere that
        // would take the showtime over) just to drop it.
        if !self.registry.is_running(showtime) {
            return;
        }
        if let Ok(handle) = self.registry.get_or_start(showtime).await {
            let _ = handle.send(Command::AbortPayment { hold_id: hold });
        }
    }

    async fn ledger(&self, entry: &LedgerEntry) -> Result<Money, EngineError> {
        match tokio::time::timeout(self.timeout(), self.storage().apply_ledger(entry)).await {
            Ok(Ok(outcome)) => Ok(outcome.balance()),
            Ok(Err(StorageError::InsufficientBalance { balance })) => {
                Err(EngineError::InsufficientBalance { balance, needed: entry.amount.negated() })
            }
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(EngineError::Timeout),
        }
    }

    /// The booking a durable confirmation made, remembered for a quick cancellation.
    fn confirmed(&self, record: BookingRecord) -> Booking {
        self.recent.remember(&record);
        Booking { record, status: BookingStatus::Confirmed, cancelled_at: None, cancel_reason: None }
    }

    /// Refunds a payment; a failure is logged and left to the settler.
    async fn refund(&self, customer: CustomerId, payment: PaymentId, amount: Money) {
        let entry = LedgerEntry {
            customer_id: customer,
            amount,
            kind: LedgerKind::Refund,
            reference: LedgerEntry::refund_reference(payment),
            memo: LedgerEntry::refund_memo(payment),
            at: self.shared.clock.now(),
        };
        if let Err(e) = self.ledger(&entry).await {
            tracing::warn!(payment_id = %payment, error = %e, "refund failed; the settler will retry");
        }
    }

    /// Cancels a booking and refunds it to the wallet.
    ///
    /// # Errors
    /// `BookingNotFound` (also for another customer's booking), `CancellationClosed`,
    /// `AlreadyCancelled`.
    pub async fn cancel_booking(&self, booking: BookingId, requester: Requester) -> Result<Booking, EngineError> {
        let started = Instant::now();
        let result = self.cancel_saga(booking, requester).await;
        observe("cancel", started, &result);
        result
    }

    async fn cancel_saga(&self, booking: BookingId, requester: Requester) -> Result<Booking, EngineError> {
        // A booking confirmed lately is known here; the actor checks whose it is and
        // whether it was cancelled already, as for one read from storage.
        let record = match self.recent.get(booking) {
            Some(record) => record,
            None => {
                let found = self.storage().booking(booking).await?.ok_or(EngineError::BookingNotFound)?;
                if let Requester::Customer(c) = requester
                    && found.record.customer_id != c
                {
                    return Err(EngineError::BookingNotFound);
                }
                if found.status == BookingStatus::Cancelled {
                    return Err(EngineError::AlreadyCancelled);
                }
                Arc::new(found.record)
            }
        };
        let cancelled =
            self.call(record.showtime_id, |reply| Command::Cancel { booking_id: booking, requester, reply }).await;
        if matches!(cancelled, Ok(_) | Err(EngineError::AlreadyCancelled)) {
            self.recent.forget(booking);
        }
        let cancelled: CancelledBooking = cancelled?;
        if !self.storage().refunds_cancellations() {
            self.refund(cancelled.customer, cancelled.payment_id, cancelled.total).await;
        }
        let reason = if matches!(requester, Requester::Staff) { CancelReason::Staff } else { CancelReason::Customer };
        Ok(Booking {
            record: Arc::unwrap_or_clone(record),
            status: BookingStatus::Cancelled,
            cancelled_at: Some(self.shared.clock.now()),
            cancel_reason: Some(reason),
        })
    }

    /// Cancels a whole showtime: ends every hold, cancels and refunds every booking.
    ///
    /// # Errors
    /// `ShowtimeNotFound`, `StorageUnavailable`.
    pub async fn cancel_showtime(&self, showtime: ShowtimeId) -> Result<ShowtimeCancellation, EngineError> {
        let closed = self.call(showtime, |reply| Command::Close { reply }).await?;
        // A store that refunds cancellations in the journal write already did.
        if !self.storage().refunds_cancellations() {
            for b in &closed.bookings {
                self.refund(b.customer, b.payment_id, b.total).await;
            }
        }
        let bookings_refunded = u32::try_from(closed.bookings.len()).unwrap_or(u32::MAX);
        Ok(ShowtimeCancellation { bookings_refunded, holds_ended: closed.holds_ended })
    }

    /// Tells a running actor that its showtime's details changed (reschedule, prices). A
    /// showtime without a running actor picks the change up when it starts.
    ///
    /// # Errors
    /// `Overloaded`, `Timeout`.
    pub async fn showtime_changed(&self, showtime: Showtime) -> Result<(), EngineError> {
        let id = showtime.id;
        if !self.registry.is_running(id) {
            return Ok(());
        }
        let showtime = Box::new(showtime);
        self.call(id, |reply| Command::Update { showtime: showtime.clone(), reply }).await
    }

    /// Blocks (or unblocks) seats (staff): blocked seats cannot be held.
    ///
    /// # Errors
    /// `UnknownSeats`, `SeatsUnavailable` (only free seats can be blocked).
    pub async fn block_seats(
        &self,
        showtime: ShowtimeId,
        seats: Vec<String>,
        blocked: bool,
    ) -> Result<(), EngineError> {
        self.call(showtime, |reply| Command::Block { seats: seats.clone(), blocked, reply }).await
    }

    /// Refunds every payment left unsettled by a crash. Call once at start, before traffic.
    ///
    /// # Errors
    /// `StorageUnavailable`.
    pub async fn settle_unsettled_payments(&self) -> Result<usize, EngineError> {
        self.settle(0).await
    }

    /// Refunds unsettled payments at least `engine.settle_after_ms` old: what a node of
    /// several calls at start, since other nodes may be confirming younger payments.
    ///
    /// # Errors
    /// `StorageUnavailable`.
    pub async fn settle_old_unsettled_payments(&self) -> Result<usize, EngineError> {
        self.settle(i64::try_from(self.shared.config.settle_after_ms).unwrap_or(SETTLE_AFTER_MS)).await
    }

    /// Refunds unsettled payments at least `min_age_ms` old.
    async fn settle(&self, min_age_ms: i64) -> Result<usize, EngineError> {
        let now = self.shared.clock.now();
        let unsettled = self.storage().unsettled_payments().await?;
        let mut refunded = 0;
        for p in unsettled.into_iter().filter(|p| now.as_millis() - p.at.as_millis() >= min_age_ms) {
            if p.amount.currency() != self.currency {
                tracing::warn!(payment_id = %p.payment_id, "unsettled payment in another currency");
            }
            self.refund(p.customer_id, p.payment_id, p.amount).await;
            refunded += 1;
        }
        if refunded > 0 {
            tracing::info!(refunded, "settled unsettled payments");
        }
        Ok(refunded)
    }

    /// Stops a showtime's actor (after its pending writes) so that the next request loads
    /// the showtime from storage again; for example after it was deleted, which then
    /// answers `ShowtimeNotFound`. Does nothing if no actor runs.
    pub async fn evict(&self, showtime: ShowtimeId) {
        let Some(handle) = self.registry.running(showtime) else { return };
        let (tx, rx) = oneshot::channel();
        if handle.send(Command::Stop { reply: tx }).is_ok() {
            let _ = tokio::time::timeout(self.timeout(), rx).await;
        }
        self.registry.forget(showtime, handle.generation());
    }

    /// Number of showtime actors alive.
    #[must_use]
    pub fn live_actors(&self) -> usize {
        self.registry.len()
    }

    /// Commands queued in all showtime mailboxes.
    #[must_use]
    pub fn mailbox_depth(&self) -> usize {
        self.registry.mailbox_depth()
    }

    /// Stops every actor after it has flushed its pending batch, then the actor threads.
    pub async fn shutdown(&self) {
        if let Ok(mut slot) = self.settler.lock()
            && let Some(task) = slot.take()
        {
            task.abort();
        }
        let mut waiting = Vec::new();
        for handle in self.registry.handles() {
            let (tx, rx) = oneshot::channel();
            if handle.send(Command::Stop { reply: tx }).is_ok() {
                waiting.push(rx);
            }
        }
        for rx in waiting {
            let _ = tokio::time::timeout(self.timeout(), rx).await;
        }
        let arbiters = self.arbiters.lock().map(|mut a| std::mem::take(&mut *a)).unwrap_or_default();
        for arbiter in arbiters {
            arbiter.stop();
            let _ = arbiter.join();
        }
    }
}

/// Records how long a decision took and how it ended.
fn observe<T>(kind: &'static str, started: Instant, result: &Result<T, EngineError>) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    };
    metrics::histogram!("boxoffice_decision_seconds", "kind" => kind).record(started.elapsed().as_secs_f64());
    metrics::counter!("boxoffice_decisions_total", "kind" => kind, "outcome" => outcome).increment(1);
}
