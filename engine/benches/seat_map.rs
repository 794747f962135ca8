//! Criterion benchmark of the seat-map state machine alone (no actor, no storage):
//! decisions per second for hold → release cycles and hold → purchase → cancel cycles on a
//! 500-seat map. Run: `cargo bench -p boxoffice-engine --bench seat_map`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;

use boxoffice_engine::HoldRequest;
use boxoffice_engine::seat_map::{SeatMap, ShowtimeInfo};
use boxoffice_storage::layout::RowSpec;
use boxoffice_storage::{
    BookingId, Currency, CustomerId, HoldId, JournalEntry, LayoutSpec, PaymentId, PriceList, PriceTier, SeatEvent,
    SeatLayout, Seating, ShowtimeId, ShowtimeStatus, Timestamp,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn info() -> ShowtimeInfo {
    let rows = (b'A'..=b'T')
        .map(|r| RowSpec { label: char::from(r).to_string(), seats: "SSSSSSSSSSSS|SSSSSSSSSSSSS".into() })
        .collect();
    let layout = SeatLayout::parse(LayoutSpec { rows }).unwrap();
    assert_eq!(layout.capacity(), 500);
    ShowtimeInfo {
        id: ShowtimeId::new(),
        starts_at: Timestamp::from_millis(i64::MAX / 2),
        status: ShowtimeStatus::Scheduled,
        seating: Seating::Reserved,
        prices: PriceList {
            currency: Currency::EUR,
            tiers: vec![PriceTier { tier: "full".into(), price_minor: 1200 }],
        },
        layout: Some(Arc::new(layout)),
    }
}

fn apply(map: &mut SeatMap, events: Vec<SeatEvent>, now: Timestamp) {
    for event in events {
        let entry = JournalEntry { seq: map.seq() + 1, at: now, event };
        map.apply(&entry).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let info = info();
    let labels: Vec<String> = info.layout.as_ref().unwrap().seats().iter().map(|s| s.label.clone()).collect();
    let owners: Vec<CustomerId> = (0..250).map(|_| CustomerId::new()).collect();
    let now = Timestamp::from_millis(1_000);
    let mut group = c.benchmark_group("seat_map");
    group.throughput(Throughput::Elements(2));
    group.bench_function("hold_then_release_2_seats", |b| {
        let mut map = SeatMap::new(&info);
        let mut i = 0usize;
        b.iter(|| {
            let owner = owners[i % owners.len()];
            let request = HoldRequest::Seats(vec![labels[(2 * i) % 500].clone(), labels[(2 * i + 1) % 500].clone()]);
            let hold = HoldId::new();
            let events = map.decide_hold(&info, owner, &request, hold, now, 420_000, 10).unwrap();
            apply(&mut map, events, now);
            let events = map.decide_release(owner, hold).unwrap();
            apply(&mut map, events, now);
            i += 1;
        });
    });
    group.throughput(Throughput::Elements(3));
    group.bench_function("hold_purchase_cancel_2_seats", |b| {
        let mut map = SeatMap::new(&info);
        let mut i = 0usize;
        b.iter(|| {
            let owner = owners[i % owners.len()];
            let request = HoldRequest::Seats(vec![labels[(2 * i) % 500].clone(), labels[(2 * i + 1) % 500].clone()]);
            let hold = HoldId::new();
            let events = map.decide_hold(&info, owner, &request, hold, now, 420_000, 10).unwrap();
            apply(&mut map, events, now);
            let plan = map.plan_purchase(&info, owner, hold, &[], now).unwrap();
            let booking = BookingId::new();
            let events = map.decide_confirm(&info, &plan, (booking, PaymentId::new()), "REF".into(), now).unwrap();
            apply(&mut map, events, now);
            let events = map.decide_cancel(&info, booking, boxoffice_engine::Requester::Staff, now, 0).unwrap();
            apply(&mut map, events, now);
            i += 1;
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
