//! A small client of the boxoffice HTTP API: just what the load tools need.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

/// Which answers' bodies are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decode {
    Always,
    /// Only a non-2xx answer's (for its problem `code`).
    OnError,
}

/// How a call ended, for the stats table.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status (0 for a network error).
    pub status: u16,
    /// The JSON body (or `null`).
    pub body: Value,
    /// How long it took.
    pub took: Duration,
}

impl Answer {
    /// `ok` for 2xx, else the problem `code`, `http_<status>` or `network`.
    pub fn outcome(&self) -> String {
        outcome(self.status, self.body.get("code").and_then(Value::as_str))
    }

    /// Whether the status is 2xx.
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A string field of the body.
    pub fn str(&self, field: &str) -> Option<&str> {
        self.body.get(field).and_then(Value::as_str)
    }
}

/// `ok` for a 2xx `status`, else the problem's `code`, `http_<status>` or `network` (0).
fn outcome(status: u16, code: Option<&str>) -> String {
    match status {
        0 => "network".into(),
        200..=299 => "ok".into(),
        s => code.map_or_else(|| format!("http_{s}"), str::to_owned),
    }
}

/// The few fields of an answer that the bench's cycles read: decoded into this instead of a
/// [`Value`] tree, so that the generator, which shares the machine with the server it
/// measures, skips the rest of the body without allocating it.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    /// `id` (a booking's).
    pub id: Option<String>,
    /// `hold_id` (a hold's).
    pub hold_id: Option<String>,
    /// A problem's `code`.
    pub code: Option<String>,
}

/// How a lean call ended: like [`Answer`], with [`Fields`] for a body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status (0 for a network error).
    pub status: u16,
    /// The fields read from the body (all `None` when it was not JSON or not read).
    pub fields: Fields,
    /// How long it took.
    pub took: Duration,
}

impl Reply {
    /// `ok` for 2xx, else the problem `code`, `http_<status>` or `network`.
    pub fn outcome(&self) -> String {
        outcome(self.status, self.fields.code.as_deref())
    }

    /// Whether the status is 2xx.
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The API of one server.
#[derive(Clone)]
pub struct Api {
    client: Client,
    base: Url,
}

impl Api {
    /// A client with a pool large enough for `connections` and explicit timeouts.
    pub fn new(base: Url, connections: usize) -> anyhow::Result<Self> {
        let client = Client::builder()
            .pool_max_idle_per_host(connections)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .tcp_nodelay(true)
            .build()?;
        Ok(Self { client, base })
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Calls `method path` with an optional bearer token and JSON body; never fails: a
    /// network error is an answer with status 0.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Answer {
        self.call_keyed(method, path, token, body, None).await
    }

    /// Like [`Api::call`], with an `Idempotency-Key` header when `key` is given.
    pub async fn call_keyed(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Answer {
        self.request(method, path, token, body, key, Decode::Always).await
    }

    /// A GET whose successful body the caller does not need (a customer glancing at the
    /// listings): the body is read whole, but decoded only for an error's `code`. Decoding
    /// 10,000 listings of 22 KB into JSON values was a large share of the generator's CPU in
    /// the rush's busiest seconds, CPU the server it measures then lacked.
    pub async fn glance(&self, path: &str, token: Option<&str>) -> Answer {
        self.request(Method::GET, path, token, None, None, Decode::OnError).await
    }

    /// The URL of `path` on this server, parsed once by a caller that sends it often.
    ///
    /// # Errors
    /// When `path` does not make a URL.
    pub fn url(&self, path: &str) -> anyhow::Result<Url> {
        self.base.join(path).with_context(|| format!("not a path: {path}"))
    }

    /// The bench's call: `method url` with an optional bearer token and an already encoded
    /// JSON body; only [`Fields`] are decoded from the answer, and only when `decode` is set
    /// or the answer is an error (for its `code`). Never fails: a network error is a reply
    /// with status 0.
    pub async fn lean(
        &self,
        method: Method,
        url: Url,
        token: Option<&str>,
        body: Option<&bytes::Bytes>,
        decode: bool,
    ) -> Reply {
        let started = Instant::now();
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body.clone());
        }
        let Ok(response) = request.send().await else {
            return Reply { status: 0, fields: Fields::default(), took: started.elapsed() };
        };
        let status = response.status().as_u16();
        let bytes = response.bytes().await;
        let took = started.elapsed();
        match bytes {
            Ok(bytes) if decode || !(200..300).contains(&status) => {
                Reply { status, fields: serde_json::from_slice(&bytes).unwrap_or_default(), took }
            }
            Ok(_) => Reply { status, fields: Fields::default(), took },
            Err(_) => Reply { status: 0, fields: Fields::default(), took },
        }
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
        decode: Decode,
    ) -> Answer {
        let started = Instant::now();
        let Ok(url) = self.base.join(path) else {
            return Answer { status: 0, body: Value::Null, took: started.elapsed() };
        };
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                // The latency ends when the answer has arrived, before it is decoded.
                let bytes = response.bytes().await;
                let took = started.elapsed();
                let decoded = decode == Decode::Always || !(200..300).contains(&status);
                let body = match bytes {
                    Ok(bytes) if decoded => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                    Ok(_) => Value::Null,
                    Err(_) => return Answer { status: 0, body: Value::Null, took },
                };
                Answer { status, body, took }
            }
            Err(_) => Answer { status: 0, body: Value::Null, took: started.elapsed() },
        }
    }

    /// Like [`Api::call`], but a non-2xx answer is an error naming the call.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let answer = self.call(method.clone(), path, token, body).await;
        if !answer.is_ok() {
            bail!("{method} {path} answered {}: {}", answer.status, answer.body);
        }
        Ok(answer.body)
    }

    /// Registers a customer account and has staff (`admin`) verify its email, so it has the
    /// starting credit and may buy; returns `(id, token)`.
    pub async fn create_customer(&self, admin: &str, name: &str, email: &str) -> anyhow::Result<(String, String)> {
        let username: String =
            email.chars().take_while(|c| *c != '@').filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let registration = json!({
            "email": email, "username": username, "first_name": name, "last_name": "Load",
            "password": "correct horse battery staple",
        });
        let body = self.expect(Method::POST, "/api/v1/customers", None, Some(&registration)).await?;
        let id = body.pointer("/account/id").and_then(Value::as_str).context("customer id")?;
        let token = body.get("token").and_then(Value::as_str).context("customer token")?;
        self.expect(Method::POST, &format!("/api/v1/customers/{id}/verify-email"), Some(admin), None).await?;
        Ok((id.to_owned(), token.to_owned()))
    }

    /// Creates a resource as staff and returns its `id`.
    pub async fn create(&self, admin: &str, path: &str, body: &Value) -> anyhow::Result<String> {
        let created = self.expect(Method::POST, path, Some(admin), Some(body)).await?;
        Ok(created.get("id").and_then(Value::as_str).context("created id")?.to_owned())
    }

    /// Whether the server answers `/healthz`.
    pub async fn healthy(&self) -> bool {
        self.call(Method::GET, "/healthz", None, None).await.status == StatusCode::OK.as_u16()
    }
}
