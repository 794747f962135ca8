//! Cluster endpoints: `GET /cluster/v1/node` answers the other nodes' probes (200 while
//! serving, 503 while draining or cut off from storage), and `GET /cluster/v1/showtimes/{id}` (staff) tells who
//! owns a showtime: in this node's view (placement) and in storage (the epoch).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use boxoffice_storage::ShowtimeId;
use serde_json::json;

use crate::auth::StaffPrincipal;
use crate::error::ApiError;
use crate::extract::{IdPath, Json};
use crate::state::AppState;

/// The cluster routes (present on single nodes too, where they describe one node).
pub fn router() -> Router<AppState> {
    Router::new().route("/cluster/v1/node", get(node)).route("/cluster/v1/showtimes/{id}", get(showtime_owner))
}

/// Longest time a probe waits for this node's storage ping.
const PROBE_PING_TIMEOUT_MS: u64 = 300;

/// This node: its id, URL, whether it can serve (not draining, storage answers) and how it
/// sees its peers. 503 makes the peers take its showtimes over: a node cut off from the
/// store could not write them anyway.
pub async fn node(State(state): State<AppState>) -> impl IntoResponse {
    let ping = tokio::time::timeout(std::time::Duration::from_millis(PROBE_PING_TIMEOUT_MS), state.storage.ping());
    let storage_ok = matches!(ping.await, Ok(Ok(())));
    let draining = state.shutdown.is_cancelled() || !storage_ok;
    let body = match &state.cluster {
        Some(cluster) => json!({
            "node_id": boxoffice_engine::Placement::node_id(cluster.as_ref()),
            "url": cluster.advertise(),
            "draining": draining || cluster.is_draining(),
            "storage_ok": storage_ok,
            "peers": cluster.peers().iter().map(|p| json!({"url": p.url, "up": p.is_up()})).collect::<Vec<_>>(),
        }),
        None => json!({"node_id": null, "url": null, "draining": draining, "storage_ok": storage_ok, "peers": []}),
    };
    let status = if body["draining"] == true { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    (status, Json(body))
}

/// Who owns a showtime: `placement` (this node's view) and `stored` (the epoch in storage).
pub async fn showtime_owner(
    State(state): State<AppState>,
    _staff: StaffPrincipal,
    IdPath(id): IdPath<ShowtimeId>,
) -> Result<impl IntoResponse, ApiError> {
    let stored = state.storage.showtime_owner(id).await?;
    let placement = state.cluster.as_ref().map(|c| c.owner_of(id).to_owned());
    Ok(Json(json!({
        "showtime_id": id,
        "placement": placement,
        "stored": stored.map(|o| json!({"node_id": o.node, "epoch": o.epoch, "acquired_at": o.acquired_at})),
    })))
}
