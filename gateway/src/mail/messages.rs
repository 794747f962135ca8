//! Building messages: a template rendered in the recipient's language, as a lettre
//! [`Message`]. The booking confirmation is multipart: text, and HTML with the reference's
//! QR code as an inline PNG.

use boxoffice_storage::{Booking, Language, Timestamp};
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, MIME_VERSION_1_0};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};

use super::Outgoing;
use super::templates::{Template, render};

/// Who gets a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// Address.
    pub email: String,
    /// Given name, for the greeting.
    pub first_name: String,
    /// Language of the message.
    pub language: Language,
    /// The cinema's time zone (`site.timezone`), for the times the message shows.
    pub tz: chrono_tz::Tz,
}

/// What a booking email shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingDetails {
    /// Film title.
    pub film: String,
    /// Showtime start.
    pub starts_at: Timestamp,
    /// Auditorium name.
    pub auditorium: String,
    /// The booking.
    pub booking: Booking,
}

/// A time as shown in emails and printed tickets: the cinema's local time, in the
/// reader's language (`Sat 5 Dec 2026, 20:30`, `sam. 5 déc. 2026, 20:30`).
#[must_use]
pub fn show_time(at: Timestamp, language: Language, tz: chrono_tz::Tz) -> String {
    use chrono::Datelike;
    let date = at.to_datetime().with_timezone(&tz).date_naive();
    format!("{} {}, {}", crate::web::format::day(language, date), date.year(), crate::web::format::time(tz, at))
}

/// Text as quoted-printable: readable in raw form, and links survive line wrapping.
fn qp(text: String) -> Body {
    Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
        .unwrap_or_else(|bytes| Body::new(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Builds `template` for `to`, with an inline QR code PNG when given.
///
/// # Errors
/// An address lettre refuses.
pub fn build(
    from: &str,
    to: &Recipient,
    template: Template,
    values: &[(&str, &str)],
    qr_png: Option<Vec<u8>>,
) -> Result<Outgoing, String> {
    let mut all = vec![("first_name", to.first_name.as_str())];
    all.extend_from_slice(values);
    let rendered = render(template, to.language, &all);
    let from: Mailbox = from.parse().map_err(|e| format!("mail.from: {e}"))?;
    let to_box: Mailbox = to.email.parse().map_err(|e| format!("recipient: {e}"))?;
    // A Message-ID (lettre's, on the local host name) and MIME-Version on every message,
    // single-part ones too: some filters score messages without them as spam.
    let builder =
        Message::builder().from(from).to(to_box).subject(rendered.subject).message_id(None).header(MIME_VERSION_1_0);
    let message = match (rendered.html, qr_png) {
        (Some(html), Some(png)) => {
            let image = Attachment::new_inline("ticket-qr".to_owned())
                .body(png, ContentType::parse("image/png").map_err(|e| format!("content type: {e}"))?);
            let related = MultiPart::related().singlepart(SinglePart::html(qp(html))).singlepart(image);
            builder
                .multipart(MultiPart::alternative().singlepart(SinglePart::plain(qp(rendered.text))).multipart(related))
        }
        (Some(html), None) => builder.multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(qp(rendered.text)))
                .singlepart(SinglePart::html(qp(html))),
        ),
        (None, _) => builder.header(ContentType::TEXT_PLAIN).body(qp(rendered.text)),
    }
    .map_err(|e| format!("message: {e}"))?;
    Ok(Outgoing { kind: template.name(), message })
}

/// A message with a link (verification, reset).
///
/// # Errors
/// As [`build`].
pub fn link_message(
    from: &str,
    to: &Recipient,
    template: Template,
    email: &str,
    link: &str,
    expires_at: Timestamp,
) -> Result<Outgoing, String> {
    let expires = show_time(expires_at, to.language, to.tz);
    build(from, to, template, &[("email", email), ("link", link), ("expires_at", &expires)], None)
}

/// A booking message (confirmed, cancelled, showtime cancelled).
///
/// # Errors
/// As [`build`].
pub fn booking_message(
    from: &str,
    to: &Recipient,
    template: Template,
    details: &BookingDetails,
) -> Result<Outgoing, String> {
    let record = &details.booking.record;
    let money = |amount| crate::web::format::money(to.language, amount);
    let lines: Vec<String> = record
        .lines
        .iter()
        .map(|l| {
            format!("  {:<6} {:<10} {}", l.label, crate::web::i18n::tier_label(to.language, &l.tier), money(l.price))
        })
        .collect();
    let starts_at = show_time(details.starts_at, to.language, to.tz);
    let (total, lines) = (money(record.total), lines.join("\n"));
    let values = [
        ("film", details.film.as_str()),
        ("starts_at", starts_at.as_str()),
        ("auditorium", details.auditorium.as_str()),
        ("lines", lines.as_str()),
        ("total", total.as_str()),
        ("reference", record.reference.as_str()),
    ];
    let qr = if template == Template::BookingConfirmed { Some(crate::qr::png(&record.reference)?) } else { None };
    build(from, to, template, &values, qr)
}
