//! Catalog writes: films, auditoriums and showtimes, with soft deletes and the showtime
//! overlap rule. They run on the writer thread, each an op (all or nothing).

use rusqlite::{Connection, OptionalExtension, params};

use super::convert::{DbResultExt, duplicate_or_db, enum_text, parse_text, to_json};
use crate::catalog::{Auditorium, Film, FilmDraft, Showtime, ShowtimeStatus};
use crate::error::{StorageError, StorageResult};
use crate::ids::ShowtimeId;
use crate::time::Timestamp;

/// The lower-cased text that `FilmFilter::text` searches: title, original title, director
/// and cast, one per line (so a match never spans two fields).
pub(crate) fn film_search_text(film: &FilmDraft) -> String {
    let mut fields = vec![film.title.as_str(), film.director.as_str()];
    fields.extend(film.original_title.as_deref());
    fields.extend(film.cast.iter().map(String::as_str));
    fields.iter().map(|f| f.to_lowercase()).collect::<Vec<_>>().join("\n")
}

fn not_found(entity: &'static str, id: impl ToString) -> StorageError {
    StorageError::NotFound { entity, id: id.to_string() }
}

/// Inserts a film; `Duplicate("id")` if the id exists.
pub(crate) fn insert_film(conn: &Connection, film: &Film) -> StorageResult<()> {
    let details = to_json("film", &film.details)?;
    conn.prepare_cached(
        "INSERT INTO films (id, title, duration_minutes, search_text, details, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .db()?
    .execute(params![
        film.id.to_string(),
        film.details.title,
        film.details.duration_minutes,
        film_search_text(&film.details),
        details,
        film.created_at.as_millis(),
    ])
    .map_err(|e| duplicate_or_db(e, "id"))?;
    Ok(())
}

/// Replaces a live film's details (its creation time stays).
pub(crate) fn update_film(conn: &Connection, film: &Film) -> StorageResult<()> {
    let details = to_json("film", &film.details)?;
    let changed = conn
        .prepare_cached(
            "UPDATE films SET title = ?2, duration_minutes = ?3, search_text = ?4, details = ?5
             WHERE id = ?1 AND deleted_at_ms IS NULL",
        )
        .db()?
        .execute(params![
            film.id.to_string(),
            film.details.title,
            film.details.duration_minutes,
            film_search_text(&film.details),
            details,
        ])
        .db()?;
    if changed == 0 { Err(not_found("film", film.id)) } else { Ok(()) }
}

/// Which table a soft delete applies to.
#[derive(Clone, Copy)]
pub(crate) enum Table {
    /// `films`
    Films,
    /// `auditoriums`
    Auditoriums,
    /// `showtimes`
    Showtimes,
}

/// Marks a live record deleted; `NotFound` if absent or already deleted.
pub(crate) fn soft_delete(conn: &Connection, table: Table, id: String, at: Timestamp) -> StorageResult<()> {
    let (sql, entity) = match table {
        Table::Films => ("UPDATE films SET deleted_at_ms = ?2 WHERE id = ?1 AND deleted_at_ms IS NULL", "film"),
        Table::Auditoriums => {
            ("UPDATE auditoriums SET deleted_at_ms = ?2 WHERE id = ?1 AND deleted_at_ms IS NULL", "auditorium")
        }
        Table::Showtimes => {
            ("UPDATE showtimes SET deleted_at_ms = ?2 WHERE id = ?1 AND deleted_at_ms IS NULL", "showtime")
        }
    };
    let changed = conn.prepare_cached(sql).db()?.execute(params![id, at.as_millis()]).db()?;
    if changed == 0 { Err(not_found(entity, id)) } else { Ok(()) }
}

/// Inserts an auditorium; `Duplicate("id")` if the id exists.
pub(crate) fn insert_auditorium(conn: &Connection, auditorium: &Auditorium) -> StorageResult<()> {
    let details = to_json("auditorium", &auditorium.details)?;
    conn.prepare_cached("INSERT INTO auditoriums (id, name, capacity, details) VALUES (?1, ?2, ?3, ?4)")
        .db()?
        .execute(params![auditorium.id.to_string(), auditorium.details.name, auditorium.capacity, details])
        .map_err(|e| duplicate_or_db(e, "id"))?;
    Ok(())
}

/// Replaces a live auditorium's details.
pub(crate) fn update_auditorium(conn: &Connection, auditorium: &Auditorium) -> StorageResult<()> {
    let details = to_json("auditorium", &auditorium.details)?;
    let changed = conn
        .prepare_cached(
            "UPDATE auditoriums SET name = ?2, capacity = ?3, details = ?4 WHERE id = ?1 AND deleted_at_ms IS NULL",
        )
        .db()?
        .execute(params![auditorium.id.to_string(), auditorium.details.name, auditorium.capacity, details])
        .db()?;
    if changed == 0 { Err(not_found("auditorium", auditorium.id)) } else { Ok(()) }
}

/// `Overlap(other)` if a scheduled, live showtime other than `showtime` itself occupies
/// the same auditorium during part of `[starts_at, ends_at)`. A cancelled `showtime`
/// occupies nothing and is never refused.
fn check_overlap(conn: &Connection, showtime: &Showtime) -> StorageResult<()> {
    if showtime.status == ShowtimeStatus::Cancelled {
        return Ok(());
    }
    let other: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM showtimes
             WHERE auditorium_id = ?1 AND id <> ?2 AND deleted_at_ms IS NULL AND status = 'scheduled'
               AND starts_at_ms < ?4 AND ?3 < ends_at_ms
             ORDER BY starts_at_ms LIMIT 1",
        )
        .db()?
        .query_row(
            params![
                showtime.details.auditorium_id.to_string(),
                showtime.id.to_string(),
                showtime.details.starts_at.as_millis(),
                showtime.ends_at.as_millis(),
            ],
            |row| row.get(0),
        )
        .optional()
        .db()?;
    match other {
        Some(id) => Err(StorageError::Overlap(parse_text::<ShowtimeId>("showtime id", &id)?)),
        None => Ok(()),
    }
}

/// Inserts a showtime unless it overlaps another; `Duplicate("id")` if the id exists.
pub(crate) fn insert_showtime(conn: &Connection, showtime: &Showtime) -> StorageResult<()> {
    check_overlap(conn, showtime)?;
    conn.prepare_cached(
        "INSERT INTO showtimes (id, auditorium_id, film_id, starts_at_ms, ends_at_ms, status, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .db()?
    .execute(params![
        showtime.id.to_string(),
        showtime.details.auditorium_id.to_string(),
        showtime.details.film_id.to_string(),
        showtime.details.starts_at.as_millis(),
        showtime.ends_at.as_millis(),
        enum_text(&showtime.status)?,
        to_json("showtime", &showtime.details)?,
    ])
    .map_err(|e| duplicate_or_db(e, "id"))?;
    Ok(())
}

/// Replaces a live showtime unless its new slot overlaps another.
pub(crate) fn update_showtime(conn: &Connection, showtime: &Showtime) -> StorageResult<()> {
    let live: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM showtimes WHERE id = ?1 AND deleted_at_ms IS NULL)")
        .db()?
        .query_row(params![showtime.id.to_string()], |row| row.get(0))
        .db()?;
    if !live {
        return Err(not_found("showtime", showtime.id));
    }
    check_overlap(conn, showtime)?;
    conn.prepare_cached(
        "UPDATE showtimes SET auditorium_id = ?2, film_id = ?3, starts_at_ms = ?4, ends_at_ms = ?5,
             status = ?6, details = ?7
         WHERE id = ?1",
    )
    .db()?
    .execute(params![
        showtime.id.to_string(),
        showtime.details.auditorium_id.to_string(),
        showtime.details.film_id.to_string(),
        showtime.details.starts_at.as_millis(),
        showtime.ends_at.as_millis(),
        enum_text(&showtime.status)?,
        to_json("showtime", &showtime.details)?,
    ])
    .db()?;
    Ok(())
}
