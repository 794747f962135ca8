//! A slow consumer never slows the others: a client that never reads is closed as a slow
//! consumer while another client receives every change, in order.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::client::Ws;
use crate::helpers::spawn_app_with;
use crate::showtime_in;

/// 20 rows of 25 seats: block/unblock changes of 500 seats are ~17 KB each.
const ROOM: &[(&str, &str)] = &[
    ("A", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("B", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("C", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("D", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("E", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("F", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("G", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("H", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("J", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("K", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("L", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("M", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("N", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("P", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("Q", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("R", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("S", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("T", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("U", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
    ("V", "SSSSSSSSSSSSSSSSSSSSSSSSS"),
];

#[tokio::test]
async fn a_client_that_never_reads_is_closed_while_another_gets_everything() {
    let app = spawn_app_with(|s| {
        s.websocket.outbound_queue_messages = 4;
        s.websocket.slow_consumer_ms = 200;
        s.websocket.write_timeout_ms = 500;
        s.engine.changes_channel_max = 16;
    })
    .await;
    let show = showtime_in(&app, ROOM).await;
    let seats: Vec<String> = ROOM.iter().flat_map(|(row, s)| (1..=s.len()).map(move |n| format!("{row}{n}"))).collect();

    let mut slow = Ws::connect_with(&app, None, Some(4096)).await;
    slow.subscribe(&show, None).await;
    let mut fast = Ws::connect(&app).await;
    fast.subscribe(&show, None).await;
    assert_eq!(fast.recv().await["type"], "snapshot");

    // Staff block and unblock every seat, again and again: large changes. The fast client
    // reads along; the slow one never reads until the server has given up on it.
    let path = format!("/api/v1/showtimes/{show}/seats/block");
    let mut sent = 0u64;
    let mut closed_slow = false;
    for round in 0..1000 {
        let blocked = round % 2 == 0;
        let response =
            app.staff(Method::POST, &path).json(&json!({"seats": seats, "blocked": blocked})).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        sent += 1;
        let change = fast.recv().await;
        assert_eq!((change["type"].as_str(), change["seq"].as_u64()), (Some("change"), Some(sent)), "in order");
        if round % 10 == 9 && slow_consumers_closed(&app).await > 0 {
            closed_slow = true;
            break;
        }
    }
    if !closed_slow {
        let text = app.request(Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
        eprintln!("{}", text.lines().filter(|l| l.contains("_ws_")).collect::<Vec<_>>().join("\n"));
    }
    assert!(closed_slow, "the slow client was never closed after {sent} large changes");

    // What the slow client did receive is in order, and then its connection ends.
    let mut at = 0;
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match slow.read().await {
                Ok(m) if m["type"] == "change" => {
                    assert_eq!(m["seq"].as_u64(), Some(at + 1), "no gap reaches a client");
                    at += 1;
                }
                Ok(m) if m["type"] == "snapshot" => at = m["seq"].as_u64().unwrap(),
                Ok(_) => {}
                Err(frame) => return frame,
            }
        }
    })
    .await
    .expect("the slow connection ends");
    assert!(ended.as_ref().is_none_or(|(code, _)| *code == 4001), "{ended:?}");
    assert!(at < sent, "the slow client fell behind ({at} of {sent})");
}

async fn slow_consumers_closed(app: &crate::helpers::TestApp) -> u64 {
    let text = app.request(Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    text.lines()
        .filter(|l| l.starts_with("boxoffice_ws_closed_total") && l.contains("reason=\"slow_consumer\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}
