//! Ownership, the journal and bookings on ScyllaDB: everything of a showtime lives in its
//! partition of `showtime_log`.

use uuid::Uuid;

use super::batches::{self, Cancelling, Head};
use super::rows::{self, Row, big, text, u64_big, uuid};
use super::session::ScyllaStorage;
use super::statements::{Bound, Stmt};
use crate::error::{StorageError, StorageResult};
use crate::ids::{BookingId, CustomerId, ShowtimeId};
use crate::journal::{Booking, JournalEntry};
use crate::ownership::{NODE_ID_BYTES_MAX, ShowtimeOwner};
use crate::time::Timestamp;

/// Attempts of a take-over that keeps losing races before it gives up.
const ACQUIRE_TRIES_MAX: u32 = 16;

impl ScyllaStorage {
    pub(super) async fn statics(&self, showtime: ShowtimeId) -> StorageResult<rows::LogStatics> {
        let result = self.run(Bound::new(Stmt::LogStatics, vec![uuid(showtime.as_uuid())])).await?;
        rows::log_statics(&result.first_named())
    }

    /// Raises the epoch with a lightweight transaction, retrying lost races.
    pub(super) async fn acquire(&self, showtime: ShowtimeId, node: &str) -> StorageResult<u64> {
        if node.is_empty() || node.len() > NODE_ID_BYTES_MAX {
            return Err(StorageError::Unavailable(format!("a node id must have 1 to {NODE_ID_BYTES_MAX} bytes")));
        }
        let show = uuid(showtime.as_uuid());
        for _ in 0..ACQUIRE_TRIES_MAX {
            let current = self.statics(showtime).await?;
            let now = big(Timestamp::now().as_millis());
            let (bound, epoch) = match current.epoch {
                None => {
                    let next_seq = u64_big("seq", current.next_seq.unwrap_or(0))?;
                    (Bound::new(Stmt::AcquireFirst, vec![big(1), text(node), now, next_seq, show.clone()]), 1)
                }
                Some(e) => {
                    let next = e.saturating_add(1);
                    let values = vec![u64_big("epoch", next)?, text(node), now, show.clone(), u64_big("epoch", e)?];
                    (Bound::new(Stmt::Acquire, values), next)
                }
            };
            if self.run(bound).await?.applied() {
                return Ok(epoch);
            }
        }
        Err(StorageError::Unavailable(format!(
            "showtime {showtime}: take-over lost {ACQUIRE_TRIES_MAX} races in a row"
        )))
    }

    pub(super) async fn owner(&self, showtime: ShowtimeId) -> StorageResult<Option<ShowtimeOwner>> {
        let statics = self.statics(showtime).await?;
        Ok(statics.epoch.map(|epoch| ShowtimeOwner {
            node: statics.owner.unwrap_or_default(),
            epoch,
            acquired_at: Timestamp::from_millis(statics.acquired_at.unwrap_or(0)),
        }))
    }

    /// The group commit: indexes first, then one conditional batch on the partition.
    pub(super) async fn append(&self, showtime: ShowtimeId, epoch: u64, entries: &[JournalEntry]) -> StorageResult<()> {
        let Some(first) = entries.first() else { return Ok(()) };
        check_consecutive(entries)?;
        let expected_last = first.seq.saturating_sub(1);
        let head = if epoch > 0 {
            Head::Fenced { epoch, last: expected_last }
        } else {
            // Unowned writes (single-writer tests): read the head to pick the condition.
            let statics = self.statics(showtime).await?;
            if statics.epoch.is_some() {
                return Err(StorageError::Fenced { showtime, epoch: 0, current: statics.epoch.unwrap_or(0) });
            }
            if statics.next_seq.unwrap_or(0) != expected_last {
                return Err(rows::refused_batch(showtime, 0, first.seq, &statics));
            }
            Head::Unowned { last: statics.next_seq }
        };
        let cancelling = self.cancelling(showtime, entries).await?;
        self.run_each(batches::journal_indexes(showtime, entries, &cancelling)).await?;
        let last = entries.last().map_or(first.seq, |e| e.seq);
        let result = match self.run_batch(batches::journal_batch(showtime, head, entries, &cancelling)?).await {
            Ok(result) => result,
            Err(error) => return self.settle_unknown(showtime, epoch, last, error).await,
        };
        if result.applied() {
            return Ok(());
        }
        let current = rows::log_statics(&result.first_named())?;
        Err(rows::refused_batch(showtime, epoch, first.seq, &current))
    }

    /// A batch whose answer was lost (timeout, connection dropped) may or may not have
    /// applied: a serial read completes any Paxos round in flight and tells. Only this
    /// epoch's owner writes the partition, one batch at a time, so `next_seq` at `last`
    /// means this batch applied.
    async fn settle_unknown(
        &self,
        showtime: ShowtimeId,
        epoch: u64,
        last: u64,
        error: StorageError,
    ) -> StorageResult<()> {
        let read = self.run(Bound::new(Stmt::LogStaticsSerial, vec![uuid(showtime.as_uuid())])).await;
        match read.and_then(|r| rows::log_statics(&r.first_named())) {
            Ok(statics) if statics.epoch.unwrap_or(0) == epoch && statics.next_seq.is_some_and(|n| n >= last) => {
                tracing::info!(showtime_id = %showtime, epoch, last, "a journal batch whose answer was lost did apply");
                Ok(())
            }
            Ok(_) => Err(error),
            // Still unknown: the engine treats the failure as such and reloads on conflict.
            Err(read_error) => {
                tracing::warn!(showtime_id = %showtime, %error, %read_error, "journal batch outcome unknown");
                Err(error)
            }
        }
    }

    /// The bookings a batch cancels, read from the partition (the owner is their only writer).
    async fn cancelling(&self, showtime: ShowtimeId, entries: &[JournalEntry]) -> StorageResult<Vec<Cancelling>> {
        let mut found = Vec::new();
        for booking_id in batches::cancelled_ids(entries) {
            let confirmed_here = entries.iter().find_map(|e| match &e.event {
                crate::journal::SeatEvent::BookingConfirmed { booking } if booking.id == booking_id => {
                    Some(booking.clone())
                }
                _ => None,
            });
            let (record, already) = match confirmed_here {
                Some(record) => (record, false),
                None => {
                    let booking = self
                        .booking_in(showtime, booking_id)
                        .await?
                        .ok_or_else(|| StorageError::NotFound { entity: "booking", id: booking_id.to_string() })?;
                    (booking.record, booking.status == crate::journal::BookingStatus::Cancelled)
                }
            };
            let (payment_id, customer_id) = (record.payment_id.as_uuid(), record.customer_id.as_uuid());
            found.push(Cancelling { booking_id, already, payment_id, customer_id });
        }
        Ok(found)
    }

    pub(super) async fn journal_after(&self, showtime: ShowtimeId, after: u64) -> StorageResult<Vec<JournalEntry>> {
        let rows = self
            .run_all(Bound::new(Stmt::JournalAfter, vec![uuid(showtime.as_uuid()), u64_big("seq", after)?]))
            .await?;
        rows.iter().map(rows::journal_entry).collect()
    }

    pub(super) async fn booking_in(&self, showtime: ShowtimeId, booking: BookingId) -> StorageResult<Option<Booking>> {
        let values = vec![uuid(showtime.as_uuid()), uuid(booking.as_uuid())];
        let result = self.run(Bound::new(Stmt::BookingInShowtime, values)).await?;
        result.rows.first().map(rows::booking).transpose()
    }

    pub(super) async fn booking_by_id(&self, booking: BookingId) -> StorageResult<Option<Booking>> {
        let index = self.run(Bound::new(Stmt::BookingIndexGet, vec![uuid(booking.as_uuid())])).await?;
        let Some(row) = index.rows.first() else { return Ok(None) };
        let showtime = ShowtimeId::from_uuid(rows::get_uuid(row, 0, "booking showtime")?);
        self.booking_in(showtime, booking).await
    }

    pub(super) async fn bookings_of(&self, showtime: ShowtimeId) -> StorageResult<Vec<Booking>> {
        let rows = self.run_all(Bound::new(Stmt::BookingsOfShowtime, vec![uuid(showtime.as_uuid())])).await?;
        let mut bookings: Vec<Booking> = rows.iter().map(rows::booking).collect::<StorageResult<_>>()?;
        bookings
            .sort_by(|a, b| a.record.created_at.cmp(&b.record.created_at).then_with(|| a.record.id.cmp(&b.record.id)));
        Ok(bookings)
    }

    /// A customer's bookings, newest first, each read through to its showtime's partition.
    pub(super) async fn bookings_of_customer_all(&self, customer: CustomerId) -> StorageResult<Vec<Booking>> {
        let index = self.run_all(Bound::new(Stmt::CustomerBookings, vec![uuid(customer.as_uuid())])).await?;
        let mut bookings = Vec::with_capacity(index.len());
        for row in &index {
            let booking = BookingId::from_uuid(rows::get_uuid(row, 0, "booking id")?);
            let showtime = ShowtimeId::from_uuid(rows::get_uuid(row, 1, "booking showtime")?);
            if let Some(found) = self.booking_in(showtime, booking).await? {
                bookings.push(found);
            }
        }
        bookings
            .sort_by(|a, b| b.record.created_at.cmp(&a.record.created_at).then_with(|| b.record.id.cmp(&a.record.id)));
        Ok(bookings)
    }

    /// The booking of a payment, through `booking_by_payment` to the partition.
    pub(super) async fn booking_of_payment(&self, payment: Uuid) -> StorageResult<Option<Booking>> {
        let index = self.run(Bound::new(Stmt::PaymentBookingGet, vec![uuid(payment)])).await?;
        let Some(row): Option<&Row> = index.rows.first() else { return Ok(None) };
        let booking = BookingId::from_uuid(rows::get_uuid(row, 0, "payment booking")?);
        let showtime = ShowtimeId::from_uuid(rows::get_uuid(row, 1, "payment showtime")?);
        self.booking_in(showtime, booking).await
    }
}

fn check_consecutive(entries: &[JournalEntry]) -> StorageResult<()> {
    for pair in entries.windows(2) {
        let expected = pair[0].seq.saturating_add(1);
        if pair[1].seq != expected {
            return Err(StorageError::SequenceConflict { expected, got: pair[1].seq });
        }
    }
    Ok(())
}
