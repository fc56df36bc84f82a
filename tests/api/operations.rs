//! What an operator sees: Prometheus metrics at `/metrics`, and CORS for the origins
//! configured (none by default).

use std::time::Duration;

use delivery_desk::startup::Options;
use serde_json::json;

use crate::{
    db_test,
    helpers::{self, Backend, signed_project, spawn_app_with, test_options},
};

/// The value of the first sample of `metric` with all of `labels`, in a text exposition.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            l.starts_with(metric)
                && l[metric.len()..].starts_with(['{', ' '])
                && labels.iter().all(|want| l.contains(want))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

db_test!(metrics_count_requests_websockets_events_and_clocks, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "M-1").await;
    let stage = helpers::stage(&app, &pid, "Install").await;
    helpers::ticket(&app, &pid, "Noisy fan").await;
    app.ok("query BoardPage { projects { totalCount } }", json!({}))
        .await;
    let invalid = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.admin)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "query Broken { nope }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 400);

    let mut ws = app.ws(Some(&app.admin)).await;
    ws.subscribe("s", "subscription { stageStatusChanged { to } }", json!({}))
        .await;
    ws.silent(Duration::from_millis(200)).await;
    app.ok(
        "mutation($id: ID!) { changeStageStatus(id: $id, status: IN_PROGRESS) { status } }",
        json!({ "id": stage }),
    )
    .await;
    ws.next("s").await;
    // A stranger's made-up operation name takes no label (they are few).
    app.post_as(None, "query MadeUpByAStranger { __typename }", json!({}))
        .await;

    let res = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = res.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(!text.contains("MadeUpByAStranger"), "{text}");
    let at_least = |metric: &str, labels: &[&str], min: f64| {
        let v = sample(&text, metric, labels)
            .unwrap_or_else(|| panic!("no {metric} {labels:?} in\n{text}"));
        assert!(v >= min, "{metric} {labels:?} = {v}, want >= {min}");
    };
    // Counters are per process (other tests run beside this one): at least ours.
    at_least(
        "graphql_requests_total",
        &["operation=\"BoardPage\"", "outcome=\"ok\""],
        1.0,
    );
    at_least(
        "graphql_requests_total",
        &["operation=\"Broken\"", "outcome=\"invalid\""],
        1.0,
    );
    at_least(
        "graphql_request_duration_seconds_count",
        &["operation=\"BoardPage\""],
        1.0,
    );
    at_least("websocket_connections", &[], 1.0);
    at_least("websocket_subscriptions", &[], 1.0);
    at_least("events_published_total", &[], 1.0);
    at_least("subscription_results_delivered_total", &[], 1.0);
    // Read from this server's database: its one ticket's three clocks are running.
    at_least("service_level_clocks", &["state=\"RUNNING\""], 3.0);
    at_least("db_pool_connections", &["state=\"max\""], 1.0);
    // Reads keep connections of their own on PostgreSQL only; on SQLite the maximum is 0.
    let kept = if app.backend == Backend::Postgres {
        1.0
    } else {
        0.0
    };
    at_least("db_read_connections", &["state=\"max\""], kept);
});

db_test!(cors_answers_the_configured_origins_only, |app| {
    let options = Options {
        cors_origins: vec!["https://portal.example.com".into()],
        ..test_options()
    };
    let cors = spawn_app_with(app.backend, options).await.unwrap();
    let preflight = |origin: &'static str| {
        cors.http
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", cors.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let ok = preflight("https://portal.example.com").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://portal.example.com"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    // Without configuration, no CORS headers at all.
    let plain = app
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
        .header("origin", "https://portal.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(!plain.headers().contains_key("access-control-allow-origin"));
});

db_test!(
    metrics_ask_for_their_token_when_one_is_set,
    options = Options {
        metrics_token: Some("a scraper's token, 16+".into()),
        ..test_options()
    },
    |app| {
        let get = |token: Option<String>| {
            let mut req = app.http.get(format!("{}/metrics", app.base));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            req.send()
        };
        // What the service-level clocks say of the vendor's tickets is not for anyone
        // who can reach the port.
        // Nor is an API token a scraper's.
        for refused in [
            None,
            Some("a scraper's token, 16-".into()),
            Some(app.admin.clone()),
        ] {
            let res = get(refused).await.unwrap();
            assert_eq!(res.status(), 401);
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
        }
        let res = get(Some("a scraper's token, 16+".into())).await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().ends_with("# EOF\n"));
    }
);
