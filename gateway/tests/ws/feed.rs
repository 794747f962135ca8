//! Subscriptions: a snapshot, then every durable change with consecutive sequence numbers;
//! resume with exactly the missed changes, or a snapshot when too far behind; with
//! `coalesce`, the same changes, several to a `changes` message, in order and without a gap.

use reqwest::Method;
use serde_json::json;

use crate::client::Ws;
use crate::helpers::{spawn_app, spawn_app_with};
use crate::{customer, http_hold, seat_map, showtime};

#[tokio::test]
async fn a_subscriber_gets_a_snapshot_then_http_decisions_as_changes() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let mut ws = Ws::connect(&app).await;
    let subscribed = ws.subscribe(&show, None).await;
    assert_eq!((subscribed["start"].as_str(), subscribed["seq"].as_u64()), (Some("snapshot"), Some(0)));
    let snapshot = ws.recv().await;
    assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
    assert_eq!((snapshot["seats"].as_str(), snapshot["counts"]["free"].as_u64()), (Some("........"), Some(8)));
    assert_eq!(snapshot["layout"]["rows"][1], json!({"label": "B", "seats": "SS|SS"}));

    let token = customer(&app).await;
    let hold = http_hold(&app, &token, &show, &["A1", "A2"]).await;
    let change = ws.recv().await;
    assert_eq!((change["type"].as_str(), change["seq"].as_u64()), (Some("change"), Some(1)), "{change}");
    assert_eq!(change["change"], "held");
    assert_eq!(change["seats"], json!([{"label": "A1", "status": "held"}, {"label": "A2", "status": "held"}]));
    assert_eq!((change["counts"]["held"].as_u64(), change["counts"]["free"].as_u64()), (Some(2), Some(6)));
    let text = change.to_string();
    assert!(!text.contains(hold["hold_id"].as_str().unwrap()), "no hold ids: {text}");

    let path = format!("/api/v1/showtimes/{show}/holds/{}", hold["hold_id"].as_str().unwrap());
    assert!(app.customer(&token, Method::DELETE, &path).send().await.unwrap().status().is_success());
    let released = ws.recv().await;
    assert_eq!((released["seq"].as_u64(), released["change"].as_str()), (Some(2), Some("released")), "{released}");
    assert_eq!(
        (released["reason"].as_str(), released["seats"][1]["status"].as_str()),
        (Some("released"), Some("free"))
    );
    assert_eq!(released["counts"]["free"], 8);
}

#[tokio::test]
async fn sequence_numbers_are_consecutive_under_concurrent_decisions() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let mut ws = Ws::connect(&app).await;
    ws.subscribe(&show, None).await;
    assert_eq!(ws.recv().await["type"], "snapshot");
    let seats = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"];
    let mut tokens = Vec::new();
    for _ in 0..4 {
        tokens.push(customer(&app).await);
    }
    // Four customers each move a hold around their own two seats, concurrently.
    let runs = tokens.iter().enumerate().map(|(i, token)| {
        let (app, show) = (&app, &show);
        async move {
            for round in 0..6 {
                let seat = seats[2 * i + round % 2];
                http_hold(app, token, show, &[seat]).await;
            }
        }
    });
    futures::future::join_all(runs).await;
    let last = seat_map(&app, &show).await["seq"].as_u64().unwrap();
    assert!(last >= 24, "every hold and replacement journaled: {last}");
    for expected in 1..=last {
        let change = ws.recv().await;
        assert_eq!(change["seq"].as_u64(), Some(expected), "{change}");
    }
}

#[tokio::test]
async fn resume_gets_exactly_the_missed_changes_then_live_ones() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let token = customer(&app).await;
    let mut ws = Ws::connect(&app).await;
    ws.subscribe(&show, None).await;
    ws.recv().await;
    http_hold(&app, &token, &show, &["A1"]).await;
    assert_eq!(ws.recv().await["seq"], 1);
    drop(ws);

    http_hold(&app, &token, &show, &["A2"]).await; // 2: A1 released (replaced), 3: A2 held
    http_hold(&app, &token, &show, &["A3"]).await; // 4, 5
    let mut ws = Ws::connect(&app).await;
    let subscribed = ws.subscribe(&show, Some(1)).await;
    assert_eq!((subscribed["start"].as_str(), subscribed["seq"].as_u64()), (Some("resume"), Some(5)));
    let missed: Vec<_> = [ws.recv().await, ws.recv().await, ws.recv().await, ws.recv().await].to_vec();
    let seqs: Vec<_> = missed.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [2, 3, 4, 5]);
    assert_eq!((missed[0]["change"].as_str(), missed[0]["reason"].as_str()), (Some("released"), Some("replaced")));
    assert!(missed.iter().all(|m| m["type"] == "change"));
    http_hold(&app, &token, &show, &["A4"]).await;
    assert_eq!(ws.recv().await["seq"], 6);
}

#[tokio::test]
async fn resume_too_far_back_or_ahead_gets_a_snapshot() {
    let app = spawn_app_with(|s| s.engine.changes_ring_max = 3).await;
    let show = showtime(&app).await;
    let token = customer(&app).await;
    for seat in ["A1", "A2", "A3", "A4"] {
        http_hold(&app, &token, &show, &[seat]).await; // 7 changes in all
    }
    let mut ws = Ws::connect(&app).await;
    let subscribed = ws.subscribe(&show, Some(2)).await;
    assert_eq!((subscribed["start"].as_str(), subscribed["seq"].as_u64()), (Some("snapshot"), Some(7)));
    let snapshot = ws.recv().await;
    assert_eq!((snapshot["type"].as_str(), snapshot["seq"].as_u64()), (Some("snapshot"), Some(7)));
    assert_eq!((snapshot["counts"]["held"].as_u64(), snapshot["seats"].as_str()), (Some(1), Some("...h....")));

    let mut ahead = Ws::connect(&app).await;
    assert_eq!(ahead.subscribe(&show, Some(999)).await["start"], "snapshot");
    let mut recent = Ws::connect(&app).await;
    assert_eq!(recent.subscribe(&show, Some(5)).await["start"], "resume");
    assert_eq!(recent.recv().await["seq"], 6);
}

#[tokio::test]
async fn unsubscribe_stops_the_changes_and_errors_name_the_problem() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let token = customer(&app).await;
    let mut ws = Ws::connect(&app).await;
    ws.subscribe(&show, None).await;
    ws.recv().await;
    let again = ws.request("subscribe", json!({"showtime_id": show})).await;
    assert_eq!((again["type"].as_str(), again["code"].as_str()), (Some("error"), Some("already_subscribed")));
    let gone = ws.request("subscribe", json!({"showtime_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(gone["code"], "showtime_not_found");
    let answer = ws.request("unsubscribe", json!({"showtime_id": show})).await;
    assert_eq!(answer["type"], "unsubscribed");
    http_hold(&app, &token, &show, &["B1"]).await;
    let pong = ws.request("ping", json!({})).await;
    assert_eq!(pong["type"], "pong");
    assert_eq!(ws.pending(), 0, "no change after `unsubscribed`");
    assert_eq!(ws.request("unsubscribe", json!({"showtime_id": show})).await["code"], "not_subscribed");
}

/// Reads messages until change `last` has arrived; every change as a `change` value, in
/// the order received (the elements of a `changes` message in their order), and how many
/// `changes` messages carried more than one.
async fn changes_until(ws: &mut Ws, show: &str, last: u64) -> (Vec<serde_json::Value>, usize) {
    let (mut changes, mut coalesced) = (Vec::new(), 0);
    while changes.last().and_then(|c: &serde_json::Value| c["seq"].as_u64()) != Some(last) {
        let m = ws.recv().await;
        match m["type"].as_str() {
            Some("change") => changes.push(m),
            Some("changes") => {
                let inner = m["changes"].as_array().expect("an array").clone();
                assert!(!inner.is_empty(), "{m}");
                assert_eq!(m["showtime_id"], show);
                assert_eq!(
                    (m["from"].as_u64(), m["seq"].as_u64()),
                    (inner[0]["seq"].as_u64(), inner.last().unwrap()["seq"].as_u64()),
                    "{m}"
                );
                assert!(inner.iter().all(|c| c["type"] == "change" && c["showtime_id"] == show), "{m}");
                let len = m.to_string().len();
                assert!(len < boxoffice_gateway::ws::forward::COALESCE_BYTES_MAX + 256, "bounded: {len} bytes");
                coalesced += usize::from(inner.len() > 1);
                changes.extend(inner);
            }
            _ => panic!("only changes expected: {m}"),
        }
    }
    (changes, coalesced)
}

fn seqs(changes: &[serde_json::Value]) -> Vec<u64> {
    changes.iter().map(|c| c["seq"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn coalesced_changes_arrive_in_order_without_a_gap() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let token = customer(&app).await;
    let seats = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"];
    for i in 0..16 {
        http_hold(&app, &token, &show, &[seats[i % seats.len()]]).await; // 1, then 2 each: 31
    }
    assert_eq!(seat_map(&app, &show).await["seq"], 31);

    // A resume's missed changes are ready together: they come coalesced, in order, in
    // messages of bounded size (31 changes do not fit in one), each element exactly the
    // `change` message a subscriber without `coalesce` gets.
    let mut ws = Ws::connect(&app).await;
    let answer = ws.request("subscribe", json!({"showtime_id": show, "since": 0, "coalesce": true})).await;
    assert_eq!(
        (answer["type"].as_str(), answer["start"].as_str(), answer["coalesce"].as_bool()),
        (Some("subscribed"), Some("resume"), Some(true)),
        "{answer}"
    );
    let (resumed, coalesced) = changes_until(&mut ws, &show, 31).await;
    assert_eq!(seqs(&resumed), (1..=31).collect::<Vec<_>>());
    assert!(coalesced >= 2, "31 changes in a few bounded `changes` messages");
    let mut plain = Ws::connect(&app).await;
    assert!(plain.subscribe(&show, Some(0)).await.get("coalesce").is_none());
    let (one_by_one, none) = changes_until(&mut plain, &show, 31).await;
    assert_eq!((one_by_one, none), (resumed, 0), "the same changes, one message each");

    // Live changes from concurrent decisions: consecutive, whether or not they were ready
    // together, and the same as the plain subscriber's.
    let tokens = [customer(&app).await, customer(&app).await, customer(&app).await];
    let runs = tokens.iter().enumerate().map(|(i, token)| {
        let (app, show) = (&app, &show);
        async move {
            for round in 0..4 {
                http_hold(app, token, show, &[seats[2 * i + round % 2]]).await;
            }
        }
    });
    futures::future::join_all(runs).await;
    let last = seat_map(&app, &show).await["seq"].as_u64().unwrap();
    let (live, _) = changes_until(&mut ws, &show, last).await;
    assert_eq!(seqs(&live), (32..=last).collect::<Vec<_>>());
    let (live_plain, _) = changes_until(&mut plain, &show, last).await;
    assert_eq!(live, live_plain);
}
