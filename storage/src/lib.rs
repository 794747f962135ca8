//! Persistence for boxoffice.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`ids`], [`money`], [`time`] | newtypes shared by every crate |
//! | [`layout`] | auditorium seat layouts and their validation |
//! | [`catalog`] | films, auditoriums, showtimes, price lists |
//! | [`journal`] | the per-showtime event journal and bookings |
//! | [`wallet`] | customers and their wallet ledger |
//! | [`accounts`], [`audit`] | login accounts, sessions, roles; the staff audit log |
//! | [`ownership`] | which engine node owns a showtime: epochs and fencing |
//! | [`error`] | [`StorageError`] |
//! | [`sqlite`] | the embedded default backend |
//! | [`scylla`] | the ScyllaDB backend (driver glue behind the `scylla` feature) |
//! | [`conformance`] | the test suite every backend must pass |
//!
//! The [`Storage`] trait is the only way the engine and the gateway reach a database. It
//! knows nothing about actors or HTTP.

pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod conformance;
pub mod error;
pub mod field_error;
pub mod ids;
pub mod journal;
pub mod layout;
pub mod money;
pub mod notices;
pub mod ownership;
pub mod reviews;
pub mod scylla;
pub mod sqlite;
pub mod time;
pub mod wallet;

use std::path::Path;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

/// The outcome of a submitted journal batch (see [`Storage::submit_journal`]).
pub type JournalWrite = Pin<Box<dyn Future<Output = StorageResult<()>> + Send>>;

pub use crate::accounts::{
    Account, Accounts, BookingHistoryItem, BookingWhen, Language, Role, Session, SessionKind, Totp,
};
pub use crate::audit::{AuditEntry, AuditFilter};
pub use crate::catalog::{
    Auditorium, AuditoriumDraft, FieldError, Film, FilmDraft, FilmFilter, Page, PageRequest, PriceList, PriceTier,
    Seating, Showtime, ShowtimeDraft, ShowtimeFilter, ShowtimeStatus,
};
pub use crate::error::{StorageError, StorageResult};
pub use crate::field_error::{Param, Reason};
pub use crate::ids::{
    AccountId, AuditoriumId, BookingId, CustomerId, FilmId, HoldId, PaymentId, ReviewId, SeatIndex, ShowtimeId,
};
pub use crate::journal::{
    Booking, BookingLine, BookingRecord, BookingStatus, CancelReason, HoldEnd, JournalEntry, SeatEvent,
};
pub use crate::layout::{LayoutSpec, SeatKind, SeatLayout};
pub use crate::money::{Currency, Money};
pub use crate::notices::{BookingNotice, NoticeKind};
pub use crate::ownership::ShowtimeOwner;
pub use crate::reviews::{Review, ReviewSummary};
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
    /// Submits a journal batch now and resolves when it is durable. A backend that applies
    /// submitted batches in submission order overrides this together with
    /// [`Storage::ordered_journal_writes`], which lets a showtime keep several batches in
    /// flight; the default submits nothing until polled (it calls
    /// [`Storage::append_journal`]), so callers must wait for each batch.
    fn submit_journal(self: Arc<Self>, showtime: ShowtimeId, entries: Vec<JournalEntry>) -> JournalWrite {
        Box::pin(async move { self.append_journal(showtime, &entries).await })
    }
    /// Whether [`Storage::submit_journal`] applies batches in the order they were submitted.
    fn ordered_journal_writes(&self) -> bool {
        false
    }
    /// Whether a journal write that cancels a booking ([`SeatEvent::BookingCancelled`]) also
    /// records its refund (`refund:<payment id>`, the booking's total, to the booking's
    /// customer) in the same atomic write. A backend that does so spares the engine a second
    /// write per cancellation; one that does not (the default) leaves the refund to the
    /// engine, which records it right after the cancellation is durable.
    fn refunds_cancellations(&self) -> bool {
        false
    }
    /// Whether the journal write that confirms or cancels a booking also records a
    /// [`BookingNotice`] for its email, in the same atomic write, for the mailer to read
    /// with [`Storage::pending_booking_notices`]. A backend that does not (the default)
    /// leaves booking emails to an in-memory queue, which a crash or an overflow loses.
    fn records_booking_notices(&self) -> bool {
        false
    }
    /// The oldest `limit` notices not yet acknowledged, oldest first (none by default).
    async fn pending_booking_notices(&self, limit: usize) -> StorageResult<Vec<BookingNotice>> {
        let _ = limit;
        Ok(Vec::new())
    }
    /// Acknowledges (forgets) every notice up to and including `id`; how many.
    async fn acknowledge_booking_notices(&self, id: u64) -> StorageResult<u64> {
        let _ = id;
        Ok(0)
    }
    /// How many notices wait to be mailed (0 by default).
    async fn booking_notices_pending(&self) -> StorageResult<u64> {
        Ok(0)
    }

    // ---- showtime ownership (several engine nodes; see [`ownership`]) ----
    /// Takes ownership of a showtime for `node`: the showtime's epoch becomes one more than
    /// it was (1 the first time), atomically, and is returned. Every later journal write of
    /// an older epoch fails with [`StorageError::Fenced`]. The default (a backend without
    /// fencing, single node only) returns 0 and records nothing.
    async fn acquire_showtime(&self, showtime: ShowtimeId, node: &str) -> StorageResult<u64> {
        let _ = (showtime, node);
        Ok(0)
    }
    /// The current owner of a showtime, if it was ever acquired.
    async fn showtime_owner(&self, showtime: ShowtimeId) -> StorageResult<Option<ShowtimeOwner>> {
        let _ = showtime;
        Ok(None)
    }
    /// [`Storage::append_journal`], refused whole with [`StorageError::Fenced`] unless the
    /// showtime's epoch is still `epoch`. Epoch 0 means "not fenced" (a backend without
    /// ownership); the default ignores the epoch.
    async fn append_journal_fenced(
        &self,
        showtime: ShowtimeId,
        epoch: u64,
        entries: &[JournalEntry],
    ) -> StorageResult<()> {
        let _ = epoch;
        self.append_journal(showtime, entries).await
    }
    /// [`Storage::submit_journal`] with the fence of [`Storage::append_journal_fenced`]. A
    /// backend with ownership that overrides `submit_journal` for ordered writes overrides
    /// this too; the default sends epoch 0 (no ownership) to `submit_journal`, keeping its
    /// ordering.
    fn submit_journal_fenced(
        self: Arc<Self>,
        showtime: ShowtimeId,
        epoch: u64,
        entries: Vec<JournalEntry>,
    ) -> JournalWrite {
        if epoch == 0 {
            return self.submit_journal(showtime, entries);
        }
        Box::pin(async move { self.append_journal_fenced(showtime, epoch, &entries).await })
    }
    /// The journal entries of a showtime with a sequence number above `after`, in order
    /// (what a follower on another node has not seen yet).
    async fn load_journal_after(&self, showtime: ShowtimeId, after: u64) -> StorageResult<Vec<JournalEntry>> {
        let mut entries = self.load_journal(showtime).await?;
        entries.retain(|e| e.seq > after);
        Ok(entries)
    }
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

    /// Deletes stored idempotent responses created before `before`; how many went.
    async fn purge_idempotent_responses(&self, before: Timestamp) -> StorageResult<u64>;

    // ---- operations ----
    /// Cheap liveness check of the backend.
    async fn ping(&self) -> StorageResult<()>;
    /// A consistent copy of the whole store at `destination`, taken while it serves.
    async fn backup(&self, destination: &Path) -> StorageResult<()>;
}
