//! Validation of account fields; every refusal is a 422 naming the field.

use boxoffice_storage::Language;
use boxoffice_storage::{FieldError, Reason};
use chrono::NaiveDate;

use crate::error::ApiError;

/// Whether `email` looks like an address (one `@`, a dotted domain, no spaces).
#[must_use]
pub fn email_looks_valid(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    let domain_chars = domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    let local_chars = local.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '@');
    (3..=254).contains(&email.len()) && (1..=64).contains(&local.len()) && labels_ok && domain_chars && local_chars
}

/// A trimmed email.
///
/// # Errors
/// 422 naming `field`.
pub fn email(field: &'static str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if email_looks_valid(value) {
        Ok(value.to_owned())
    } else {
        let shown: String = value.chars().take(100).collect();
        Err(ApiError::invalid(field, Reason::Email, format!("{shown:?} is not an email address")))
    }
}

/// A username: 3 to 40 characters, letters, digits, `.`, `_`, `-`, starting with a letter
/// or digit.
///
/// # Errors
/// 422 naming `username`.
pub fn username(value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    let chars_ok = value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let starts_ok = value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if (3..=40).contains(&value.len()) && chars_ok && starts_ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::invalid(
            "username",
            Reason::Username,
            "3 to 40 letters, digits, '.', '_' or '-', starting with a letter or digit",
        ))
    }
}

/// A name: 1 to 100 characters, no control characters; trimmed.
///
/// # Errors
/// 422 naming `field`.
pub fn name(field: &'static str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if (1..=100).contains(&value.chars().count()) && !value.chars().any(char::is_control) {
        Ok(value.to_owned())
    } else {
        Err(FieldError::length(field, 1, 100).into())
    }
}

/// A phone number: 6 to 20 digits, spaces, `+`, `-`, `.`, `(`, `)`, with at least 6
/// digits; empty means none.
///
/// # Errors
/// 422 naming `phone`.
pub fn phone(value: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let chars_ok = value.chars().all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if value.len() <= 20 && chars_ok && digits >= 6 {
        Ok(Some(value.to_owned()))
    } else {
        Err(ApiError::invalid("phone", Reason::Phone, "must be a phone number such as +33 1 23 45 67 89"))
    }
}

/// A birth date `YYYY-MM-DD` between 1900-01-01 and `today`; empty means none.
///
/// # Errors
/// 422 naming `birth_date`.
pub fn birth_date(value: Option<&str>, today: NaiveDate) -> Result<Option<String>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        ApiError::invalid("birth_date", Reason::Date, format!("{value:?} is not a date like 1990-12-31"))
    })?;
    let oldest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if date < oldest || date > today {
        return Err(ApiError::invalid("birth_date", Reason::BirthDate, "must be between 1900-01-01 and today"));
    }
    Ok(Some(date.format("%Y-%m-%d").to_string()))
}

/// A language code (`en` or `fr`); none means `default`.
///
/// # Errors
/// 422 naming `language`.
pub fn language(value: Option<&str>, default: Language) -> Result<Language, ApiError> {
    match value {
        None => Ok(default),
        Some(code) => {
            code.trim().to_lowercase().parse().map_err(|e: String| ApiError::invalid("language", Reason::Language, e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_shape_checked() {
        for ok in ["a@b.co", "first.last+tag@example.org", "x@sub.example.fr"] {
            assert!(email_looks_valid(ok), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@.co", "a b@c.de", "a@b..c", "a@@b.co", "a@-b.co"] {
            assert!(!email_looks_valid(bad), "{bad}");
        }
    }

    #[test]
    fn fields_are_checked() {
        assert_eq!(username(" ada_99 ").expect("ok"), "ada_99");
        for bad in ["ab", "-ada", "ada lovelace", "ad@", &"a".repeat(41)] {
            assert!(username(bad).is_err(), "{bad}");
        }
        assert_eq!(name("first_name", "  Ada ").expect("ok"), "Ada");
        assert!(name("first_name", " ").is_err());
        assert_eq!(phone(Some("+33 1 23 45 67 89")).expect("ok").as_deref(), Some("+33 1 23 45 67 89"));
        assert!(phone(Some("call me")).is_err());
        assert_eq!(phone(Some("")).expect("none"), None);
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        assert!(birth_date(Some("1990-12-31"), today).expect("ok").is_some());
        assert!(birth_date(Some("2030-01-01"), today).is_err());
        assert!(birth_date(Some("31/12/1990"), today).is_err());
        assert_eq!(language(Some("FR"), Language::En).expect("fr"), Language::Fr);
        assert!(language(Some("de"), Language::En).is_err());
    }
}
