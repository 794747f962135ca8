//! `serve --demo`: when the catalog is empty, seeds the demo films, three auditoriums, a
//! week of showtimes from the next full hour (several a day per auditorium, VF/VOST, 2D/3D,
//! five price tiers, one general-admission showtime a day) and a demo customer whose token
//! is kept in `<data dir>/demo-customer-token` so it can be printed again at every start.

use std::path::{Path, PathBuf};

use boxoffice_storage::catalog::{Format, Version};
use boxoffice_storage::{
    Auditorium, AuditoriumDraft, AuditoriumId, Film, FilmFilter, FilmId, LayoutSpec, PageRequest, PriceList, PriceTier,
    SeatLayout, Seating, Showtime, ShowtimeDraft, ShowtimeId, ShowtimeStatus, Timestamp,
};
use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::demo_data::{self, DemoFilm};
use crate::error::ApiError;
use crate::routes::customers::demo_customer;
use crate::routes::showtime_rules::ends_at;
use crate::state::AppState;

/// File (in the data directory) holding the demo customer's token.
pub const DEMO_TOKEN_FILE: &str = "demo-customer-token";
/// The file (in the data directory) with the demo sign-ins for the web site and console.
pub const DEMO_LOGINS_FILE: &str = "demo-logins";
/// The demo administrator's email.
pub const DEMO_ADMIN_EMAIL: &str = "admin@boxoffice.test";
/// The demo customer's email.
pub const DEMO_CUSTOMER_EMAIL: &str = "demo@boxoffice.test";
/// Days of showtimes seeded.
pub const DEMO_DAYS: i64 = 7;

/// What `seed` did.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    /// Whether anything was created (false when the catalog was not empty).
    pub seeded: bool,
    /// Films created.
    pub films: usize,
    /// Auditoriums created.
    pub auditoriums: usize,
    /// Showtimes created.
    pub showtimes: usize,
    /// The demo customer's token, if known.
    pub customer_token: Option<String>,
    /// Where the token is kept.
    pub token_file: PathBuf,
    /// Where the demo sign-ins (emails and passwords) are kept.
    pub logins_file: PathBuf,
}

/// Seeds the demo data if the catalog is empty.
///
/// # Errors
/// Storage failures, or the token file cannot be written.
pub async fn seed(state: &AppState, data_dir: &Path) -> Result<DemoReport, ApiError> {
    let token_file = data_dir.join(DEMO_TOKEN_FILE);
    let page = PageRequest { offset: 0, limit: 1 };
    let films_total = state.storage.list_films(&FilmFilter::default(), page).await?.total;
    let auditoriums_total = state.storage.list_auditoriums(page).await?.total;
    if films_total > 0 || auditoriums_total > 0 {
        let customer_token = std::fs::read_to_string(&token_file).ok().map(|t| t.trim().to_owned());
        return Ok(DemoReport {
            customer_token,
            token_file,
            logins_file: data_dir.join(DEMO_LOGINS_FILE),
            ..DemoReport::default()
        });
    }
    let now = state.clock.now();
    let mut films = Vec::new();
    for DemoFilm { draft, three_d } in demo_data::films() {
        let film = Film { id: FilmId::new(), details: draft.validate()?, created_at: now };
        state.storage.insert_film(&film).await?;
        films.push((film, three_d));
    }
    let auditoriums = seed_auditoriums(state).await?;
    let showtimes = seed_showtimes(state, &films, &auditoriums).await?;
    let created = demo_customer(state).await?;
    write_token(&token_file, &created.token)
        .map_err(|e| ApiError::internal(format!("{}: {e}", token_file.display())))?;
    let logins_file = data_dir.join(DEMO_LOGINS_FILE);
    let logins = demo_logins(state, created.account.id).await?;
    write_token(&logins_file, &logins).map_err(|e| ApiError::internal(format!("{}: {e}", logins_file.display())))?;
    tracing::info!(films = films.len(), auditoriums = auditoriums.len(), showtimes, "demo data seeded");
    Ok(DemoReport {
        seeded: true,
        films: films.len(),
        auditoriums: auditoriums.len(),
        showtimes,
        customer_token: Some(created.token),
        token_file,
        logins_file,
    })
}

/// Gives the demo customer a password and creates a demo administrator, both with random
/// passwords; returns the text of the logins file.
async fn demo_logins(state: &AppState, customer: boxoffice_storage::AccountId) -> Result<String, ApiError> {
    let password = || crate::auth::generate_token().chars().take(20).collect::<String>();
    let (customer_password, admin_password) = (password(), password());
    let mut account = crate::routes::customers::own_account(state, customer).await?;
    account.password_hash = Some(state.security.passwords.hash(customer_password.clone()).await?);
    state.accounts.update_account(&account).await?;
    let admin = crate::accounts::bootstrap::NewAdmin {
        email: DEMO_ADMIN_EMAIL.into(),
        username: Some("demo-admin".into()),
        first_name: Some("Demo".into()),
        last_name: Some("Admin".into()),
        password: admin_password.clone(),
    };
    crate::accounts::bootstrap::create_admin(state.accounts.as_ref(), &state.config, admin)
        .await
        .map_err(|e| ApiError::internal(format!("demo admin: {e}")))?;
    Ok(format!(
        "# Demo sign-ins for the web site (/login) and the staff console (/admin)\n\
         customer {DEMO_CUSTOMER_EMAIL} {customer_password}\nadmin {DEMO_ADMIN_EMAIL} {admin_password}"
    ))
}

async fn seed_auditoriums(state: &AppState) -> Result<Vec<(Auditorium, bool)>, ApiError> {
    let specs = [
        ("Salle 1 – Grand", demo_data::grand_layout(), vec!["3d", "dolby_atmos", "laser"], true),
        ("Salle 2", demo_data::middle_layout(), vec!["dolby_7.1"], false),
        ("Salle 3 – Club", demo_data::club_layout(), vec![], false),
    ];
    let mut created = Vec::new();
    for (name, rows, equipment, three_d) in specs {
        let layout = SeatLayout::parse(LayoutSpec { rows })
            .map_err(|e| ApiError::internal(format!("demo layout {name}: {e}")))?;
        let capacity = u32::try_from(layout.capacity()).unwrap_or(u32::MAX);
        let details = AuditoriumDraft {
            name: name.into(),
            layout,
            equipment: equipment.into_iter().map(str::to_owned).collect(),
        }
        .validate()?;
        let auditorium = Auditorium { id: AuditoriumId::new(), details, capacity };
        state.storage.insert_auditorium(&auditorium).await?;
        created.push((auditorium, three_d));
    }
    Ok(created)
}

/// Full, reduced, student, child and senior prices in the configured currency; 3D costs 2 more.
fn prices(state: &AppState, three_d: bool) -> PriceList {
    let extra = if three_d { 200 } else { 0 };
    let tiers = [("full", 1250), ("reduced", 990), ("student", 850), ("child", 700), ("senior", 900)]
        .into_iter()
        .map(|(tier, price)| PriceTier { tier: tier.into(), price_minor: price + extra })
        .collect();
    PriceList { currency: state.currency(), tiers }
}

async fn seed_showtimes(
    state: &AppState,
    films: &[(Film, bool)],
    auditoriums: &[(Auditorium, bool)],
) -> Result<usize, ApiError> {
    if films.is_empty() {
        return Ok(0);
    }
    let now = state.clock.now().to_datetime();
    let first = now.duration_trunc(Duration::hours(1)).unwrap_or(now) + Duration::hours(1);
    let buffer = state.config.catalog.cleaning_buffer_minutes;
    let mut count = 0usize;
    let mut rotation = 0usize;
    for day in 0..DEMO_DAYS {
        let date = (first + Duration::days(day)).date_naive();
        let opening = date.and_hms_opt(10, 0, 0).map(|d| d.and_utc()).unwrap_or(first);
        let last_start = date.and_hms_opt(23, 0, 0).map(|d| d.and_utc()).unwrap_or(first);
        for (index, (auditorium, room_3d)) in auditoriums.iter().enumerate() {
            let mut cursor: DateTime<Utc> = opening.max(first);
            let mut slot = 0usize;
            while cursor <= last_start {
                let (film, film_3d) = &films[(rotation + index) % films.len()];
                rotation += 1;
                let general_admission = index == auditoriums.len() - 1 && slot == 0;
                let three_d = *room_3d && *film_3d;
                let starts_at = Timestamp::from_millis(cursor.timestamp_millis());
                let showtime = Showtime {
                    id: ShowtimeId::new(),
                    details: ShowtimeDraft {
                        film_id: film.id,
                        auditorium_id: auditorium.id,
                        starts_at,
                        version: if slot.is_multiple_of(2) { Version::Vf } else { Version::Vost },
                        format: if three_d { Format::ThreeD } else { Format::TwoD },
                        prices: prices(state, three_d),
                        seating: if general_admission {
                            Seating::GeneralAdmission { capacity: auditorium.capacity }
                        } else {
                            Seating::Reserved
                        },
                    },
                    ends_at: ends_at(starts_at, film.details.duration_minutes, buffer),
                    status: ShowtimeStatus::Scheduled,
                };
                state.storage.insert_showtime(&showtime).await?;
                count += 1;
                slot += 1;
                let next = showtime.ends_at.to_datetime();
                // Next show on the following quarter hour.
                cursor = next.duration_trunc(Duration::minutes(15)).unwrap_or(next) + Duration::minutes(15);
            }
        }
    }
    Ok(count)
}

fn write_token(path: &Path, token: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(path)?, format!("{token}\n").as_bytes())
}
