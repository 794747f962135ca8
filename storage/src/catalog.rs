//! Catalog records: films, auditoriums, showtimes and their price lists.
//!
//! `*Draft` types are what staff submit (validated by [`FilmDraft::validate`] and friends
//! before they reach storage); the plain types are what storage returns, with ids and
//! bookkeeping fields.

use serde::{Deserialize, Serialize};

use crate::ids::{AuditoriumId, FilmId, ShowtimeId};
use crate::layout::SeatLayout;
use crate::money::{Currency, Money};
use crate::time::Timestamp;

pub use crate::field_error::{FieldError, Param, Reason};

/// Characters that take no room on screen (zero-width spaces and joiners, direction marks,
/// the byte-order mark, the soft hyphen): text made only of them looks empty.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Checks one line of text: no control characters; `min` to `max` characters once the
/// surrounding white space is trimmed, where at least `min` of them are visible.
fn check_text(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    check_chars(field, value, false)?;
    check_length(field, value, min, max)
}

/// Like [`check_text`] for text of several lines (line feeds and tabs allowed).
fn check_multiline(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    check_chars(field, value, true)?;
    check_length(field, value, min, max)
}

fn check_chars(field: &'static str, value: &str, multiline: bool) -> Result<(), FieldError> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    match value.chars().find(|&c| c.is_control() && !allowed(c)) {
        Some(c) => Err(FieldError::new(
            field,
            Reason::ControlCharacter,
            format!("must not contain control characters (found U+{:04X})", u32::from(c)),
        )
        .param("char", format!("U+{:04X}", u32::from(c)))),
        None => Ok(()),
    }
}

fn check_length(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let visible = value.chars().filter(|&c| !c.is_whitespace() && !is_invisible(c)).count();
    if visible < min || value.trim().chars().count() > max {
        return Err(FieldError::length(field, min, max));
    }
    Ok(())
}

fn check_list(field: &'static str, values: &[String], max_items: usize) -> Result<(), FieldError> {
    if values.len() > max_items {
        return Err(FieldError::too_many(field, max_items));
    }
    values.iter().try_for_each(|v| check_text(field, v, 1, 200))
}

/// Trims the white space around `value` (what a form's stray space adds).
fn trim_in_place(value: &mut String) {
    let trimmed = value.trim();
    if trimmed.len() != value.len() {
        *value = trimmed.to_owned();
    }
}

/// A web address with a host (`https://host/...` or `http://host/...`), or a path on this
/// server (`/...`, but not `//host` or `/\host`, which browsers read as another host).
fn check_url(field: &'static str, value: Option<&str>) -> Result<(), FieldError> {
    let Some(url) = value else { return Ok(()) };
    let url = url.trim();
    let host_first = |rest: &str| rest.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '[');
    let well_formed =
        match (url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")), url.strip_prefix('/')) {
            (Some(rest), _) => host_first(rest),
            (None, Some(rest)) => !rest.starts_with(['/', '\\']),
            (None, None) => false,
        };
    if !well_formed || url.chars().any(char::is_whitespace) {
        return Err(FieldError::new(
            field,
            Reason::Url,
            "must be an http(s) URL with a host, or a path starting with /",
        ));
    }
    check_text(field, url, 1, 2000)
}

/// A film as submitted by staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FilmDraft {
    /// Title shown to customers.
    pub title: String,
    /// Title in the original language.
    #[serde(default)]
    pub original_title: Option<String>,
    /// Director(s).
    pub director: String,
    /// Main cast.
    #[serde(default)]
    pub cast: Vec<String>,
    /// Running time in minutes (1 to 600).
    pub duration_minutes: u32,
    /// Genres, lower case (e.g. `drama`).
    #[serde(default)]
    pub genres: Vec<String>,
    /// Age rating / classification (e.g. `PG-13`, `-12`).
    #[serde(default)]
    pub age_rating: Option<String>,
    /// Synopsis.
    #[serde(default)]
    pub synopsis: String,
    /// Poster image URL.
    #[serde(default)]
    pub poster_url: Option<String>,
    /// Trailer URL.
    #[serde(default)]
    pub trailer_url: Option<String>,
    /// Spoken languages (ISO 639-1 codes such as `en`, `fr`).
    #[serde(default)]
    pub spoken_languages: Vec<String>,
    /// Subtitle languages available.
    #[serde(default)]
    pub subtitle_languages: Vec<String>,
    /// Release date (`YYYY-MM-DD`).
    #[serde(default)]
    pub release_date: Option<chrono::NaiveDate>,
}

impl FilmDraft {
    /// Checks every field and normalises genres and languages to lower case.
    ///
    /// # Errors
    /// The first field that is out of bounds.
    pub fn validate(mut self) -> Result<Self, FieldError> {
        check_text("title", &self.title, 1, 300)?;
        if let Some(t) = &self.original_title {
            check_text("original_title", t, 1, 300)?;
        }
        check_text("director", &self.director, 1, 300)?;
        check_list("cast", &self.cast, 50)?;
        if !(1..=600).contains(&self.duration_minutes) {
            return Err(FieldError::range("duration_minutes", 1, 600, "must be between 1 and 600"));
        }
        check_list("genres", &self.genres, 10)?;
        if let Some(r) = &self.age_rating {
            check_text("age_rating", r, 1, 20)?;
        }
        check_multiline("synopsis", &self.synopsis, 0, 10_000)?;
        check_url("poster_url", self.poster_url.as_deref())?;
        check_url("trailer_url", self.trailer_url.as_deref())?;
        for (field, langs) in
            [("spoken_languages", &self.spoken_languages), ("subtitle_languages", &self.subtitle_languages)]
        {
            if langs.len() > 20 || langs.iter().any(|l| l.len() != 2 || !l.chars().all(|c| c.is_ascii_alphabetic())) {
                return Err(FieldError::new(field, Reason::LanguageCode, "ISO 639-1 codes of two letters, at most 20"));
            }
        }
        if let Some(date) = self.release_date {
            use chrono::Datelike;
            if !(1880..=2100).contains(&date.year()) {
                return Err(FieldError::range("release_date", 1880, 2100, "the year must be between 1880 and 2100"));
            }
        }
        self.genres.iter_mut().for_each(|g| *g = g.trim().to_lowercase());
        [&mut self.title, &mut self.director, &mut self.synopsis].into_iter().for_each(trim_in_place);
        self.original_title.iter_mut().chain(&mut self.age_rating).for_each(trim_in_place);
        self.poster_url.iter_mut().chain(&mut self.trailer_url).for_each(trim_in_place);
        self.cast.iter_mut().for_each(trim_in_place);
        self.spoken_languages.iter_mut().for_each(|l| l.make_ascii_lowercase());
        self.subtitle_languages.iter_mut().for_each(|l| l.make_ascii_lowercase());
        Ok(self)
    }
}

/// A film in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Film {
    /// Its id.
    pub id: FilmId,
    /// Its details.
    #[serde(flatten)]
    pub details: FilmDraft,
    /// When it was created.
    pub created_at: Timestamp,
}

/// Filters for listing films. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilmFilter {
    /// Only films with this genre.
    pub genre: Option<String>,
    /// Only films spoken or subtitled in this language.
    pub language: Option<String>,
    /// Only films at most this long.
    pub max_duration_minutes: Option<u32>,
    /// Case-insensitive text search on title, original title, director and cast.
    pub text: Option<String>,
}

/// One page of a listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Items to skip.
    pub offset: u32,
    /// Items to return (1 to 200).
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { offset: 0, limit: 50 }
    }
}

/// A page of results and the total count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in total.
    pub total: u64,
    /// Items skipped.
    pub offset: u32,
    /// Page size asked for.
    pub limit: u32,
}

/// An auditorium as submitted by staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditoriumDraft {
    /// Name (e.g. `Salle 1`).
    pub name: String,
    /// Seat layout; its capacity is the number of seats.
    pub layout: SeatLayout,
    /// Equipment: `3d`, `dolby_atmos`, `imax`, `laser`, ...
    #[serde(default)]
    pub equipment: Vec<String>,
}

impl AuditoriumDraft {
    /// Checks the name and equipment (the layout is valid by construction).
    ///
    /// # Errors
    /// The first field that is out of bounds.
    pub fn validate(mut self) -> Result<Self, FieldError> {
        check_text("name", &self.name, 1, 100)?;
        check_list("equipment", &self.equipment, 20)?;
        self.equipment.iter_mut().for_each(|e| *e = e.trim().to_lowercase());
        trim_in_place(&mut self.name);
        Ok(self)
    }
}

/// An auditorium.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Auditorium {
    /// Its id.
    pub id: AuditoriumId,
    /// Its details.
    #[serde(flatten)]
    pub details: AuditoriumDraft,
    /// Number of seats in the layout.
    pub capacity: u32,
}

/// Language version of a screening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Version {
    /// Dubbed in French (version française).
    Vf,
    /// Original version, no subtitles.
    Vo,
    /// Original version with subtitles.
    Vost,
}

/// Picture format of a screening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Flat.
    #[serde(rename = "2d")]
    TwoD,
    /// Stereoscopic.
    #[serde(rename = "3d")]
    ThreeD,
}

/// One price tier of a showtime, e.g. `full` at 12.50 EUR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceTier {
    /// Tier name: `full`, `reduced`, `student`, `child`, `senior` or a custom name.
    pub tier: String,
    /// Price in minor units.
    pub price_minor: i64,
}

impl PriceTier {
    /// Highest price of a tier, in minor units.
    pub const PRICE_MINOR_MAX: i64 = 1_000_000;

    /// Whether `name` is a valid tier name: 1 to 20 lower-case letters or `_`.
    #[must_use]
    pub fn valid_name(name: &str) -> bool {
        (1..=20).contains(&name.len()) && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    }
}

/// The prices of a showtime, all in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    /// The currency of every tier.
    pub currency: Currency,
    /// At least one tier; names are unique.
    pub tiers: Vec<PriceTier>,
}

impl PriceList {
    /// Most tiers a showtime may have.
    pub const TIERS_MAX: usize = 10;

    /// Checks tiers: 1 to [`Self::TIERS_MAX`], unique names ([`PriceTier::valid_name`]),
    /// prices 0..=[`PriceTier::PRICE_MINOR_MAX`] minor units.
    ///
    /// # Errors
    /// The first bad tier.
    pub fn validate(self) -> Result<Self, FieldError> {
        if self.tiers.is_empty() || self.tiers.len() > Self::TIERS_MAX {
            return Err(FieldError::new("prices.tiers", Reason::EntryCount, "between 1 and 10 tiers")
                .param("min", 1_i64)
                .param("max", Self::TIERS_MAX as i64));
        }
        let mut seen = std::collections::HashSet::new();
        for t in &self.tiers {
            if !PriceTier::valid_name(&t.tier) {
                return Err(FieldError::new(
                    "prices.tiers",
                    Reason::TierName,
                    format!("tier name {:?} must be 1 to 20 lower-case letters or _", t.tier),
                )
                .param("tier", t.tier.as_str()));
            }
            if !seen.insert(t.tier.as_str()) {
                return Err(FieldError::new(
                    "prices.tiers",
                    Reason::TierRepeated,
                    format!("tier {:?} is given twice", t.tier),
                )
                .param("tier", t.tier.as_str()));
            }
            if !(0..=PriceTier::PRICE_MINOR_MAX).contains(&t.price_minor) {
                return Err(FieldError::new(
                    "prices.tiers",
                    Reason::TierPrice,
                    format!("price of {:?} must be 0 to 1000000 minor units", t.tier),
                )
                .param("tier", t.tier.as_str())
                .param("min", 0_i64)
                .param("max", PriceTier::PRICE_MINOR_MAX));
            }
        }
        Ok(self)
    }

    /// The price of a tier.
    #[must_use]
    pub fn price(&self, tier: &str) -> Option<Money> {
        self.tiers.iter().find(|t| t.tier == tier).map(|t| Money::new(t.price_minor, self.currency))
    }
}

/// How a showtime sells: seats on a map, or a number of tickets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "SeatingFields")]
pub enum Seating {
    /// Reserved seating on the auditorium's seat map.
    Reserved,
    /// General admission: a number of tickets, no seat map.
    GeneralAdmission {
        /// How many tickets can be sold.
        capacity: u32,
    },
}

/// [`Seating`] as written, so that a field that does not belong to the kind (a `capacity`
/// on reserved seating) or is unknown is refused rather than dropped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeatingFields {
    kind: String,
    capacity: Option<u32>,
}

impl TryFrom<SeatingFields> for Seating {
    type Error = String;

    fn try_from(fields: SeatingFields) -> Result<Self, Self::Error> {
        match (fields.kind.as_str(), fields.capacity) {
            ("reserved", None) => Ok(Seating::Reserved),
            ("reserved", Some(_)) => {
                Err("unknown field `capacity`: reserved seating takes its seats from the layout".into())
            }
            ("general_admission", Some(capacity)) => Ok(Seating::GeneralAdmission { capacity }),
            ("general_admission", None) => Err("missing field `capacity` for general admission".into()),
            (other, _) => Err(format!("unknown variant `{other}`, expected `reserved` or `general_admission`")),
        }
    }
}

/// The life of a showtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShowtimeStatus {
    /// On sale (until it starts).
    Scheduled,
    /// Cancelled by the cinema; every booking refunded.
    Cancelled,
}

/// A showtime as submitted by staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShowtimeDraft {
    /// The film.
    pub film_id: FilmId,
    /// The auditorium.
    pub auditorium_id: AuditoriumId,
    /// When the screening starts.
    pub starts_at: Timestamp,
    /// Language version.
    pub version: Version,
    /// Picture format.
    pub format: Format,
    /// Price tiers.
    pub prices: PriceList,
    /// Reserved seating (default) or general admission.
    #[serde(default = "reserved")]
    pub seating: Seating,
}

fn reserved() -> Seating {
    Seating::Reserved
}

/// A showtime.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Showtime {
    /// Its id.
    pub id: ShowtimeId,
    /// Film, auditorium, start, version, format, prices and seating.
    #[serde(flatten)]
    pub details: ShowtimeDraft,
    /// When the auditorium is free again: start + duration + cleaning buffer.
    pub ends_at: Timestamp,
    /// Scheduled or cancelled.
    pub status: ShowtimeStatus,
}

/// Filters for listing showtimes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShowtimeFilter {
    /// Only this film.
    pub film_id: Option<FilmId>,
    /// Only this auditorium.
    pub auditorium_id: Option<AuditoriumId>,
    /// Only showtimes starting at or after this time.
    pub from: Option<Timestamp>,
    /// Only showtimes starting before this time.
    pub to: Option<Timestamp>,
    /// Include cancelled showtimes.
    pub include_cancelled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn film() -> FilmDraft {
        serde_json::from_value(serde_json::json!({
            "title": "Dune", "director": "Denis Villeneuve", "duration_minutes": 155,
            "genres": ["Science-Fiction"], "spoken_languages": ["EN"]
        }))
        .expect("valid json")
    }

    #[test]
    fn film_validation_normalises_and_refuses() {
        let f = film().validate().expect("valid");
        assert_eq!(f.genres, ["science-fiction"]);
        assert_eq!(f.spoken_languages, ["en"]);
        let mut bad = film();
        bad.duration_minutes = 0;
        assert_eq!(bad.validate().map_err(|e| e.field), Err("duration_minutes"));
        let mut bad = film();
        bad.title = "  ".into();
        assert_eq!(bad.validate().map_err(|e| e.field), Err("title"));
        let mut bad = film();
        bad.poster_url = Some("javascript:alert(1)".into());
        assert_eq!(bad.validate().map_err(|e| e.field), Err("poster_url"));
    }

    #[test]
    fn price_list_validation() {
        let ok =
            PriceList { currency: Currency::EUR, tiers: vec![PriceTier { tier: "full".into(), price_minor: 1250 }] };
        assert_eq!(ok.clone().validate().expect("valid").price("full"), Some(Money::new(1250, Currency::EUR)));
        let dup = PriceList { tiers: vec![ok.tiers[0].clone(), ok.tiers[0].clone()], ..ok.clone() };
        assert!(dup.validate().is_err());
        let neg = PriceList { tiers: vec![PriceTier { tier: "full".into(), price_minor: -1 }], ..ok };
        assert!(neg.validate().is_err());
    }
}
