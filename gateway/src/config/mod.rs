//! Configuration: defaults, then a TOML file, then `BOXOFFICE_*` environment variables
//! (`__` separates sections: `BOXOFFICE_SERVER__BIND`), then command-line overrides.
//!
//! Every key is documented in `docs/configuration.md`; `boxoffice.example.toml` at the
//! repository root shows them all. Unknown keys are refused, and [`Settings::validate`]
//! checks every range so that a typo fails at start rather than at the first request.

mod cluster;
mod security;
mod site;
mod validate;
mod websocket;

pub use self::cluster::{ClusterSettings, ScyllaSettings, normalize_url};
pub use self::security::{AccountSettings, MailSettings, MailTransport, SecuritySettings, SmtpTls, TlsSettings};
pub use self::site::SiteSettings;
pub use self::validate::check_admin_token;
pub use self::websocket::WebSocketSettings;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use boxoffice_engine::EngineConfig;
use boxoffice_storage::Currency;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "boxoffice.toml";
/// Prefix of the environment variables read as settings.
pub const ENV_PREFIX: &str = "BOXOFFICE_";
/// The sections of the settings; `BOXOFFICE_<SECTION>__<KEY>` variables of other first
/// parts (such as `BOXOFFICE_ADMIN_TOKEN`, read by `boxoffice-load`) are not settings.
pub const SECTIONS: [&str; 13] = [
    "server",
    "storage",
    "engine",
    "catalog",
    "wallet",
    "auth",
    "websocket",
    "accounts",
    "security",
    "mail",
    "tls",
    "site",
    "cluster",
];

fn names_a_section(key: &str) -> bool {
    let first = key.split("__").next().unwrap_or("");
    SECTIONS.iter().any(|s| s.eq_ignore_ascii_case(first))
}

/// File name of the SQLite database inside a data directory.
pub const DATABASE_FILE: &str = "boxoffice.db";

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config` names a file that does not exist (or a directory).
    #[error("configuration file {0} does not exist or is not a file")]
    MissingFile(PathBuf),
    /// A key is unknown, or a value has the wrong type (figment names the key and source).
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// A value is out of range.
    #[error("invalid configuration: {key}: {reason}")]
    OutOfRange {
        /// The dotted key, e.g. `server.bind`.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// A secret string: never printed by `Debug`. An all-digit value from the environment
/// (which figment reads as a number) is accepted as its text.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Unsigned(u64),
            Signed(i64),
        }
        Ok(Secret(match Raw::deserialize(deserializer)? {
            Raw::Text(s) => s,
            Raw::Unsigned(n) => n.to_string(),
            Raw::Signed(n) => n.to_string(),
        }))
    }
}

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is needed.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// All settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `[server]`: the HTTP listener.
    pub server: ServerSettings,
    /// `[storage]`: where data lives.
    pub storage: StorageSettings,
    /// `[engine]`: booking engine limits and timings.
    pub engine: EngineConfig,
    /// `[catalog]`: scheduling rules.
    pub catalog: CatalogSettings,
    /// `[wallet]`: currency and starting credit.
    pub wallet: WalletSettings,
    /// `[auth]`: the staff token.
    pub auth: AuthSettings,
    /// `[accounts]`: sessions, link tokens, passwords, 2FA, rate limits.
    pub accounts: AccountSettings,
    /// `[security]`: signing key, CORS, trusted proxies, cookies.
    pub security: SecuritySettings,
    /// `[mail]`: outgoing email.
    pub mail: MailSettings,
    /// `[tls]`: HTTPS.
    pub tls: TlsSettings,
    /// `[websocket]`: limits of the `/ws` endpoint.
    pub websocket: WebSocketSettings,
    /// `[site]`: the cinema's name and time zone, for the web pages.
    pub site: SiteSettings,
    /// `[cluster]`: several nodes on one store (none: a single node).
    pub cluster: ClusterSettings,
}

/// `[server]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Longest time a request may take before it is answered 503 `timeout`.
    pub request_timeout_ms: u64,
    /// Largest request body accepted; larger bodies get 413.
    pub body_limit_bytes: usize,
    /// How long shutdown waits for in-flight requests before closing them.
    pub shutdown_grace_ms: u64,
    /// How long a response stored for an `Idempotency-Key` is replayed; older ones are
    /// purged and the key may be used again.
    pub idempotency_ttl_ms: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            request_timeout_ms: 30_000,
            body_limit_bytes: 65_536,
            shutdown_grace_ms: 10_000,
            idempotency_ttl_ms: 24 * 60 * 60 * 1000,
        }
    }
}

/// `[storage]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    /// `sqlite:PATH` (the default) or `scylla://HOST:PORT,HOST:PORT/KEYSPACE`.
    pub url: String,
    /// `synchronous=FULL` for SQLite (durable at every commit); `false` is `NORMAL`.
    pub synchronous_full: bool,
    /// SQLite: the write connection's page cache, in MiB (see `docs/configuration.md`).
    pub sqlite_cache_mib: u64,
    /// `[storage.scylla]`: driver settings for a `scylla://` URL.
    pub scylla: ScyllaSettings,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            url: format!("sqlite:./data/{DATABASE_FILE}"),
            synchronous_full: true,
            sqlite_cache_mib: boxoffice_storage::sqlite::SqliteOptions::WRITER_CACHE_BYTES_DEFAULT / (1024 * 1024),
            scylla: ScyllaSettings::default(),
        }
    }
}

/// Where the store is, parsed from `storage.url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageLocation {
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A ScyllaDB cluster: contact points and keyspace.
    Scylla(boxoffice_storage::scylla::ScyllaUrl),
}

impl StorageLocation {
    /// The directory holding the database and the admin token file.
    #[must_use]
    pub fn data_dir(&self) -> PathBuf {
        match self {
            // The admin token file and the mail outbox stay local; set `auth.admin_token`
            // on every node of a cluster.
            StorageLocation::Scylla(_) => PathBuf::from("./data"),
            StorageLocation::Sqlite(path) => match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
                _ => PathBuf::from("."),
            },
        }
    }
}

impl StorageSettings {
    /// Parses `url`.
    ///
    /// # Errors
    /// A scheme other than `sqlite:` or an empty path, naming the value.
    pub fn location(&self) -> Result<StorageLocation, ConfigError> {
        if self.url.starts_with("scylla:") {
            return boxoffice_storage::scylla::ScyllaUrl::parse(&self.url)
                .map(StorageLocation::Scylla)
                .map_err(|e| ConfigError::OutOfRange { key: "storage.url", reason: e.to_string() });
        }
        match self.url.split_once(':') {
            Some(("sqlite", path)) if !path.trim().is_empty() => {
                let path = path.strip_prefix("//").unwrap_or(path);
                Ok(StorageLocation::Sqlite(PathBuf::from(path)))
            }
            _ => Err(ConfigError::OutOfRange {
                key: "storage.url",
                reason: format!(
                    "{:?} is not supported; use sqlite:PATH (e.g. sqlite:./data/{DATABASE_FILE}) \
                     or scylla://HOST:PORT,HOST:PORT/KEYSPACE",
                    self.url
                ),
            }),
        }
    }
}

/// `[catalog]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CatalogSettings {
    /// Minutes added after each showtime (cleaning, ads) before the next may start.
    pub cleaning_buffer_minutes: u32,
}

impl Default for CatalogSettings {
    fn default() -> Self {
        Self { cleaning_buffer_minutes: 15 }
    }
}

/// `[wallet]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WalletSettings {
    /// The currency of every price and wallet.
    pub currency: Currency,
    /// Credit given to each new customer, in minor units.
    pub starting_credit_minor: i64,
}

impl Default for WalletSettings {
    fn default() -> Self {
        Self { currency: Currency::EUR, starting_credit_minor: 500_000 }
    }
}

/// `[auth]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// The staff bearer token. Unset: generated once and kept in `<data dir>/admin-token`.
    pub admin_token: Option<Secret>,
}

/// Command-line values that win over the file and the environment.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--bind ADDR`.
    pub bind: Option<String>,
    /// `--data-dir DIR`: the database becomes `DIR/boxoffice.db`.
    pub data_dir: Option<PathBuf>,
}

impl Settings {
    /// Loads defaults, then `file` (or `./boxoffice.toml` if present), then the environment,
    /// then `overrides`; then validates.
    ///
    /// # Errors
    /// A missing `--config` file, an unknown key, a wrong type or an out-of-range value.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) if !path.is_file() => return Err(ConfigError::MissingFile(path.to_path_buf())),
            Some(path) => figment = figment.merge(Toml::file(path)),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE))
            }
            None => {}
        }
        figment = figment.merge(Env::prefixed(ENV_PREFIX).filter(|key| names_a_section(key.as_str())).split("__"));
        let mut settings: Settings = figment.extract().map_err(|e| ConfigError::Invalid(e.to_string()))?;
        settings.apply(overrides);
        settings.validate()?;
        Ok(settings)
    }

    /// Applies command-line overrides.
    pub fn apply(&mut self, overrides: &Overrides) {
        if let Some(bind) = &overrides.bind {
            self.server.bind.clone_from(bind);
        }
        if let Some(dir) = &overrides.data_dir {
            self.storage.url = format!("sqlite:{}", dir.join(DATABASE_FILE).display());
        }
    }

    /// The listen address.
    ///
    /// # Errors
    /// When `server.bind` is not `IP:PORT`.
    pub fn bind_address(&self) -> Result<SocketAddr, ConfigError> {
        self.server.bind.parse().map_err(|_| ConfigError::OutOfRange {
            key: "server.bind",
            reason: format!("{:?} is not an address like 127.0.0.1:8080", self.server.bind),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_of_the_settings_is_read_from_the_environment() {
        let defaults = serde_json::to_value(Settings::default()).expect("settings serialise");
        let mut sections: Vec<&str> = defaults.as_object().expect("an object").keys().map(String::as_str).collect();
        let mut known = SECTIONS.to_vec();
        sections.sort_unstable();
        known.sort_unstable();
        assert_eq!(sections, known, "SECTIONS must name every [section] of Settings");
    }

    #[test]
    fn defaults_are_valid() {
        let settings = Settings::default();
        settings.validate().expect("defaults validate");
        assert_eq!(settings.storage.location().expect("sqlite"), StorageLocation::Sqlite("./data/boxoffice.db".into()));
        assert_eq!(settings.storage.location().expect("sqlite").data_dir(), PathBuf::from("./data"));
    }

    #[test]
    fn refuses_other_schemes_naming_the_value() {
        let storage = StorageSettings { url: "postgres://x".into(), ..StorageSettings::default() };
        let err = storage.location().expect_err("refused").to_string();
        assert!(err.contains("postgres://x"), "{err}");
    }

    #[test]
    fn data_dir_override_sets_the_path() {
        let mut settings = Settings::default();
        settings.apply(&Overrides { bind: Some("0.0.0.0:0".into()), data_dir: Some("/tmp/x".into()) });
        assert_eq!(settings.storage.location().expect("sqlite"), StorageLocation::Sqlite("/tmp/x/boxoffice.db".into()));
        assert_eq!(settings.bind_address().expect("addr").port(), 0);
    }
}
