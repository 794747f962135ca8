//! Every operation of the API, as the OpenAPI document lists it, answered malformed input:
//! broken or wrong-typed JSON bodies, ids that are not ids, unknown ids, with no token, a
//! customer's and the staff's. Each answer must be a problem document (a 4xx with a `code`
//! and a `detail` naming what was wrong) or a success; never a 5xx, never a dropped
//! connection. New routes are covered as soon as they are documented.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, at, spawn_app};

/// Bodies that no operation accepts as they are.
fn bad_bodies() -> Vec<Vec<u8>> {
    vec![
        b"{".to_vec(),
        b"\xff\xfe not UTF-8".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"x\"".to_vec(),
        br#"{"seats": 1, "quantity": -1, "title": [], "starts_at": 5, "amount_minor": 1e400}"#.to_vec(),
        "[".repeat(3_000).into_bytes(),
    ]
}

/// Path parameters that are not ids, or ids of nothing.
const BAD_IDS: [&str; 3] = ["x", "00000000-0000-0000-0000-000000000000", "%FF%FE"];

/// Operations that end the caller's own sessions, run last so the others keep their token.
fn ends_sessions(path: &str) -> bool {
    path.contains("/logout")
}

/// Real ids of each kind of resource, to reach the handlers behind the id checks.
struct Fixtures {
    film: String,
    auditorium: String,
    showtime: String,
    hold: String,
    booking: String,
    customer: String,
    customer_token: String,
}

async fn fixtures(app: &TestApp) -> Fixtures {
    let film = app.create_film("Malformed", 100, &["drama"], &["fr"]).await;
    let auditorium = app.create_auditorium("Salle M", &[("A", "SSSSSSSSSS"), ("B", "SSSSSSSSSS")]).await;
    let showtime = app.create_showtime(&film, &auditorium, &at(3, 0)).await;
    let showtime_id = showtime["id"].as_str().expect("showtime id").to_owned();
    let (customer_token, customer) = app.create_customer("Mal Formed", "mal.formed@example.com").await;
    let holds = format!("/api/v1/showtimes/{showtime_id}/holds");
    let hold = app.customer(&customer_token, Method::POST, &holds).json(&json!({"seats": ["A1"]})).send().await;
    let hold: Value = hold.expect("hold").json().await.expect("hold body");
    let hold_id = hold["hold_id"].as_str().expect("hold id").to_owned();
    let bought = app
        .customer(&customer_token, Method::POST, &format!("{holds}/{hold_id}/purchase"))
        .json(&json!({"tiers": [{"seat": "A1", "tier": "full"}]}))
        .send()
        .await;
    let booking: Value = bought.expect("purchase").json().await.expect("booking body");
    let second = app.customer(&customer_token, Method::POST, &holds).json(&json!({"seats": ["B2"]})).send().await;
    let second: Value = second.expect("hold").json().await.expect("hold body");
    Fixtures {
        film: film["id"].as_str().expect("film id").to_owned(),
        auditorium: auditorium["id"].as_str().expect("auditorium id").to_owned(),
        showtime: showtime_id,
        hold: second["hold_id"].as_str().expect("second hold id").to_owned(),
        booking: booking["id"].as_str().expect("booking id").to_owned(),
        customer: customer["account"]["id"].as_str().expect("customer id").to_owned(),
        customer_token,
    }
}

impl Fixtures {
    /// `template` with each parameter replaced by a real id of its kind, when there is one.
    fn real_path(&self, template: &str) -> String {
        let collection = template.trim_start_matches("/api/v1/").split('/').next().unwrap_or("");
        let id = match collection {
            "films" => self.film.as_str(),
            "auditoriums" => self.auditorium.as_str(),
            "showtimes" => self.showtime.as_str(),
            "bookings" | "box-office" => self.booking.as_str(),
            "customers" => self.customer.as_str(),
            _ => "x",
        };
        template.replace("{hold_id}", &self.hold).replace("{id}", id)
    }
}

/// `template` with every parameter replaced by `value`.
fn bad_path(template: &str, value: &str) -> String {
    let mut path = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        path.push_str(value);
        rest = rest[open..].find('}').map_or("", |close| &rest[open + close + 1..]);
    }
    path.push_str(rest);
    path
}

/// The documented operations, as `(method, path template)`, those that end sessions last.
async fn operations(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value =
        app.request(Method::GET, "/api/openapi.json").send().await.expect("doc").json().await.expect("json");
    let mut operations: Vec<(Method, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().into_iter().flat_map(|ops| ops.keys()).filter_map(move |verb| {
                let method = Method::from_bytes(verb.to_ascii_uppercase().as_bytes()).ok()?;
                [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE]
                    .contains(&method)
                    .then(|| (method, path.clone()))
            })
        })
        .collect();
    operations.sort_by_key(|(_, path)| ends_sessions(path));
    operations
}

/// Sends one request and returns a description of what was wrong with its answer, if anything.
async fn check(app: &TestApp, method: &Method, path: &str, token: Option<&str>, body: Option<&[u8]>) -> Option<String> {
    let mut request = app.request(method.clone(), path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_vec());
    }
    let what = format!("{method} {path} (token: {}, body: {:?})", token.is_some(), body.map(String::from_utf8_lossy));
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Some(format!("{what}: no answer: {error}")),
    };
    let status = response.status();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let text = response.text().await.unwrap_or_default();
    if status.is_server_error() {
        return Some(format!("{what}: {status} {text}"));
    }
    if status.is_client_error() {
        let problem: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let named = problem["code"].is_string() && problem["detail"].is_string();
        if content_type != "application/problem+json" || !named {
            return Some(format!("{what}: {status} without a problem document: {content_type} {text}"));
        }
    }
    None
}

#[tokio::test]
async fn every_documented_operation_answers_malformed_input_with_a_problem_never_a_5xx() {
    let app = spawn_app().await;
    let fixtures = fixtures(&app).await;
    let operations = operations(&app).await;
    assert!(operations.len() >= 60, "the document lists the API: {} operations", operations.len());
    let bodies = bad_bodies();
    let mut wrong = Vec::new();
    let mut sent = 0_usize;
    for (method, template) in &operations {
        let mut paths = vec![fixtures.real_path(template)];
        if template.contains('{') {
            paths.extend(BAD_IDS.iter().map(|id| bad_path(template, id)));
        }
        for token in [None, Some(fixtures.customer_token.as_str()), Some(app.admin_token.as_str())] {
            for path in &paths {
                let with_body = [Method::POST, Method::PUT, Method::PATCH].contains(method);
                let variants: Vec<Option<&[u8]>> =
                    if with_body { bodies.iter().map(|b| Some(b.as_slice())).collect() } else { vec![None] };
                for body in variants {
                    sent += 1;
                    wrong.extend(check(&app, method, path, token, body).await);
                }
            }
        }
    }
    eprintln!("{sent} malformed requests over {} operations", operations.len());
    assert!(wrong.is_empty(), "{} of {sent} answers were wrong:\n{}", wrong.len(), wrong.join("\n"));
    // The server is still well after all that.
    let health = app.request(Method::GET, "/healthz").send().await.expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
}

#[test]
fn bad_paths_replace_every_parameter() {
    assert_eq!(bad_path("/api/v1/showtimes/{id}/holds/{hold_id}", "x"), "/api/v1/showtimes/x/holds/x");
    assert_eq!(bad_path("/healthz", "x"), "/healthz");
}
