//! Webhooks with real HTTP receivers on loopback: one that answers, one that fails then
//! recovers, one that hangs, one that is down. Deliveries are signed, in log order per
//! endpoint, filtered by the registration, logged per attempt, retried with backoff; a
//! dead or hanging endpoint delays no other; one failing long enough is disabled; a
//! replay delivers again from a chosen cursor; across a restart nothing is lost or
//! repeated.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{Router, body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post};
use delivery_desk::{startup::Options, webhooks::WebhookOptions};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{
    db_test,
    helpers::{self, TestApp},
};

/// What a receiver does with each request.
#[derive(Clone, Copy)]
enum Behaviour {
    Answer,
    /// Answers 500 to the first `n` requests, then 200.
    FailFirst(usize),
    /// Never answers.
    Hang,
}

#[derive(Clone, Debug)]
struct Received {
    event_id: String,
    signature: String,
    body: Vec<u8>,
}

#[derive(Clone)]
struct Receiver {
    behaviour: Behaviour,
    requests: Arc<Mutex<usize>>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Starts a receiver on loopback; returns it and its URL.
    async fn start(behaviour: Behaviour) -> (Self, String) {
        let r = Receiver {
            behaviour,
            requests: Arc::default(),
            got: Arc::default(),
        };
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (r, url)
    }

    fn events(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }

    fn sequences(&self) -> Vec<i64> {
        self.events()
            .iter()
            .map(|e| e["sequence"].as_i64().unwrap())
            .collect()
    }

    /// Waits until it has `n` events (panics after `within`).
    async fn until(&self, n: usize, within: Duration) {
        let start = Instant::now();
        while self.got.lock().unwrap().len() < n {
            assert!(
                start.elapsed() < within,
                "received {:?}, wanted {n}",
                self.sequences()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = {
        let mut n = r.requests.lock().unwrap();
        *n += 1;
        *n
    };
    match r.behaviour {
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK
        }
        Behaviour::FailFirst(k) if n <= k => StatusCode::INTERNAL_SERVER_ERROR,
        _ => {
            let h = |k: &str| {
                headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            r.got.lock().unwrap().push(Received {
                event_id: h("delivery-desk-event-id"),
                signature: h("delivery-desk-signature"),
                body: body.to_vec(),
            });
            StatusCode::NO_CONTENT
        }
    }
}

/// A port nothing listens on, kept reserved while the socket lives (a port merely freed
/// could be handed to another test's receiver): connections to it are refused.
fn down_url() -> (tokio::net::TcpSocket, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("http://{}/hook", socket.local_addr().unwrap());
    (socket, url)
}

/// Checks a signature as a receiver would (docs/webhooks.md).
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = "";
    let mut v1 = "";
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v,
            Some(("v1", v)) => v1 = v,
            _ => {}
        }
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    !t.is_empty() && expected == v1
}

fn quick() -> Options {
    Options {
        webhooks: WebhookOptions {
            timeout: Duration::from_millis(500),
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_millis(400),
            disable_after: Duration::from_secs(3600),
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(50),
            allow_private: true,
        },
        ..helpers::test_options()
    }
}

const REGISTER: &str = "mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) {
    secret endpoint { id status cursor } } }";
const LOG: &str =
    "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { status disabledReason failures
    deliveries(last: 50) { attempt succeeded statusCode error latencyMs } } } }";

/// Sequences of the events in the log after `after`, oldest first.
async fn log_after(app: &TestApp, after: i64) -> Vec<i64> {
    let all = app
        .ok(
            "{ events(first: 100) { edges { node { sequence } } } }",
            json!({}),
        )
        .await;
    all["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["sequence"].as_i64().unwrap())
        .filter(|s| *s > after)
        .collect()
}

async fn register(app: &TestApp, input: Value) -> (String, String) {
    let r = app.ok(REGISTER, json!({ "i": input })).await["registerWebhook"].clone();
    (
        r["endpoint"]["id"].as_str().unwrap().to_owned(),
        r["secret"].as_str().unwrap().to_owned(),
    )
}

/// Makes `n` ticket changes in `project`; returns the ticket.
async fn changes(app: &TestApp, project: &str, n: usize) -> String {
    let t = helpers::ticket(app, project, "Sensor offline").await;
    let statuses = [
        "ACKNOWLEDGED",
        "IN_PROGRESS",
        "WAITING_ON_CUSTOMER",
        "IN_PROGRESS",
        "RESOLVED",
    ];
    for s in statuses.iter().take(n.saturating_sub(1)) {
        helpers::set_ticket_status(app, &t, s).await;
    }
    t
}

db_test!(
    deliveries_are_signed_in_order_and_no_endpoint_delays_another,
    options = quick(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "H-1").await;
        let theirs = helpers::signed_project(&app, &globex, "H-2").await;

        let (good, good_url) = Receiver::start(Behaviour::Answer).await;
        let (flaky, flaky_url) = Receiver::start(Behaviour::FailFirst(2)).await;
        let (_hang, hang_url) = Receiver::start(Behaviour::Hang).await;
        let (acme_only, acme_url) = Receiver::start(Behaviour::Answer).await;
        let (good_id, secret) = register(
            &app,
            json!({ "url": good_url, "secret": "a secret of sixteen+" }),
        )
        .await;
        // Its first delivery is its own registration (a ping): the log's head before it.
        let registered_at = *log_after(&app, 0).await.last().unwrap() - 1;
        let (flaky_id, _) = register(&app, json!({ "url": flaky_url })).await;
        let (hang_id, _) = register(&app, json!({ "url": hang_url })).await;
        let down = down_url();
        let (down_id, _) = register(&app, json!({ "url": down.1 })).await;
        register(
            &app,
            json!({ "url": acme_url, "clientIds": [acme], "entityKinds": ["TICKET"] }),
        )
        .await;

        // Bad registrations name their field and write nothing.
        for (input, field) in [
            (json!({ "url": "ftp://x" }), "url"),
            (
                json!({ "url": "https://x.example", "secret": "short" }),
                "secret",
            ),
            (
                json!({ "url": "https://x.example", "clientIds": [p] }),
                "clientIds",
            ),
            (
                json!({ "url": "https://x.example", "projectIds": ["UHJvamVjdDo5OTk"] }),
                "projectIds",
            ),
        ] {
            let (code, f) = app.fails(REGISTER, json!({ "i": input })).await;
            assert_eq!(
                (code.as_str(), f.as_deref()),
                ("BAD_USER_INPUT", Some(field))
            );
        }
        assert_eq!(app.count("webhook_endpoints").await, 5);

        let started = Instant::now();
        changes(&app, &p, 4).await;
        changes(&app, &theirs, 1).await;
        // Everything after the good endpoint's registration (the later registrations too).
        let expected = log_after(&app, registered_at).await;
        // The answering endpoint has everything within a second, hanging and dead ones
        // notwithstanding; in log order, each signed, each with its event id.
        good.until(expected.len(), Duration::from_secs(5)).await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "delayed: {:?}",
            started.elapsed()
        );
        assert_eq!(good.sequences(), expected);
        for r in good.got.lock().unwrap().iter() {
            assert!(
                verify(&secret, &r.signature, &r.body),
                "bad signature {}",
                r.signature
            );
            assert!(!verify("another secret!!", &r.signature, &r.body));
            let e: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(e["id"], json!(r.event_id));
            assert!(e["kind"].is_string() && e["entityId"].is_string() && e["cursor"].is_string());
        }
        // The registration's filter: Acme's ticket events only.
        acme_only.until(4, Duration::from_secs(5)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let seen = acme_only.events();
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert!(
            seen.iter()
                .all(|e| e["entityKind"] == "TICKET" && e["clientId"] == json!(acme))
        );

        // The flaky one gets it all too, after two failures, in order.
        // Registered just after the good one: from its own registration on.
        flaky
            .until(expected.len() - 1, Duration::from_secs(10))
            .await;
        assert_eq!(flaky.sequences(), expected[1..]);
        let log = app.ok(LOG, json!({ "id": flaky_id })).await["node"].clone();
        let attempts: Vec<(i64, bool, Option<i64>)> = log["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .take(3)
            .map(|d| {
                (
                    d["attempt"].as_i64().unwrap(),
                    d["succeeded"].as_bool().unwrap(),
                    d["statusCode"].as_i64(),
                )
            })
            .collect();
        assert_eq!(
            attempts,
            vec![
                (1, false, Some(500)),
                (2, false, Some(500)),
                (3, true, Some(204))
            ]
        );
        assert_eq!(log["failures"], 0);

        // The hanging and the dead one: logged failures, still active, waiting to retry.
        for (id, error) in [
            (&hang_id, "no answer within"),
            (&down_id, "connection refused"),
        ] {
            // The first attempt is logged when it ends (the timeout, for the hanging one).
            let start = Instant::now();
            let log = loop {
                let log = app.ok(LOG, json!({ "id": id })).await["node"].clone();
                if !log["deliveries"].as_array().unwrap().is_empty() {
                    break log;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "no attempt logged"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            assert_eq!(log["status"], "ACTIVE");
            let first = log["deliveries"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .clone();
            assert_eq!(first["succeeded"], false);
            assert!(first["error"].as_str().unwrap().contains(error), "{first}");
        }

        // A replay from the first event's cursor delivers the rest again, in order.
        let cursor = good.events()[0]["cursor"].clone();
        app.ok(
        "mutation($id: ID!, $after: String) { replayWebhook(id: $id, after: $after) { status } }",
        json!({ "id": good_id, "after": cursor }),
    )
    .await;
        // Then the replay's own event (the endpoint updated), as every later event.
        good.until(2 * expected.len(), Duration::from_secs(5)).await;
        let again = &good.sequences()[expected.len()..];
        assert_eq!(again[..expected.len() - 1], expected[1..]);
        let last = good.events().last().unwrap().clone();
        assert_eq!(
            (last["entityKind"].as_str(), last["kind"].as_str()),
            (Some("WEBHOOK"), Some("UPDATED"))
        );

        // Webhooks are staff's.
        let person = helpers::contact(&app, &acme).await;
        let portal = helpers::portal_token(&app, &acme, &person);
        let body = app
            .gql_as(Some(&portal), "{ webhooks { url } }", json!({}))
            .await;
        assert_eq!(helpers::error_code(&body), "FORBIDDEN");
    }
);

db_test!(
    an_endpoint_failing_long_enough_is_disabled_and_a_replay_enables_it,
    options = Options {
        webhooks: WebhookOptions {
            disable_after: Duration::from_millis(600),
            ..quick().webhooks
        },
        ..helpers::test_options()
    },
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let p = helpers::signed_project(&app, &acme, "H-3").await;
        let down = down_url();
        let (id, _) = register(&app, json!({ "url": down.1 })).await;
        changes(&app, &p, 1).await;
        let start = Instant::now();
        loop {
            let log = app.ok(LOG, json!({ "id": id })).await["node"].clone();
            if log["status"] == "DISABLED" {
                assert!(
                    log["disabledReason"]
                        .as_str()
                        .unwrap()
                        .contains("failing since"),
                    "{log}"
                );
                assert!(
                    log["deliveries"].as_array().unwrap().len() >= 2,
                    "retried first: {log}"
                );
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "never disabled: {log}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Disabled: no more attempts.
        let attempts = app.count("webhook_deliveries").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(app.count("webhook_deliveries").await, attempts);
        let again = app
            .ok(
                "mutation($id: ID!) { replayWebhook(id: $id) { status failures } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            again["replayWebhook"],
            json!({ "status": "ACTIVE", "failures": 0 })
        );
    }
);

/// Two server processes on one PostgreSQL database deliver each event once between them;
/// one killed and another started, the endpoint misses nothing and gets nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn across_instances_and_a_restart_nothing_is_lost_or_repeated() {
    use crate::scale_out::Server;
    let Some(url) = helpers::fresh_postgres_url().await else {
        return;
    };
    let db = delivery_desk::startup::connect(&url, 4).await.unwrap();
    delivery_desk::startup::migrate(&db).await.unwrap();
    let (a, b) = (Server::start(&url).await, Server::start(&url).await);
    let on_a = TestApp::attach(a.base.clone(), db.clone(), helpers::Backend::Postgres).await;
    let (hook, hook_url) = Receiver::start(Behaviour::Answer).await;
    register(&on_a, json!({ "url": hook_url })).await;
    let acme = helpers::client(&on_a, "Acme").await;
    let p = helpers::signed_project(&on_a, &acme, "H-4").await;
    changes(&on_a, &p, 5).await;
    hook.until(7, Duration::from_secs(10)).await;
    // Both stop as an operator stops them (SIGTERM): requests under way finish, leases go.
    for server in [&a, &b] {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &server.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
    }
    for server in [a, b] {
        let mut server = server;
        let start = Instant::now();
        while server.child.try_wait().unwrap().is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "a server did not stop"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // While no server runs, changes are written (by another instance, say); a new one
    // delivers them.
    let on_db = TestApp::attach(
        "http://unused".into(),
        db.clone(),
        helpers::Backend::Postgres,
    )
    .await;
    let caller = delivery_desk::service::Caller::System;
    delivery_desk::service::clients::create(
        helpers::service_ctx(&on_db, &caller),
        delivery_desk::service::clients::NewClient {
            name: "Globex".into(),
            industry: None,
            main_business: None,
            source: entity::ClientSource::Referral,
            intent_level: entity::IntentLevel::High,
            budget_range: None,
            decision_chain: None,
            key_needs: None,
            notes: None,
            first_contact_at: None,
        },
    )
    .await
    .unwrap();
    let c = Server::start(&url).await;
    let on_c = TestApp::attach(c.base.clone(), db.clone(), helpers::Backend::Postgres).await;
    changes(&on_c, &p, 2).await;
    let head: i64 = on_c
        .ok(
            "{ events(newestFirst: true, first: 1) { edges { node { sequence } } } }",
            json!({}),
        )
        .await["events"]["edges"][0]["node"]["sequence"]
        .as_i64()
        .unwrap();
    let first = hook.sequences()[0];
    let want: Vec<i64> = (first..=head).collect();
    let start = Instant::now();
    while hook.sequences().len() < want.len() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "got {:?}",
            hook.sequences()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hook.sequences(), want, "every event once, in order");
}

db_test!(
    webhooks_reach_no_address_inside_the_network_unless_allowed,
    options = Options {
        webhooks: WebhookOptions {
            allow_private: false,
            ..quick().webhooks
        },
        ..helpers::test_options()
    },
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let p = helpers::signed_project(&app, &acme, "H-9").await;
        // A receiver on loopback, named by its address and by a name that resolves there.
        let (receiver, url) = Receiver::start(Behaviour::Answer).await;
        let by_name = url.replace("127.0.0.1", "localhost");
        let (literal, _) = register(&app, json!({ "url": url })).await;
        let (named, _) = register(&app, json!({ "url": by_name })).await;
        changes(&app, &p, 1).await;
        for (id, refused) in [(literal, "127.0.0.1"), (named, "localhost")] {
            let start = Instant::now();
            let error = loop {
                let log = app.ok(LOG, json!({ "id": id })).await;
                let first = &log["node"]["deliveries"][0];
                if !first.is_null() {
                    break first["error"].as_str().unwrap_or_default().to_owned();
                }
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "no attempt: {log}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            assert!(
                error.contains(&format!("{refused} is not a public address")),
                "{error}"
            );
        }
        // Nothing reached the receiver.
        assert_eq!(*receiver.requests.lock().unwrap(), 0);
    }
);
