//! Static assets compiled into the binary: the stylesheet, the two small scripts (live seat
//! map, hold countdown), and generated poster images for films whose poster is
//! `/static/posters/{slug}.svg` (the demo films), so the site needs no files beside it.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// The stylesheet's URL.
pub const STYLESHEET: &str = "/static/site.css";
/// The live seat map script's URL.
pub const SEATMAP_JS: &str = "/static/seatmap.js";
/// The hold countdown script's URL.
pub const COUNTDOWN_JS: &str = "/static/countdown.js";

const CSS: &str = include_str!("../../static/site.css");
const SEATMAP: &str = include_str!("../../static/seatmap.js");
const COUNTDOWN: &str = include_str!("../../static/countdown.js");

/// The asset routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(STYLESHEET, get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route(SEATMAP_JS, get(|| async { asset("text/javascript; charset=utf-8", SEATMAP) }))
        .route(COUNTDOWN_JS, get(|| async { asset("text/javascript; charset=utf-8", COUNTDOWN) }))
        .route("/static/posters/{file}", get(poster))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

async fn poster(Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".svg").filter(|s| valid_slug(s)) else {
        return (StatusCode::NOT_FOUND, "no such poster: posters are /static/posters/{slug}.svg").into_response();
    };
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], poster_svg(slug))
        .into_response()
}

fn valid_slug(slug: &str) -> bool {
    (1..=80).contains(&slug.len()) && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A poster for `slug`: a two-colour gradient chosen from the slug, and its words as the title.
#[must_use]
pub fn poster_svg(slug: &str) -> String {
    let hash = slug.bytes().fold(2_166_136_261_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16_777_619));
    let hue = hash % 360;
    let hue2 = (hue + 40 + (hash >> 9) % 80) % 360;
    let mut words: Vec<String> = Vec::new();
    for w in slug.split('-').filter(|w| !w.is_empty()) {
        match (w, words.last_mut()) {
            // "keeper-s" was "Keeper's".
            ("s", Some(last)) => last.push_str("'s"),
            _ => {
                let mut chars = w.chars();
                words.push(
                    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default(),
                );
            }
        }
    }
    // Two words a line, at most four lines.
    let lines: Vec<String> = words.chunks(2).take(4).map(|c| c.join(" ")).collect();
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        let y = 150 + i * 34;
        text.push_str(&format!(r#"<text x="100" y="{y}" text-anchor="middle">{line}</text>"#));
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" width="200" height="300"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl({hue},55%,32%)"/><stop offset="1" stop-color="hsl({hue2},60%,14%)"/></linearGradient></defs><rect width="200" height="300" fill="url(#g)"/><circle cx="100" cy="70" r="34" fill="none" stroke="#fff" stroke-opacity=".35" stroke-width="6"/><g fill="#fff" font-family="sans-serif" font-size="22" font-weight="bold">{text}</g></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posters_are_made_from_safe_slugs_only() {
        assert!(valid_slug("the-long-night-2"));
        assert!(!valid_slug("../etc"));
        assert!(!valid_slug("<script>"));
        assert!(!valid_slug(""));
        let svg = poster_svg("the-long-night");
        assert!(svg.contains(">The Long</text>") && svg.contains(">Night</text>"), "{svg}");
        assert!(poster_svg("the-keeper-s-daughter").contains(">The Keeper's</text>"));
        assert_eq!(poster_svg("a"), poster_svg("a"));
        assert_ne!(poster_svg("a"), poster_svg("b"));
    }
}
