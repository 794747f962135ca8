//! The invariants checked at the end of a rush, on two separate paths: through the API
//! (as staff) here, and directly in the store ([`store`], with the journal replayed by
//! [`journal`], an implementation independent of the engine's).
//!
//! - **no seat sold twice**: no seat in two live bookings acknowledged to clients; every
//!   such seat is sold on the live map; in the store, no journal event sells a sold seat and
//!   no seat is in two confirmed booking rows;
//! - **every acknowledged booking exists**, with its seats, showtime, customer and status;
//! - **sold + held + free (+ blocked) = capacity** for every showtime of the setup, and the
//!   map's counts agree with its seats (and with the journal);
//! - **every wallet = credits − payments + refunds**: the balance is the sum of the ledger,
//!   equals the opening credit minus what the client was told it paid plus what it was told
//!   was refunded, and (in the store) every payment has a booking or a refund.

pub mod journal;
pub mod store;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use futures::StreamExt;
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::api::Api;

/// Calls in flight while checking.
const CHECKS_IN_FLIGHT: usize = 32;
/// Violations listed in full (the count is always exact).
const VIOLATIONS_LISTED_MAX: usize = 100;

/// A booking acknowledged to a client.
#[derive(Debug, Clone, Serialize)]
pub struct AckedBooking {
    /// Booking id.
    pub id: String,
    /// Its showtime.
    pub showtime_id: String,
    /// Who paid (a customer, or a kiosk device's record).
    pub customer_id: String,
    /// Seat labels.
    pub seats: Vec<String>,
    /// Total paid (minor units).
    pub total_minor: i64,
    /// Whether a cancellation of it was acknowledged.
    pub cancelled: bool,
}

/// What the clients were told, and what the setup made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// Showtimes to check: `(id, capacity)`.
    pub showtimes: Vec<(String, u32)>,
    /// Customers: `(id, opening credit)`.
    pub customers: Vec<(String, i64)>,
    /// Kiosk devices (their sales are recorded under their id).
    pub kiosks: Vec<String>,
    /// Bookings acknowledged, by id.
    pub bookings: BTreeMap<String, AckedBooking>,
    /// Customers with a payment or cancellation of unknown outcome.
    pub uncertain: BTreeSet<String>,
}

/// One named check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Items checked.
    pub checked: u64,
    /// Violations found.
    pub violations: u64,
}

/// The verification report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// Every check run.
    pub checks: Vec<Check>,
    /// Total violations.
    pub violation_count: u64,
    /// The first violations, in words.
    pub violations: Vec<String>,
    /// Whether the store was checked too (`--store`).
    pub store_checked: bool,
}

impl Verification {
    /// Adds a check with its violations.
    pub fn add(&mut self, name: &str, checked: u64, violations: Vec<String>) {
        self.checks.push(Check { name: name.to_owned(), checked, violations: violations.len() as u64 });
        self.violation_count += violations.len() as u64;
        let room = VIOLATIONS_LISTED_MAX.saturating_sub(self.violations.len());
        self.violations.extend(violations.into_iter().take(room));
    }

    /// Prints the report.
    pub fn print(&self) {
        println!("invariants:");
        for c in &self.checks {
            let verdict = if c.violations == 0 { "ok" } else { "VIOLATED" };
            println!("  {:<58} {:>7} checked  {:>4} violations  {verdict}", c.name, c.checked, c.violations);
        }
        if !self.store_checked {
            println!("  (store check skipped: pass --store sqlite:PATH to check the database directly)");
        }
        for v in &self.violations {
            println!("  VIOLATION: {v}");
        }
        println!("  => {}", if self.violation_count == 0 { "no violations" } else { "INVARIANTS VIOLATED" });
    }
}

/// A seat map as the API shows it: `(label, status)` per seat, in seat order, and counts.
#[derive(Debug, Clone)]
pub struct ApiMap {
    /// Seats in seat-index order.
    pub seats: Vec<(String, String)>,
    /// `capacity, free, held, sold, blocked`.
    pub counts: [u64; 5],
}

/// Runs every check: the API ones, then the store ones when `store` is given.
pub async fn run(api: &Api, admin: &str, facts: &Facts, store: Option<&Path>) -> Verification {
    let mut report = Verification::default();
    let maps = seat_maps(api, facts, &mut report).await;
    acked_bookings(api, admin, facts, &mut report).await;
    no_seat_sold_twice(facts, &maps, &mut report);
    let balances = wallets(api, admin, facts, &mut report).await;
    if let Some(path) = store {
        report.store_checked = true;
        if let Err(e) = store::check(path, facts, &maps, &balances, &mut report) {
            report.add("store readable", 1, vec![format!("cannot check the store: {e:#}")]);
        }
    }
    report
}

async fn get(api: &Api, token: Option<&str>, path: String) -> (String, crate::api::Answer) {
    let answer = api.call(Method::GET, &path, token, None).await;
    (path, answer)
}

/// Every showtime's map adds up to its capacity and its counts agree with its seats.
async fn seat_maps(api: &Api, facts: &Facts, report: &mut Verification) -> HashMap<String, ApiMap> {
    let calls = facts.showtimes.iter().map(|(id, _)| get(api, None, format!("/api/v1/showtimes/{id}/seats")));
    let answers: Vec<_> = futures::stream::iter(calls).buffered(CHECKS_IN_FLIGHT).collect().await;
    let mut maps = HashMap::new();
    let mut violations = Vec::new();
    for ((id, capacity), (path, answer)) in facts.showtimes.iter().zip(answers) {
        if !answer.is_ok() {
            violations.push(format!("GET {path} answered {}", answer.outcome()));
            continue;
        }
        let c = &answer.body["counts"];
        let n = |k: &str| c[k].as_u64().unwrap_or(u64::MAX);
        let counts = [n("capacity"), n("free"), n("held"), n("sold"), n("blocked")];
        let seats: Vec<(String, String)> = answer.body["seats"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| (s["label"].as_str().unwrap_or("").to_owned(), s["status"].as_str().unwrap_or("").to_owned()))
            .collect();
        let tally = |status: &str| seats.iter().filter(|(_, s)| s == status).count() as u64;
        let sum = counts[1..].iter().fold(0u64, |a, b| a.saturating_add(*b));
        if sum != counts[0] || counts[0] != u64::from(*capacity) || seats.len() as u64 != counts[0] {
            violations.push(format!(
                "showtime {id}: free+held+sold+blocked = {sum}, capacity {} (setup {capacity}, {} seats)",
                counts[0],
                seats.len()
            ));
        }
        if [tally("free"), tally("held"), tally("sold"), tally("blocked")]
            != [counts[1], counts[2], counts[3], counts[4]]
        {
            violations.push(format!("showtime {id}: counts {counts:?} disagree with the seats' statuses"));
        }
        maps.insert(id.clone(), ApiMap { seats, counts });
    }
    report.add("API: sold + held + free + blocked = capacity, per showtime", facts.showtimes.len() as u64, violations);
    maps
}

/// Every acknowledged booking is there, as acknowledged.
async fn acked_bookings(api: &Api, admin: &str, facts: &Facts, report: &mut Verification) {
    let calls = facts.bookings.keys().map(|id| get(api, Some(admin), format!("/api/v1/bookings/{id}")));
    let answers: Vec<_> = futures::stream::iter(calls).buffered(CHECKS_IN_FLIGHT).collect().await;
    let mut violations = Vec::new();
    for (acked, (path, answer)) in facts.bookings.values().zip(answers) {
        if !answer.is_ok() {
            violations.push(format!("acknowledged booking {}: GET {path} answered {}", acked.id, answer.outcome()));
            continue;
        }
        let b = &answer.body;
        let seats: Vec<&str> =
            b["lines"].as_array().into_iter().flatten().filter_map(|l| l["label"].as_str()).collect();
        let want_status = if acked.cancelled { "cancelled" } else { "confirmed" };
        let status_ok = b["status"] == want_status || facts.uncertain.contains(&acked.customer_id);
        if !status_ok
            || b["showtime_id"] != acked.showtime_id.as_str()
            || b["customer_id"] != acked.customer_id.as_str()
            || seats != acked.seats
        {
            violations.push(format!(
                "booking {} differs from its acknowledgement: {} {:?} {} (told {want_status} {:?})",
                acked.id, b["status"], seats, b["showtime_id"], acked.seats
            ));
        }
    }
    report.add("API: every acknowledged booking exists as acknowledged", facts.bookings.len() as u64, violations);
}

/// No seat in two live acknowledged bookings; each of their seats is sold on the map; with
/// no uncertain outcome, every sold seat is in an acknowledged booking.
fn no_seat_sold_twice(facts: &Facts, maps: &HashMap<String, ApiMap>, report: &mut Verification) {
    let mut owner: HashMap<(&str, &str), &str> = HashMap::new();
    let mut violations = Vec::new();
    for b in facts.bookings.values().filter(|b| !b.cancelled) {
        for seat in &b.seats {
            if let Some(other) = owner.insert((&b.showtime_id, seat), &b.id) {
                violations.push(format!(
                    "seat {seat} of showtime {} sold twice: bookings {other} and {}",
                    b.showtime_id, b.id
                ));
            }
            let status =
                maps.get(&b.showtime_id).and_then(|m| m.seats.iter().find(|(l, _)| l == seat)).map(|(_, s)| s.as_str());
            if maps.contains_key(&b.showtime_id) && status != Some("sold") {
                violations.push(format!("seat {seat} of booking {} is {status:?} on the map, not sold", b.id));
            }
        }
    }
    if facts.uncertain.is_empty() {
        for (id, map) in maps {
            let acked = owner.keys().filter(|(s, _)| s == id).count() as u64;
            if map.counts[3] != acked {
                violations
                    .push(format!("showtime {id}: {} seats sold, {acked} in acknowledged bookings", map.counts[3]));
            }
        }
    }
    report.add("API: no seat sold twice; sold seats = acknowledged bookings", owner.len() as u64, violations);
}

/// Every wallet's balance is its ledger's sum and what its client was told; the balances.
async fn wallets(api: &Api, admin: &str, facts: &Facts, report: &mut Verification) -> HashMap<String, i64> {
    let mut told: HashMap<&str, i64> = facts.customers.iter().map(|(id, credit)| (id.as_str(), *credit)).collect();
    for b in facts.bookings.values() {
        if let Some(balance) = told.get_mut(b.customer_id.as_str()) {
            *balance -= if b.cancelled { 0 } else { b.total_minor };
        }
    }
    let calls =
        facts.customers.iter().map(|(id, _)| get(api, Some(admin), format!("/api/v1/customers/{id}/wallet?limit=200")));
    let answers: Vec<_> = futures::stream::iter(calls).buffered(CHECKS_IN_FLIGHT).collect().await;
    let mut balances = HashMap::new();
    let mut violations = Vec::new();
    for ((id, _), (path, answer)) in facts.customers.iter().zip(answers) {
        if !answer.is_ok() {
            violations.push(format!("GET {path} answered {}", answer.outcome()));
            continue;
        }
        let balance = answer.body.pointer("/balance/amount_minor").and_then(Value::as_i64).unwrap_or(i64::MIN);
        let entries = answer.body.pointer("/ledger/items").and_then(Value::as_array).cloned().unwrap_or_default();
        let total = answer.body.pointer("/ledger/total").and_then(Value::as_u64).unwrap_or(0);
        let sum: i64 = entries.iter().filter_map(|e| e.pointer("/amount/amount_minor").and_then(Value::as_i64)).sum();
        if total as usize == entries.len() && sum != balance {
            violations.push(format!("customer {id}: balance {balance} but the ledger sums to {sum}"));
        }
        let expected = told.get(id.as_str()).copied().unwrap_or(0);
        if !facts.uncertain.contains(id) && balance != expected {
            violations
                .push(format!("customer {id}: balance {balance}, but credit − paid + refunded as told = {expected}"));
        }
        balances.insert(id.clone(), balance);
    }
    report.add(
        "API: wallet = credits − payments + refunds (ledger and clients)",
        facts.customers.len() as u64,
        violations,
    );
    balances
}
