//! The SQLite backend: the conformance suite (one test per case) and SQLite-specific
//! behaviour: group commit, close and reopen, migrations, backup, overload, and a property
//! test of the ledger.

mod accounts;
mod batching;
mod conformance;
mod ledger_props;
mod lifecycle;

use std::sync::Arc;

use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
use tempfile::TempDir;

/// Opens the store of `dir` (in a sub-directory, to check it is created).
pub fn open(dir: &TempDir) -> SqliteStorage {
    SqliteStorage::open(SqliteOptions::new(dir.path().join("db").join("boxoffice.db"))).expect("open sqlite")
}

/// A fresh store in a new temporary directory.
pub fn fresh() -> (TempDir, Arc<SqliteStorage>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(open(&dir));
    (dir, store)
}
