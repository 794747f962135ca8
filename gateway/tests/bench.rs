//! `boxoffice-load bench` against a real server, briefly, in each of its cycles: every
//! operation of the cycle is answered 2xx and the seat map adds up at the end (the bench
//! itself fails if it does not). The rates are benchmark figures, never asserted here.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use boxoffice_loadtests::bench::{BenchArgs, run};
use clap::Parser;

/// `bench`'s options, parsed as on the command line.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: BenchArgs,
}

async fn bench(cycle: &str) -> serde_json::Value {
    bench_with(cycle, &[]).await
}

async fn bench_with(cycle: &str, extra: &[&str]) -> serde_json::Value {
    let app = helpers::spawn_app().await;
    let json = app.dir.path().join("bench.json");
    // The server runs in this process, so its CPU and the bench's are the same figures here.
    let pid = std::process::id().to_string();
    let words = ["bench", "--target", &app.address, "--admin-token", &app.admin_token, "--server-pid", &pid];
    let more = ["--connections", "8", "--duration", "300ms", "--cycle", cycle, "--json"];
    let cli = Cli::try_parse_from(
        words.into_iter().chain(more).chain([json.to_str().expect("path")]).chain(extra.iter().copied()),
    )
    .expect("bench options");
    run(cli.args).await.expect("the bench runs and the seat map adds up");
    serde_json::from_slice(&std::fs::read(&json).expect("the report")).expect("JSON")
}

fn ok(report: &serde_json::Value, op: &str) -> u64 {
    report["operations"][op]["ok"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cycle_runs_its_operations_and_only_those() {
    let purchase = bench("purchase").await;
    assert_eq!(purchase["cycle"], "purchase");
    for op in ["hold", "purchase", "cancel"] {
        assert!(ok(&purchase, op) > 0, "{op}: {purchase}");
    }
    assert!(purchase["ratio_hold_purchase_to_trivial"].as_f64().is_some_and(|r| r > 0.0), "{purchase}");
    // With --server-pid, the CPU per request of both phases is reported.
    for figure in [
        "server_us_per_trivial_request",
        "server_us_per_durable_decision",
        "server_cores_booking_phase",
        "server_durable_decision_in_trivial_requests",
    ] {
        assert!(purchase["cpu"][figure].as_f64().is_some_and(|v| v > 0.0), "{figure}: {purchase}");
    }
    // And the server's CPU in the booking phase by thread name, which adds up to no more than
    // the process's (CPU time is counted in ticks of 10 ms, hence the slack).
    let threads = purchase["cpu"]["server_threads_booking_phase"].as_array().expect("threads");
    assert!(!threads.is_empty(), "{purchase}");
    let cores: Vec<f64> = threads.iter().filter_map(|t| t["cores"].as_f64()).collect();
    assert_eq!(cores.len(), threads.len(), "{purchase}");
    assert!(threads.iter().all(|t| t["name"].as_str().is_some_and(|n| !n.is_empty())), "{purchase}");
    // Each thread's share also in /healthz requests' worth: its microseconds over the
    // server's per /healthz request.
    let trivial_us = purchase["cpu"]["server_us_per_trivial_request"].as_f64().unwrap_or(0.0);
    for thread in threads {
        let (us, worth) = (thread["us_per_durable_decision"].as_f64(), thread["in_trivial_requests"].as_f64());
        let agrees = us.zip(worth).is_some_and(|(us, worth)| (worth * trivial_us - us).abs() <= 1e-6 * us.max(1.0));
        assert!(agrees, "{thread}");
    }
    let waits = threads.iter().filter_map(|t| t["waiting_for_cpu_s_per_s"].as_f64());
    assert_eq!(waits.filter(|w| *w >= 0.0).count(), threads.len(), "{purchase}");
    let process = purchase["cpu"]["server_cores_booking_phase"].as_f64().unwrap_or(0.0);
    assert!(cores.iter().all(|c| *c > 0.0) && cores.iter().sum::<f64>() <= process + 0.1, "{purchase}");

    let release = bench("release").await;
    assert!(ok(&release, "hold") > 0 && ok(&release, "release") > 0, "{release}");
    assert_eq!(ok(&release, "purchase") + ok(&release, "cancel"), 0, "{release}");

    let hold = bench("hold").await;
    assert!(ok(&hold, "hold") > 0, "{hold}");
    assert_eq!(ok(&hold, "purchase") + ok(&hold, "release"), 0, "{hold}");
    // Each customer's last hold is all that is left held: one or two seats each.
    let held = hold["seat_map_counts"]["held"].as_u64().expect("held count");
    assert!((8..=16).contains(&held), "{hold}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_alternate_the_phases_and_report_each_ratio() {
    let report = bench_with("purchase", &["--rounds", "2"]).await;
    let trivial = report["trivial_rps_by_phase"].as_array().expect("trivial phases");
    assert_eq!(trivial.len(), 3, "trivial, booking, trivial, booking, trivial: {report}");
    assert!(trivial.iter().all(|r| r.as_f64().is_some_and(|r| r > 0.0)), "{report}");
    let rounds = report["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 2, "{report}");
    for round in rounds {
        assert!(round["ratio"].as_f64().is_some_and(|r| r > 0.0), "{report}");
    }
    let (a, b) = (rounds[0]["ratio"].as_f64().unwrap_or(0.0), rounds[1]["ratio"].as_f64().unwrap_or(0.0));
    let median = report["ratio_median_of_rounds"].as_f64().expect("median");
    assert!((median - (a + b) / 2.0).abs() < 1e-9, "the median of two is their mean: {report}");
    // Every booking phase counts in the totals.
    assert!(ok(&report, "purchase") > 0 && ok(&report, "cancel") > 0, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_pid_that_is_not_a_process_is_refused_before_the_run() {
    let app = helpers::spawn_app().await;
    let words = ["bench", "--target", &app.address, "--admin-token", &app.admin_token, "--server-pid", "4294967295"];
    let cli = Cli::try_parse_from(words).expect("bench options");
    let error = run(cli.args).await.expect_err("a pid with no process");
    assert!(error.to_string().contains("--server-pid 4294967295"), "{error}");
}

#[test]
fn rounds_out_of_range_are_refused() {
    for rounds in ["0", "21", "x"] {
        let parsed = Cli::try_parse_from(["bench", "--admin-token", "t", "--rounds", rounds]);
        let Err(error) = parsed else { panic!("--rounds {rounds} was accepted") };
        assert!(error.to_string().contains("--rounds"), "{error}");
    }
}

#[test]
fn an_unknown_cycle_is_refused_with_the_choices() {
    let Err(error) = Cli::try_parse_from(["bench", "--admin-token", "t", "--cycle", "sell"]) else {
        panic!("an unknown cycle was accepted");
    };
    let text = error.to_string();
    assert!(text.contains("sell") && text.contains("purchase") && text.contains("release"), "{text}");
}
