//! Journal, booking and settlement cases.

use super::fixtures::{T0, at, booking, credit, entry, hold, join_all, payment, refund};
use crate::Storage;
use crate::catalog::PageRequest;
use crate::error::StorageError;
use crate::ids::{BookingId, CustomerId, HoldId, PaymentId, SeatIndex, ShowtimeId};
use crate::journal::{Booking, BookingStatus, CancelReason, HoldEnd, SeatEvent};
use crate::money::Currency;
use crate::wallet::UnsettledPayment;

/// Batches append in order and load back whole, per showtime.
pub async fn journal_append_and_load(store: &dyn Storage) {
    let (show, other, who) = (ShowtimeId::new(), ShowtimeId::new(), CustomerId::new());
    assert!(store.load_journal(show).await.expect("load").is_empty(), "a new showtime has no journal");
    let hold_id = HoldId::new();
    let first = vec![
        entry(1, hold(who, 0)),
        entry(2, SeatEvent::HoldEnded { hold_id, reason: HoldEnd::Expired }),
        entry(3, SeatEvent::SeatsBlocked { seats: vec![SeatIndex::new(4), SeatIndex::new(5)] }),
    ];
    store.append_journal(show, &first).await.expect("append 1..=3");
    let second = vec![
        entry(4, SeatEvent::SeatsUnblocked { seats: vec![SeatIndex::new(4)] }),
        entry(5, SeatEvent::ShowtimeClosed),
    ];
    store.append_journal(show, &second).await.expect("append 4..=5");
    store.append_journal(show, &[]).await.expect("an empty batch is a no-op");
    let all: Vec<_> = first.into_iter().chain(second).collect();
    assert_eq!(store.load_journal(show).await.expect("load"), all, "whole journal in order");
    store.append_journal(other, &[entry(1, hold(who, 1))]).await.expect("sequences are per showtime");
    assert_eq!(store.load_journal(other).await.expect("load").len(), 1, "other showtime");
    assert_eq!(store.load_journal(show).await.expect("load"), all, "first showtime unchanged");
}

/// A batch that does not continue the sequence is refused whole.
pub async fn journal_sequence_conflict(store: &dyn Storage) {
    let (show, who) = (ShowtimeId::new(), CustomerId::new());
    let conflict = |expected, got| Err(StorageError::SequenceConflict { expected, got });
    assert_eq!(store.append_journal(show, &[entry(2, hold(who, 0))]).await, conflict(1, 2), "must start at 1");
    let start = vec![entry(1, hold(who, 0)), entry(2, hold(who, 1))];
    store.append_journal(show, &start).await.expect("append 1..=2");
    let replay = [entry(2, hold(who, 2)), entry(3, hold(who, 3))];
    assert_eq!(store.append_journal(show, &replay).await, conflict(3, 2), "overlapping batch");
    assert_eq!(store.append_journal(show, &[entry(4, hold(who, 2))]).await, conflict(3, 4), "gap before");
    let confirmed = booking(show, who, PaymentId::new(), 1250, at(3));
    let gap = [entry(3, SeatEvent::BookingConfirmed { booking: confirmed.clone() }), entry(5, hold(who, 2))];
    let refused = store.append_journal(show, &gap).await;
    assert!(matches!(refused, Err(StorageError::SequenceConflict { .. })), "gap inside the batch: {refused:?}");
    assert_eq!(store.load_journal(show).await.expect("load"), start, "refused batches wrote nothing");
    assert_eq!(store.booking(confirmed.id).await.expect("booking"), None, "nor their bookings");

    let racers = [[entry(3, hold(who, 6))], [entry(3, hold(who, 7))]];
    let outcomes = join_all(racers.iter().map(|batch| store.append_journal(show, batch)).collect()).await;
    let won = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(won, 1, "one of two racing appends wins: {outcomes:?}");
    assert!(outcomes.contains(&conflict(4, 3)), "the loser is told what to expect: {outcomes:?}");
    assert_eq!(store.load_journal(show).await.expect("load").len(), 3, "one entry appended");
}

fn confirmed(record: &crate::BookingRecord) -> Booking {
    Booking { record: record.clone(), status: BookingStatus::Confirmed, cancelled_at: None, cancel_reason: None }
}

/// Booking rows follow `BookingConfirmed` and `BookingCancelled`.
pub async fn bookings_from_journal(store: &dyn Storage) {
    let (s1, s2, ada, bob) = (ShowtimeId::new(), ShowtimeId::new(), CustomerId::new(), CustomerId::new());
    let b1 = booking(s1, ada, PaymentId::new(), 1250, at(1));
    let b2 = booking(s1, ada, PaymentId::new(), 2500, at(2));
    let b3 = booking(s2, ada, PaymentId::new(), 900, at(3));
    let b4 = booking(s1, bob, PaymentId::new(), 1250, at(4));
    let confirm = |b: &crate::BookingRecord| SeatEvent::BookingConfirmed { booking: b.clone() };
    let s1_entries = [entry(1, hold(ada, 0)), entry(2, confirm(&b1)), entry(3, confirm(&b2)), entry(4, confirm(&b4))];
    store.append_journal(s1, &s1_entries).await.expect("append s1");
    store.append_journal(s2, &[entry(1, confirm(&b3))]).await.expect("append s2");

    assert_eq!(store.booking(b1.id).await.expect("booking"), Some(confirmed(&b1)), "confirmed booking");
    assert_eq!(store.booking(BookingId::new()).await.expect("booking"), None, "unknown booking");
    let page = store.bookings_of_customer(ada, PageRequest::default()).await.expect("bookings_of_customer");
    assert_eq!(page.items, [confirmed(&b3), confirmed(&b2), confirmed(&b1)], "newest first");
    assert_eq!(page.total, 3, "customer total");
    let tail = store.bookings_of_customer(ada, PageRequest { offset: 2, limit: 5 }).await.expect("page");
    assert_eq!((tail.items, tail.total), (vec![confirmed(&b1)], 3), "customer pages");
    let mut of_s1 = store.bookings_of_showtime(s1).await.expect("bookings_of_showtime");
    of_s1.sort_by_key(|b| b.record.created_at);
    assert_eq!(of_s1, [confirmed(&b1), confirmed(&b2), confirmed(&b4)], "bookings of a showtime");

    let cancel = SeatEvent::BookingCancelled { booking_id: b2.id, reason: CancelReason::Customer };
    store.append_journal(s1, &[entry(5, cancel)]).await.expect("append cancel");
    let cancelled = Booking {
        record: b2.clone(),
        status: BookingStatus::Cancelled,
        cancelled_at: Some(at(5)),
        cancel_reason: Some(CancelReason::Customer),
    };
    assert_eq!(store.booking(b2.id).await.expect("booking"), Some(cancelled.clone()), "cancelled at the entry's time");
    let page = store.bookings_of_customer(ada, PageRequest::default()).await.expect("bookings_of_customer");
    assert_eq!(page.items, [confirmed(&b3), cancelled, confirmed(&b1)], "cancelled bookings stay listed");
    assert_eq!(store.booking(b4.id).await.expect("booking"), Some(confirmed(&b4)), "others untouched");
}

/// Debits without a booking and cancelled bookings, both without a refund, are unsettled.
pub async fn unsettled_payments(store: &dyn Storage) {
    let (show, who) = (ShowtimeId::new(), CustomerId::new());
    store.apply_ledger(&credit(who, 10_000)).await.expect("credit");
    let [p1, p2, p3, p4, p5] = [(); 5].map(|()| PaymentId::new());
    for (p, minor) in [(p1, 1200), (p2, 800), (p3, 500), (p4, 700), (p5, 600)] {
        store.apply_ledger(&payment(who, minor, p)).await.expect("payment");
    }
    let b1 = booking(show, who, p1, 1200, at(1));
    let b3 = booking(show, who, p3, 500, at(2));
    let b5 = booking(show, who, p5, 600, at(3));
    let cancel =
        |b: &crate::BookingRecord| SeatEvent::BookingCancelled { booking_id: b.id, reason: CancelReason::Staff };
    let events = [
        SeatEvent::BookingConfirmed { booking: b1 },
        SeatEvent::BookingConfirmed { booking: b3.clone() },
        SeatEvent::BookingConfirmed { booking: b5.clone() },
        cancel(&b3),
        cancel(&b5),
    ];
    let entries: Vec<_> = events.into_iter().zip(1..).map(|(event, seq)| entry(seq, event)).collect();
    store.append_journal(show, &entries).await.expect("append");
    store.apply_ledger(&refund(who, 700, p4)).await.expect("refund p4");
    store.apply_ledger(&refund(who, 600, p5)).await.expect("refund p5");

    let unsettled = |payment_id, minor, at| UnsettledPayment {
        payment_id,
        customer_id: who,
        amount: crate::Money::new(minor, Currency::EUR),
        at,
    };
    let mut found = store.unsettled_payments().await.expect("unsettled_payments");
    found.sort_by_key(|u| u.payment_id);
    // A store that refunds cancellations in the journal write has no unrefunded cancellation.
    let p3_unsettled = (!store.refunds_cancellations()).then(|| unsettled(p3, 500, at(4)));
    let mut expected: Vec<_> = [Some(unsettled(p2, 800, T0)), p3_unsettled.clone()].into_iter().flatten().collect();
    expected.sort_by_key(|u| u.payment_id);
    assert_eq!(found, expected, "p2 (no booking, at its debit), p3 (cancelled, at the cancellation, if not refunded)");
    store.apply_ledger(&refund(who, 800, p2)).await.expect("refund p2");
    let found = store.unsettled_payments().await.expect("unsettled_payments");
    assert_eq!(found, Vec::from_iter(p3_unsettled), "a recorded refund settles the payment");
}

/// A store that refunds cancellations in the journal write does it once, with the
/// booking's total, in the same write as the cancellation.
pub async fn cancellation_refunds_atomically(store: &dyn Storage) {
    if !store.refunds_cancellations() {
        return;
    }
    let (show, who) = (ShowtimeId::new(), CustomerId::new());
    store.apply_ledger(&credit(who, 10_000)).await.expect("credit");
    let p = PaymentId::new();
    store.apply_ledger(&payment(who, 1_500, p)).await.expect("payment");
    let b = booking(show, who, p, 1_500, at(1));
    let cancel = SeatEvent::BookingCancelled { booking_id: b.id, reason: CancelReason::Customer };
    let entries = [entry(1, SeatEvent::BookingConfirmed { booking: b.clone() }), entry(2, cancel.clone())];
    store.append_journal(show, &entries).await.expect("append");
    let eur = |minor| crate::Money::new(minor, Currency::EUR);
    assert_eq!(store.wallet_balance(who, Currency::EUR).await.expect("balance"), eur(10_000), "refunded");
    let ledger = store.ledger(who, PageRequest::default()).await.expect("ledger");
    let refunds: Vec<_> = ledger.items.iter().filter(|e| e.kind == crate::LedgerKind::Refund).collect();
    assert_eq!(refunds.len(), 1, "one refund");
    assert_eq!((refunds[0].amount, refunds[0].at), (eur(1_500), at(2)), "the total, at the cancellation");
    assert_eq!(refunds[0].reference, crate::LedgerEntry::refund_reference(p), "keyed by the payment");

    // Cancelling again (a replayed entry) refunds nothing more.
    store.append_journal(show, &[entry(3, cancel)]).await.expect("append again");
    assert_eq!(store.wallet_balance(who, Currency::EUR).await.expect("balance"), eur(10_000), "refunded once");
    assert!(store.unsettled_payments().await.expect("unsettled").is_empty(), "nothing to settle");
}

/// A store that records booking notices does it in the journal write, one per
/// confirmation and one per cancellation that happened (not for a replayed cancellation),
/// in order, until they are acknowledged.
pub async fn booking_notices_follow_the_journal(store: &dyn Storage) {
    if !store.records_booking_notices() {
        return;
    }
    let (show, who) = (ShowtimeId::new(), CustomerId::new());
    store.apply_ledger(&credit(who, 10_000)).await.expect("credit");
    let (p1, p2) = (PaymentId::new(), PaymentId::new());
    store.apply_ledger(&payment(who, 1_000, p1)).await.expect("payment 1");
    store.apply_ledger(&payment(who, 2_000, p2)).await.expect("payment 2");
    let (b1, b2) = (booking(show, who, p1, 1_000, at(1)), booking(show, who, p2, 2_000, at(2)));
    let cancel = SeatEvent::BookingCancelled { booking_id: b1.id, reason: CancelReason::ShowtimeCancelled };
    let entries = [
        entry(1, SeatEvent::BookingConfirmed { booking: b1.clone() }),
        entry(2, SeatEvent::BookingConfirmed { booking: b2.clone() }),
        entry(3, cancel.clone()),
        entry(4, cancel),
    ];
    store.append_journal(show, &entries).await.expect("append");
    let ours = |notices: Vec<crate::BookingNotice>| -> Vec<crate::BookingNotice> {
        notices.into_iter().filter(|n| n.booking.record.showtime_id == show).collect()
    };
    let pending = ours(store.pending_booking_notices(1_000).await.expect("pending"));
    let seen: Vec<_> = pending.iter().map(|n| (n.booking.record.id, n.kind)).collect();
    assert_eq!(
        seen,
        [
            (b1.id, crate::NoticeKind::Confirmed),
            (b2.id, crate::NoticeKind::Confirmed),
            (b1.id, crate::NoticeKind::Cancelled)
        ],
        "one notice per confirmation and per cancellation that happened, in journal order"
    );
    assert!(pending.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
    let cancelled = &pending[2].booking;
    assert_eq!(cancelled.cancel_reason, Some(CancelReason::ShowtimeCancelled), "the booking as it is now");
    assert_eq!(pending[0].booking.cancel_reason, Some(CancelReason::ShowtimeCancelled), "even for the older notice");

    assert!(store.booking_notices_pending().await.expect("count") >= 3, "counted");
    assert!(store.acknowledge_booking_notices(pending[1].id).await.expect("ack") >= 2, "acknowledged up to the second");
    let left = ours(store.pending_booking_notices(1_000).await.expect("pending"));
    assert_eq!(left, pending[2..].to_vec(), "only the cancellation is left");
    store.acknowledge_booking_notices(pending[2].id).await.expect("ack");
    assert!(ours(store.pending_booking_notices(1_000).await.expect("pending")).is_empty(), "all mailed");
}
