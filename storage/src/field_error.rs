//! [`FieldError`]: a field that failed validation, with a stable [`Reason`] code and its
//! parameters (e.g. `too_short` with `min = 12`) so a client can tell the reason in its own
//! language, and an English sentence for the API's `detail`.

/// Why a field was refused: a stable machine code, sent as the problem's `reason` member.
///
/// Each reason names the parameters it is sent with ([`Reason::params`]); clients (the web
/// pages) translate `reason-<code>` with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Text of `min` to `max` characters.
    Length,
    /// Text of at most `max` characters.
    TooLong,
    /// Password shorter than `min` characters.
    PasswordTooShort,
    /// Password longer than `max` characters.
    PasswordTooLong,
    /// Password on the list of common passwords.
    PasswordTooCommon,
    /// Password with too few different characters.
    PasswordTooSimple,
    /// Password containing the email, username or name.
    PasswordPersonal,
    /// A number from `min` to `max`.
    Range,
    /// A positive amount.
    Positive,
    /// A non-zero amount of at most `max` either way.
    NonZeroAmount,
    /// One of the `choices`.
    OneOf,
    /// At most `max` entries.
    TooManyEntries,
    /// `min` to `max` entries.
    EntryCount,
    /// Not an email address.
    Email,
    /// Not a valid username.
    Username,
    /// Not a phone number.
    Phone,
    /// Not a date.
    Date,
    /// A birth date outside 1900-01-01 ..= today.
    BirthDate,
    /// Not a supported language.
    Language,
    /// Not a two-letter ISO 639-1 language code.
    LanguageCode,
    /// Not an http(s) URL or a path.
    Url,
    /// Not the current password.
    WrongPassword,
    /// Not the authenticator app's current code.
    WrongCode,
    /// A confirmation box left unticked.
    ConfirmRequired,
    /// Nothing to change was given.
    NothingToChange,
    /// Two fields that exclude each other were both given (or neither).
    EitherOr,
    /// An end before its start.
    EndBeforeStart,
    /// A record that does not exist.
    UnknownReference,
    /// A time in the past.
    InPast,
    /// A time more than `years` years ahead.
    TooFarAhead,
    /// Not a seat label (`label`).
    SeatLabel,
    /// Prices not in the cinema's currency (`currency`).
    Currency,
    /// A bad price tier name (`tier`).
    TierName,
    /// A price tier name given twice (`tier`).
    TierRepeated,
    /// A control character (`char`, e.g. `U+0007`) in text.
    ControlCharacter,
    /// A price of tier `tier` outside `min` to `max` minor units.
    TierPrice,
    /// A card payment without the terminal's approval code.
    TerminalRef,
    /// A value repeated within one request.
    Repeated,
    /// A seat layout without seats.
    LayoutEmpty,
    /// A seat layout over `rows` rows, `positions` positions in a row or `seats` seats.
    LayoutTooLarge,
    /// A bad or repeated row label (`row`).
    LayoutRowLabel,
    /// An unknown character (`char`) in row `row` at `position`.
    LayoutChar,
    /// Two seats with the same label (`label`).
    LayoutDuplicateSeat,
    /// A loveseat without its pair in row `row` at `position`.
    LayoutLoveseat,
}

impl Reason {
    /// Every reason, for catalogues and tests.
    pub const ALL: &'static [Reason] = &[
        Reason::Length,
        Reason::TooLong,
        Reason::PasswordTooShort,
        Reason::PasswordTooLong,
        Reason::PasswordTooCommon,
        Reason::PasswordTooSimple,
        Reason::PasswordPersonal,
        Reason::Range,
        Reason::Positive,
        Reason::NonZeroAmount,
        Reason::OneOf,
        Reason::TooManyEntries,
        Reason::EntryCount,
        Reason::Email,
        Reason::Username,
        Reason::Phone,
        Reason::Date,
        Reason::BirthDate,
        Reason::Language,
        Reason::LanguageCode,
        Reason::Url,
        Reason::WrongPassword,
        Reason::WrongCode,
        Reason::ConfirmRequired,
        Reason::NothingToChange,
        Reason::EitherOr,
        Reason::EndBeforeStart,
        Reason::UnknownReference,
        Reason::InPast,
        Reason::TooFarAhead,
        Reason::SeatLabel,
        Reason::Currency,
        Reason::TierName,
        Reason::TierRepeated,
        Reason::ControlCharacter,
        Reason::TierPrice,
        Reason::TerminalRef,
        Reason::Repeated,
        Reason::LayoutEmpty,
        Reason::LayoutTooLarge,
        Reason::LayoutRowLabel,
        Reason::LayoutChar,
        Reason::LayoutDuplicateSeat,
        Reason::LayoutLoveseat,
    ];

    /// The stable code, e.g. `password_too_short`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Reason::Length => "length",
            Reason::TooLong => "too_long",
            Reason::PasswordTooShort => "password_too_short",
            Reason::PasswordTooLong => "password_too_long",
            Reason::PasswordTooCommon => "password_too_common",
            Reason::PasswordTooSimple => "password_too_simple",
            Reason::PasswordPersonal => "password_personal",
            Reason::Range => "range",
            Reason::Positive => "positive",
            Reason::NonZeroAmount => "non_zero_amount",
            Reason::OneOf => "one_of",
            Reason::TooManyEntries => "too_many_entries",
            Reason::EntryCount => "entry_count",
            Reason::Email => "email",
            Reason::Username => "username",
            Reason::Phone => "phone",
            Reason::Date => "date",
            Reason::BirthDate => "birth_date",
            Reason::Language => "language",
            Reason::LanguageCode => "language_code",
            Reason::Url => "url",
            Reason::WrongPassword => "wrong_password",
            Reason::WrongCode => "wrong_code",
            Reason::ConfirmRequired => "confirm_required",
            Reason::NothingToChange => "nothing_to_change",
            Reason::EitherOr => "either_or",
            Reason::EndBeforeStart => "end_before_start",
            Reason::UnknownReference => "unknown_reference",
            Reason::InPast => "in_past",
            Reason::TooFarAhead => "too_far_ahead",
            Reason::SeatLabel => "seat_label",
            Reason::Currency => "currency",
            Reason::TierName => "tier_name",
            Reason::TierRepeated => "tier_repeated",
            Reason::ControlCharacter => "control_character",
            Reason::TierPrice => "tier_price",
            Reason::TerminalRef => "terminal_ref",
            Reason::Repeated => "repeated",
            Reason::LayoutEmpty => "layout_empty",
            Reason::LayoutTooLarge => "layout_too_large",
            Reason::LayoutRowLabel => "layout_row_label",
            Reason::LayoutChar => "layout_char",
            Reason::LayoutDuplicateSeat => "layout_duplicate_seat",
            Reason::LayoutLoveseat => "layout_loveseat",
        }
    }

    /// The parameters this reason is sent with (names of the `params` members).
    #[must_use]
    pub const fn params(self) -> &'static [&'static str] {
        match self {
            Reason::Length | Reason::Range | Reason::EntryCount => &["min", "max"],
            Reason::TooLong | Reason::PasswordTooLong | Reason::TooManyEntries | Reason::NonZeroAmount => &["max"],
            Reason::LayoutTooLarge => &["rows", "positions", "seats"],
            Reason::PasswordTooShort => &["min"],
            Reason::OneOf => &["choices"],
            Reason::TooFarAhead => &["years"],
            Reason::SeatLabel | Reason::LayoutDuplicateSeat => &["label"],
            Reason::Currency => &["currency"],
            Reason::TierName | Reason::TierRepeated => &["tier"],
            Reason::ControlCharacter => &["char"],
            Reason::TierPrice => &["tier", "min", "max"],
            Reason::LayoutRowLabel => &["row"],
            Reason::LayoutChar => &["row", "char", "position"],
            Reason::LayoutLoveseat => &["row", "position"],
            _ => &[],
        }
    }
}

/// A parameter of a reason: a number (plural rules apply) or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// A number, e.g. a minimum length.
    Number(i64),
    /// Text, e.g. a seat label.
    Text(String),
}

impl From<i64> for Param {
    fn from(n: i64) -> Self {
        Param::Number(n)
    }
}

impl From<usize> for Param {
    fn from(n: usize) -> Self {
        Param::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<u32> for Param {
    fn from(n: u32) -> Self {
        Param::Number(i64::from(n))
    }
}

impl From<&str> for Param {
    fn from(s: &str) -> Self {
        Param::Text(s.to_owned())
    }
}

impl From<String> for Param {
    fn from(s: String) -> Self {
        Param::Text(s)
    }
}

/// A field that failed validation: which, why (code and parameters) and the English words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct FieldError {
    /// The JSON field name.
    pub field: &'static str,
    /// The stable reason.
    pub reason: Reason,
    /// The reason's parameters, in the order of [`Reason::params`].
    pub params: Vec<(&'static str, Param)>,
    /// What was wrong, in English (the API's `detail`).
    pub detail: String,
}

impl FieldError {
    /// A new field error without parameters.
    #[must_use]
    pub fn new(field: &'static str, reason: Reason, detail: impl Into<String>) -> Self {
        Self { field, reason, params: Vec::new(), detail: detail.into() }
    }

    /// Adds a parameter of the reason.
    #[must_use]
    pub fn param(mut self, name: &'static str, value: impl Into<Param>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    /// `min` to `max` characters.
    #[must_use]
    pub fn length(field: &'static str, min: usize, max: usize) -> Self {
        Self::new(field, Reason::Length, format!("must be {min} to {max} characters"))
            .param("min", min)
            .param("max", max)
    }

    /// A number from `min` to `max`, with the English words given.
    #[must_use]
    pub fn range(field: &'static str, min: i64, max: i64, detail: impl Into<String>) -> Self {
        Self::new(field, Reason::Range, detail).param("min", min).param("max", max)
    }

    /// At most `max` entries.
    #[must_use]
    pub fn too_many(field: &'static str, max: usize) -> Self {
        Self::new(field, Reason::TooManyEntries, format!("at most {max} entries")).param("max", max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for reason in Reason::ALL {
            let code = reason.code();
            assert!(seen.insert(code), "{code} twice");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
        }
    }

    #[test]
    fn errors_carry_their_parameters_and_english_words() {
        let e = FieldError::length("name", 1, 100);
        assert_eq!(e.to_string(), "name: must be 1 to 100 characters");
        assert_eq!(e.reason.code(), "length");
        assert_eq!(e.params, [("min", Param::Number(1)), ("max", Param::Number(100))]);
    }
}
