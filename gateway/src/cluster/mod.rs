//! Several engine nodes on one store: membership, placement and forwarding.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`rendezvous`] | the owner of a showtime: highest random weight over the live nodes |
//! | [`membership`] | peers and their liveness, from periodic probes |
//! | [`forward`] | the middleware that sends a showtime's requests to its owner (one hop) |
//! | [`routes`] | `/cluster/v1/node` (probes) and `/cluster/v1/showtimes/{id}` (ownership) |
//!
//! [`Cluster`] is the engine's [`Placement`]: a showtime's actor starts only on its owner
//! (or on a node a request was forwarded to). Placement is advice; correctness comes from
//! the ownership epochs in storage, which fence any node that lost a showtime. See
//! `docs/scale-out.md` for the design and the failure cases.

pub mod forward;
pub mod membership;
pub mod rendezvous;
pub mod routes;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use boxoffice_engine::Placement;
use boxoffice_storage::ShowtimeId;
use tokio_util::sync::CancellationToken;

use self::membership::Peer;
use crate::config::{ClusterSettings, normalize_url};

/// This node's view of the cluster.
#[derive(Debug)]
pub struct Cluster {
    settings: ClusterSettings,
    advertise: String,
    node_id: String,
    peers: Vec<Peer>,
    draining: AtomicBool,
    client: reqwest::Client,
}

/// Why the cluster could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cluster set-up: {0}")]
pub struct ClusterError(String);

impl Cluster {
    /// The cluster of `settings` (which must be enabled and valid).
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(settings: &ClusterSettings) -> Result<Arc<Self>, ClusterError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
            .timeout(Duration::from_millis(settings.forward_timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ClusterError(e.to_string()))?;
        let peers = settings.nodes.iter().map(|n| normalize_url(n)).map(Peer::new_up).collect();
        Ok(Arc::new(Self {
            advertise: settings.advertise_url(),
            node_id: settings.own_id(),
            settings: settings.clone(),
            peers,
            draining: AtomicBool::new(false),
            client,
        }))
    }

    /// Starts probing the peers until `stop` fires.
    pub fn start_probes(self: &Arc<Self>, stop: CancellationToken) {
        tokio::spawn(membership::probe_loop(Arc::clone(self), stop));
    }

    /// The `[cluster]` settings.
    #[must_use]
    pub fn settings(&self) -> &ClusterSettings {
        &self.settings
    }

    /// This node's URL.
    #[must_use]
    pub fn advertise(&self) -> &str {
        &self.advertise
    }

    /// Every node, this one included.
    #[must_use]
    pub fn peers(&self) -> &[Peer] {
        &self.peers
    }

    /// The client used for probes and forwarding.
    #[must_use]
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// This node stops taking showtimes (SIGTERM): the others take them over.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    /// Whether this node is draining.
    #[must_use]
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// The URL of the live node that owns `showtime`, where requests go: a draining node
    /// sends new requests to the others (this one if nobody else is alive).
    #[must_use]
    pub fn owner_of(&self, showtime: ShowtimeId) -> &str {
        self.owner(showtime, !self.is_draining())
    }

    /// The owner among the live peers, with or without this node.
    fn owner(&self, showtime: ShowtimeId, with_self: bool) -> &str {
        let live = self.peers.iter().filter(|p| if p.url == self.advertise { with_self } else { p.is_up() });
        rendezvous::owner(live.map(|p| p.url.as_str()), showtime).unwrap_or(&self.advertise)
    }

    /// Marks a peer down at once (a forward could not connect to it).
    pub fn mark_down(&self, url: &str) {
        if let Some(peer) = self.peers.iter().find(|p| p.url == url && p.url != self.advertise)
            && peer.mark_down()
        {
            tracing::warn!(peer = %url, "cluster peer unreachable; its showtimes move");
            metrics::counter!("boxoffice_cluster_peer_changes_total").increment(1);
        }
    }
}

impl Placement for Cluster {
    fn node_id(&self) -> &str {
        &self.node_id
    }

    fn owns(&self, showtime: ShowtimeId) -> bool {
        // While draining, requests already running here finish as the owner; the peers take
        // the showtime over (a new epoch) once their probes see this node draining.
        self.owner(showtime, true) == self.advertise
    }
}

/// Starts the engine: a single node without `[cluster]`, else one node of the cluster
/// (placement by [`Cluster`]). Must run inside the actix `System`.
///
/// # Errors
/// The cluster's HTTP client cannot be built.
pub fn start_engine(
    settings: &crate::config::Settings,
    storage: Arc<dyn boxoffice_storage::Storage>,
    clock: Arc<dyn boxoffice_engine::Clock>,
) -> Result<(boxoffice_engine::Engine, Option<Arc<Cluster>>), ClusterError> {
    let (engine_config, currency) = (settings.engine.clone(), settings.wallet.currency);
    if !settings.cluster.enabled() {
        return Ok((boxoffice_engine::Engine::start(storage, engine_config, clock, currency), None));
    }
    let cluster = Cluster::new(&settings.cluster)?;
    let placement: Arc<dyn Placement> = Arc::clone(&cluster) as Arc<dyn Placement>;
    let engine = boxoffice_engine::Engine::start_placed(storage, engine_config, clock, currency, placement);
    tracing::info!(node_id = %cluster.node_id, url = %cluster.advertise, nodes = cluster.peers.len(), "cluster node");
    Ok((engine, Some(cluster)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Arc<Cluster> {
        let settings = ClusterSettings {
            nodes: vec!["http://a:1".into(), "http://b:1/".into(), "http://c:1".into()],
            advertise: Some("http://a:1".into()),
            ..ClusterSettings::default()
        };
        Cluster::new(&settings).expect("cluster")
    }

    #[test]
    fn placement_follows_liveness_and_draining() {
        let cluster = three();
        let mine = (0..100).map(|_| ShowtimeId::new()).find(|s| cluster.owns(*s)).expect("a showtime of a");
        let theirs = (0..100).map(|_| ShowtimeId::new()).find(|s| !cluster.owns(*s)).expect("another's");
        assert_eq!(cluster.owner_of(mine), "http://a:1");
        let other = cluster.owner_of(theirs).to_owned();
        cluster.mark_down(&other);
        assert_ne!(cluster.owner_of(theirs), other, "a down owner's showtimes move");
        cluster.mark_down("http://a:1");
        assert!(cluster.owns(mine), "a node never marks itself down");
        cluster.drain();
        assert_ne!(cluster.owner_of(mine), "http://a:1", "a draining node sends new requests elsewhere");
        assert!(cluster.owns(mine), "but finishes what runs here as the owner");
        assert_eq!(Placement::node_id(cluster.as_ref()), "http://a:1");
    }
}
