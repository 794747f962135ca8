//! Fuzzing the message decoder with proptest (this toolchain is stable, so no cargo-fuzz):
//! arbitrary bytes, and arbitrary JSON objects shaped like requests, never panic and
//! always end in a known error code. The corpus in `gateway/tests/corpus/ws/` is replayed
//! first: `ok-*.json` must decode, `err-<code>-*.json` must fail with `<code>`.

use std::path::PathBuf;

use boxoffice_gateway::ws::protocol::{TYPES, decode};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const CODES: [&str; 4] = ["malformed_json", "invalid_message", "unsupported_version", "unknown_type"];

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ws");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("corpus dir").map(|e| e.expect("entry").path()).collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
        .collect()
}

#[test]
fn the_corpus_decodes_as_its_names_say() {
    let corpus = corpus();
    assert!(corpus.len() >= 30, "the corpus is in the repository");
    for (name, bytes) in corpus {
        let text = String::from_utf8_lossy(&bytes);
        let result = decode(&text);
        if name.starts_with("ok-") {
            assert!(result.is_ok(), "{name}: {result:?}");
        } else {
            let code = name.trim_start_matches("err-").split('-').next().unwrap();
            assert_eq!(result.map_err(|e| e.code), Err(code), "{name}");
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("0190c4f4-9f7e-7c3a-8f4e-1a2b3c4d5e6f")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn request_like() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![proptest::sample::select(TYPES.to_vec()).prop_map(String::from), ".{0,10}"];
    let fields = ["showtime_id", "hold_id", "payment_id", "booking_id", "seats", "quantity", "since", "tiers", "token"];
    (
        any::<bool>(),
        kind,
        json_value(),
        proptest::collection::vec((proptest::sample::select(fields.to_vec()), json_value()), 0..4),
    )
        .prop_map(|(v1, kind, id, extra)| {
            let mut m = Map::new();
            m.insert("v".into(), if v1 { json!(1) } else { json!(2) });
            m.insert("type".into(), json!(kind));
            m.insert("id".into(), id);
            for (k, v) in extra {
                m.insert(k.into(), v);
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = decode(&String::from_utf8_lossy(&bytes)) {
            prop_assert!(CODES.contains(&e.code), "{}", e.code);
        }
    }

    #[test]
    fn request_shaped_json_never_panics_and_ids_are_echoed(value in request_like()) {
        match decode(&value.to_string()) {
            Ok(request) => {
                prop_assert_eq!(value["v"].as_u64(), Some(1));
                prop_assert_eq!(value["id"].as_str(), Some(request.id.as_str()));
                prop_assert!(TYPES.contains(&request.body.kind()));
            }
            Err(e) => {
                prop_assert!(CODES.contains(&e.code), "{}", e.code);
                if let Some(id) = &e.id {
                    prop_assert_eq!(value["id"].as_str(), Some(id.as_str()));
                }
            }
        }
    }

    #[test]
    fn mutated_corpus_entries_never_panic(pick in 0usize..64, at in 0usize..256, byte in any::<u8>()) {
        static CORPUS: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
        let corpus = CORPUS.get_or_init(corpus);
        let (_, mut bytes) = corpus[pick % corpus.len()].clone();
        if !bytes.is_empty() {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        let _ = decode(&String::from_utf8_lossy(&bytes));
    }
}
