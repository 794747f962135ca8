//! [`Application`]: opens the store, starts the engine, binds the listener (port 0 allowed),
//! then serves until a shutdown future resolves.
//!
//! Shutdown order: the [`CancellationToken`] fires
//! (`/readyz` turns 503, the listener stops accepting), in-flight requests drain for at most
//! `server.shutdown_grace_ms`, the engine stops its actors after flushing their batches, and
//! the store commits what is queued. Must run inside an actix `System` (the engine's actors).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use boxoffice_engine::{Clock, EngineError, SystemClock};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::admin_token::{self, AdminTokenError, TokenSource};
use crate::config::{ConfigError, Settings};
use crate::idempotency::InFlight;
use crate::state::AppState;
use crate::store::{Store, StoreError};

/// Longest time start-up waits for the engine to refund payments left by a crash.
pub const SETTLE_TIMEOUT_MS: u64 = 60_000;

/// Why the application could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The admin token could not be read or written.
    #[error(transparent)]
    AdminToken(#[from] AdminTokenError),
    /// The metrics recorder could not be installed.
    #[error("metrics recorder: {0}")]
    Metrics(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {error}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The engine failed at start (settling unsettled payments).
    #[error("engine start-up: {0}")]
    Engine(#[from] EngineError),
    /// The signing key, password hashing, mail or TLS could not be set up.
    #[error("security set-up: {0}")]
    Security(String),
    /// The cluster could not be set up.
    #[error("{0}")]
    Cluster(String),
    /// The HTTP server failed.
    #[error("http server: {0}")]
    Serve(std::io::Error),
}

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    state: AppState,
    store: Store,
    admin_token_source: TokenSource,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Application {
    /// Opens the store, resolves the admin token, starts the engine, refunds payments left
    /// unsettled by a crash, and binds the listener. Call inside an actix `System`.
    ///
    /// # Errors
    /// See [`StartupError`].
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// [`Application::build`] with another time source (black-box tests move time forward).
    ///
    /// # Errors
    /// See [`StartupError`].
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        settings.validate()?;
        let bind = settings.bind_address()?;
        let data_dir = settings.storage.location()?.data_dir();
        let store = Store::open(&settings.storage).await?;
        let (admin_token, admin_token_source) = admin_token::resolve(settings.auth.admin_token.as_ref(), &data_dir)?;
        let metrics = crate::metrics::recorder().map_err(StartupError::Metrics)?;
        let storage = store.storage();
        let (engine, cluster) = crate::cluster::start_engine(&settings, Arc::clone(&storage), Arc::clone(&clock))
            .map_err(|e| StartupError::Cluster(e.to_string()))?;
        // With several nodes, younger payments may be confirming on another node right now.
        let settling = async {
            if cluster.is_some() {
                engine.settle_old_unsettled_payments().await
            } else {
                engine.settle_unsettled_payments().await
            }
        };
        let settle = tokio::time::timeout(Duration::from_millis(SETTLE_TIMEOUT_MS), settling);
        let refunded = settle.await.map_err(|_| EngineError::Timeout)??;
        if refunded > 0 {
            tracing::warn!(refunded, "refunded payments left unsettled by an earlier stop");
        }
        let listener = listen(bind).map_err(|error| StartupError::Bind { address: bind, error })?;
        let address = listener.local_addr().map_err(|error| StartupError::Bind { address: bind, error })?;
        let accounts = store.accounts();
        let shutdown = CancellationToken::new();
        let parts = crate::accounts::setup::build(
            &settings,
            &data_dir,
            admin_token,
            Arc::clone(&accounts),
            Arc::clone(&clock),
            address,
        )
        .map_err(StartupError::Security)?;
        crate::accounts::setup::redirect_http(&settings, address, shutdown.clone())
            .await
            .map_err(StartupError::Security)?;
        let notices = crate::mail::notify::Notices::start(
            Arc::clone(&storage),
            Arc::clone(&accounts),
            parts.mailer.clone(),
            settings.mail.from.clone(),
            settings.site.zone(),
            settings.mail.queue_capacity,
            settings.mail.worker_nice,
        );
        let state = AppState::new(crate::state::AppStateInner {
            storage,
            accounts,
            security: parts.security,
            mailer: parts.mailer,
            notices,
            engine,
            config: Arc::new(settings),
            auth: parts.auth,
            idempotency: Arc::new(InFlight::default()),
            listings: Arc::default(),
            metrics,
            shutdown,
            clock,
            cluster,
            catalog_changes: tokio::sync::Mutex::new(()),
        });
        if let Some(cluster) = &state.cluster {
            cluster.start_probes(state.shutdown.clone());
        }
        Ok(Self { listener, address, state, store, admin_token_source, tls: parts.tls })
    }

    /// The bound port (useful with port 0).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Whether the server speaks HTTPS.
    #[must_use]
    pub fn tls_enabled(&self) -> bool {
        self.tls.is_some()
    }

    /// The bound address.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The shared state (for seeding demo data before serving).
    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Where the admin token came from (to tell the operator; never the token itself).
    #[must_use]
    pub fn admin_token_source(&self) -> &TokenSource {
        &self.admin_token_source
    }

    /// The token that fires shutdown; cancel it to stop the server.
    #[must_use]
    pub fn shutdown_token(&self) -> CancellationToken {
        self.state.shutdown.clone()
    }

    /// Serves until `shutdown` resolves (or the shutdown token is cancelled), then drains,
    /// stops the engine and flushes the store.
    ///
    /// # Errors
    /// `Serve` if the HTTP server fails.
    pub async fn run_until_stopped<F>(self, shutdown: F) -> Result<(), StartupError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let Application { listener, address, state, store, tls, .. } = self;
        let token = state.shutdown.clone();
        let trigger = token.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = shutdown => trigger.cancel(),
                () = trigger.cancelled() => {}
            }
        });
        crate::idempotency::spawn_purger(&state);
        let grace = Duration::from_millis(state.config.server.shutdown_grace_ms);
        let engine = state.engine.clone();
        let mailer = state.mailer.clone();
        tracing::info!(%address, "serving");
        let server = crate::security::tls::serve(listener, crate::routes::app(state), tls, token.clone());
        let deadline = async {
            token.cancelled().await;
            tokio::time::sleep(grace).await;
        };
        let result = tokio::select! {
            served = server => served.map_err(StartupError::Serve),
            () = deadline => {
                tracing::warn!(grace_ms = grace.as_millis() as u64, "requests still running after the grace period; closing them");
                Ok(())
            }
        };
        tracing::info!("http server stopped; stopping the engine");
        if tokio::time::timeout(grace.max(Duration::from_secs(1)), engine.shutdown()).await.is_err() {
            tracing::warn!("engine did not stop within the grace period");
        }
        mailer.flush(grace.max(Duration::from_secs(1))).await;
        store.close().await;
        tracing::info!("storage flushed; bye");
        result
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}

/// Pending connections the kernel queues for `accept` (capped by `net.core.somaxconn`).
/// Tokio's default (1024) overflowed in the release rush: 10 000 customers connecting within
/// seconds had SYNs dropped, and each drop cost the client a 1 s, 3 s, 7 s retransmit
/// (`docs/benchmarks.md`, release-day rush).
pub const LISTEN_BACKLOG: u32 = 8192;

/// Binds `address` with [`LISTEN_BACKLOG`] (and `SO_REUSEADDR`, as `TcpListener::bind`).
fn listen(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}
