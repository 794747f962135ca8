//! Money, dates and times as a reader of each language expects them: `€12.50` and
//! `Sat 5 Dec, 20:30` in English, `12,50 €` and `sam. 5 déc., 20:30` in French, in the
//! cinema's time zone (`site.timezone`).

use boxoffice_storage::{Language, Money, Timestamp};
use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;

const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const FR_DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const FR_MONTHS: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/// An amount with its currency sign, e.g. `€12.50` / `12,50 €`.
#[must_use]
pub fn money(language: Language, amount: Money) -> String {
    let minor = amount.amount_minor();
    let sign = if minor < 0 { "-" } else { "" };
    let units = minor.unsigned_abs() / 100;
    let cents = minor.unsigned_abs() % 100;
    let code = amount.currency();
    let symbol = match code.as_str() {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        other => other,
    };
    let prefix = matches!(code.as_str(), "EUR" | "USD" | "GBP");
    match language {
        Language::En if prefix => format!("{sign}{symbol}{}.{cents:02}", group(units, ",")),
        Language::En => format!("{sign}{}.{cents:02} {symbol}", group(units, ",")),
        Language::Fr => format!("{sign}{},{cents:02}\u{a0}{symbol}", group(units, "\u{202f}")),
    }
}

fn group(units: u64, separator: &str) -> String {
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// A timestamp in the cinema's zone.
#[must_use]
pub fn local(tz: Tz, at: Timestamp) -> DateTime<Tz> {
    at.to_datetime().with_timezone(&tz)
}

/// `20:30`.
#[must_use]
pub fn time(tz: Tz, at: Timestamp) -> String {
    let t = local(tz, at);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `Sat 5 Dec` / `sam. 5 déc.`.
#[must_use]
pub fn day(language: Language, date: NaiveDate) -> String {
    let weekday = date.weekday().num_days_from_monday() as usize;
    let month = date.month0() as usize;
    match language {
        Language::En => format!("{} {} {}", EN_DAYS[weekday], date.day(), EN_MONTHS[month]),
        Language::Fr => format!("{} {} {}", FR_DAYS[weekday], date.day(), FR_MONTHS[month]),
    }
}

/// `5 Dec 2026` / `5 déc. 2026`: a date far from today (release dates).
#[must_use]
pub fn date_with_year(language: Language, date: NaiveDate) -> String {
    let month = date.month0() as usize;
    let name = match language {
        Language::En => EN_MONTHS[month],
        Language::Fr => FR_MONTHS[month],
    };
    format!("{} {name} {}", date.day(), date.year())
}

/// `Sat 5 Dec, 20:30`.
#[must_use]
pub fn day_and_time(language: Language, tz: Tz, at: Timestamp) -> String {
    format!("{}, {}", day(language, local(tz, at).date_naive()), time(tz, at))
}

/// `2 h 35` / `2 h 35` from minutes.
#[must_use]
pub fn duration(minutes: u32) -> String {
    format!("{} h {:02}", minutes / 60, minutes % 60)
}

/// An HTML `datetime` attribute value (RFC 3339 in UTC).
#[must_use]
pub fn machine(at: Timestamp) -> String {
    at.to_datetime().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::Currency;

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, "EUR".parse::<Currency>().expect("currency"))
    }

    #[test]
    fn money_reads_naturally_in_both_languages() {
        assert_eq!(money(Language::En, eur(1250)), "€12.50");
        assert_eq!(money(Language::Fr, eur(1250)), "12,50\u{a0}€");
        assert_eq!(money(Language::En, eur(500_000)), "€5,000.00");
        assert_eq!(money(Language::Fr, eur(-500_005)), "-5\u{202f}000,05\u{a0}€");
        let chf = Money::new(900, "CHF".parse::<Currency>().expect("currency"));
        assert_eq!(money(Language::En, chf), "9.00 CHF");
    }

    #[test]
    fn times_are_local() {
        let tz: Tz = "Europe/Paris".parse().expect("tz");
        let at = Timestamp::parse_rfc3339("2026-12-05T19:30:00Z").expect("time");
        assert_eq!(time(tz, at), "20:30");
        assert_eq!(day_and_time(Language::En, tz, at), "Sat 5 Dec, 20:30");
        assert_eq!(day_and_time(Language::Fr, tz, at), "sam. 5 déc., 20:30");
        assert_eq!(duration(155), "2 h 35");
        let date = NaiveDate::from_ymd_opt(2025, 9, 12).expect("date");
        assert_eq!(date_with_year(Language::En, date), "12 Sep 2025");
        assert_eq!(date_with_year(Language::Fr, date), "12 sept. 2025");
    }
}
