//! `boxoffice-load durable-floor` end to end, briefly: the server process starts, both
//! phases get answers, and every acknowledged decision is a row in the SQLite file. (The
//! rates are benchmark figures, never asserted here.)

use std::process::Command;

#[test]
fn every_acknowledged_decision_is_committed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let json = dir.path().join("durable.json");
    let status = Command::new(env!("CARGO_BIN_EXE_boxoffice-load"))
        .args(["durable-floor", "--connections", "8", "--duration", "300ms", "--data-dir"])
        .arg(&data)
        .arg("--json")
        .arg(&json)
        .status()
        .expect("boxoffice-load runs");
    assert!(status.success(), "durable-floor failed: {status}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("the report is written")).expect("the report is JSON");
    let acknowledged = report["durable_answers"].as_i64().expect("durable_answers");
    assert!(acknowledged > 0, "{report}");
    assert!(report["trivial_per_second"].as_f64().expect("trivial") > 0.0, "{report}");
    let conn = rusqlite::Connection::open(data.join("durable-floor.db")).expect("the SQLite file");
    let rows: i64 = conn.query_row("SELECT count(*) FROM decisions", [], |r| r.get(0)).expect("count");
    // Answered only after the commit; a request cut off at the end may be committed unanswered.
    assert!(rows >= acknowledged, "{rows} rows for {acknowledged} acknowledged decisions");
}

#[test]
fn refuses_a_data_dir_with_a_database_in_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("durable-floor.db"), b"").expect("a file");
    let output = Command::new(env!("CARGO_BIN_EXE_boxoffice-load"))
        .args(["durable-floor", "--duration", "100ms", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("boxoffice-load runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("exists already"), "{stderr}");
    assert!(stderr.contains("stopped before listening"), "{stderr}");
}
