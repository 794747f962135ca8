//! Persistence for boxoffice.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`ids`], [`money`], [`time`] | newtypes shared by every crate |
//! | [`layout`] | auditorium seat layouts and their validation |
//! | [`catalog`] | films, auditoriums, showtimes, price lists |
//! | [`journal`] | the per-showtime event journal and bookings |
//! | [`wallet`] | customers and their wallet ledger |
//! | [`error`] | [`StorageError`] |
//! | [`sqlite`] | the embedded default backend |
//! | [`conformance`] | the test suite every backend must pass |
//!
//! The [`Storage`] trait is the only way the engine and the gateway reach a database. It
//! knows nothing about actors or HTTP.

pub mod catalog;
pub mod conformance;
pub mod error;
pub mod ids;
pub mod journal;
pub mod layout;
pub mod money;
pub mod sqlite;
pub mod time;
pub mod wallet;

use std::path::Path;

use async_trait::async_trait;

pub use crate::catalog::{
    Auditorium, AuditoriumDraft, FieldError, Film, FilmDraft, FilmFilter, Page, PageRequest, PriceList, PriceTier,
    Seating, Showtime, ShowtimeDraft, ShowtimeFilter, ShowtimeStatus,
};
pub use crate::error::{StorageError, StorageResult};
pub use crate::ids::{AuditoriumId, BookingId, CustomerId, FilmId, HoldId, PaymentId, SeatIndex, ShowtimeId};
pub use crate::journal::{
    Booking, BookingLine, BookingRecord, BookingStatus, CancelReason, HoldEnd, JournalEntry, SeatEvent,
};
pub use crate::layout::{LayoutSpec, SeatKind, SeatLayout};
pub use crate::money::{Currency, Money};
pub use crate::time::Timestamp;
pub use crate::wallet::{Customer, LedgerEntry, LedgerKind, LedgerOutcome, UnsettledPayment};

/// A response remembered for an `Idempotency-Key`, replayed on retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentResponse {
    /// Fingerprint of the request (method, path, body) that produced it; a retry with the
    /// same key but another request is refused.
    pub request_hash: String,
    /// HTTP status code.
    pub status: u16,
    /// Response body.
    pub body: Vec<u8>,
    /// When it was stored (entries are kept for a limited time).
    pub created_at: Timestamp,
}

/// Everything boxoffice persists. Implemented by the SQLite backend (and later ScyllaDB);
/// every implementation must pass [`conformance`].
///
/// Writes are durable when the returned future resolves `Ok`. Catalog "delete" is soft:
/// deleted records disappear from reads and listings but stay for reports.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    // ---- catalog: films ----
    /// Stores a new film.
    async fn insert_film(&self, film: &Film) -> StorageResult<()>;
    /// Replaces a film's details. `NotFound` if absent or deleted.
    async fn update_film(&self, film: &Film) -> StorageResult<()>;
    /// A film that is not deleted.
    async fn film(&self, id: FilmId) -> StorageResult<Option<Film>>;
    /// Films matching `filter`, ordered by title.
    async fn list_films(&self, filter: &FilmFilter, page: PageRequest) -> StorageResult<Page<Film>>;
    /// Soft-deletes a film. `NotFound` if absent or already deleted.
    async fn delete_film(&self, id: FilmId, at: Timestamp) -> StorageResult<()>;

    // ---- catalog: auditoriums ----
    /// Stores a new auditorium.
    async fn insert_auditorium(&self, auditorium: &Auditorium) -> StorageResult<()>;
    /// Replaces an auditorium's details. `NotFound` if absent or deleted.
    async fn update_auditorium(&self, auditorium: &Auditorium) -> StorageResult<()>;
    /// An auditorium that is not deleted.
    async fn auditorium(&self, id: AuditoriumId) -> StorageResult<Option<Auditorium>>;
    /// Auditoriums ordered by name.
    async fn list_auditoriums(&self, page: PageRequest) -> StorageResult<Page<Auditorium>>;
    /// Soft-deletes an auditorium.
    async fn delete_auditorium(&self, id: AuditoriumId, at: Timestamp) -> StorageResult<()>;

    // ---- catalog: showtimes ----
    /// Stores a new showtime, atomically refusing with `Overlap` if a scheduled, non-deleted
    /// showtime in the same auditorium overlaps `[starts_at, ends_at)`.
    async fn insert_showtime(&self, showtime: &Showtime) -> StorageResult<()>;
    /// Replaces a showtime (reschedule, prices, status), with the same overlap rule
    /// (ignoring itself).
    async fn update_showtime(&self, showtime: &Showtime) -> StorageResult<()>;
    /// A showtime that is not deleted.
    async fn showtime(&self, id: ShowtimeId) -> StorageResult<Option<Showtime>>;
    /// Showtimes matching `filter`, ordered by start time.
    async fn list_showtimes(&self, filter: &ShowtimeFilter, page: PageRequest) -> StorageResult<Page<Showtime>>;
    /// Soft-deletes a showtime.
    async fn delete_showtime(&self, id: ShowtimeId, at: Timestamp) -> StorageResult<()>;

    // ---- customers and wallets ----
    /// Stores a customer with the SHA-256 of their bearer token. `Duplicate("email")` if the
    /// email (case-insensitive) is taken.
    async fn insert_customer(&self, customer: &Customer, token_sha256: &[u8; 32]) -> StorageResult<()>;
    /// A customer by id.
    async fn customer(&self, id: CustomerId) -> StorageResult<Option<Customer>>;
    /// The customer whose token hashes to `token_sha256`.
    async fn customer_by_token(&self, token_sha256: &[u8; 32]) -> StorageResult<Option<Customer>>;
    /// Records a wallet movement, at most once per `reference`. A negative amount is a
    /// conditional debit: `InsufficientBalance` (and nothing recorded) if the balance would
    /// go below zero.
    async fn apply_ledger(&self, entry: &LedgerEntry) -> StorageResult<LedgerOutcome>;
    /// The balance of a wallet: the sum of its ledger (zero in `currency` if empty).
    async fn wallet_balance(&self, customer: CustomerId, currency: Currency) -> StorageResult<Money>;
    /// A wallet's ledger, newest first.
    async fn ledger(&self, customer: CustomerId, page: PageRequest) -> StorageResult<Page<LedgerEntry>>;

    // ---- showtime journal and bookings ----
    /// Appends a batch of journal entries of one showtime in one durable write (the group
    /// commit), and updates the booking rows they imply. All or nothing. Entries must
    /// continue the showtime's sequence without gaps.
    async fn append_journal(&self, showtime: ShowtimeId, entries: &[JournalEntry]) -> StorageResult<()>;
    /// A showtime's whole journal in sequence order.
    async fn load_journal(&self, showtime: ShowtimeId) -> StorageResult<Vec<JournalEntry>>;
    /// A booking by id.
    async fn booking(&self, id: BookingId) -> StorageResult<Option<Booking>>;
    /// A customer's bookings, newest first.
    async fn bookings_of_customer(&self, customer: CustomerId, page: PageRequest) -> StorageResult<Page<Booking>>;
    /// All bookings of a showtime.
    async fn bookings_of_showtime(&self, showtime: ShowtimeId) -> StorageResult<Vec<Booking>>;
    /// Payments to refund: debited without a confirmed booking, or whose booking is
    /// cancelled, and with no refund recorded. Called at start-up, before traffic.
    async fn unsettled_payments(&self) -> StorageResult<Vec<UnsettledPayment>>;

    // ---- idempotency ----
    /// The response stored for `(scope, key)`, if any.
    async fn idempotent_response(&self, scope: &str, key: &str) -> StorageResult<Option<IdempotentResponse>>;
    /// Stores the response for `(scope, key)`; keeps the first one if called twice.
    async fn store_idempotent_response(
        &self,
        scope: &str,
        key: &str,
        response: &IdempotentResponse,
    ) -> StorageResult<()>;

    // ---- operations ----
    /// Cheap liveness check of the backend.
    async fn ping(&self) -> StorageResult<()>;
    /// A consistent copy of the whole store at `destination`, taken while it serves.
    async fn backup(&self, destination: &Path) -> StorageResult<()>;
}
