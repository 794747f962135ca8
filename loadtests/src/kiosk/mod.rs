//! `boxoffice-load kiosk`: a lobby kiosk in the terminal. It connects to `/ws`, subscribes
//! to one showtime, draws its seat map and redraws it at every change; commands typed at the
//! prompt hold, buy (paid on a fake card terminal) and release seats. A dropped connection
//! is resumed from the last sequence number.
//!
//! `ws-capacity` (in [`capacity`]) is the WebSocket capacity bench.

pub mod capacity;
pub mod client;
pub mod seatmap;

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

use self::client::Socket;
use self::seatmap::SeatMap;

/// Options of `boxoffice-load kiosk`.
#[derive(Debug, Args)]
pub struct KioskArgs {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    target: String,
    /// A kiosk, staff or customer token (without one the map is only watched).
    #[arg(long, env = "BOXOFFICE_KIOSK_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Device name sent with a staff token.
    #[arg(long)]
    kiosk_name: Option<String>,
    /// The showtime to show.
    #[arg(long)]
    showtime: String,
    /// Commands to run instead of reading the keyboard, separated by `;` (then it quits).
    #[arg(long)]
    script: Option<String>,
    /// No colours and no screen clearing (for logs and pipes).
    #[arg(long)]
    plain: bool,
    /// The fake card terminal declines amounts above this (minor units).
    #[arg(long)]
    decline_above_minor: Option<i64>,
    /// Stop after this long at most, e.g. `30m`.
    #[arg(long, default_value = "1h", value_parser = crate::bench::parse_duration)]
    duration: Duration,
    /// Allow a target that is not on loopback.
    #[arg(long)]
    allow_remote: bool,
}

/// How long a request may wait for its answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Reconnections tried in a row before giving up.
const RECONNECTS_MAX: u32 = 5;
/// Log lines kept on screen.
const LOG_LINES: usize = 8;

/// The simulator's state.
struct Kiosk {
    args: KioskArgs,
    map: SeatMap,
    mine: HashSet<String>,
    hold: Option<String>,
    log: VecDeque<String>,
    next_id: u64,
}

/// Runs the simulator until `quit`, the end of the script or `--duration`.
pub async fn run(args: KioskArgs) -> anyhow::Result<()> {
    let duration = args.duration;
    let mut kiosk =
        Kiosk { args, map: SeatMap::default(), mine: HashSet::new(), hold: None, log: VecDeque::new(), next_id: 0 };
    match tokio::time::timeout(duration, kiosk.main_loop()).await {
        Ok(result) => result,
        Err(_) => {
            println!("--duration reached; bye");
            Ok(())
        }
    }
}

impl Kiosk {
    async fn main_loop(&mut self) -> anyhow::Result<()> {
        let base = crate::target::parse(&self.args.target, self.args.allow_remote)?;
        let url = client::ws_url(&base)?;
        let mut commands = self.commands();
        let mut failures = 0;
        loop {
            let mut ws = match self.connect(&url).await {
                Ok(ws) => ws,
                Err(e) if failures < RECONNECTS_MAX => {
                    failures += 1;
                    self.note(format!("connect failed ({e}); retrying"));
                    tokio::time::sleep(Duration::from_secs(u64::from(failures))).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            failures = 0;
            self.draw();
            match self.session(&mut ws, &mut commands).await {
                Ok(()) => return Ok(()),
                Err(e) => self.note(format!("connection lost: {e}; resuming from seq {}", self.map.seq)),
            }
        }
    }

    /// Lines from the script or the keyboard, through a small bounded queue.
    fn commands(&self) -> mpsc::Receiver<String> {
        let (tx, rx) = mpsc::channel(16);
        let script = self.args.script.clone();
        tokio::spawn(async move {
            if let Some(script) = script {
                for command in script.split(';').map(str::trim).filter(|c| !c.is_empty()) {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    if tx.send(command.to_owned()).await.is_err() {
                        return;
                    }
                }
                let _ = tx.send("quit".into()).await;
                return;
            }
            let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if tx.send(line).await.is_err() {
                    return;
                }
            }
            let _ = tx.send("quit".into()).await;
        });
        rx
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("k{}", self.next_id)
    }

    async fn connect(&mut self, url: &url::Url) -> anyhow::Result<Socket> {
        let mut ws = client::connect(url, None).await?;
        if let Some(token) = self.args.token.clone() {
            let mut fields = json!({"token": token});
            if let Some(name) = &self.args.kiosk_name {
                fields["kiosk"] = json!(name);
            }
            let answer = self.request(&mut ws, "auth", fields).await?;
            if answer["type"] == "error" {
                bail!("authentication refused: {}", answer["message"]);
            }
            self.note(format!("signed in as {}", answer["principal"]));
        }
        let since = (self.map.seq > 0).then_some(self.map.seq);
        let answer = self
            .request(&mut ws, "subscribe", json!({"showtime_id": self.args.showtime, "since": since, "coalesce": true}))
            .await?;
        if answer["type"] == "error" {
            bail!("cannot subscribe: {} {}", answer["code"], answer["message"]);
        }
        self.note(format!("subscribed ({} at seq {})", answer["start"], answer["seq"]));
        Ok(ws)
    }

    /// Sends a request and waits for its answer, applying pushed changes meanwhile.
    async fn request(&mut self, ws: &mut Socket, kind: &str, fields: Value) -> anyhow::Result<Value> {
        let id = self.id();
        client::send(ws, kind, &id, fields).await?;
        let mut pushed = Vec::new();
        let answer = client::answer(ws, &id, ANSWER_TIMEOUT, |m| pushed.push(m)).await;
        for message in pushed {
            self.on_push(&message)?;
        }
        answer
    }

    async fn session(&mut self, ws: &mut Socket, commands: &mut mpsc::Receiver<String>) -> anyhow::Result<()> {
        loop {
            tokio::select! {
                message = client::next(ws, Duration::from_secs(3600)) => {
                    let message = message?.context("the server closed the connection")?;
                    self.on_push(&message)?;
                }
                command = commands.recv() => {
                    let command = command.unwrap_or_else(|| "quit".into());
                    if !self.execute(ws, &command).await? {
                        return Ok(());
                    }
                }
            }
            self.draw();
        }
    }

    fn on_push(&mut self, message: &Value) -> anyhow::Result<()> {
        match message["type"].as_str() {
            Some("snapshot") => {
                self.map.reset(message);
                self.note(format!("snapshot at seq {}", self.map.seq));
            }
            Some("change") => self.on_change(message)?,
            // Consecutive changes coalesced into one message (we subscribe with `coalesce`).
            Some("changes") => {
                for change in message["changes"].as_array().into_iter().flatten() {
                    self.on_change(change)?;
                }
            }
            Some("closing") => self.note(format!("server closing: {} ({})", message["reason"], message["message"])),
            Some("error") => self.note(format!("error {}: {}", message["code"], message["message"])),
            _ => {}
        }
        Ok(())
    }

    fn on_change(&mut self, change: &Value) -> anyhow::Result<()> {
        self.map.apply(change)?;
        let seats: Vec<&str> =
            change["seats"].as_array().into_iter().flatten().filter_map(|s| s["label"].as_str()).collect();
        self.note(format!("#{} {} {}", change["seq"], change["change"].as_str().unwrap_or("?"), seats.join(" ")));
        Ok(())
    }

    fn note(&mut self, line: String) {
        if self.args.plain {
            println!("{line}");
        }
        if self.log.len() >= LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(line);
    }

    fn draw(&self) {
        if self.args.plain {
            return;
        }
        let mut screen = String::from("\x1b[2J\x1b[H");
        screen.push_str(&format!("boxoffice kiosk: showtime {}\n", self.args.showtime));
        screen.push_str(&self.map.render(&self.mine, true));
        for line in &self.log {
            screen.push_str(&format!("  {line}\n"));
        }
        screen.push_str("commands: hold A1 A2 | buy [tier] | release | map | quit\n> ");
        print!("{screen}");
        let _ = std::io::Write::flush(&mut std::io::stdout());
    }
}

mod commands;

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: KioskArgs,
    }

    #[test]
    fn the_defaults_parse() {
        let parsed = Wrapper::try_parse_from(["kiosk", "--showtime", "0191e2a4-0000-7000-8000-000000000000"]);
        let args = parsed.map_err(|e| e.to_string()).expect("the defaults parse").args;
        assert_eq!(args.duration, Duration::from_secs(3600));
    }
}
