//! Auditorium and showtime cases: CRUD, listings and the overlap rule.

use super::fixtures::{T0, at, auditorium, showtime};
use crate::catalog::{PageRequest, Showtime, ShowtimeFilter, ShowtimeStatus};
use crate::error::StorageError;
use crate::ids::{AuditoriumId, FilmId, ShowtimeId};
use crate::{Storage, StorageResult};

fn is_not_found(result: StorageResult<()>, entity: &str) -> bool {
    matches!(result, Err(StorageError::NotFound { entity: e, .. }) if e == entity)
}

/// Insert, read, update, list by name, soft delete.
pub async fn auditorium_crud(store: &dyn Storage) {
    let two = auditorium("Salle 2");
    let mut one = auditorium("Salle 1");
    store.insert_auditorium(&two).await.expect("insert_auditorium");
    store.insert_auditorium(&one).await.expect("insert_auditorium");
    assert_eq!(store.auditorium(one.id).await.expect("auditorium"), Some(one.clone()), "reads back with layout");
    let names =
        |page: crate::Page<crate::Auditorium>| page.items.into_iter().map(|a| a.details.name).collect::<Vec<_>>();
    let page = store.list_auditoriums(PageRequest::default()).await.expect("list_auditoriums");
    assert_eq!(page.total, 2, "total");
    assert_eq!(names(page), ["Salle 1", "Salle 2"], "ordered by name");

    one.details.name = "Salle 3".into();
    one.details.equipment = vec!["3d".into()];
    store.update_auditorium(&one).await.expect("update_auditorium");
    assert_eq!(store.auditorium(one.id).await.expect("auditorium"), Some(one.clone()), "update replaces details");
    let page = store.list_auditoriums(PageRequest::default()).await.expect("list_auditoriums");
    assert_eq!(names(page), ["Salle 2", "Salle 3"], "order follows the new name");

    store.delete_auditorium(one.id, T0).await.expect("delete_auditorium");
    assert_eq!(store.auditorium(one.id).await.expect("auditorium"), None, "deleted is invisible");
    let page = store.list_auditoriums(PageRequest::default()).await.expect("list_auditoriums");
    assert_eq!((page.total, names(page)), (1, vec!["Salle 2".to_owned()]), "deleted is not listed");
    assert!(is_not_found(store.update_auditorium(&one).await, "auditorium"), "update deleted: NotFound");
    assert!(is_not_found(store.delete_auditorium(one.id, T0).await, "auditorium"), "delete twice: NotFound");
    assert!(is_not_found(store.delete_auditorium(AuditoriumId::new(), T0).await, "auditorium"), "unknown: NotFound");
}

async fn listed(store: &dyn Storage, filter: ShowtimeFilter) -> Vec<ShowtimeId> {
    let page = store.list_showtimes(&filter, PageRequest::default()).await.expect("list_showtimes");
    assert_eq!(page.total, page.items.len() as u64, "total of {filter:?}");
    page.items.into_iter().map(|s| s.id).collect()
}

/// Reads, every listing filter, ordering, pagination and soft delete.
pub async fn showtime_crud_and_listing(store: &dyn Storage) {
    let (f1, f2, a1, a2) = (FilmId::new(), FilmId::new(), AuditoriumId::new(), AuditoriumId::new());
    let s1 = showtime(f1, a1, 0, 120);
    let s2 = showtime(f2, a1, 180, 300);
    let s3 = showtime(f1, a2, 60, 180);
    let mut s4 = showtime(f2, a2, 360, 480);
    s4.status = ShowtimeStatus::Cancelled;
    for s in [&s1, &s2, &s3, &s4] {
        store.insert_showtime(s).await.expect("insert_showtime");
    }
    assert_eq!(store.showtime(s4.id).await.expect("showtime"), Some(s4.clone()), "reads back as inserted");
    let filter = ShowtimeFilter::default;
    assert_eq!(listed(store, filter()).await, [s1.id, s3.id, s2.id], "by start, cancelled hidden");
    let with_cancelled = ShowtimeFilter { include_cancelled: true, ..filter() };
    assert_eq!(listed(store, with_cancelled).await, [s1.id, s3.id, s2.id, s4.id], "include_cancelled");
    assert_eq!(listed(store, ShowtimeFilter { film_id: Some(f1), ..filter() }).await, [s1.id, s3.id], "film");
    let in_a1 = ShowtimeFilter { auditorium_id: Some(a1), ..filter() };
    assert_eq!(listed(store, in_a1).await, [s1.id, s2.id], "auditorium");
    assert_eq!(
        listed(store, ShowtimeFilter { from: Some(at(60)), ..filter() }).await,
        [s3.id, s2.id],
        "from is inclusive"
    );
    assert_eq!(
        listed(store, ShowtimeFilter { to: Some(at(180)), ..filter() }).await,
        [s1.id, s3.id],
        "to is exclusive"
    );
    let window = ShowtimeFilter { from: Some(at(1)), to: Some(at(181)), film_id: Some(f2), ..filter() };
    assert_eq!(listed(store, window).await, [s2.id], "filters combine");
    let page = store.list_showtimes(&filter(), PageRequest { offset: 1, limit: 1 }).await.expect("list_showtimes");
    assert_eq!((page.total, page.items.len()), (3, 1), "page total counts all matches");
    assert_eq!(page.items[0].id, s3.id, "second by start time");

    store.delete_showtime(s3.id, T0).await.expect("delete_showtime");
    assert_eq!(store.showtime(s3.id).await.expect("showtime"), None, "deleted is invisible");
    assert_eq!(listed(store, filter()).await, [s1.id, s2.id], "deleted is not listed");
    assert!(is_not_found(store.update_showtime(&s3).await, "showtime"), "update deleted: NotFound");
    assert!(is_not_found(store.delete_showtime(s3.id, T0).await, "showtime"), "delete twice: NotFound");
}

async fn refused_with(store: &dyn Storage, s: &Showtime, other: ShowtimeId, what: &str) {
    assert_eq!(store.insert_showtime(s).await, Err(StorageError::Overlap(other)), "{what}");
    assert_eq!(store.showtime(s.id).await.expect("showtime"), None, "{what}: nothing stored");
}

/// Insert refuses overlaps in the same auditorium; back-to-back, other auditoriums,
/// cancelled and deleted showtimes are fine.
pub async fn showtime_overlap_on_insert(store: &dyn Storage) {
    let (film, a1, a2) = (FilmId::new(), AuditoriumId::new(), AuditoriumId::new());
    let base = showtime(film, a1, 120, 240);
    store.insert_showtime(&base).await.expect("insert_showtime");
    refused_with(store, &showtime(film, a1, 180, 300), base.id, "overlapping the end").await;
    refused_with(store, &showtime(film, a1, 60, 180), base.id, "overlapping the start").await;
    refused_with(store, &showtime(film, a1, 150, 170), base.id, "inside").await;
    refused_with(store, &showtime(film, a1, 0, 600), base.id, "around").await;
    refused_with(store, &showtime(film, a1, 120, 240), base.id, "same slot").await;

    let after = showtime(film, a1, 240, 360);
    let before = showtime(film, a1, 0, 120);
    store.insert_showtime(&after).await.expect("back-to-back after is allowed");
    store.insert_showtime(&before).await.expect("back-to-back before is allowed");
    store.insert_showtime(&showtime(film, a2, 120, 240)).await.expect("another auditorium is free");

    let mut cancelled = showtime(film, a1, 400, 500);
    cancelled.status = ShowtimeStatus::Cancelled;
    store.insert_showtime(&cancelled).await.expect("a cancelled showtime is stored");
    store.insert_showtime(&showtime(film, a1, 420, 480)).await.expect("a cancelled showtime does not block");
    let mut cancelled_over = showtime(film, a1, 130, 230);
    cancelled_over.status = ShowtimeStatus::Cancelled;
    store.insert_showtime(&cancelled_over).await.expect("a cancelled showtime is never refused");

    store.delete_showtime(after.id, T0).await.expect("delete_showtime");
    store.insert_showtime(&showtime(film, a1, 250, 350)).await.expect("a deleted showtime does not block");
}

/// Update applies the same rule, ignoring the showtime itself.
pub async fn showtime_overlap_on_update(store: &dyn Storage) {
    let (film, a1, a2) = (FilmId::new(), AuditoriumId::new(), AuditoriumId::new());
    let mut first = showtime(film, a1, 0, 120);
    let mut second = showtime(film, a1, 180, 300);
    store.insert_showtime(&first).await.expect("insert_showtime");
    store.insert_showtime(&second).await.expect("insert_showtime");

    let mut moved = second.clone();
    (moved.details.starts_at, moved.ends_at) = (at(60), at(180));
    assert_eq!(store.update_showtime(&moved).await, Err(StorageError::Overlap(first.id)), "moved into overlap");
    assert_eq!(store.showtime(second.id).await.expect("showtime"), Some(second.clone()), "refused: unchanged");
    (second.details.starts_at, second.ends_at) = (at(120), at(240));
    store.update_showtime(&second).await.expect("moved back-to-back");

    first.details.prices.tiers[0].price_minor = 1400;
    store.update_showtime(&first).await.expect("an update does not overlap itself");
    first.status = ShowtimeStatus::Cancelled;
    store.update_showtime(&first).await.expect("cancel");
    (second.details.starts_at, second.ends_at) = (at(0), at(120));
    store.update_showtime(&second).await.expect("a cancelled showtime does not block");
    first.status = ShowtimeStatus::Scheduled;
    assert_eq!(store.update_showtime(&first).await, Err(StorageError::Overlap(second.id)), "reinstating overlaps");
    second.details.auditorium_id = a2;
    store.update_showtime(&second).await.expect("move to another auditorium");
    store.update_showtime(&first).await.expect("reinstate once the slot is free");
    assert_eq!(store.showtime(first.id).await.expect("showtime"), Some(first), "reads back the last update");
    let unknown = showtime(film, a1, 1000, 1100);
    assert!(is_not_found(store.update_showtime(&unknown).await, "showtime"), "update unknown: NotFound");
}
