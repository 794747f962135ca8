//! `[cluster]`: several `boxoffice serve` nodes on one shared store, and `[storage.scylla]`:
//! the ScyllaDB driver settings. Documented in `docs/configuration.md` and
//! `docs/scale-out.md`. With no `nodes`, the server is a single node exactly as before.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Secret};

/// `[cluster]`. Units are last in every name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSettings {
    /// Base URLs of every node (this one included), e.g. `http://10.0.0.5:8080`. Empty:
    /// single node. Every node must list the same nodes: owners are computed from them.
    pub nodes: Vec<String>,
    /// This node's URL as the others reach it; must be one of `nodes`.
    pub advertise: Option<String>,
    /// This node's name, recorded in storage as a showtime's owner. Default: `advertise`.
    pub node_id: Option<String>,
    /// How often each peer is probed (`GET /cluster/v1/node`).
    pub probe_interval_ms: u64,
    /// How long a probe may take.
    pub probe_timeout_ms: u64,
    /// Failed probes in a row after which a peer counts as down (its showtimes move).
    pub down_after_failures: u32,
    /// How long connecting to a peer may take when forwarding.
    pub connect_timeout_ms: u64,
    /// How long a forwarded request may take (connect included) before the client gets
    /// 503 `owner_unavailable`.
    pub forward_timeout_ms: u64,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            advertise: None,
            node_id: None,
            probe_interval_ms: 500,
            probe_timeout_ms: 400,
            down_after_failures: 2,
            connect_timeout_ms: 500,
            forward_timeout_ms: 15_000,
        }
    }
}

impl ClusterSettings {
    /// Whether several nodes are configured.
    #[must_use]
    pub fn enabled(&self) -> bool {
        !self.nodes.is_empty()
    }

    /// This node's URL (normalized).
    #[must_use]
    pub fn advertise_url(&self) -> String {
        self.advertise.as_deref().map(normalize_url).unwrap_or_default()
    }

    /// This node's id.
    #[must_use]
    pub fn own_id(&self) -> String {
        self.node_id.clone().unwrap_or_else(|| self.advertise_url())
    }

    /// Checks the node list, the advertised URL and the timings.
    ///
    /// # Errors
    /// The first bad key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.enabled() {
            return Ok(());
        }
        let bad = |key, reason: String| Err(ConfigError::OutOfRange { key, reason });
        let nodes: Vec<String> = self.nodes.iter().map(|n| normalize_url(n)).collect();
        if let Some(n) = nodes.iter().find(|n| !(n.starts_with("http://") || n.starts_with("https://"))) {
            return bad("cluster.nodes", format!("{n:?} is not an http:// or https:// URL"));
        }
        let mut unique = nodes.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != nodes.len() || nodes.len() > 64 {
            return bad("cluster.nodes", "must list 1 to 64 distinct URLs".into());
        }
        match &self.advertise {
            None => return bad("cluster.advertise", "is required when cluster.nodes is set".into()),
            Some(url) if !nodes.contains(&normalize_url(url)) => {
                return bad("cluster.advertise", format!("{url:?} is not one of cluster.nodes"));
            }
            Some(_) => {}
        }
        let id = self.own_id();
        if id.is_empty() || id.len() > boxoffice_storage::ownership::NODE_ID_BYTES_MAX {
            return bad("cluster.node_id", "must have 1 to 200 bytes".into());
        }
        let t = self;
        within("cluster.probe_interval_ms", t.probe_interval_ms, 50, 60_000)?;
        within("cluster.probe_timeout_ms", t.probe_timeout_ms, 10, 60_000)?;
        within("cluster.down_after_failures", u64::from(t.down_after_failures), 1, 100)?;
        within("cluster.connect_timeout_ms", t.connect_timeout_ms, 10, 60_000)?;
        within("cluster.forward_timeout_ms", t.forward_timeout_ms, 100, 600_000)
    }
}

/// A node URL without trailing slashes.
#[must_use]
pub fn normalize_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

fn within(key: &'static str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange { key, reason: format!("{value} must be between {min} and {max}") })
    }
}

/// `[storage.scylla]`: how the ScyllaDB backend talks to the cluster (used only with a
/// `scylla://` `storage.url`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScyllaSettings {
    /// Consistency of reads and writes: `local_quorum` (default), `quorum`, `local_one`, ...
    pub consistency: String,
    /// Consistency of the Paxos phase of lightweight transactions: `local_serial` or `serial`.
    pub serial_consistency: String,
    /// Longest time one request may take (retries included).
    pub request_timeout_ms: u64,
    /// Longest time connecting to the cluster may take at start.
    pub connect_timeout_ms: u64,
    /// Replication factor of the keyspace when it is created.
    pub replication_factor: u32,
    /// The local datacenter: preferred by the load balancer, and the one replication is
    /// set for when the keyspace is created (`NetworkTopologyStrategy`).
    pub datacenter: Option<String>,
    /// User name, if the cluster requires authentication.
    pub username: Option<String>,
    /// Password of `username`.
    pub password: Option<Secret>,
}

impl Default for ScyllaSettings {
    fn default() -> Self {
        Self {
            consistency: "local_quorum".into(),
            serial_consistency: "local_serial".into(),
            request_timeout_ms: 5_000,
            connect_timeout_ms: 10_000,
            replication_factor: 3,
            datacenter: None,
            username: None,
            password: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three(advertise: &str) -> ClusterSettings {
        ClusterSettings {
            nodes: vec!["http://127.0.0.1:1/".into(), "http://127.0.0.1:2".into(), "http://127.0.0.1:3".into()],
            advertise: Some(advertise.into()),
            ..ClusterSettings::default()
        }
    }

    #[test]
    fn no_nodes_is_single_node() {
        let single = ClusterSettings::default();
        assert!(!single.enabled());
        single.validate().expect("valid");
    }

    #[test]
    fn advertise_must_be_listed_and_ids_default_to_it() {
        let ok = three("http://127.0.0.1:1");
        ok.validate().expect("valid");
        assert_eq!(ok.own_id(), "http://127.0.0.1:1");
        let err = three("http://127.0.0.1:9").validate().expect_err("refused").to_string();
        assert!(err.contains("cluster.advertise"), "{err}");
        let mut dup = three("http://127.0.0.1:1");
        dup.nodes.push("http://127.0.0.1:2/".into());
        assert!(dup.validate().expect_err("refused").to_string().contains("distinct"));
        let mut bad = three("http://127.0.0.1:1");
        bad.nodes[2] = "127.0.0.1:3".into();
        assert!(bad.validate().is_err());
    }
}

#[cfg(test)]
mod deploy_tests {
    use figment::Figment;
    use figment::providers::{Format, Serialized, Toml};

    use crate::config::Settings;

    /// `deploy/compose/boxoffice.toml` is a valid configuration once a node names itself.
    #[test]
    fn the_compose_configuration_loads_and_validates() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/compose/boxoffice.toml");
        let settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(path))
            .merge(Serialized::default("cluster.advertise", "http://boxoffice-2:8080"))
            .extract()
            .expect("deploy/compose/boxoffice.toml parses");
        settings.validate().expect("and validates");
        assert!(settings.cluster.enabled());
        assert!(matches!(settings.storage.location(), Ok(crate::config::StorageLocation::Scylla(_))));
    }
}
