//! The kiosk's commands and its fake card terminal.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::Kiosk;
use super::client::Socket;

/// A fake card terminal: approves every amount up to a limit.
#[derive(Clone, Copy, Debug)]
pub struct FakeTerminal {
    /// Amounts above this (minor units) are declined.
    pub decline_above_minor: Option<i64>,
}

impl FakeTerminal {
    /// Charges `amount_minor`: an approval reference, or `None` when declined.
    pub fn charge(&self, amount_minor: i64) -> Option<String> {
        if self.decline_above_minor.is_some_and(|limit| amount_minor > limit) {
            return None;
        }
        Some(format!("T-{:08X}", rand::random::<u32>()))
    }
}

impl Kiosk {
    /// Runs one typed command; `false` to quit.
    pub(super) async fn execute(&mut self, ws: &mut Socket, line: &str) -> anyhow::Result<bool> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["quit" | "exit" | "q"] => return Ok(false),
            ["map"] if self.args.plain => println!("{}", self.map.render(&self.mine, false)),
            ["map"] => {}
            ["hold", seats @ ..] if !seats.is_empty() => self.hold(ws, seats).await?,
            ["release"] => self.release(ws).await?,
            ["buy"] => self.buy(ws, None).await?,
            ["buy", tier] => self.buy(ws, Some(tier)).await?,
            _ => self.note(format!("unknown command {line:?}; try: hold A1 A2 | buy [tier] | release | map | quit")),
        }
        Ok(true)
    }

    async fn hold(&mut self, ws: &mut Socket, seats: &[&str]) -> anyhow::Result<()> {
        let seats: Vec<String> = seats.iter().map(|s| s.to_uppercase()).collect();
        let answer = self.request(ws, "hold", json!({"showtime_id": self.args.showtime, "seats": seats})).await?;
        if answer["type"] == "held" {
            self.hold = answer["hold"]["hold_id"].as_str().map(str::to_owned);
            self.mine = seats.into_iter().collect::<HashSet<_>>();
            self.note(format!("held {} until {}", answer["hold"]["seats"], answer["hold"]["expires_at"]));
        } else {
            self.note(refusal(&answer));
        }
        Ok(())
    }

    async fn release(&mut self, ws: &mut Socket) -> anyhow::Result<()> {
        let Some(hold) = self.hold.take() else {
            self.note("nothing held".into());
            return Ok(());
        };
        let answer = self.request(ws, "release", json!({"showtime_id": self.args.showtime, "hold_id": hold})).await?;
        self.mine.clear();
        let line = if answer["type"] == "released" { "released".into() } else { refusal(&answer) };
        self.note(line);
        Ok(())
    }

    async fn buy(&mut self, ws: &mut Socket, tier: Option<&str>) -> anyhow::Result<()> {
        let Some(hold) = self.hold.clone() else {
            self.note("hold seats first".into());
            return Ok(());
        };
        let tiers: Vec<Value> = match tier {
            Some(t) => self.mine.iter().map(|seat| json!({"seat": seat, "tier": t})).collect(),
            None => Vec::new(),
        };
        let request = json!({"showtime_id": self.args.showtime, "hold_id": hold, "tiers": tiers});
        let answer = self.request(ws, "purchase", request).await?;
        let answer = match answer["type"].as_str() {
            Some("payment_required") => self.pay_at_terminal(ws, &answer).await?,
            _ => answer,
        };
        if answer["type"] == "purchased" {
            let booking = &answer["booking"];
            self.note(format!("booked {} (reference {})", seats_of(booking), booking["reference"]));
            self.hold = None;
            self.mine.clear();
        } else if answer["type"] != "payment_aborted" {
            self.note(refusal(&answer));
        }
        Ok(())
    }

    /// Charges the card on the fake terminal, then confirms or aborts the payment.
    async fn pay_at_terminal(&mut self, ws: &mut Socket, required: &Value) -> anyhow::Result<Value> {
        let amount = required["total"]["amount_minor"].as_i64().unwrap_or(0);
        let currency = required["total"]["currency"].as_str().unwrap_or("");
        let payment = required["payment_id"].clone();
        let terminal = FakeTerminal { decline_above_minor: self.args.decline_above_minor };
        self.note(format!("card terminal: charging {}.{:02} {currency}", amount / 100, amount % 100));
        match terminal.charge(amount) {
            Some(reference) => {
                self.note(format!("card terminal: approved {reference}"));
                self.request(ws, "confirm_payment", json!({"payment_id": payment, "terminal_ref": reference})).await
            }
            None => {
                self.note("card terminal: declined".into());
                self.request(ws, "abort_payment", json!({"payment_id": payment})).await
            }
        }
    }
}

fn refusal(answer: &Value) -> String {
    format!("refused: {} ({})", answer["code"].as_str().unwrap_or("?"), answer["message"].as_str().unwrap_or(""))
}

fn seats_of(booking: &Value) -> String {
    let labels: Vec<&str> =
        booking["lines"].as_array().into_iter().flatten().filter_map(|l| l["label"].as_str()).collect();
    labels.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_terminal_declines_by_amount() {
        let terminal = FakeTerminal { decline_above_minor: Some(1000) };
        assert!(terminal.charge(1000).is_some_and(|r| r.starts_with("T-")));
        assert!(terminal.charge(1001).is_none());
        assert!(FakeTerminal { decline_above_minor: None }.charge(i64::MAX).is_some());
    }
}
