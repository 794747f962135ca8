//! `scylla://HOST:PORT,HOST:PORT/KEYSPACE`: the contact points and the keyspace of a
//! ScyllaDB store, as `storage.url` names them.

use std::fmt;

/// Port of CQL when a host names none.
pub const DEFAULT_PORT: u16 = 9042;
/// Keyspace when the URL names none.
pub const DEFAULT_KEYSPACE: &str = "boxoffice";
/// Most contact points in one URL.
pub const HOSTS_MAX: usize = 64;

/// A parsed `scylla://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScyllaUrl {
    /// Contact points, `host:port` (the driver discovers the other nodes from them).
    pub hosts: Vec<String>,
    /// The keyspace holding every table.
    pub keyspace: String,
}

/// Why a `scylla://` URL was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{url:?} is not a ScyllaDB URL: {reason} (expected scylla://HOST:PORT,HOST:PORT/KEYSPACE)")]
pub struct UrlError {
    /// The URL as given.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl ScyllaUrl {
    /// Parses `scylla://host1:9042,host2/keyspace`. A host without a port gets 9042; no
    /// keyspace means `boxoffice`.
    ///
    /// # Errors
    /// A missing scheme or host, a bad port, or a keyspace that is not a CQL identifier.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let fail = |reason: &str| UrlError { url: url.to_owned(), reason: reason.to_owned() };
        let rest = url.trim().strip_prefix("scylla://").ok_or_else(|| fail("it must start with scylla://"))?;
        let (hosts, keyspace) = match rest.split_once('/') {
            Some((hosts, keyspace)) => (hosts, keyspace.trim_end_matches('/')),
            None => (rest, ""),
        };
        let keyspace = if keyspace.is_empty() { DEFAULT_KEYSPACE } else { keyspace };
        if !is_identifier(keyspace) {
            return Err(fail("the keyspace must be 1 to 48 letters, digits or _, starting with a letter"));
        }
        let hosts = hosts
            .split(',')
            .map(str::trim)
            .map(|h| host_port(h).map_err(|r| fail(&r)))
            .collect::<Result<Vec<_>, _>>()?;
        if hosts.len() > HOSTS_MAX {
            return Err(fail("too many hosts"));
        }
        Ok(Self { hosts, keyspace: keyspace.to_owned() })
    }
}

impl fmt::Display for ScyllaUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scylla://{}/{}", self.hosts.join(","), self.keyspace)
    }
}

/// Whether `name` is a safe unquoted CQL identifier (it is spliced into DDL).
#[must_use]
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 48
}

fn host_port(host: &str) -> Result<String, String> {
    if host.is_empty() {
        return Err("a host is empty".into());
    }
    if host.contains(['/', '@', '?', '#', ' ']) {
        return Err(format!("host {host:?} has characters a host cannot have"));
    }
    // `[::1]:9042`, `[::1]`, `name:9042`, `name`.
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && (!host.starts_with('[') || name.ends_with(']')) => {
            (name, Some(port))
        }
        _ => (host, None),
    };
    if name.is_empty() || name == "[]" {
        return Err(format!("host {host:?} has no name"));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => {
            p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("port of {host:?} is not 1 to 65535"))?
        }
    };
    Ok(format!("{name}:{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_ports_and_keyspace() {
        let url = ScyllaUrl::parse("scylla://host1:9042,host2:19042/boxoffice").expect("valid");
        assert_eq!(url.hosts, ["host1:9042", "host2:19042"]);
        assert_eq!(url.keyspace, "boxoffice");
        let url = ScyllaUrl::parse("scylla://10.0.0.1,[::1]:9043,[fe80::1]/chain_a").expect("valid");
        assert_eq!(url.hosts, ["10.0.0.1:9042", "[::1]:9043", "[fe80::1]:9042"]);
        assert_eq!(url.to_string(), "scylla://10.0.0.1:9042,[::1]:9043,[fe80::1]:9042/chain_a");
        assert_eq!(ScyllaUrl::parse("scylla://db").expect("valid").keyspace, DEFAULT_KEYSPACE);
    }

    #[test]
    fn refuses_malformed_urls_naming_them() {
        for bad in [
            "scylla:/host/ks",
            "cassandra://host/ks",
            "scylla:///ks",
            "scylla://host:0/ks",
            "scylla://host:99999/ks",
            "scylla://host:abc/ks",
            "scylla://a,,b/ks",
            "scylla://host/1ks",
            "scylla://host/ks;DROP",
            "scylla://user@host/ks",
        ] {
            let err = ScyllaUrl::parse(bad).expect_err(bad).to_string();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn identifiers_are_safe_to_splice() {
        assert!(is_identifier("boxoffice_2"));
        assert!(!is_identifier("box-office"));
        assert!(!is_identifier("\"x\""));
        assert!(!is_identifier(""));
    }
}
