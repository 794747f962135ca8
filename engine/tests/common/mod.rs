//! Test support: a real SQLite store in a temporary directory, a catalog with one seated
//! and one general-admission showtime, and a storage wrapper that can fail journal writes
//! on demand (to test the undo path) and counts them (to see group commit).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use async_trait::async_trait;
use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
use boxoffice_storage::*;

/// Delegates to a real store; `fail_journal` makes `append_journal` fail.
pub struct FlakyStorage {
    pub inner: Arc<SqliteStorage>,
    pub fail_journal: AtomicBool,
    /// Fails this many next journal writes, then lets them through.
    pub fail_next_journal_writes: AtomicU64,
    pub journal_writes: AtomicU64,
    /// Bookings read by id.
    pub booking_reads: AtomicU64,
}

impl FlakyStorage {
    /// Counts a journal write and fails it if a failure is injected.
    fn injected_failure(&self) -> StorageResult<()> {
        self.journal_writes.fetch_add(1, Ordering::SeqCst);
        let countdown =
            self.fail_next_journal_writes.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if self.fail_journal.load(Ordering::SeqCst) || countdown.is_ok() {
            return Err(StorageError::Unavailable("injected failure".into()));
        }
        Ok(())
    }

    pub fn open(dir: &Path) -> Arc<Self> {
        let inner = SqliteStorage::open(SqliteOptions::new(dir.join("boxoffice.db"))).expect("open sqlite");
        Arc::new(Self {
            inner: Arc::new(inner),
            fail_journal: AtomicBool::new(false),
            fail_next_journal_writes: AtomicU64::new(0),
            journal_writes: AtomicU64::new(0),
            booking_reads: AtomicU64::new(0),
        })
    }
}

#[async_trait]
impl Storage for FlakyStorage {
    async fn insert_film(&self, f: &Film) -> StorageResult<()> {
        self.inner.insert_film(f).await
    }
    async fn update_film(&self, f: &Film) -> StorageResult<()> {
        self.inner.update_film(f).await
    }
    async fn film(&self, id: FilmId) -> StorageResult<Option<Film>> {
        self.inner.film(id).await
    }
    async fn list_films(&self, f: &FilmFilter, p: PageRequest) -> StorageResult<Page<Film>> {
        self.inner.list_films(f, p).await
    }
    async fn delete_film(&self, id: FilmId, at: Timestamp) -> StorageResult<()> {
        self.inner.delete_film(id, at).await
    }
    async fn insert_auditorium(&self, a: &Auditorium) -> StorageResult<()> {
        self.inner.insert_auditorium(a).await
    }
    async fn update_auditorium(&self, a: &Auditorium) -> StorageResult<()> {
        self.inner.update_auditorium(a).await
    }
    async fn auditorium(&self, id: AuditoriumId) -> StorageResult<Option<Auditorium>> {
        self.inner.auditorium(id).await
    }
    async fn list_auditoriums(&self, p: PageRequest) -> StorageResult<Page<Auditorium>> {
        self.inner.list_auditoriums(p).await
    }
    async fn delete_auditorium(&self, id: AuditoriumId, at: Timestamp) -> StorageResult<()> {
        self.inner.delete_auditorium(id, at).await
    }
    async fn insert_showtime(&self, s: &Showtime) -> StorageResult<()> {
        self.inner.insert_showtime(s).await
    }
    async fn update_showtime(&self, s: &Showtime) -> StorageResult<()> {
        self.inner.update_showtime(s).await
    }
    async fn showtime(&self, id: ShowtimeId) -> StorageResult<Option<Showtime>> {
        self.inner.showtime(id).await
    }
    async fn list_showtimes(&self, f: &ShowtimeFilter, p: PageRequest) -> StorageResult<Page<Showtime>> {
        self.inner.list_showtimes(f, p).await
    }
    async fn delete_showtime(&self, id: ShowtimeId, at: Timestamp) -> StorageResult<()> {
        self.inner.delete_showtime(id, at).await
    }
    async fn insert_customer(&self, c: &Customer, t: &[u8; 32]) -> StorageResult<()> {
        self.inner.insert_customer(c, t).await
    }
    async fn customer(&self, id: CustomerId) -> StorageResult<Option<Customer>> {
        self.inner.customer(id).await
    }
    async fn customer_by_token(&self, t: &[u8; 32]) -> StorageResult<Option<Customer>> {
        self.inner.customer_by_token(t).await
    }
    async fn apply_ledger(&self, e: &LedgerEntry) -> StorageResult<LedgerOutcome> {
        self.inner.apply_ledger(e).await
    }
    async fn wallet_balance(&self, c: CustomerId, cur: Currency) -> StorageResult<Money> {
        self.inner.wallet_balance(c, cur).await
    }
    async fn ledger(&self, c: CustomerId, p: PageRequest) -> StorageResult<Page<LedgerEntry>> {
        self.inner.ledger(c, p).await
    }
    async fn append_journal(&self, s: ShowtimeId, e: &[JournalEntry]) -> StorageResult<()> {
        self.injected_failure()?;
        self.inner.append_journal(s, e).await
    }
    fn submit_journal(self: Arc<Self>, s: ShowtimeId, e: Vec<JournalEntry>) -> JournalWrite {
        match self.injected_failure() {
            Ok(()) => Arc::clone(&self.inner).submit_journal(s, e),
            Err(error) => Box::pin(std::future::ready(Err(error))),
        }
    }
    fn ordered_journal_writes(&self) -> bool {
        self.inner.ordered_journal_writes()
    }
    async fn load_journal(&self, s: ShowtimeId) -> StorageResult<Vec<JournalEntry>> {
        self.inner.load_journal(s).await
    }
    async fn booking(&self, id: BookingId) -> StorageResult<Option<Booking>> {
        self.booking_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.booking(id).await
    }
    async fn bookings_of_customer(&self, c: CustomerId, p: PageRequest) -> StorageResult<Page<Booking>> {
        self.inner.bookings_of_customer(c, p).await
    }
    async fn bookings_of_showtime(&self, s: ShowtimeId) -> StorageResult<Vec<Booking>> {
        self.inner.bookings_of_showtime(s).await
    }
    async fn unsettled_payments(&self) -> StorageResult<Vec<UnsettledPayment>> {
        self.inner.unsettled_payments().await
    }
    async fn idempotent_response(&self, s: &str, k: &str) -> StorageResult<Option<IdempotentResponse>> {
        self.inner.idempotent_response(s, k).await
    }
    async fn store_idempotent_response(&self, s: &str, k: &str, r: &IdempotentResponse) -> StorageResult<()> {
        self.inner.store_idempotent_response(s, k, r).await
    }
    async fn purge_idempotent_responses(&self, before: Timestamp) -> StorageResult<u64> {
        self.inner.purge_idempotent_responses(before).await
    }
    async fn ping(&self) -> StorageResult<()> {
        self.inner.ping().await
    }
    async fn backup(&self, d: &Path) -> StorageResult<()> {
        self.inner.backup(d).await
    }
}

/// Ids of the test catalog.
pub struct Catalog {
    pub seated: ShowtimeId,
    pub general: ShowtimeId,
    pub starts_at: Timestamp,
}

pub const NOW_MS: i64 = 1_900_000_000_000;

/// A film, a 3x6 auditorium, a seated showtime and a 5-ticket general-admission showtime,
/// both starting in 10 hours; full 12.00, child 7.00 EUR.
pub async fn catalog(storage: &dyn Storage) -> Catalog {
    let film: FilmDraft = serde_json::from_value(serde_json::json!({
        "title": "Test", "director": "Someone", "duration_minutes": 100
    }))
    .unwrap();
    let film = Film { id: FilmId::new(), details: film, created_at: Timestamp::from_millis(NOW_MS) };
    storage.insert_film(&film).await.unwrap();
    let layout: SeatLayout = serde_json::from_value(serde_json::json!({"rows": [
        {"label": "A", "seats": "SSS_SSS"}, {"label": "B", "seats": "SSS_SSS"}, {"label": "C", "seats": "SSS_SSS"}
    ]}))
    .unwrap();
    let auditorium = Auditorium {
        id: AuditoriumId::new(),
        capacity: 18,
        details: AuditoriumDraft { name: "Room".into(), layout, equipment: vec![] },
    };
    storage.insert_auditorium(&auditorium).await.unwrap();
    let starts_at = Timestamp::from_millis(NOW_MS + 10 * 3_600_000);
    let prices = PriceList {
        currency: Currency::EUR,
        tiers: vec![
            PriceTier { tier: "full".into(), price_minor: 1200 },
            PriceTier { tier: "child".into(), price_minor: 700 },
        ],
    };
    let mut ids = Vec::new();
    for (i, seating) in [Seating::Reserved, Seating::GeneralAdmission { capacity: 5 }].into_iter().enumerate() {
        let start = starts_at.plus_millis(i as i64 * 4 * 3_600_000);
        let showtime = Showtime {
            id: ShowtimeId::new(),
            details: ShowtimeDraft {
                film_id: film.id,
                auditorium_id: auditorium.id,
                starts_at: start,
                version: catalog::Version::Vost,
                format: catalog::Format::TwoD,
                prices: prices.clone(),
                seating,
            },
            ends_at: start.plus_millis(115 * 60_000),
            status: ShowtimeStatus::Scheduled,
        };
        storage.insert_showtime(&showtime).await.unwrap();
        ids.push(showtime.id);
    }
    Catalog { seated: ids[0], general: ids[1], starts_at }
}

/// A customer with `credit_minor` in the wallet.
pub async fn customer(storage: &dyn Storage, credit_minor: i64) -> CustomerId {
    let id = CustomerId::new();
    let c = Customer {
        id,
        name: "C".into(),
        email: format!("{id}@example.test"),
        created_at: Timestamp::from_millis(NOW_MS),
    };
    let mut token = [0u8; 32];
    token[..16].copy_from_slice(id.as_uuid().as_bytes());
    storage.insert_customer(&c, &token).await.unwrap();
    let credit = LedgerEntry {
        customer_id: id,
        amount: Money::new(credit_minor, Currency::EUR),
        kind: LedgerKind::Credit,
        reference: format!("credit:start:{id}"),
        memo: "start".into(),
        at: Timestamp::from_millis(NOW_MS),
    };
    storage.apply_ledger(&credit).await.unwrap();
    id
}
