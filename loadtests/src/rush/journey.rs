//! One simulated customer's visit on the web: browse the listings, open a seat map (a
//! WebSocket subscription kept current while choosing), hold 1 to 6 adjacent seats (other
//! seats on a conflict), then pay, or abandon the hold; pay may fail for insufficient
//! balance; some cancel the booking afterwards. Think times separate the steps.
//!
//! Every decision comes from the visitor's own seeded RNG and the server's answers, so a
//! seed replays the same behaviour. Latency is measured from the *intended* send time: in
//! closed loop that is when the request went out; in open loop (arrivals on a schedule) a
//! late wake-up counts against the server's answer, so coordinated omission cannot hide it.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::Ctx;
use super::feed::LiveMap;
use super::record::{Loop, is_error};
use super::seats::SeatMap;
use crate::api::Answer;
use crate::kiosk::client;
use crate::setup::CustomerInfo;
use crate::verify::AckedBooking;

/// Hold attempts before a customer gives up on finding seats.
const HOLD_TRIES_MAX: u32 = 6;
/// Tries of a purchase or cancellation (same idempotency key) on a 5xx or network error.
const RETRIES_MAX: u32 = 3;

/// Whether `call` refused to send because the run's deadline passed (nothing was sent).
fn past_deadline(answer: &Answer) -> bool {
    answer.status == 0 && answer.body["code"] == "deadline"
}

/// The seat map a customer chooses from.
enum MapView {
    /// Kept current over the WebSocket by a reader on the feed runtime.
    Live(LiveMap),
    /// Fetched over HTTP (`--http-seat-map`), fetched again after a conflict.
    Fetched(SeatMap),
}

impl MapView {
    /// `wanted` adjacent free seats as the map shows them (or fewer); when it shows nothing
    /// free, seats at random (the server's answer decides).
    fn choose(&self, wanted: usize, rng: &mut StdRng) -> Option<Vec<String>> {
        let mut choose = |map: &SeatMap| map.pick(wanted, rng).or_else(|| map.any(wanted, rng));
        match self {
            MapView::Live(live) => choose(&live.view()),
            MapView::Fetched(map) => choose(map),
        }
    }
}

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Got a definite answer: booked, sold out, could not afford, abandoned, gave up.
    Served(&'static str),
    /// An error it could not get past, or the run's deadline.
    Unserved(&'static str),
}

/// A simulated customer.
pub struct Visitor {
    ctx: Arc<Ctx>,
    mode: Loop,
    customer: CustomerInfo,
    rng: StdRng,
    /// When the next request is meant to go out.
    intended: Instant,
}

type Step<T> = Result<T, Ending>;

impl Visitor {
    /// A visitor arriving at `arrival`.
    pub fn new(ctx: Arc<Ctx>, mode: Loop, customer: CustomerInfo, rng: StdRng, arrival: Instant) -> Self {
        Self { ctx, mode, customer, rng, intended: arrival }
    }

    /// The whole visit.
    pub async fn run(mut self) -> Ending {
        tokio::time::sleep_until(self.intended).await;
        self.journey().await.unwrap_or_else(|ending| ending)
    }

    async fn journey(&mut self) -> Step<Ending> {
        let listing = self.browse().await;
        self.fail_on_error(&listing, "browse")?;
        self.think(0.2, 2.0).await;
        let showtime = self.choose_showtime();
        let mut map = self.open_map(&showtime).await?;
        self.think(0.5, 3.0).await;
        let wanted = [1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 6, 6][self.rng.random_range(0..18)];
        let held = self.hold_seats(&showtime, &mut map, wanted).await;
        if let MapView::Live(live) = map {
            live.close().await;
        }
        let hold_id = match held? {
            Ok(hold_id) => hold_id,
            Err(ending) => return Ok(ending),
        };
        if self.rng.random_bool(self.ctx.behaviour.abandon_share) {
            if self.rng.random_bool(0.5) {
                self.release(&showtime, &hold_id).await;
            }
            return Ok(Ending::Served("abandoned"));
        }
        self.think(1.0, 4.0).await;
        let Some(booking) = self.purchase(&showtime, &hold_id).await? else {
            self.release(&showtime, &hold_id).await;
            return Ok(Ending::Served("insufficient_balance"));
        };
        if self.rng.random_bool(self.ctx.behaviour.cancel_share) {
            self.think(0.5, 3.0).await;
            self.cancel(&booking).await?;
            return Ok(Ending::Served("cancelled"));
        }
        Ok(Ending::Served("booked"))
    }

    fn choose_showtime(&mut self) -> String {
        let others = &self.ctx.others;
        if others.is_empty() || self.rng.random_bool(self.ctx.behaviour.hot_share) {
            return self.ctx.hot.clone();
        }
        others[self.rng.random_range(0..others.len())].clone()
    }

    /// Waits a think time (scaled), then the next request is due.
    async fn think(&mut self, low_s: f64, high_s: f64) {
        self.intended = Instant::now() + self.think_time(low_s, high_s);
        tokio::time::sleep_until(self.intended).await;
    }

    fn think_time(&mut self, low_s: f64, high_s: f64) -> Duration {
        Duration::from_secs_f64(self.rng.random_range(low_s..high_s) * self.ctx.behaviour.think_scale)
    }

    /// Calls the API and records the answer under `op`.
    async fn call(
        &mut self,
        op: &'static str,
        method: Method,
        path: String,
        body: Option<Value>,
        key: Option<&str>,
    ) -> Answer {
        if let Some(late) = self.late() {
            return late;
        }
        let token = self.customer.token.clone();
        let answer = self.ctx.api.call_keyed(method, &path, Some(&token), body.as_ref(), key).await;
        self.recorded(op, answer)
    }

    /// Opens the listings (the body is read, not decoded: the visit does not use it).
    async fn browse(&mut self) -> Answer {
        if let Some(late) = self.late() {
            return late;
        }
        let answer = self.ctx.api.glance("/api/v1/showtimes?limit=50", Some(&self.customer.token)).await;
        self.recorded("browse", answer)
    }

    /// The answer of a request not sent because the run's deadline passed.
    fn late(&self) -> Option<Answer> {
        (Instant::now() >= self.ctx.deadline).then(|| Answer {
            status: 0,
            body: json!({"code": "deadline"}),
            took: Duration::ZERO,
        })
    }

    /// Records `answer` under `op` and hands it back.
    fn recorded(&self, op: &'static str, answer: Answer) -> Answer {
        let latency = if self.mode == Loop::Open { self.intended.elapsed() } else { answer.took };
        self.ctx.recorder.record(self.mode, op, &answer.outcome(), latency);
        answer
    }

    fn fail_on_error(&self, answer: &Answer, step: &'static str) -> Step<()> {
        if is_error(&answer.outcome()) { Err(Ending::Unserved(step)) } else { Ok(()) }
    }

    /// The seat map over HTTP (`--http-seat-map`).
    async fn fetch_map(&mut self, showtime: &str) -> Step<SeatMap> {
        let answer =
            self.call("seat_map", Method::GET, format!("/api/v1/showtimes/{showtime}/seats"), None, None).await;
        self.fail_on_error(&answer, "seat_map")?;
        SeatMap::from_view(&answer.body).ok_or(Ending::Unserved("seat_map"))
    }

    /// Connects, subscribes and waits for the snapshot, then keeps the map current on the
    /// feed runtime (or fetches the map over HTTP).
    async fn open_map(&mut self, showtime: &str) -> Step<MapView> {
        if self.ctx.behaviour.http_seat_map {
            return Ok(MapView::Fetched(self.fetch_map(showtime).await?));
        }
        let started = Instant::now();
        let opened = async {
            let mut ws = client::connect(&self.ctx.ws_url, None).await?;
            client::send(&mut ws, "subscribe", "s", json!({"showtime_id": showtime, "coalesce": true})).await?;
            loop {
                let message =
                    client::next(&mut ws, Duration::from_secs(10)).await?.ok_or_else(|| anyhow::anyhow!("closed"))?;
                match message["type"].as_str() {
                    Some("snapshot") => return anyhow::Ok((ws, SeatMap::from_snapshot(&message))),
                    Some("error") => anyhow::bail!("{}", message["code"]),
                    _ => {}
                }
            }
        };
        let result = opened.await;
        let latency = if self.mode == Loop::Open { self.intended.elapsed() } else { started.elapsed() };
        let outcome = match &result {
            Ok((_, Some(_))) => "ok".to_owned(),
            Ok((_, None)) => "not_reserved".to_owned(),
            Err(e) => format!("ws_{}", e.to_string().split_whitespace().next().unwrap_or("error").trim_matches('"')),
        };
        self.ctx.recorder.record(self.mode, "seat_map", &outcome, latency);
        match result {
            Ok((ws, Some(map))) => Ok(MapView::Live(self.ctx.feeds.watch(ws, map, Arc::clone(&self.ctx.recorder)))),
            _ => Err(Ending::Unserved("seat_map")),
        }
    }

    /// Holds `wanted` adjacent seats, trying others on a conflict; the hold id, or how the
    /// visit ends (sold out, gave up).
    async fn hold_seats(&mut self, showtime: &str, map: &mut MapView, wanted: usize) -> Step<Result<String, Ending>> {
        let path = format!("/api/v1/showtimes/{showtime}/holds");
        for _ in 0..HOLD_TRIES_MAX {
            let seats = map.choose(wanted, &mut self.rng).ok_or(Ending::Unserved("empty_map"))?;
            let answer = self.call("hold", Method::POST, path.clone(), Some(json!({"seats": seats})), None).await;
            match answer.outcome().as_str() {
                "ok" => return Ok(answer.str("hold_id").map(str::to_owned).ok_or(Ending::Unserved("hold"))),
                "sold_out" => {
                    let latency = if self.mode == Loop::Open { self.intended.elapsed() } else { answer.took };
                    self.ctx.recorder.also(self.mode, "sold_out_answer", "sold_out", latency);
                    if showtime == self.ctx.hot {
                        self.ctx.recorder.sold_out();
                    }
                    return Ok(Err(Ending::Served("sold_out")));
                }
                "seats_unavailable" => {
                    self.think(0.1, 0.6).await;
                    if let MapView::Fetched(fetched) = map {
                        *fetched = self.fetch_map(showtime).await?;
                    }
                }
                _ if past_deadline(&answer) => return Err(Ending::Unserved("deadline")),
                outcome if is_error(outcome) && answer.status >= 500 || answer.status == 0 => {
                    self.think(0.5, 1.5).await
                }
                _ => return Err(Ending::Unserved("hold")),
            }
        }
        Ok(Err(Ending::Served("gave_up")))
    }

    async fn release(&mut self, showtime: &str, hold_id: &str) {
        let path = format!("/api/v1/showtimes/{showtime}/holds/{hold_id}");
        self.call("release", Method::DELETE, path, None, None).await;
    }

    /// Pays the hold: the booking, `None` for insufficient balance.
    async fn purchase(&mut self, showtime: &str, hold_id: &str) -> Step<Option<String>> {
        let path = format!("/api/v1/showtimes/{showtime}/holds/{hold_id}/purchase");
        let key = format!("rush-{}-{hold_id}", self.customer.id);
        for _ in 0..RETRIES_MAX {
            let answer = self.call("purchase", Method::POST, path.clone(), None, Some(&key)).await;
            match answer.outcome().as_str() {
                "ok" => return Ok(Some(self.acknowledge(showtime, &answer.body))),
                "insufficient_balance" => return Ok(None),
                _ if past_deadline(&answer) => return Err(Ending::Unserved("deadline")),
                _ if answer.status == 0 || answer.status >= 500 => self.think(0.8, 1.2).await,
                _ => return Err(Ending::Unserved("purchase")),
            }
        }
        self.ctx.recorder.uncertain(&self.customer.id);
        Err(Ending::Unserved("purchase"))
    }

    fn acknowledge(&self, showtime: &str, booking: &Value) -> String {
        let id = booking["id"].as_str().unwrap_or_default().to_owned();
        let seats = booking["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["label"].as_str().map(str::to_owned))
            .collect();
        let total_minor = booking.pointer("/total/amount_minor").and_then(Value::as_i64).unwrap_or(0);
        let customer_id = booking["customer_id"].as_str().unwrap_or_default().to_owned();
        let acked = AckedBooking {
            id: id.clone(),
            showtime_id: showtime.to_owned(),
            customer_id,
            seats,
            total_minor,
            cancelled: false,
        };
        self.ctx.recorder.booked(acked);
        id
    }

    async fn cancel(&mut self, booking: &str) -> Step<()> {
        let key = format!("rush-cancel-{booking}");
        for _ in 0..RETRIES_MAX {
            let answer =
                self.call("cancel", Method::POST, format!("/api/v1/bookings/{booking}/cancel"), None, Some(&key)).await;
            match answer.status {
                0 if past_deadline(&answer) => return Err(Ending::Unserved("deadline")),
                200..=299 => {
                    self.ctx.recorder.cancelled(booking);
                    return Ok(());
                }
                0 | 500.. => self.think(0.8, 1.2).await,
                _ => return Err(Ending::Unserved("cancel")),
            }
        }
        self.ctx.recorder.uncertain(&self.customer.id);
        Err(Ending::Unserved("cancel"))
    }
}
