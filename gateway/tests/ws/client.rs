//! A test client of the WebSocket protocol on tokio-tungstenite: requests with ids,
//! answers matched by id, pushed messages buffered in order, close frames read back.

use std::collections::VecDeque;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::TestApp;

/// How long a test waits for any one message.
pub const WAIT: Duration = Duration::from_secs(10);

/// A connected client.
pub struct Ws {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pending: VecDeque<Value>,
    next_id: u64,
}

/// `ws://127.0.0.1:PORT/ws`.
pub fn url(app: &TestApp) -> String {
    format!("{}/ws", app.address.replacen("http://", "ws://", 1))
}

impl Ws {
    /// Connects without a token and reads the `welcome`.
    pub async fn connect(app: &TestApp) -> Self {
        Self::connect_with(app, None, None).await
    }

    /// Connects with an optional bearer token and socket receive buffer; reads `welcome`.
    pub async fn connect_with(app: &TestApp, token: Option<&str>, recv_buffer: Option<u32>) -> Self {
        let mut request = url(app).into_client_request().expect("request");
        if let Some(token) = token {
            request.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
        }
        let addr = app.address.trim_start_matches("http://").parse().expect("address");
        let socket = TcpSocket::new_v4().expect("socket");
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size).expect("rcvbuf");
        }
        let stream = socket.connect(addr).await.expect("connect");
        let (ws, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)).await.expect("upgrade");
        let mut client = Self { ws, pending: VecDeque::new(), next_id: 0 };
        let welcome = client.recv().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        client
    }

    /// Messages read but not yet returned.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Sends a request; its id.
    pub async fn send(&mut self, kind: &str, mut fields: Value) -> String {
        self.next_id += 1;
        let id = format!("r{}", self.next_id);
        fields["v"] = json!(1);
        fields["type"] = json!(kind);
        fields["id"] = json!(id);
        self.send_raw(Message::text(fields.to_string())).await;
        id
    }

    /// Sends a raw frame.
    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.expect("send");
    }

    /// The next message from the server (pushed ones first), control frames skipped.
    pub async fn recv(&mut self) -> Value {
        if let Some(v) = self.pending.pop_front() {
            return v;
        }
        self.read().await.unwrap_or_else(|frame| panic!("expected a message, got close {frame:?}"))
    }

    /// Reads a text message, or the close frame `(code, reason)`.
    pub async fn read(&mut self) -> Result<Value, Option<(u16, String)>> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next()).await.expect("a message in time");
            match frame {
                Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(text.as_str()).expect("JSON")),
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map(|f| (u16::from(f.code), f.reason.to_string())));
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Err(None),
            }
        }
    }

    /// Sends a request and returns its answer; other messages stay queued in order.
    pub async fn request(&mut self, kind: &str, fields: Value) -> Value {
        let id = self.send(kind, fields).await;
        self.answer(&id).await
    }

    /// The answer to request `id`.
    pub async fn answer(&mut self, id: &str) -> Value {
        let mut skipped = VecDeque::new();
        let found = loop {
            if let Some(i) = self.pending.iter().position(|m| m["id"] == id) {
                break self.pending.remove(i).expect("present");
            }
            let m = self.read().await.unwrap_or_else(|f| panic!("closed {f:?} while waiting for {id}"));
            if m["id"] == id {
                break m;
            }
            skipped.push_back(m);
        };
        self.pending.extend(skipped);
        found
    }

    /// The next message of type `kind`, skipping (and dropping) others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let m = self.recv().await;
            if m["type"] == kind {
                return m;
            }
        }
    }

    /// Subscribes; returns the `subscribed` answer (the start follows).
    pub async fn subscribe(&mut self, showtime: &str, since: Option<u64>) -> Value {
        let answer = self.request("subscribe", json!({"showtime_id": showtime, "since": since})).await;
        assert_eq!(answer["type"], "subscribed", "{answer}");
        answer
    }

    /// Reads until the close frame; `(code, reason)` and the `closing` message if any.
    pub async fn closed(&mut self) -> (Option<(u16, String)>, Option<Value>) {
        let mut closing = self.pending.iter().find(|m| m["type"] == "closing").cloned();
        loop {
            match self.read().await {
                Ok(m) if m["type"] == "closing" => closing = Some(m),
                Ok(_) => {}
                Err(frame) => return (frame, closing),
            }
        }
    }
}

/// A fake card terminal: approves amounts up to a limit with a reference.
pub struct FakeTerminal {
    pub decline_above_minor: i64,
}

impl FakeTerminal {
    /// `Some(reference)` when approved.
    pub fn charge(&self, amount_minor: i64) -> Option<String> {
        (amount_minor <= self.decline_above_minor).then(|| format!("T-{amount_minor:06}"))
    }
}
