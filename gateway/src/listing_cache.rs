//! A cache of showtime listings (`GET /api/v1/showtimes`): the encoded answer per query
//! string, for at most [`LISTING_TTL_MS`], and never across a catalog change made through
//! this node.
//!
//! Why: under a release rush every customer opens the listing first, and every listing was a
//! catalog query on one of the few SQLite read connections, and its JSON encoding; the
//! listings queued behind each other and delayed every other read behind them (idempotency
//! lookups of purchases, wallets). The profile is in `docs/benchmarks.md`.
//!
//! Correctness: a successful write to a catalog route (films, auditoriums, showtimes,
//! showtime cancellation), from a client or from the staff console (which calls the same API
//! routes in-process), bumps the generation *after* the write committed and *before* its
//! answer leaves, so a client that changed the catalog and then lists sees the change; an
//! entry is only served while the generation it was read under is current. A change the
//! node cannot see (another node of a cluster) shows within the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;

use crate::state::AppState;

/// Longest a listing is served from the cache.
pub const LISTING_TTL_MS: u64 = 1_000;
/// Distinct query strings kept; beyond, the cache starts afresh.
pub const ENTRIES_MAX: usize = 1_024;

struct Entry {
    generation: u64,
    at: Instant,
    body: Bytes,
}

/// The cache.
#[derive(Default)]
pub struct ListingCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for ListingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingCache")
            .field("generation", &self.generation.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl ListingCache {
    /// The current generation; read it *before* querying storage and store with it.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The cached answer of `query`, if fresh and of the current generation.
    pub fn get(&self, query: &str) -> Option<Bytes> {
        let generation = self.generation();
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = entries.get(query)?;
        let fresh = entry.generation == generation && entry.at.elapsed() < Duration::from_millis(LISTING_TTL_MS);
        fresh.then(|| entry.body.clone())
    }

    /// Keeps the answer of `query` read under `generation`.
    pub fn put(&self, query: &str, generation: u64, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= ENTRIES_MAX && !entries.contains_key(query) {
            entries.clear();
        }
        entries.insert(query.to_owned(), Entry { generation, at: Instant::now(), body });
    }

    /// Forgets every listing: the catalog changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// Middleware of the catalog routes (films, auditoriums, showtimes: see
/// `routes::api`): a successful write invalidates the listings.
pub async fn invalidate_on_catalog_change(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let writes = request.method() != Method::GET && request.method() != Method::HEAD;
    let response = next.run(request).await;
    if writes && response.status().is_success() {
        state.listings.invalidate();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_die_with_their_generation() {
        let cache = ListingCache::default();
        let g = cache.generation();
        cache.put("limit=5", g, Bytes::from_static(b"[1]"));
        assert_eq!(cache.get("limit=5").as_deref(), Some(&b"[1]"[..]));
        assert!(cache.get("limit=6").is_none());
        cache.invalidate();
        assert!(cache.get("limit=5").is_none(), "a catalog change hides older listings");
        cache.put("limit=5", g, Bytes::from_static(b"[stale]"));
        assert!(cache.get("limit=5").is_none(), "a listing read before the change is never served");
    }
}
