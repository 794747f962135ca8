//! Kiosk clients in the rush: each kiosk device keeps one WebSocket (authenticated with its
//! device token, subscribed to the hot showtime) and serves its queue of walk-in customers
//! one after another: choose seats on the live map, hold, start the payment, let the fake
//! card terminal approve (or, for one in ten, decline: the payment is aborted and the hold
//! released), confirm. Uses the kiosk simulator's protocol client.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::journey::Ending;
use super::record::{Loop, is_error};
use super::seats::SeatMap;
use super::{Ctx, user_rng};
use crate::kiosk::client::{self, Socket};
use crate::setup::KioskInfo;
use crate::verify::AckedBooking;

/// Longest wait for an answer on the socket.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);

/// One kiosk device and its queue of walk-ins (user indexes).
pub async fn device(ctx: Arc<Ctx>, kiosk: KioskInfo, walk_ins: Vec<u64>, seed: u64) -> Vec<Ending> {
    let mut endings = Vec::new();
    let (mut ws, mut map) = match connect(&ctx, &kiosk).await {
        Ok(connected) => connected,
        Err(e) => {
            eprintln!("kiosk {}: {e:#}", kiosk.id);
            return walk_ins.iter().map(|_| Ending::Unserved("kiosk_connect")).collect();
        }
    };
    let mut next_id = 0u64;
    for user in walk_ins {
        if Instant::now() >= ctx.deadline {
            endings.push(Ending::Unserved("deadline"));
            continue;
        }
        let mut rng = user_rng(seed, user);
        let ending = serve(&ctx, &kiosk, &mut ws, &mut map, &mut rng, &mut next_id).await;
        endings.push(ending.unwrap_or_else(|e| e));
    }
    endings
}

async fn connect(ctx: &Ctx, kiosk: &KioskInfo) -> anyhow::Result<(Socket, SeatMap)> {
    let mut ws = client::connect(&ctx.ws_url, None).await?;
    client::send(&mut ws, "auth", "a", json!({"token": kiosk.token})).await?;
    let answer = client::answer(&mut ws, "a", ANSWER_TIMEOUT, |_| {}).await?;
    anyhow::ensure!(answer["type"] == "authenticated", "kiosk auth refused: {answer}");
    client::send(&mut ws, "subscribe", "s", json!({"showtime_id": ctx.hot, "coalesce": true})).await?;
    loop {
        let message = client::next(&mut ws, ANSWER_TIMEOUT).await?.ok_or_else(|| anyhow::anyhow!("closed"))?;
        if message["type"] == "snapshot" {
            let map = SeatMap::from_snapshot(&message).ok_or_else(|| anyhow::anyhow!("not a reserved seat map"))?;
            return Ok((ws, map));
        }
        anyhow::ensure!(message["type"] != "error", "subscribe refused: {message}");
    }
}

/// Sends one request and records its answer under `op`; pushed changes update the map.
async fn request(
    ctx: &Ctx,
    ws: &mut Socket,
    map: &mut SeatMap,
    next_id: &mut u64,
    op: &'static str,
    kind: &str,
    fields: Value,
) -> Result<Value, Ending> {
    *next_id += 1;
    let id = format!("r{next_id}");
    let started = Instant::now();
    let sent = client::send(ws, kind, &id, fields).await;
    let answer = match sent {
        Ok(()) => client::answer(ws, &id, ANSWER_TIMEOUT, |m| map.apply(&m)).await,
        Err(e) => Err(e),
    };
    let (outcome, result) = match answer {
        Ok(a) if a["type"] == "error" => (a["code"].as_str().unwrap_or("error").to_owned(), Ok(a)),
        Ok(a) => ("ok".to_owned(), Ok(a)),
        Err(_) => ("network".to_owned(), Err(Ending::Unserved("kiosk_socket"))),
    };
    ctx.recorder.record(Loop::Closed, op, &outcome, started.elapsed());
    if is_error(&outcome) && outcome != "network" {
        return Err(Ending::Unserved(op));
    }
    result
}

/// Waits while the map stays live.
async fn wait_on_map(ws: &mut Socket, map: &mut SeatMap, pause: Duration) {
    let until = Instant::now() + pause;
    while let Ok(Ok(Some(message))) = tokio::time::timeout_at(until, client::next(ws, pause)).await {
        map.apply(&message);
    }
}

/// Serves one walk-in customer.
async fn serve(
    ctx: &Ctx,
    kiosk: &KioskInfo,
    ws: &mut Socket,
    map: &mut SeatMap,
    rng: &mut StdRng,
    next_id: &mut u64,
) -> Result<Ending, Ending> {
    let scale = ctx.behaviour.think_scale;
    wait_on_map(ws, map, Duration::from_secs_f64(rng.random_range(1.0..3.0) * scale)).await;
    let wanted = rng.random_range(1..=4);
    let mut hold = None;
    for _ in 0..4 {
        let Some(seats) = map.pick(wanted, rng).or_else(|| map.any(wanted, rng)) else { break };
        let answer =
            request(ctx, ws, map, next_id, "kiosk_hold", "hold", json!({"showtime_id": ctx.hot, "seats": seats}))
                .await?;
        match answer["code"].as_str() {
            None => {
                hold = answer["hold"]["hold_id"].as_str().map(str::to_owned);
                break;
            }
            Some("sold_out") => return Ok(Ending::Served("sold_out")),
            Some(_) => wait_on_map(ws, map, Duration::from_secs_f64(0.3 * scale)).await,
        }
    }
    let Some(hold) = hold else { return Ok(Ending::Served("gave_up")) };
    let begin = json!({"showtime_id": ctx.hot, "hold_id": hold, "tiers": []});
    let required = request(ctx, ws, map, next_id, "kiosk_pay_begin", "purchase", begin).await?;
    let payment = required["payment_id"].clone();
    wait_on_map(ws, map, Duration::from_secs_f64(rng.random_range(0.5..2.0) * scale)).await;
    // The fake card terminal: declines one card in ten.
    if rng.random_bool(0.1) {
        request(ctx, ws, map, next_id, "kiosk_pay_abort", "abort_payment", json!({"payment_id": payment})).await?;
        request(ctx, ws, map, next_id, "kiosk_release", "release", json!({"showtime_id": ctx.hot, "hold_id": hold}))
            .await?;
        return Ok(Ending::Served("declined"));
    }
    let terminal_ref = format!("T-{:08X}", rng.random::<u32>());
    let confirm = json!({"payment_id": payment, "terminal_ref": terminal_ref});
    let purchased = request(ctx, ws, map, next_id, "kiosk_pay_confirm", "confirm_payment", confirm).await?;
    let booking = &purchased["booking"];
    let seats = booking["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["label"].as_str().map(str::to_owned))
        .collect();
    ctx.recorder.booked(AckedBooking {
        id: booking["id"].as_str().unwrap_or_default().to_owned(),
        showtime_id: ctx.hot.clone(),
        customer_id: kiosk.id.clone(),
        seats,
        total_minor: booking.pointer("/total/amount_minor").and_then(Value::as_i64).unwrap_or(0),
        cancelled: false,
    });
    Ok(Ending::Served("booked"))
}
