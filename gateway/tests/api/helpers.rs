//! `spawn_app()`: the real server on `127.0.0.1:0` with a fresh temporary SQLite file, run
//! by an actix `System` on its own thread (the test's tokio runtime is separate), plus
//! request helpers and catalog fixtures.

use std::sync::{Arc, OnceLock};

use boxoffice_engine::OffsetClock;

use boxoffice_gateway::config::Settings;
use boxoffice_gateway::startup::Application;
use chrono::{Duration, DurationRound, Utc};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

/// A running application.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The staff token (generated into the data dir, read back from the file).
    pub admin_token: String,
    /// A client without default auth.
    pub client: reqwest::Client,
    /// The data directory (database, admin token); deleted on drop.
    pub dir: TempDir,
    /// The server's clock: the wall clock until a test moves it forward.
    pub clock: Arc<OffsetClock>,
    shutdown: CancellationToken,
    stopped: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Starts an app with the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts an app after `configure` adjusted the settings.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    static LOGS: OnceLock<()> = OnceLock::new();
    LOGS.get_or_init(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            boxoffice_gateway::telemetry::init_with_default("debug");
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::default();
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.shutdown_grace_ms = 1_000;
    settings.storage.url = format!("sqlite:{}", dir.path().join("boxoffice.db").display());
    // Cheap password hashing: tests register many accounts.
    settings.accounts.password_hash_memory_kib = 64;
    settings.accounts.password_hash_iterations = 1;
    configure(&mut settings);

    let clock = OffsetClock::new();
    let server_clock: Arc<dyn boxoffice_engine::Clock> = clock.clone();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let runtime = || {
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("server runtime")
        };
        let system = actix_rt::System::with_tokio_rt(runtime);
        system.block_on(async move {
            let app = match Application::build_with_clock(settings, server_clock).await {
                Ok(app) => app,
                Err(error) => {
                    let _ = ready_tx.send(Err(error.to_string()));
                    return;
                }
            };
            let token = app.shutdown_token();
            let _ = ready_tx.send(Ok((app.address(), token)));
            if let Err(error) = app.run_until_stopped(std::future::pending()).await {
                eprintln!("test server failed: {error}");
            }
            let _ = stopped_tx.send(());
        });
    });
    let (address, shutdown) = ready_rx.await.expect("server thread answered").expect("application starts");
    let admin_token =
        std::fs::read_to_string(dir.path().join("admin-token")).expect("admin token file").trim().to_owned();
    TestApp {
        address: format!("http://{address}"),
        admin_token,
        client: reqwest::Client::new(),
        dir,
        clock,
        shutdown,
        stopped: Some(stopped_rx),
    }
}

impl TestApp {
    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request without a token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request with the staff token.
    pub fn staff(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(&self.admin_token)
    }

    /// A request with a customer token.
    pub fn customer(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    /// GET without a token, expecting `status`, returning the JSON body.
    pub async fn get_json(&self, path: &str, status: StatusCode) -> Value {
        expect_json(self.request(Method::GET, path).send().await.expect("request"), status).await
    }

    /// Fires the shutdown token and waits for the server to stop (engine and store closed).
    pub async fn shutdown(&mut self) {
        self.shutdown.cancel();
        if let Some(stopped) = self.stopped.take() {
            tokio::time::timeout(std::time::Duration::from_secs(10), stopped)
                .await
                .expect("stops in time")
                .expect("stopped");
        }
    }

    /// Creates a film as staff; returns it.
    pub async fn create_film(&self, title: &str, duration_minutes: u32, genres: &[&str], languages: &[&str]) -> Value {
        let body = json!({
            "title": title, "director": "Test Director", "cast": ["Actor One", "Actor Two"],
            "duration_minutes": duration_minutes, "genres": genres, "spoken_languages": languages,
            "synopsis": "A film for tests.", "age_rating": "PG"
        });
        let response = self.staff(Method::POST, "/api/v1/films").json(&body).send().await.expect("request");
        expect_json(response, StatusCode::CREATED).await
    }

    /// Creates an auditorium as staff; returns it.
    pub async fn create_auditorium(&self, name: &str, rows: &[(&str, &str)]) -> Value {
        let rows: Vec<Value> = rows.iter().map(|(label, seats)| json!({"label": label, "seats": seats})).collect();
        let body = json!({"name": name, "layout": {"rows": rows}, "equipment": ["3d"]});
        let response = self.staff(Method::POST, "/api/v1/auditoriums").json(&body).send().await.expect("request");
        expect_json(response, StatusCode::CREATED).await
    }

    /// Posts a showtime as staff; returns the raw response.
    pub async fn post_showtime(&self, film: &Value, auditorium: &Value, starts_at: &str) -> Response {
        let body = showtime_body(film, auditorium, starts_at);
        self.staff(Method::POST, "/api/v1/showtimes").json(&body).send().await.expect("request")
    }

    /// Creates a showtime as staff; returns it.
    pub async fn create_showtime(&self, film: &Value, auditorium: &Value, starts_at: &str) -> Value {
        expect_json(self.post_showtime(film, auditorium, starts_at).await, StatusCode::CREATED).await
    }

    /// Registers a customer account (email not verified); returns `(token, body)`.
    pub async fn register_customer(&self, name: &str, email: &str) -> (String, Value) {
        let local: String =
            email.split('@').next().unwrap_or("user").chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let username = format!("{}-{}", if local.is_empty() { "user" } else { &local }, uuid_suffix());
        let first_name = if name.trim().is_empty() { "Customer" } else { name };
        let body = json!({
            "email": email, "username": username, "first_name": first_name, "last_name": "Tester",
            "password": CUSTOMER_PASSWORD,
        });
        let response = self.request(Method::POST, "/api/v1/customers").json(&body).send().await.expect("request");
        let body = expect_json(response, StatusCode::CREATED).await;
        (body["token"].as_str().expect("token").to_owned(), body)
    }

    /// Creates a customer whose email is verified (by staff, so it has the starting credit
    /// and can buy); returns `(token, body)`: the registration answer, its `balance` after
    /// the verification, and `customer` (`id`, `name`, `email`) as before accounts.
    pub async fn create_customer(&self, name: &str, email: &str) -> (String, Value) {
        let (token, mut body) = self.register_customer(name, email).await;
        let id = body["account"]["id"].as_str().expect("id").to_owned();
        let response =
            self.staff(Method::POST, &format!("/api/v1/customers/{id}/verify-email")).send().await.expect("request");
        expect_json(response, StatusCode::OK).await;
        let me =
            expect_json(self.customer(&token, Method::GET, "/api/v1/me").send().await.expect("me"), StatusCode::OK)
                .await;
        body["balance"] = me["balance"].clone();
        let account = &body["account"];
        let full_name =
            format!("{} {}", account["first_name"].as_str().unwrap_or(""), account["last_name"].as_str().unwrap_or(""));
        body["customer"] = json!({"id": id, "name": full_name, "email": account["email"]});
        (token, body)
    }

    /// The emails in the outbox (`.eml` files), oldest first, waiting up to 15 s for at least
    /// `count` of them (email threads run at a low priority: a busy test machine delays them).
    pub async fn outbox(&self, count: usize) -> Vec<String> {
        let dir = self.dir.path().join("outbox");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
            files.sort();
            if files.len() >= count || std::time::Instant::now() > deadline {
                return files.iter().map(|p| std::fs::read_to_string(p).expect("eml")).collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// A showtime body with the five EUR tiers.
pub fn showtime_body(film: &Value, auditorium: &Value, starts_at: &str) -> Value {
    json!({
        "film_id": film["id"], "auditorium_id": auditorium["id"], "starts_at": starts_at,
        "version": "VOST", "format": "2d",
        "prices": {"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 1250}, {"tier": "child", "price_minor": 700}]}
    })
}

/// Asserts the status and returns the JSON body.
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json answer with `status` and `code`; returns the body.
pub async fn expect_problem(response: Response, status: StatusCode, code: &str) -> Value {
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = expect_json(response, status).await;
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert_eq!(body["type"], format!("/api/docs#problem-{code}"));
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

/// An RFC 3339 time `days` days and `hours` hours after the next full hour.
pub fn at(days: i64, hours: i64) -> String {
    let base = Utc::now().duration_trunc(Duration::hours(1)).expect("trunc") + Duration::hours(1);
    (base + Duration::days(days) + Duration::hours(hours)).to_rfc3339()
}

/// The password `register_customer` uses.
pub const CUSTOMER_PASSWORD: &str = "correct horse battery staple";

/// A short unique suffix.
pub fn uuid_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// A small layout: two rows of four seats.
pub const SMALL: &[(&str, &str)] = &[("A", "SS|SS"), ("B", "SS|SS")];

/// Creates a staff member of `role` as the admin token and signs them in; their token.
pub async fn staff_token(app: &TestApp, role: &str, name: &str) -> String {
    let body = json!({
        "email": format!("{name}@cinema.test"), "username": name, "first_name": name, "last_name": "Staff",
        "role": role, "password": CUSTOMER_PASSWORD,
    });
    let created = app.staff(Method::POST, "/api/v1/staff").json(&body).send().await.expect("create staff");
    expect_json(created, StatusCode::CREATED).await;
    let login = json!({"email": format!("{name}@cinema.test"), "password": CUSTOMER_PASSWORD});
    let answer = expect_json(
        app.request(Method::POST, "/api/v1/auth/login").json(&login).send().await.expect("login"),
        StatusCode::OK,
    )
    .await;
    answer["token"].as_str().expect("a token").to_owned()
}
