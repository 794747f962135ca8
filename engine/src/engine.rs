//! The engine facade: the only way callers reach showtime actors. It routes each request
//! to its showtime's actor through the registry and runs the two sagas that span more than
//! one owner: purchase (seats, then wallet, then seats) and cancellation (seats, then
//! refund).

use std::sync::Arc;

use boxoffice_storage::{Booking, BookingId, Currency, CustomerId, HoldId, Showtime, ShowtimeId, Storage};

use crate::clock::Clock;
use crate::config::EngineConfig;
use crate::error::EngineError;
use crate::view::{HoldRequest, HoldView, Requester, SeatMapView, ShowtimeCancellation, TierChoice};

/// Handle to the booking engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    storage: Arc<dyn Storage>,
    config: Arc<EngineConfig>,
    clock: Arc<dyn Clock>,
    currency: Currency,
}

impl Engine {
    /// Starts the engine. Must be called inside a running actix `System`.
    #[must_use]
    pub fn start(storage: Arc<dyn Storage>, config: EngineConfig, clock: Arc<dyn Clock>, currency: Currency) -> Self {
        Self { storage, config: Arc::new(config), clock, currency }
    }

    /// The seat map of a showtime, from the actor's memory.
    ///
    /// # Errors
    /// `ShowtimeNotFound`, `Overloaded`, `Timeout`, `StorageUnavailable` (while loading).
    pub async fn seat_map(&self, showtime: ShowtimeId) -> Result<SeatMapView, EngineError> {
        let _ = (showtime, &self.storage, &self.config, &self.clock, self.currency);
        todo!()
    }

    /// Holds seats or a quantity for `owner`, replacing their previous hold on this showtime.
    ///
    /// # Errors
    /// `SeatsUnavailable`, `SoldOut`, `UnknownSeats`, `InvalidRequest`, `NotOnSale`, ...
    pub async fn hold(&self, showtime: ShowtimeId, owner: CustomerId, request: HoldRequest) -> Result<HoldView, EngineError> {
        let _ = (showtime, owner, request);
        todo!()
    }

    /// The owner's current hold on a showtime, if any.
    ///
    /// # Errors
    /// `ShowtimeNotFound`, `Overloaded`, `Timeout`.
    pub async fn current_hold(&self, showtime: ShowtimeId, owner: CustomerId) -> Result<Option<HoldView>, EngineError> {
        let _ = (showtime, owner);
        todo!()
    }

    /// Releases the owner's hold.
    ///
    /// # Errors
    /// `HoldNotFound` if the hold is not the owner's or has ended.
    pub async fn release(&self, showtime: ShowtimeId, owner: CustomerId, hold: HoldId) -> Result<(), EngineError> {
        let _ = (showtime, owner, hold);
        todo!()
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
        let _ = (showtime, owner, hold, tiers);
        todo!()
    }

    /// Cancels a booking and refunds it to the wallet.
    ///
    /// # Errors
    /// `BookingNotFound` (also for another customer's booking), `CancellationClosed`,
    /// `AlreadyCancelled`.
    pub async fn cancel_booking(&self, booking: BookingId, requester: Requester) -> Result<Booking, EngineError> {
        let _ = (booking, requester);
        todo!()
    }

    /// Cancels a whole showtime: ends every hold, cancels and refunds every booking.
    ///
    /// # Errors
    /// `ShowtimeNotFound`, `StorageUnavailable`.
    pub async fn cancel_showtime(&self, showtime: ShowtimeId) -> Result<ShowtimeCancellation, EngineError> {
        let _ = showtime;
        todo!()
    }

    /// Tells a running actor that its showtime's details changed (reschedule, prices).
    ///
    /// # Errors
    /// `Overloaded`, `Timeout`.
    pub async fn showtime_changed(&self, showtime: Showtime) -> Result<(), EngineError> {
        let _ = showtime;
        todo!()
    }

    /// Blocks seats (staff): they cannot be held until unblocked.
    ///
    /// # Errors
    /// `UnknownSeats`, `SeatsUnavailable` (held or sold seats cannot be blocked).
    pub async fn block_seats(&self, showtime: ShowtimeId, seats: Vec<String>, blocked: bool) -> Result<(), EngineError> {
        let _ = (showtime, seats, blocked);
        todo!()
    }

    /// Refunds payments left unsettled by a crash. Call once at start, before traffic.
    ///
    /// # Errors
    /// `StorageUnavailable`.
    pub async fn settle_unsettled_payments(&self) -> Result<usize, EngineError> {
        todo!()
    }

    /// Number of showtime actors alive.
    #[must_use]
    pub fn live_actors(&self) -> usize {
        0
    }

    /// Stops every actor after it has flushed its pending batch.
    pub async fn shutdown(&self) {}
}
