//! Catalog reads. Deleted records are invisible.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params};

use super::convert::{DbResultExt, enum_from_text, from_json, parse_text};
use super::query::Query;
use crate::catalog::{Auditorium, Film, FilmFilter, Page, PageRequest, Showtime, ShowtimeFilter};
use crate::error::StorageResult;
use crate::ids::{AuditoriumId, FilmId, ShowtimeId};
use crate::time::Timestamp;

const FILM_COLUMNS: &str = "id, details, created_at_ms";
const AUDITORIUM_COLUMNS: &str = "id, details, capacity";
const SHOWTIME_COLUMNS: &str = "id, details, ends_at_ms, status";

fn decode_film(row: &Row<'_>) -> StorageResult<Film> {
    let id: String = row.get(0).db()?;
    let details: String = row.get(1).db()?;
    Ok(Film {
        id: parse_text("film id", &id)?,
        details: from_json("film", &details)?,
        created_at: Timestamp::from_millis(row.get(2).db()?),
    })
}

fn decode_auditorium(row: &Row<'_>) -> StorageResult<Auditorium> {
    let id: String = row.get(0).db()?;
    let details: String = row.get(1).db()?;
    Ok(Auditorium {
        id: parse_text("auditorium id", &id)?,
        details: from_json("auditorium", &details)?,
        capacity: row.get(2).db()?,
    })
}

fn decode_showtime(row: &Row<'_>) -> StorageResult<Showtime> {
    let id: String = row.get(0).db()?;
    let details: String = row.get(1).db()?;
    let status: String = row.get(3).db()?;
    Ok(Showtime {
        id: parse_text("showtime id", &id)?,
        details: from_json("showtime", &details)?,
        ends_at: Timestamp::from_millis(row.get(2).db()?),
        status: enum_from_text("showtime status", &status)?,
    })
}

fn one<T>(
    conn: &Connection,
    sql: &str,
    id: String,
    decode: impl Fn(&Row<'_>) -> StorageResult<T>,
) -> StorageResult<Option<T>> {
    let mut stmt = conn.prepare_cached(sql).db()?;
    let mut rows = stmt.query(params![id]).db()?;
    rows.next().db()?.map(decode).transpose()
}

/// A live film.
pub(crate) fn film(conn: &Connection, id: FilmId) -> StorageResult<Option<Film>> {
    let sql = "SELECT id, details, created_at_ms FROM films WHERE id = ?1 AND deleted_at_ms IS NULL";
    one(conn, sql, id.to_string(), decode_film)
}

/// A non-empty, trimmed filter value.
fn given(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// Live films matching `filter`, by title then id.
pub(crate) fn list_films(conn: &Connection, filter: &FilmFilter, page: PageRequest) -> StorageResult<Page<Film>> {
    let mut query = Query::new(FILM_COLUMNS, "films", "title, id");
    query.filter("deleted_at_ms IS NULL");
    if let Some(genre) = given(filter.genre.as_ref()) {
        query.filter_with(
            "EXISTS (SELECT 1 FROM json_each(details, '$.genres') WHERE value = ?)",
            [Value::Text(genre.to_owned())],
        );
    }
    if let Some(language) = given(filter.language.as_ref()) {
        query.filter_with(
            "(EXISTS (SELECT 1 FROM json_each(details, '$.spoken_languages') WHERE value = ?)
              OR EXISTS (SELECT 1 FROM json_each(details, '$.subtitle_languages') WHERE value = ?))",
            [Value::Text(language.to_owned()), Value::Text(language.to_owned())],
        );
    }
    if let Some(minutes) = filter.max_duration_minutes {
        query.filter_with("duration_minutes <= ?", [Value::Integer(minutes.into())]);
    }
    if let Some(text) = given(filter.text.as_ref()) {
        query.filter_with("instr(search_text, ?) > 0", [Value::Text(text.to_lowercase())]);
    }
    query.page(conn, page, decode_film)
}

/// A live auditorium.
pub(crate) fn auditorium(conn: &Connection, id: AuditoriumId) -> StorageResult<Option<Auditorium>> {
    let sql = "SELECT id, details, capacity FROM auditoriums WHERE id = ?1 AND deleted_at_ms IS NULL";
    one(conn, sql, id.to_string(), decode_auditorium)
}

/// Live auditoriums by name then id.
pub(crate) fn list_auditoriums(conn: &Connection, page: PageRequest) -> StorageResult<Page<Auditorium>> {
    let mut query = Query::new(AUDITORIUM_COLUMNS, "auditoriums", "name, id");
    query.filter("deleted_at_ms IS NULL");
    query.page(conn, page, decode_auditorium)
}

/// A live showtime.
pub(crate) fn showtime(conn: &Connection, id: ShowtimeId) -> StorageResult<Option<Showtime>> {
    let sql = "SELECT id, details, ends_at_ms, status FROM showtimes WHERE id = ?1 AND deleted_at_ms IS NULL";
    one(conn, sql, id.to_string(), decode_showtime)
}

/// Live showtimes matching `filter`, by start time then id.
pub(crate) fn list_showtimes(
    conn: &Connection,
    filter: &ShowtimeFilter,
    page: PageRequest,
) -> StorageResult<Page<Showtime>> {
    let mut query = Query::new(SHOWTIME_COLUMNS, "showtimes", "starts_at_ms, id");
    query.filter("deleted_at_ms IS NULL");
    if let Some(film) = filter.film_id {
        query.filter_with("film_id = ?", [Value::Text(film.to_string())]);
    }
    if let Some(auditorium) = filter.auditorium_id {
        query.filter_with("auditorium_id = ?", [Value::Text(auditorium.to_string())]);
    }
    if let Some(from) = filter.from {
        query.filter_with("starts_at_ms >= ?", [Value::Integer(from.as_millis())]);
    }
    if let Some(to) = filter.to {
        query.filter_with("starts_at_ms < ?", [Value::Integer(to.as_millis())]);
    }
    if !filter.include_cancelled {
        query.filter("status = 'scheduled'");
    }
    query.page(conn, page, decode_showtime)
}

/// A trivial read: the database answers.
pub(crate) fn ping(conn: &Connection) -> StorageResult<()> {
    conn.prepare_cached("SELECT 1").db()?.query_row([], |_| Ok(())).db()
}
