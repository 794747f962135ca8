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

fn check_text(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let len = value.trim().chars().count();
    if len < min || value.chars().count() > max {
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

fn check_url(field: &'static str, value: Option<&str>) -> Result<(), FieldError> {
    match value {
        Some(url) if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/')) => {
            Err(FieldError::new(field, Reason::Url, "must be an http(s) URL or a path starting with /"))
        }
        Some(url) => check_text(field, url, 1, 2000),
        None => Ok(()),
    }
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
        check_text("synopsis", &self.synopsis, 0, 10_000)?;
        check_url("poster_url", self.poster_url.as_deref())?;
        check_url("trailer_url", self.trailer_url.as_deref())?;
        for (field, langs) in
            [("spoken_languages", &self.spoken_languages), ("subtitle_languages", &self.subtitle_languages)]
        {
            if langs.len() > 20 || langs.iter().any(|l| l.len() != 2 || !l.chars().all(|c| c.is_ascii_alphabetic())) {
                return Err(FieldError::new(field, Reason::LanguageCode, "ISO 639-1 codes of two letters, at most 20"));
            }
        }
        self.genres.iter_mut().for_each(|g| *g = g.trim().to_lowercase());
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
            if !PriceTier::valid_name(&t.tier) || !seen.insert(t.tier.as_str()) {
                return Err(FieldError::new(
                    "prices.tiers",
                    Reason::TierName,
                    format!("tier name {:?} must be unique, lower case, 1 to 20 letters", t.tier),
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
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Seating {
    /// Reserved seating on the auditorium's seat map.
    Reserved,
    /// General admission: a number of tickets, no seat map.
    GeneralAdmission {
        /// How many tickets can be sold.
        capacity: u32,
    },
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
