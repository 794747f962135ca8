//! Bad input and limits: each gets an error code; the connection survives where the
//! protocol says so, and closes with a reason where it does not.

use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{Ws, url};
use crate::helpers::{spawn_app, spawn_app_with};
use crate::{customer, showtime};

async fn survives(ws: &mut Ws) {
    assert_eq!(ws.request("ping", json!({})).await["type"], "pong", "the connection survives");
}

#[tokio::test]
async fn malformed_unknown_and_binary_messages_get_codes_and_the_connection_survives() {
    let app = spawn_app().await;
    let mut ws = Ws::connect(&app).await;
    ws.send_raw(Message::text("{not json")).await;
    let e = ws.recv().await;
    assert_eq!((e["type"].as_str(), e["code"].as_str()), (Some("error"), Some("malformed_json")), "{e}");
    assert!(e["id"].is_null());
    ws.send_raw(Message::text(r#"{"v":1,"type":"teleport","id":"x1"}"#)).await;
    let e = ws.recv().await;
    assert_eq!((e["code"].as_str(), e["id"].as_str()), (Some("unknown_type"), Some("x1")));
    ws.send_raw(Message::text(r#"{"v":7,"type":"ping","id":"x2"}"#)).await;
    assert_eq!(ws.recv().await["code"], "unsupported_version");
    ws.send_raw(Message::text(r#"{"v":1,"type":"subscribe","id":"x3","showtime_id":42}"#)).await;
    assert_eq!(ws.recv().await["code"], "invalid_message");
    ws.send_raw(Message::binary(vec![0u8, 159, 146, 150])).await;
    assert_eq!(ws.recv().await["code"], "binary_not_supported");
    survives(&mut ws).await;
}

#[tokio::test]
async fn anonymous_sockets_may_only_watch() {
    let app = spawn_app().await;
    let show = showtime(&app).await;
    let mut ws = Ws::connect(&app).await;
    let e = ws.request("hold", json!({"showtime_id": show, "seats": ["A1"]})).await;
    assert_eq!(e["code"], "unauthorized");
    let e = ws.request("auth", json!({"token": "not-a-token"})).await;
    assert_eq!(e["code"], "unauthorized");
    survives(&mut ws).await;
    let token = customer(&app).await;
    let ok = ws.request("auth", json!({"token": token})).await;
    assert_eq!((ok["type"].as_str(), ok["principal"].as_str()), (Some("authenticated"), Some("customer")));
    let held = ws.request("hold", json!({"showtime_id": show, "seats": ["A1"]})).await;
    assert_eq!(held["type"], "held", "{held}");
    let twice = ws.request("auth", json!({"token": token})).await;
    assert_eq!(twice["code"], "already_authenticated");
}

#[tokio::test]
async fn an_unknown_token_at_the_upgrade_is_401() {
    let app = spawn_app().await;
    let http = url(&app).replacen("ws://", "http://", 1);
    let response = app
        .client
        .get(http)
        .bearer_auth("nope")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_oversized_message_is_refused_and_a_huge_one_closes_with_1009() {
    let app = spawn_app_with(|s| s.websocket.message_bytes_max = 1024).await;
    let mut ws = Ws::connect(&app).await;
    let big = |n: usize| Message::text(format!(r#"{{"v":1,"type":"ping","id":"big","pad":"{}"}}"#, "x".repeat(n)));
    ws.send_raw(big(2000)).await;
    let e = ws.recv().await;
    assert_eq!((e["code"].as_str(), e["id"].is_null()), (Some("message_too_large"), true), "{e}");
    survives(&mut ws).await;
    // Beyond four times the limit the frame is not read at all: the connection closes. Its
    // unread rest may make the kernel reset the connection before the close frame arrives.
    ws.send_raw(big(8000)).await;
    let (frame, _) = ws.closed().await;
    assert!(frame.as_ref().is_none_or(|(code, _)| *code == 1009), "{frame:?}");
    assert!(ws.ws.next().await.is_none_or(|r| r.is_err()), "closed");
}

#[tokio::test]
async fn a_flood_is_refused_then_closed() {
    let app = spawn_app_with(|s| {
        s.websocket.rate_per_second = 1;
        s.websocket.rate_burst = 2;
        s.websocket.rate_strikes_max = 3;
    })
    .await;
    let mut ws = Ws::connect(&app).await;
    // 2 allowed, 3 refused with an error, the 6th closes the connection.
    for _ in 0..6 {
        ws.send("ping", json!({})).await;
    }
    let mut pongs = 0;
    let mut limited = 0;
    let (frame, closing) = loop {
        match ws.read().await {
            Ok(m) if m["type"] == "pong" => pongs += 1,
            Ok(m) if m["code"] == "rate_limited" => {
                assert!(m["retry_after_ms"].as_u64().is_some_and(|ms| ms > 0), "{m}");
                limited += 1;
            }
            Ok(m) if m["type"] == "closing" => break (ws.read().await.err().flatten(), Some(m)),
            Ok(other) => panic!("unexpected {other}"),
            Err(frame) => break (frame, None),
        }
    };
    assert_eq!((pongs, limited), (2, 3));
    assert_eq!(frame.map(|f| f.0), Some(1008));
    assert_eq!(closing.expect("closing")["reason"], "flood");
}

#[tokio::test]
async fn a_burst_over_the_rate_is_refused_but_the_connection_survives() {
    let app = spawn_app_with(|s| {
        s.websocket.rate_per_second = 10;
        s.websocket.rate_burst = 2;
    })
    .await;
    let mut ws = Ws::connect(&app).await;
    for _ in 0..4 {
        ws.send("ping", json!({})).await;
    }
    let kinds: Vec<String> = [ws.recv().await, ws.recv().await, ws.recv().await, ws.recv().await]
        .iter()
        .map(|m| m["code"].as_str().unwrap_or(m["type"].as_str().unwrap_or("?")).to_owned())
        .collect();
    assert_eq!(kinds, ["pong", "pong", "rate_limited", "rate_limited"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    survives(&mut ws).await;
}

#[tokio::test]
async fn a_full_server_closes_new_connections_with_a_reason() {
    let app = spawn_app_with(|s| s.websocket.connections_max = 1).await;
    let _first = Ws::connect(&app).await;
    let (mut second, _) = tokio_tungstenite::connect_async(url(&app)).await.unwrap();
    let mut reasons = Vec::new();
    while let Ok(Some(Ok(frame))) =
        tokio::time::timeout(Duration::from_secs(5), futures::StreamExt::next(&mut second)).await
    {
        match frame {
            Message::Text(t) => {
                reasons.push(serde_json::from_str::<serde_json::Value>(t.as_str()).unwrap()["reason"].clone())
            }
            Message::Close(Some(f)) => {
                assert_eq!((u16::from(f.code), f.reason.as_str()), (1013, "server_full"));
                assert_eq!(reasons, [json!("server_full")]);
                return;
            }
            _ => {}
        }
    }
    panic!("no close frame");
}

#[tokio::test]
async fn a_silent_client_is_closed_after_the_idle_timeout() {
    let app = spawn_app_with(|s| {
        s.websocket.ping_interval_ms = 100;
        s.websocket.idle_timeout_ms = 300;
    })
    .await;
    let mut ws = Ws::connect(&app).await;
    // Not reading means not answering the server's pings either.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (frame, closing) = ws.closed().await;
    assert_eq!(frame, Some((4000, "idle_timeout".to_owned())));
    assert_eq!(closing.expect("closing")["code"], 4000);
}

#[tokio::test]
async fn shutdown_closes_every_connection_with_1001() {
    let mut app = spawn_app().await;
    let mut ws = Ws::connect(&app).await;
    let show = showtime(&app).await;
    ws.subscribe(&show, None).await;
    app.shutdown().await;
    let (frame, closing) = ws.closed().await;
    assert_eq!(frame.map(|f| f.0), Some(1001));
    assert_eq!(closing.expect("closing")["reason"], "shutdown");
}
