//! Crash recovery, end to end: a real `boxoffice` process on a fresh SQLite file takes a
//! rush of holds, purchases and cancellations from concurrent customers, is killed with
//! SIGKILL in the middle of it, and is started again on the same file. Every acknowledged
//! hold and booking must be there, nothing unacknowledged may be half-applied (wallets
//! equal their credit minus live bookings), no seat may be sold twice, and every
//! acknowledged booking and cancellation gets its email (the notice outbox is part of the
//! journal write, so the restarted server mails what the killed one had not).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

const ADMIN: &str = "crash-test-admin-token-0123456789abcdef";
const CREDIT_MINOR: i64 = 500_000;
/// Eight rows of 20 seats: 160 seats, enough that the rush is still selling at the kill.
const ROWS: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts the server on `data`, with extra environment `env`.
    fn start(data: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_boxoffice"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("BOXOFFICE_AUTH__ADMIN_TOKEN", ADMIN)
            .env("BOXOFFICE_ACCOUNTS__PASSWORD_HASH_MEMORY_KIB", "64")
            .env("BOXOFFICE_ACCOUNTS__PASSWORD_HASH_ITERATIONS", "1")
            .env("RUST_LOG", "error")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start boxoffice");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().expect("server printed its address").expect("read stdout");
            if let Some(rest) = line.strip_prefix("boxoffice listening on ") {
                break rest.trim().to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, base }
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    /// A failing assertion must not leave the server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), ()> {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.map_err(|_| ())?;
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }
}

/// What the rush saw acknowledged, per customer.
#[derive(Default, Debug)]
struct Seen {
    /// The last hold acknowledged and not yet bought or superseded by another attempt.
    live_hold: Option<String>,
    /// Bookings acknowledged, with whether a cancellation was acknowledged.
    bookings: HashMap<String, bool>,
}

async fn rush_customer(client: Arc<Client>, showtime: String, token: String, seen: Arc<Mutex<Seen>>, stop_at: Instant) {
    use reqwest::Method;
    while Instant::now() < stop_at {
        let (row, seat) = {
            let mut rng = rand::rng();
            (ROWS[rng.random_range(0..ROWS.len())], rng.random_range(1..20))
        };
        let seats = json!({"seats": [format!("{row}{seat}"), format!("{row}{}", seat + 1)]});
        seen.lock().unwrap().live_hold = None; // an attempt may replace the previous hold
        let Ok((status, hold)) =
            client.call(Method::POST, &format!("/api/v1/showtimes/{showtime}/holds"), &token, Some(seats)).await
        else {
            return;
        };
        if status != 201 {
            continue;
        }
        let hold_id = hold["hold_id"].as_str().unwrap().to_owned();
        seen.lock().unwrap().live_hold = Some(hold_id.clone());
        if rand::rng().random_bool(0.3) {
            continue; // abandon this hold (it is replaced by the next attempt)
        }
        seen.lock().unwrap().live_hold = None;
        let path = format!("/api/v1/showtimes/{showtime}/holds/{hold_id}/purchase");
        let Ok((status, booking)) = client.call(Method::POST, &path, &token, None).await else { return };
        if status != 201 {
            continue;
        }
        let booking_id = booking["id"].as_str().unwrap().to_owned();
        seen.lock().unwrap().bookings.insert(booking_id.clone(), false);
        if rand::rng().random_bool(0.5) {
            let Ok((status, _)) =
                client.call(Method::POST, &format!("/api/v1/bookings/{booking_id}/cancel"), &token, None).await
            else {
                return;
            };
            if status == 200 {
                seen.lock().unwrap().bookings.insert(booking_id, true);
            }
        }
    }
}

async fn setup(client: &Client) -> (String, Vec<String>) {
    use reqwest::Method;
    let (_, film) = client
        .call(
            Method::POST,
            "/api/v1/films",
            ADMIN,
            Some(json!({"title": "Crash", "director": "Test", "duration_minutes": 90})),
        )
        .await
        .unwrap();
    let rows: Vec<Value> = ROWS.iter().map(|r| json!({"label": r, "seats": "SSSSSSSSSS_SSSSSSSSSS"})).collect();
    let (_, room) = client
        .call(Method::POST, "/api/v1/auditoriums", ADMIN, Some(json!({"name": "Crash room", "layout": {"rows": rows}})))
        .await
        .unwrap();
    let starts_at = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%dT%H:%M:00Z").to_string();
    let (status, showtime) = client
        .call(Method::POST, "/api/v1/showtimes", ADMIN, Some(json!({
            "film_id": film["id"], "auditorium_id": room["id"], "starts_at": starts_at, "version": "VF", "format": "2d",
            "prices": {"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 1250}]}
        })))
        .await
        .unwrap();
    assert_eq!(status, 201, "{showtime}");
    let mut tokens = Vec::new();
    for i in 0..24 {
        let (status, c) = client
            .call(
                Method::POST,
                "/api/v1/customers",
                ADMIN,
                Some(json!({
                    "email": format!("c{i}@crash.test"), "username": format!("crash-{i}"), "first_name": format!("C{i}"),
                    "last_name": "Crash", "password": "correct horse battery staple",
                })),
            )
            .await
            .unwrap();
        assert_eq!(status, 201, "{c}");
        // Buying needs a verified email; staff verify it by hand (the credit follows).
        let verify = format!("/api/v1/customers/{}/verify-email", c["account"]["id"].as_str().unwrap());
        let (status, verified) = client.call(Method::POST, &verify, ADMIN, None).await.unwrap();
        assert_eq!(status, 200, "{verified}");
        tokens.push(c["token"].as_str().unwrap().to_owned());
    }
    (showtime["id"].as_str().unwrap().to_owned(), tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_rush_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    // The first server's mail goes to an SMTP port where nobody listens, retried for
    // minutes: at the kill, every booking email is still owed. The restarted server
    // writes to the outbox directory and must send them all.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let unreachable_smtp = [
        ("BOXOFFICE_MAIL__TRANSPORT", "smtp"),
        ("BOXOFFICE_MAIL__SMTP_HOST", "127.0.0.1"),
        ("BOXOFFICE_MAIL__SMTP_PORT", closed_port.as_str()),
        ("BOXOFFICE_MAIL__SMTP_TLS", "none"),
        ("BOXOFFICE_MAIL__SEND_ATTEMPTS_MAX", "20"),
    ];
    let server = Server::start(dir.path(), &unreachable_smtp);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let client = Arc::new(Client { http: http.clone(), base: server.base.clone() });
    let (showtime, tokens) = setup(&client).await;

    let seen: Vec<Arc<Mutex<Seen>>> = tokens.iter().map(|_| Arc::default()).collect();
    let stop_at = Instant::now() + Duration::from_secs(30);
    let tasks: Vec<_> = tokens
        .iter()
        .zip(&seen)
        .map(|(t, s)| tokio::spawn(rush_customer(client.clone(), showtime.clone(), t.clone(), s.clone(), stop_at)))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    for t in tasks {
        t.await.unwrap();
    }

    let server = Server::start(dir.path(), &[]);
    let client = Client { http, base: server.base.clone() };
    let mut seats_sold: HashSet<String> = HashSet::new();
    let mut acknowledged = 0;
    // Reference → emails owed (confirmation, and cancellation if acknowledged).
    let mut emails_owed: HashMap<String, usize> = HashMap::new();
    for (token, seen) in tokens.iter().zip(&seen) {
        let seen = std::mem::take(&mut *seen.lock().unwrap());
        let (_, page) = client.call(reqwest::Method::GET, "/api/v1/me/bookings?limit=200", token, None).await.unwrap();
        let items = page["items"].as_array().unwrap();
        let mut live_total = 0;
        for b in items {
            if b["status"] == "confirmed" {
                live_total += b["total"]["amount_minor"].as_i64().unwrap();
                for line in b["lines"].as_array().unwrap() {
                    assert!(seats_sold.insert(line["label"].as_str().unwrap().to_owned()), "seat sold twice: {line}");
                }
            }
        }
        for (booking, cancelled) in &seen.bookings {
            acknowledged += 1;
            let found = items
                .iter()
                .find(|b| b["id"] == booking.as_str())
                .unwrap_or_else(|| panic!("acknowledged booking {booking} lost"));
            if *cancelled {
                assert_eq!(found["status"], "cancelled", "acknowledged cancellation of {booking} lost");
            }
            emails_owed.insert(found["reference"].as_str().unwrap().to_owned(), if *cancelled { 2 } else { 1 });
        }
        if let Some(hold) = &seen.live_hold {
            let (status, current) = client
                .call(reqwest::Method::GET, &format!("/api/v1/showtimes/{showtime}/holds/current"), token, None)
                .await
                .unwrap();
            assert_eq!(status, 200, "acknowledged hold {hold} lost: {current}");
            assert_eq!(current["hold_id"], hold.as_str());
        }
        let (_, me) = client.call(reqwest::Method::GET, "/api/v1/me", token, None).await.unwrap();
        assert_eq!(
            me["balance"]["amount_minor"].as_i64().unwrap(),
            CREDIT_MINOR - live_total,
            "wallet of a customer is not credit minus live bookings"
        );
    }
    let (_, map) =
        client.call(reqwest::Method::GET, &format!("/api/v1/showtimes/{showtime}/seats"), "", None).await.unwrap();
    let counts = &map["counts"];
    assert_eq!(counts["sold"].as_u64().unwrap(), seats_sold.len() as u64, "sold seats match live bookings");
    let total: u64 = ["free", "held", "sold", "blocked"].iter().map(|k| counts[k].as_u64().unwrap()).sum();
    assert_eq!(total, counts["capacity"].as_u64().unwrap());
    eprintln!(
        "after kill -9 and restart: {acknowledged} acknowledged bookings checked, {} seats sold, counts {counts}",
        seats_sold.len()
    );
    assert!(acknowledged > 0, "the rush acknowledged no booking before the kill; the test proved nothing");
    let missing = wait_for_emails(&dir.path().join("outbox"), &emails_owed).await;
    assert!(missing.is_empty(), "acknowledged bookings whose emails never came (reference, owed, found): {missing:?}");
    server.kill();
}

/// Waits (up to 60 s) until the outbox holds, for every reference, at least the emails owed;
/// what is still missing then.
async fn wait_for_emails(outbox: &Path, owed: &HashMap<String, usize>) -> Vec<(String, usize, usize)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mails: Vec<String> = std::fs::read_dir(outbox)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        let missing: Vec<_> = owed
            .iter()
            .map(|(reference, owed)| (reference.clone(), *owed, mails.iter().filter(|m| m.contains(reference)).count()))
            .filter(|(_, owed, found)| found < owed)
            .collect();
        if missing.is_empty() || Instant::now() > deadline {
            return missing;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
