//! Rendezvous (highest random weight) hashing: each showtime's owner is the live node
//! with the highest weight `H(node, showtime)`. Every node computes the same owner from
//! the same node list, without talking to the others; when a node leaves, only its
//! showtimes move (each to its own next-best node), and when it comes back they return.
//!
//! The weight is SHA-256, stable across processes, platforms and releases (the standard
//! library's hasher is not).

use boxoffice_storage::ShowtimeId;
use sha2::{Digest, Sha256};

/// The weight of `node` for `showtime`.
#[must_use]
pub fn weight(node: &str, showtime: ShowtimeId) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(node.as_bytes());
    hasher.update([0]);
    hasher.update(showtime.as_uuid().as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The owner of `showtime` among `nodes`: the highest weight (ties, which SHA-256 makes
/// practically impossible, go to the smaller name). `None` without nodes.
#[must_use]
pub fn owner<'a>(nodes: impl IntoIterator<Item = &'a str>, showtime: ShowtimeId) -> Option<&'a str> {
    nodes.into_iter().max_by(|a, b| weight(a, showtime).cmp(&weight(b, showtime)).then_with(|| b.cmp(a)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const NODES: [&str; 3] = ["http://10.0.0.1:8080", "http://10.0.0.2:8080", "http://10.0.0.3:8080"];

    #[test]
    fn every_node_agrees_and_order_does_not_matter() {
        for _ in 0..200 {
            let s = ShowtimeId::new();
            let reversed: Vec<&str> = NODES.iter().rev().copied().collect();
            assert_eq!(owner(NODES, s), owner(reversed, s));
        }
        assert_eq!(owner(std::iter::empty(), ShowtimeId::new()), None);
    }

    #[test]
    fn spreads_showtimes_evenly() {
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for _ in 0..3000 {
            *counts.entry(owner(NODES, ShowtimeId::new()).expect("owner")).or_default() += 1;
        }
        for node in NODES {
            let n = counts.get(node).copied().unwrap_or(0);
            assert!((800..=1200).contains(&n), "{node} owns {n} of 3000: {counts:?}");
        }
    }

    #[test]
    fn only_the_departed_nodes_showtimes_move() {
        for _ in 0..500 {
            let s = ShowtimeId::new();
            let before = owner(NODES, s).expect("owner");
            let survivors: Vec<&str> = NODES.iter().copied().filter(|n| *n != NODES[0]).collect();
            let after = owner(survivors.iter().copied(), s).expect("owner");
            if before != NODES[0] {
                assert_eq!(before, after, "a showtime of a surviving node moved");
            }
        }
    }
}
