//! What the document and variables alone show to be wrong is refused before anything
//! runs: the whole request, as a request error with a code, so a mutation never commits
//! and then answers with a broken shape (a retry would write it twice).

use delivery_desk::{
    auth::token::Role,
    startup::{Options, WsOptions},
};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, Backend, TestApp, portal_token, signed_project, spawn_app_with},
};

/// POSTs `query` as the administrator, asking for `accept`; returns status and body.
async fn post(app: &TestApp, accept: &str, query: &str, variables: Value) -> (u16, Value) {
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.admin)
        .header("accept", accept)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

const GQL: &str = "application/graphql-response+json";

/// Asserts a request error (400, no `data`) whose first error has `code`; returns it.
async fn refused(app: &TestApp, query: &str, variables: Value, code: &str) -> Value {
    let (status, body) = post(app, GQL, query, variables).await;
    assert_eq!(status, 400, "{query}: {body}");
    assert!(
        body.get("data").is_none(),
        "a request error has no data: {body}"
    );
    let error = body["errors"][0].clone();
    assert_eq!(error["extensions"]["code"], code, "{query}: {body}");
    error
}

db_test!(
    an_out_of_range_nested_argument_refuses_the_mutation_before_it_writes,
    |app| {
        let clients = app.count("clients").await;
        let events = app.count("events").await;
        let error = refused(
            &app,
            "mutation { createClient(input: {name: \"x\"}) { id events(last: 1000) { sequence } } }",
            json!({}),
            "BAD_USER_INPUT",
        )
        .await;
        assert_eq!(error["extensions"]["field"], "last");
        assert_eq!(error["extensions"]["argument"], "last");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("between 1 and 100"),
            "{error}"
        );
        // The same through a variable, and as application/json (200, still no data).
        let (status, body) = post(
            &app,
            "application/json",
            "mutation($n: Int!) { createClient(input: {name: \"x\"}) { events(last: $n) { sequence } } }",
            json!({ "n": 0 }),
        )
        .await;
        assert_eq!(status, 200);
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(app.count("clients").await, clients, "nothing was written");
        assert_eq!(app.count("events").await, events);

        // Nested input fields name their path, list items their index.
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "E-1").await;
        let error = refused(
            &app,
            "mutation($p: ID!) { createRisk(input: { projectId: $p, title: \"r\", category: SCOPE, likelihood: 9, impact: 2 }) { id } }",
            json!({ "p": pid }),
            "BAD_USER_INPUT",
        )
        .await;
        assert_eq!(error["extensions"]["field"], "likelihood");
        assert_eq!(error["extensions"]["argument"], "input.likelihood");
        assert_eq!(app.count("risks").await, 0);
    }
);

db_test!(too_many_ids_refuse_the_request_whole, |app| {
    let ids: Vec<String> = (1..=101).map(helpers::event_cursor).collect();
    let error = refused(
        &app,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } serviceLevelPolicy { timeZone } }",
        json!({ "ids": ids }),
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(error["extensions"]["field"], "ids");
});

db_test!(bad_custom_scalars_fail_like_a_bad_int, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "E-2").await;
    for (query, variables, field) in [
        (
            "{ dashboard(from: \"yesterday\") { generatedAt } serviceLevelPolicy { timeZone } }",
            json!({}),
            "from",
        ),
        (
            "query($f: DateTime) { dashboard(from: $f) { generatedAt } }",
            json!({ "f": "yesterday" }),
            "from",
        ),
        (
            "mutation($p: ID!) { createStage(input: { projectId: $p, name: \"s\", dueDate: \"junk\" }) { id } }",
            json!({ "p": pid }),
            "dueDate",
        ),
        (
            "query($p: ID!) { weeklyDigest(projectId: $p, weekOf: \"2026-13-45\") { ticketsOpened } }",
            json!({ "p": pid }),
            "weekOf",
        ),
        (
            "{ projects(first: 99999999999) { totalCount } }",
            json!({}),
            "first",
        ),
    ] {
        let error = refused(&app, query, variables, "BAD_USER_INPUT").await;
        assert_eq!(error["extensions"]["field"], field, "{query}: {error}");
    }
    assert_eq!(app.count("stages").await, 0);
});

db_test!(parse_and_validation_errors_carry_a_code, |app| {
    refused(&app, "{ projects {", json!({}), "GRAPHQL_PARSE_FAILED").await;
    refused(
        &app,
        "{ noSuchField }",
        json!({}),
        "GRAPHQL_VALIDATION_FAILED",
    )
    .await;
    refused(
        &app,
        "query A { __typename } query B { __typename }",
        json!({}),
        "OPERATION_RESOLUTION_FAILURE",
    )
    .await;
    // Transport-level refusals too.
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("accept", GQL)
        .header("content-type", "application/json")
        .body("{\"qeury\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
});

db_test!(a_portal_user_learns_nothing_of_what_it_may_not_do, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "E-3").await;
    let me = helpers::contact(&app, &acme).await;
    let portal = portal_token(&app, &acme, &me);
    let readonly = app.token("user:1", Role::StaffReadonly, None);
    let risk = "mutation($p: ID!, $l: Int!) { createRisk(input: { projectId: $p, title: \"r\", category: SCOPE, likelihood: $l, impact: 2 }) { id } }";
    for token in [&portal, &readonly] {
        for likelihood in [9, 3] {
            let (status, body) = app
                .post_as(Some(token), risk, json!({ "p": pid, "l": likelihood }))
                .await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(helpers::error_code(&body), "FORBIDDEN", "{body}");
        }
    }
    let (_, body) = app
        .post_as(
            Some(&portal),
            "{ dashboard(from: \"yesterday\") { generatedAt } }",
            json!({}),
        )
        .await;
    assert_eq!(helpers::error_code(&body), "FORBIDDEN", "{body}");
    assert_eq!(app.count("risks").await, 0);
});

db_test!(
    portal_input_naming_another_clients_contact_is_refused_not_rewritten,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let pid = signed_project(&app, &acme, "E-4").await;
        let me = helpers::contact(&app, &acme).await;
        let colleague = helpers::contact(&app, &acme).await;
        let rival = helpers::contact(&app, &globex).await;
        let missing = {
            use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
            URL_SAFE_NO_PAD.encode("Contact:999999")
        };
        let portal = portal_token(&app, &acme, &me);
        let tickets = app.count("tickets").await;

        let open = "mutation($p: ID!, $c: ID) { createTicket(input: { projectId: $p, title: \"t\", type: SOFTWARE_BUG, reporterContactId: $c }) { reporter { id } } }";
        let foreign = app
            .post_as(Some(&portal), open, json!({ "p": pid, "c": rival }))
            .await
            .1;
        let absent = app
            .post_as(Some(&portal), open, json!({ "p": pid, "c": missing }))
            .await
            .1;
        assert_eq!(helpers::error_code(&foreign), "BAD_USER_INPUT", "{foreign}");
        assert_eq!(
            foreign["errors"][0]["message"], absent["errors"][0]["message"],
            "another client's contact is refused as a missing one"
        );
        assert_eq!(app.count("tickets").await, tickets, "nothing written");
        // A colleague may be named; no contact means the caller.
        let named = app
            .post_as(Some(&portal), open, json!({ "p": pid, "c": colleague }))
            .await
            .1;
        assert_eq!(
            named["data"]["createTicket"]["reporter"]["id"],
            colleague.as_str(),
            "{named}"
        );
        let own = app
            .post_as(Some(&portal), open, json!({ "p": pid, "c": null }))
            .await
            .1;
        assert_eq!(
            own["data"]["createTicket"]["reporter"]["id"],
            me.as_str(),
            "{own}"
        );
        // Assigning is the vendor's: refused, not dropped.
        let assign = "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"t\", type: SOFTWARE_BUG, assigneeId: \"VXNlcjox\" }) { id } }";
        let body = app
            .post_as(Some(&portal), assign, json!({ "p": pid }))
            .await
            .1;
        assert_eq!(helpers::error_code(&body), "FORBIDDEN", "{body}");

        let sign = "mutation($p: ID!, $c: ID) { signAcceptance(input: { projectId: $p, contactId: $c }) { signedAt } }";
        let foreign = app
            .post_as(Some(&portal), sign, json!({ "p": pid, "c": rival }))
            .await
            .1;
        let absent = app
            .post_as(Some(&portal), sign, json!({ "p": pid, "c": missing }))
            .await
            .1;
        assert_eq!(helpers::error_code(&foreign), "BAD_USER_INPUT", "{foreign}");
        assert_eq!(
            foreign["errors"][0]["message"],
            absent["errors"][0]["message"]
        );
        let body = app
            .post_as(Some(&portal), sign, json!({ "p": pid, "c": colleague }))
            .await
            .1;
        assert_eq!(helpers::error_code(&body), "FORBIDDEN", "{body}");
        assert_eq!(app.count("acceptances").await, 0);
    }
);

#[tokio::test]
async fn websockets_refuse_bad_arguments_and_rates_with_the_same_codes() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Options {
            rate_limit_per_minute: 2,
            ws: WsOptions::default(),
            ..helpers::test_options()
        },
    )
    .await
    .unwrap();
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.subscribe(
        "a",
        "subscription { projectActivity(projectId: \"UHJvamVjdDox\", after: 5) { cursor } }",
        json!({}),
    )
    .await;
    let refused = ws.recv().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    ws.subscribe("b", "{ projects(first: 1000) { totalCount } }", json!({}))
        .await;
    let refused = ws.recv().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    ws.subscribe("c", "{ __typename }", json!({})).await;
    let limited = ws.recv().await;
    assert_eq!(
        limited["payload"][0]["extensions"]["code"], "RATE_LIMITED",
        "{limited}"
    );
}
