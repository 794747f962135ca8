//! `[site]`: what the web pages show about the cinema: its name and its time zone (showtimes
//! are stored in UTC and shown in local time).

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::validate::out_of_range;

/// `[site]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// The cinema's name, in page titles and the header.
    pub name: String,
    /// The IANA time zone that pages show times in, e.g. `Europe/Paris`.
    pub timezone: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self { name: "boxoffice".to_owned(), timezone: "Europe/Paris".to_owned() }
    }
}

impl SiteSettings {
    /// The parsed time zone.
    ///
    /// # Errors
    /// `site.timezone` is not an IANA time zone name.
    pub fn tz(&self) -> Result<chrono_tz::Tz, ConfigError> {
        self.timezone.parse().map_err(|_| {
            out_of_range("site.timezone", format!("{:?} is not an IANA time zone (e.g. Europe/Paris)", self.timezone))
        })
    }

    /// The time zone to show times in: [`Self::tz`], or UTC if it does not parse (it is
    /// checked at start, so a running server always has the configured one).
    #[must_use]
    pub fn zone(&self) -> chrono_tz::Tz {
        self.tz().unwrap_or(chrono_tz::UTC)
    }

    /// Checks both settings.
    ///
    /// # Errors
    /// An empty or overlong name, or an unknown time zone.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(out_of_range("site.name", "1 to 80 characters"));
        }
        self.tz().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_and_names_are_checked() {
        assert!(SiteSettings::default().validate().is_ok());
        let bad = SiteSettings { timezone: "Mars/Olympus".into(), ..SiteSettings::default() };
        assert!(bad.validate().is_err());
        let bad = SiteSettings { name: " ".into(), ..SiteSettings::default() };
        assert!(bad.validate().is_err());
    }
}
