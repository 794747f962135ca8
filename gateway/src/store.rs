//! Opening the configured store: `sqlite:PATH` (the default) or
//! `scylla://HOST:PORT,.../KEYSPACE` (with the `scylla` feature). [`Store`] keeps the
//! concrete backend so shutdown can flush it, and hands out the trait objects.

use std::path::PathBuf;
use std::sync::Arc;

use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
use boxoffice_storage::{Storage, StorageError};

use crate::config::{StorageLocation, StorageSettings};

/// An open store.
#[derive(Clone)]
pub struct Store {
    sqlite: Option<Arc<SqliteStorage>>,
    storage: Arc<dyn Storage>,
    accounts: Arc<dyn boxoffice_storage::Accounts>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("sqlite", &self.sqlite).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating and migrating) the store named by `settings`.
    ///
    /// # Errors
    /// An unsupported URL, or the backend's error (unreadable file, newer schema, ...).
    pub async fn open(settings: &StorageSettings) -> Result<Self, StoreError> {
        let location = settings.location().map_err(|e| StoreError::Config(e.to_string()))?;
        match location {
            StorageLocation::Sqlite(path) => {
                let options = sqlite_options(settings, path);
                let sqlite = Arc::new(
                    SqliteStorage::open(options)
                        .map_err(|error| StoreError::Open { url: settings.url.clone(), error })?,
                );
                let storage = Arc::clone(&sqlite) as Arc<dyn Storage>;
                let accounts = Arc::clone(&sqlite) as Arc<dyn boxoffice_storage::Accounts>;
                Ok(Self { sqlite: Some(sqlite), storage, accounts })
            }
            StorageLocation::Scylla(url) => crate::store_scylla::open(settings, url).await,
        }
    }

    /// A store of any backend (the ScyllaDB one, tests).
    #[must_use]
    pub fn from_parts(storage: Arc<dyn Storage>, accounts: Arc<dyn boxoffice_storage::Accounts>) -> Self {
        Self { sqlite: None, storage, accounts }
    }

    /// The schema version this build writes to the open backend.
    #[must_use]
    pub fn schema_version(&self) -> usize {
        match &self.sqlite {
            Some(_) => boxoffice_storage::sqlite::SCHEMA_VERSION,
            None => usize::try_from(boxoffice_storage::scylla::schema::latest_version()).unwrap_or(0),
        }
    }

    /// The store as the trait every caller uses.
    #[must_use]
    pub fn storage(&self) -> Arc<dyn Storage> {
        Arc::clone(&self.storage)
    }

    /// The same store as the accounts trait.
    #[must_use]
    pub fn accounts(&self) -> Arc<dyn boxoffice_storage::Accounts> {
        Arc::clone(&self.accounts)
    }

    /// Commits everything queued and stops the writer; reads keep working. (ScyllaDB
    /// writes are durable when answered: nothing to flush.)
    pub async fn close(&self) {
        if let Some(sqlite) = &self.sqlite {
            sqlite.close().await;
        }
    }
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `storage.url` is not usable.
    #[error("{0}")]
    Config(String),
    /// The backend refused to open.
    #[error("cannot open storage {url}: {error}")]
    Open {
        /// The configured URL.
        url: String,
        /// The backend's error.
        error: StorageError,
    },
}

/// The SQLite backend's options for a database at `path`, from `[storage]`.
fn sqlite_options(settings: &StorageSettings, path: PathBuf) -> SqliteOptions {
    SqliteOptions {
        synchronous_full: settings.synchronous_full,
        writer_cache_bytes: settings.sqlite_cache_mib.saturating_mul(1024 * 1024),
        ..SqliteOptions::new(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storage_settings_reach_the_sqlite_options() {
        let settings = StorageSettings { synchronous_full: false, sqlite_cache_mib: 8, ..StorageSettings::default() };
        let options = sqlite_options(&settings, PathBuf::from("data/x.db"));
        assert!(!options.synchronous_full);
        assert_eq!(options.writer_cache_bytes, 8 * 1024 * 1024);
        assert_eq!(options.path, PathBuf::from("data/x.db"));
    }
}
