//! Followers: read-only copies of showtimes owned by another node, so that WebSocket
//! subscriptions work on whichever node a client reached.
//!
//! A follower is a small tokio task (not an actor: it decides nothing). It loads the
//! showtime like an actor does, but never takes ownership; every [`FOLLOW_POLL`] it reads
//! the journal entries the owner made durable since its last read
//! ([`Storage::load_journal_after`](boxoffice_storage::Storage::load_journal_after)) and
//! publishes them through the same [`Feed`](crate::events) as an owner, so subscribers see
//! the same messages, in order, at most one poll later. It stops when it has had no
//! subscriber for [`FOLLOW_IDLE`], when this node becomes the owner (its subscribers then
//! resubscribe and reach the owner's actor), or when the journal does not replay.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use boxoffice_storage::ShowtimeId;
use dashmap::DashMap;
use tokio::sync::{mpsc, oneshot};

use crate::error::EngineError;
use crate::events::{Feed, Subscription};
use crate::seat_map::{SeatMap, ShowtimeInfo};
use crate::showtime::Shared;

/// How often a follower reads the owner's new journal entries.
pub const FOLLOW_POLL: Duration = Duration::from_millis(200);
/// A follower without subscribers for this long stops.
pub const FOLLOW_IDLE: Duration = Duration::from_secs(10);
/// Requests a follower may have queued.
const FOLLOWER_MAILBOX: usize = 256;

enum Request {
    Subscribe { since: Option<u64>, reply: oneshot::Sender<Subscription> },
}

#[derive(Clone)]
struct FollowerHandle {
    generation: u64,
    requests: mpsc::Sender<Request>,
}

/// Running followers by showtime.
pub(crate) struct Followers {
    running: DashMap<ShowtimeId, FollowerHandle>,
    loading: DashMap<ShowtimeId, Arc<tokio::sync::Mutex<()>>>,
    generation: AtomicU64,
    shared: Arc<Shared>,
}

impl Followers {
    /// No followers yet.
    pub(crate) fn new(shared: Arc<Shared>) -> Arc<Self> {
        Arc::new(Self { running: DashMap::new(), loading: DashMap::new(), generation: AtomicU64::new(0), shared })
    }

    /// A subscription served by this showtime's follower (started if needed).
    pub(crate) async fn subscribe(
        self: &Arc<Self>,
        showtime: ShowtimeId,
        since: Option<u64>,
    ) -> Result<Subscription, EngineError> {
        let timeout = Duration::from_millis(self.shared.config.request_timeout_ms);
        for _ in 0..2 {
            let handle = self.get_or_start(showtime).await?;
            let (reply, answer) = oneshot::channel();
            if handle.requests.try_send(Request::Subscribe { since, reply }).is_err() {
                self.forget(showtime, handle.generation);
                continue;
            }
            match tokio::time::timeout(timeout, answer).await {
                Ok(Ok(subscription)) => return Ok(subscription),
                Ok(Err(_)) => self.forget(showtime, handle.generation),
                Err(_) => return Err(EngineError::Timeout),
            }
        }
        Err(EngineError::Overloaded)
    }

    fn forget(&self, showtime: ShowtimeId, generation: u64) {
        self.running.remove_if(&showtime, |_, h| h.generation == generation);
    }

    async fn get_or_start(self: &Arc<Self>, showtime: ShowtimeId) -> Result<FollowerHandle, EngineError> {
        if let Some(handle) = self.running.get(&showtime) {
            return Ok(handle.clone());
        }
        let lock = Arc::clone(self.loading.entry(showtime).or_default().value());
        let _guard = lock.lock().await;
        if let Some(handle) = self.running.get(&showtime) {
            return Ok(handle.clone());
        }
        if self.running.len() >= self.shared.config.actors_max {
            return Err(EngineError::Overloaded);
        }
        let timeout = Duration::from_millis(self.shared.config.request_timeout_ms);
        let (info, map) = tokio::time::timeout(timeout, crate::registry::load_replica(&self.shared, showtime))
            .await
            .map_err(|_| EngineError::Timeout)??;
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let (requests, inbox) = mpsc::channel(FOLLOWER_MAILBOX);
        let handle = FollowerHandle { generation, requests };
        self.running.insert(showtime, handle.clone());
        self.loading.remove(&showtime);
        let followers = Arc::clone(self);
        tokio::spawn(async move {
            follow(&followers.shared, info, map, inbox).await;
            followers.forget(showtime, generation);
        });
        Ok(handle)
    }
}

/// The follower task: answers subscriptions, polls the journal, stops when idle.
async fn follow(shared: &Shared, info: ShowtimeInfo, mut durable: SeatMap, mut inbox: mpsc::Receiver<Request>) {
    let mut feed = Feed::new(shared.config.changes_channel_max, shared.config.changes_ring_max);
    let mut poll = tokio::time::interval(FOLLOW_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_subscriber = Instant::now();
    let poll_timeout = Duration::from_millis(shared.config.request_timeout_ms);
    loop {
        tokio::select! {
            request = inbox.recv() => match request {
                Some(Request::Subscribe { since, reply }) => {
                    let snapshot = Box::new(|| {
                        let layout = info.layout.as_deref().map(boxoffice_storage::SeatLayout::spec);
                        crate::events::encode_snapshot(&durable.view(&info), layout)
                    });
                    let subscription = feed.subscribe(info.id, since, durable.seq(), snapshot);
                    let _ = reply.send(subscription);
                }
                None => return,
            },
            _ = poll.tick() => {
                if feed.subscribers() > 0 {
                    last_subscriber = Instant::now();
                } else if last_subscriber.elapsed() >= FOLLOW_IDLE {
                    return;
                }
                if shared.placement.owns(info.id) {
                    tracing::debug!(showtime_id = %info.id, "this node owns the showtime now; follower stops");
                    return;
                }
                let read = shared.storage.load_journal_after(info.id, durable.seq());
                let entries = match tokio::time::timeout(poll_timeout, read).await {
                    Ok(Ok(entries)) => entries,
                    Ok(Err(error)) => {
                        tracing::warn!(showtime_id = %info.id, %error, "follower cannot read the journal; retrying");
                        continue;
                    }
                    Err(_) => continue,
                };
                for entry in &entries {
                    if let Err(error) = feed.apply_and_publish(&info, &mut durable, entry) {
                        tracing::error!(showtime_id = %info.id, %error, "followed journal does not replay; follower stops");
                        return;
                    }
                }
            }
        }
    }
}
