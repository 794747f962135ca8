//! Catalog queries the node answers itself: film and showtime filters, sorting and
//! pagination over the records of one partition (the same rules as the SQLite backend's
//! SQL), and the overlap rule of an auditorium's schedule.

use std::cmp::Ordering;

use crate::catalog::{Film, FilmFilter, Page, PageRequest, Showtime, ShowtimeFilter, ShowtimeStatus};
use crate::ids::ShowtimeId;

/// Most items one page may hold (as on SQLite).
pub const PAGE_LIMIT_MAX: u32 = 200;

fn given(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// Whether `film` matches `filter`.
#[must_use]
pub fn film_matches(film: &Film, filter: &FilmFilter) -> bool {
    let d = &film.details;
    let genre = given(filter.genre.as_ref()).is_none_or(|g| d.genres.iter().any(|x| x == g));
    let language = given(filter.language.as_ref())
        .is_none_or(|l| d.spoken_languages.iter().chain(&d.subtitle_languages).any(|x| x == l));
    let duration = filter.max_duration_minutes.is_none_or(|m| d.duration_minutes <= m);
    let text = given(filter.text.as_ref()).is_none_or(|t| {
        let needle = t.to_lowercase();
        let mut fields = vec![d.title.as_str(), d.director.as_str()];
        fields.extend(d.original_title.as_deref());
        fields.extend(d.cast.iter().map(String::as_str));
        fields.iter().any(|f| f.to_lowercase().contains(&needle))
    });
    genre && language && duration && text
}

/// Films by title then id.
pub fn sort_films(films: &mut [Film]) {
    films.sort_by(|a, b| a.details.title.cmp(&b.details.title).then_with(|| a.id.cmp(&b.id)));
}

/// Whether `showtime` matches `filter`.
#[must_use]
pub fn showtime_matches(showtime: &Showtime, filter: &ShowtimeFilter) -> bool {
    let d = &showtime.details;
    filter.film_id.is_none_or(|f| d.film_id == f)
        && filter.auditorium_id.is_none_or(|a| d.auditorium_id == a)
        && filter.from.is_none_or(|from| d.starts_at >= from)
        && filter.to.is_none_or(|to| d.starts_at < to)
        && (filter.include_cancelled || showtime.status == ShowtimeStatus::Scheduled)
}

/// Showtimes by start time then id.
pub fn sort_showtimes(showtimes: &mut [Showtime]) {
    showtimes.sort_by(|a, b| a.details.starts_at.cmp(&b.details.starts_at).then_with(|| a.id.cmp(&b.id)));
}

/// One page of sorted `items` (limit clamped to `1..=PAGE_LIMIT_MAX`).
#[must_use]
pub fn paginate<T>(items: Vec<T>, page: PageRequest) -> Page<T> {
    let limit = page.limit.clamp(1, PAGE_LIMIT_MAX);
    let total = items.len() as u64;
    let items = items.into_iter().skip(page.offset as usize).take(limit as usize).collect();
    Page { items, total, offset: page.offset, limit }
}

/// One showtime of an auditorium's schedule, as the overlap rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The showtime.
    pub id: ShowtimeId,
    /// Start, epoch milliseconds.
    pub starts_at: i64,
    /// End, epoch milliseconds.
    pub ends_at: i64,
    /// Scheduled (not cancelled) and not deleted.
    pub occupies: bool,
}

/// The first other showtime that occupies part of `[starts_at, ends_at)`, if any; a
/// cancelled candidate occupies nothing.
#[must_use]
pub fn overlap(schedule: &[Slot], candidate: &Slot) -> Option<ShowtimeId> {
    if !candidate.occupies {
        return None;
    }
    schedule
        .iter()
        .filter(|s| s.occupies && s.id != candidate.id)
        .filter(|s| s.starts_at < candidate.ends_at && candidate.starts_at < s.ends_at)
        .min_by(|a, b| a.starts_at.cmp(&b.starts_at).then(Ordering::Equal))
        .map(|s| s.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixtures::film;

    #[test]
    fn film_filters_follow_the_sqlite_rules() {
        let mut f = film("Le Voyage", "Méliès", 14);
        f.details.genres = vec!["fantasy".into()];
        f.details.cast = vec!["Bleuette Bernon".into()];
        f.details.subtitle_languages = vec!["en".into()];
        let filter = |text: Option<&str>| FilmFilter { text: text.map(Into::into), ..FilmFilter::default() };
        assert!(film_matches(&f, &filter(Some("BERNON"))), "cast, case-insensitive");
        assert!(film_matches(&f, &filter(Some("  "))), "blank text is no filter");
        assert!(!film_matches(&f, &filter(Some("lumière"))));
        assert!(
            film_matches(&f, &FilmFilter { language: Some("en".into()), ..FilmFilter::default() }),
            "subtitles count"
        );
        assert!(!film_matches(&f, &FilmFilter { max_duration_minutes: Some(10), ..FilmFilter::default() }));
        assert!(!film_matches(&f, &FilmFilter { genre: Some("drama".into()), ..FilmFilter::default() }));
    }

    #[test]
    fn pages_clamp_and_count() {
        let page = paginate((0..10).collect(), PageRequest { offset: 8, limit: 5 });
        assert_eq!((page.items, page.total, page.limit), (vec![8, 9], 10, 5));
        assert_eq!(paginate(vec![1], PageRequest { offset: 0, limit: 0 }).limit, 1);
        assert_eq!(paginate(vec![1], PageRequest { offset: 0, limit: 9999 }).limit, PAGE_LIMIT_MAX);
    }

    #[test]
    fn overlap_ignores_itself_cancelled_and_touching_slots() {
        let (a, b, c) = (ShowtimeId::new(), ShowtimeId::new(), ShowtimeId::new());
        let schedule = [
            Slot { id: a, starts_at: 100, ends_at: 200, occupies: true },
            Slot { id: b, starts_at: 200, ends_at: 300, occupies: false },
        ];
        assert_eq!(overlap(&schedule, &Slot { id: c, starts_at: 150, ends_at: 250, occupies: true }), Some(a));
        assert_eq!(
            overlap(&schedule, &Slot { id: c, starts_at: 200, ends_at: 300, occupies: true }),
            None,
            "touching, cancelled"
        );
        assert_eq!(overlap(&schedule, &Slot { id: a, starts_at: 120, ends_at: 220, occupies: true }), None, "itself");
        assert_eq!(
            overlap(&schedule, &Slot { id: c, starts_at: 150, ends_at: 250, occupies: false }),
            None,
            "cancelled candidate"
        );
    }
}
