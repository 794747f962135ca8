//! Online backup with SQLite's backup API, from a read connection.
//!
//! The source connection holds one read transaction for the whole copy, so the copy is the
//! snapshot of one moment and does not restart when the writer commits meanwhile (WAL lets
//! the writer go on). The copy is written next to the destination and renamed into place
//! when complete, so the destination never holds a partial database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::Backup;

use super::convert::DbResultExt;
use crate::error::{StorageError, StorageResult};

/// Pages copied per backup step.
const PAGES_PER_STEP: i32 = 1024;
/// Pause between steps, leaving the disk to the writer.
const STEP_PAUSE: Duration = Duration::from_millis(2);

fn unavailable(what: &str, path: &Path, error: impl std::fmt::Display) -> StorageError {
    StorageError::Unavailable(format!("backup: {what} {}: {error}", path.display()))
}

/// Copies the database `source` is connected to into the new file `destination`.
///
/// # Errors
/// `Unavailable` if `destination` exists or the copy fails.
pub(crate) fn run(source: &Connection, destination: &Path) -> StorageResult<()> {
    run_in_steps(source, destination, PAGES_PER_STEP)
}

/// [`run`] with `pages_per_step` pages copied per step.
pub(crate) fn run_in_steps(source: &Connection, destination: &Path, pages_per_step: i32) -> StorageResult<()> {
    if destination.exists() {
        return Err(StorageError::Unavailable(format!(
            "backup destination {} exists; refusing to overwrite it",
            destination.display()
        )));
    }
    if let Some(parent) = destination.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| unavailable("cannot create directory", parent, e))?;
    }
    let partial = partial_path(destination);
    let copied = copy(source, &partial, pages_per_step.max(1)).and_then(|()| {
        if destination.exists() {
            return Err(StorageError::Unavailable(format!(
                "backup destination {} appeared during the backup",
                destination.display()
            )));
        }
        std::fs::rename(&partial, destination).map_err(|e| unavailable("cannot rename into", destination, e))
    });
    if copied.is_err() {
        for path in [partial.clone(), with_suffix(&partial, "-wal"), with_suffix(&partial, "-shm")] {
            let _ = std::fs::remove_file(path);
        }
    }
    copied
}

fn copy(source: &Connection, partial: &Path, pages_per_step: i32) -> StorageResult<()> {
    let snapshot = source.unchecked_transaction().db()?;
    // The first read starts the snapshot the whole copy comes from.
    snapshot.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |row| row.get::<_, i64>(0)).db()?;
    let mut target = Connection::open(partial).map_err(|e| unavailable("cannot create", partial, e))?;
    {
        let backup = Backup::new(&snapshot, &mut target).db()?;
        backup.run_to_completion(pages_per_step, STEP_PAUSE, None).map_err(|e| unavailable("copy to", partial, e))?;
    }
    // Fold the copy's WAL (if any) into the file so it is a single self-contained file.
    target.pragma_update(None, "journal_mode", "DELETE").db()?;
    target.close().map_err(|(_, e)| unavailable("cannot close", partial, e))?;
    snapshot.rollback().db()
}

fn partial_path(destination: &Path) -> PathBuf {
    with_suffix(destination, &format!(".partial-{}", uuid::Uuid::new_v4().simple()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
