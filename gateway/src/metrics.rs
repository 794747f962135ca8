//! Prometheus metrics: one recorder per process (tests start many apps in one process, so
//! it is installed once and shared), rendered by `GET /metrics`, and the HTTP middleware
//! that counts requests by method, matched route template and status.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Requests answered, by `method`, `route` and `status`.
pub const HTTP_REQUESTS_TOTAL: &str = "boxoffice_http_requests_total";
/// Request latency in seconds, by `route`.
pub const HTTP_REQUEST_SECONDS: &str = "boxoffice_http_request_seconds";
/// The `route` label of requests that matched no route.
pub const UNMATCHED_ROUTE: &str = "<unmatched>";

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Histograms whose samples are counts, with [`COUNT_BUCKETS`].
const COUNT_HISTOGRAMS: [&str; 4] = [
    "boxoffice_group_commit_entries",
    "boxoffice_group_commit_clients",
    "boxoffice_storage_batch_ops",
    "boxoffice_mailbox_depth",
];
/// Powers of two up to 4096.
const COUNT_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0];

/// Unlabelled counters an alert may watch, shown at 0 from the start (a counter that never
/// moved would otherwise be missing, and an alert on it would see "no data"). Labelled ones
/// (`mail_failed_total` by kind, `wal_restarts_total` by outcome) appear with their first
/// event.
const COUNTERS_AT_ZERO: [&str; 4] = [
    "boxoffice_storage_commit_errors_total",
    "boxoffice_storage_batch_reruns_total",
    "boxoffice_overloaded_total",
    "boxoffice_holds_expired_total",
];

/// The process's Prometheus recorder, installed on first call.
///
/// # Errors
/// When another global `metrics` recorder was installed first.
pub fn recorder() -> Result<PrometheusHandle, String> {
    HANDLE
        .get_or_init(|| {
            let mut builder = PrometheusBuilder::new()
                .set_buckets(&[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
                .map_err(|e| e.to_string())?;
            // Histograms of counts (entries, clients, operations, messages), not seconds.
            for name in COUNT_HISTOGRAMS {
                builder = builder
                    .set_buckets_for_metric(Matcher::Full(name.to_owned()), COUNT_BUCKETS)
                    .map_err(|e| e.to_string())?;
            }
            let handle = builder.install_recorder().map_err(|e| e.to_string())?;
            spawn_upkeep(handle.clone())?;
            metrics::describe_counter!(HTTP_REQUESTS_TOTAL, "HTTP requests answered, by method, route and status");
            for name in COUNTERS_AT_ZERO {
                metrics::counter!(name).absolute(0);
            }
            metrics::describe_histogram!(
                HTTP_REQUEST_SECONDS,
                metrics::Unit::Seconds,
                "HTTP request latency, by route"
            );
            Ok(handle)
        })
        .clone()
}

/// How often histogram samples are drained into their buckets.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// `install_recorder` leaves upkeep to the caller: without it, histogram samples pile up in
/// memory until `/metrics` is scraped. One thread per process drains them.
fn spawn_upkeep(handle: PrometheusHandle) -> Result<(), String> {
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the metrics upkeep thread: {e}"))
}

/// Records every request's count and latency under its route template.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, |p| p.as_str()).to_owned();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_REQUESTS_TOTAL, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(HTTP_REQUEST_SECONDS, "route" => route).record(started.elapsed().as_secs_f64());
    response
}
