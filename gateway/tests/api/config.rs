//! Configuration layering: file, then environment, then command-line overrides.

use std::io::Write;

use boxoffice_gateway::config::{Overrides, Settings};

fn file(contents: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(contents.as_bytes()).unwrap();
    f
}

#[test]
fn file_environment_and_overrides_layer_in_order() {
    let f = file(
        "[server]\nbind = \"127.0.0.1:9000\"\nrequest_timeout_ms = 5000\n[wallet]\nstarting_credit_minor = 100\n[engine]\nhold_ttl_ms = 60000\n",
    );
    // The only test that sets BOXOFFICE_* variables, so parallel tests cannot see them.
    let vars = [
        ("BOXOFFICE_SERVER__REQUEST_TIMEOUT_MS", "7000"),
        ("BOXOFFICE_AUTH__ADMIN_TOKEN", "12345678901234567890"),
        ("BOXOFFICE_ADMIN_TOKEN", "not a setting: read by boxoffice-load"),
    ];
    vars.iter().for_each(|(k, v)| unsafe { std::env::set_var(k, v) });
    let overrides = Overrides { bind: Some("127.0.0.1:9001".into()), data_dir: Some("/tmp/bo".into()) };
    let settings = Settings::load(Some(f.path()), &overrides);
    vars.iter().for_each(|(k, _)| unsafe { std::env::remove_var(k) });
    let settings = settings.unwrap();
    assert_eq!(settings.server.bind, "127.0.0.1:9001", "command line wins");
    assert_eq!(settings.server.request_timeout_ms, 7000, "environment beats the file");
    assert_eq!(settings.wallet.starting_credit_minor, 100, "file beats defaults");
    assert_eq!(settings.engine.hold_ttl_ms, 60_000);
    assert_eq!(settings.storage.url, "sqlite:/tmp/bo/boxoffice.db");
    assert_eq!(settings.server.body_limit_bytes, 65_536, "defaults remain");
    let token = settings.auth.admin_token.map(|t| t.expose().to_owned());
    assert_eq!(token.as_deref(), Some("12345678901234567890"), "an all-digit token stays text");
}

#[test]
fn unknown_keys_bad_values_and_missing_files_are_refused() {
    let err =
        Settings::load(Some(file("[server]\nbindd = \"x\"\n").path()), &Overrides::default()).unwrap_err().to_string();
    assert!(err.contains("bindd"), "{err}");
    let err = Settings::load(Some(file("[storage]\nurl = \"postgres://db\"\n").path()), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("postgres://db"), "{err}");
    let err = Settings::load(Some(file("[wallet]\ncurrency = \"euro\"\n").path()), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("currency"), "{err}");
    let err = Settings::load(Some(file("[server]\nbind = \"nowhere\"\n").path()), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("server.bind"), "{err}");
    let err = Settings::load(Some(std::path::Path::new("/no/such/boxoffice.toml")), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn the_example_file_is_valid() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../boxoffice.example.toml");
    Settings::load(Some(std::path::Path::new(example)), &Overrides::default()).unwrap();
}
