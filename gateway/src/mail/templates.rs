//! Email templates, French and English, embedded from `gateway/templates/mail/<lang>/`.
//!
//! A text template's first line is the subject; the rest is the body. Placeholders are
//! `{{name}}`; values are HTML-escaped in `.html` templates. A template rendered with a
//! placeholder left unfilled is a bug, caught by the tests below.

use boxoffice_storage::Language;

/// The kinds of email sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// Email verification link.
    VerifyEmail,
    /// Password reset link.
    PasswordReset,
    /// Booking confirmation with the ticket reference and its QR code.
    BookingConfirmed,
    /// Booking cancelled and refunded.
    BookingCancelled,
    /// The cinema cancelled the showtime.
    ShowtimeCancelled,
}

impl Template {
    /// Every template.
    pub const ALL: [Template; 5] = [
        Template::VerifyEmail,
        Template::PasswordReset,
        Template::BookingConfirmed,
        Template::BookingCancelled,
        Template::ShowtimeCancelled,
    ];

    /// A short name (file names, logs).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Template::VerifyEmail => "verify_email",
            Template::PasswordReset => "password_reset",
            Template::BookingConfirmed => "booking_confirmed",
            Template::BookingCancelled => "booking_cancelled",
            Template::ShowtimeCancelled => "showtime_cancelled",
        }
    }

    const fn text(self, language: Language) -> &'static str {
        macro_rules! pick {
            ($name:literal) => {
                match language {
                    Language::En => include_str!(concat!("../../templates/mail/en/", $name, ".txt")),
                    Language::Fr => include_str!(concat!("../../templates/mail/fr/", $name, ".txt")),
                }
            };
        }
        match self {
            Template::VerifyEmail => pick!("verify_email"),
            Template::PasswordReset => pick!("password_reset"),
            Template::BookingConfirmed => pick!("booking_confirmed"),
            Template::BookingCancelled => pick!("booking_cancelled"),
            Template::ShowtimeCancelled => pick!("showtime_cancelled"),
        }
    }

    const fn html(self, language: Language) -> Option<&'static str> {
        match (self, language) {
            (Template::BookingConfirmed, Language::En) => {
                Some(include_str!("../../templates/mail/en/booking_confirmed.html"))
            }
            (Template::BookingConfirmed, Language::Fr) => {
                Some(include_str!("../../templates/mail/fr/booking_confirmed.html"))
            }
            _ => None,
        }
    }
}

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain text body.
    pub text: String,
    /// HTML body, for templates that have one.
    pub html: Option<String>,
}

/// Escapes text for HTML.
#[must_use]
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Replaces each `{{key}}` of `template` by its value, in one pass over the template: a
/// value is never read again, so a name or title that contains `{{link}}` stays as typed.
/// An unknown placeholder is left as it is.
fn fill(template: &str, values: &[(&str, &str)], html: bool) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let known = after.find("}}").and_then(|end| {
            let key = &after[..end];
            values.iter().find(|(k, _)| *k == key).map(|(_, value)| (end, *value))
        });
        match known {
            Some((end, value)) => {
                if html {
                    out.push_str(&escape_html(value))
                } else {
                    out.push_str(value)
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders `template` in `language` with `values`.
#[must_use]
pub fn render(template: Template, language: Language, values: &[(&str, &str)]) -> Rendered {
    let text = template.text(language);
    let (subject, body) = text.split_once('\n').unwrap_or((text, ""));
    Rendered {
        subject: fill(subject.trim(), values, false),
        text: fill(body.trim_start_matches('\n'), values, false),
        html: template.html(language).map(|h| fill(h, values, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_not_read_again_as_placeholders() {
        let values = [("name", "Marie {{link}}"), ("link", "https://x.example/secret")];
        assert_eq!(
            fill("Hello {{name}}, see {{link}} {{other}}", &values, false),
            "Hello Marie {{link}}, see https://x.example/secret {{other}}"
        );
        assert_eq!(fill("<b>{{name}}</b>", &[("name", "<i>")], true), "<b>&lt;i&gt;</b>");
        assert_eq!(fill("{{ unclosed", &values, false), "{{ unclosed");
    }

    const VALUES: &[(&str, &str)] = &[
        ("first_name", "Ada <3"),
        ("email", "ada@example.com"),
        ("link", "http://x/y"),
        ("expires_at", "2030-01-01 10:00 UTC"),
        ("film", "Film"),
        ("starts_at", "2030-01-01 20:00 UTC"),
        ("auditorium", "Salle 1"),
        ("lines", "A1 full 12.50 EUR"),
        ("total", "12.50 EUR"),
        ("reference", "K7QM-2XD9"),
    ];

    #[test]
    fn every_template_renders_fully_in_both_languages() {
        for template in Template::ALL {
            for language in [Language::En, Language::Fr] {
                let r = render(template, language, VALUES);
                assert!(!r.subject.is_empty() && !r.subject.contains("{{"), "{template:?} {language:?}");
                assert!(!r.text.contains("{{"), "{template:?} {language:?}: {}", r.text);
                if let Some(html) = &r.html {
                    assert!(!html.contains("{{") && html.contains("Ada &lt;3"), "{template:?} {language:?}");
                }
            }
        }
        assert!(render(Template::VerifyEmail, Language::Fr, VALUES).subject.contains("Confirmez"));
    }
}
