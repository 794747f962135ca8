//! Form pieces the console's pages share: labelled inputs, the delete confirmation, the
//! notice after a redirect, and comma-separated lists.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use crate::web::context::Page;
use crate::web::layout::{self, Area, Tone};

/// A console page: the title as its heading, then `body`.
#[must_use]
pub fn respond(page: &Page, status: StatusCode, title: &str, body: Markup) -> Response {
    layout::respond(status, layout::shell(page, Area::Admin, title, html! { h1 { (title) } (body) }))
}

/// A labelled text-like input.
#[must_use]
pub fn input(page: &Page, name: &str, label_id: &str, kind: &str, value: &str, required: bool) -> Markup {
    html! {
        div class="field" {
            label for=(name) { (page.t(label_id)) @if required { " *" } }
            input type=(kind) id=(name) name=(name) value=(value) required[required];
        }
    }
}

/// A labelled input with a hint under it.
#[must_use]
pub fn input_with_hint(page: &Page, name: &str, label_id: &str, value: &str, hint_id: &str) -> Markup {
    let hint = format!("{name}-hint");
    html! {
        div class="field" {
            label for=(name) { (page.t(label_id)) }
            input type="text" id=(name) name=(name) value=(value) aria-describedby=(hint);
            p class="hint" id=(hint) { (page.t(hint_id)) }
        }
    }
}

/// The notice of a `?notice=` after a console redirect.
#[must_use]
pub fn saved_notice(page: &Page, notice: &str) -> Option<Markup> {
    let id = match notice {
        "saved" => "admin-saved",
        "deleted" => "admin-deleted",
        "cancelled" => "admin-cancelled",
        _ => return None,
    };
    Some(layout::notice(Tone::Success, &page.t(id)))
}

/// A confirmation page body: the question, a POST form (with an optional cascade
/// checkbox, labelled by the message `cascade`) and a way back.
#[must_use]
pub fn confirm(
    page: &Page,
    question: &str,
    action: &str,
    button_id: &str,
    back: &str,
    cascade: Option<&str>,
) -> Markup {
    html! {
        p { (question) }
        form method="post" action=(action) {
            (layout::csrf_field(page))
            @if let Some(label) = cascade {
                div class="field" {
                    input type="checkbox" id="cascade" name="cascade";
                    label for="cascade" style="display:inline;margin-left:.4rem" { (page.t(label)) }
                }
            }
            div class="actions" {
                button type="submit" class="danger" { (page.t(button_id)) }
                a href=(back) { (page.t("admin-keep")) }
            }
        }
    }
}

/// `a, b ,c` → `["a", "b", "c"]` (empty items dropped).
#[must_use]
pub fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_are_split_on_commas() {
        assert_eq!(super::list(" a, b ,,c "), ["a", "b", "c"]);
        assert!(super::list(" , ").is_empty());
    }
}
