//! Random and hostile requests at the GraphQL endpoint: garbage bodies, invalid UTF-8,
//! random documents, deep nesting, huge strings, wrong types and invalid ids in the
//! variables of real mutations. Every answer is a clear error (never a 5xx, never a
//! dropped connection), and nothing stored changes.

use proptest::{
    prelude::*,
    strategy::{Strategy, ValueTree},
    test_runner::TestRunner,
};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, TestApp, signed_project},
};

/// One hostile request: a body and its content type.
#[derive(Debug, Clone)]
struct Hostile {
    content_type: &'static str,
    body: Vec<u8>,
}

fn json_body(v: Value) -> Hostile {
    Hostile {
        content_type: "application/json",
        body: v.to_string().into_bytes(),
    }
}

/// Mutations whose variables are always wrong somewhere (an id that names nothing, a
/// wrong type, a value out of range), so that none may change anything.
const MUTATIONS: &[&str] = &[
    "mutation($p: ID!, $t: String!) { createTicket(input: { projectId: $p, title: $t, type: SOFTWARE_BUG }) { id } }",
    "mutation($id: ID!, $s: StageStatus!) { changeStageStatus(id: $id, status: $s) { id } }",
    "mutation($t: ID!, $s: Int!) { recordSatisfaction(input: { ticketId: $t, score: $s }) { score } }",
    "mutation($p: ID!, $l: Int!) { createRisk(input: { projectId: $p, title: \"r\", category: SCOPE, likelihood: $l, impact: 9 }) { id } }",
    // A file named by JSON, not sent as a multipart part.
    "mutation($t: ID!, $s: Upload!) { uploadDocument(attachTo: $t, file: $s) { id } }",
];

fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        ".{0,64}".prop_map(Value::from),
        (1usize..40_000).prop_map(|n| Value::from("x".repeat(n))),
        (1usize..200).prop_map(|d| {
            let mut v = json!(1);
            for _ in 0..d {
                v = json!([v]);
            }
            v
        }),
        Just(json!({ "__proto__": { "admin": true } })),
        Just(json!("UHJvamVjdDo5OTk5OTk5")), // Project:9999999, which does not exist
        Just(json!("VGlja2V0Oi0x")),         // Ticket:-1
        Just(json!("\u{0000}\u{FFFF}💥")),
        // The placeholder of a multipart file, forged (async-graphql's parser panics on
        // the first; the second names no file).
        Just(json!("#__graphql_file__:x")),
        Just(json!("#__graphql_file__:0")),
    ]
}

fn hostile() -> impl Strategy<Value = Hostile> {
    prop_oneof![
        // Bytes: invalid UTF-8, truncated JSON, anything.
        prop::collection::vec(any::<u8>(), 0..2048).prop_map(|body| Hostile {
            content_type: "application/json",
            body,
        }),
        // A random document.
        ".{0,512}".prop_map(|q| json_body(json!({ "query": q }))),
        // Deep nesting.
        (1usize..400).prop_map(|d| {
            let q = format!("{{{}}}", "projects { edges { node { client ".repeat(d));
            json_body(json!({ "query": q }))
        }),
        // Arguments the document shows to be wrong.
        prop::sample::select(REFUSED_WHOLE).prop_map(|q| {
            json_body(json!({ "query": q, "variables": { "p": "UHJvamVjdDox" } }))
        }),
        // Real mutations, wrong variables.
        (
            prop::sample::select(MUTATIONS),
            hostile_value(),
            hostile_value()
        )
            .prop_map(|(q, a, b)| {
                json_body(json!({ "query": q, "variables": { "p": a.clone(), "id": a.clone(), "t": a, "s": b.clone(), "l": b } }))
            }),
        // The right shape with wrong types everywhere.
        (hostile_value(), hostile_value(), hostile_value()).prop_map(|(q, v, o)| {
            json_body(json!({ "query": q, "variables": v, "operationName": o }))
        }),
        // A multipart body that is anything.
        prop::collection::vec(any::<u8>(), 0..1024).prop_map(|body| Hostile {
            content_type: "multipart/form-data; boundary=XyZ",
            body,
        }),
        // Another content type.
        ".{0,256}".prop_map(|s| Hostile {
            content_type: "text/plain",
            body: s.into_bytes(),
        }),
    ]
}

/// Mutations and queries whose arguments the document alone shows to be wrong: each is
/// refused whole before anything runs (the defects of outside testing, and their kin).
const REFUSED_WHOLE: &[&str] = &[
    "mutation { createClient(input: {name: \"x\"}) { id events(last: 1000) { sequence } } }",
    "mutation { createClient(input: {name: \"x\"}) { events(last: 0) { sequence } } }",
    "mutation($p: ID!) { createStage(input: { projectId: $p, name: \"s\", dueDate: \"junk\" }) { id } }",
    "mutation($p: ID!) { createReport(input: { projectId: $p, kind: DAILY, body: \"b\", progressPercent: 101 }) { id } }",
    "{ dashboard(from: \"yesterday\") { generatedAt } serviceLevelPolicy { timeZone } }",
    "{ projects(first: 99999999999) { totalCount } }",
    "{ clients(first: 101) { totalCount } }",
    "mutation($p: ID!) { uploadDocument(attachTo: $p, file: \"#__graphql_file__:x\") { id } }",
];

/// Every key `selection` asks for is in `data` (an object: present, maybe null), at every
/// level that is not null: a field error nulls a field, it never drops its key.
fn assert_shape(selection: &async_graphql::parser::types::SelectionSet, data: &Value, at: &str) {
    use async_graphql::parser::types::Selection;
    match data {
        Value::Array(items) => items.iter().for_each(|v| assert_shape(selection, v, at)),
        Value::Object(obj) => {
            for item in &selection.items {
                // Fragments may not apply to this object's type; directives may skip.
                let Selection::Field(field) = &item.node else {
                    continue;
                };
                if !field.node.directives.is_empty() {
                    continue;
                }
                let key = field.node.response_key().node.as_str();
                let value = obj
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} is missing from {data}"));
                assert_shape(
                    &field.node.selection_set.node,
                    value,
                    &format!("{at}.{key}"),
                );
            }
        }
        _ => {}
    }
}

/// Checks the shape of `body`'s data against the query `body_sent` ran, when it parses.
fn check_shape(body_sent: &[u8], body: &Value) {
    let Ok(sent) = serde_json::from_slice::<Value>(body_sent) else {
        return;
    };
    let Some(query) = sent["query"].as_str() else {
        return;
    };
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return;
    };
    let name = sent["operationName"].as_str();
    if let (Some(op), Some(_)) = (
        delivery_desk::graphql::selected_operation(&doc, name),
        body["data"].as_object(),
    ) {
        assert_shape(&op.selection_set.node, &body["data"], "data");
    }
}

/// What may change: nothing the tests' requests could have written.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "events",
        "tickets",
        "risks",
        "stages",
        "projects",
        "follow_ups",
    ] {
        out.push(app.count(table).await);
    }
    out
}

db_test!(
    hostile_requests_get_clear_errors_and_change_nothing,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "F-1").await;
        helpers::ticket(&app, &pid, "Existing").await;
        let before = fingerprint(&app).await;
        let mut runner = TestRunner::deterministic();
        let strategy = hostile();
        for case in 0..400 {
            let h = strategy.new_tree(&mut runner).unwrap().current();
            let res = app
                .http
                .post(format!("{}/graphql", app.base))
                .bearer_auth(&app.admin)
                .header("content-type", h.content_type)
                .header("accept", "application/graphql-response+json")
                .body(h.body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("case {case}: the connection failed: {e}\n{h:?}"));
            let status = res.status();
            let text = res.text().await.unwrap();
            let shown = || {
                String::from_utf8_lossy(&h.body)
                    .chars()
                    .take(300)
                    .collect::<String>()
            };
            assert!(
                !status.is_server_error(),
                "case {case}: {status} for {}\n{text}",
                shown()
            );
            if status != 413 && status != 415 {
                let body: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|_| panic!("case {case}: not JSON: {text}"));
                let errors = body["errors"].as_array();
                assert!(
                    errors.is_some_and(|e| !e.is_empty()) || body["data"].is_object(),
                    "case {case}: neither errors nor data: {text}"
                );
                check_shape(&h.body, &body);
                if let Some(errors) = errors {
                    for e in errors {
                        assert!(
                            e["message"].as_str().is_some_and(|m| !m.is_empty()),
                            "case {case}: an error without a message: {text}"
                        );
                        assert!(
                            e["extensions"]["code"]
                                .as_str()
                                .is_some_and(|c| !c.is_empty()),
                            "case {case}: an error without a code: {} -> {text}",
                            shown()
                        );
                        assert_ne!(
                            e["extensions"]["code"],
                            "INTERNAL_SERVER_ERROR",
                            "case {case}: {} -> {text}",
                            shown()
                        );
                    }
                }
            }
        }
        assert_eq!(
            fingerprint(&app).await,
            before,
            "a hostile request changed data"
        );
        // The ones refused whole are request errors: 400, no data.
        for q in REFUSED_WHOLE {
            let (status, body) = app.post_as(Some(&app.admin), q, json!({ "p": pid })).await;
            assert_eq!(status, 400, "{q}: {body}");
            assert!(body.get("data").is_none(), "{q}: {body}");
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{q}: {body}"
            );
        }
        assert_eq!(fingerprint(&app).await, before);
    }
);

db_test!(
    a_document_too_large_is_refused_and_its_errors_do_not_grow_with_its_mistakes,
    |app| {
        // Within the body limit (64 KiB here), but 30,000 fields: refused before validation.
        let huge = format!("{{ {} }}", "a ".repeat(30_000));
        let (status, body) = app.post_as(None, &huge, json!({})).await;
        assert_eq!(status, 400, "{body}");
        let errors = body["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
        assert!(
            errors[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("too large")),
            "{body}"
        );
        // Small enough to validate, wrong in thousands of places: at most 20 errors, the
        // last saying how many more.
        let variables: Vec<String> = (0..3_000).map(|i| format!("$v{i}: Int")).collect();
        let unused = format!("query({}) {{ viewer {{ role }} }}", variables.join(" "));
        let directives = format!(
            "{{ viewer {{ role {} }} }}",
            "@include(if: true) ".repeat(2_500)
        );
        for (q, more) in [(unused, 2_981), (directives, 2_480)] {
            let (status, body) = app.post_as(None, &q, json!({})).await;
            assert_eq!(status, 400, "{body}");
            let errors = body["errors"].as_array().expect("errors");
            assert_eq!(errors.len(), 20, "{}", &body.to_string()[..500]);
            let last = errors[19]["message"].as_str().unwrap_or_default();
            assert!(last.contains(&format!("and {more} more errors")), "{last}");
            assert!(
                errors
                    .iter()
                    .all(|e| e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED")
            );
        }
    }
);

db_test!(
    a_text_of_too_many_names_is_refused_unparsed_on_every_transport,
    options = delivery_desk::startup::Options {
        // Room for 60,000 names (120 KB), which the usual test limit (64 KiB) refuses
        // as a body before the text is looked at.
        max_body_bytes: 256 * 1024,
        ..helpers::test_options()
    },
    |app| {
        let huge = format!("{{ {} }}", "a ".repeat(60_000));
        let too_large = |error: &Value| {
            error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
                && error["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("too large") && m.contains("names"))
        };
        let (status, body) = app.post_as(None, &huge, json!({})).await;
        assert_eq!(status, 400, "{body}");
        assert!(too_large(&body["errors"][0]), "{body}");
        // The websocket road reached the parser with its own cache: the text was parsed
        // whole, and only the parsed document's size was refused.
        let mut ws = app.ws(None).await;
        ws.subscribe("1", &huge, json!({})).await;
        let refused = ws.recv().await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["id"], "1");
        assert!(too_large(&refused["payload"][0]), "{refused}");
        // Few names, one long line the parser gives up on: the error quotes the line
        // around its column, not whole (it echoed the request).
        let brackets = format!("{{ a(x: {}{}) }}", "[".repeat(100_000), "]".repeat(100_000));
        let (_, body) = app.post_as(None, &brackets, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "GRAPHQL_PARSE_FAILED"
        );
        assert!(
            body.to_string().len() < 1_000,
            "{} bytes",
            body.to_string().len()
        );
    }
);
