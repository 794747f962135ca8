//! The change feed through the engine facade: a subscription starts atomically (snapshot
//! or missed changes) and continues live without a gap; an actor with subscribers does not
//! idle-stop; the catch-up snapshot follows a burst to its last change; a card-terminal
//! purchase sells seats and is recorded in the kiosk's ledger.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use boxoffice_engine::{Engine, EngineConfig, HoldRequest, ManualClock, SubscriptionStart};
use boxoffice_storage::{Currency, PageRequest, Storage, Timestamp};
use common::{FlakyStorage, NOW_MS};
use serde_json::Value;

fn config() -> EngineConfig {
    EngineConfig { arbiters: 0, changes_ring_max: 4, idle_stop_ms: 1_000, ..EngineConfig::default() }
}

/// An engine on a fresh store with the test catalog, on a manual clock.
struct Started {
    _dir: tempfile::TempDir,
    storage: Arc<FlakyStorage>,
    catalog: common::Catalog,
    clock: Arc<ManualClock>,
    engine: Engine,
}

async fn started() -> Started {
    let dir = tempfile::tempdir().unwrap();
    let storage = FlakyStorage::open(dir.path());
    let catalog = common::catalog(storage.as_ref()).await;
    let clock = ManualClock::starting_at(Timestamp::from_millis(NOW_MS));
    let engine = Engine::start(storage.clone(), config(), clock.clone(), Currency::EUR);
    Started { _dir: dir, storage, catalog, clock, engine }
}

fn seats(labels: &[&str]) -> HoldRequest {
    HoldRequest::Seats(labels.iter().map(|s| (*s).to_string()).collect())
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

#[actix_rt::test]
async fn subscriptions_start_atomically_and_resume_without_gaps() {
    let Started { _dir, storage, catalog, clock, engine } = started().await;
    let show = catalog.seated;
    let alice = common::customer(storage.as_ref(), 10_000).await;

    let mut live = engine.subscribe(show, None).await.unwrap();
    let SubscriptionStart::Snapshot { seq: 0, json: snapshot } = &live.start else { panic!("{:?}", live.start) };
    assert_eq!(json(snapshot)["counts"]["free"], 18);
    assert_eq!(json(snapshot)["seats"], ".".repeat(18));
    for seat in ["A1", "A2", "A3"] {
        engine.hold(show, alice, seats(&[seat])).await.unwrap(); // 1, then 2+3, 4+5
    }
    for expected in 1..=5 {
        let change = live.receiver.recv().await.unwrap();
        assert_eq!(change.seq, expected);
        assert_eq!(json(&change.json)["seq"], expected);
    }
    let resumed = engine.subscribe(show, Some(2)).await.unwrap();
    let SubscriptionStart::Resume { since: 2, missed } = &resumed.start else { panic!("{:?}", resumed.start) };
    assert_eq!(missed.iter().map(|c| c.seq).collect::<Vec<_>>(), [3, 4, 5]);
    let too_old = engine.subscribe(show, Some(0)).await.unwrap();
    assert!(matches!(too_old.start, SubscriptionStart::Snapshot { seq: 5, .. }), "ring of 4 holds 2..=5");

    // Subscribers keep the actor alive past the idle time (it would otherwise stop and
    // close their feeds).
    engine.release(show, alice, engine.current_hold(show, alice).await.unwrap().unwrap().hold_id).await.unwrap();
    assert_eq!(live.receiver.recv().await.unwrap().seq, 6);
    clock.advance_ms(5_000);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(engine.live_actors(), 1);
    drop((live, resumed, too_old));
    clock.advance_ms(5_000);
    for _ in 0..40 {
        if engine.live_actors() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(engine.live_actors(), 0, "without subscribers the idle actor stops");
}

#[actix_rt::test]
async fn the_catch_up_snapshot_follows_a_burst_to_its_last_change() {
    let Started { _dir, storage, catalog, engine, .. } = started().await;
    let show = catalog.seated;
    let live = engine.subscribe(show, None).await.unwrap();
    assert_eq!(live.latest.snapshot(), None, "no change yet: nothing to catch up with");
    // A burst: each hold is a change; they follow one another faster than the snapshot
    // interval, so the last ones are covered by a refresh the actor schedules.
    let labels = ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3"];
    for label in labels {
        let customer = common::customer(storage.as_ref(), 10_000).await;
        engine.hold(show, customer, seats(&[label])).await.unwrap();
    }
    let last = live.latest.published_seq();
    assert_eq!(last, labels.len() as u64);
    let mut caught_up = None;
    for _ in 0..50 {
        caught_up = live.latest.snapshot().filter(|(seq, _)| *seq == last);
        if caught_up.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (seq, snapshot) = caught_up.expect("a snapshot at the last change, soon after the burst");
    let snapshot = json(&snapshot);
    assert_eq!((snapshot["type"].as_str(), snapshot["seq"].as_u64()), (Some("snapshot"), Some(seq)));
    assert_eq!(snapshot["counts"]["held"], labels.len(), "the snapshot is the state after every change");
    let fresh = engine.subscribe(show, None).await.unwrap();
    let SubscriptionStart::Snapshot { json: start, .. } = &fresh.start else { panic!("{:?}", fresh.start) };
    assert_eq!(json(start), snapshot, "the same message a new subscriber starts with");
}

#[actix_rt::test]
async fn a_card_terminal_purchase_sells_the_seats_and_keeps_the_ledger_even() {
    let Started { _dir, storage, catalog, engine, .. } = started().await;
    let kiosk = common::customer(storage.as_ref(), 0).await;
    let show = catalog.seated;
    let hold = engine.hold(show, kiosk, seats(&["B1", "B2"])).await.unwrap();
    let payment = engine.begin_terminal_payment(show, kiosk, hold.hold_id, vec![]).await.unwrap();
    assert_eq!(payment.total.amount_minor(), 2400);
    let bad = engine.confirm_terminal_payment(&payment, "has space").await.unwrap_err();
    assert_eq!(bad.code(), "invalid_request");
    let booking = engine.confirm_terminal_payment(&payment, "T-42").await.unwrap();
    assert_eq!(booking.record.customer_id, kiosk);
    let map = engine.seat_map(show).await.unwrap();
    assert_eq!(map.counts.sold, 2);
    let ledger = storage.ledger(kiosk, PageRequest::default()).await.unwrap();
    assert!(ledger.items.iter().any(|e| e.reference.starts_with("terminal:") && e.memo.contains("T-42")));
    assert_eq!(storage.wallet_balance(kiosk, Currency::EUR).await.unwrap().amount_minor(), 0, "credit = debit");
    assert!(storage.unsettled_payments().await.unwrap().is_empty());
}
