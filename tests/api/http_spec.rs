//! GraphQL over HTTP: methods, media types and status codes, point by point.

use reqwest::{Response, header};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, *},
};

const GQL: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

async fn post(
    app: &TestApp,
    accept: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> Response {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.admin)
        .body(body.to_owned());
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    if let Some(c) = content_type {
        req = req.header(header::CONTENT_TYPE, c);
    }
    req.send().await.expect("request")
}

async fn get(app: &TestApp, accept: &str, params: &[(&str, &str)]) -> Response {
    app.http
        .get(format!("{}/graphql", app.base))
        .header(header::ACCEPT, accept)
        .query(params)
        .send()
        .await
        .expect("request")
}

fn media(res: &Response) -> String {
    res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn status_media_body(res: Response) -> (u16, String, Value) {
    let status = res.status().as_u16();
    let m = media(&res);
    let body = res.json().await.unwrap_or(Value::Null);
    (status, m, body)
}

db_test!(
    post_with_json_succeeds_in_the_negotiated_media_type,
    |app| {
        for (accept, expected) in [
            (Some(GQL), GQL),
            (Some(JSON), JSON),
            // A client that names no type gets application/json (the audit's SHOULD).
            (None, JSON),
            (Some("*/*"), JSON),
            (Some("application/graphql-response+json, */*"), GQL),
        ] {
            let res = post(
                &app,
                accept,
                Some("application/json; charset=utf-8"),
                r#"{"query":"{ __typename }"}"#,
            )
            .await;
            let (status, m, body) = status_media_body(res).await;
            assert_eq!((status, m.as_str()), (200, expected), "accept {accept:?}");
            assert_eq!(body["data"]["__typename"], "Query");
        }
    }
);

db_test!(
    unacceptable_accept_and_missing_or_wrong_content_type_are_refused,
    |app| {
        let res = post(
            &app,
            Some("text/html"),
            Some(JSON),
            r#"{"query":"{ __typename }"}"#,
        )
        .await;
        assert_eq!(res.status(), 406);
        let res = post(&app, Some(GQL), None, r#"{"query":"{ __typename }"}"#).await;
        assert_eq!(res.status(), 415);
        let res = post(
            &app,
            Some(GQL),
            Some("text/plain"),
            r#"{"query":"{ __typename }"}"#,
        )
        .await;
        assert_eq!(res.status(), 415);
    }
);

db_test!(malformed_requests_are_400_in_both_media_types, |app| {
    for accept in [GQL, JSON] {
        for body in [
            "NONSENSE",
            r#"{"query":"#,
            r#"{"qeury":"{ __typename }"}"#,
            r#"{"query":"{ a }","variables":[7]}"#,
            "[]",
        ] {
            let (status, m, payload) =
                status_media_body(post(&app, Some(accept), Some(JSON), body).await).await;
            assert_eq!(status, 400, "{accept} {body}");
            assert_eq!(m, accept);
            assert!(payload["errors"][0]["message"].is_string());
        }
    }
});

db_test!(
    request_errors_are_400_without_data_in_graphql_response_json,
    |app| {
        for body in [
            r#"{"query":"{"}"#,
            r#"{"query":"{ noSuchField }"}"#,
            r#"{"query":"query A { __typename } query B { __typename }"}"#,
            r#"{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":5.5}}"#,
        ] {
            let (status, _, payload) =
                status_media_body(post(&app, Some(GQL), Some(JSON), body).await).await;
            assert_eq!(status, 400, "{body}");
            assert!(payload.get("data").is_none(), "{body}: {payload}");
            assert!(payload["errors"].is_array());
            // The legacy media type answers the same request with 200.
            let (status, _, payload) =
                status_media_body(post(&app, Some(JSON), Some(JSON), body).await).await;
            assert_eq!(status, 200, "{body}");
            assert!(payload["errors"].is_array());
        }
    }
);

db_test!(field_errors_are_200_with_data, |app| {
    let body = r#"{"query":"{ node(id: \"garbage\") { id } }"}"#;
    let (status, _, payload) =
        status_media_body(post(&app, Some(GQL), Some(JSON), body).await).await;
    assert_eq!(status, 200);
    assert_eq!(payload["data"], json!({ "node": null }));
    assert_eq!(payload["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(payload["errors"][0]["path"], json!(["node"]));
});

db_test!(get_runs_queries_but_not_mutations, |app| {
    let (status, _, payload) =
        status_media_body(get(&app, GQL, &[("query", "{ __typename }")]).await).await;
    assert_eq!(
        (status, payload["data"]["__typename"].as_str()),
        (200, Some("Query"))
    );
    let with_vars = get(
        &app,
        GQL,
        &[
            ("query", "query($id: ID!) { node(id: $id) { id } }"),
            ("variables", r#"{"id":"UHJvamVjdDox"}"#),
        ],
    )
    .await;
    assert_eq!(with_vars.status(), 200);

    let res = get(
        &app,
        GQL,
        &[(
            "query",
            "mutation { createClient(input: { name: \"x\" }) { id } }",
        )],
    )
    .await;
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()[header::ALLOW], "POST");
    let res = get(
        &app,
        GQL,
        &[
            (
                "query",
                "query Q { __typename } mutation M { createClient(input: { name: \"x\" }) { id } }",
            ),
            ("operationName", "M"),
        ],
    )
    .await;
    assert_eq!(res.status(), 405);
    assert_eq!(app.count("clients").await, 0, "nothing was executed");

    let res = get(
        &app,
        GQL,
        &[("query", "{ __typename }"), ("variables", "[1]")],
    )
    .await;
    assert_eq!(res.status(), 400);
    let res = get(&app, GQL, &[("operationName", "x")]).await;
    assert_eq!(res.status(), 400);
});

db_test!(oversized_bodies_are_413, |app| {
    let big = format!(
        r#"{{"query":"{{ __typename }}","variables":{{"x":"{}"}}}}"#,
        "x".repeat(100 * 1024)
    );
    let res = post(&app, Some(GQL), Some(JSON), &big).await;
    assert_eq!(res.status(), 413);
});

db_test!(depth_limits_refuse_deep_queries, |app| {
    // 17 levels; the limit is 15.
    let deep = "{ projects { edges { node { client { projects { client { projects { client { projects { client { projects { client { projects { client { projects { client { name } } } } } } } } } } } } } } } } }";
    let (status, _, payload) = status_media_body(
        post(
            &app,
            Some(GQL),
            Some(JSON),
            &json!({ "query": deep }).to_string(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400, "{payload}");
    assert!(payload.to_string().contains("nested too deep"), "{payload}");
});

db_test!(graphiql_and_health_are_served, |app| {
    let page = app
        .http
        .get(format!("{}/graphiql", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
    // Ready once the database answers and (on PostgreSQL) the event listener has
    // connected, which happens in the background just after start.
    let mut status = 0;
    for _ in 0..100 {
        let ready = app
            .http
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap();
        status = ready.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "not ready within 10 s");
});

db_test!(response_fields_follow_the_query_order, |app| {
    helpers::client(&app, "Acme").await;
    for query in [
        "{ users { totalCount } projects { totalCount } clients { edges { node { name id } } totalCount } __typename }",
        "{ __typename clients { totalCount edges { node { id name } } } projects { totalCount } users { totalCount } }",
    ] {
        let res = post(
            &app,
            Some(GQL),
            Some(JSON),
            &json!({ "query": query }).to_string(),
        )
        .await;
        let text = res.text().await.unwrap();
        // Keys in the order the query names them, read from the raw body.
        let position = |key: &str| text.find(&format!("\"{key}\"")).unwrap_or(usize::MAX);
        let roots: Vec<&str> = query
            .trim_matches(|c| c == '{' || c == '}' || c == ' ')
            .split(' ')
            .filter(|w| ["users", "projects", "clients", "__typename"].contains(w))
            .collect();
        let mut by_position = roots.clone();
        by_position.sort_by_key(|k| position(k));
        assert_eq!(by_position, roots, "{text}");
    }
});
