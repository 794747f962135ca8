//! The simulated customers' live seat maps, read apart from their requests.
//!
//! A real customer's browser reads its seat map on the customer's own device; here 10,000
//! customers share the generator's cores. When each customer read its map on the runtime
//! that also carries the requests, every change of the hot showtime woke thousands of
//! reader tasks, and a customer's HTTP answer waited behind them before its latency was
//! taken: the generator's own queue counted as the server's latency. So each open seat map
//! gets a reader task on the **feed runtime**, whose threads run at a lower CPU priority
//! (`--feed-nice`, default [`FEED_NICE`]); it applies what arrives to a map the customer shares and reads when it
//! chooses seats. Connecting and waiting for the snapshot (the `seat_map` operation) stay
//! on the request runtime.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use tokio::runtime::{Handle, Runtime};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::record::Recorder;
use super::seats::SeatMap;
use crate::kiosk::client::Socket;

/// Default CPU priority (nice) of the feed threads (`--feed-nice`): below the requests, like
/// the server's fan-out.
pub const FEED_NICE: u8 = 5;

/// Longest a seat map's goodbye (close frame) may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The feed runtime; shut down (without waiting) when dropped.
pub struct Feeds {
    runtime: Option<Runtime>,
    handle: Handle,
}

impl Feeds {
    /// Starts `threads` feed threads (0: one per CPU) at nice `nice`.
    ///
    /// # Errors
    /// The runtime could not start.
    pub fn start(threads: usize, nice: u8) -> std::io::Result<Self> {
        let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, usize::from) } else { threads };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("rush-feed")
            .on_thread_start(move || lower_thread_priority(nice))
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        Ok(Self { runtime: Some(runtime), handle })
    }

    /// Keeps `map` current from `ws` (subscribed, its snapshot applied) on the feed runtime.
    pub fn watch(&self, ws: Socket, map: SeatMap, recorder: Arc<Recorder>) -> LiveMap {
        let map = Arc::new(Mutex::new(map));
        let (stop, stopped) = oneshot::channel();
        let reader = self.handle.spawn(read(ws, Arc::clone(&map), recorder, stopped));
        LiveMap { map, stop: Some(stop), reader }
    }
}

impl Drop for Feeds {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A seat map kept current by its reader task; dropping it closes the connection.
pub struct LiveMap {
    map: Arc<Mutex<SeatMap>>,
    /// Dropped (or sent) to make the reader close the connection.
    stop: Option<oneshot::Sender<()>>,
    reader: JoinHandle<()>,
}

impl LiveMap {
    /// The map as it is now.
    pub fn view(&self) -> MutexGuard<'_, SeatMap> {
        lock(&self.map)
    }

    /// Closes the connection (a close frame, at most [`CLOSE_TIMEOUT`]) and waits for it.
    pub async fn close(mut self) {
        self.stop.take();
        let reader = &mut self.reader;
        if tokio::time::timeout(CLOSE_TIMEOUT * 2, reader).await.is_err() {
            self.reader.abort();
        }
    }
}

fn lock(map: &Mutex<SeatMap>) -> MutexGuard<'_, SeatMap> {
    // A reader that panicked leaves a usable map (each change is applied whole or not).
    map.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Applies every text message to `map` until `stop` (then closes) or the connection ends.
async fn read(mut ws: Socket, map: Arc<Mutex<SeatMap>>, recorder: Arc<Recorder>, mut stop: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    recorder.ws_messages.fetch_add(1, Ordering::Relaxed);
                    lock(&map).apply_text(text.as_str());
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, ws.close(None)).await;
}

/// Sets the calling thread's nice value (Linux: per thread); 0 leaves it.
fn lower_thread_priority(nice: u8) {
    #[cfg(target_os = "linux")]
    if nice > 0 {
        // SAFETY: setpriority takes plain integers; `who = 0` is the calling thread.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, 0, libc::c_int::from(nice.min(19)));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn feed_threads_run_niced_and_the_runtime_drops_inside_another() {
        let feeds = Feeds::start(1, 3).expect("feeds");
        let nice = feeds
            .handle
            .spawn(async {
                // SAFETY: plain integer arguments; `who = 0` is the calling thread.
                #[cfg(target_os = "linux")]
                let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
                #[cfg(not(target_os = "linux"))]
                let nice = 3;
                nice
            })
            .await
            .expect("ran");
        assert!(nice >= 3, "nice {nice}");
        drop(feeds);
    }
}
