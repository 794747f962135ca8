//! Translations of the web pages: Fluent files in `gateway/locales/{en,fr}/*.ftl`, compiled
//! into the binary, parsed once, and chosen per request (see [`negotiate`]).
//!
//! Templates never hold a sentence: they ask [`Tr::t`] for a message id. A missing id
//! renders as the id itself (and a unit test checks that English and French define the
//! same ids, so that cannot ship).

use std::sync::LazyLock;

use axum::http::HeaderMap;
use boxoffice_storage::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::security::cookies;

/// The cookie remembering the visitor's language.
pub const LANGUAGE_COOKIE: &str = "boxoffice_lang";

/// The Fluent sources of one language, in load order.
const ENGLISH: &[&str] = &[
    include_str!("../../locales/en/common.ftl"),
    include_str!("../../locales/en/site.ftl"),
    include_str!("../../locales/en/admin.ftl"),
];
const FRENCH: &[&str] = &[
    include_str!("../../locales/fr/common.ftl"),
    include_str!("../../locales/fr/site.ftl"),
    include_str!("../../locales/fr/admin.ftl"),
];

/// Both languages' bundles.
pub struct Translations {
    english: FluentBundle<FluentResource>,
    french: FluentBundle<FluentResource>,
}

/// The translations, parsed on first use.
pub static TRANSLATIONS: LazyLock<Translations> = LazyLock::new(Translations::load);

fn bundle(language: &str, sources: &[&str]) -> FluentBundle<FluentResource> {
    let id = language.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: pages are HTML, not bidi text.
    bundle.set_use_isolating(false);
    for source in sources {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                tracing::error!(language, ?errors, "translation file has syntax errors");
                resource
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(language, ?errors, "translation ids defined twice");
        }
    }
    bundle
}

impl Translations {
    fn load() -> Self {
        Self { english: bundle("en", ENGLISH), french: bundle("fr", FRENCH) }
    }

    fn bundle(&self, language: Language) -> &FluentBundle<FluentResource> {
        match language {
            Language::En => &self.english,
            Language::Fr => &self.french,
        }
    }

    /// The message `id` in `language`, with `args`; the id itself when it is missing.
    #[must_use]
    pub fn format(&self, language: Language, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle(language);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, language = language.as_str(), "missing translation");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "translation formatting errors");
        }
        text.into_owned()
    }

    /// Whether `id` exists (in English, the reference language).
    #[must_use]
    pub fn has(&self, id: &str) -> bool {
        self.english.has_message(id)
    }
}

/// A translator bound to one language: what templates use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr(pub Language);

impl Tr {
    /// The message `id`.
    #[must_use]
    pub fn t(self, id: &str) -> String {
        TRANSLATIONS.format(self.0, id, None)
    }

    /// The message `id` with named arguments (strings or numbers).
    #[must_use]
    pub fn with<'a>(self, id: &str, args: &[(&'a str, Arg<'a>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Text(s) => FluentValue::from(*s),
                Arg::Number(n) => FluentValue::from(*n),
            };
            fluent.set(*name, value);
        }
        TRANSLATIONS.format(self.0, id, Some(&fluent))
    }

    /// The language.
    #[must_use]
    pub const fn language(self) -> Language {
        self.0
    }
}

/// An argument of a message.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    /// Text, inserted as is (the template escapes it).
    Text(&'a str),
    /// A number (plural rules apply).
    Number(i64),
}

/// The language of a request: an explicit `?lang=`, then the language cookie (set by the
/// switcher and at sign-in from the account's setting), then `Accept-Language`, then English.
#[must_use]
pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap) -> Language {
    if let Some(language) = query_lang.and_then(|l| l.parse().ok()) {
        return language;
    }
    if let Some(language) = cookies::get(headers, LANGUAGE_COOKIE).and_then(|l| l.parse().ok()) {
        return language;
    }
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(from_accept_language)
        .unwrap_or_default()
}

/// The preferred supported language of an `Accept-Language` header, by quality.
#[must_use]
pub fn from_accept_language(header: &str) -> Option<Language> {
    let mut best: Option<(u16, Language)> = None;
    for item in header.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality =
            parts.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let Ok(language) = primary.parse::<Language>() else { continue };
        // Quality in thousandths; the first of equal qualities wins.
        let q = (quality.clamp(0.0, 1.0) * 1000.0) as u16;
        if q > 0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, language));
        }
    }
    best.map(|(_, language)| language)
}

/// A price tier's name in `language` (`full` → "Plein tarif"); a custom tier without a
/// translation reads as its code with spaces.
#[must_use]
pub fn tier_label(language: Language, tier: &str) -> String {
    let id = format!("tier-{tier}");
    if TRANSLATIONS.has(&id) { Tr(language).t(&id) } else { tier.replace('_', " ") }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use axum::http::HeaderValue;

    use super::*;

    fn ids(sources: &[&str]) -> BTreeSet<String> {
        sources
            .iter()
            .flat_map(|s| s.lines())
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    #[test]
    fn english_and_french_define_the_same_messages_and_parse() {
        let en = ids(ENGLISH);
        let fr = ids(FRENCH);
        let only_en: Vec<_> = en.difference(&fr).collect();
        let only_fr: Vec<_> = fr.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in French: {only_en:?}");
        assert!(only_fr.is_empty(), "missing in English: {only_fr:?}");
        for source in ENGLISH.iter().chain(FRENCH) {
            if let Err((_, errors)) = FluentResource::try_new((*source).to_owned()) {
                panic!("syntax errors: {errors:?}");
            }
        }
        assert!(en.len() > 20);
    }

    /// The `.ftl` files of `locales/{language}`: file name → its message ids.
    fn locale_dir(language: &str) -> std::collections::BTreeMap<String, BTreeSet<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(language);
        let mut files = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(&dir).expect("locale dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "ftl") {
                let text = std::fs::read_to_string(&path).expect("read");
                let name = path.file_name().expect("name").to_string_lossy().into_owned();
                files.insert(name, ids(&[text.as_str()]));
            }
        }
        files
    }

    #[test]
    fn both_locale_dirs_hold_the_same_files_and_ids_and_all_are_compiled_in() {
        let en = locale_dir("en");
        let fr = locale_dir("fr");
        assert_eq!(en.keys().collect::<Vec<_>>(), fr.keys().collect::<Vec<_>>(), "the same files");
        for (file, ids_en) in &en {
            let ids_fr = &fr[file];
            let only_en: Vec<_> = ids_en.difference(ids_fr).collect();
            let only_fr: Vec<_> = ids_fr.difference(ids_en).collect();
            assert!(only_en.is_empty() && only_fr.is_empty(), "{file}: only in en {only_en:?}, only in fr {only_fr:?}");
        }
        assert_eq!(en.len(), ENGLISH.len(), "every file of locales/en is compiled in");
        assert_eq!(fr.len(), FRENCH.len(), "every file of locales/fr is compiled in");
        let on_disk: BTreeSet<String> = en.values().flatten().cloned().collect();
        assert_eq!(on_disk, ids(ENGLISH));
    }

    /// Kebab-case string literals of the web module's code (tests and comment lines left
    /// out) that are not HTML ids, `for`s, `autocomplete` tokens or classes.
    fn message_like_literals() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"), &mut files);
        let mut found = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or("")
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut rest = code.as_str();
            while let Some(start) = rest.find('"') {
                let before = &rest[..start];
                let after = &rest[start + 1..];
                let Some(end) = after.find('"') else { break };
                let literal = &after[..end];
                rest = &after[end + 1..];
                let kebab = literal.contains('-')
                    && literal.starts_with(|c: char| c.is_ascii_lowercase())
                    && literal.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                let attribute = ["id=", "for=", "autocomplete=", "class=", "aria-labelledby=", "aria-describedby="]
                    .iter()
                    .any(|a| before.trim_end().ends_with(a));
                if kebab && !attribute {
                    found.push((file.display().to_string(), literal.to_owned()));
                }
            }
        }
        found
    }

    #[test]
    fn every_message_id_in_the_templates_exists() {
        // Not messages: header names and values, `?notice=` codes (mapped to ids in code),
        // `autocomplete` tokens passed to form helpers.
        const NOT_MESSAGES: &[&str] = &[
            "accept-language",
            "no-store",
            "server-timing",
            "utf-8",
            "hold-expired",
            "hold-released",
            "booking-cancelled",
            "signed-in",
            "verification-sent",
            "current-password",
            "new-password",
            "given-name",
            "family-name",
            "one-time-code",
        ];
        let css = include_str!("../../static/site.css");
        let missing: Vec<_> = message_like_literals()
            .into_iter()
            .filter(|(_, id)| !NOT_MESSAGES.contains(&id.as_str()) && !css.contains(&format!(".{id}")))
            .filter(|(_, id)| !(TRANSLATIONS.english.has_message(id) && TRANSLATIONS.french.has_message(id)))
            .collect();
        assert!(missing.is_empty(), "message ids used in templates but missing from the .ftl files: {missing:?}");
    }

    #[test]
    fn messages_format_with_arguments() {
        assert_eq!(Tr(Language::En).t("nav-home"), "Films");
        assert_eq!(Tr(Language::Fr).t("nav-home"), "Films");
        assert_eq!(Tr(Language::En).t("no-such-message"), "no-such-message");
        let seats = Tr(Language::Fr).with("seats-left", &[("count", Arg::Number(1))]);
        assert_eq!(seats, "1 place restante");
        let seats = Tr(Language::En).with("seats-left", &[("count", Arg::Number(12))]);
        assert_eq!(seats, "12 seats left");
    }

    #[test]
    fn negotiation_prefers_query_then_cookie_then_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(negotiate(None, &headers), Language::En);
        headers.insert("accept-language", HeaderValue::from_static("de-DE, fr-CA;q=0.8, en;q=0.5"));
        assert_eq!(negotiate(None, &headers), Language::Fr);
        headers.insert("cookie", HeaderValue::from_static("boxoffice_lang=en"));
        assert_eq!(negotiate(None, &headers), Language::En);
        assert_eq!(negotiate(Some("fr"), &headers), Language::Fr);
        assert_eq!(negotiate(Some("xx"), &headers), Language::En);
        assert_eq!(from_accept_language("en;q=0, fr;q=0.1"), Some(Language::Fr));
        assert_eq!(from_accept_language("*"), None);
        assert_eq!(from_accept_language(";;;,,q=x"), None);
    }
}
