//! The registry: maps each showtime to its running actor, starts actors lazily (loading and
//! replaying the journal first), spreads them over a small pool of arbiters, and bounds how
//! many are alive.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use actix::Actor;
use actix_rt::ArbiterHandle;
use boxoffice_storage::{Seating, ShowtimeId};
use dashmap::DashMap;

use crate::error::EngineError;
use crate::seat_map::{SeatMap, ShowtimeInfo};
use crate::showtime::{Shared, ShowtimeActor, ShowtimeHandle};

/// Running showtime actors by id.
pub(crate) struct Registry {
    actors: DashMap<ShowtimeId, ShowtimeHandle>,
    loading: DashMap<ShowtimeId, Arc<tokio::sync::Mutex<()>>>,
    arbiters: Vec<ArbiterHandle>,
    next_arbiter: AtomicUsize,
    generation: AtomicU64,
    shared: Arc<Shared>,
}

impl Registry {
    /// A registry starting actors on `arbiters` (at least one).
    pub(crate) fn new(arbiters: Vec<ArbiterHandle>, shared: Arc<Shared>) -> Self {
        Self {
            actors: DashMap::new(),
            loading: DashMap::new(),
            arbiters,
            next_arbiter: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
            shared,
        }
    }

    /// What every actor shares.
    pub(crate) fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    /// The handle of a showtime's running actor, if any.
    pub(crate) fn running(&self, showtime: ShowtimeId) -> Option<ShowtimeHandle> {
        self.actors.get(&showtime).map(|h| h.value().clone())
    }

    /// Whether a showtime has a running actor.
    pub(crate) fn is_running(&self, showtime: ShowtimeId) -> bool {
        self.actors.contains_key(&showtime)
    }

    /// Number of live actors.
    pub(crate) fn len(&self) -> usize {
        self.actors.len()
    }

    /// Handles of every live actor.
    pub(crate) fn handles(&self) -> Vec<ShowtimeHandle> {
        self.actors.iter().map(|e| e.value().clone()).collect()
    }

    /// Sum of every live actor's queued commands.
    pub(crate) fn mailbox_depth(&self) -> usize {
        self.actors.iter().map(|e| e.value().depth()).sum()
    }

    /// Removes the entry of `showtime` if it still points to `generation`.
    pub(crate) fn forget(&self, showtime: ShowtimeId, generation: u64) {
        self.actors.remove_if(&showtime, |_, h| h.generation() == generation);
    }

    /// The running actor of a showtime, started (and its journal replayed) if needed. Only
    /// one caller loads a showtime at a time; the others wait for it.
    pub(crate) async fn get_or_start(&self, showtime: ShowtimeId) -> Result<ShowtimeHandle, EngineError> {
        if let Some(handle) = self.actors.get(&showtime) {
            return Ok(handle.clone());
        }
        let lock = Arc::clone(self.loading.entry(showtime).or_default().value());
        let _guard = lock.lock().await;
        if let Some(handle) = self.actors.get(&showtime) {
            return Ok(handle.clone());
        }
        if self.actors.len() >= self.shared.config.actors_max {
            return Err(EngineError::Overloaded);
        }
        let timeout = std::time::Duration::from_millis(self.shared.config.request_timeout_ms);
        let (info, map, epoch) =
            tokio::time::timeout(timeout, load(&self.shared, showtime)).await.map_err(|_| EngineError::Timeout)??;
        let handle = self.start(info, map, epoch);
        self.actors.insert(showtime, handle.clone());
        self.loading.remove(&showtime);
        Ok(handle)
    }

    fn start(&self, info: ShowtimeInfo, map: SeatMap, epoch: u64) -> ShowtimeHandle {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let depth = Arc::new(AtomicUsize::new(0));
        let shared = Arc::clone(&self.shared);
        let actor_depth = Arc::clone(&depth);
        // No arbiters (tests on a single-threaded actix runtime): run on the caller's.
        let n = self.next_arbiter.fetch_add(1, Ordering::Relaxed) % self.arbiters.len().max(1);
        let addr = match self.arbiters.get(n) {
            Some(arbiter) => ShowtimeActor::start_in_arbiter(arbiter, move |_| {
                ShowtimeActor::new(info, map, shared, generation, actor_depth).owning(epoch)
            }),
            None => ShowtimeActor::new(info, map, shared, generation, actor_depth).owning(epoch).start(),
        };
        ShowtimeHandle::new(addr, generation, depth, self.shared.config.mailbox_capacity)
    }
}

/// Loads a showtime, takes ownership of it (a new epoch: from now on, no other node can
/// write its journal), then replays its journal into a seat map. The journal is read after
/// the take-over, so it holds every batch any earlier owner made durable.
async fn load(shared: &Shared, id: ShowtimeId) -> Result<(ShowtimeInfo, SeatMap, u64), EngineError> {
    let info = load_info(shared, id).await?;
    let epoch = shared.storage.acquire_showtime(id, shared.placement.node_id()).await?;
    tracing::debug!(showtime_id = %id, epoch, node = shared.placement.node_id(), "showtime acquired");
    let map = replay(shared, &info).await?;
    Ok((info, map, epoch))
}

/// Loads a showtime and replays its journal without taking ownership (a follower).
pub(crate) async fn load_replica(shared: &Shared, id: ShowtimeId) -> Result<(ShowtimeInfo, SeatMap), EngineError> {
    let info = load_info(shared, id).await?;
    let map = replay(shared, &info).await?;
    Ok((info, map))
}

/// A showtime's details and layout.
async fn load_info(shared: &Shared, id: ShowtimeId) -> Result<ShowtimeInfo, EngineError> {
    let storage = &shared.storage;
    let showtime = storage.showtime(id).await?.ok_or(EngineError::ShowtimeNotFound)?;
    let layout = match showtime.details.seating {
        Seating::Reserved => {
            let auditorium =
                storage.auditorium(showtime.details.auditorium_id).await?.ok_or(EngineError::ShowtimeNotFound)?;
            Some(Arc::new(auditorium.details.layout))
        }
        Seating::GeneralAdmission { .. } => None,
    };
    let info = ShowtimeInfo {
        id,
        starts_at: showtime.details.starts_at,
        status: showtime.status,
        seating: showtime.details.seating,
        prices: showtime.details.prices,
        layout,
    };
    Ok(info)
}

/// A seat map rebuilt from the showtime's whole journal.
async fn replay(shared: &Shared, info: &ShowtimeInfo) -> Result<SeatMap, EngineError> {
    let id = info.id;
    let mut map = SeatMap::new(info);
    let journal = shared.storage.load_journal(id).await?;
    for entry in &journal {
        map.apply(entry).map_err(|e| {
            tracing::error!(showtime_id = %id, error = %e, "journal does not replay");
            EngineError::StorageUnavailable(format!("journal of showtime {id} does not replay: {e}"))
        })?;
    }
    tracing::debug!(showtime_id = %id, entries = journal.len(), "showtime loaded");
    Ok(map)
}
