//! `mailgate config check FILE` on the real binary: the documented example
//! passes, and the files a config names (the safelist manifest) are checked
//! too, so a broken one is found before `serve` refuses to start.

#![allow(clippy::unwrap_used)]

use mailgate_tests::procs::run;
use std::path::Path;

#[test]
fn config_check_accepts_the_example_and_checks_the_safelist_it_names() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gateway.example.toml");
    let out = run(&["config", "check", &example.to_string_lossy()]).unwrap();
    assert!(out.contains(": ok"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("operations.json");
    let config = dir.path().join("gateway.toml");
    std::fs::write(&config, format!("[persisted_operations]\nsafelist = {:?}\n", manifest.to_string_lossy())).unwrap();
    let config = config.to_string_lossy().into_owned();
    let err = run(&["config", "check", &config]).unwrap_err().to_string();
    assert!(err.contains("operations.json"), "a missing manifest is named: {err}");

    std::fs::write(
        &manifest,
        r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","body":"{ __typename }"}]}"#,
    )
    .unwrap();
    let out = run(&["config", "check", &config]).unwrap();
    assert!(out.contains("1 operations") && out.contains(": ok"), "{out}");
}
