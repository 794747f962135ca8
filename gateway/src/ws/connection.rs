//! One connection: a reader (this task) and a writer task that stop each other through the
//! shared [`Closer`].
//!
//! The writer owns the socket's sending half and the connection's subscriptions
//! ([`Forward`]): it waits on the reader's bounded queue ([`Outbound`]: answers, errors,
//! subscribe and unsubscribe) and on its subscriptions' broadcast receivers **directly**, so
//! a change costs one task wake-up per connection. When it wakes it writes everything that
//! is ready (up to [`BATCH_MESSAGES_MAX`] messages) and flushes once, so changes that
//! arrive while a connection waits for its turn share one socket write; each batch is under
//! `websocket.write_timeout_ms`. It pings every `websocket.ping_interval_ms`, and on close
//! sends a `closing` message and a close frame with the reason. The reader closes a
//! connection that sends nothing for `websocket.idle_timeout_ms`; server shutdown closes
//! every connection with 1001.

use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use boxoffice_engine::{Engine, Subscription};
use boxoffice_storage::ShowtimeId;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::Hub;
use super::close::{CloseReason, Closer};
use super::forward::Forward;
use super::reply::{self, Failure};
use super::session::{Session, SocketCredential, Who};
use crate::state::AppState;

/// Longest the goodbye (`closing` message and close frame) may take.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(1);

/// Most messages written before one flush.
pub const BATCH_MESSAGES_MAX: usize = 64;

/// What the reader hands to the writer, in order.
pub enum Outbound {
    /// A message for the client (an answer, an error).
    Text(Utf8Bytes),
    /// A new subscription and its `subscribed` answer: the writer sends the answer, the
    /// start (snapshot or missed changes), then the live changes.
    Subscribe(Box<Subscribe>),
    /// The writer stops forwarding the showtime, then sends the `unsubscribed` answer: no
    /// change of it follows the answer.
    Unsubscribe(Box<(ShowtimeId, Utf8Bytes)>),
}

/// A subscription for the writer to forward.
pub struct Subscribe {
    /// The engine's subscription (start and live receiver).
    pub subscription: Subscription,
    /// Whether changes that are ready together go out as one `changes` message.
    pub coalesce: bool,
    /// The `subscribed` answer, sent before the start.
    pub ack: Utf8Bytes,
}

/// Serves one upgraded connection until it closes. Without a `permit` (the server is
/// full) the connection is closed at once with `server_full`.
pub async fn serve(
    socket: WebSocket,
    hub: Arc<Hub>,
    state: AppState,
    who: Who,
    credential: Option<SocketCredential>,
    permit: Option<OwnedSemaphorePermit>,
) {
    let (sink, stream) = socket.split();
    let settings = &hub.settings;
    let (tx, rx) = mpsc::channel(settings.outbound_queue_messages);
    let closer = Closer::child_of(&state.shutdown);
    let writer = Writer {
        rx,
        closer: closer.clone(),
        engine: state.engine.clone(),
        forwards: Vec::new(),
        resyncs_per_minute_max: settings.resyncs_per_minute_max,
        ping_every: Duration::from_millis(settings.ping_interval_ms),
        write_timeout: Duration::from_millis(settings.write_timeout_ms),
    };
    // On the fan-out pool: changes to thousands of seat maps never queue in front of requests.
    let writer = hub.fanout.spawn(writer.run(sink));
    if permit.is_none() {
        metrics::counter!("boxoffice_ws_refused_total").increment(1);
        closer.close(CloseReason::ServerFull);
    } else {
        metrics::gauge!("boxoffice_ws_connections").increment(1.0);
        let idle = Duration::from_millis(settings.idle_timeout_ms);
        let mut session = Session::new(state, Arc::clone(&hub), tx, closer.clone(), who, credential);
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
    let mut closing = pin!(closer.closing());
    loop {
        let frame = tokio::select! {
            biased;
            () = &mut closing => return,
            frame = tokio::time::timeout(idle, stream.next()) => frame,
        };
        let message = match frame {
            Err(_) => return closer.close(CloseReason::IdleTimeout),
            Ok(None) => return,
            Ok(Some(Err(error))) => return on_read_error(session, &error),
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) if text.len() > session.hub.settings.message_bytes_max => {
                Box::pin(session.on_oversized()).await;
            }
            // Boxed: the request futures (engine calls) are large and exist only while a
            // request is handled, not for the whole life of an idle connection.
            Message::Text(text) => Box::pin(session.on_text(text.as_str())).await,
            Message::Binary(_) => Box::pin(session.on_binary()).await,
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
fn on_read_error(session: &Session, error: &axum::Error) {
    if is_capacity(error) {
        let max = session.hub.settings.message_bytes_max;
        let failure = Failure::protocol("message_too_large", format!("messages are limited to {max} bytes"));
        metrics::counter!("boxoffice_ws_errors_total", "code" => "message_too_large").increment(1);
        let _ = session.tx.try_send(Outbound::Text(reply::error(None, &failure)));
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

/// Queues `outbound` for the writer, waiting at most `slow_consumer` for room; `false` (and
/// the connection closing) when the client is too slow or gone.
pub async fn send_or_close(
    tx: &mpsc::Sender<Outbound>,
    closer: &Closer,
    slow_consumer: Duration,
    outbound: Outbound,
) -> bool {
    match tx.try_send(outbound) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Closed(_)) => false,
        Err(mpsc::error::TrySendError::Full(outbound)) => {
            tokio::select! {
                () = closer.closing() => false,
                sent = tokio::time::timeout(slow_consumer, tx.send(outbound)) => match sent {
                    Ok(Ok(())) => true,
                    Ok(Err(_)) => false,
                    Err(_) => {
                        closer.close(CloseReason::SlowConsumer);
                        false
                    }
                },
            }
        }
    }
}

/// What the writer does next.
enum Next {
    /// Send this.
    Send(Message),
    /// Stop: close with this reason (`None`: the reader is gone).
    Stop(Option<CloseReason>),
}

/// The sending half of a connection, and its subscriptions.
struct Writer {
    rx: mpsc::Receiver<Outbound>,
    closer: Closer,
    engine: Engine,
    forwards: Vec<Forward>,
    resyncs_per_minute_max: u32,
    ping_every: Duration,
    write_timeout: Duration,
}

impl Writer {
    async fn run(mut self, mut sink: SplitSink<WebSocket, Message>) {
        let closer = self.closer.clone();
        let mut closing = pin!(closer.closing());
        let start = tokio::time::Instant::now() + self.ping_every;
        let mut ping = tokio::time::interval_at(start, self.ping_every);
        loop {
            // Messages first: polling the close token (two locks) only when nothing is ready
            // keeps it off the fan-out path. What is ready when a close is asked for still
            // goes out (bounded by the queue and the broadcast channel), then the goodbye.
            let first = tokio::select! {
                biased;
                next = std::future::poll_fn(|cx| self.poll_next(cx)) => match next {
                    Next::Send(message) => message,
                    Next::Stop(reason) => {
                        closer.close(reason.unwrap_or(CloseReason::ClientGone));
                        break;
                    }
                },
                () = &mut closing => break,
                _ = ping.tick() => Message::Ping(bytes::Bytes::new()),
            };
            let write_timeout = self.write_timeout;
            let mut batch = pin!(self.write_batch(&mut sink, first));
            // The usual batch completes at once (the socket has room): no timer for it.
            let done = match std::future::poll_fn(|cx| Poll::Ready(batch.as_mut().poll(cx))).await {
                Poll::Ready(done) => Ok(done),
                Poll::Pending => tokio::time::timeout(write_timeout, batch).await,
            };
            match done {
                Ok(Ok(None)) => {}
                Ok(Ok(Some(reason))) => {
                    closer.close(reason.unwrap_or(CloseReason::ClientGone));
                    break;
                }
                Ok(Err(_)) => return closer.close(CloseReason::ClientGone),
                // The socket does not drain: a goodbye would not get through either.
                Err(_) => return closer.close(CloseReason::SlowConsumer),
            }
        }
        // Changes are not sent once closing; the subscriptions end here.
        self.forwards.clear();
        if let Some(reason) = closer.reason().filter(|r| r.says_goodbye()) {
            let frame = CloseFrame { code: reason.code(), reason: Utf8Bytes::from_static(reason.as_str()) };
            let rx = &mut self.rx;
            let goodbye = async {
                // What was queued before the close (an error saying why, say) goes first.
                while let Ok(outbound) = rx.try_recv() {
                    if let Outbound::Text(text) = outbound {
                        sink.feed(Message::Text(text)).await?;
                    }
                }
                sink.feed(Message::Text(reply::closing(reason))).await?;
                sink.send(Message::Close(Some(frame))).await
            };
            let _ = tokio::time::timeout(GOODBYE_TIMEOUT, goodbye).await;
        }
    }

    /// Writes `first` and whatever else is ready (at most [`BATCH_MESSAGES_MAX`] messages),
    /// then flushes once. `Some(_)`: the writer must stop after this batch.
    async fn write_batch(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        first: Message,
    ) -> Result<Option<Option<CloseReason>>, axum::Error> {
        sink.feed(first).await?;
        let mut stop = None;
        for _ in 1..BATCH_MESSAGES_MAX {
            match std::future::poll_fn(|cx| Poll::Ready(self.poll_next(cx))).await {
                Poll::Ready(Next::Send(message)) => sink.feed(message).await?,
                Poll::Ready(Next::Stop(reason)) => {
                    stop = Some(reason);
                    break;
                }
                Poll::Pending => break,
            }
        }
        sink.flush().await?;
        Ok(stop)
    }

    /// The next message: a subscription's start first (it follows its `subscribed`
    /// answer), then the reader's queue, then live changes.
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Next> {
        for forward in self.forwards.iter_mut().filter(|f| f.starting()) {
            if let Poll::Ready(next) = forward.poll_next(cx, &self.engine) {
                return Poll::Ready(to_next(next));
            }
        }
        if let Poll::Ready(outbound) = self.rx.poll_recv(cx) {
            return Poll::Ready(match outbound {
                Some(Outbound::Text(text)) => Next::Send(Message::Text(text)),
                Some(Outbound::Subscribe(subscribe)) => {
                    let Subscribe { subscription, coalesce, ack } = *subscribe;
                    match Forward::new(subscription, coalesce, self.resyncs_per_minute_max) {
                        Ok(forward) => {
                            self.forwards.push(forward);
                            Next::Send(Message::Text(ack))
                        }
                        Err(reason) => Next::Stop(Some(reason)),
                    }
                }
                Some(Outbound::Unsubscribe(unsubscribe)) => {
                    let (showtime, ack) = *unsubscribe;
                    self.forwards.retain(|f| f.showtime() != showtime);
                    Next::Send(Message::Text(ack))
                }
                None => Next::Stop(None),
            });
        }
        for forward in &mut self.forwards {
            if let Poll::Ready(next) = forward.poll_next(cx, &self.engine) {
                return Poll::Ready(to_next(next));
            }
        }
        Poll::Pending
    }
}

fn to_next(next: Result<Utf8Bytes, CloseReason>) -> Next {
    match next {
        Ok(text) => Next::Send(Message::Text(text)),
        Err(reason) => Next::Stop(Some(reason)),
    }
}
