//! Reading posted forms. A form is read as its list of pairs (so repeated fields such as
//! the chosen seats come through) and fields are taken by name; the CSRF middleware has
//! already checked `csrf_token`.

use axum::response::Redirect;

/// The pairs of a posted form.
#[derive(Clone, Debug, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, trimmed ("" when absent).
    #[must_use]
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
    }

    /// The first value of `name`, untrimmed (passwords).
    #[must_use]
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    #[must_use]
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }

    /// The first value of `name` when not empty.
    #[must_use]
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// Whether a checkbox `name` was ticked.
    #[must_use]
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }

    /// Pairs whose name starts with `prefix`, with the prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.0.iter().filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.trim())))
    }
}

/// A 303 to the sign-in page, coming back to `next` afterwards.
pub fn to_login(next: &str) -> Redirect {
    Redirect::to(&format!("/login?next={}", super::layout::urlencode(next)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_by_name() {
        let form = FormData(vec![
            ("seat".into(), "A1".into()),
            ("seat".into(), " A2 ".into()),
            ("tier_A1".into(), "child".into()),
            ("name".into(), "  Ada ".into()),
            ("ok".into(), "on".into()),
        ]);
        assert_eq!(form.all("seat"), ["A1", "A2"]);
        assert_eq!(form.get("name"), "Ada");
        assert_eq!(form.raw("name"), "  Ada ");
        assert_eq!(form.get("missing"), "");
        assert!(form.checked("ok") && !form.checked("name"));
        assert_eq!(form.with_prefix("tier_").collect::<Vec<_>>(), [("A1", "child")]);
        assert_eq!(form.optional("missing"), None);
    }
}
