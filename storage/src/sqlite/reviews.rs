//! Reviews of films: schema migration 4, and the reads and writes (writes run on the writer
//! thread like every other write).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::convert::{DbResultExt, duplicate_or_db, parse_text};
use crate::catalog::{Page, PageRequest};
use crate::error::{StorageError, StorageResult};
use crate::ids::{FilmId, ReviewId};
use crate::reviews::{Review, ReviewSummary};
use crate::time::Timestamp;

/// Migration 4 (appended to `schema::MIGRATIONS`; never edit once released).
pub(crate) const V4_REVIEWS: &str = r"
CREATE TABLE reviews (
    id            TEXT PRIMARY KEY NOT NULL,
    film_id       TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    author        TEXT NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    hidden        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (film_id, customer_id)
);
CREATE INDEX reviews_by_film ON reviews (film_id, hidden, created_at_ms DESC);
";

const COLUMNS: &str = "id, film_id, customer_id, author, rating, comment, created_at_ms, hidden";

/// A row as stored, before its ids are parsed.
type Raw = (String, String, String, String, i64, String, i64, bool);

fn decode(row: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
}

fn review_of(raw: Raw) -> StorageResult<Review> {
    let (id, film, customer, author, rating, comment, created, hidden) = raw;
    Ok(Review {
        id: parse_text("review id", &id)?,
        film_id: parse_text("film id", &film)?,
        customer_id: parse_text("customer id", &customer)?,
        author,
        rating: u8::try_from(rating).map_err(|_| StorageError::Corrupt(format!("review rating {rating}")))?,
        comment,
        created_at: Timestamp::from_millis(created),
        hidden,
    })
}

/// Inserts a review; `Duplicate("review")` for a second one by the same customer.
pub(crate) fn insert(conn: &Connection, r: &Review) -> StorageResult<()> {
    conn.prepare_cached(&format!("INSERT INTO reviews ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))
        .db()?
        .execute(params![
            r.id.to_string(),
            r.film_id.to_string(),
            r.customer_id.to_string(),
            r.author,
            i64::from(r.rating),
            r.comment,
            r.created_at.as_millis(),
            r.hidden,
        ])
        .map_err(|e| duplicate_or_db(e, "review"))?;
    Ok(())
}

/// Hides or shows a review.
pub(crate) fn set_hidden(conn: &Connection, id: ReviewId, hidden: bool) -> StorageResult<()> {
    let n = conn
        .prepare_cached("UPDATE reviews SET hidden = ?2 WHERE id = ?1")
        .db()?
        .execute(params![id.to_string(), hidden])
        .db()?;
    if n == 0 {
        return Err(StorageError::NotFound { entity: "review", id: id.to_string() });
    }
    Ok(())
}

/// A review by id.
pub(crate) fn get(conn: &Connection, id: ReviewId) -> StorageResult<Option<Review>> {
    let raw = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM reviews WHERE id = ?1"))
        .db()?
        .query_row(params![id.to_string()], decode)
        .optional()
        .db()?;
    raw.map(review_of).transpose()
}

/// A film's reviews, newest first.
pub(crate) fn of_film(
    conn: &Connection,
    film: FilmId,
    include_hidden: bool,
    page: PageRequest,
) -> StorageResult<Page<Review>> {
    let visible = if include_hidden { "" } else { " AND hidden = 0" };
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM reviews WHERE film_id = ?1{visible}"))
        .db()?
        .query_row(params![film.to_string()], |row| row.get(0))
        .db()?;
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM reviews WHERE film_id = ?1{visible} ORDER BY created_at_ms DESC, id DESC LIMIT ?2 OFFSET ?3"
        ))
        .db()?;
    let rows =
        statement.query_map(params![film.to_string(), i64::from(page.limit), i64::from(page.offset)], decode).db()?;
    let mut items = Vec::new();
    for raw in rows {
        items.push(review_of(raw.db()?)?);
    }
    Ok(Page { items, total: u64::try_from(total).unwrap_or(0), offset: page.offset, limit: page.limit })
}

/// Count and average of a film's visible reviews.
pub(crate) fn summary(conn: &Connection, film: FilmId) -> StorageResult<ReviewSummary> {
    let mut statement = conn.prepare_cached("SELECT rating FROM reviews WHERE film_id = ?1 AND hidden = 0").db()?;
    let ratings = statement.query_map(params![film.to_string()], |row| row.get::<_, i64>(0)).db()?;
    let mut all = Vec::new();
    for rating in ratings {
        all.push(u8::try_from(rating.db()?).unwrap_or(0));
    }
    Ok(ReviewSummary::of(all))
}
