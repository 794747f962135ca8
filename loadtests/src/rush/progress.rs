//! The live progress line (indicatif) and the monitor behind it: once a second it reads the
//! hot showtime's counts (`GET /showtimes/{id}/seats`), notes them in the timeline and
//! shows users done, requests/s, errors, and sold/held/free.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::Method;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::Ctx;

/// The running monitor.
pub struct Monitor {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Monitor {
    /// Starts sampling; `quiet` hides the line (the samples are still taken).
    pub fn start(ctx: Arc<Ctx>, users: u64, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(users),
            if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr_with_hz(4) },
        );
        let style = ProgressStyle::with_template("{elapsed:>4} [{bar:24}] {pos}/{len} users  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut last_requests = 0;
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tick.tick() => {}
                }
                let requests = ctx.recorder.requests.load(Ordering::Relaxed);
                let rate = requests - last_requests;
                last_requests = requests;
                let counts = sample(&ctx).await;
                let hot =
                    counts.map_or_else(|| "hot: ?".to_owned(), |(s, h, f)| format!("hot: sold {s} held {h} free {f}"));
                bar.set_position(ctx.recorder.users_done.load(Ordering::Relaxed));
                bar.set_message(format!(
                    "{rate} req/s  {} errors  {} ws msgs  {hot}",
                    ctx.recorder.errors.load(Ordering::Relaxed),
                    ctx.recorder.ws_messages.load(Ordering::Relaxed)
                ));
            }
            bar.finish();
        });
        Self { stop, task }
    }

    /// Stops sampling and clears up the line.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// The hot showtime's `(sold, held, free)` now, also noted in the timeline.
async fn sample(ctx: &Ctx) -> Option<(u64, u64, u64)> {
    let answer = ctx.api.call(Method::GET, &format!("/api/v1/showtimes/{}/seats", ctx.hot), None, None).await;
    let c = answer.body.get("counts")?;
    let n = |k: &str| c.get(k).and_then(serde_json::Value::as_u64);
    let counts = (n("sold")?, n("held")?, n("free")?);
    ctx.recorder.hot_counts(counts.0, counts.1, counts.2);
    Some(counts)
}
