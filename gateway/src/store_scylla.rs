//! Opening a `scylla://` store: with the `scylla` feature, connect (under
//! `storage.scylla.connect_timeout_ms`), create or migrate the schema, and prepare every
//! statement; without it, a clear error naming the feature.

use boxoffice_storage::scylla::ScyllaUrl;

use crate::config::StorageSettings;
use crate::store::{Store, StoreError};

/// Opens the ScyllaDB store at `url`.
///
/// # Errors
/// Built without the `scylla` feature; bad driver settings; the cluster is unreachable or
/// refuses the schema.
#[cfg(not(feature = "scylla"))]
pub async fn open(settings: &StorageSettings, url: ScyllaUrl) -> Result<Store, StoreError> {
    let _ = settings;
    Err(StoreError::Config(format!(
        "storage.url {url} names a ScyllaDB cluster, but this boxoffice was built without the `scylla` feature; \
         rebuild with `cargo build --release -p boxoffice-gateway --features scylla`"
    )))
}

/// Opens the ScyllaDB store at `url`.
///
/// # Errors
/// Bad driver settings; the cluster is unreachable or refuses the schema.
#[cfg(feature = "scylla")]
pub async fn open(settings: &StorageSettings, url: ScyllaUrl) -> Result<Store, StoreError> {
    use std::sync::Arc;

    use boxoffice_storage::scylla::{ScyllaOptions, ScyllaStorage};

    let s = &settings.scylla;
    let options = ScyllaOptions::new(url)
        .consistency(&s.consistency)
        .and_then(|o| o.serial_consistency(&s.serial_consistency))
        .map_err(|e| StoreError::Config(format!("storage.scylla: {e}")))?;
    let options = ScyllaOptions {
        request_timeout_ms: s.request_timeout_ms,
        connect_timeout_ms: s.connect_timeout_ms,
        replication_factor: s.replication_factor,
        datacenter: s.datacenter.clone(),
        username: s.username.clone(),
        password: s.password.as_ref().map(|p| p.expose().to_owned()),
        ..options
    };
    let storage =
        ScyllaStorage::connect(options).await.map_err(|error| StoreError::Open { url: settings.url.clone(), error })?;
    let storage = Arc::new(storage);
    Ok(Store::from_parts(Arc::clone(&storage) as _, storage as _))
}
