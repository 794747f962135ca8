//! Screenshots of the main pages at phone (360 px) and desktop (1280 px) widths, taken from
//! `boxoffice serve --demo` (the real binary, demo data) and written to `docs/screenshots/`
//! for the README. Ignored by default because it changes files of the repository:
//! `cargo test -p boxoffice-gateway --test browser screenshots -- --ignored`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::Client;
use serde_json::{Value, json};

use crate::driver::{Driver, click, fill, find, wait_for_path};
use crate::helpers::CUSTOMER_PASSWORD;

/// The demo server as a child process; killed on drop.
struct DemoServer {
    child: std::process::Child,
    address: String,
    admin_token: String,
    dir: tempfile::TempDir,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn demo_server() -> DemoServer {
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let child = Command::new(env!("CARGO_BIN_EXE_boxoffice"))
        .args(["serve", "--demo"])
        .current_dir(dir.path())
        .env("BOXOFFICE_SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("BOXOFFICE_ACCOUNTS__PASSWORD_HASH_MEMORY_KIB", "64")
        .env("BOXOFFICE_ACCOUNTS__PASSWORD_HASH_ITERATIONS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start boxoffice serve --demo");
    let address = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let client = reqwest::Client::new();
    while !client.get(format!("{address}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "the demo server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let admin_token =
        std::fs::read_to_string(dir.path().join("data/admin-token")).expect("admin token").trim().to_owned();
    DemoServer { child, address, admin_token, dir }
}

async fn shoot(browser: &Client, dir: &std::path::Path, name: &str, phone: bool) {
    browser.execute("window.scrollTo(0, 0);", vec![]).await.expect("scroll");
    if !phone {
        // The full page: the window grows to the document's height first.
        let height = browser.execute("return document.documentElement.scrollHeight;", vec![]).await.expect("height");
        let height = u32::try_from(height.as_u64().unwrap_or(900).min(4000)).unwrap_or(900);
        browser.set_window_size(1280, height + 120).await.expect("resize");
    }
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write");
}

#[tokio::test]
#[ignore = "writes docs/screenshots; run on purpose"]
async fn screenshots() {
    let server = demo_server().await;
    let api = reqwest::Client::new();
    // A verified customer with the starting credit.
    let body = json!({"email": "jeanne@example.com", "username": "jeanne", "first_name": "Jeanne",
        "last_name": "Moreau", "password": CUSTOMER_PASSWORD, "language": "fr"});
    let registered: Value = api
        .post(format!("{}/api/v1/customers", server.address))
        .json(&body)
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let id = registered["account"]["id"].as_str().expect("id");
    api.post(format!("{}/api/v1/customers/{id}/verify-email", server.address))
        .bearer_auth(&server.admin_token)
        .send()
        .await
        .expect("verify");
    let listing: Value = api
        .get(format!("{}/api/v1/showtimes?limit=200", server.address))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let big = listing["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["seating"]["kind"] == "reserved")
        .and_then(|s| s["id"].as_str())
        .expect("a seated showtime")
        .to_owned();
    let film = listing["items"][0]["film_id"].as_str().expect("film").to_owned();

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&dir).expect("dir");
    let driver = Driver::start().await;
    for (width, suffix) in [(1280, "desktop"), (360, "phone")] {
        let phone = width < 500;
        let browser = driver.browser(width, 780).await;
        let url = |path: &str| format!("{}{path}", server.address);
        browser.goto(&url("/")).await.expect("open");
        shoot(&browser, &dir, &format!("home-{suffix}"), phone).await;
        browser.goto(&url(&format!("/films/{film}"))).await.expect("open");
        shoot(&browser, &dir, &format!("film-{suffix}"), phone).await;
        browser.goto(&url("/login")).await.expect("open");
        fill(&browser, "#email", "jeanne@example.com").await;
        fill(&browser, "#password", CUSTOMER_PASSWORD).await;
        click(&browser, "main form button[type=submit]").await;
        wait_for_path(&browser, "/account/bookings").await;
        browser.goto(&url(&format!("/showtimes/{big}"))).await.expect("open");
        let seats =
            browser.find_all(fantoccini::Locator::Css("input[name=seat]:not([disabled])")).await.expect("seats");
        for seat in seats.iter().skip(60).take(2) {
            seat.click().await.expect("pick");
        }
        shoot(&browser, &dir, &format!("seats-{suffix}"), phone).await;
        click(&browser, "form[action$='/hold'] button[type=submit]").await;
        wait_for_path(&browser, &format!("/showtimes/{big}/checkout")).await;
        find(&browser, ".countdown").await;
        shoot(&browser, &dir, &format!("checkout-{suffix}"), phone).await;
        click(&browser, "[data-hold-submit]").await;
        wait_for_path(&browser, "/bookings/").await;
        shoot(&browser, &dir, &format!("ticket-{suffix}"), phone).await;
        browser.goto(&url("/account/bookings")).await.expect("open");
        shoot(&browser, &dir, &format!("bookings-{suffix}"), phone).await;
        click(&browser, "header form[action='/logout'] button").await;
        browser.close().await.expect("close");
    }

    // The console, as the demo administrator (`data/demo-logins`).
    let logins = std::fs::read_to_string(server.dir.path().join("data/demo-logins")).expect("demo logins");
    let admin = logins.lines().find_map(|l| l.strip_prefix("admin ")).expect("admin line");
    let (email, password) = admin.split_once(' ').expect("email and password");
    let browser = driver.browser(1280, 800).await;
    browser.goto(&format!("{}/login", server.address)).await.expect("open");
    fill(&browser, "#email", email).await;
    fill(&browser, "#password", password).await;
    click(&browser, "main form button[type=submit]").await;
    wait_for_path(&browser, "/admin").await;
    shoot(&browser, &dir, "console-desktop", false).await;
    browser.goto(&format!("{}/admin/showtimes", server.address)).await.expect("open");
    shoot(&browser, &dir, "showtimes-desktop", false).await;
    browser.close().await.expect("close");
}
