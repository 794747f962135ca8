//! The store checks: the SQLite file opened read-only (the server may still run: WAL lets a
//! reader see the last committed state), the journal of every showtime replayed by
//! [`super::journal`] and compared with the live map; the booking rows compared with the
//! journal and with what clients were told; the ledger compared with the API's balances and
//! with the bookings (every payment has a booking or a refund; every cancelled booking a
//! refund).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Context;
use boxoffice_storage::{JournalEntry, SeatEvent, Timestamp};
use rusqlite::{Connection, OpenFlags};

use super::journal::{Replayed, Slot, replay};
use super::{ApiMap, Facts, Verification};

/// `sqlite:PATH` or a plain path to the file.
pub fn parse_store(raw: &str) -> anyhow::Result<std::path::PathBuf> {
    let path = raw.strip_prefix("sqlite:").unwrap_or(raw);
    let path = std::path::PathBuf::from(path);
    anyhow::ensure!(path.is_file(), "--store {raw}: no such SQLite file");
    Ok(path)
}

/// Runs the store checks.
///
/// # Errors
/// The file cannot be opened or read.
pub fn check(
    path: &Path,
    facts: &Facts,
    maps: &HashMap<String, ApiMap>,
    balances: &HashMap<String, i64>,
    report: &mut Verification,
) -> anyhow::Result<()> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_context(|| format!("opening {} read-only", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut replays = HashMap::new();
    let mut violations = Vec::new();
    for (id, _) in &facts.showtimes {
        let replayed = replay(&load_journal(&conn, id)?);
        violations.extend(replayed.violations.iter().map(|v| format!("showtime {id}: {v}")));
        if let Some(map) = maps.get(id) {
            compare_with_map(id, &replayed, map, &mut violations);
        }
        replays.insert(id.clone(), replayed);
    }
    report.add("store: journal replays cleanly and matches the live map", facts.showtimes.len() as u64, violations);
    let rows = load_bookings(&conn)?;
    booking_rows(facts, &replays, &rows, report);
    ledger(&conn, facts, balances, &rows, report)
}

fn load_journal(conn: &Connection, showtime: &str) -> anyhow::Result<Vec<JournalEntry>> {
    let mut statement = conn.prepare("SELECT seq, at_ms, event FROM journal WHERE showtime_id = ?1 ORDER BY seq")?;
    let rows = statement
        .query_map([showtime], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?)))?;
    let mut entries = Vec::new();
    for row in rows {
        let (seq, at_ms, event) = row?;
        let event: SeatEvent =
            serde_json::from_str(&event).with_context(|| format!("journal event {showtime}#{seq}"))?;
        entries.push(JournalEntry { seq: u64::try_from(seq)?, at: Timestamp::from_millis(at_ms), event });
    }
    Ok(entries)
}

/// Sold seats must match exactly; held ones too, except holds past their expiry (the
/// actor's timer may not have journaled the expiry yet).
fn compare_with_map(id: &str, replayed: &Replayed, map: &ApiMap, violations: &mut Vec<String>) {
    let now = Timestamp::now().as_millis();
    for (i, (label, status)) in map.seats.iter().enumerate() {
        let slot = replayed.seats.get(i).cloned().unwrap_or(Slot::Free);
        let agrees = match (&slot, status.as_str()) {
            (Slot::Free, "free") | (Slot::Sold(_), "sold") | (Slot::Blocked, "blocked") | (Slot::Held(..), "held") => {
                true
            }
            (Slot::Held(_, expires), "free") => *expires <= now,
            _ => false,
        };
        if !agrees {
            violations.push(format!("showtime {id}: seat {label} is {status} on the map but {slot:?} in the journal"));
        }
    }
}

/// A booking row: `(showtime, customer, payment, status, total, seats)`.
struct Row {
    showtime: String,
    customer: String,
    payment: String,
    confirmed: bool,
    total: i64,
    seats: Vec<usize>,
}

fn load_bookings(conn: &Connection) -> anyhow::Result<HashMap<String, Row>> {
    let mut statement =
        conn.prepare("SELECT id, showtime_id, customer_id, payment_id, status, total_minor, record FROM bookings")?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, i64>(5)?,
            row.get::<_, String>(6)?,
        ))
    })?;
    let mut bookings = HashMap::new();
    for row in rows {
        let (id, showtime, customer, payment, status, total, record) = row?;
        let record: serde_json::Value =
            serde_json::from_str(&record).with_context(|| format!("booking {id} record"))?;
        let seats = record["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["seat"].as_u64())
            .filter_map(|s| usize::try_from(s).ok())
            .collect();
        bookings.insert(id, Row { showtime, customer, payment, confirmed: status == "confirmed", total, seats });
    }
    Ok(bookings)
}

/// Booking rows agree with the journal and with the acknowledgements; no seat is in two
/// confirmed rows.
fn booking_rows(
    facts: &Facts,
    replays: &HashMap<String, Replayed>,
    rows: &HashMap<String, Row>,
    report: &mut Verification,
) {
    let mut violations = Vec::new();
    let mut seats = HashSet::new();
    let mut checked = 0;
    for (id, row) in rows.iter().filter(|(_, r)| replays.contains_key(&r.showtime)) {
        checked += 1;
        if row.confirmed {
            for s in &row.seats {
                if !seats.insert((row.showtime.as_str(), *s)) {
                    violations.push(format!(
                        "seat #{s} of showtime {} is in two confirmed booking rows (one is {id})",
                        row.showtime
                    ));
                }
            }
        }
        let journal = replays.get(&row.showtime).and_then(|r| r.bookings.get(id));
        if journal.map(|(live, seats)| (*live, seats)) != Some((row.confirmed, &row.seats)) {
            violations.push(format!(
                "booking row {id} ({}) disagrees with the journal ({journal:?})",
                if row.confirmed { "confirmed" } else { "cancelled" }
            ));
        }
    }
    for (id, replayed) in replays {
        let in_rows = rows.values().filter(|r| &r.showtime == id).count();
        if replayed.bookings.len() != in_rows {
            violations
                .push(format!("showtime {id}: {} bookings in the journal, {in_rows} rows", replayed.bookings.len()));
        }
    }
    for acked in facts.bookings.values() {
        match rows.get(&acked.id) {
            None => violations.push(format!("acknowledged booking {} is not in the store", acked.id)),
            Some(row) if row.confirmed == acked.cancelled && !facts.uncertain.contains(&acked.customer_id) => {
                violations.push(format!(
                    "acknowledged booking {} is {} in the store",
                    acked.id,
                    if row.confirmed { "confirmed" } else { "cancelled" }
                ));
            }
            Some(row) if row.total != acked.total_minor || row.customer != acked.customer_id => {
                violations.push(format!(
                    "booking {}: total {} for {} in the store, told {} for {}",
                    acked.id, row.total, row.customer, acked.total_minor, acked.customer_id
                ));
            }
            Some(_) => {}
        }
    }
    report.add(
        "store: booking rows = journal = acknowledgements; no seat in two",
        checked + facts.bookings.len() as u64,
        violations,
    );
}

/// Every wallet: sum of the ledger = the API's balance = credits − bookings paid + refunds
/// of cancelled ones; every payment has a booking or a refund.
fn ledger(
    conn: &Connection,
    facts: &Facts,
    balances: &HashMap<String, i64>,
    rows: &HashMap<String, Row>,
    report: &mut Verification,
) -> anyhow::Result<()> {
    let wallets: HashSet<&str> =
        facts.customers.iter().map(|(id, _)| id.as_str()).chain(facts.kiosks.iter().map(String::as_str)).collect();
    let mut statement = conn.prepare("SELECT customer_id, kind, reference, amount_minor FROM ledger")?;
    let mut sums: HashMap<String, (i64, i64)> = HashMap::new(); // (sum, credits + adjustments)
    let mut refunds = HashSet::new();
    let mut payments = Vec::new();
    let entries = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, i64>(3)?))
    })?;
    for entry in entries {
        let (customer, kind, reference, amount) = entry?;
        if !wallets.contains(customer.as_str()) {
            continue;
        }
        let sum = sums.entry(customer.clone()).or_default();
        sum.0 += amount;
        match (kind.as_str(), reference.split_once(':')) {
            ("payment", Some((_, payment))) => payments.push((customer, payment.to_owned(), amount)),
            ("refund", Some((_, payment))) => drop(refunds.insert(payment.to_owned())),
            _ => sum.1 += amount,
        }
    }
    let mut violations = Vec::new();
    let booked: HashMap<&str, &Row> = rows.values().map(|r| (r.payment.as_str(), r)).collect();
    for (customer, payment, amount) in &payments {
        if !booked.contains_key(payment.as_str()) && !refunds.contains(payment) {
            violations
                .push(format!("customer {customer}: payment {payment} ({amount}) has neither a booking nor a refund"));
        }
    }
    let mut expected: HashMap<&str, i64> = HashMap::new();
    for row in rows.values().filter(|r| wallets.contains(r.customer.as_str())) {
        *expected.entry(row.customer.as_str()).or_default() -= if row.confirmed { row.total } else { 0 };
        if !row.confirmed && !refunds.contains(&row.payment) {
            violations
                .push(format!("cancelled booking of {} (payment {}) was not refunded", row.customer, row.payment));
        }
    }
    for id in &wallets {
        let (sum, credits) = sums.get(*id).copied().unwrap_or_default();
        let want = credits + expected.get(id).copied().unwrap_or(0);
        if sum != want {
            violations.push(format!("wallet {id}: ledger sums to {sum}, credits − live bookings = {want}"));
        }
        if let Some(balance) = balances.get(*id).filter(|b| **b != sum) {
            violations.push(format!("wallet {id}: API balance {balance}, ledger in the store sums to {sum}"));
        }
    }
    report.add("store: wallet = credits − payments + refunds; payments settled", wallets.len() as u64, violations);
    Ok(())
}
