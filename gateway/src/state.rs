//! [`AppState`]: what every handler can reach. Cheap to clone: one `Arc` around
//! [`AppStateInner`] (axum clones the state of every `from_fn_with_state` layer for every
//! request; with the fields cloned one by one that was ~25 reference counts up and down per
//! layer, about a tenth of the server's CPU in the release rush; see `docs/benchmarks.md`).
//!
//! Handlers take `State(state): State<AppState>` and call `state.engine`, `state.storage`,
//! ...; `State<Engine>` and `State<Arc<dyn Storage>>` also work through [`FromRef`].

use std::sync::Arc;

use axum::extract::FromRef;
use boxoffice_engine::{Clock, Engine};
use boxoffice_storage::{Accounts, Currency, Storage};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;

use crate::auth::Authenticator;
use crate::config::Settings;
use crate::idempotency::InFlight;
use crate::mail::Mailer;
use crate::security::Security;

/// Shared state of the HTTP application; its fields are those of [`AppStateInner`].
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl AppState {
    /// Wraps the state.
    #[must_use]
    pub fn new(inner: AppStateInner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct AppStateInner {
    /// The persistence backend.
    pub storage: Arc<dyn Storage>,
    /// Accounts, sessions and the audit log (the same backend as `storage`).
    pub accounts: Arc<dyn Accounts>,
    /// Signing key, password hashing, rate limits, TOTP replay guard.
    pub security: Arc<Security>,
    /// The outgoing mail queue.
    pub mailer: Mailer,
    /// Booking emails waiting to be prepared (a bounded queue and one worker).
    pub notices: crate::mail::notify::Notices,
    /// The booking engine (showtime actors).
    pub engine: Engine,
    /// The loaded configuration.
    pub config: Arc<Settings>,
    /// Credentials: the admin token and the session and token cache.
    pub auth: Arc<Authenticator>,
    /// Idempotency keys whose request is running now.
    pub idempotency: Arc<InFlight>,
    /// Showtime listings recently answered (`GET /showtimes`).
    pub listings: Arc<crate::listing_cache::ListingCache>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// Fired at shutdown; `/readyz` answers 503 once it is.
    pub shutdown: CancellationToken,
    /// The time source (the wall clock in production).
    pub clock: Arc<dyn Clock>,
    /// Several nodes: membership, placement, forwarding (`None`: a single node).
    pub cluster: Option<Arc<crate::cluster::Cluster>>,
    /// Held by every catalog change whose check and write must not interleave with another
    /// (a showtime created for a film being deleted, a duration changed while a showtime
    /// of the film is created). Catalog changes are rare staff actions; one at a time costs
    /// nothing a user would notice. It serialises the changes of one node.
    pub catalog_changes: tokio::sync::Mutex<()>,
}

impl AppStateInner {
    /// The currency of every price and wallet (`wallet.currency`).
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.config.wallet.currency
    }
}

impl FromRef<AppState> for Engine {
    fn from_ref(state: &AppState) -> Self {
        state.engine.clone()
    }
}

impl FromRef<AppState> for Arc<dyn Storage> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.storage)
    }
}
