//! The published contract: `schema/schema.graphql` must equal the SDL the code serves.

#![allow(clippy::unwrap_used)]

use mailgate_schema::{build_schema, SchemaSettings};
use std::path::Path;

#[test]
fn sdl_matches_contract_file() {
    let sdl = build_schema(SchemaSettings::default()).sdl();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &sdl).unwrap();
    }
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    if file != sdl {
        let line = file
            .lines()
            .zip(sdl.lines())
            .position(|(a, b)| a != b)
            .map_or(file.lines().count().min(sdl.lines().count()), |n| n);
        panic!(
            "schema/schema.graphql differs from the SDL the code serves (first difference at \
             line {}).\nRegenerate it with `UPDATE_SCHEMA=1 cargo test -p mailgate-schema --test sdl`, \
             then review the diff: the contract changes only additively unless an issue says otherwise.",
            line + 1
        );
    }
}
