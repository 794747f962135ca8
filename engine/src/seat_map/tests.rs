//! Unit and property tests of the seat map state machine.

use std::sync::Arc;

use boxoffice_storage::{
    BookingId, Currency, CustomerId, HoldId, JournalEntry, LayoutSpec, PaymentId, PriceList, PriceTier, SeatEvent,
    SeatLayout, Seating, ShowtimeId, ShowtimeStatus, Timestamp,
};
use proptest::prelude::*;

use super::*;
use crate::error::EngineError;
use crate::view::{HoldRequest, Requester, TierChoice};

const TTL_MS: u64 = 7 * 60 * 1000;
const START: i64 = 1_000_000_000;
const SHOW_AT: i64 = START + 10 * 3_600_000;

fn info(seating: Seating) -> ShowtimeInfo {
    let layout = SeatLayout::parse(LayoutSpec {
        rows: ["A", "B", "C"]
            .iter()
            .map(|l| boxoffice_storage::layout::RowSpec { label: (*l).into(), seats: "SSS_SSS".into() })
            .collect(),
    })
    .expect("valid layout");
    ShowtimeInfo {
        id: ShowtimeId::new(),
        starts_at: Timestamp::from_millis(SHOW_AT),
        status: ShowtimeStatus::Scheduled,
        seating,
        prices: PriceList {
            currency: Currency::EUR,
            tiers: vec![
                PriceTier { tier: "full".into(), price_minor: 1200 },
                PriceTier { tier: "child".into(), price_minor: 700 },
            ],
        },
        layout: Some(Arc::new(layout)),
    }
}

/// A map plus the journal it was built from, applying decisions like the actor does.
struct Harness {
    info: ShowtimeInfo,
    map: SeatMap,
    journal: Vec<JournalEntry>,
}

impl Harness {
    fn new(seating: Seating) -> Self {
        let info = info(seating);
        let map = SeatMap::new(&info);
        Self { info, map, journal: Vec::new() }
    }

    fn commit(&mut self, events: Vec<SeatEvent>, now: i64) {
        for event in events {
            let entry = JournalEntry { seq: self.map.seq() + 1, at: Timestamp::from_millis(now), event };
            self.map.apply(&entry).expect("decided events apply");
            check_invariants(&self.map).expect("invariants hold");
            self.journal.push(entry);
        }
    }

    fn hold(&mut self, owner: CustomerId, request: HoldRequest, now: i64) -> Result<HoldId, EngineError> {
        let id = HoldId::new();
        let events = self.map.decide_hold(&self.info, owner, &request, id, Timestamp::from_millis(now), TTL_MS, 10)?;
        self.commit(events, now);
        Ok(id)
    }

    fn buy(
        &mut self,
        owner: CustomerId,
        hold: HoldId,
        tiers: &[TierChoice],
        now: i64,
    ) -> Result<BookingId, EngineError> {
        let t = Timestamp::from_millis(now);
        let plan = self.map.plan_purchase(&self.info, owner, hold, tiers, t)?;
        let id = BookingId::new();
        let events = self.map.decide_confirm(&self.info, &plan, (id, PaymentId::new()), "REF".into(), t)?;
        self.commit(events, now);
        Ok(id)
    }
}

fn seats(labels: &[&str]) -> HoldRequest {
    HoldRequest::Seats(labels.iter().map(|s| (*s).to_string()).collect())
}

#[test]
fn hold_is_all_or_nothing_and_names_taken_seats() {
    let mut h = Harness::new(Seating::Reserved);
    let (alice, bob) = (CustomerId::new(), CustomerId::new());
    h.hold(alice, seats(&["A1", "A2"]), START).expect("free seats");
    let err = h.hold(bob, seats(&["A2", "A3"]), START).expect_err("A2 is held");
    assert_eq!(err, EngineError::SeatsUnavailable(vec!["A2".into()]));
    assert_eq!(h.map.counts().held, 2, "nothing of the refused hold was applied");
    assert_eq!(h.map.slot(SeatIndex::new(2)), Some(Slot::Free));
}

#[test]
fn a_new_hold_replaces_the_old_one_atomically() {
    let mut h = Harness::new(Seating::Reserved);
    let alice = CustomerId::new();
    let first = h.hold(alice, seats(&["A1", "A2"]), START).expect("ok");
    let second = h.hold(alice, seats(&["A2", "A3"]), START).expect("own seat A2 may be re-held");
    assert!(h.map.hold(first).is_none());
    assert_eq!(h.map.hold_of(alice).map(|x| x.id), Some(second));
    assert_eq!(h.map.counts().held, 2);
}

#[test]
fn bad_requests_are_refused_with_reasons() {
    let mut h = Harness::new(Seating::Reserved);
    let c = CustomerId::new();
    assert_eq!(h.hold(c, seats(&["Z9"]), START), Err(EngineError::UnknownSeats(vec!["Z9".into()])));
    assert!(matches!(h.hold(c, seats(&[]), START), Err(EngineError::InvalidRequest(_))));
    assert!(matches!(h.hold(c, seats(&["A1", "a1"]), START), Err(EngineError::InvalidRequest(_))));
    assert!(matches!(h.hold(c, HoldRequest::Quantity(2), START), Err(EngineError::InvalidRequest(_))));
    let eleven: Vec<String> = (1..=6).flat_map(|n| [format!("A{n}"), format!("B{n}")]).collect();
    assert!(matches!(h.hold(c, HoldRequest::Seats(eleven), START), Err(EngineError::InvalidRequest(_))));
    assert!(matches!(h.hold(c, seats(&["A1"]), SHOW_AT), Err(EngineError::NotOnSale(_))));
}

#[test]
fn sold_out_when_nothing_is_left() {
    let mut h = Harness::new(Seating::Reserved);
    for row in ["A", "B", "C"] {
        let owner = CustomerId::new();
        let labels: Vec<String> = (1..=6).map(|n| format!("{row}{n}")).collect();
        h.hold(owner, HoldRequest::Seats(labels), START).expect("free");
    }
    assert_eq!(h.hold(CustomerId::new(), seats(&["B2"]), START), Err(EngineError::SoldOut));
}

#[test]
fn general_admission_sells_quantities() {
    let mut h = Harness::new(Seating::GeneralAdmission { capacity: 5 });
    let (a, b) = (CustomerId::new(), CustomerId::new());
    let hold = h.hold(a, HoldRequest::Quantity(3), START).expect("ok");
    assert_eq!(h.hold(b, HoldRequest::Quantity(3), START), Err(EngineError::NotEnoughTickets { available: 2 }));
    assert!(matches!(h.hold(b, seats(&["A1"]), START), Err(EngineError::InvalidRequest(_))));
    h.buy(a, hold, &[], START).expect("bought");
    let b_hold = h.hold(b, HoldRequest::Quantity(2), START).expect("two left");
    assert_eq!(h.hold(CustomerId::new(), HoldRequest::Quantity(1), START), Err(EngineError::SoldOut));
    h.commit(h.map.decide_release(b, b_hold).expect("own hold"), START);
    assert_eq!(h.map.counts().free, 2);
}

#[test]
fn purchase_prices_each_seat_by_tier() {
    let mut h = Harness::new(Seating::Reserved);
    let c = CustomerId::new();
    let hold = h.hold(c, seats(&["A1", "A2"]), START).expect("ok");
    let tiers = vec![
        TierChoice { seat: Some("a2".into()), tier: "child".into() },
        TierChoice { seat: Some("A1".into()), tier: "full".into() },
    ];
    let plan = h.map.plan_purchase(&h.info, c, hold, &tiers, Timestamp::from_millis(START)).expect("priced");
    assert_eq!(plan.total.amount_minor(), 1900);
    assert_eq!(plan.lines[1].tier, "child");
    let bad = vec![TierChoice { seat: Some("A1".into()), tier: "vip".into() }, tiers[0].clone()];
    assert_eq!(
        h.map.plan_purchase(&h.info, c, hold, &bad, Timestamp::from_millis(START)),
        Err(EngineError::UnknownTier("vip".into()))
    );
    assert_eq!(h.buy(CustomerId::new(), hold, &[], START), Err(EngineError::HoldNotFound), "someone else's hold");
    h.buy(c, hold, &tiers, START).expect("bought");
    assert_eq!(h.map.counts().sold, 2);
    assert_eq!(h.map.counts().held, 0);
}

#[test]
fn tiers_name_the_seats_of_the_hold_once_each() {
    let mut h = Harness::new(Seating::Reserved);
    let c = CustomerId::new();
    let hold = h.hold(c, seats(&["A1", "A2"]), START).expect("ok");
    let now = Timestamp::from_millis(START);
    let tier = |seat: Option<&str>| TierChoice { seat: seat.map(Into::into), tier: "full".into() };
    let refused = |tiers: Vec<TierChoice>| match h.map.plan_purchase(&h.info, c, hold, &tiers, now) {
        Err(EngineError::InvalidRequest(message)) => message,
        other => panic!("{tiers:?} must be refused: {other:?}"),
    };
    assert!(refused(vec![tier(Some("A1")), tier(Some("Z9"))]).contains("Z9"), "the wrong seat is named");
    assert!(refused(vec![tier(Some("A1")), tier(Some("a1"))]).contains("two tiers"));
    assert!(refused(vec![tier(Some("A1")), tier(None)]).contains("`seat`"));

    let mut ga = Harness::new(Seating::GeneralAdmission { capacity: 10 });
    let hold = ga.hold(c, HoldRequest::Quantity(2), START).expect("ok");
    let tiers = vec![tier(Some("A1")), tier(None)];
    let answer = ga.map.plan_purchase(&ga.info, c, hold, &tiers, now);
    assert!(matches!(&answer, Err(EngineError::InvalidRequest(m)) if m.contains("general admission")), "{answer:?}");
    assert!(ga.map.plan_purchase(&ga.info, c, hold, &[tier(None), tier(None)], now).is_ok());
}

#[test]
fn a_hold_past_its_time_cannot_be_bought_before_the_tick_removes_it() {
    let mut h = Harness::new(Seating::Reserved);
    let c = CustomerId::new();
    let hold = h.hold(c, seats(&["C2"]), START).expect("ok");
    let late = Timestamp::from_millis(START + TTL_MS as i64);
    assert_eq!(h.map.plan_purchase(&h.info, c, hold, &[], late), Err(EngineError::HoldNotFound));
    let in_time = Timestamp::from_millis(START + TTL_MS as i64 - 1);
    assert!(h.map.plan_purchase(&h.info, c, hold, &[], in_time).is_ok());
}

#[test]
fn holds_expire_unless_paying() {
    let mut h = Harness::new(Seating::Reserved);
    let c = CustomerId::new();
    let hold = h.hold(c, seats(&["C1"]), START).expect("ok");
    let before = Timestamp::from_millis(START + 1000);
    assert!(h.map.decide_expiry(before, |_| false).is_empty());
    let after = Timestamp::from_millis(START + TTL_MS as i64);
    assert!(h.map.decide_expiry(after, |id| id == hold).is_empty(), "a hold in payment does not expire");
    let events = h.map.decide_expiry(after, |_| false);
    assert_eq!(events.len(), 1);
    h.commit(events, START + TTL_MS as i64);
    assert_eq!(h.map.counts().free, h.map.counts().capacity);
}

#[test]
fn cancellation_respects_owner_and_cutoff() {
    let mut h = Harness::new(Seating::Reserved);
    let c = CustomerId::new();
    let hold = h.hold(c, seats(&["B1"]), START).expect("ok");
    let booking = h.buy(c, hold, &[], START).expect("bought");
    let cutoff = 2 * 3_600_000;
    let late = Timestamp::from_millis(SHOW_AT - cutoff as i64 + 1);
    let other = Requester::Customer(CustomerId::new());
    assert_eq!(h.map.decide_cancel(&h.info, booking, other, late, cutoff), Err(EngineError::BookingNotFound));
    assert!(matches!(
        h.map.decide_cancel(&h.info, booking, Requester::Customer(c), late, cutoff),
        Err(EngineError::CancellationClosed { .. })
    ));
    let events = h.map.decide_cancel(&h.info, booking, Requester::Staff, late, cutoff).expect("staff may");
    h.commit(events, START);
    assert_eq!(
        h.map.decide_cancel(&h.info, booking, Requester::Staff, late, cutoff),
        Err(EngineError::AlreadyCancelled)
    );
    assert_eq!(h.map.counts().sold, 0);
}

#[test]
fn closing_ends_everything() {
    let mut h = Harness::new(Seating::Reserved);
    let (a, b) = (CustomerId::new(), CustomerId::new());
    let hold = h.hold(a, seats(&["A1"]), START).expect("ok");
    h.buy(a, hold, &[], START).expect("bought");
    h.hold(b, seats(&["A2"]), START).expect("ok");
    let events = h.map.decide_close();
    h.commit(events, START);
    assert!(h.map.is_closed());
    assert_eq!(h.map.counts().free, h.map.counts().capacity);
    assert!(matches!(h.hold(b, seats(&["A3"]), START), Err(EngineError::NotOnSale(_))));
}

#[test]
fn blocked_seats_cannot_be_held() {
    let mut h = Harness::new(Seating::Reserved);
    let events = h.map.decide_block(&h.info, &["A1".into()], true).expect("free seat");
    h.commit(events, START);
    assert_eq!(h.hold(CustomerId::new(), seats(&["A1"]), START), Err(EngineError::SeatsUnavailable(vec!["A1".into()])));
    assert!(h.map.decide_block(&h.info, &["A2".into()], false).is_err(), "A2 is not blocked");
}

#[test]
fn replay_refuses_out_of_order_or_contradicting_entries() {
    let mut h = Harness::new(Seating::Reserved);
    h.hold(CustomerId::new(), seats(&["A1"]), START).expect("ok");
    let mut fresh = SeatMap::new(&h.info);
    let mut skipped = h.journal[0].clone();
    skipped.seq = 2;
    assert!(fresh.apply(&skipped).is_err());
    fresh.apply(&h.journal[0]).expect("in order");
    let mut again = h.journal[0].clone();
    again.seq = 2;
    assert!(fresh.apply(&again).is_err(), "the same hold twice contradicts the state");
    assert_eq!(fresh, h.map);
}

/// One random step of a property test.
#[derive(Clone, Debug)]
enum Step {
    Hold { owner: usize, seats: Vec<u16> },
    HoldQuantity { owner: usize, quantity: u32 },
    Release { owner: usize },
    Buy { owner: usize },
    Cancel { which: usize, staff: bool },
    Block { seat: u16, blocked: bool },
    Advance { ms: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..6usize, proptest::collection::vec(0..20u16, 1..5)).prop_map(|(owner, seats)| Step::Hold { owner, seats }),
        1 => (0..6usize, 0..8u32).prop_map(|(owner, quantity)| Step::HoldQuantity { owner, quantity }),
        1 => (0..6usize).prop_map(|owner| Step::Release { owner }),
        3 => (0..6usize).prop_map(|owner| Step::Buy { owner }),
        1 => (0..10usize, any::<bool>()).prop_map(|(which, staff)| Step::Cancel { which, staff }),
        1 => (0..20u16, any::<bool>()).prop_map(|(seat, blocked)| Step::Block { seat, blocked }),
        1 => (0..200_000i64).prop_map(|ms| Step::Advance { ms }),
    ]
}

/// The label of seat `index`, or `Z1` (unknown) past the end of the layout.
fn label_of(info: &ShowtimeInfo, index: u16) -> String {
    info.layout
        .as_ref()
        .and_then(|l| l.seats().get(usize::from(index)))
        .map_or_else(|| "Z1".into(), |x| x.label.clone())
}

fn run(h: &mut Harness, owners: &[CustomerId], steps: &[Step]) -> Vec<BookingId> {
    let mut now = START;
    let mut booked = Vec::new();
    for s in steps {
        match s {
            Step::Hold { owner, seats } => {
                let labels: Vec<String> = seats.iter().map(|i| label_of(&h.info, *i)).collect();
                let _ = h.hold(owners[*owner], HoldRequest::Seats(labels), now);
            }
            Step::HoldQuantity { owner, quantity } => {
                let _ = h.hold(owners[*owner], HoldRequest::Quantity(*quantity), now);
            }
            Step::Release { owner } => {
                if let Some(id) = h.map.hold_of(owners[*owner]).map(|x| x.id) {
                    let events = h.map.decide_release(owners[*owner], id).expect("own live hold");
                    h.commit(events, now);
                }
            }
            Step::Buy { owner } => {
                if let Some(id) = h.map.hold_of(owners[*owner]).map(|x| x.id) {
                    booked.push(h.buy(owners[*owner], id, &[], now).expect("own live hold can be bought"));
                }
            }
            Step::Cancel { which, staff } => {
                if let Some(b) = booked.get(*which).copied() {
                    let who = if *staff {
                        Requester::Staff
                    } else {
                        Requester::Customer(h.map.booking(b).map_or(owners[0], |e| e.customer))
                    };
                    if let Ok(events) = h.map.decide_cancel(&h.info, b, who, Timestamp::from_millis(now), 3_600_000) {
                        h.commit(events, now);
                    }
                }
            }
            Step::Block { seat, blocked } => {
                let label = label_of(&h.info, *seat);
                if let Ok(events) = h.map.decide_block(&h.info, &[label], *blocked) {
                    h.commit(events, now);
                }
            }
            Step::Advance { ms } => {
                now += ms;
                let events = h.map.decide_expiry(Timestamp::from_millis(now), |_| false);
                h.commit(events, now);
            }
        }
    }
    booked
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random command sequences keep every invariant, and replaying the journal from
    /// scratch rebuilds exactly the same map.
    #[test]
    fn random_sequences_keep_invariants_and_replay(steps in proptest::collection::vec(step(), 1..80), ga in any::<bool>()) {
        let seating = if ga { Seating::GeneralAdmission { capacity: 12 } } else { Seating::Reserved };
        let mut h = Harness::new(seating);
        let owners: Vec<CustomerId> = (0..6).map(|_| CustomerId::new()).collect();
        let booked = run(&mut h, &owners, &steps);
        prop_assert_eq!(check_invariants(&h.map), Ok(()));
        // No seat in two live bookings; sold seats are exactly the seats of live bookings.
        let mut sold_seats: Vec<SeatIndex> = booked.iter().filter_map(|b| h.map.booking(*b)).filter(|e| !e.cancelled).flat_map(|e| e.seats.clone()).collect();
        let n = sold_seats.len();
        sold_seats.sort_unstable();
        sold_seats.dedup();
        prop_assert_eq!(n, sold_seats.len());
        if !ga {
            prop_assert_eq!(n as u32, h.map.counts().sold);
        }
        let mut replayed = SeatMap::new(&h.info);
        for e in &h.journal {
            replayed.apply(e).expect("journal replays");
        }
        prop_assert_eq!(replayed, h.map.clone());
    }
}
