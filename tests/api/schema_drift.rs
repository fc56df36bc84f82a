//! The checked-in `schema.graphql` is what the code serves.

#[test]
fn the_checked_in_schema_matches_the_code() {
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .expect("schema.graphql");
    let current = delivery_desk::graphql::sdl();
    assert!(
        checked_in == current,
        "schema.graphql is out of date: run `cargo run -- export-schema --out schema.graphql` and commit it"
    );
}
