//! A simulated customer's view of a seat map: built from the WebSocket `snapshot`, kept
//! current by `change` (and coalesced `changes`) messages, and the seat choice: a block of adjacent free seats (same
//! row, neighbouring columns, never across an aisle), among the best few by position, picked
//! with the customer's own seeded RNG.
//!
//! Compact on purpose (one byte of status per seat): thousands of customers hold a map at
//! once. (The kiosk simulator's map in `kiosk::seatmap` is made for drawing.)

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::Value;

/// Candidate blocks a customer chooses among: the best few, as people do.
const CANDIDATES: usize = 8;

/// One seat; its label is its row's label and its number (its index in the row + 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seat {
    column: u16,
    free: bool,
}

/// The parts of a `changes` message (consecutive changes coalesced) the map needs.
#[derive(serde::Deserialize)]
struct ChangesMessage<'a> {
    #[serde(borrow)]
    changes: Vec<ChangeMessage<'a>>,
}

/// The parts of a `change` message the map needs.
#[derive(serde::Deserialize)]
struct ChangeMessage<'a> {
    seq: u64,
    #[serde(borrow)]
    seats: Vec<SeatChange<'a>>,
    counts: FreeCount,
}

#[derive(serde::Deserialize)]
struct SeatChange<'a> {
    #[serde(borrow)]
    label: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    status: std::borrow::Cow<'a, str>,
}

#[derive(serde::Deserialize)]
struct FreeCount {
    free: u64,
}

/// A live seat map.
#[derive(Clone, Debug, Default)]
pub struct SeatMap {
    /// The last sequence number applied.
    pub seq: u64,
    /// Free seats now (from the server's counts).
    pub free: u64,
    rows: Vec<Vec<Seat>>,
    labels: Vec<String>,
}

impl SeatMap {
    /// Builds the map of a `snapshot` message; `None` for general admission or a malformed one.
    pub fn from_snapshot(snapshot: &Value) -> Option<Self> {
        let statuses = snapshot["seats"].as_str()?.as_bytes();
        let mut index = 0;
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for row in snapshot["layout"]["rows"].as_array()? {
            let label = row["label"].as_str()?;
            let mut seats = Vec::new();
            for (column, kind) in row["seats"].as_str()?.chars().enumerate() {
                if matches!(kind, '_' | '|') {
                    continue;
                }
                let free = *statuses.get(index)? == b'.';
                index += 1;
                seats.push(Seat { column: u16::try_from(column).ok()?, free });
            }
            rows.push(seats);
            labels.push(label.to_owned());
        }
        let free = snapshot["counts"]["free"].as_u64().unwrap_or(0);
        Some(Self { seq: snapshot["seq"].as_u64().unwrap_or(0), free, rows, labels })
    }

    /// Builds the map of the API's seat map (`GET /showtimes/{id}/seats`): seats in order,
    /// each with its row index, column and status.
    pub fn from_view(view: &Value) -> Option<Self> {
        let mut map =
            Self { seq: view["seq"].as_u64().unwrap_or(0), free: view["counts"]["free"].as_u64()?, ..Self::default() };
        for seat in view["seats"].as_array()? {
            let r = usize::try_from(seat["row_index"].as_u64()?).ok()?;
            while map.rows.len() <= r {
                map.rows.push(Vec::new());
                map.labels.push(String::new());
            }
            seat["row"].as_str()?.clone_into(&mut map.labels[r]);
            let column = u16::try_from(seat["column"].as_u64()?).ok()?;
            map.rows[r].push(Seat { column, free: seat["status"] == "free" });
        }
        Some(map)
    }

    /// Applies a `change` message, or each change of a `changes` message (older ones are
    /// ignored).
    pub fn apply(&mut self, change: &Value) {
        if change["type"] == "changes" {
            for one in change["changes"].as_array().into_iter().flatten() {
                self.apply(one);
            }
            return;
        }
        let seq = change["seq"].as_u64().unwrap_or(0);
        if seq <= self.seq {
            return;
        }
        for seat in change["seats"].as_array().into_iter().flatten() {
            if let (Some(label), Some(status)) = (seat["label"].as_str(), seat["status"].as_str()) {
                self.set(label, status == "free");
            }
        }
        if let Some(free) = change["counts"]["free"].as_u64() {
            self.free = free;
        }
        self.seq = seq;
    }

    /// Applies a `change` (or `changes`) message from its text, decoding only what the map
    /// needs (a rush decodes millions of them); a `snapshot` (a subscriber that fell far
    /// behind catches up with one) replaces the map; other messages are ignored.
    pub fn apply_text(&mut self, text: &str) {
        if text.starts_with(r#"{"v":1,"type":"snapshot""#) {
            let fresh = serde_json::from_str::<Value>(text).ok().and_then(|v| Self::from_snapshot(&v));
            if let Some(fresh) = fresh.filter(|f| f.seq >= self.seq) {
                *self = fresh;
            }
        } else if text.contains(r#""type":"changes""#) {
            let Ok(changes) = serde_json::from_str::<ChangesMessage<'_>>(text) else { return };
            for change in &changes.changes {
                self.apply_change(change);
            }
        } else if text.contains(r#""type":"change""#)
            && let Ok(change) = serde_json::from_str::<ChangeMessage<'_>>(text)
        {
            self.apply_change(&change);
        }
    }

    fn apply_change(&mut self, change: &ChangeMessage<'_>) {
        if change.seq <= self.seq {
            return;
        }
        for seat in &change.seats {
            self.set(&seat.label, seat.status == "free");
        }
        self.free = change.counts.free;
        self.seq = change.seq;
    }

    /// Finds a seat by label through its row's label (layouts refuse ambiguous labels).
    fn set(&mut self, label: &str, free: bool) {
        for (row_label, row) in self.labels.iter().zip(&mut self.rows) {
            let Some(number) = label.strip_prefix(row_label.as_str()).and_then(|n| n.parse::<usize>().ok()) else {
                continue;
            };
            if let Some(seat) = number.checked_sub(1).and_then(|i| row.get_mut(i)) {
                seat.free = free;
                return;
            }
        }
    }

    /// The labels of `n` seats of row `r` from index `start`.
    fn labels_of(&self, r: usize, start: usize, n: usize) -> Vec<String> {
        (start..start + n).map(|i| format!("{}{}", self.labels[r], i + 1)).collect()
    }

    /// Every block of `n` adjacent free seats as `(score, row, first index)` (lower scores
    /// are better: rows a third of the way back, centred).
    fn blocks(&self, n: usize) -> Vec<(u32, usize, usize)> {
        let depth = self.rows.len() as i64;
        let mut found = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let width = i64::from(row.last().map_or(0, |s| s.column));
            for start in 0..row.len().saturating_sub(n - 1) {
                let block = &row[start..start + n];
                let adjacent = block.windows(2).all(|w| w[1].column == w[0].column + 1);
                if !adjacent || !block.iter().all(|s| s.free) {
                    continue;
                }
                let centre = i64::from(block[0].column) + i64::from(block[n - 1].column);
                let score = (3 * r as i64 - depth).unsigned_abs() * 4 + (centre - width).unsigned_abs();
                found.push((u32::try_from(score).unwrap_or(u32::MAX), r, start));
            }
        }
        found
    }

    /// A block of `n` adjacent free seats, among the best few; else the largest smaller
    /// block (the customer settles for fewer); `None` when nothing is free in this view.
    pub fn pick(&self, n: usize, rng: &mut StdRng) -> Option<Vec<String>> {
        for size in (1..=n.max(1)).rev() {
            let mut blocks = self.blocks(size);
            if blocks.is_empty() {
                continue;
            }
            blocks.sort_unstable();
            blocks.truncate(CANDIDATES);
            let (_, r, start) = blocks[rng.random_range(0..blocks.len())];
            return Some(self.labels_of(r, start, size));
        }
        None
    }

    /// `n` seats at a random place, taken or not: what a customer asks for when the map
    /// shows nothing free (the server's answer decides).
    pub fn any(&self, n: usize, rng: &mut StdRng) -> Option<Vec<String>> {
        let rows: Vec<usize> = (0..self.rows.len()).filter(|r| self.rows[*r].len() >= n).collect();
        let r = *rows.get(rng.random_range(0..rows.len().max(1)))?;
        let start = rng.random_range(0..=self.rows[r].len() - n);
        Some(self.labels_of(r, start, n))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use serde_json::json;

    use super::*;

    fn map() -> SeatMap {
        let snapshot = json!({"seq": 1, "counts": {"free": 7},
            "layout": {"rows": [{"label": "A", "seats": "SS|SS"}, {"label": "B", "seats": "SSS_S"}]},
            "seats": ".h......"});
        SeatMap::from_snapshot(&snapshot).expect("a reserved map")
    }

    #[test]
    fn blocks_never_cross_an_aisle_or_a_gap_or_a_taken_seat() {
        let map = map();
        let pairs: Vec<Vec<String>> =
            map.blocks(2).into_iter().map(|(_, r, start)| map.labels_of(r, start, 2)).collect();
        let labels = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(pairs.contains(&labels(&["A3", "A4"])) && pairs.contains(&labels(&["B1", "B2"])));
        assert!(!pairs.contains(&labels(&["A2", "A3"])) && !pairs.contains(&labels(&["A1", "A2"])));
        assert!(!pairs.contains(&labels(&["B3", "B4"])), "gap");
        assert!(map.blocks(4).is_empty());
        let view = json!({"seq": 1, "counts": {"free": 2}, "seats": [
            {"label": "A1", "row": "A", "number": 1, "row_index": 0, "column": 0, "status": "free"},
            {"label": "A2", "row": "A", "number": 2, "row_index": 0, "column": 1, "status": "free"},
            {"label": "A3", "row": "A", "number": 3, "row_index": 0, "column": 3, "status": "free"}]});
        let from_view = SeatMap::from_view(&view).expect("a map");
        let pairs: Vec<_> = from_view.blocks(2).into_iter().map(|(_, r, s)| from_view.labels_of(r, s, 2)).collect();
        assert_eq!(pairs, [vec!["A1".to_owned(), "A2".to_owned()]]);
    }

    #[test]
    fn changes_update_the_view_and_picks_are_deterministic_per_seed() {
        let mut map = map();
        map.apply(&json!({"seq": 2, "seats": [{"label": "B2", "status": "held"}], "counts": {"free": 6}}));
        map.apply(&json!({"seq": 2, "seats": [{"label": "B2", "status": "free"}], "counts": {"free": 7}}));
        assert_eq!(map.free, 6, "an old change is ignored");
        let pick = |seed| map.pick(3, &mut StdRng::seed_from_u64(seed));
        assert_eq!(pick(7), pick(7));
        let two = pick(7).expect("settles for fewer");
        assert_eq!(two.len(), 2, "no block of three is left: {two:?}");
        map.apply(
            &json!({"seq": 3, "seats": [{"label": "A1"}, {"label": "A3", "status": "sold"}], "counts": {"free": 5}}),
        );
        assert!(map.any(2, &mut StdRng::seed_from_u64(1)).is_some_and(|b| b.len() == 2));
        let text = r#"{"v":1,"type":"change","seq":4,"change":"released","seats":[{"label":"A3","status":"free"}],"quantity":1,"counts":{"free":6}}"#;
        map.apply_text(text);
        assert_eq!((map.seq, map.free), (4, 6));
        map.apply_text(r#"{"v":1,"type":"pong","id":"x"}"#);
        assert_eq!(map.seq, 4);
    }

    #[test]
    fn a_catch_up_snapshot_replaces_the_map_unless_it_is_older() {
        let mut map = map();
        let snapshot = |seq: u64, seats: &str, free: u64| {
            format!(
                r#"{{"v":1,"type":"snapshot","showtime_id":"s","seq":{seq},"counts":{{"free":{free}}},"layout":{{"rows":[{{"label":"A","seats":"SS|SS"}},{{"label":"B","seats":"SSS_S"}}]}},"seats":"{seats}"}}"#
            )
        };
        map.apply_text(&snapshot(9, "hhhh.s..", 3));
        assert_eq!((map.seq, map.free), (9, 3));
        for seed in 0..8 {
            let seat = map.pick(1, &mut StdRng::seed_from_u64(seed)).expect("a free seat");
            assert!(seat[0].starts_with('B') && seat[0] != "B2", "row A and B2 are taken now: {seat:?}");
        }
        map.apply_text(&snapshot(5, "........", 8));
        assert_eq!((map.seq, map.free), (9, 3), "an older snapshot is ignored");
    }

    #[test]
    fn coalesced_changes_apply_in_order() {
        let mut map = map();
        let change = |seq: u64, seat: &str, status: &str, free: u64| {
            format!(
                r#"{{"v":1,"type":"change","showtime_id":"s","seq":{seq},"change":"x","seats":[{{"label":"{seat}","status":"{status}"}}],"quantity":1,"counts":{{"free":{free}}}}}"#
            )
        };
        let text = format!(
            r#"{{"v":1,"type":"changes","showtime_id":"s","from":2,"seq":4,"changes":[{},{},{}]}}"#,
            change(2, "B2", "held", 6),
            change(3, "B2", "free", 7),
            change(4, "A3", "sold", 6)
        );
        map.apply_text(&text);
        assert_eq!((map.seq, map.free), (4, 6));
        assert!(map.blocks(2).iter().all(|(_, r, s)| !map.labels_of(*r, *s, 2).contains(&"A3".to_owned())));
        let value: Value = serde_json::from_str(&text).expect("json");
        let mut again = SeatMap::default();
        again.apply(&value);
        assert_eq!((again.seq, again.free), (4, 6), "a `changes` value applies like its text");
    }
}
