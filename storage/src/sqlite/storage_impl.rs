//! [`Storage`] for [`SqliteStorage`]: writes are queued to the writer thread, reads run on
//! the reader pool.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

use super::write_catalog::Table;
use super::{
    SqliteStorage, backup, notices, ownership, read_catalog, read_journal, read_wallet, write_catalog, write_journal,
    write_wallet,
};
use crate::catalog::{Auditorium, Film, FilmFilter, Page, PageRequest, Showtime, ShowtimeFilter};
use crate::error::StorageResult;
use crate::ids::{AuditoriumId, BookingId, CustomerId, FilmId, ShowtimeId};
use crate::journal::{Booking, JournalEntry};
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use crate::wallet::{Customer, LedgerEntry, LedgerOutcome, UnsettledPayment};
use crate::{IdempotentResponse, JournalWrite, Storage};

#[async_trait]
impl Storage for SqliteStorage {
    async fn insert_film(&self, film: &Film) -> StorageResult<()> {
        let film = film.clone();
        self.write(move |c| write_catalog::insert_film(c, &film)).await
    }

    async fn update_film(&self, film: &Film) -> StorageResult<()> {
        let film = film.clone();
        self.write(move |c| write_catalog::update_film(c, &film)).await
    }

    async fn film(&self, id: FilmId) -> StorageResult<Option<Film>> {
        self.read(move |c| read_catalog::film(c, id)).await
    }

    async fn list_films(&self, filter: &FilmFilter, page: PageRequest) -> StorageResult<Page<Film>> {
        let filter = filter.clone();
        self.read(move |c| read_catalog::list_films(c, &filter, page)).await
    }

    async fn delete_film(&self, id: FilmId, at: Timestamp) -> StorageResult<()> {
        self.write(move |c| write_catalog::soft_delete(c, Table::Films, id.to_string(), at)).await
    }

    async fn insert_auditorium(&self, auditorium: &Auditorium) -> StorageResult<()> {
        let auditorium = auditorium.clone();
        self.write(move |c| write_catalog::insert_auditorium(c, &auditorium)).await
    }

    async fn update_auditorium(&self, auditorium: &Auditorium) -> StorageResult<()> {
        let auditorium = auditorium.clone();
        self.write(move |c| write_catalog::update_auditorium(c, &auditorium)).await
    }

    async fn auditorium(&self, id: AuditoriumId) -> StorageResult<Option<Auditorium>> {
        self.read(move |c| read_catalog::auditorium(c, id)).await
    }

    async fn list_auditoriums(&self, page: PageRequest) -> StorageResult<Page<Auditorium>> {
        self.read(move |c| read_catalog::list_auditoriums(c, page)).await
    }

    async fn delete_auditorium(&self, id: AuditoriumId, at: Timestamp) -> StorageResult<()> {
        self.write(move |c| write_catalog::soft_delete(c, Table::Auditoriums, id.to_string(), at)).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime.id))]
    async fn insert_showtime(&self, showtime: &Showtime) -> StorageResult<()> {
        let showtime = showtime.clone();
        self.write(move |c| write_catalog::insert_showtime(c, &showtime)).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime.id))]
    async fn update_showtime(&self, showtime: &Showtime) -> StorageResult<()> {
        let showtime = showtime.clone();
        self.write(move |c| write_catalog::update_showtime(c, &showtime)).await
    }

    async fn showtime(&self, id: ShowtimeId) -> StorageResult<Option<Showtime>> {
        self.read(move |c| read_catalog::showtime(c, id)).await
    }

    async fn list_showtimes(&self, filter: &ShowtimeFilter, page: PageRequest) -> StorageResult<Page<Showtime>> {
        let filter = filter.clone();
        self.read(move |c| read_catalog::list_showtimes(c, &filter, page)).await
    }

    async fn delete_showtime(&self, id: ShowtimeId, at: Timestamp) -> StorageResult<()> {
        self.write(move |c| write_catalog::soft_delete(c, Table::Showtimes, id.to_string(), at)).await
    }

    async fn insert_customer(&self, customer: &Customer, token_sha256: &[u8; 32]) -> StorageResult<()> {
        let (customer, token) = (customer.clone(), *token_sha256);
        self.write(move |c| write_wallet::insert_customer(c, &customer, &token)).await
    }

    async fn customer(&self, id: CustomerId) -> StorageResult<Option<Customer>> {
        self.read(move |c| read_wallet::customer(c, id)).await
    }

    async fn customer_by_token(&self, token_sha256: &[u8; 32]) -> StorageResult<Option<Customer>> {
        let token = *token_sha256;
        self.read(move |c| read_wallet::customer_by_token(c, token)).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(reference = %entry.reference))]
    async fn apply_ledger(&self, entry: &LedgerEntry) -> StorageResult<LedgerOutcome> {
        let entry = entry.clone();
        self.write(move |c| write_wallet::apply_ledger(c, &entry)).await
    }

    async fn wallet_balance(&self, customer: CustomerId, currency: Currency) -> StorageResult<Money> {
        self.read(move |c| read_wallet::balance(c, &customer.to_string(), currency)).await
    }

    async fn ledger(&self, customer: CustomerId, page: PageRequest) -> StorageResult<Page<LedgerEntry>> {
        self.read(move |c| read_wallet::ledger(c, customer, page)).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime, entries = entries.len()))]
    async fn append_journal(&self, showtime: ShowtimeId, entries: &[JournalEntry]) -> StorageResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        // A gap is refused before it takes a place in the queue.
        write_journal::check_consecutive(entries)?;
        let entries = entries.to_vec();
        self.write(move |c| write_journal::append_journal(c, showtime, &entries)).await
    }

    fn submit_journal(self: Arc<Self>, showtime: ShowtimeId, entries: Vec<JournalEntry>) -> JournalWrite {
        if entries.is_empty() {
            return Box::pin(std::future::ready(Ok(())));
        }
        if let Err(gap) = write_journal::check_consecutive(&entries) {
            return Box::pin(std::future::ready(Err(gap)));
        }
        // Queued now, in call order: the writer applies its queue first in, first out.
        let answer = self.submit(move |c| write_journal::append_journal(c, showtime, &entries));
        Box::pin(answer)
    }

    fn ordered_journal_writes(&self) -> bool {
        true
    }

    fn refunds_cancellations(&self) -> bool {
        true
    }

    fn records_booking_notices(&self) -> bool {
        true
    }

    async fn pending_booking_notices(&self, limit: usize) -> StorageResult<Vec<crate::BookingNotice>> {
        self.read(move |c| notices::pending(c, limit)).await
    }

    async fn acknowledge_booking_notices(&self, id: u64) -> StorageResult<u64> {
        self.write(move |c| notices::acknowledge(c, id)).await
    }

    async fn booking_notices_pending(&self) -> StorageResult<u64> {
        self.read(notices::count).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(showtime_id = %showtime, node))]
    async fn acquire_showtime(&self, showtime: ShowtimeId, node: &str) -> StorageResult<u64> {
        let (node, at) = (node.to_owned(), Timestamp::now());
        self.write(move |c| ownership::acquire(c, showtime, &node, at)).await
    }

    async fn showtime_owner(&self, showtime: ShowtimeId) -> StorageResult<Option<crate::ShowtimeOwner>> {
        self.read(move |c| ownership::owner(c, showtime)).await
    }

    async fn append_journal_fenced(
        &self,
        showtime: ShowtimeId,
        epoch: u64,
        entries: &[JournalEntry],
    ) -> StorageResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        write_journal::check_consecutive(entries)?;
        let entries = entries.to_vec();
        self.write(move |c| fenced_append(c, showtime, epoch, &entries)).await
    }

    fn submit_journal_fenced(
        self: Arc<Self>,
        showtime: ShowtimeId,
        epoch: u64,
        entries: Vec<JournalEntry>,
    ) -> JournalWrite {
        if entries.is_empty() {
            return Box::pin(std::future::ready(Ok(())));
        }
        if let Err(gap) = write_journal::check_consecutive(&entries) {
            return Box::pin(std::future::ready(Err(gap)));
        }
        // Queued now, in call order, like `submit_journal`.
        Box::pin(self.submit(move |c| fenced_append(c, showtime, epoch, &entries)))
    }

    async fn load_journal_after(&self, showtime: ShowtimeId, after: u64) -> StorageResult<Vec<JournalEntry>> {
        self.read(move |c| ownership::journal_after(c, showtime, after)).await
    }

    async fn load_journal(&self, showtime: ShowtimeId) -> StorageResult<Vec<JournalEntry>> {
        self.read(move |c| read_journal::load_journal(c, showtime)).await
    }

    async fn booking(&self, id: BookingId) -> StorageResult<Option<Booking>> {
        self.read(move |c| read_journal::booking(c, id)).await
    }

    async fn bookings_of_customer(&self, customer: CustomerId, page: PageRequest) -> StorageResult<Page<Booking>> {
        self.read(move |c| read_journal::bookings_of_customer(c, customer, page)).await
    }

    async fn bookings_of_showtime(&self, showtime: ShowtimeId) -> StorageResult<Vec<Booking>> {
        self.read(move |c| read_journal::bookings_of_showtime(c, showtime)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unsettled_payments(&self) -> StorageResult<Vec<UnsettledPayment>> {
        self.read(read_journal::unsettled_payments).await
    }

    async fn idempotent_response(&self, scope: &str, key: &str) -> StorageResult<Option<IdempotentResponse>> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.read(move |c| read_wallet::idempotent_response(c, &scope, &key)).await
    }

    async fn store_idempotent_response(
        &self,
        scope: &str,
        key: &str,
        response: &IdempotentResponse,
    ) -> StorageResult<()> {
        let (scope, key, response) = (scope.to_owned(), key.to_owned(), response.clone());
        self.write(move |c| write_wallet::store_idempotent_response(c, &scope, &key, &response)).await
    }

    async fn purge_idempotent_responses(&self, before: Timestamp) -> StorageResult<u64> {
        self.write(move |c| write_wallet::purge_idempotent_responses(c, before)).await
    }

    async fn ping(&self) -> StorageResult<()> {
        self.check_writer()?;
        self.read(read_catalog::ping).await
    }

    #[tracing::instrument(level = "info", skip_all, fields(destination = %destination.display()))]
    async fn backup(&self, destination: &Path) -> StorageResult<()> {
        let destination = destination.to_path_buf();
        let started = std::time::Instant::now();
        self.read(move |c| backup::run(c, &destination)).await?;
        tracing::info!(elapsed_ms = started.elapsed().as_millis(), "sqlite backup written");
        Ok(())
    }
}

/// The epoch check and the append, in the same op of the writer's transaction.
fn fenced_append(
    conn: &rusqlite::Connection,
    showtime: ShowtimeId,
    epoch: u64,
    entries: &[JournalEntry],
) -> StorageResult<()> {
    ownership::check_epoch(conn, showtime, epoch)?;
    write_journal::append_journal(conn, showtime, entries)
}
