//! Auditorium seat layouts.
//!
//! A layout is written row by row as a compact string, one character per position:
//!
//! | char | meaning |
//! | --- | --- |
//! | `S` | standard seat |
//! | `P` | premium seat |
//! | `W` | wheelchair space |
//! | `C` | companion seat (next to a wheelchair space) |
//! | `L` | loveseat; always in pairs `LL` |
//! | `_` | gap (no seat at this position) |
//! | `\|` | aisle |
//!
//! Seats are numbered from 1, left to right, skipping gaps and aisles, so `"SS_SS"` in row
//! `F` gives `F1 F2 F3 F4`. The capacity is the number of seats. A [`SeatLayout`] can only be
//! built through validation, so every layout in the system is well formed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::ids::SeatIndex;

/// Most rows an auditorium may have.
pub const ROWS_MAX: usize = 60;
/// Most positions (seats, gaps and aisles) in one row.
pub const ROW_POSITIONS_MAX: usize = 100;
/// Most seats in one auditorium.
pub const SEATS_MAX: usize = 5_000;

/// The kind of a seat, which may carry a different price or accessibility need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatKind {
    /// An ordinary seat.
    Standard,
    /// A premium (more comfortable or better placed) seat.
    Premium,
    /// A space for a wheelchair.
    Wheelchair,
    /// A seat for the companion of a wheelchair user.
    Companion,
    /// One half of a two-person loveseat.
    Loveseat,
}

impl SeatKind {
    /// Human words for screen readers and tickets.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            SeatKind::Standard => "standard",
            SeatKind::Premium => "premium",
            SeatKind::Wheelchair => "wheelchair space",
            SeatKind::Companion => "companion seat",
            SeatKind::Loveseat => "loveseat",
        }
    }
}

/// One row as written by staff: a label and its positions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    /// Row label, e.g. `F` (1 to 3 letters or digits, unique within the auditorium).
    pub label: String,
    /// One character per position; see the module documentation.
    pub seats: String,
}

/// A layout as submitted, before validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LayoutSpec {
    /// Rows from the screen backwards.
    pub rows: Vec<RowSpec>,
}

/// One seat of a validated layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatInfo {
    /// Label such as `F12`.
    pub label: String,
    /// Row label.
    pub row: String,
    /// Seat number within the row, from 1.
    pub number: u16,
    /// Position within the row including gaps, from 0 (for drawing).
    pub column: u16,
    /// Index of the row, from 0 (for drawing).
    pub row_index: u16,
    /// The kind of seat.
    pub kind: SeatKind,
}

/// Why a layout was refused; the message names the row and position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// No rows, or no seats at all.
    #[error("layout has no seats")]
    Empty,
    /// Too many rows or seats.
    #[error("layout too large: {0}")]
    TooLarge(String),
    /// A row label is empty, too long, not alphanumeric or used twice.
    #[error("row label {0:?} is invalid or repeated (1 to 3 letters or digits, unique)")]
    BadRowLabel(String),
    /// An unknown character.
    #[error("row {row}: unknown character {ch:?} at position {position} (use S P W C L _ |)")]
    BadChar {
        /// Row label.
        row: String,
        /// The character.
        ch: char,
        /// Position from 1.
        position: usize,
    },
    /// Two seats would get the same label (rows `R1` and `R11` both make `R111`).
    #[error(
        "seat label {0} would name two seats; choose row labels that are not a prefix of another row's label followed by digits"
    )]
    DuplicateSeatLabel(String),
    /// A loveseat without its pair.
    #[error("row {row}: loveseats come in pairs (LL); unpaired loveseat at position {position}")]
    UnpairedLoveseat {
        /// Row label.
        row: String,
        /// Position from 1.
        position: usize,
    },
}

/// A validated auditorium layout with its seats enumerated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LayoutSpec", into = "LayoutSpec")]
pub struct SeatLayout {
    spec: LayoutSpec,
    seats: Vec<SeatInfo>,
}

impl SeatLayout {
    /// Validates a spec and enumerates its seats.
    ///
    /// # Errors
    /// A [`LayoutError`] naming the first problem found.
    pub fn parse(spec: LayoutSpec) -> Result<Self, LayoutError> {
        if spec.rows.len() > ROWS_MAX {
            return Err(LayoutError::TooLarge(format!("{} rows, at most {ROWS_MAX}", spec.rows.len())));
        }
        let mut labels = HashSet::new();
        let mut seats = Vec::new();
        for (row_index, row) in spec.rows.iter().enumerate() {
            let label_ok = (1..=3).contains(&row.label.len()) && row.label.chars().all(|c| c.is_ascii_alphanumeric());
            if !label_ok || !labels.insert(row.label.clone()) {
                return Err(LayoutError::BadRowLabel(row.label.clone()));
            }
            parse_row(row, row_index, &mut seats)?;
            if seats.len() > SEATS_MAX {
                return Err(LayoutError::TooLarge(format!("more than {SEATS_MAX} seats")));
            }
        }
        if seats.is_empty() {
            return Err(LayoutError::Empty);
        }
        let mut seen = HashSet::with_capacity(seats.len());
        if let Some(dup) = seats.iter().find(|s| !seen.insert(s.label.to_ascii_uppercase())) {
            return Err(LayoutError::DuplicateSeatLabel(dup.label.clone()));
        }
        Ok(Self { spec, seats })
    }

    /// Number of seats.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.seats.len()
    }

    /// All seats in index order.
    #[must_use]
    pub fn seats(&self) -> &[SeatInfo] {
        &self.seats
    }

    /// The seat at `index`, if any.
    #[must_use]
    pub fn seat(&self, index: SeatIndex) -> Option<&SeatInfo> {
        self.seats.get(index.get())
    }

    /// Finds a seat by its label (`F12`, case-insensitive).
    #[must_use]
    pub fn find(&self, label: &str) -> Option<SeatIndex> {
        self.seats
            .iter()
            .position(|s| s.label.eq_ignore_ascii_case(label))
            .and_then(|i| u16::try_from(i).ok())
            .map(SeatIndex::new)
    }

    /// The rows as written.
    #[must_use]
    pub fn spec(&self) -> &LayoutSpec {
        &self.spec
    }
}

fn parse_row(row: &RowSpec, row_index: usize, seats: &mut Vec<SeatInfo>) -> Result<(), LayoutError> {
    let chars: Vec<char> = row.seats.chars().collect();
    if chars.len() > ROW_POSITIONS_MAX {
        return Err(LayoutError::TooLarge(format!(
            "row {} has {} positions, at most {ROW_POSITIONS_MAX}",
            row.label,
            chars.len()
        )));
    }
    let mut number: u16 = 0;
    let mut loveseat_run = 0usize;
    for (position, &ch) in chars.iter().enumerate() {
        let kind = match ch {
            'S' => Some(SeatKind::Standard),
            'P' => Some(SeatKind::Premium),
            'W' => Some(SeatKind::Wheelchair),
            'C' => Some(SeatKind::Companion),
            'L' => Some(SeatKind::Loveseat),
            '_' | '|' => None,
            other => {
                return Err(LayoutError::BadChar { row: row.label.clone(), ch: other, position: position + 1 });
            }
        };
        if ch == 'L' {
            loveseat_run += 1;
        } else if loveseat_run % 2 == 1 {
            return Err(LayoutError::UnpairedLoveseat { row: row.label.clone(), position });
        } else {
            loveseat_run = 0;
        }
        if let Some(kind) = kind {
            number += 1;
            seats.push(SeatInfo {
                label: format!("{}{number}", row.label),
                row: row.label.clone(),
                number,
                column: u16::try_from(position).unwrap_or(u16::MAX),
                row_index: u16::try_from(row_index).unwrap_or(u16::MAX),
                kind,
            });
        }
    }
    if loveseat_run % 2 == 1 {
        return Err(LayoutError::UnpairedLoveseat { row: row.label.clone(), position: chars.len() });
    }
    Ok(())
}

/// OpenAPI: a layout is written and read as its [`LayoutSpec`].
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SeatLayout {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <LayoutSpec as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SeatLayout {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <LayoutSpec as utoipa::ToSchema>::schemas(schemas);
    }
}

impl TryFrom<LayoutSpec> for SeatLayout {
    type Error = LayoutError;
    fn try_from(spec: LayoutSpec) -> Result<Self, Self::Error> {
        SeatLayout::parse(spec)
    }
}

impl From<SeatLayout> for LayoutSpec {
    fn from(layout: SeatLayout) -> Self {
        layout.spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(rows: &[(&str, &str)]) -> LayoutSpec {
        LayoutSpec { rows: rows.iter().map(|(l, s)| RowSpec { label: (*l).into(), seats: (*s).into() }).collect() }
    }

    #[test]
    fn numbers_seats_skipping_gaps() {
        let layout = SeatLayout::parse(spec(&[("A", "SS_SS"), ("B", "WC|PPLL")])).expect("valid");
        assert_eq!(layout.capacity(), 10);
        let labels: Vec<_> = layout.seats().iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "B5", "B6"]);
        assert_eq!(layout.seats()[2].column, 3);
        assert_eq!(layout.find("b3"), Some(SeatIndex::new(6)));
        assert_eq!(layout.seat(SeatIndex::new(4)).map(|s| s.kind), Some(SeatKind::Wheelchair));
    }

    #[test]
    fn refuses_bad_layouts_with_reasons() {
        assert_eq!(SeatLayout::parse(spec(&[])), Err(LayoutError::Empty));
        assert_eq!(SeatLayout::parse(spec(&[("A", "___")])), Err(LayoutError::Empty));
        assert!(matches!(
            SeatLayout::parse(spec(&[("A", "SXS")])),
            Err(LayoutError::BadChar { ch: 'X', position: 2, .. })
        ));
        assert!(matches!(SeatLayout::parse(spec(&[("A", "S"), ("A", "S")])), Err(LayoutError::BadRowLabel(_))));
        assert!(matches!(SeatLayout::parse(spec(&[("A", "LLL")])), Err(LayoutError::UnpairedLoveseat { .. })));
        assert!(matches!(SeatLayout::parse(spec(&[("A", "LSL")])), Err(LayoutError::UnpairedLoveseat { .. })));
        assert!(matches!(SeatLayout::parse(spec(&[("", "S")])), Err(LayoutError::BadRowLabel(_))));
        let ambiguous = spec(&[("R1", "SSSSSSSSSSS"), ("R11", "S")]);
        assert_eq!(SeatLayout::parse(ambiguous), Err(LayoutError::DuplicateSeatLabel("R111".into())));
    }

    #[test]
    fn serializes_as_its_spec() {
        let layout = SeatLayout::parse(spec(&[("A", "SS")])).expect("valid");
        let json = serde_json::to_value(&layout).expect("serializes");
        assert_eq!(json, serde_json::json!({"rows": [{"label": "A", "seats": "SS"}]}));
        let back: SeatLayout = serde_json::from_value(json).expect("parses");
        assert_eq!(back, layout);
        assert!(serde_json::from_value::<SeatLayout>(serde_json::json!({"rows": []})).is_err());
    }
}
