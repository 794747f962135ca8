//! Opening the configured store. Today `storage.url` is `sqlite:PATH`; [`Store`] keeps the
//! concrete backend so shutdown can flush it, and hands out the `Storage` trait object.

use std::sync::Arc;

use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
use boxoffice_storage::{Storage, StorageError};

use crate::config::{StorageLocation, StorageSettings};

/// An open store.
#[derive(Clone, Debug)]
pub struct Store {
    sqlite: Arc<SqliteStorage>,
}

impl Store {
    /// Opens (creating and migrating) the store named by `settings`.
    ///
    /// # Errors
    /// An unsupported URL, or the backend's error (unreadable file, newer schema, ...).
    pub fn open(settings: &StorageSettings) -> Result<Self, StoreError> {
        let location = settings.location().map_err(|e| StoreError::Config(e.to_string()))?;
        match location {
            StorageLocation::Sqlite(path) => {
                let options =
                    SqliteOptions { synchronous_full: settings.synchronous_full, ..SqliteOptions::new(&path) };
                let sqlite = SqliteStorage::open(options)
                    .map_err(|error| StoreError::Open { url: settings.url.clone(), error })?;
                Ok(Self { sqlite: Arc::new(sqlite) })
            }
        }
    }

    /// The store as the trait every caller uses.
    #[must_use]
    pub fn storage(&self) -> Arc<dyn Storage> {
        Arc::clone(&self.sqlite) as Arc<dyn Storage>
    }

    /// Commits everything queued and stops the writer; reads keep working.
    pub async fn close(&self) {
        self.sqlite.close().await;
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
