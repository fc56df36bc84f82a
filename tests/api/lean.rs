//! Objects in pages and lists resolve through one future per object
//! (`src/graphql/lean.rs`), and answer exactly as async-graphql's own road does: the same
//! values, in query order, for every way a selection can be written.

use serde_json::json;

use crate::db_test;

/// The selection of a project, written every way a client may write one: aliases,
/// `__typename`, a key asked twice with different sub-fields (merged), fragments, and
/// directives that keep a field.
const PROJECT: &str = "
    __typename name label: name status
    client { __typename name }
    client { id }
    stages { name status dueDate ...StageFields }
    tickets(open: true) { title t: title priority ... on Ticket { status } project { id name } }
    openRisks: risks(open: true) { title severity description @include(if: true) }
    risks { title owner @skip(if: true) { name } }
";
const FRAGMENT: &str = "fragment StageFields on Stage { __typename id position }";

db_test!(lean_objects_answer_as_the_plain_road_does, |app| {
    delivery_desk::seed::demo(
        &app.db,
        &delivery_desk::documents::DocumentStore::new(app.documents.path(), 1 << 20),
    )
    .await
    .expect("demo data");

    let page = app
        .ok(
            &format!(
                "{{ projects(first: 50) {{ edges {{ node {{ id {PROJECT} }} }} }} }} {FRAGMENT}"
            ),
            json!({}),
        )
        .await;
    let edges = page["projects"]["edges"].as_array().unwrap();
    assert!(edges.len() > 1, "{page}");
    let mut children = 0;
    for edge in edges {
        let leaned = &edge["node"];
        // `node(id:)` answers through the interface: async-graphql's own road.
        let plain = app
            .ok(
                &format!(
                    "query($id: ID!) {{ node(id: $id) {{ ... on Project {{ id {PROJECT} }} }} }} {FRAGMENT}"
                ),
                json!({ "id": leaned["id"] }),
            )
            .await;
        // Compared as text: the same values in the same order.
        assert_eq!(leaned.to_string(), plain["node"].to_string());
        children += leaned["tickets"].as_array().unwrap().len()
            + leaned["stages"].as_array().unwrap().len();
    }
    assert!(
        children > 0,
        "the demo projects have no stages or tickets: {page}"
    );

    let first = &edges[0]["node"];
    assert_eq!(first["__typename"], "Project");
    assert_eq!(first["label"], first["name"]);
    // Both selections of `client` are in the one object, in query order.
    let client: Vec<&String> = first["client"].as_object().unwrap().keys().collect();
    assert_eq!(client, ["__typename", "name", "id"]);
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "__typename",
            "name",
            "label",
            "status",
            "client",
            "stages",
            "tickets",
            "openRisks",
            "risks"
        ]
    );
    if let Some(risk) = first["risks"].as_array().unwrap().first() {
        assert_eq!(
            risk.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["title"]
        );
    }
});
