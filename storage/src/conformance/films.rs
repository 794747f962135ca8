//! Film cases: CRUD, every filter, pagination and soft deletes.

use super::fixtures::{T0, film, join_all};
use crate::catalog::{Film, FilmFilter, PageRequest};
use crate::error::StorageError;
use crate::ids::FilmId;
use crate::{Storage, StorageResult};

async fn titles(store: &dyn Storage, filter: FilmFilter) -> Vec<String> {
    let page = store.list_films(&filter, PageRequest { offset: 0, limit: 200 }).await.expect("list_films");
    assert_eq!(page.total, page.items.len() as u64, "total of {filter:?}");
    page.items.into_iter().map(|f| f.details.title).collect()
}

/// Insert, read, update; unknown ids.
pub async fn films_crud(store: &dyn Storage) {
    let mut dune = film("Dune", "Denis Villeneuve", 155);
    store.insert_film(&dune).await.expect("insert_film");
    assert_eq!(store.film(dune.id).await.expect("film"), Some(dune.clone()), "film reads back as inserted");
    assert!(store.insert_film(&dune).await.is_err(), "a second insert with the same id is refused");

    dune.details.title = "Dune: Part One".into();
    dune.details.cast = vec!["Zendaya".into()];
    store.update_film(&dune).await.expect("update_film");
    assert_eq!(store.film(dune.id).await.expect("film"), Some(dune.clone()), "update replaces the details");

    let ghost = film("Ghost", "Nobody", 90);
    assert_eq!(store.film(ghost.id).await.expect("film"), None, "unknown film is None");
    assert!(
        matches!(store.update_film(&ghost).await, Err(StorageError::NotFound { entity: "film", .. })),
        "updating an unknown film is NotFound"
    );
}

fn catalog() -> [Film; 4] {
    let mut dune = film("Dune", "Denis Villeneuve", 155);
    dune.details.cast = vec!["Timothée Chalamet".into(), "Zendaya".into()];
    dune.details.genres = vec!["science-fiction".into(), "drama".into()];
    dune.details.spoken_languages = vec!["en".into()];
    dune.details.subtitle_languages = vec!["fr".into()];
    let mut amelie = film("Amélie", "Jean-Pierre Jeunet", 122);
    amelie.details.original_title = Some("Le Fabuleux Destin d'Amélie Poulain".into());
    amelie.details.cast = vec!["Audrey Tautou".into()];
    amelie.details.genres = vec!["comedy".into(), "romance".into()];
    amelie.details.spoken_languages = vec!["fr".into()];
    amelie.details.subtitle_languages = vec!["en".into(), "de".into()];
    let mut parasite = film("Parasite", "Bong Joon-ho", 132);
    parasite.details.cast = vec!["Song Kang-ho".into()];
    parasite.details.genres = vec!["thriller".into(), "drama".into()];
    parasite.details.spoken_languages = vec!["ko".into()];
    parasite.details.subtitle_languages = vec!["en".into()];
    let mut short = film("Short", "Someone Else", 12);
    short.details.genres = vec!["animation".into()];
    short.details.spoken_languages = vec!["en".into()];
    [dune, amelie, parasite, short]
}

/// Genre, language, duration and text filters, alone and combined.
pub async fn film_filters(store: &dyn Storage) {
    for f in catalog() {
        store.insert_film(&f).await.expect("insert_film");
    }
    let by = |genre: Option<&str>, language: Option<&str>, max: Option<u32>, text: Option<&str>| FilmFilter {
        genre: genre.map(Into::into),
        language: language.map(Into::into),
        max_duration_minutes: max,
        text: text.map(Into::into),
    };
    let all = titles(store, FilmFilter::default()).await;
    assert_eq!(all, ["Amélie", "Dune", "Parasite", "Short"], "no filter: all, by title");
    assert_eq!(titles(store, by(Some("drama"), None, None, None)).await, ["Dune", "Parasite"], "genre");
    assert!(titles(store, by(Some("dram"), None, None, None)).await.is_empty(), "genre matches whole names only");
    assert_eq!(titles(store, by(None, Some("fr"), None, None)).await, ["Amélie", "Dune"], "spoken or subtitled");
    assert_eq!(titles(store, by(None, Some("de"), None, None)).await, ["Amélie"], "subtitle language");
    assert_eq!(titles(store, by(None, Some("ko"), None, None)).await, ["Parasite"], "spoken language");
    assert_eq!(titles(store, by(None, None, Some(132), None)).await, ["Amélie", "Parasite", "Short"], "max duration");
    assert!(titles(store, by(None, None, Some(11), None)).await.is_empty(), "max duration below all");
    let text_cases = [
        ("villeneuve", "Dune"),
        ("ZENDAYA", "Dune"),
        ("fabuleux destin", "Amélie"),
        ("AMÉLIE", "Amélie"),
        ("joon", "Parasite"),
        ("para", "Parasite"),
    ];
    for (text, title) in text_cases {
        assert_eq!(titles(store, by(None, None, None, Some(text))).await, [title], "text {text:?}");
    }
    assert!(titles(store, by(None, None, None, Some("%"))).await.is_empty(), "text has no wildcards");
    assert!(titles(store, by(None, None, None, Some("drama"))).await.is_empty(), "text does not search genres");
    let combined = by(Some("drama"), Some("en"), Some(140), None);
    assert_eq!(titles(store, combined).await, ["Parasite"], "filters combine with AND");
}

/// Pages, totals, the order of equal titles and the limit clamp.
pub async fn film_pagination(store: &dyn Storage) {
    let films: Vec<Film> = (0..205).map(|i| film(&format!("Film {i:03}"), "Director", 100)).collect();
    let inserts = films.iter().rev().map(|f| store.insert_film(f)).collect();
    for result in join_all(inserts).await {
        result.expect("insert_film");
    }
    let all = FilmFilter::default();
    let page = store.list_films(&all, PageRequest { offset: 10, limit: 3 }).await.expect("list_films");
    let got: Vec<_> = page.items.iter().map(|f| f.details.title.as_str()).collect();
    assert_eq!(got, ["Film 010", "Film 011", "Film 012"], "offset and limit");
    assert_eq!((page.total, page.offset, page.limit), (205, 10, 3), "page header");
    let last = store.list_films(&all, PageRequest { offset: 204, limit: 10 }).await.expect("list_films");
    assert_eq!(last.items.len(), 1, "last page is short");
    let beyond = store.list_films(&all, PageRequest { offset: 500, limit: 10 }).await.expect("list_films");
    assert!(beyond.items.is_empty() && beyond.total == 205, "past the end: empty, total kept");
    let huge = store.list_films(&all, PageRequest { offset: 0, limit: 10_000 }).await.expect("list_films");
    assert_eq!((huge.items.len(), huge.limit), (200, 200), "limit clamped to 200");
    let zero = store.list_films(&all, PageRequest { offset: 0, limit: 0 }).await.expect("list_films");
    assert_eq!((zero.items.len(), zero.limit), (1, 1), "limit clamped to 1");

    let mut twins: Vec<Film> = (0..2).map(|_| film("Twin", "Director", 90)).collect();
    twins[0].id = FilmId::from_uuid(uuid::Uuid::from_u128(2));
    twins[1].id = FilmId::from_uuid(uuid::Uuid::from_u128(1));
    for twin in &twins {
        store.insert_film(twin).await.expect("insert_film");
    }
    let text = FilmFilter { text: Some("twin".into()), ..FilmFilter::default() };
    let page = store.list_films(&text, PageRequest::default()).await.expect("list_films");
    let ids: Vec<_> = page.items.iter().map(|f| f.id).collect();
    assert_eq!(ids, [twins[1].id, twins[0].id], "equal titles are ordered by id");
}

/// Deleted films disappear from reads, listings, updates and deletes.
pub async fn film_soft_delete(store: &dyn Storage) {
    let kept = film("Kept", "Director", 100);
    let gone = film("Gone", "Director", 100);
    store.insert_film(&kept).await.expect("insert_film");
    store.insert_film(&gone).await.expect("insert_film");
    store.delete_film(gone.id, T0).await.expect("delete_film");
    assert_eq!(store.film(gone.id).await.expect("film"), None, "deleted film is not readable");
    assert_eq!(titles(store, FilmFilter::default()).await, ["Kept"], "deleted film is not listed");
    let search = FilmFilter { text: Some("gone".into()), ..FilmFilter::default() };
    assert!(titles(store, search).await.is_empty(), "deleted film is not found by filters");
    let not_found = |r: StorageResult<()>| matches!(r, Err(StorageError::NotFound { entity: "film", .. }));
    assert!(not_found(store.update_film(&gone).await), "updating a deleted film is NotFound");
    assert!(not_found(store.delete_film(gone.id, T0).await), "deleting twice is NotFound");
    assert!(not_found(store.delete_film(FilmId::new(), T0).await), "deleting an unknown film is NotFound");
    assert_eq!(store.film(kept.id).await.expect("film"), Some(kept), "the other film is untouched");
}
