//! Showtime ownership cases: epochs rise at every take-over, a stale epoch can never
//! write (fencing), and a follower reads the journal's tail.

use super::fixtures::{entry, hold, join_all};
use crate::Storage;
use crate::error::StorageError;
use crate::ids::{CustomerId, ShowtimeId};

/// Every take-over raises the epoch by one and records the new owner, per showtime.
pub async fn ownership_epochs(store: &dyn Storage) {
    let (show, other) = (ShowtimeId::new(), ShowtimeId::new());
    assert_eq!(store.showtime_owner(show).await.expect("owner"), None, "a new showtime has no owner");
    assert_eq!(store.acquire_showtime(show, "node-a").await.expect("acquire"), 1, "first epoch is 1");
    let owner = store.showtime_owner(show).await.expect("owner").expect("owned");
    assert_eq!((owner.node.as_str(), owner.epoch), ("node-a", 1), "owner recorded");
    assert_eq!(store.acquire_showtime(show, "node-b").await.expect("acquire"), 2, "take-over raises the epoch");
    let owner = store.showtime_owner(show).await.expect("owner").expect("owned");
    assert_eq!((owner.node.as_str(), owner.epoch), ("node-b", 2), "new owner recorded");
    assert_eq!(store.acquire_showtime(other, "node-a").await.expect("acquire"), 1, "epochs are per showtime");

    let racers = join_all(vec![store.acquire_showtime(show, "node-c"), store.acquire_showtime(show, "node-d")]).await;
    let mut epochs: Vec<u64> = racers.into_iter().map(|r| r.expect("racing acquire")).collect();
    epochs.sort_unstable();
    assert_eq!(epochs, [3, 4], "racing take-overs get distinct epochs");
    assert_eq!(store.showtime_owner(show).await.expect("owner").map(|o| o.epoch), Some(4), "the last one owns");
}

/// A batch of an epoch that was taken over is refused whole, however it is written.
pub async fn fenced_journal_writes(store: &dyn Storage) {
    let (show, who) = (ShowtimeId::new(), CustomerId::new());
    let old = store.acquire_showtime(show, "node-a").await.expect("acquire");
    let first = vec![entry(1, hold(who, 0)), entry(2, hold(who, 1))];
    store.append_journal_fenced(show, old, &first).await.expect("the owner writes");
    let new = store.acquire_showtime(show, "node-b").await.expect("take-over");
    let fenced = Err(StorageError::Fenced { showtime: show, epoch: old, current: new });
    let stale = [entry(3, hold(who, 2))];
    assert_eq!(store.append_journal_fenced(show, old, &stale).await, fenced, "a stale owner is fenced");
    assert_eq!(store.load_journal(show).await.expect("load"), first, "the fenced batch wrote nothing");
    store.append_journal_fenced(show, new, &[entry(3, hold(who, 3))]).await.expect("the new owner continues");
    assert_eq!(store.load_journal(show).await.expect("load").len(), 3, "one entry appended by the new owner");
    let none = store.append_journal_fenced(show, old, &[]).await;
    assert_eq!(none, Ok(()), "an empty batch writes nothing, fenced or not");
    let gap = store.append_journal_fenced(show, new, &[entry(5, hold(who, 4))]).await;
    assert!(matches!(gap, Err(StorageError::SequenceConflict { .. })), "the owner's gaps are refused: {gap:?}");
}

/// The journal after a sequence number, in order.
pub async fn journal_tail_after(store: &dyn Storage) {
    let (show, who) = (ShowtimeId::new(), CustomerId::new());
    let epoch = store.acquire_showtime(show, "node-a").await.expect("acquire");
    assert!(store.load_journal_after(show, 0).await.expect("tail").is_empty(), "empty journal");
    let all: Vec<_> = (1..=5).map(|seq| entry(seq, hold(who, u16::try_from(seq).unwrap_or(0)))).collect();
    store.append_journal_fenced(show, epoch, &all).await.expect("append");
    assert_eq!(store.load_journal_after(show, 0).await.expect("tail"), all, "after 0: everything");
    assert_eq!(store.load_journal_after(show, 3).await.expect("tail"), all[3..], "after 3: 4 and 5");
    assert!(store.load_journal_after(show, 5).await.expect("tail").is_empty(), "after the end: nothing");
}
