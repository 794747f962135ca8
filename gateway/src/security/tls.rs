//! HTTPS with rustls: the certificate chain and key from PEM files, a [`TlsListener`] that
//! axum serves like a TCP listener, and an optional plain-HTTP server that redirects every
//! request to HTTPS.
//!
//! Handshakes run in their own tasks (at most [`HANDSHAKES_MAX`] at once, each under
//! [`HANDSHAKE_TIMEOUT`]), so a slow or silent client never blocks accepting others.
//!
//! Every accepted socket has `TCP_NODELAY` (Nagle's algorithm off): the WebSocket writer
//! already batches what is ready into one write, and with Nagle a small write that follows
//! an unacknowledged one waits for the peer's (possibly delayed, ~40 ms) ACK, which was
//! the fan-out's tail (`docs/benchmarks.md`, WebSocket capacity).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::sync::CancellationToken;

/// Handshakes in progress at once.
pub const HANDSHAKES_MAX: usize = 256;
/// Longest a TLS handshake may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Finished handshakes waiting for the server to take them.
const READY_MAX: usize = 64;

/// Loads a PEM certificate chain and private key into a rustls server configuration
/// (HTTP/1.1 and HTTP/2 by ALPN).
///
/// # Errors
/// Unreadable files, no certificate, no key, or a key that does not fit.
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<ServerConfig>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .map_err(|e| format!("{}: {e}", cert_file.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert_file.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", cert_file.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| format!("{}: {e}", key_file.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("tls certificate and key: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A listener yielding TLS streams whose handshake is done.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `listener` until `stop` fires.
    ///
    /// # Errors
    /// When the listener's address cannot be read.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>, stop: CancellationToken) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(READY_MAX);
        tokio::spawn(accept_loop(listener, TlsAcceptor::from(config), tx, stop));
        Ok(Self { ready, local })
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
    stop: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(HANDSHAKES_MAX));
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        no_delay(&stream);
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else { return };
        let (acceptor, ready) = (acceptor.clone(), ready.clone());
        tokio::spawn(async move {
            let _permit = permit;
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = ready.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%error, %peer, "tls handshake failed"),
                Err(_) => tracing::debug!(%peer, "tls handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(pair) => pair,
            // The accept loop stopped (shutdown): no more connections will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Serves `app` on `listener` until `stop` fires: HTTPS when `tls` is given, else plain
/// HTTP. Handlers see the client's address as `ConnectInfo<SocketAddr>`.
///
/// # Errors
/// The server's I/O error.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<ServerConfig>>,
    stop: CancellationToken,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt as _;
    let make = app.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        None => axum::serve(no_delay_listener(listener), make).with_graceful_shutdown(stop.cancelled_owned()).await,
        Some(config) => {
            let listener = TlsListener::new(listener, config, stop.clone())?.tap_io(|_| {});
            axum::serve(listener, make).with_graceful_shutdown(stop.cancelled_owned()).await
        }
    }
}

/// `listener`, with `TCP_NODELAY` on every socket it accepts.
fn no_delay_listener(listener: TcpListener) -> axum::serve::TapIo<TcpListener, fn(&mut TcpStream)> {
    use axum::serve::ListenerExt as _;
    listener.tap_io(|tcp| no_delay(tcp))
}

/// Turns Nagle's algorithm off on an accepted socket (a failure only costs latency).
fn no_delay(stream: &TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY");
    }
}

/// Serves plain HTTP on `listener`, answering every request with a 308 to the same path on
/// `https://<host>:<https_port>`, until `stop` fires.
pub async fn redirect_to_https(listener: TcpListener, https_port: u16, stop: CancellationToken) {
    let app = Router::new()
        .fallback(move |headers: axum::http::HeaderMap, uri: Uri| async move { redirect(&headers, &uri, https_port) });
    if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await {
        tracing::error!(%error, "http redirect server failed");
    }
}

fn redirect(headers: &axum::http::HeaderMap, uri: &Uri, https_port: u16) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let host = host
        .rsplit_once(':')
        .map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { host });
    let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    let location = format!("https://{host}{port}{path}");
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[tokio::test]
    async fn accepted_sockets_have_nagle_off() {
        use axum::serve::Listener as _;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let mut listener = no_delay_listener(listener);
        let ((accepted, _), client) = tokio::join!(listener.accept(), TcpStream::connect(address));
        assert!(client.is_ok_and(|c| !c.nodelay().unwrap_or(true)), "a plain client socket has Nagle on");
        assert!(accepted.nodelay().expect("TCP_NODELAY readable"), "the server's socket has it off");
    }

    #[test]
    fn redirects_keep_host_and_path() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("tickets.example.com:8080"));
        let response = redirect(&headers, &"/api/v1/films?x=1".parse().expect("uri"), 8443);
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(response.headers()[header::LOCATION], "https://tickets.example.com:8443/api/v1/films?x=1");
    }
}
