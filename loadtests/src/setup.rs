//! `boxoffice-load setup`: prepares a target for a rush through the public API, as staff:
//! a blockbuster film with one hot reserved-seating showtime (20 rows of 25 seats by
//! default: 500), other films and auditoriums with `--others` showtimes, `--customers`
//! verified customers with funded wallets (imported in bulk with `POST
//! /api/v1/staff/customers`; a `--poor-share` of them can afford only two tickets), and
//! `--kiosks` kiosk devices. The result is written to a setup file that `rush` reads.
//!
//! Names carry a random run tag, so setups can be repeated on one server.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::Api;

/// Customers per import call (the endpoint's limit is 500).
const IMPORT_CHUNK: usize = 250;
/// Import calls in flight.
const IMPORTS_IN_FLIGHT: usize = 4;
/// Most customers a setup creates.
pub const CUSTOMERS_MAX: u32 = 100_000;
/// Price of the `full` tier (minor units); `child` is 800, `senior` 950.
pub const PRICE_FULL_MINOR: i64 = 1250;
/// Opening credit of a well-funded customer (minor units).
pub const RICH_CREDIT_MINOR: i64 = 20_000;
/// Opening credit of a poor customer: two full-price tickets, not three.
pub const POOR_CREDIT_MINOR: i64 = 3_000;

/// Options of `boxoffice-load setup`.
#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub target: String,
    /// Staff token (else read from `<data dir>/admin-token`).
    #[arg(long, env = "BOXOFFICE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// The server's data directory, to read its `admin-token` file.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// What to create.
    #[command(flatten)]
    pub plan: Plan,
    /// Where to write the setup file.
    #[arg(long, default_value = "rush-setup.json")]
    pub out: PathBuf,
    /// Allow a target that is not on loopback.
    #[arg(long)]
    pub allow_remote: bool,
}

/// What a setup creates.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct Plan {
    /// Customers to create (verified, funded).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub customers: u32,
    /// Rows of the hot showtime's auditorium (25 seats each).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub hot_rows: u32,
    /// Other showtimes (10 auditoriums of 120 seats, five showtimes each at most).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(0..=500))]
    pub others: u32,
    /// Kiosk devices to register.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(0..=200))]
    pub kiosks: u32,
    /// Share of customers who can afford only two tickets.
    #[arg(long, default_value_t = 0.15)]
    pub poor_share: f64,
    /// Seed of the poor customers' choice.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// A showtime of the setup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShowtimeInfo {
    /// Its id.
    pub id: String,
    /// Seats.
    pub capacity: u32,
}

/// A customer of the setup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerInfo {
    /// Account (and customer) id.
    pub id: String,
    /// Bearer token.
    pub token: String,
    /// Opening balance (minor units).
    pub credit_minor: i64,
}

/// A kiosk device of the setup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KioskInfo {
    /// Device account id (also the customer id its sales are recorded under).
    pub id: String,
    /// Device token.
    pub token: String,
}

/// What a setup created: the setup file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Setup {
    /// The target it was made on.
    pub target: String,
    /// The run tag in every name.
    pub tag: String,
    /// The hot showtime.
    pub hot: ShowtimeInfo,
    /// The other showtimes.
    pub others: Vec<ShowtimeInfo>,
    /// The customers.
    pub customers: Vec<CustomerInfo>,
    /// The kiosk devices.
    pub kiosks: Vec<KioskInfo>,
}

impl Setup {
    /// Reads a setup file.
    ///
    /// # Errors
    /// Unreadable or not a setup file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not a setup file", path.display()))
    }
}

/// The staff token: `--admin-token`/`BOXOFFICE_ADMIN_TOKEN`, else `<data dir>/admin-token`.
///
/// # Errors
/// Neither given, or the file is unreadable.
pub fn admin_token(given: Option<&str>, data_dir: Option<&Path>) -> anyhow::Result<String> {
    if let Some(token) = given.filter(|t| !t.trim().is_empty()) {
        return Ok(token.trim().to_owned());
    }
    let Some(dir) = data_dir else {
        bail!("a staff token is needed: --admin-token, BOXOFFICE_ADMIN_TOKEN or --data-dir");
    };
    let path = dir.join("admin-token");
    Ok(std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?.trim().to_owned())
}

/// Runs `setup` and writes the setup file.
///
/// # Errors
/// A refused target or any failed call.
pub async fn run(args: SetupArgs) -> anyhow::Result<()> {
    let base = crate::target::parse(&args.target, args.allow_remote)?;
    let admin = admin_token(args.admin_token.as_deref(), args.data_dir.as_deref())?;
    let api = Api::new(base, 64)?;
    let started = std::time::Instant::now();
    let setup = prepare(&api, &admin, &args.plan).await?;
    std::fs::write(&args.out, serde_json::to_vec_pretty(&setup)?)?;
    println!(
        "setup {}: hot showtime {} ({} seats), {} others, {} customers, {} kiosks in {:.1} s -> {}",
        setup.tag,
        setup.hot.id,
        setup.hot.capacity,
        setup.others.len(),
        setup.customers.len(),
        setup.kiosks.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

/// Creates everything of `plan` on the server behind `api`.
///
/// # Errors
/// Any failed call.
pub async fn prepare(api: &Api, admin: &str, plan: &Plan) -> anyhow::Result<Setup> {
    if !api.healthy().await {
        bail!("the target does not answer /healthz");
    }
    let tag = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let (hot, others) = create_showtimes(api, admin, &tag, plan).await?;
    let customers = create_customers(api, admin, &tag, plan).await?;
    let mut kiosks = Vec::new();
    for k in 0..plan.kiosks {
        let created = api
            .expect(Method::POST, "/api/v1/kiosks", Some(admin), Some(&json!({"name": format!("rush-{tag}-k{k}")})))
            .await?;
        let id = created.pointer("/account/id").and_then(Value::as_str).context("kiosk id")?.to_owned();
        let token = created["token"].as_str().context("kiosk token")?.to_owned();
        kiosks.push(KioskInfo { id, token });
    }
    Ok(Setup { target: api.base().to_string(), tag, hot, others, customers, kiosks })
}

/// The hot showtime and the others.
async fn create_showtimes(
    api: &Api,
    admin: &str,
    tag: &str,
    plan: &Plan,
) -> anyhow::Result<(ShowtimeInfo, Vec<ShowtimeInfo>)> {
    let film = |title: String| json!({"title": title, "director": "Rush Director", "duration_minutes": 120, "genres": ["drama"], "spoken_languages": ["en"]});
    let blockbuster = api.create(admin, "/api/v1/films", &film(format!("Opening Night {tag}"))).await?;
    let hot_rows: Vec<Value> =
        (0..plan.hot_rows).map(|r| json!({"label": row_label(r), "seats": "SSSSSS|SSSSSSSSSSSSS|SSSSSS"})).collect();
    let hot_room = api
        .create(
            admin,
            "/api/v1/auditoriums",
            &json!({"name": format!("Rush {tag} Grand"), "layout": {"rows": hot_rows}}),
        )
        .await?;
    let day = chrono::Utc::now().date_naive() + chrono::Days::new(3);
    let at = |d: u64, hour: u32| format!("{}T{hour:02}:00:00Z", day + chrono::Days::new(d));
    let hot_id = api.create(admin, "/api/v1/showtimes", &showtime(&blockbuster, &hot_room, &at(0, 20))).await?;
    let hot = ShowtimeInfo { id: hot_id, capacity: plan.hot_rows * 25 };
    let mut films = Vec::new();
    for f in 0..5 {
        films.push(api.create(admin, "/api/v1/films", &film(format!("Repertory {f} {tag}"))).await?);
    }
    let small_rows: Vec<Value> = (0..10).map(|r| json!({"label": row_label(r), "seats": "SSSS|SSSS|SSSS"})).collect();
    let mut others = Vec::new();
    let rooms = plan.others.div_ceil(5);
    for room_index in 0..rooms {
        let name = format!("Rush {tag} Room {room_index}");
        let room =
            api.create(admin, "/api/v1/auditoriums", &json!({"name": name, "layout": {"rows": small_rows}})).await?;
        for slot in 0..5u32 {
            if others.len() as u32 >= plan.others {
                break;
            }
            let film = &films[(room_index + slot) as usize % films.len()];
            let id = api
                .create(
                    admin,
                    "/api/v1/showtimes",
                    &showtime(film, &room, &at(u64::from(slot / 3), 11 + (slot % 3) * 4)),
                )
                .await?;
            others.push(ShowtimeInfo { id, capacity: 120 });
        }
    }
    Ok((hot, others))
}

fn showtime(film: &str, room: &str, starts_at: &str) -> Value {
    json!({
        "film_id": film, "auditorium_id": room, "starts_at": starts_at, "version": "VOST", "format": "2d",
        "prices": {"currency": "EUR", "tiers": [
            {"tier": "full", "price_minor": PRICE_FULL_MINOR}, {"tier": "child", "price_minor": 800},
            {"tier": "senior", "price_minor": 950}]}
    })
}

/// `A`..`Z`, then `AA`, `AB`, ...
pub fn row_label(r: u32) -> String {
    let letter = |i: u32| char::from(b'A' + u8::try_from(i % 26).unwrap_or(0));
    if r < 26 { letter(r).to_string() } else { format!("{}{}", letter(r / 26 - 1), letter(r)) }
}

/// Imports the customers in chunks, a few calls in flight.
async fn create_customers(api: &Api, admin: &str, tag: &str, plan: &Plan) -> anyhow::Result<Vec<CustomerInfo>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(plan.seed);
    let n = plan.customers.min(CUSTOMERS_MAX) as usize;
    let credits: Vec<i64> = (0..n)
        .map(|_| if rng.random_bool(plan.poor_share.clamp(0.0, 1.0)) { POOR_CREDIT_MINOR } else { RICH_CREDIT_MINOR })
        .collect();
    let chunks: Vec<Vec<Value>> = (0..n)
        .map(|i| {
            json!({"email": format!("rush-{tag}-{i}@example.test"), "username": format!("rush{tag}u{i}"),
                "first_name": "Rush", "last_name": format!("Customer {i}"), "credit_minor": credits[i]})
        })
        .collect::<Vec<_>>()
        .chunks(IMPORT_CHUNK)
        .map(<[Value]>::to_vec)
        .collect();
    let calls = chunks.into_iter().map(|chunk| async move {
        let body = json!({"customers": chunk});
        api.expect(Method::POST, "/api/v1/staff/customers", Some(admin), Some(&body)).await
    });
    let answers: Vec<anyhow::Result<Value>> =
        futures::StreamExt::collect(futures::StreamExt::buffered(futures::stream::iter(calls), IMPORTS_IN_FLIGHT))
            .await;
    let mut customers = Vec::with_capacity(n);
    for answer in answers {
        for c in answer?["customers"].as_array().context("import answer")? {
            let id = c.pointer("/account/id").and_then(Value::as_str).context("customer id")?.to_owned();
            let token = c["token"].as_str().context("customer token")?.to_owned();
            let credit_minor = c.pointer("/balance/amount_minor").and_then(Value::as_i64).context("balance")?;
            customers.push(CustomerInfo { id, token, credit_minor });
        }
    }
    Ok(customers)
}

#[cfg(test)]
mod tests {
    #[test]
    fn row_labels_go_past_z() {
        assert_eq!(super::row_label(0), "A");
        assert_eq!(super::row_label(25), "Z");
        assert_eq!(super::row_label(26), "AA");
        assert_eq!(super::row_label(27), "AB");
    }
}
