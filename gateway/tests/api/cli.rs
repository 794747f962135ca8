//! The `boxoffice` binary: help, `migrate`, and `backup` while a server runs on the file.

use std::process::Command;

use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
use boxoffice_storage::{FilmFilter, PageRequest, Storage};

use crate::helpers::spawn_app;

fn boxoffice(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_boxoffice")).args(args).env("RUST_LOG", "warn").output().expect("run boxoffice")
}

#[test]
fn help_documents_every_flag() {
    let top = String::from_utf8(boxoffice(&["--help"]).stdout).unwrap();
    for word in ["serve", "backup", "migrate"] {
        assert!(top.contains(word), "{top}");
    }
    let serve = String::from_utf8(boxoffice(&["serve", "--help"]).stdout).unwrap();
    for flag in ["--demo", "--config", "--bind", "--data-dir"] {
        assert!(serve.contains(flag), "{serve}");
    }
    let backup = String::from_utf8(boxoffice(&["backup", "--help"]).stdout).unwrap();
    assert!(backup.contains("<DEST>") && backup.contains("--config"), "{backup}");
    let migrate = String::from_utf8(boxoffice(&["migrate", "--help"]).stdout).unwrap();
    assert!(migrate.contains("--config"), "{migrate}");
}

#[test]
fn migrate_creates_the_schema_and_bad_config_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = boxoffice(&["migrate", "--data-dir", data.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("schema ok"));
    assert!(data.join("boxoffice.db").is_file());

    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[storage]\nurl = \"mysql://db\"\n").unwrap();
    let output = boxoffice(&["migrate", "--config", config.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("mysql://db"), "{output:?}");
}

#[tokio::test]
async fn backup_works_while_the_server_runs() {
    let app = spawn_app().await;
    app.create_film("Backed Up", 90, &["drama"], &["en"]).await;
    let dest = app.dir.path().join("copy.db");
    let data_dir = app.dir.path().to_str().unwrap().to_owned();
    let dest_arg = dest.to_str().unwrap().to_owned();
    let output =
        tokio::task::spawn_blocking(move || boxoffice(&["backup", &dest_arg, "--data-dir", &data_dir])).await.unwrap();
    assert!(output.status.success(), "{output:?}");

    let copy = SqliteStorage::open(SqliteOptions::new(&dest)).unwrap();
    let films = copy.list_films(&FilmFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(films.total, 1);
    assert_eq!(films.items[0].details.title, "Backed Up");
    copy.close().await;
    // The server still serves.
    app.get_json("/api/v1/films", reqwest::StatusCode::OK).await;
}

#[test]
fn backup_of_a_data_dir_without_a_database_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-data");
    let dest = dir.path().join("copy.db");
    let output = boxoffice(&["backup", dest.to_str().unwrap(), "--data-dir", missing.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no database at") && stderr.contains("no-such-data"), "{stderr}");
    assert!(!missing.exists() && !dest.exists(), "a typo creates neither the data dir nor a copy");
}
