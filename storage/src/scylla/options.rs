//! [`ScyllaOptions`]: how the backend talks to the cluster. Plain data, parsed and
//! checked without the driver.

use super::url::ScyllaUrl;

/// Consistency of reads and writes (the driver's names, lower case in configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `one`
    One,
    /// `local_one`
    LocalOne,
    /// `quorum`
    Quorum,
    /// `local_quorum` (the default)
    LocalQuorum,
    /// `each_quorum`
    EachQuorum,
    /// `all`
    All,
}

/// Consistency of the Paxos phase of lightweight transactions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerialLevel {
    /// `serial`: across datacenters.
    Serial,
    /// `local_serial` (the default): within the local datacenter.
    LocalSerial,
}

/// Everything [`super::ScyllaStorage`] needs to connect.
#[derive(Clone, PartialEq, Eq)]
pub struct ScyllaOptions {
    /// Contact points and keyspace.
    pub url: ScyllaUrl,
    /// Reads and writes. Default `local_quorum`.
    pub consistency: Level,
    /// Lightweight transactions. Default `local_serial`.
    pub serial_consistency: SerialLevel,
    /// Longest time one request may take, retries included. Default 5000.
    pub request_timeout_ms: u64,
    /// Longest time connecting may take at start. Default 10000.
    pub connect_timeout_ms: u64,
    /// Replication factor when the keyspace is created. Default 3.
    pub replication_factor: u32,
    /// Local datacenter (load balancing preference, keyspace replication).
    pub datacenter: Option<String>,
    /// User name, if the cluster authenticates.
    pub username: Option<String>,
    /// Its password.
    pub password: Option<String>,
}

impl std::fmt::Debug for ScyllaOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScyllaOptions")
            .field("url", &self.url.to_string())
            .field("consistency", &self.consistency)
            .field("serial_consistency", &self.serial_consistency)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("datacenter", &self.datacenter)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl ScyllaOptions {
    /// The defaults for `url`.
    #[must_use]
    pub fn new(url: ScyllaUrl) -> Self {
        Self {
            url,
            consistency: Level::LocalQuorum,
            serial_consistency: SerialLevel::LocalSerial,
            request_timeout_ms: 5_000,
            connect_timeout_ms: 10_000,
            replication_factor: 3,
            datacenter: None,
            username: None,
            password: None,
        }
    }

    /// With the consistency named `name`.
    ///
    /// # Errors
    /// An unknown name, listing the known ones.
    pub fn consistency(mut self, name: &str) -> Result<Self, String> {
        self.consistency = match name.trim().to_ascii_lowercase().as_str() {
            "one" => Level::One,
            "local_one" => Level::LocalOne,
            "quorum" => Level::Quorum,
            "local_quorum" => Level::LocalQuorum,
            "each_quorum" => Level::EachQuorum,
            "all" => Level::All,
            other => {
                return Err(format!(
                    "consistency {other:?} is not one of one, local_one, quorum, local_quorum, each_quorum, all"
                ));
            }
        };
        Ok(self)
    }

    /// With the serial consistency named `name`.
    ///
    /// # Errors
    /// An unknown name.
    pub fn serial_consistency(mut self, name: &str) -> Result<Self, String> {
        self.serial_consistency = match name.trim().to_ascii_lowercase().as_str() {
            "serial" => SerialLevel::Serial,
            "local_serial" => SerialLevel::LocalSerial,
            other => return Err(format!("serial consistency {other:?} is not serial or local_serial")),
        };
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_names() {
        let url = ScyllaUrl::parse("scylla://db/boxoffice").expect("url");
        let options = ScyllaOptions::new(url.clone());
        assert_eq!((options.consistency, options.serial_consistency), (Level::LocalQuorum, SerialLevel::LocalSerial));
        let options =
            ScyllaOptions::new(url.clone()).consistency("QUORUM").and_then(|o| o.serial_consistency("serial"));
        let options = options.expect("valid");
        assert_eq!((options.consistency, options.serial_consistency), (Level::Quorum, SerialLevel::Serial));
        assert!(ScyllaOptions::new(url.clone()).consistency("two").expect_err("refused").contains("local_quorum"));
        assert!(ScyllaOptions::new(url).serial_consistency("local").is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let mut options = ScyllaOptions::new(ScyllaUrl::parse("scylla://db").expect("url"));
        options.password = Some("hunter2".into());
        assert!(!format!("{options:?}").contains("hunter2"));
    }
}
