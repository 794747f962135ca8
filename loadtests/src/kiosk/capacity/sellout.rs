//! The sell-out of the capacity bench: a 500-seat showtime, and buyers that hold 2 seats
//! and buy them until nothing is left, stamping each decision's request and 2xx times.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::Rng;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api::Api;

/// Rows of the bench room, `A` to `T`, 25 seats each.
const ROWS: usize = 20;
/// Seats per row.
const ROW_SEATS: usize = 25;

/// One acknowledged decision.
#[derive(Clone, Debug)]
pub struct Decision {
    /// `held` or `sold`: the change it produces.
    pub kind: &'static str,
    /// The first seat of the change.
    pub first_seat: String,
    /// When the request was sent (ns since the bench started).
    pub sent_ns: u64,
    /// When its 2xx arrived.
    pub ok_ns: u64,
}

/// Creates a film, a 500-seat room and a showtime in 30 days; its id.
pub async fn create_showtime(api: &Api, admin: &str) -> anyhow::Result<String> {
    let suffix: u32 = rand::rng().random_range(0..1_000_000);
    let film = json!({"title": format!("WS bench {suffix}"), "director": "Bench", "duration_minutes": 100});
    let film = api.create(admin, "/api/v1/films", &film).await?;
    let rows: Vec<Value> = (0..ROWS).map(|r| json!({"label": row(r), "seats": "S".repeat(ROW_SEATS)})).collect();
    let room = json!({"name": format!("WS bench room {suffix}"), "layout": {"rows": rows}});
    let room = api.create(admin, "/api/v1/auditoriums", &room).await?;
    let starts_at = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%dT%H:%M:00Z").to_string();
    let showtime = json!({
        "film_id": film, "auditorium_id": room, "starts_at": starts_at, "version": "VO", "format": "2d",
        "prices": {"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 100}]}
    });
    api.create(admin, "/api/v1/showtimes", &showtime).await
}

/// `n` customers with money in their wallets; their tokens.
pub async fn create_buyers(api: &Api, admin: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let run: u32 = rand::rng().random_range(0..1_000_000_000);
    let created = futures::future::join_all((0..n).map(|i| buyer_account(api, admin, run, i))).await;
    created.into_iter().collect()
}

/// Registers a customer, verifies the email by hand and credits the wallet (staff).
async fn buyer_account(api: &Api, admin: &str, run: u32, i: usize) -> anyhow::Result<String> {
    let body = json!({
        "email": format!("ws-{run}-{i}@example.test"), "username": format!("ws{run}x{i}"),
        "first_name": "Ada", "last_name": "Lovelace", "password": format!("Correct horse {run} battery {i}!"),
    });
    let registered = api.expect(Method::POST, "/api/v1/customers", None, Some(&body)).await?;
    let token = registered["token"].as_str().context("token")?.to_owned();
    let id = registered["account"]["id"].as_str().context("account id")?.to_owned();
    let _ = api.call(Method::POST, &format!("/api/v1/customers/{id}/verify-email"), Some(admin), None).await;
    let credit = json!({"amount_minor": 1_000_000, "reason": "WebSocket capacity bench", "kind": "top_up"});
    api.expect(Method::POST, &format!("/api/v1/customers/{id}/wallet/adjustments"), Some(admin), Some(&credit)).await?;
    Ok(token)
}

fn row(r: usize) -> String {
    char::from(b'A' + u8::try_from(r % 26).unwrap_or(0)).to_string()
}

/// Seats `2p` and `2p + 1`, counted row by row.
fn pair(p: usize) -> [String; 2] {
    [2 * p, 2 * p + 1].map(|i| format!("{}{}", row(i / ROW_SEATS), i % ROW_SEATS + 1))
}

/// Buys every pair; the acknowledged decisions.
pub async fn sell_out(
    api: &Api,
    showtime: &str,
    tokens: &[String],
    start: Instant,
    rate: Option<u32>,
) -> Vec<Decision> {
    let next = Arc::new(AtomicUsize::new(0));
    let pacer = rate.map(|per_second| {
        let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(per_second.max(1))));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Arc::new(tokio::sync::Mutex::new(ticks))
    });
    let started = Instant::now();
    let tasks = tokens.iter().cloned().map(|token| {
        let (api, showtime, next, pacer) = (api.clone(), showtime.to_owned(), Arc::clone(&next), pacer.clone());
        tokio::spawn(async move { buyer(&api, &showtime, &token, &next, start, pacer.as_deref()).await })
    });
    let decisions: Vec<Decision> =
        futures::future::join_all(tasks).await.into_iter().filter_map(Result::ok).flatten().collect();
    println!("sell-out: {} decisions in {:.1} s", decisions.len(), started.elapsed().as_secs_f64());
    decisions
}

/// Paces the buyers' requests together (`--rate`).
type Pacer = tokio::sync::Mutex<tokio::time::Interval>;

async fn pace(pacer: Option<&Pacer>) {
    if let Some(pacer) = pacer {
        pacer.lock().await.tick().await;
    }
}

async fn buyer(
    api: &Api,
    showtime: &str,
    token: &str,
    next: &AtomicUsize,
    start: Instant,
    pacer: Option<&Pacer>,
) -> Vec<Decision> {
    let ns = || u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let mut decisions = Vec::new();
    loop {
        let p = next.fetch_add(1, Ordering::Relaxed);
        if p >= ROWS * ROW_SEATS / 2 {
            return decisions;
        }
        let seats = pair(p);
        pace(pacer).await;
        let sent_ns = ns();
        let path = format!("/api/v1/showtimes/{showtime}/holds");
        let held = api.call(Method::POST, &path, Some(token), Some(&json!({"seats": seats}))).await;
        if !held.is_ok() {
            continue;
        }
        decisions.push(Decision { kind: "held", first_seat: seats[0].clone(), sent_ns, ok_ns: ns() });
        let Some(hold) = held.str("hold_id").map(str::to_owned) else { continue };
        pace(pacer).await;
        let sent_ns = ns();
        let path = format!("/api/v1/showtimes/{showtime}/holds/{hold}/purchase");
        if api.call(Method::POST, &path, Some(token), None).await.is_ok() {
            decisions.push(Decision { kind: "sold", first_seat: seats[0].clone(), sent_ns, ok_ns: ns() });
        }
    }
}
