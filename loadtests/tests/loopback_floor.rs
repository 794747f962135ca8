//! `boxoffice-load loopback-floor` end to end, at a small size: the writer process starts,
//! every change reaches every socket, and the report says so. (What it measures is a
//! benchmark figure, never asserted here.)

use std::process::Command;

#[test]
fn every_change_reaches_every_socket() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let json = dir.path().join("floor.json");
    let status = Command::new(env!("CARGO_BIN_EXE_boxoffice-load"))
        .args(["loopback-floor", "--connections", "40", "--rate", "2000", "--changes", "60", "--bytes", "150"])
        .args(["--writers", "2", "--readers", "2", "--json"])
        .arg(&json)
        .status()
        .expect("boxoffice-load runs");
    assert!(status.success(), "loopback-floor failed: {status}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("the report is written")).expect("the report is JSON");
    assert_eq!(report["connections"], 40);
    assert_eq!(report["changes_reaching_every_socket"], 60);
    // Every socket read all 60 × 150 bytes, in at least one read each.
    assert!(report["reads"].as_u64().expect("reads") >= 40, "{report}");
    assert!(report["writes"].as_u64().expect("writes") >= 40, "{report}");
    let p99 = report["ms_from_publication_to_last_socket"]["p99"].as_f64().expect("p99");
    assert!(p99 >= 0.0 && p99 <= report["ms_from_publication_to_last_socket"]["max"].as_f64().expect("max"));
}

#[test]
fn refuses_a_zero_rate() {
    let output = Command::new(env!("CARGO_BIN_EXE_boxoffice-load"))
        .args(["loopback-floor", "--rate", "0"])
        .output()
        .expect("boxoffice-load runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--rate"), "{stderr}");
}
