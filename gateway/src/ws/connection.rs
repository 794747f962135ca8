//! One connection: a reader (this task) and a writer task that stop each other through the
//! shared [`Closer`]. The writer owns the socket's sending half: it sends queued messages
//! (each write under `websocket.write_timeout_ms`), pings every
//! `websocket.ping_interval_ms`, and on close sends a `closing` message and a close frame
//! with the reason. The reader closes a connection that sends nothing for
//! `websocket.idle_timeout_ms`; server shutdown closes every connection with 1001.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio_util::sync::CancellationToken;

use super::Hub;
use super::close::{CloseReason, Closer};
use super::reply::{self, Failure};
use super::session::{Session, Who};
use crate::state::AppState;

/// Longest the goodbye (`closing` message and close frame) may take.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(1);

/// Serves one upgraded connection until it closes. Without a `permit` (the server is
/// full) the connection is closed at once with `server_full`.
pub async fn serve(socket: WebSocket, hub: Arc<Hub>, state: AppState, who: Who, permit: Option<OwnedSemaphorePermit>) {
    let (sink, stream) = socket.split();
    let settings = &hub.settings;
    let (tx, rx) = mpsc::channel(settings.outbound_queue_messages);
    let closer = Closer::default();
    let writer = Writer {
        rx,
        closer: closer.clone(),
        shutdown: state.shutdown.clone(),
        ping_every: Duration::from_millis(settings.ping_interval_ms),
        write_timeout: Duration::from_millis(settings.write_timeout_ms),
    };
    let writer = tokio::spawn(writer.run(sink));
    if permit.is_none() {
        metrics::counter!("boxoffice_ws_refused_total").increment(1);
        closer.close(CloseReason::ServerFull);
    } else {
        metrics::gauge!("boxoffice_ws_connections").increment(1.0);
        let idle = Duration::from_millis(settings.idle_timeout_ms);
        let mut session = Session::new(state, Arc::clone(&hub), tx, closer.clone(), who);
        session.send(welcome(&hub, session.who.kind())).await;
        let mut stream = stream;
        read(&mut session, &mut stream, idle).await;
        closer.close(CloseReason::ClientGone);
        drop(session);
        if closer.reason().is_some_and(CloseReason::says_goodbye) {
            linger(&mut stream).await;
        }
        metrics::gauge!("boxoffice_ws_connections").decrement(1.0);
    }
    if let Some(reason) = closer.reason() {
        metrics::counter!("boxoffice_ws_closed_total", "reason" => reason.as_str()).increment(1);
    }
    let limit = Duration::from_millis(hub.settings.write_timeout_ms) + GOODBYE_TIMEOUT;
    let abort = writer.abort_handle();
    if tokio::time::timeout(limit, writer).await.is_err() {
        abort.abort();
    }
    drop(permit);
}

fn welcome(hub: &Hub, principal: &str) -> Utf8Bytes {
    let s = &hub.settings;
    let limits = json!({
        "message_bytes_max": s.message_bytes_max, "rate_per_second": s.rate_per_second,
        "rate_burst": s.rate_burst, "ping_interval_ms": s.ping_interval_ms,
        "idle_timeout_ms": s.idle_timeout_ms, "subscriptions_max": s.subscriptions_max,
    });
    reply::message("welcome", None, json!({"protocol": 1, "principal": principal, "limits": limits}))
}

/// Reads frames until the client leaves, misbehaves, idles or the connection closes.
async fn read(session: &mut Session, stream: &mut SplitStream<WebSocket>, idle: Duration) {
    let closer = session.closer.clone();
    loop {
        let frame = tokio::select! {
            biased;
            () = closer.closing() => return,
            frame = tokio::time::timeout(idle, stream.next()) => frame,
        };
        let message = match frame {
            Err(_) => return closer.close(CloseReason::IdleTimeout),
            Ok(None) => return,
            Ok(Some(Err(error))) => return on_read_error(session, &error).await,
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) if text.len() > session.hub.settings.message_bytes_max => {
                session.on_oversized().await;
            }
            Message::Text(text) => session.on_text(text.as_str()).await,
            Message::Binary(_) => session.on_binary().await,
            // Liveness only; tungstenite answers pings by itself.
            Message::Ping(_) | Message::Pong(_) => {}
            Message::Close(_) => return,
        }
    }
}

/// Keeps reading (and discarding) while the writer says goodbye, until the client's close
/// or [`GOODBYE_TIMEOUT`]: closing a socket with unread input makes the kernel reset the
/// connection, and the client would lose the `closing` message and the close frame.
async fn linger(stream: &mut SplitStream<WebSocket>) {
    let drain = async {
        // Bounded: after a protocol error each poll consumes input or ends the stream.
        for _ in 0..10_000 {
            match stream.next().await {
                None | Some(Ok(Message::Close(_))) => return,
                Some(_) => {}
            }
        }
    };
    let _ = tokio::time::timeout(GOODBYE_TIMEOUT, drain).await;
}

/// A read error: an oversized message gets its error code before the close; anything
/// else means the client is gone.
async fn on_read_error(session: &Session, error: &axum::Error) {
    if is_capacity(error) {
        let max = session.hub.settings.message_bytes_max;
        let failure = Failure::protocol("message_too_large", format!("messages are limited to {max} bytes"));
        metrics::counter!("boxoffice_ws_errors_total", "code" => "message_too_large").increment(1);
        let _ = session.tx.try_send(reply::error(None, &failure));
        session.closer.close(CloseReason::MessageTooLarge);
    }
}

fn is_capacity(error: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error as WsError;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if matches!(e.downcast_ref::<WsError>(), Some(WsError::Capacity(_))) {
            return true;
        }
        source = e.source();
    }
    false
}

/// The sending half of a connection.
struct Writer {
    rx: mpsc::Receiver<Utf8Bytes>,
    closer: Closer,
    shutdown: CancellationToken,
    ping_every: Duration,
    write_timeout: Duration,
}

impl Writer {
    async fn run(mut self, mut sink: SplitSink<WebSocket, Message>) {
        let start = tokio::time::Instant::now() + self.ping_every;
        let mut ping = tokio::time::interval_at(start, self.ping_every);
        loop {
            let message = tokio::select! {
                biased;
                () = self.closer.closing() => break,
                () = self.shutdown.cancelled() => {
                    self.closer.close(CloseReason::Shutdown);
                    break;
                }
                queued = self.rx.recv() => match queued {
                    Some(text) => Message::Text(text),
                    None => break,
                },
                _ = ping.tick() => Message::Ping(bytes::Bytes::new()),
            };
            match tokio::time::timeout(self.write_timeout, sink.send(message)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return self.closer.close(CloseReason::ClientGone),
                // The socket does not drain: a goodbye would not get through either.
                Err(_) => return self.closer.close(CloseReason::SlowConsumer),
            }
        }
        if let Some(reason) = self.closer.reason().filter(|r| r.says_goodbye()) {
            let frame = CloseFrame { code: reason.code(), reason: Utf8Bytes::from_static(reason.as_str()) };
            let rx = &mut self.rx;
            let goodbye = async {
                // What was queued before the close (an error saying why, say) goes first.
                while let Ok(text) = rx.try_recv() {
                    sink.send(Message::Text(text)).await?;
                }
                sink.send(Message::Text(reply::closing(reason))).await?;
                sink.send(Message::Close(Some(frame))).await
            };
            let _ = tokio::time::timeout(GOODBYE_TIMEOUT, goodbye).await;
        }
    }
}
