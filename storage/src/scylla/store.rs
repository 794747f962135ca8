//! [`Storage`] for [`ScyllaStorage`]. Every write is durable at the configured consistency
//! when answered; there is no local queue to flush.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

use super::catalog::{AUDITORIUM, FILM, auditorium_id, film_id};
use super::filter;
use super::session::ScyllaStorage;
use crate::catalog::{Auditorium, Film, FilmFilter, Page, PageRequest, Showtime, ShowtimeFilter};
use crate::error::{StorageError, StorageResult};
use crate::ids::{AuditoriumId, BookingId, CustomerId, FilmId, ShowtimeId};
use crate::journal::{Booking, JournalEntry};
use crate::money::{Currency, Money};
use crate::ownership::ShowtimeOwner;
use crate::time::Timestamp;
use crate::wallet::{Customer, LedgerEntry, LedgerOutcome, UnsettledPayment};
use crate::{IdempotentResponse, JournalWrite, Storage};

#[async_trait]
impl Storage for ScyllaStorage {
    async fn insert_film(&self, film: &Film) -> StorageResult<()> {
        self.catalog_insert(FILM, film_id(film), film).await
    }

    async fn update_film(&self, film: &Film) -> StorageResult<()> {
        self.catalog_update(FILM, film_id(film), film).await
    }

    async fn film(&self, id: FilmId) -> StorageResult<Option<Film>> {
        self.catalog_get(FILM, id.as_uuid()).await
    }

    async fn list_films(&self, filter: &FilmFilter, page: PageRequest) -> StorageResult<Page<Film>> {
        let mut films: Vec<Film> = self.catalog_list(FILM).await?;
        films.retain(|f| filter::film_matches(f, filter));
        filter::sort_films(&mut films);
        Ok(filter::paginate(films, page))
    }

    async fn delete_film(&self, id: FilmId, at: Timestamp) -> StorageResult<()> {
        self.catalog_delete(FILM, id.as_uuid(), at).await
    }

    async fn insert_auditorium(&self, auditorium: &Auditorium) -> StorageResult<()> {
        self.catalog_insert(AUDITORIUM, auditorium_id(auditorium), auditorium).await
    }

    async fn update_auditorium(&self, auditorium: &Auditorium) -> StorageResult<()> {
        self.catalog_update(AUDITORIUM, auditorium_id(auditorium), auditorium).await
    }

    async fn auditorium(&self, id: AuditoriumId) -> StorageResult<Option<Auditorium>> {
        self.catalog_get(AUDITORIUM, id.as_uuid()).await
    }

    async fn list_auditoriums(&self, page: PageRequest) -> StorageResult<Page<Auditorium>> {
        let mut rooms: Vec<Auditorium> = self.catalog_list(AUDITORIUM).await?;
        rooms.sort_by(|a, b| a.details.name.cmp(&b.details.name).then_with(|| a.id.cmp(&b.id)));
        Ok(filter::paginate(rooms, page))
    }

    async fn delete_auditorium(&self, id: AuditoriumId, at: Timestamp) -> StorageResult<()> {
        self.catalog_delete(AUDITORIUM, id.as_uuid(), at).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime.id))]
    async fn insert_showtime(&self, showtime: &Showtime) -> StorageResult<()> {
        if self.showtime_get(showtime.id).await?.is_some() {
            return Err(StorageError::Duplicate("id"));
        }
        self.showtime_put(showtime, None).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime.id))]
    async fn update_showtime(&self, showtime: &Showtime) -> StorageResult<()> {
        let previous = self
            .showtime_get(showtime.id)
            .await?
            .ok_or_else(|| StorageError::NotFound { entity: "showtime", id: showtime.id.to_string() })?;
        self.showtime_put(showtime, Some(&previous)).await
    }

    async fn showtime(&self, id: ShowtimeId) -> StorageResult<Option<Showtime>> {
        self.showtime_get(id).await
    }

    async fn list_showtimes(&self, filter: &ShowtimeFilter, page: PageRequest) -> StorageResult<Page<Showtime>> {
        Ok(filter::paginate(self.showtimes_matching(filter).await?, page))
    }

    async fn delete_showtime(&self, id: ShowtimeId, at: Timestamp) -> StorageResult<()> {
        self.showtime_delete(id, at).await
    }

    async fn insert_customer(&self, customer: &Customer, token_sha256: &[u8; 32]) -> StorageResult<()> {
        self.insert_customer_row(customer, token_sha256).await
    }

    async fn customer(&self, id: CustomerId) -> StorageResult<Option<Customer>> {
        self.customer_row(id).await
    }

    async fn customer_by_token(&self, token_sha256: &[u8; 32]) -> StorageResult<Option<Customer>> {
        self.customer_of_token(token_sha256).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(reference = %entry.reference))]
    async fn apply_ledger(&self, entry: &LedgerEntry) -> StorageResult<LedgerOutcome> {
        self.apply(entry).await
    }

    async fn wallet_balance(&self, customer: CustomerId, currency: Currency) -> StorageResult<Money> {
        let wallet = self.wallet(customer).await?;
        Ok(Money::new(wallet.balances.get(currency.as_str()).copied().unwrap_or(0), currency))
    }

    async fn ledger(&self, customer: CustomerId, page: PageRequest) -> StorageResult<Page<LedgerEntry>> {
        let wallet = self.wallet(customer).await?;
        Ok(filter::paginate(wallet.entries.into_iter().map(|(_, e)| e).collect(), page))
    }

    async fn append_journal(&self, showtime: ShowtimeId, entries: &[JournalEntry]) -> StorageResult<()> {
        self.append(showtime, 0, entries).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime, epoch, entries = entries.len()))]
    async fn append_journal_fenced(
        &self,
        showtime: ShowtimeId,
        epoch: u64,
        entries: &[JournalEntry],
    ) -> StorageResult<()> {
        self.append(showtime, epoch, entries).await
    }

    fn submit_journal_fenced(
        self: Arc<Self>,
        showtime: ShowtimeId,
        epoch: u64,
        entries: Vec<JournalEntry>,
    ) -> JournalWrite {
        Box::pin(async move { self.append(showtime, epoch, &entries).await })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime, node))]
    async fn acquire_showtime(&self, showtime: ShowtimeId, node: &str) -> StorageResult<u64> {
        self.acquire(showtime, node).await
    }

    async fn showtime_owner(&self, showtime: ShowtimeId) -> StorageResult<Option<ShowtimeOwner>> {
        self.owner(showtime).await
    }

    async fn load_journal(&self, showtime: ShowtimeId) -> StorageResult<Vec<JournalEntry>> {
        self.journal_after(showtime, 0).await
    }

    async fn load_journal_after(&self, showtime: ShowtimeId, after: u64) -> StorageResult<Vec<JournalEntry>> {
        self.journal_after(showtime, after).await
    }

    async fn booking(&self, id: BookingId) -> StorageResult<Option<Booking>> {
        self.booking_by_id(id).await
    }

    async fn bookings_of_customer(&self, customer: CustomerId, page: PageRequest) -> StorageResult<Page<Booking>> {
        Ok(filter::paginate(self.bookings_of_customer_all(customer).await?, page))
    }

    async fn bookings_of_showtime(&self, showtime: ShowtimeId) -> StorageResult<Vec<Booking>> {
        self.bookings_of(showtime).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unsettled_payments(&self) -> StorageResult<Vec<UnsettledPayment>> {
        self.unsettled().await
    }

    async fn idempotent_response(&self, scope: &str, key: &str) -> StorageResult<Option<IdempotentResponse>> {
        self.idempotent_get(scope, key).await
    }

    async fn store_idempotent_response(
        &self,
        scope: &str,
        key: &str,
        response: &IdempotentResponse,
    ) -> StorageResult<()> {
        self.idempotent_put(scope, key, response).await
    }

    async fn purge_idempotent_responses(&self, before: Timestamp) -> StorageResult<u64> {
        // Rows expire by themselves (`default_time_to_live` of 7 days): nothing to scan.
        let _ = before;
        Ok(0)
    }

    async fn ping(&self) -> StorageResult<()> {
        self.run(super::statements::Bound::new(super::statements::Stmt::Ping, Vec::new())).await.map(|_| ())
    }

    async fn backup(&self, destination: &Path) -> StorageResult<()> {
        Err(StorageError::Unavailable(format!(
            "boxoffice backup copies SQLite files; back a ScyllaDB keyspace up with `nodetool snapshot` or \
             Scylla Manager (not written to {})",
            destination.display()
        )))
    }
}
