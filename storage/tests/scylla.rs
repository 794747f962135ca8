//! The backend-independent conformance suite on ScyllaDB.
//!
//! Runs only when `SCYLLA_URI` names a cluster (`scylla://127.0.0.1:9042`, e.g. from
//! `deploy/compose.yaml`) and the crate is built with `--features scylla`; otherwise the
//! test passes and says, visibly, that it was skipped. Each case gets a fresh keyspace
//! (`bo_test_<random>`, replication factor `SCYLLA_RF`, default 1), dropped afterwards.
//!
//! ```sh
//! SCYLLA_URI=scylla://127.0.0.1:9042 cargo test -p boxoffice-storage --features scylla --test scylla -- --nocapture
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;

/// Printed (past the test harness's capture) when the suite does not run.
const SKIPPED: &str = "SKIPPED: set SCYLLA_URI to run the ScyllaDB conformance suite";

fn say(line: &str) {
    // Straight to the process's stderr: libtest captures `eprintln!`, not this.
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[cfg(not(feature = "scylla"))]
#[test]
fn conformance_on_scylladb() {
    say(&format!("{SKIPPED} (and build with `--features scylla`)"));
}

#[cfg(feature = "scylla")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_scylladb() {
    let Some(uri) = std::env::var("SCYLLA_URI").ok().filter(|u| !u.trim().is_empty()) else {
        say(SKIPPED);
        return;
    };
    live::run(&uri).await;
}

#[cfg(feature = "scylla")]
mod live {
    use std::sync::Arc;

    use boxoffice_storage::conformance::{CASES, accounts::ACCOUNT_CASES};
    use boxoffice_storage::scylla::{ScyllaOptions, ScyllaStorage, ScyllaUrl};

    async fn fresh(uri: &str) -> (Arc<ScyllaStorage>, String) {
        let mut url = ScyllaUrl::parse(uri).expect("SCYLLA_URI is a scylla:// URL");
        url.keyspace = format!("bo_test_{}", uuid::Uuid::new_v4().simple().to_string().get(..12).expect("12 chars"));
        let keyspace = url.keyspace.clone();
        let mut options = ScyllaOptions::new(url);
        options.replication_factor = std::env::var("SCYLLA_RF").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
        options.connect_timeout_ms = 60_000;
        let store = ScyllaStorage::connect(options).await.expect("connect to SCYLLA_URI");
        (Arc::new(store), keyspace)
    }

    pub async fn run(uri: &str) {
        let mut ran = 0;
        for case in CASES {
            let (store, keyspace) = fresh(uri).await;
            super::say(&format!("scylla conformance: {} ({keyspace}) ...", case.name));
            (case.run)(store.as_ref()).await;
            store.drop_keyspace().await;
            ran += 1;
        }
        for (name, case) in ACCOUNT_CASES {
            let (store, keyspace) = fresh(uri).await;
            super::say(&format!("scylla conformance: {name} ({keyspace}) ..."));
            case(store.as_ref(), store.as_ref()).await;
            store.drop_keyspace().await;
            ran += 1;
        }
        super::say(&format!("scylla conformance: {ran} cases passed on {uri}"));
    }
}
