//! Tests of the showtime actors through the engine facade, on a real SQLite store, with a
//! manual clock (expiry without waiting out the hold time) and injected write failures.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use boxoffice_engine::{
    Engine, EngineConfig, EngineError, HoldRequest, ManualClock, Requester, SeatStatus, TierChoice,
};
use boxoffice_storage::{BookingStatus, Currency, HoldEnd, LedgerKind, SeatEvent, Storage, Timestamp};
use common::{FlakyStorage, NOW_MS};

fn config() -> EngineConfig {
    EngineConfig { arbiters: 0, ..EngineConfig::default() }
}

fn seats(labels: &[&str]) -> HoldRequest {
    HoldRequest::Seats(labels.iter().map(|s| (*s).to_string()).collect())
}

struct Setup {
    _dir: tempfile::TempDir,
    storage: Arc<FlakyStorage>,
    clock: Arc<ManualClock>,
    engine: Engine,
    catalog: common::Catalog,
}

async fn setup(config: EngineConfig) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let storage = FlakyStorage::open(dir.path());
    let catalog = common::catalog(storage.as_ref()).await;
    let clock = ManualClock::starting_at(Timestamp::from_millis(NOW_MS));
    let engine = Engine::start(storage.clone(), config, clock.clone(), Currency::EUR);
    Setup { _dir: dir, storage, clock, engine, catalog }
}

/// The kinds of a customer's ledger entries.
async fn ledger_kinds(s: &Setup, customer: boxoffice_storage::CustomerId) -> Vec<LedgerKind> {
    let page = s.storage.ledger(customer, boxoffice_storage::PageRequest::default()).await.unwrap();
    page.items.iter().map(|e| e.kind).collect()
}

/// Polls `check` until it holds, for at most 5 s (the actor ticks every 250 ms).
async fn eventually<F: AsyncFn() -> bool>(check: F) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached within 5 s");
}

/// The 18 seats of the test room, `A1` to `C6`.
fn all_seats() -> Vec<String> {
    ["A", "B", "C"].iter().flat_map(|r| (1..=6).map(move |n| format!("{r}{n}"))).collect()
}

/// One funded customer per seat, with the seated showtime's actor already started.
async fn one_customer_per_seat(s: &Setup) -> Vec<boxoffice_storage::CustomerId> {
    let mut customers = Vec::new();
    for _ in all_seats() {
        customers.push(common::customer(s.storage.as_ref(), 10_000).await);
    }
    s.engine.seat_map(s.catalog.seated).await.unwrap();
    customers
}

/// Every customer holds its own seat, all at once.
async fn hold_one_seat_each(
    s: &Setup,
    customers: &[boxoffice_storage::CustomerId],
) -> Vec<Result<boxoffice_engine::HoldView, EngineError>> {
    let holds = customers
        .iter()
        .zip(all_seats())
        .map(|(c, l)| s.engine.hold(s.catalog.seated, *c, HoldRequest::Seats(vec![l])));
    futures::future::join_all(holds).await
}

#[actix_rt::test]
async fn a_hold_is_durable_before_it_is_acknowledged() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["A1", "A2"])).await.unwrap();
    assert_eq!(hold.seats, ["A1", "A2"]);
    let journal = s.storage.load_journal(s.catalog.seated).await.unwrap();
    assert!(matches!(&journal[..], [e] if matches!(&e.event, SeatEvent::HoldPlaced { .. })));
    let map = s.engine.seat_map(s.catalog.seated).await.unwrap();
    assert_eq!(map.counts.held, 2);
    assert_eq!(map.seats[0].status, SeatStatus::Held);
}

#[actix_rt::test]
async fn holds_expire_on_the_actor_timer() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    s.engine.hold(s.catalog.seated, alice, seats(&["B3"])).await.unwrap();
    s.clock.advance_ms(7 * 60 * 1000);
    eventually(async || s.engine.seat_map(s.catalog.seated).await.unwrap().counts.held == 0).await;
    // The seat map shows the expiry as soon as it is decided; the journal once it is durable.
    let expired = async || {
        let journal = s.storage.load_journal(s.catalog.seated).await.unwrap();
        journal.iter().any(|e| matches!(e.event, SeatEvent::HoldEnded { reason: HoldEnd::Expired, .. }))
    };
    eventually(expired).await;
}

#[actix_rt::test]
async fn purchase_debits_the_wallet_and_sells_the_seats() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["C1", "C2"])).await.unwrap();
    let tiers = vec![
        TierChoice { seat: Some("C1".into()), tier: "full".into() },
        TierChoice { seat: Some("C2".into()), tier: "child".into() },
    ];
    let booking = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, tiers).await.unwrap();
    assert_eq!(booking.record.total.amount_minor(), 1900);
    assert_eq!(booking.record.reference.len(), 9);
    let balance = s.storage.wallet_balance(alice, Currency::EUR).await.unwrap();
    assert_eq!(balance.amount_minor(), 10_000 - 1900);
    let stored = s.storage.booking(booking.record.id).await.unwrap().unwrap();
    assert_eq!(stored.status, BookingStatus::Confirmed);
    let map = s.engine.seat_map(s.catalog.seated).await.unwrap();
    assert_eq!((map.counts.sold, map.counts.held), (2, 0));
    let again = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await;
    assert_eq!(again.unwrap_err(), EngineError::HoldNotFound, "a hold is bought once");
}

#[actix_rt::test]
async fn concurrent_purchases_of_one_hold_charge_the_wallet_once() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["C3", "C4"])).await.unwrap();
    let attempts = (0..6).map(|_| s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]));
    let results = futures::future::join_all(attempts).await;
    let bought = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(bought, 1, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(refused, EngineError::PaymentInProgress | EngineError::HoldNotFound), "{refused:?}");
    }
    let kinds = ledger_kinds(&s, alice).await;
    assert_eq!(kinds.iter().filter(|k| **k == LedgerKind::Payment).count(), 1, "one debit: {kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == LedgerKind::Refund).count(), 0, "nothing to give back: {kinds:?}");
    assert_eq!(s.storage.wallet_balance(alice, Currency::EUR).await.unwrap().amount_minor(), 10_000 - 2400);
}

#[actix_rt::test]
async fn insufficient_balance_keeps_the_hold_and_the_money() {
    let s = setup(config()).await;
    let poor = common::customer(s.storage.as_ref(), 1000).await;
    let hold = s.engine.hold(s.catalog.seated, poor, seats(&["A5"])).await.unwrap();
    let err = s.engine.purchase(s.catalog.seated, poor, hold.hold_id, vec![]).await.unwrap_err();
    assert!(
        matches!(err, EngineError::InsufficientBalance { balance, needed } if balance.amount_minor() == 1000 && needed.amount_minor() == 1200)
    );
    assert_eq!(s.storage.wallet_balance(poor, Currency::EUR).await.unwrap().amount_minor(), 1000);
    let current = s.engine.current_hold(s.catalog.seated, poor).await.unwrap();
    assert_eq!(current.map(|h| h.hold_id), Some(hold.hold_id), "the hold stays until it expires");
    // The failed payment no longer protects the hold from expiry.
    s.clock.advance_ms(8 * 60 * 1000);
    eventually(async || s.engine.current_hold(s.catalog.seated, poor).await.unwrap().is_none()).await;
}

#[actix_rt::test]
async fn a_paid_purchase_whose_booking_is_not_written_is_refunded() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["B3"])).await.unwrap();
    // The debit goes through; the journal write that would confirm the booking fails.
    s.storage.fail_journal.store(true, Ordering::SeqCst);
    let err = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await.unwrap_err();
    assert!(matches!(err, EngineError::StorageUnavailable(_)), "{err:?}");
    s.storage.fail_journal.store(false, Ordering::SeqCst);
    let refunded = async || s.storage.wallet_balance(alice, Currency::EUR).await.unwrap().amount_minor() == 10_000;
    eventually(refunded).await;
    let kinds = ledger_kinds(&s, alice).await;
    assert_eq!(kinds.iter().filter(|k| **k == LedgerKind::Payment).count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == LedgerKind::Refund).count(), 1, "{kinds:?}");
    // The hold survived the failed write, and buying it again works (and pays once more).
    let booking = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await.unwrap();
    assert_eq!(s.storage.wallet_balance(alice, Currency::EUR).await.unwrap().amount_minor(), 10_000 - 1200);
    assert_eq!(s.storage.booking(booking.record.id).await.unwrap().unwrap().status, BookingStatus::Confirmed);
}

#[actix_rt::test]
async fn cancellation_refunds_and_frees_until_the_cutoff() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let bob = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["B1"])).await.unwrap();
    let booking = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await.unwrap();
    let id = booking.record.id;
    assert_eq!(s.engine.cancel_booking(id, Requester::Customer(bob)).await.unwrap_err(), EngineError::BookingNotFound);
    let cancelled = s.engine.cancel_booking(id, Requester::Customer(alice)).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(s.storage.wallet_balance(alice, Currency::EUR).await.unwrap().amount_minor(), 10_000);
    assert_eq!(
        s.engine.cancel_booking(id, Requester::Customer(alice)).await.unwrap_err(),
        EngineError::AlreadyCancelled
    );
    let map = s.engine.seat_map(s.catalog.seated).await.unwrap();
    assert_eq!(map.counts.free, map.counts.capacity);
    // A second booking, then the clock passes the 2 h cut-off.
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["B2"])).await.unwrap();
    let late = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await.unwrap();
    s.clock.advance_ms(8 * 3_600_000 + 1);
    let err = s.engine.cancel_booking(late.record.id, Requester::Customer(alice)).await.unwrap_err();
    assert!(matches!(err, EngineError::CancellationClosed { .. }));
}

#[actix_rt::test]
async fn a_booking_confirmed_lately_is_cancelled_without_a_storage_read() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["C5", "C6"])).await.unwrap();
    let booking = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await.unwrap();
    let cancelled = s.engine.cancel_booking(booking.record.id, Requester::Customer(alice)).await.unwrap();
    assert_eq!(s.storage.booking_reads.load(Ordering::SeqCst), 0, "answered from memory");
    // The answer is the stored booking.
    let stored = s.storage.booking(booking.record.id).await.unwrap().unwrap();
    assert_eq!((&cancelled.record, cancelled.status), (&stored.record, stored.status));
    assert_eq!(cancelled.cancel_reason, stored.cancel_reason);
    assert_eq!(s.storage.wallet_balance(alice, Currency::EUR).await.unwrap().amount_minor(), 10_000);

    // Turned off (or a booking from before a restart): read from storage, same answers.
    let s = setup(EngineConfig { recent_bookings_max: 0, ..config() }).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let bob = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["C5"])).await.unwrap();
    let booking = s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await.unwrap();
    let id = booking.record.id;
    assert_eq!(s.engine.cancel_booking(id, Requester::Customer(bob)).await.unwrap_err(), EngineError::BookingNotFound);
    let cancelled = s.engine.cancel_booking(id, Requester::Customer(alice)).await.unwrap();
    assert_eq!(cancelled.record, booking.record);
    assert_eq!(s.storage.booking_reads.load(Ordering::SeqCst), 2);
    let again = s.engine.cancel_booking(id, Requester::Staff).await.unwrap_err();
    assert_eq!(again, EngineError::AlreadyCancelled);
}

#[actix_rt::test]
async fn a_failed_write_is_undone_and_answered_with_an_error() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    s.engine.seat_map(s.catalog.seated).await.unwrap();
    s.storage.fail_journal.store(true, Ordering::SeqCst);
    let err = s.engine.hold(s.catalog.seated, alice, seats(&["A1"])).await.unwrap_err();
    assert_eq!(err.code(), "storage_unavailable");
    let map = s.engine.seat_map(s.catalog.seated).await.unwrap();
    assert_eq!(map.counts.held, 0, "the refused decision was undone in memory");
    s.storage.fail_journal.store(false, Ordering::SeqCst);
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["A1"])).await.unwrap();
    assert_eq!(hold.seats, ["A1"]);
    assert_eq!(s.storage.load_journal(s.catalog.seated).await.unwrap().len(), 1);
}

#[actix_rt::test]
async fn concurrent_decisions_share_journal_writes() {
    let s = setup(config()).await;
    let customers = one_customer_per_seat(&s).await;
    let holds = hold_one_seat_each(&s, &customers).await;
    assert!(holds.iter().all(Result::is_ok));
    let writes = s.storage.journal_writes.load(Ordering::SeqCst);
    assert!(writes < 18, "18 decisions took {writes} journal writes; group commit should share them");
    let late = s.engine.hold(s.catalog.seated, common::customer(s.storage.as_ref(), 1).await, seats(&["A1"])).await;
    assert_eq!(late.unwrap_err(), EngineError::SoldOut);
}

#[actix_rt::test]
async fn a_full_mailbox_answers_overloaded() {
    let s = setup(EngineConfig { mailbox_capacity: 4, ..config() }).await;
    s.engine.seat_map(s.catalog.seated).await.unwrap();
    let maps = futures::future::join_all((0..50).map(|_| s.engine.seat_map(s.catalog.seated))).await;
    let overloaded = maps.iter().filter(|r| matches!(r, Err(EngineError::Overloaded))).count();
    assert!(overloaded > 0, "50 requests at once into a mailbox of 4");
    assert!(maps.iter().all(|r| r.is_ok() || matches!(r, Err(EngineError::Overloaded))));
}

#[actix_rt::test]
async fn a_restarted_engine_replays_the_journal() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let bob = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.seated, alice, seats(&["A3", "A4"])).await.unwrap();
    s.engine.purchase(s.catalog.seated, alice, hold.hold_id, vec![]).await.unwrap();
    s.engine.hold(s.catalog.seated, bob, seats(&["C6"])).await.unwrap();
    s.engine.hold(s.catalog.general, bob, HoldRequest::Quantity(3)).await.unwrap();
    let before =
        (s.engine.seat_map(s.catalog.seated).await.unwrap(), s.engine.seat_map(s.catalog.general).await.unwrap());
    s.engine.shutdown().await;
    let restarted = Engine::start(s.storage.clone(), config(), s.clock.clone(), Currency::EUR);
    let after =
        (restarted.seat_map(s.catalog.seated).await.unwrap(), restarted.seat_map(s.catalog.general).await.unwrap());
    assert_eq!(before, after);
    assert_eq!(after.1.counts.held, 3);
}

#[actix_rt::test]
async fn cancelling_a_showtime_refunds_everyone() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    let bob = common::customer(s.storage.as_ref(), 10_000).await;
    let hold = s.engine.hold(s.catalog.general, alice, HoldRequest::Quantity(2)).await.unwrap();
    s.engine.purchase(s.catalog.general, alice, hold.hold_id, vec![]).await.unwrap();
    s.engine.hold(s.catalog.general, bob, HoldRequest::Quantity(1)).await.unwrap();
    let summary = s.engine.cancel_showtime(s.catalog.general).await.unwrap();
    assert_eq!((summary.bookings_refunded, summary.holds_ended), (1, 1));
    assert_eq!(s.storage.wallet_balance(alice, Currency::EUR).await.unwrap().amount_minor(), 10_000);
    let err = s.engine.hold(s.catalog.general, bob, HoldRequest::Quantity(1)).await.unwrap_err();
    assert!(matches!(err, EngineError::NotOnSale(_)));
}

#[actix_rt::test]
async fn payments_without_bookings_are_settled() {
    let s = setup(config()).await;
    let alice = common::customer(s.storage.as_ref(), 10_000).await;
    // A crash after the debit and before the confirmation leaves this behind.
    let payment = boxoffice_storage::PaymentId::new();
    let debit = boxoffice_storage::LedgerEntry {
        customer_id: alice,
        amount: boxoffice_storage::Money::new(-2400, Currency::EUR),
        kind: boxoffice_storage::LedgerKind::Payment,
        reference: boxoffice_storage::LedgerEntry::payment_reference(payment),
        memo: "orphan".into(),
        at: Timestamp::from_millis(NOW_MS),
    };
    s.storage.apply_ledger(&debit).await.unwrap();
    assert_eq!(s.engine.settle_unsettled_payments().await.unwrap(), 1);
    assert_eq!(s.storage.wallet_balance(alice, Currency::EUR).await.unwrap().amount_minor(), 10_000);
    assert_eq!(s.engine.settle_unsettled_payments().await.unwrap(), 0, "settled once");
}

#[actix_rt::test]
async fn a_failed_write_fails_every_write_in_flight_behind_it() {
    let s = setup(config()).await;
    let customers = one_customer_per_seat(&s).await;
    s.storage.fail_journal.store(true, Ordering::SeqCst);
    let holds = hold_one_seat_each(&s, &customers).await;
    assert!(holds.iter().all(|h| matches!(h, Err(e) if e.code() == "storage_unavailable")), "{holds:?}");
    assert_eq!(s.engine.seat_map(s.catalog.seated).await.unwrap().counts.held, 0);
    s.storage.fail_journal.store(false, Ordering::SeqCst);
    let holds = hold_one_seat_each(&s, &customers).await;
    assert!(holds.iter().all(Result::is_ok), "{holds:?}");
    let journal = s.storage.load_journal(s.catalog.seated).await.unwrap();
    assert_eq!(journal.len(), 18);
    assert!(journal.iter().zip(1..).all(|(e, seq)| e.seq == seq), "the journal has no gaps");
}

#[actix_rt::test]
async fn writes_sent_behind_a_failed_one_are_fenced_by_the_sequence() {
    let s = setup(config()).await;
    let customers = one_customer_per_seat(&s).await;
    // Only the first write fails; the ones pipelined behind it reach real SQLite, which
    // refuses them because they no longer continue the journal.
    s.storage.fail_next_journal_writes.store(1, Ordering::SeqCst);
    let holds = hold_one_seat_each(&s, &customers).await;
    let ok = holds.iter().filter(|h| h.is_ok()).count();
    let failed = holds.iter().filter(|h| matches!(h, Err(e) if e.code() == "storage_unavailable")).count();
    assert_eq!(ok + failed, 18, "{holds:?}");
    assert!(failed >= 1);
    let map = s.engine.seat_map(s.catalog.seated).await.unwrap();
    assert_eq!(map.counts.held as usize, ok, "exactly the acknowledged holds are held");
    let journal = s.storage.load_journal(s.catalog.seated).await.unwrap();
    assert!(journal.iter().zip(1..).all(|(e, seq)| e.seq == seq), "the journal has no gaps");
    let placed = journal.iter().filter(|e| matches!(e.event, SeatEvent::HoldPlaced { .. })).count();
    assert_eq!(placed, ok, "only acknowledged holds are in the journal");
}
