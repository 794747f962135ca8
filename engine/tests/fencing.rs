//! Ownership through the engine, on a real SQLite store: an actor whose showtime was taken
//! over by another node is fenced (its write fails, it stops, the next request reloads under
//! a new epoch), and a node that does not own a showtime refuses its commands but follows
//! it for subscribers.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use boxoffice_engine::{
    Engine, EngineConfig, EngineError, HoldRequest, ManualClock, Placement, SubscriptionStart, as_owner,
};
use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
use boxoffice_storage::{Currency, ShowtimeId, Storage, Timestamp};

fn seats(labels: &[&str]) -> HoldRequest {
    HoldRequest::Seats(labels.iter().map(|s| (*s).to_string()).collect())
}

/// A node that owns no showtime (another node does).
struct Elsewhere;

impl Placement for Elsewhere {
    fn node_id(&self) -> &str {
        "node-b"
    }

    fn owns(&self, _showtime: ShowtimeId) -> bool {
        false
    }
}

async fn open() -> (tempfile::TempDir, Arc<SqliteStorage>, common::Catalog, Arc<ManualClock>) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(SqliteStorage::open(SqliteOptions::new(dir.path().join("boxoffice.db"))).unwrap());
    let catalog = common::catalog(storage.as_ref()).await;
    (dir, storage, catalog, ManualClock::starting_at(Timestamp::from_millis(common::NOW_MS)))
}

fn config() -> EngineConfig {
    EngineConfig { arbiters: 0, ..EngineConfig::default() }
}

#[actix_rt::test]
async fn a_taken_over_showtime_is_fenced_and_reloads_under_a_new_epoch() {
    let (_dir, storage, catalog, clock) = open().await;
    let engine = Engine::start(storage.clone(), config(), clock, Currency::EUR);
    let (alice, bob) = (common::customer(storage.as_ref(), 0).await, common::customer(storage.as_ref(), 0).await);
    let show = catalog.seated;
    engine.hold(show, alice, seats(&["A1"])).await.unwrap();
    assert_eq!(storage.showtime_owner(show).await.unwrap().map(|o| o.epoch), Some(1), "the actor took epoch 1");

    // Another node takes the showtime over: the running actor must never write again.
    assert_eq!(storage.acquire_showtime(show, "node-b").await.unwrap(), 2);
    let fenced = engine.hold(show, bob, seats(&["B1"])).await;
    assert_eq!(fenced.unwrap_err(), EngineError::NotOwner, "a fenced write is refused, never applied");
    assert_eq!(storage.load_journal(show).await.unwrap().len(), 1, "nothing of the fenced batch was written");

    // The next request starts a fresh actor, which takes a new epoch and replays the journal.
    engine.hold(show, bob, seats(&["B1"])).await.unwrap();
    let owner = storage.showtime_owner(show).await.unwrap().unwrap();
    assert_eq!((owner.epoch, owner.node.as_str()), (3, "single-node"));
    let map = engine.seat_map(show).await.unwrap();
    assert_eq!(map.counts.held, 2, "alice's durable hold survived the take-over, bob's is new");
}

#[actix_rt::test]
async fn a_non_owner_refuses_commands_and_follows_the_owners_journal() {
    let (_dir, storage, catalog, clock) = open().await;
    let owner = Engine::start(storage.clone(), config(), clock.clone(), Currency::EUR);
    let other = Engine::start_placed(storage.clone(), config(), clock, Currency::EUR, Arc::new(Elsewhere));
    let (alice, bob) = (common::customer(storage.as_ref(), 0).await, common::customer(storage.as_ref(), 0).await);
    let show = catalog.seated;

    let refused = other.hold(show, alice, seats(&["A1"])).await;
    assert_eq!(refused.unwrap_err(), EngineError::NotOwner, "no actor starts where placement says no");
    assert_eq!(storage.showtime_owner(show).await.unwrap(), None, "and nothing was acquired");

    let mut follower = other.subscribe(show, None).await.unwrap();
    assert!(matches!(follower.start, SubscriptionStart::Snapshot { seq: 0, .. }));
    owner.hold(show, alice, seats(&["A1"])).await.unwrap();
    let change = tokio::time::timeout(Duration::from_secs(5), follower.receiver.recv()).await.unwrap().unwrap();
    assert_eq!(change.seq, 1, "the follower publishes the owner's durable change");

    // A request forwarded to this node is served as the owner: it takes the showtime over.
    as_owner(other.hold(show, bob, seats(&["B1"]))).await.unwrap();
    assert_eq!(storage.showtime_owner(show).await.unwrap().map(|o| o.node), Some("node-b".to_owned()));
    let stale = owner.hold(show, alice, seats(&["C1"])).await;
    assert_eq!(stale.unwrap_err(), EngineError::NotOwner, "the previous owner is fenced");
    assert_eq!(storage.load_journal(show).await.unwrap().len(), 2, "one hold per epoch, none lost, none doubled");
}
