//! `boxoffice-load pages`: how long the server takes to render each kind of web page. It
//! prepares what the pages need through the API (a verified customer with a browser session,
//! a hold for the checkout, a booking for the ticket, a staff session for the console), then
//! fetches every page `--requests` times, one request at a time (so no queueing is counted),
//! and reports per page the server's render time (its `Server-Timing` header) and the
//! round trip seen here, at p50, p99 and max.

use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use hdrhistogram::Histogram;
use reqwest::{Method, header};
use serde_json::{Value, json};

use crate::api::Api;

/// Options of `boxoffice-load pages`.
#[derive(Debug, Args)]
pub struct PagesArgs {
    /// Base URL of the server (e.g. one started with `boxoffice serve --demo`).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    target: String,
    /// Staff token (to create the customer and staff member the pages need).
    #[arg(long, env = "BOXOFFICE_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// The server's data directory, to read the staff token from `admin-token`.
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
    /// Requests per page (after 5 warm-up requests).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    requests: u32,
    /// Allow a target that is not on loopback.
    #[arg(long)]
    allow_remote: bool,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// One page's results.
#[derive(Debug)]
struct PageResult {
    name: &'static str,
    path: String,
    render_us: Histogram<u64>,
    round_trip_us: Histogram<u64>,
    errors: u64,
}

fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

/// The `dur` of `Server-Timing: render;dur=1.234`, in microseconds.
fn render_time_us(value: &str) -> Option<u64> {
    let ms: f64 = value.split(';').find_map(|p| p.trim().strip_prefix("dur="))?.parse().ok()?;
    Some((ms * 1000.0).round().max(1.0) as u64)
}

/// Signs in with a browser session; returns the `Cookie` header value.
async fn session(api: &Api, email: &str, password: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build()?;
    let url = api.base().join("/api/v1/auth/login")?;
    let response =
        client.post(url).json(&json!({"email": email, "password": password, "session": true})).send().await?;
    if !response.status().is_success() {
        bail!("signing in as {email} answered {}", response.status());
    }
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("boxoffice_session="))
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?;
    Ok(cookie.to_owned())
}

/// Runs the measurement and prints the table.
pub async fn run(args: PagesArgs) -> anyhow::Result<()> {
    let base = crate::target::parse(&args.target, args.allow_remote)?;
    let admin = crate::setup::admin_token(args.admin_token.as_deref(), args.data_dir.as_deref())?;
    let api = Api::new(base.clone(), 4)?;
    if !api.healthy().await {
        bail!("{} does not answer /healthz", args.target);
    }
    let tag = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis());
    let password = "correct horse battery staple";

    // The largest seated showtime and its film.
    let listing = api.expect(Method::GET, "/api/v1/showtimes?limit=200", None, None).await?;
    let items = listing.get("items").and_then(Value::as_array).context("showtime listing")?;
    let mut best: Option<(u64, String, String)> = None;
    for showtime in items.iter().filter(|s| s.pointer("/seating/kind") == Some(&json!("reserved"))) {
        let id = showtime.get("id").and_then(Value::as_str).context("id")?;
        let map = api.expect(Method::GET, &format!("/api/v1/showtimes/{id}/seats"), None, None).await?;
        let capacity = map.pointer("/counts/free").and_then(Value::as_u64).unwrap_or(0);
        let film = showtime.get("film_id").and_then(Value::as_str).context("film")?.to_owned();
        if best.as_ref().is_none_or(|(c, _, _)| capacity > *c) {
            best = Some((capacity, id.to_owned(), film));
        }
    }
    let Some((seats, showtime, film)) = best else { bail!("the target has no seated showtime (start it with --demo)") };

    // A customer with a session, a booking and a live hold; a staff member with a session.
    let email = format!("pages-{tag}@example.com");
    let (_, token) = api.create_customer(&admin, "Pages", &email).await?;
    let map = api.expect(Method::GET, &format!("/api/v1/showtimes/{showtime}/seats"), None, None).await?;
    let free: Vec<&str> = map
        .get("seats")
        .and_then(Value::as_array)
        .context("seats")?
        .iter()
        .filter(|s| s.get("status") == Some(&json!("free")))
        .filter_map(|s| s.get("label").and_then(Value::as_str))
        .take(2)
        .collect();
    let [first, second] = free[..] else { bail!("showtime {showtime} has fewer than two free seats") };
    let holds = format!("/api/v1/showtimes/{showtime}/holds");
    let hold = api.expect(Method::POST, &holds, Some(&token), Some(&json!({"seats": [first]}))).await?;
    let hold_id = hold.get("hold_id").and_then(Value::as_str).context("hold id")?;
    let booking = api.expect(Method::POST, &format!("{holds}/{hold_id}/purchase"), Some(&token), None).await?;
    let booking_id = booking.get("id").and_then(Value::as_str).context("booking id")?.to_owned();
    api.expect(Method::POST, &holds, Some(&token), Some(&json!({"seats": [second]}))).await?;
    let customer = session(&api, &email, password).await?;
    let staff_email = format!("pages-staff-{tag}@example.com");
    let staff = json!({"email": staff_email, "username": format!("pages-staff-{tag}"), "first_name": "Pages",
        "last_name": "Staff", "role": "manager", "password": password});
    api.expect(Method::POST, "/api/v1/staff", Some(&admin), Some(&staff)).await?;
    let staff = session(&api, &staff_email, password).await?;

    let pages: Vec<(&'static str, String, Option<&str>)> = vec![
        ("home", "/".into(), None),
        ("home, filtered", "/?q=a&version=VOST&max_duration=200".into(), None),
        ("home, French", "/?lang=fr".into(), None),
        ("film", format!("/films/{film}"), None),
        ("seat map", format!("/showtimes/{showtime}"), None),
        ("sign in", "/login".into(), None),
        ("checkout", format!("/showtimes/{showtime}/checkout"), Some(customer.as_str())),
        ("ticket", format!("/bookings/{booking_id}"), Some(customer.as_str())),
        ("my bookings", "/account/bookings".into(), Some(customer.as_str())),
        ("wallet", "/account/wallet".into(), Some(customer.as_str())),
        ("console dashboard", "/admin".into(), Some(staff.as_str())),
    ];
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    println!("seat map of {seats} seats; {} requests per page, one at a time", args.requests);
    let mut results = Vec::new();
    for (name, path, cookie) in pages {
        let url = base.join(&path)?;
        let mut result = PageResult { name, path, render_us: histogram()?, round_trip_us: histogram()?, errors: 0 };
        for i in 0..args.requests + 5 {
            let mut request = client.get(url.clone()).header(header::ACCEPT, "text/html");
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let started = Instant::now();
            let response = request.send().await;
            let Ok(response) = response else {
                result.errors += 1;
                continue;
            };
            let ok = response.status().is_success();
            let render = response.headers().get("server-timing").and_then(|v| v.to_str().ok()).and_then(render_time_us);
            let _ = response.bytes().await;
            let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX).max(1);
            if i < 5 {
                continue;
            }
            match (ok, render) {
                (true, Some(render)) => {
                    result.render_us.record(render.min(60_000_000))?;
                    result.round_trip_us.record(took.min(60_000_000))?;
                }
                _ => result.errors += 1,
            }
        }
        results.push(result);
    }
    print_table(&results);
    if let Some(path) = &args.json {
        let rows: Vec<Value> = results.iter().map(|r| json!({
            "page": r.name, "path": r.path, "errors": r.errors,
            "render_ms": {"p50": ms(&r.render_us, 0.5), "p99": ms(&r.render_us, 0.99), "max": r.render_us.max() as f64 / 1000.0},
            "round_trip_ms": {"p50": ms(&r.round_trip_us, 0.5), "p99": ms(&r.round_trip_us, 0.99)},
        })).collect();
        std::fs::write(path, serde_json::to_string_pretty(&json!({"requests": args.requests, "pages": rows}))?)?;
    }
    if results.iter().any(|r| r.errors > 0) {
        bail!("some pages failed (see the errors column)");
    }
    Ok(())
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

fn print_table(results: &[PageResult]) {
    println!(
        "{:<20} {:>10} {:>10} {:>10} {:>12} {:>12} {:>7}",
        "page", "render p50", "p99", "max", "round p50", "round p99", "errors"
    );
    for r in results {
        println!(
            "{:<20} {:>8.2}ms {:>8.2}ms {:>8.2}ms {:>10.2}ms {:>10.2}ms {:>7}",
            r.name,
            ms(&r.render_us, 0.5),
            ms(&r.render_us, 0.99),
            r.render_us.max() as f64 / 1000.0,
            ms(&r.round_trip_us, 0.5),
            ms(&r.round_trip_us, 0.99),
            r.errors
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn server_timing_is_read() {
        assert_eq!(super::render_time_us("render;dur=1.234"), Some(1234));
        assert_eq!(super::render_time_us("render;dur=0"), Some(1));
        assert_eq!(super::render_time_us("render"), None);
        assert_eq!(super::render_time_us("render;dur=x"), None);
    }
}
