//! The kiosk's copy of a seat map: built from a `snapshot`, kept current by `change`
//! messages (refusing any gap), and drawn as a grid with plain ANSI colours.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use anyhow::bail;
use serde_json::Value;

/// One seat as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seat {
    label: String,
    row_index: u64,
    column: u64,
    status: String,
}

/// A seat map kept current by the change feed.
#[derive(Clone, Debug, Default)]
pub struct SeatMap {
    /// The last sequence number applied.
    pub seq: u64,
    seats: BTreeMap<String, Seat>,
    counts: Value,
    status: String,
}

impl SeatMap {
    /// Replaces everything with a `snapshot` message: the layout rows (the API's layout
    /// format) and one status character per seat, in seat order.
    pub fn reset(&mut self, snapshot: &Value) {
        self.seq = snapshot["seq"].as_u64().unwrap_or(0);
        self.counts = snapshot["counts"].clone();
        self.status = snapshot["status"].as_str().unwrap_or("").to_owned();
        let statuses: Vec<char> = snapshot["seats"].as_str().unwrap_or("").chars().collect();
        self.seats.clear();
        let rows = snapshot["layout"]["rows"].as_array().cloned().unwrap_or_default();
        let mut index = 0;
        for (row_index, row) in rows.iter().enumerate() {
            let label = row["label"].as_str().unwrap_or("?");
            let mut number = 0;
            for (column, kind) in row["seats"].as_str().unwrap_or("").chars().enumerate() {
                if matches!(kind, '_' | '|') {
                    continue;
                }
                number += 1;
                let status = match statuses.get(index) {
                    Some('.') => "free",
                    Some('h') => "held",
                    Some('s') => "sold",
                    _ => "blocked",
                };
                index += 1;
                let seat = Seat {
                    label: format!("{label}{number}"),
                    row_index: row_index as u64,
                    column: column as u64,
                    status: status.to_owned(),
                };
                self.seats.insert(seat.label.clone(), seat);
            }
        }
    }

    /// Applies a `change` message; an old one is ignored, a gap is an error.
    pub fn apply(&mut self, change: &Value) -> anyhow::Result<()> {
        let seq = change["seq"].as_u64().unwrap_or(0);
        if seq <= self.seq {
            return Ok(());
        }
        if seq != self.seq + 1 {
            bail!("gap in the change feed: at {}, got {seq}", self.seq);
        }
        for s in change["seats"].as_array().into_iter().flatten() {
            if let (Some(label), Some(status)) = (s["label"].as_str(), s["status"].as_str())
                && let Some(seat) = self.seats.get_mut(label)
            {
                seat.status = status.to_owned();
            }
        }
        if change["change"] == "closed" {
            "cancelled".clone_into(&mut self.status);
        }
        self.counts = change["counts"].clone();
        self.seq = seq;
        Ok(())
    }

    /// The grid, one line per row; `mine` are the kiosk's held seats.
    pub fn render(&self, mine: &HashSet<String>, colour: bool) -> String {
        let mut rows: BTreeMap<u64, Vec<&Seat>> = BTreeMap::new();
        for seat in self.seats.values() {
            rows.entry(seat.row_index).or_default().push(seat);
        }
        let mut out = String::new();
        let c = &self.counts;
        let _ = writeln!(
            out,
            "seq {}  {}  free {}  held {}  sold {}  blocked {}  of {}",
            self.seq, self.status, c["free"], c["held"], c["sold"], c["blocked"], c["capacity"]
        );
        let _ = writeln!(out, "{:^width$}", "S C R E E N", width = 60);
        for seats in rows.values_mut() {
            seats.sort_by_key(|s| s.column);
            let mut line = String::new();
            let mut col = 0;
            for seat in seats.iter() {
                while col < seat.column {
                    line.push_str("     ");
                    col += 1;
                }
                line.push_str(&cell(seat, mine.contains(&seat.label), colour));
                col += 1;
            }
            let _ = writeln!(out, "{line}");
        }
        let legend = if colour {
            "\x1b[42m free \x1b[0m \x1b[43m held \x1b[0m \x1b[46m yours \x1b[0m \x1b[41m sold \x1b[0m \x1b[100m blocked \x1b[0m"
        } else {
            ".. free  hh held  ** yours  XX sold  ## blocked"
        };
        let _ = writeln!(out, "{legend}");
        out
    }
}

fn cell(seat: &Seat, mine: bool, colour: bool) -> String {
    let label = format!("{:<4}", seat.label);
    if colour {
        let bg = match (mine, seat.status.as_str()) {
            (true, "held") => "46",
            (_, "free") => "42",
            (_, "held") => "43",
            (_, "sold") => "41",
            _ => "100",
        };
        format!("\x1b[{bg};30m{label}\x1b[0m ")
    } else {
        let mark = match (mine, seat.status.as_str()) {
            (true, "held") => "**",
            (_, "free") => "..",
            (_, "held") => "hh",
            (_, "sold") => "XX",
            _ => "##",
        };
        format!("{mark}{:<3}", seat.label)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn snapshot_then_changes_and_gaps_are_refused() {
        let mut map = SeatMap::default();
        map.reset(&json!({"seq": 3, "status": "scheduled", "counts": {"free": 2},
            "layout": {"rows": [{"label": "A", "seats": "S|S"}]}, "seats": ".."}));
        map.apply(&json!({"seq": 4, "change": "held", "seats": [{"label": "A1", "status": "held"}], "counts": {}}))
            .expect("next");
        map.apply(&json!({"seq": 4, "seats": []})).expect("old ones are ignored");
        assert!(map.apply(&json!({"seq": 6, "seats": []})).is_err());
        let drawn = map.render(&HashSet::from(["A1".to_owned()]), false);
        assert!(drawn.contains("**A1") && drawn.contains("..A2"), "{drawn}");
    }
}
