//! A minimal WebSocket client of the boxoffice protocol (v1) for the kiosk simulator and the
//! capacity bench: connect with small buffers (optionally from a chosen local address),
//! send requests with ids, and read JSON messages.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

/// A connected socket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `ws://…/ws` URL of an `http://…` target.
pub fn ws_url(base: &Url) -> anyhow::Result<Url> {
    let mut url = base.join("/ws")?;
    let scheme = if base.scheme() == "https" { "wss" } else { "ws" };
    url.set_scheme(scheme).map_err(|()| anyhow::anyhow!("cannot make a WebSocket URL of {base}"))?;
    Ok(url)
}

/// Small buffers: a few KiB per connection instead of ~128 KiB.
pub fn small_buffers() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0)
}

/// Connects to `url`, from `local` if given (to use several loopback source addresses).
pub async fn connect(url: &Url, local: Option<IpAddr>) -> anyhow::Result<Socket> {
    let host = url.host_str().context("URL without host")?;
    let port = url.port_or_known_default().context("URL without port")?;
    let addr: SocketAddr = tokio::net::lookup_host((host, port)).await?.next().context("no address")?;
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    if let Some(ip) = local {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let connecting = async {
        let stream = socket.connect(addr).await?;
        stream.set_nodelay(true)?;
        let request = url.as_str().into_client_request()?;
        let config = Some(small_buffers());
        let (ws, _) =
            tokio_tungstenite::client_async_with_config(request, MaybeTlsStream::Plain(stream), config).await?;
        anyhow::Ok(ws)
    };
    tokio::time::timeout(CONNECT_TIMEOUT, connecting).await.context("connect timed out")?
}

/// Sends one request.
pub async fn send(ws: &mut Socket, kind: &str, id: &str, mut fields: Value) -> anyhow::Result<()> {
    fields["v"] = json!(1);
    fields["type"] = json!(kind);
    fields["id"] = json!(id);
    ws.send(Message::text(fields.to_string())).await?;
    Ok(())
}

/// The next JSON message (control frames skipped); `None` when the server closed.
pub async fn next(ws: &mut Socket, timeout: Duration) -> anyhow::Result<Option<Value>> {
    loop {
        let Some(frame) = tokio::time::timeout(timeout, ws.next()).await.context("no message in time")? else {
            return Ok(None);
        };
        match frame? {
            Message::Text(text) => return Ok(Some(serde_json::from_str(text.as_str())?)),
            Message::Close(frame) => {
                let why = frame.map(|f| format!("{} {}", u16::from(f.code), f.reason)).unwrap_or_default();
                bail!("server closed the connection: {why}");
            }
            _ => {}
        }
    }
}

/// Reads until the answer of request `id` (other messages go to `other`).
pub async fn answer(
    ws: &mut Socket,
    id: &str,
    timeout: Duration,
    mut other: impl FnMut(Value),
) -> anyhow::Result<Value> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = next(ws, left).await?.context("connection closed while waiting for an answer")?;
        if message.get("id").and_then(Value::as_str) == Some(id) {
            return Ok(message);
        }
        other(message);
    }
}
