//! The batches of the write path, built as plain data ([`Bound`] statements):
//!
//! * a showtime's **group commit**: one conditional batch on the showtime's partition of
//!   `showtime_log`: the head (`next_seq` moves on, `IF epoch = <owner's> AND next_seq =
//!   <expected>`), one row per journal entry, and the booking rows the entries imply. It is
//!   applied whole or not at all, and never for a fenced epoch. Retrying it is harmless:
//!   a batch that was applied moved `next_seq` on, so its retry is refused.
//! * the **indexes** written before that batch (booking by id, by customer, by payment, and
//!   refund candidates). Readers go through them to the partition, so an index entry whose
//!   batch failed is never seen.
//! * a **wallet** movement: one conditional batch on the wallet's partition (`version`
//!   moves on, the balance changes, the entry is keyed by its reference).

use std::collections::BTreeMap;

use super::rows::{Cql, big, enum_name, text, to_json, u64_big, uuid};
use super::statements::{Bound, NO_BOOKING, Stmt, payment_bucket};
use crate::error::{StorageError, StorageResult};
use crate::ids::{BookingId, ShowtimeId};
use crate::journal::{JournalEntry, SeatEvent};
use crate::wallet::LedgerEntry;

/// A booking cancelled by a batch, as read from the partition before the batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cancelling {
    /// The booking.
    pub booking_id: BookingId,
    /// Whether it is already cancelled (the first cancellation stays).
    pub already: bool,
    /// Its payment and customer (for the refund candidate).
    pub payment_id: uuid::Uuid,
    /// Its customer.
    pub customer_id: uuid::Uuid,
}

/// What the head of a journal batch checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    /// An owner's batch: `IF epoch = e AND next_seq = n`.
    Fenced {
        /// The owner's epoch.
        epoch: u64,
        /// The last sequence number it expects stored.
        last: u64,
    },
    /// A batch without ownership (single-writer tests), on a partition never acquired.
    Unowned {
        /// The last sequence number stored (`None`: the partition is empty).
        last: Option<u64>,
    },
}

/// The conditional group-commit batch of `entries` (which must be consecutive).
///
/// # Errors
/// `Corrupt` if a value cannot be encoded.
pub fn journal_batch(
    showtime: ShowtimeId,
    head: Head,
    entries: &[JournalEntry],
    cancelling: &[Cancelling],
) -> StorageResult<Vec<Bound>> {
    let show = showtime.as_uuid();
    let last = entries.last().map_or(0, |e| e.seq);
    let mut batch = Vec::with_capacity(entries.len() * 2 + 1);
    batch.push(match head {
        Head::Fenced { epoch, last: expected } => Bound::new(
            Stmt::JournalHeadFenced,
            vec![u64_big("seq", last)?, uuid(show), u64_big("epoch", epoch)?, u64_big("seq", expected)?],
        ),
        Head::Unowned { last: Some(expected) } => {
            Bound::new(Stmt::JournalHeadUnowned, vec![u64_big("seq", last)?, uuid(show), u64_big("seq", expected)?])
        }
        Head::Unowned { last: None } => Bound::new(Stmt::JournalHeadFirst, vec![u64_big("seq", last)?, uuid(show)]),
    });
    for entry in entries {
        let event = to_json("journal event", &entry.event)?;
        let values =
            vec![uuid(show), u64_big("seq", entry.seq)?, uuid(NO_BOOKING), big(entry.at.as_millis()), text(event)];
        batch.push(Bound::new(Stmt::JournalPut, values));
        match &entry.event {
            SeatEvent::BookingConfirmed { booking } => {
                let values = vec![uuid(show), uuid(booking.id.as_uuid()), text(to_json("booking", booking)?)];
                batch.push(Bound::new(Stmt::BookingPut, values));
            }
            SeatEvent::BookingCancelled { booking_id, reason } => {
                let first = cancelling.iter().find(|c| c.booking_id == *booking_id).is_some_and(|c| !c.already);
                if first {
                    let values = vec![
                        big(entry.at.as_millis()),
                        text(enum_name(reason)?),
                        uuid(show),
                        uuid(booking_id.as_uuid()),
                    ];
                    batch.push(Bound::new(Stmt::BookingCancel, values));
                }
            }
            _ => {}
        }
    }
    Ok(batch)
}

/// The index rows to write before the batch of `entries`.
#[must_use]
pub fn journal_indexes(showtime: ShowtimeId, entries: &[JournalEntry], cancelling: &[Cancelling]) -> Vec<Bound> {
    let show = showtime.as_uuid();
    let mut indexes = Vec::new();
    for entry in entries {
        if let SeatEvent::BookingConfirmed { booking } = &entry.event {
            let (id, customer, payment) =
                (booking.id.as_uuid(), booking.customer_id.as_uuid(), booking.payment_id.as_uuid());
            let created = booking.created_at.as_millis();
            indexes.push(Bound::new(
                Stmt::BookingIndexPut,
                vec![uuid(id), uuid(show), uuid(customer), uuid(payment), big(created)],
            ));
            indexes
                .push(Bound::new(Stmt::CustomerBookingPut, vec![uuid(customer), big(created), uuid(id), uuid(show)]));
            indexes.push(Bound::new(Stmt::PaymentBookingPut, vec![uuid(payment), uuid(id), uuid(show)]));
        }
    }
    for c in cancelling.iter().filter(|c| !c.already) {
        let at = entries.first().map_or(0, |e| e.at.as_millis());
        let values = vec![
            Some(Cql::Int(payment_bucket(c.payment_id))),
            uuid(c.payment_id),
            text("cancel"),
            uuid(c.customer_id),
            big(at),
        ];
        indexes.push(Bound::new(Stmt::CandidatePut, values));
    }
    indexes
}

/// The bookings a batch cancels.
#[must_use]
pub fn cancelled_ids(entries: &[JournalEntry]) -> Vec<BookingId> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            SeatEvent::BookingCancelled { booking_id, .. } => Some(*booking_id),
            _ => None,
        })
        .collect()
}

/// The conditional batch applying `entry` to a wallet at `version` (`None`: new wallet)
/// with `balances` before it; the entry's sequence number is the new version.
///
/// # Errors
/// `Corrupt` on overflow or an unencodable value.
pub fn wallet_batch(
    entry: &LedgerEntry,
    version: Option<i64>,
    balances: &BTreeMap<String, i64>,
) -> StorageResult<Vec<Bound>> {
    let customer = entry.customer_id.as_uuid();
    let currency = entry.amount.currency().as_str().to_owned();
    let mut after = balances.clone();
    let slot = after.entry(currency.clone()).or_insert(0);
    *slot = slot
        .checked_add(entry.amount.amount_minor())
        .ok_or_else(|| StorageError::Corrupt(format!("wallet balance overflows at {}", entry.reference)))?;
    let next = version.unwrap_or(0).saturating_add(1);
    let head = match version {
        None => Bound::new(Stmt::WalletBumpFirst, vec![Some(Cql::Balances(after)), big(next), uuid(customer)]),
        Some(v) => Bound::new(Stmt::WalletBump, vec![Some(Cql::Balances(after)), big(next), uuid(customer), big(v)]),
    };
    let put = Bound::new(
        Stmt::WalletPut,
        vec![
            uuid(customer),
            text(entry.reference.clone()),
            big(next),
            big(entry.amount.amount_minor()),
            text(currency),
            text(enum_name(&entry.kind)?),
            text(entry.memo.clone()),
            big(entry.at.as_millis()),
        ],
    );
    Ok(vec![head, put])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixtures::{booking, entry, hold};
    use crate::ids::{CustomerId, PaymentId};
    use crate::journal::CancelReason;
    use crate::money::{Currency, Money};
    use crate::time::Timestamp;
    use crate::wallet::LedgerKind;

    fn partition_of(bound: &Bound) -> Option<Cql> {
        // The showtime id is the first uuid bound in every statement of the batch.
        bound.values.iter().flatten().find(|v| matches!(v, Cql::Uuid(u) if !u.is_nil())).cloned()
    }

    #[test]
    fn a_group_commit_is_one_single_partition_conditional_batch() {
        let (show, who) = (ShowtimeId::new(), CustomerId::new());
        let confirmed = booking(show, who, PaymentId::new(), 1250, crate::conformance::fixtures::at(1));
        let cancel = SeatEvent::BookingCancelled { booking_id: confirmed.id, reason: CancelReason::Customer };
        let entries = vec![
            entry(5, hold(who, 1)),
            entry(6, SeatEvent::BookingConfirmed { booking: confirmed.clone() }),
            entry(7, cancel),
        ];
        let cancelling = [Cancelling {
            booking_id: confirmed.id,
            already: false,
            payment_id: confirmed.payment_id.as_uuid(),
            customer_id: who.as_uuid(),
        }];
        let batch = journal_batch(show, Head::Fenced { epoch: 3, last: 4 }, &entries, &cancelling).expect("batch");
        let kinds: Vec<Stmt> = batch.iter().map(|b| b.stmt).collect();
        assert_eq!(
            kinds,
            [
                Stmt::JournalHeadFenced,
                Stmt::JournalPut,
                Stmt::JournalPut,
                Stmt::BookingPut,
                Stmt::JournalPut,
                Stmt::BookingCancel
            ]
        );
        assert_eq!(batch[0].values, vec![big(7), uuid(show.as_uuid()), big(3), big(4)], "moves 4 -> 7 if epoch 3");
        assert!(batch.iter().all(|b| partition_of(b) == uuid(show.as_uuid())), "one partition");
        assert!(batch.iter().skip(1).all(|b| !b.stmt.text().contains(" IF ")), "only the head is conditional");
        for b in &batch {
            assert_eq!(b.values.len(), super::super::statements::placeholders(b.stmt), "{:?}", b.stmt);
        }
        let indexes = journal_indexes(show, &entries, &cancelling);
        let kinds: Vec<Stmt> = indexes.iter().map(|b| b.stmt).collect();
        assert_eq!(
            kinds,
            [Stmt::BookingIndexPut, Stmt::CustomerBookingPut, Stmt::PaymentBookingPut, Stmt::CandidatePut]
        );
        let again = [Cancelling { already: true, ..cancelling[0].clone() }];
        let batch = journal_batch(show, Head::Unowned { last: None }, &entries[2..], &again).expect("batch");
        assert_eq!(
            batch.iter().map(|b| b.stmt).collect::<Vec<_>>(),
            [Stmt::JournalHeadFirst, Stmt::JournalPut],
            "first cancellation stays"
        );
        assert_eq!(cancelled_ids(&entries), [confirmed.id]);
    }

    #[test]
    fn a_wallet_movement_is_keyed_by_its_reference() {
        let who = CustomerId::new();
        let entry = LedgerEntry {
            customer_id: who,
            amount: Money::new(-300, Currency::EUR),
            kind: LedgerKind::Payment,
            reference: "payment:p1".into(),
            memo: "m".into(),
            at: Timestamp::from_millis(9),
        };
        let mut before = BTreeMap::new();
        before.insert("EUR".to_owned(), 1000);
        let batch = wallet_batch(&entry, Some(4), &before).expect("batch");
        assert_eq!(batch[0].stmt, Stmt::WalletBump);
        let mut after = before.clone();
        after.insert("EUR".into(), 700);
        assert_eq!(batch[0].values, vec![Some(Cql::Balances(after)), big(5), uuid(who.as_uuid()), big(4)]);
        assert_eq!(
            (batch[1].stmt, batch[1].values[1].clone(), batch[1].values[2].clone()),
            (Stmt::WalletPut, text("payment:p1"), big(5))
        );
        let first = wallet_batch(&entry, None, &BTreeMap::new()).expect("batch");
        assert_eq!(first[0].stmt, Stmt::WalletBumpFirst);
    }
}
