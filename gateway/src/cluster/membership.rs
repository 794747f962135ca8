//! Which nodes are alive: every node probes every other one (`GET /cluster/v1/node`, under
//! a timeout) every `cluster.probe_interval_ms`. A peer is down after
//! `cluster.down_after_failures` failed probes in a row (or at once when forwarding to it
//! could not even connect), and up again after one good probe. A node that is draining
//! (SIGTERM) answers its probes 503, so the others take its showtimes over while it
//! finishes what it has.
//!
//! Peers start as up: a node that starts while the others run must not take their
//! showtimes (that would fence them for nothing); a peer that is really down is found by
//! the first forward (connection refused) or within two probes.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// One node of the cluster, as this node sees it.
#[derive(Debug)]
pub struct Peer {
    /// Its base URL (normalized), which is also its name for rendezvous hashing.
    pub url: String,
    up: AtomicBool,
    failures: AtomicU32,
}

impl Peer {
    pub(super) fn new_up(url: String) -> Self {
        Self { url, up: AtomicBool::new(true), failures: AtomicU32::new(0) }
    }

    /// Whether it counts as alive.
    #[must_use]
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Records a probe; `true` if the peer's state changed.
    pub fn record(&self, ok: bool, down_after_failures: u32) -> bool {
        if ok {
            self.failures.store(0, Ordering::Relaxed);
            return !self.up.swap(true, Ordering::Relaxed);
        }
        let failures = self.failures.fetch_add(1, Ordering::Relaxed).saturating_add(1);
        failures >= down_after_failures && self.up.swap(false, Ordering::Relaxed)
    }

    /// Marks it down at once (a forward could not connect).
    pub fn mark_down(&self) -> bool {
        self.up.swap(false, Ordering::Relaxed)
    }
}

/// Probes every peer until `stop` fires.
pub async fn probe_loop(cluster: std::sync::Arc<super::Cluster>, stop: CancellationToken) {
    let settings = cluster.settings();
    let every = Duration::from_millis(settings.probe_interval_ms);
    let timeout = Duration::from_millis(settings.probe_timeout_ms);
    let down_after = settings.down_after_failures;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => {
                cluster.drain();
                return;
            }
            _ = tick.tick() => {}
        }
        let probes = cluster.peers().iter().filter(|p| p.url != cluster.advertise()).map(|peer| {
            let request = cluster.client().get(format!("{}/cluster/v1/node", peer.url)).timeout(timeout).send();
            async move {
                let ok = matches!(tokio::time::timeout(timeout, request).await, Ok(Ok(r)) if r.status().is_success());
                if peer.record(ok, down_after) {
                    tracing::warn!(peer = %peer.url, up = ok, "cluster peer changed state");
                    metrics::counter!("boxoffice_cluster_peer_changes_total").increment(1);
                }
            }
        });
        futures::future::join_all(probes).await;
        let up = cluster.peers().iter().filter(|p| p.is_up()).count();
        metrics::gauge!("boxoffice_cluster_nodes_up").set(up as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_after_failures_in_a_row_up_after_one_success() {
        let peer = Peer::new_up("http://x".into());
        assert!(peer.is_up(), "peers start up");
        assert!(!peer.record(false, 2), "one failure is not enough");
        assert!(peer.record(false, 2) && !peer.is_up(), "two in a row: down");
        assert!(!peer.record(false, 2), "already down");
        assert!(peer.record(true, 2) && peer.is_up(), "one success: up");
        assert!(!peer.record(false, 2), "the count restarted");
        assert!(peer.mark_down() && !peer.is_up());
    }
}
