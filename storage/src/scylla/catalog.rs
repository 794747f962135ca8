//! Films, auditoriums and showtimes on ScyllaDB. Records are JSON; every write is a
//! lightweight transaction (`IF NOT EXISTS`, `IF live = true`), and a showtime takes its
//! place in its auditorium's schedule with a conditional batch on the schedule's version,
//! after checking the overlap rule on the partition it read.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::filter::{self, Slot};
use super::rows::{self, Cql, big, text, uuid};
use super::session::ScyllaStorage;
use super::statements::{Bound, Stmt};
use crate::catalog::{Auditorium, Film, Showtime, ShowtimeFilter, ShowtimeStatus};
use crate::error::{StorageError, StorageResult};
use crate::ids::{AuditoriumId, ShowtimeId};
use crate::time::Timestamp;

/// Attempts of a schedule change that keeps losing races before it gives up.
const SCHEDULE_TRIES_MAX: u32 = 16;

/// `film` or `auditorium`.
pub(super) const FILM: &str = "film";
/// See [`FILM`].
pub(super) const AUDITORIUM: &str = "auditorium";

fn not_found(entity: &'static str, id: impl ToString) -> StorageError {
    StorageError::NotFound { entity, id: id.to_string() }
}

impl ScyllaStorage {
    pub(super) async fn catalog_insert<T: Serialize>(
        &self,
        kind: &'static str,
        id: uuid::Uuid,
        record: &T,
    ) -> StorageResult<()> {
        let values = vec![text(kind), uuid(id), text(rows::to_json(kind, record)?)];
        if self.run(Bound::new(Stmt::CatalogInsert, values)).await?.applied() {
            Ok(())
        } else {
            Err(StorageError::Duplicate("id"))
        }
    }

    pub(super) async fn catalog_update<T: Serialize>(
        &self,
        kind: &'static str,
        id: uuid::Uuid,
        record: &T,
    ) -> StorageResult<()> {
        let values = vec![text(rows::to_json(kind, record)?), text(kind), uuid(id)];
        if self.run(Bound::new(Stmt::CatalogUpdate, values)).await?.applied() {
            Ok(())
        } else {
            Err(not_found(kind, id))
        }
    }

    pub(super) async fn catalog_delete(&self, kind: &'static str, id: uuid::Uuid, at: Timestamp) -> StorageResult<()> {
        let values = vec![big(at.as_millis()), text(kind), uuid(id)];
        if self.run(Bound::new(Stmt::CatalogDelete, values)).await?.applied() {
            Ok(())
        } else {
            Err(not_found(kind, id))
        }
    }

    pub(super) async fn catalog_get<T: DeserializeOwned>(
        &self,
        kind: &'static str,
        id: uuid::Uuid,
    ) -> StorageResult<Option<T>> {
        let result = self.run(Bound::new(Stmt::CatalogGet, vec![text(kind), uuid(id)])).await?;
        match result.rows.first() {
            Some(row) if rows::get_bool(row, 1) => Ok(Some(rows::from_json(kind, &rows::get_text(row, 0, kind)?)?)),
            _ => Ok(None),
        }
    }

    /// Every live record of a kind.
    pub(super) async fn catalog_list<T: DeserializeOwned>(&self, kind: &'static str) -> StorageResult<Vec<T>> {
        let rows = self.run_all(Bound::new(Stmt::CatalogList, vec![text(kind)])).await?;
        rows.iter()
            .filter(|row| rows::get_bool(row, 1))
            .map(|row| rows::from_json(kind, &rows::get_text(row, 0, kind)?))
            .collect()
    }

    pub(super) async fn showtime_get(&self, id: ShowtimeId) -> StorageResult<Option<Showtime>> {
        let result = self.run(Bound::new(Stmt::ShowtimeGet, vec![uuid(id.as_uuid())])).await?;
        match result.rows.first() {
            Some(row) if rows::get_bool(row, 1) => {
                Ok(Some(rows::from_json("showtime", &rows::get_text(row, 0, "showtime")?)?))
            }
            _ => Ok(None),
        }
    }

    /// Inserts (`previous` = `None`) or replaces a showtime, keeping the overlap rule.
    pub(super) async fn showtime_put(&self, showtime: &Showtime, previous: Option<&Showtime>) -> StorageResult<()> {
        let record = rows::to_json("showtime", showtime)?;
        let auditorium = showtime.details.auditorium_id;
        let same_room = previous.filter(|p| p.details.auditorium_id == auditorium);
        let mut changes: Vec<Bound> = same_room.map(schedule_remove).into_iter().collect();
        changes.push(schedule_put(showtime, &record, true));
        self.schedule_change(auditorium, Some(slot(showtime, true)), changes).await?;
        if let Some(old) = previous.filter(|p| p.details.auditorium_id != auditorium) {
            // Moved to another auditorium: its old place is freed after the new one is taken.
            self.schedule_change(old.details.auditorium_id, None, vec![schedule_remove(old)]).await?;
        }
        let show = uuid(showtime.id.as_uuid());
        let (stmt, values) = match previous {
            None => (Stmt::ShowtimeInsert, vec![show, uuid(auditorium.as_uuid()), text(record)]),
            Some(_) => (Stmt::ShowtimeUpdate, vec![text(record), uuid(auditorium.as_uuid()), show]),
        };
        if self.run(Bound::new(stmt, values)).await?.applied() {
            Ok(())
        } else if previous.is_none() {
            Err(StorageError::Duplicate("id"))
        } else {
            Err(not_found("showtime", showtime.id))
        }
    }

    /// Applies `changes` to an auditorium's schedule in one conditional batch on its
    /// version, after checking that `candidate` (if any) overlaps nothing. Every write of a
    /// schedule goes through here, so they are all lightweight transactions.
    async fn schedule_change(
        &self,
        auditorium: AuditoriumId,
        candidate: Option<Slot>,
        changes: Vec<Bound>,
    ) -> StorageResult<()> {
        let room = uuid(auditorium.as_uuid());
        for _ in 0..SCHEDULE_TRIES_MAX {
            let (slots, version) = self.schedule(auditorium).await?;
            if let Some(other) = candidate.and_then(|c| filter::overlap(&slots, &c)) {
                return Err(StorageError::Overlap(other));
            }
            let next = version.unwrap_or(0).saturating_add(1);
            let mut batch = vec![match version {
                None => Bound::new(Stmt::ScheduleBumpFirst, vec![big(next), room.clone()]),
                Some(v) => Bound::new(Stmt::ScheduleBump, vec![big(next), room.clone(), big(v)]),
            }];
            batch.extend(changes.iter().cloned());
            if self.run_batch(batch).await?.applied() {
                return Ok(());
            }
        }
        Err(StorageError::Unavailable(format!(
            "auditorium {auditorium}: schedule change lost {SCHEDULE_TRIES_MAX} races"
        )))
    }

    /// An auditorium's schedule and its version.
    async fn schedule(&self, auditorium: AuditoriumId) -> StorageResult<(Vec<Slot>, Option<i64>)> {
        let rows = self.run_all(Bound::new(Stmt::ScheduleRead, vec![uuid(auditorium.as_uuid())])).await?;
        let mut version = None;
        let mut slots = Vec::with_capacity(rows.len());
        for row in &rows {
            version = rows::get_big_opt(row, 6, "schedule version")?;
            let Some(Some(Cql::Uuid(id))) = row.get(1) else { continue };
            slots.push(Slot {
                id: ShowtimeId::from_uuid(*id),
                starts_at: rows::get_big(row, 0, "starts_at")?,
                ends_at: rows::get_big(row, 2, "ends_at")?,
                occupies: rows::get_bool(row, 3) && rows::get_bool(row, 4),
            });
        }
        Ok((slots, version))
    }

    pub(super) async fn showtime_delete(&self, id: ShowtimeId, at: Timestamp) -> StorageResult<()> {
        let Some(showtime) = self.showtime_get(id).await? else { return Err(not_found("showtime", id)) };
        let values = vec![big(at.as_millis()), uuid(id.as_uuid())];
        if !self.run(Bound::new(Stmt::ShowtimeDelete, values)).await?.applied() {
            return Err(not_found("showtime", id));
        }
        let record = rows::to_json("showtime", &showtime)?;
        self.schedule_change(showtime.details.auditorium_id, None, vec![schedule_put(&showtime, &record, false)]).await
    }

    /// Live showtimes matching `filter`: one auditorium's partition, or every auditorium's.
    pub(super) async fn showtimes_matching(&self, filter: &ShowtimeFilter) -> StorageResult<Vec<Showtime>> {
        let rooms = match filter.auditorium_id {
            Some(room) => vec![room.as_uuid()],
            None => {
                let rows = self.run_all(Bound::new(Stmt::CatalogIds, vec![text(AUDITORIUM)])).await?;
                rows.iter().map(|r| rows::get_uuid(r, 0, "auditorium id")).collect::<StorageResult<_>>()?
            }
        };
        let from = filter.from.map_or(i64::MIN, Timestamp::as_millis);
        let to = filter.to.map_or(i64::MAX, Timestamp::as_millis);
        let mut found = Vec::new();
        for room in rooms {
            let rows = self.run_all(Bound::new(Stmt::ScheduleRange, vec![uuid(room), big(from), big(to)])).await?;
            for row in rows.iter().filter(|r| rows::get_bool(r, 1)) {
                let showtime: Showtime = rows::from_json("showtime", &rows::get_text(row, 0, "showtime")?)?;
                if filter::showtime_matches(&showtime, filter) {
                    found.push(showtime);
                }
            }
        }
        filter::sort_showtimes(&mut found);
        Ok(found)
    }
}

fn slot(showtime: &Showtime, live: bool) -> Slot {
    Slot {
        id: showtime.id,
        starts_at: showtime.details.starts_at.as_millis(),
        ends_at: showtime.ends_at.as_millis(),
        occupies: live && showtime.status == ShowtimeStatus::Scheduled,
    }
}

fn schedule_remove(old: &Showtime) -> Bound {
    let values =
        vec![uuid(old.details.auditorium_id.as_uuid()), big(old.details.starts_at.as_millis()), uuid(old.id.as_uuid())];
    Bound::new(Stmt::ScheduleRemove, values)
}

fn schedule_put(showtime: &Showtime, record: &str, live: bool) -> Bound {
    let values = vec![
        uuid(showtime.details.auditorium_id.as_uuid()),
        big(showtime.details.starts_at.as_millis()),
        uuid(showtime.id.as_uuid()),
        big(showtime.ends_at.as_millis()),
        Some(Cql::Bool(showtime.status == ShowtimeStatus::Scheduled)),
        Some(Cql::Bool(live)),
        text(record),
    ];
    Bound::new(Stmt::SchedulePut, values)
}

/// Films and auditoriums are stored whole.
pub(super) fn film_id(film: &Film) -> uuid::Uuid {
    film.id.as_uuid()
}

/// See [`film_id`].
pub(super) fn auditorium_id(auditorium: &Auditorium) -> uuid::Uuid {
    auditorium.id.as_uuid()
}
