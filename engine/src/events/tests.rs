//! Tests of the change feed: rendering, the resume ring, and that no subscriber can ever
//! see a gap or a repeat, whatever the ring size and the subscription point.

use std::sync::Arc;

use boxoffice_storage::{
    Currency, CustomerId, HoldId, JournalEntry, LayoutSpec, PriceList, PriceTier, SeatEvent, SeatLayout, Seating,
    ShowtimeId, ShowtimeStatus, Timestamp,
};
use proptest::prelude::*;
use serde_json::Value;
use tokio::sync::broadcast::error::TryRecvError;

use super::*;
use crate::view::HoldRequest;

const NOW: i64 = 1_000_000_000;

fn info() -> ShowtimeInfo {
    let rows =
        ["A", "B"].iter().map(|l| boxoffice_storage::layout::RowSpec { label: (*l).into(), seats: "SSSS".into() });
    let layout = SeatLayout::parse(LayoutSpec { rows: rows.collect() }).expect("valid layout");
    ShowtimeInfo {
        id: ShowtimeId::new(),
        starts_at: Timestamp::from_millis(NOW + 3_600_000),
        status: ShowtimeStatus::Scheduled,
        seating: Seating::Reserved,
        prices: PriceList { currency: Currency::EUR, tiers: vec![PriceTier { tier: "full".into(), price_minor: 900 }] },
        layout: Some(Arc::new(layout)),
    }
}

/// Decides `n` holds by alternating customers (each replacing its previous hold) and
/// returns the journal, like the actor would write it.
fn journal(info: &ShowtimeInfo, n: usize) -> Vec<JournalEntry> {
    let mut map = SeatMap::new(info);
    let owners = [CustomerId::new(), CustomerId::new()];
    let labels = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"];
    let mut entries = Vec::new();
    let mut i = 0;
    while entries.len() < n {
        let owner = owners[i % 2];
        let seat = labels[i % labels.len()].to_string();
        i += 1;
        let now = Timestamp::from_millis(NOW);
        let Ok(events) = map.decide_hold(info, owner, &HoldRequest::Seats(vec![seat]), HoldId::new(), now, 60_000, 10)
        else {
            continue;
        };
        for event in events {
            let entry = JournalEntry { seq: map.seq() + 1, at: now, event };
            map.apply(&entry).expect("applies");
            entries.push(entry);
        }
    }
    entries.truncate(n);
    entries
}

fn snap<'a>(durable: &'a SeatMap, info: &'a ShowtimeInfo) -> SnapshotFn<'a> {
    Box::new(move || encode_snapshot(&durable.view(info), info.layout.as_deref().map(SeatLayout::spec)))
}

/// A feed (`channel` messages per subscriber, a resume ring of `ring`) with one subscriber
/// from the start, after `entries` were published.
fn published(info: &ShowtimeInfo, entries: &[JournalEntry], channel: usize, ring: usize) -> (Feed, Subscription) {
    let mut feed = Feed::new(channel, ring);
    let mut durable = SeatMap::new(info);
    let sub = feed.subscribe(info.id, None, 0, snap(&durable, info));
    for e in entries {
        feed.apply_and_publish(info, &mut durable, e).expect("applies");
    }
    (feed, sub)
}

fn seq_of(json: &Bytes) -> u64 {
    let v: Value = serde_json::from_slice(json).expect("json");
    v["seq"].as_u64().expect("seq")
}

#[test]
fn a_change_names_seats_and_counts_but_no_ids() {
    let info = info();
    let entries = journal(&info, 3);
    let (_feed, mut sub) = published(&info, &entries, 16, 16);
    let first = sub.receiver.try_recv().expect("first change");
    let v: Value = serde_json::from_slice(&first.json).expect("json");
    assert_eq!(v["type"], "change");
    assert_eq!(v["v"], 1);
    assert_eq!(v["seq"], 1);
    assert_eq!(v["change"], "held");
    assert_eq!(v["seats"][0]["label"], "A1");
    assert_eq!(v["seats"][0]["status"], "held");
    assert_eq!(v["counts"]["held"], 1);
    let text = String::from_utf8_lossy(&first.json).to_string();
    for entry in &entries {
        if let SeatEvent::HoldPlaced { owner, hold_id, .. } = &entry.event {
            assert!(!text.contains(&owner.to_string()) && !text.contains(&hold_id.to_string()), "{text}");
        }
    }
    // The second customer's first hold, then the first customer's replacement: a release.
    let kinds: Vec<String> = std::iter::from_fn(|| sub.receiver.try_recv().ok())
        .map(|c| serde_json::from_slice::<Value>(&c.json).expect("json")["change"].to_string())
        .collect();
    assert_eq!(kinds, ["\"held\"", "\"released\""]);
}

#[test]
fn coalesced_changes_are_the_change_messages_in_one_array() {
    let info = info();
    let entries = journal(&info, 3);
    let (_feed, mut sub) = published(&info, &entries, 16, 16);
    let changes: Vec<Change> = std::iter::from_fn(|| sub.receiver.try_recv().ok()).collect();
    assert_eq!(changes.len(), 3);
    let v: Value = serde_json::from_slice(&encode_changes(info.id, &changes)).expect("valid JSON");
    assert_eq!((v["v"].as_u64(), v["type"].as_str()), (Some(1), Some("changes")));
    assert_eq!(v["showtime_id"], info.id.to_string());
    assert_eq!((v["from"].as_u64(), v["seq"].as_u64()), (Some(1), Some(3)));
    let inner: Vec<Value> = changes.iter().map(|c| serde_json::from_slice(&c.json).expect("json")).collect();
    assert_eq!(v["changes"], Value::Array(inner), "each element is the change message as sent alone");
    let one: Value = serde_json::from_slice(&encode_changes(info.id, &changes[1..2])).expect("json");
    assert_eq!(
        (one["from"].as_u64(), one["seq"].as_u64(), one["changes"][0]["seq"].as_u64()),
        (Some(2), Some(2), Some(2))
    );
    assert!(encode_changes(info.id, &[]).is_empty());
}

#[test]
fn a_snapshot_is_encoded_once_per_sequence_number() {
    let info = info();
    let mut feed = Feed::new(16, 16);
    let durable = SeatMap::new(&info);
    let mut built = 0;
    for _ in 0..3 {
        let sub = feed.subscribe(
            info.id,
            None,
            0,
            Box::new(|| {
                built += 1;
                encode_snapshot(&durable.view(&info), None)
            }),
        );
        assert!(matches!(sub.start, SubscriptionStart::Snapshot { seq: 0, .. }));
    }
    assert_eq!(built, 1);
}

#[test]
fn resume_beyond_the_ring_or_ahead_of_it_gets_a_snapshot() {
    let info = info();
    let entries = journal(&info, 10);
    let mut feed = Feed::new(4, 4);
    let mut durable = SeatMap::new(&info);
    for e in &entries {
        feed.apply_and_publish(&info, &mut durable, e).expect("applies");
    }
    let at = |feed: &mut Feed, since| feed.subscribe(info.id, Some(since), 10, snap(&durable, &info)).start;
    assert!(matches!(at(&mut feed, 5), SubscriptionStart::Snapshot { seq: 10, .. }), "ring holds 7..=10");
    assert!(matches!(at(&mut feed, 11), SubscriptionStart::Snapshot { seq: 10, .. }), "ahead of the server");
    match at(&mut feed, 6) {
        SubscriptionStart::Resume { since: 6, missed } => {
            assert_eq!(missed.iter().map(|c| c.seq).collect::<Vec<_>>(), [7, 8, 9, 10]);
        }
        other => panic!("expected a resume, got {other:?}"),
    }
    assert_eq!(at(&mut feed, 10), SubscriptionStart::Resume { since: 10, missed: Vec::new() });
}

#[test]
fn a_slow_receiver_lags_instead_of_blocking_the_publisher() {
    let info = info();
    let entries = journal(&info, 20);
    let (feed, mut sub) = published(&info, &entries, 4, 64);
    assert!(matches!(sub.receiver.try_recv(), Err(TryRecvError::Lagged(_))));
    assert_eq!(feed.subscribers(), 1);
}

#[test]
fn catch_up_snapshots_follow_the_durable_state_at_most_every_interval() {
    let info = info();
    let entries = journal(&info, 6);
    let mut feed = Feed::new(64, 64);
    let mut durable = SeatMap::new(&info);
    assert!(feed.refresh_latest(0, snap(&durable, &info), Instant::now()), "no subscriber: nothing to do");
    let sub = feed.subscribe(info.id, None, 0, snap(&durable, &info));
    assert_eq!(sub.latest.snapshot(), None);
    let t0 = Instant::now();
    for e in &entries[..3] {
        feed.apply_and_publish(&info, &mut durable, e).expect("applies");
    }
    assert_eq!(sub.latest.published_seq(), 3);
    assert!(feed.refresh_latest(3, snap(&durable, &info), t0));
    let (seq, json) = sub.latest.snapshot().expect("a snapshot");
    assert_eq!((seq, seq_of(&json)), (3, 3), "the snapshot is the durable state at seq 3");
    for e in &entries[3..] {
        feed.apply_and_publish(&info, &mut durable, e).expect("applies");
    }
    assert_eq!(sub.latest.published_seq(), 6);
    let soon = t0 + CATCH_UP_SNAPSHOT_EVERY / 2;
    assert!(!feed.refresh_latest(6, snap(&durable, &info), soon), "too soon: the caller tries again later");
    assert_eq!(sub.latest.snapshot().map(|(seq, _)| seq), Some(3));
    let later = t0 + CATCH_UP_SNAPSHOT_EVERY;
    assert!(feed.refresh_latest(6, snap(&durable, &info), later));
    let (seq, json) = sub.latest.snapshot().expect("a snapshot");
    assert_eq!((seq, seq_of(&json)), (6, 6));
    let expected = encode_snapshot(&durable.view(&info), info.layout.as_deref().map(SeatLayout::spec));
    assert_eq!(json, expected, "the same message a new subscriber gets");
    assert!(feed.refresh_latest(6, snap(&durable, &info), later + CATCH_UP_SNAPSHOT_EVERY), "up to date");
}

proptest! {
    /// Whatever the ring and channel sizes, wherever a subscriber joins or resumes, what it
    /// receives (start, then live, then a resume after each lag) is exactly the
    /// consecutive sequence after its point: never a gap, never a repeat.
    #[test]
    fn subscribers_never_see_a_gap_or_a_repeat(
        n in 1usize..60, ring in 1usize..16, channel in 1usize..16,
        joins in proptest::collection::vec((0usize..60, proptest::option::of(0u64..70)), 1..6),
    ) {
        let info = info();
        let entries = journal(&info, n);
        let mut feed = Feed::new(channel, ring);
        let mut durable = SeatMap::new(&info);
        let mut subs: Vec<(Subscription, u64)> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for (at, since) in &joins {
                if *at == i {
                    let seq = durable.seq();
                    let sub = feed.subscribe(info.id, since.map(|s| s.min(seq + 3)), seq, snap(&durable, &info));
                    let at = check_start(&sub.start, since.filter(|s| *s <= seq))?;
                    subs.push((sub, at));
                }
            }
            feed.apply_and_publish(&info, &mut durable, e).expect("applies");
            for (sub, at) in &mut subs {
                if !drain(sub, at)? {
                    // Lagged: resume from the last sequence number, as a connection does.
                    let seq = durable.seq();
                    *sub = feed.subscribe(info.id, Some(*at), seq, snap(&durable, &info));
                    *at = check_start(&sub.start, Some(*at))?;
                    prop_assert!(drain(sub, at)?);
                }
            }
        }
        for (_, at) in &subs {
            prop_assert_eq!(*at, durable.seq(), "every subscriber caught up");
        }
    }
}

/// Checks a start: a snapshot carries its own seq; a resume continues `since` one by one.
fn check_start(start: &SubscriptionStart, since: Option<u64>) -> Result<u64, TestCaseError> {
    match start {
        SubscriptionStart::Snapshot { seq, json } => prop_assert_eq!(seq_of(json), *seq),
        SubscriptionStart::Resume { since: from, missed } => {
            prop_assert_eq!(Some(*from), since);
            for (c, expected) in missed.iter().zip(from + 1..) {
                prop_assert_eq!(c.seq, expected);
                prop_assert_eq!(seq_of(&c.json), expected);
            }
        }
    }
    Ok(start.seq())
}

/// Drains a receiver, checking it moves one sequence number at a time. `false`: lagged.
fn drain(sub: &mut Subscription, at: &mut u64) -> Result<bool, TestCaseError> {
    loop {
        match sub.receiver.try_recv() {
            Ok(c) => {
                prop_assert_eq!(c.seq, *at + 1, "gap or repeat");
                *at = c.seq;
            }
            Err(TryRecvError::Lagged(_)) => return Ok(false),
            Err(_) => return Ok(true),
        }
    }
}
