//! Bad input gets a typed error naming the field, and nothing is written.

use serde_json::json;

use crate::{db_test, helpers::*};

db_test!(
    invalid_input_is_refused_with_the_field_and_writes_nothing,
    |app| {
        let client = client(&app, "Acme").await;
        let pid = signed_project(&app, &client, "V-1").await;
        let rows_before = (
            app.count("events").await,
            app.count("risks").await,
            app.count("clients").await,
        );

        let cases = [
            (
                "mutation { createClient(input: { name: \"   \" }) { id } }",
                json!({}),
                "name",
            ),
            (
                "mutation($p: ID!) { createRisk(input: { projectId: $p, title: \"x\", category: SCOPE, likelihood: 9, impact: 1 }) { id } }",
                json!({ "p": pid }),
                "likelihood",
            ),
            (
                "mutation { createProject(input: { clientId: \"not-an-id\", name: \"x\" }) { id } }",
                json!({}),
                "clientId",
            ),
            (
                // An id of the wrong kind.
                "mutation($p: ID!) { createProject(input: { clientId: $p, name: \"x\" }) { id } }",
                json!({ "p": pid }),
                "clientId",
            ),
            (
                // A well-formed id of a client that does not exist.
                "mutation { createProject(input: { clientId: \"Q2xpZW50Ojk5OTk\", name: \"x\" }) { id } }",
                json!({}),
                "clientId",
            ),
            (
                "mutation($c: ID!) { createProject(input: { clientId: $c, name: \"x\", plannedStart: \"2026-05-01\", plannedEnd: \"2026-04-01\" }) { id } }",
                json!({ "c": client }),
                "plannedEnd",
            ),
            (
                "mutation($c: ID!) { createProject(input: { clientId: $c, name: \"x\", contractValue: { amount: \"-5\", currency: \"CNY\" } }) { id } }",
                json!({ "c": client }),
                "amount",
            ),
            (
                "mutation($c: ID!) { createContact(input: { clientId: $c, name: \"x\", email: \"nope\" }) { id } }",
                json!({ "c": client }),
                "email",
            ),
            (
                "mutation($p: ID!) { createReport(input: { projectId: $p, kind: DAILY, body: \"x\", progressPercent: 101 }) { id } }",
                json!({ "p": pid }),
                "progressPercent",
            ),
            (
                "mutation($p: ID!) { createReport(input: { projectId: $p, kind: MILESTONE_REVIEW, body: \"x\", progressPercent: 10 }) { id } }",
                json!({ "p": pid }),
                "stageId",
            ),
            (
                "mutation { createClient(input: { name: \"a\\u0000b\" }) { id } }",
                json!({}),
                "name",
            ),
        ];
        for (query, vars, field) in cases {
            let (code, got) = app.fails(query, vars).await;
            assert_eq!(code, "BAD_USER_INPUT", "{query}");
            assert_eq!(got.as_deref(), Some(field), "{query}");
        }
        let huge = "x".repeat(30_000);
        let (code, field) = app
            .fails(
                "mutation($n: String!) { createClient(input: { name: $n }) { id } }",
                json!({ "n": huge }),
            )
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("name"))
        );

        let rows_after = (
            app.count("events").await,
            app.count("risks").await,
            app.count("clients").await,
        );
        assert_eq!(rows_before, rows_after, "a refused mutation writes nothing");
    }
);

db_test!(
    a_forbidden_transition_names_both_states_and_changes_nothing,
    |app| {
        let client = client(&app, "Acme").await;
        let pid = signed_project(&app, &client, "T-1").await;
        let sid = stage(&app, &pid, "Integration").await;
        let events = app.count("events").await;
        let body = app
            .gql(
                "mutation($id: ID!) { changeStageStatus(id: $id, status: DONE) { status } }",
                json!({ "id": sid }),
            )
            .await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "INVALID_TRANSITION");
        assert_eq!(
            error["message"],
            "cannot change stage status from NOT_STARTED to DONE"
        );
        assert_eq!(error["path"], json!(["changeStageStatus"]));
        let data = app
            .ok(
                "query($id: ID!) { node(id: $id) { ... on Stage { status version } } }",
                json!({ "id": sid }),
            )
            .await;
        assert_eq!(
            data["node"],
            json!({ "status": "NOT_STARTED", "version": 1 })
        );
        assert_eq!(
            app.count("events").await,
            events,
            "no event for a refused change"
        );
    }
);

db_test!(unknown_objects_are_not_found, |app| {
    let (code, _) = app
        .fails(
            "mutation { changeTicketStatus(id: \"VGlja2V0Ojk5OTk\", status: ACKNOWLEDGED) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
    let data = app
        .ok("{ ticket(id: \"VGlja2V0Ojk5OTk\") { id } }", json!({}))
        .await;
    assert!(data["ticket"].is_null());
});

db_test!(a_duplicate_contract_number_is_a_conflict, |app| {
    let client = client(&app, "Acme").await;
    signed_project(&app, &client, "DUP-1").await;
    let (code, _) = app
        .fails(
            "mutation($c: ID!) { createProject(input: { clientId: $c, name: \"x\", contractNumber: \"DUP-1\", contractSignedOn: \"2026-01-01\" }) { id } }",
            json!({ "c": client }),
        )
        .await;
    assert_eq!(code, "CONFLICT");
    assert_eq!(app.count("projects").await, 1);
});
