//! Reviews on a film's page: the average and the visible reviews; a form for a customer who
//! may review (had a booking whose showtime ended, not reviewed yet); and for staff who
//! manage the catalog, the hide and show-again controls of [`super::review_moderation`].

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use boxoffice_storage::{Film, FilmId, PageRequest};
use maud::{Markup, html};

use super::context::Page;
use super::errors;
use super::format;
use super::forms::{FormData, to_login};
use super::i18n::Arg;
use super::layout::{self, Area, Tone};
use super::review_moderation;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::routes::reviews::{film_reviews, may_review, submit_review};
use crate::state::AppState;

/// The review routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/films/{id}/reviews", post(create))
}

/// "★★★★☆" for screens, with the number spelled out for screen readers.
fn stars(page: &Page, rating: u8) -> Markup {
    let full = usize::from(rating.min(5));
    html! {
        span class="stars" role="img" aria-label=(page.tr.with("review-stars", &[("rating", Arg::Number(i64::from(rating)))])) {
            ("★".repeat(full)) ("☆".repeat(5 - full))
        }
    }
}

/// The reviews section of a film's page.
///
/// # Errors
/// Storage failures.
pub async fn section(state: &AppState, page: &Page, film: &Film, notice: Option<Markup>) -> Result<Markup, ApiError> {
    let (summary, reviews) = film_reviews(state, film.id, PageRequest { offset: 0, limit: 50 }).await?;
    let can_write = match page.customer() {
        Some(customer) => {
            let already = state.accounts.film_reviews(film.id, true, PageRequest { offset: 0, limit: 200 }).await?;
            !already.items.iter().any(|r| r.customer_id == customer) && may_review(state, customer, film.id).await?
        }
        None => false,
    };
    let moderator = page.identity.is_some_and(|i| i.principal.allows(Permission::ManageCatalog));
    let hidden = if moderator {
        let all = state.accounts.film_reviews(film.id, true, PageRequest { offset: 0, limit: 200 }).await?;
        all.items.into_iter().filter(|r| r.hidden).collect()
    } else {
        Vec::new()
    };
    let average = summary.average_tenths.map(|t| {
        format!("{}{}{}", t / 10, if page.language() == boxoffice_storage::Language::Fr { "," } else { "." }, t % 10)
    });
    Ok(html! {
        section aria-labelledby="reviews" {
            h2 id="reviews" { (page.t("reviews-title")) }
            @if let Some(notice) = notice { (notice) }
            @if let Some(average) = &average {
                p { (page.tr.with("reviews-average", &[("average", Arg::Text(average)), ("count", Arg::Number(i64::from(summary.count)))])) }
            } @else {
                p { (page.t("reviews-none")) }
            }
            @for review in &reviews.items {
                article class="review" {
                    p { (stars(page, review.rating)) " " strong { (review.author) } " · "
                        time datetime=(format::machine(review.created_at)) { (format::day(page.language(), format::local(page.tz, review.created_at).date_naive())) } }
                    @if !review.comment.is_empty() { p { (review.comment) } }
                    @if moderator { (review_moderation::hide_link(page, review)) }
                }
            }
            @if moderator { (review_moderation::hidden_list(page, &hidden)) }
            @if can_write { (review_form(page, film.id, &FormData::default())) }
        }
    })
}

fn review_form(page: &Page, film: FilmId, form: &FormData) -> Markup {
    let rating = form.get("rating");
    html! {
        form method="post" action=(format!("/films/{film}/reviews")) {
            (layout::csrf_field(page))
            fieldset {
                legend { (page.t("review-write")) }
                div class="field" {
                    label for="rating" { (page.t("field-rating")) }
                    select id="rating" name="rating" required {
                        @for n in (1..=5).rev() {
                            option value=(n) selected[rating == n.to_string()] { (page.tr.with("review-stars", &[("rating", Arg::Number(n))])) }
                        }
                    }
                }
                div class="field" {
                    label for="comment" { (page.t("field-comment")) }
                    textarea id="comment" name="comment" maxlength="2000" { (form.get("comment")) }
                }
                button type="submit" { (page.t("review-submit")) }
            }
        }
    }
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(film) = raw.parse::<FilmId>() else { return errors::not_found(&page, Area::Site) };
    let Some(customer) = page.customer() else { return to_login(&format!("/films/{film}")).into_response() };
    let form = FormData(form);
    let Ok(rating) = form.get("rating").parse::<u8>() else {
        return super::film::page_with_notice(
            &state,
            &page,
            film,
            StatusCode::UNPROCESSABLE_ENTITY,
            layout::notice(Tone::Error, &page.t("review-bad-rating")),
        )
        .await;
    };
    match submit_review(&state, customer, film, rating, form.get("comment")).await {
        Ok(_) => Redirect::to(&format!("/films/{film}#reviews")).into_response(),
        Err(error) => {
            super::film::page_with_notice(&state, &page, film, error.status(), errors::notice(&page, &error)).await
        }
    }
}
