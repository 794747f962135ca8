//! Staff moderation of reviews from a film's page: hiding a review asks for confirmation
//! first (`GET /reviews/{id}/hide`), then hides it; a hidden review is listed to staff under
//! the visible ones and can be shown again in one step. Both changes go through the API
//! in-process (`/api/v1/reviews/{id}/hide|unhide`), so they are checked and audited.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use boxoffice_storage::{Review, ReviewId};
use maud::{Markup, html};

use super::admin::{guard, widgets};
use super::context::Page;
use super::errors;
use super::i18n::Arg;
use super::layout::{self, Area};
use crate::auth::Permission;
use crate::state::AppState;

/// The moderation routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/reviews/{id}/hide", get(hide_form).post(hide)).route("/reviews/{id}/unhide", post(unhide))
}

/// The moderator's controls under a visible review: a link to the hide confirmation.
#[must_use]
pub fn hide_link(page: &Page, review: &Review) -> Markup {
    html! { p { a href=(format!("/reviews/{}/hide", review.id)) { (page.t("review-hide")) } } }
}

/// The hidden reviews of a film, each with a button to show it again (staff only).
#[must_use]
pub fn hidden_list(page: &Page, hidden: &[Review]) -> Markup {
    html! {
        @if !hidden.is_empty() {
            h3 { (page.t("reviews-hidden-title")) }
            ul class="hidden-reviews" {
                @for review in hidden {
                    li {
                        (page.tr.with("review-hidden-by", &[("author", Arg::Text(&review.author)), ("rating", Arg::Number(i64::from(review.rating)))]))
                        @if !review.comment.is_empty() { " — " (review.comment) }
                        form class="inline" method="post" action=(format!("/reviews/{}/unhide", review.id)) {
                            (layout::csrf_field(page))
                            " "
                            button type="submit" class="secondary" { (page.t("review-unhide")) }
                        }
                    }
                }
            }
        }
    }
}

/// The review `raw` names, for a staff member who manages the catalog.
async fn load(state: &AppState, page: &Page, raw: &str) -> Result<Review, Response> {
    guard::require(page, Permission::ManageCatalog).map_err(|response| *response)?;
    let Ok(id) = raw.parse::<ReviewId>() else { return Err(errors::not_found(page, Area::Site)) };
    errors::found(page, Area::Site, state.accounts.review(id).await).map_err(|response| *response)
}

async fn hide_form(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    let review = match load(&state, &page, &raw).await {
        Ok(review) => review,
        Err(response) => return response,
    };
    let question = page.tr.with("review-hide-question", &[("author", Arg::Text(&review.author))]);
    let title = page.t("review-hide");
    let body = html! {
        h1 { (title) }
        @if !review.comment.is_empty() { blockquote { p { (review.comment) } } }
        (widgets::confirm(&page, &question, &format!("/reviews/{}/hide", review.id), "review-hide", &format!("/films/{}#reviews", review.film_id), None))
    };
    layout::respond(StatusCode::OK, layout::shell(&page, Area::Site, &title, body))
}

/// Calls the API's `hide` or `unhide` for the review, then goes back to the film's reviews.
async fn moderate(state: &AppState, page: &Page, raw: &str, action: &str) -> Response {
    let review = match load(state, page, raw).await {
        Ok(review) => review,
        Err(response) => return response,
    };
    match super::admin::api::call(state, page, Method::POST, &format!("/reviews/{}/{action}", review.id), None).await {
        Ok(_) => Redirect::to(&format!("/films/{}#reviews", review.film_id)).into_response(),
        Err(failure) => {
            layout::message_page(page, Area::Site, failure.status, &page.t("error-title"), &failure.message(page))
        }
    }
}

async fn hide(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    moderate(&state, &page, &raw, "hide").await
}

async fn unhide(State(state): State<AppState>, page: Page, Path(raw): Path<String>) -> Response {
    moderate(&state, &page, &raw, "unhide").await
}
