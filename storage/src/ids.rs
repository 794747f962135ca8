//! Identifier newtypes. Every entity is named by a UUID (v7, so ids sort by creation time
//! and index well); each kind has its own type so a film id can never be passed where a
//! showtime id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID (for storage backends and tests).
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        /// OpenAPI: a UUID string.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid)))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

uuid_id!(
    /// A film in the catalog.
    FilmId
);
uuid_id!(
    /// An auditorium (screen) with its seat layout.
    AuditoriumId
);
uuid_id!(
    /// One screening of a film in an auditorium at a given time.
    ShowtimeId
);
uuid_id!(
    /// A customer account.
    CustomerId
);
uuid_id!(
    /// A temporary hold on seats (or a quantity) of one showtime.
    HoldId
);
uuid_id!(
    /// A login account: a customer's (same UUID as its [`CustomerId`]), a staff member's or a
    /// kiosk device's.
    AccountId
);
uuid_id!(
    /// A confirmed, paid booking.
    BookingId
);
uuid_id!(
    /// One payment attempt; keys the wallet debit so it is applied at most once.
    PaymentId
);
uuid_id!(
    /// A customer's review of a film.
    ReviewId
);

/// The position of a seat in an auditorium layout, counting seats (not gaps) row by row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SeatIndex(u16);

impl SeatIndex {
    /// Wraps a raw index; callers check it against the layout's seat count.
    #[must_use]
    pub const fn new(index: u16) -> Self {
        Self(index)
    }

    /// The raw index, usable to index a `Vec` of seats.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0 as usize
    }
}

/// OpenAPI: an unsigned integer.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SeatIndex {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <u16 as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SeatIndex {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings() {
        let id = ShowtimeId::new();
        let parsed: ShowtimeId = id.to_string().parse().expect("valid uuid");
        assert_eq!(id, parsed);
        assert!("not-a-uuid".parse::<ShowtimeId>().is_err());
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = BookingId::new();
        let b = BookingId::new();
        assert!(a < b);
    }
}
