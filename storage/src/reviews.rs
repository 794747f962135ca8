//! Reviews of films by customers: a rating from 1 to 5 and an optional comment, at most one
//! per customer and film; staff may hide one (hidden reviews are neither listed nor counted).
//! Who may review (a customer whose booking's showtime has started) is the gateway's rule;
//! storage keeps the record and the one-per-film uniqueness.

use serde::{Deserialize, Serialize};

use crate::catalog::{FieldError, Reason};
use crate::ids::{CustomerId, FilmId, ReviewId};
use crate::time::Timestamp;

/// The longest comment, in characters.
pub const COMMENT_CHARS_MAX: usize = 2000;

/// A review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    /// Its id.
    pub id: ReviewId,
    /// The film reviewed.
    pub film_id: FilmId,
    /// Who wrote it.
    pub customer_id: CustomerId,
    /// The name shown with it ("Jeanne M."), captured when it was written.
    pub author: String,
    /// 1 to 5.
    pub rating: u8,
    /// The comment (may be empty).
    pub comment: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// Hidden by staff.
    pub hidden: bool,
}

/// The visible reviews of a film, summed up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewSummary {
    /// How many visible reviews.
    pub count: u32,
    /// Their average rating in tenths (`42` = 4.2), `None` without reviews.
    pub average_tenths: Option<u32>,
}

impl ReviewSummary {
    /// Sums up `ratings`.
    #[must_use]
    pub fn of(ratings: impl IntoIterator<Item = u8>) -> Self {
        let (count, sum) = ratings.into_iter().fold((0_u32, 0_u32), |(c, s), r| (c + 1, s + u32::from(r)));
        // Rounded to the nearest tenth.
        let average_tenths = (count > 0).then(|| (sum * 100 / count + 5) / 10);
        Self { count, average_tenths }
    }
}

/// Checks a rating and a comment; returns the trimmed comment.
///
/// # Errors
/// A rating outside 1..=5 (`rating`) or a comment over [`COMMENT_CHARS_MAX`] (`comment`).
pub fn validate(rating: u8, comment: &str) -> Result<String, FieldError> {
    if !(1..=5).contains(&rating) {
        return Err(FieldError::range("rating", 1, 5, "must be a whole number from 1 to 5"));
    }
    let comment = comment.trim();
    if comment.chars().count() > COMMENT_CHARS_MAX {
        return Err(FieldError::new("comment", Reason::TooLong, format!("at most {COMMENT_CHARS_MAX} characters"))
            .param("max", COMMENT_CHARS_MAX));
    }
    Ok(comment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_and_comments_are_checked_and_averaged() {
        assert!(validate(0, "").is_err());
        assert!(validate(6, "").is_err());
        assert_eq!(validate(5, "  great  ").as_deref(), Ok("great"));
        assert_eq!(validate(3, &"x".repeat(2001)).map_err(|e| e.field), Err("comment"));
        assert_eq!(ReviewSummary::of([]), ReviewSummary { count: 0, average_tenths: None });
        assert_eq!(ReviewSummary::of([5, 4, 4]).average_tenths, Some(43));
        assert_eq!(ReviewSummary::of([1, 2]).average_tenths, Some(15));
    }
}
