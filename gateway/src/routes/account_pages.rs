//! The pages the email links open: `/account/verify-email` and `/account/reset-password`.
//! Opening a link shows a form (so a mail scanner that fetches links consumes nothing);
//! submitting it redeems the single-use token. Pages are self-contained HTML (no scripts)
//! in English and French, and answer `Referrer-Policy: no-referrer` like every response.

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::accounts::links::{self, RESET_PATH, VERIFY_PATH};
use crate::mail::templates::escape_html;
use crate::state::AppState;

/// The page routes (outside `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(VERIFY_PATH, get(verify_form).post(verify_submit))
        .route(RESET_PATH, get(reset_form).post(reset_submit))
}

/// `?token=` of a link.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    /// The link token.
    #[serde(default)]
    pub token: String,
}

/// The verification form.
#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    /// The link token.
    #[serde(default)]
    pub token: String,
}

/// The reset form.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    /// The link token.
    #[serde(default)]
    pub token: String,
    /// The new password.
    #[serde(default)]
    pub new_password: String,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em}}\
         input,button{{font-size:1em;padding:.4em}}</style></head><body><h1>{title}</h1>{body}</body></html>",
        title = escape_html(title)
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

async fn verify_form(Query(q): Query<TokenQuery>) -> Response {
    let body = format!(
        "<p>Confirm your email address. / Confirmez votre adresse e-mail.</p>\
         <form method=\"post\" action=\"{VERIFY_PATH}\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
         <button type=\"submit\">Confirm / Confirmer</button></form>",
        escape_html(&q.token)
    );
    page(StatusCode::OK, "boxoffice", &body)
}

async fn verify_submit(State(state): State<AppState>, Form(form): Form<VerifyForm>) -> Response {
    match links::verify_email(&state, &form.token).await {
        Ok(_) => page(StatusCode::OK, "boxoffice", "<p>Your email is confirmed. / Votre adresse est confirmée.</p>"),
        Err(error) => {
            let problem = error.problem();
            page(problem.status, "boxoffice", &format!("<p>{}</p>", escape_html(&problem.detail)))
        }
    }
}

async fn reset_form(Query(q): Query<TokenQuery>) -> Response {
    let body = format!(
        "<p>Choose a new password (at least 10 characters). / Choisissez un nouveau mot de passe (10 caractères minimum).</p>\
         <form method=\"post\" action=\"{RESET_PATH}\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
         <p><input type=\"password\" name=\"new_password\" minlength=\"10\" maxlength=\"128\" required autocomplete=\"new-password\"></p>\
         <button type=\"submit\">Save / Enregistrer</button></form>",
        escape_html(&q.token)
    );
    page(StatusCode::OK, "boxoffice", &body)
}

async fn reset_submit(State(state): State<AppState>, Form(form): Form<ResetForm>) -> Response {
    match links::reset_password(&state, &form.token, &form.new_password).await {
        Ok(_) => page(
            StatusCode::OK,
            "boxoffice",
            "<p>Your password is changed; sign in again. / Votre mot de passe est changé ; reconnectez-vous.</p>",
        ),
        Err(error) => {
            let problem = error.problem();
            page(problem.status, "boxoffice", &format!("<p>{}</p>", escape_html(&problem.detail)))
        }
    }
}
