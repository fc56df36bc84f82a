//! Subscriptions: live delivery, resumption without gap or duplicate, scoping, and the
//! cost of idle subscribers.

use std::time::Duration;

use delivery_desk::auth::token::Role;
use serde_json::json;

use crate::{
    db_test,
    helpers::{self, *},
};

const STAGES: &str = "subscription($p: ID, $after: String) { stageStatusChanged(projectId: $p, after: $after) { cursor from to stageId stage { name status } event { actor { name } kind } } }";
const TICKETS: &str = "subscription($after: String) { ticketStatusChanged(after: $after) { cursor from to ticket { title status } } }";
const ACTIVITY: &str = "subscription($p: ID!, $after: String) { projectActivity(projectId: $p, after: $after) { cursor kind entityKind toStatus } }";

async fn set_stage(app: &TestApp, stage: &str, status: &str) {
    app.ok(
        "mutation($s: ID!, $st: StageStatus!) { changeStageStatus(id: $s, status: $st) { id } }",
        json!({ "s": stage, "st": status }),
    )
    .await;
}

async fn set_ticket(app: &TestApp, ticket: &str, status: &str) {
    app.ok(
        "mutation($t: ID!, $st: TicketStatus!) { changeTicketStatus(id: $t, status: $st) { id } }",
        json!({ "t": ticket, "st": status }),
    )
    .await;
}

/// Moves a stage back and forth `n` times: 2n status changes.
async fn churn(app: &TestApp, stage: &str, n: usize) {
    for _ in 0..n {
        set_stage(app, stage, "BLOCKED").await;
        set_stage(app, stage, "IN_PROGRESS").await;
    }
}

db_test!(
    a_stage_status_change_arrives_with_the_current_stage_and_its_author,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "L-1").await;
        let sid = stage(&app, &pid, "Design review").await;
        let mut ws = app.ws(Some(&app.admin)).await;
        ws.subscribe("s", STAGES, json!({ "p": pid })).await;
        // The subscription is live once the server has read its request; give it a moment.
        ws.silent(Duration::from_millis(200)).await;
        set_stage(&app, &sid, "IN_PROGRESS").await;
        let got = ws.next("s").await;
        let change = &got["data"]["stageStatusChanged"];
        assert_eq!(change["from"], "NOT_STARTED", "{got}");
        assert_eq!(change["to"], "IN_PROGRESS");
        assert_eq!(change["stageId"], sid.as_str());
        assert_eq!(change["stage"]["name"], "Design review");
        assert_eq!(change["stage"]["status"], "IN_PROGRESS");
        assert_eq!(change["event"]["actor"]["name"], "Admin");
        assert_eq!(change["event"]["kind"], "STATUS_CHANGED");
        assert!(got.get("errors").is_none());
        // Only status changes of this project's stages: a ticket change is not one.
        let tid = ticket(&app, &pid, "Noise").await;
        set_ticket(&app, &tid, "ACKNOWLEDGED").await;
        ws.silent(Duration::from_millis(300)).await;
        // The object is loaded fresh for each event, not from a cache of the first one.
        set_stage(&app, &sid, "DONE").await;
        let got = ws.next("s").await;
        assert_eq!(got["data"]["stageStatusChanged"]["stage"]["status"], "DONE");
        // `complete` from the client ends it: nothing more arrives.
        ws.send(json!({ "id": "s", "type": "complete" })).await;
        set_stage(&app, &sid, "IN_PROGRESS").await;
        ws.silent(Duration::from_millis(300)).await;
    }
);

db_test!(a_resumed_feed_has_no_gap_and_no_duplicate, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "L-2").await;
    let sid = stage(&app, &pid, "Build").await;
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.subscribe("a", STAGES, json!({ "p": pid })).await;
    ws.silent(Duration::from_millis(200)).await;
    set_stage(&app, &sid, "IN_PROGRESS").await;
    let first = ws.next("a").await["data"]["stageStatusChanged"]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(ws);

    // While nobody listens: 20 changes. Then, while the resumed feed replays them, 20 more
    // race it, across the seam between replay and live.
    churn(&app, &sid, 10).await;
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.subscribe("b", STAGES, json!({ "p": pid, "after": first }))
        .await;
    let writer = {
        let (base, token, sid) = (app.base.clone(), app.admin.clone(), sid.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for status in ["BLOCKED", "IN_PROGRESS"].repeat(10) {
                let body = json!({ "query": "mutation($s: ID!, $st: StageStatus!) { changeStageStatus(id: $s, status: $st) { id } }",
                    "variables": { "s": sid, "st": status } });
                let res = http
                    .post(format!("{base}/graphql"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success());
            }
        })
    };
    let mut seen: Vec<(String, String)> = Vec::new();
    while seen.len() < 40 {
        let got = ws.next("b").await;
        let c = &got["data"]["stageStatusChanged"];
        seen.push((
            c["cursor"].as_str().unwrap().to_owned(),
            c["to"].as_str().unwrap().to_owned(),
        ));
    }
    writer.await.unwrap();
    ws.silent(Duration::from_millis(300)).await;
    // In log order, alternating as written, each exactly once.
    let sequences: Vec<i64> = seen.iter().map(|(c, _)| db_id(c)).collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    let expected: Vec<&str> = ["BLOCKED", "IN_PROGRESS"].repeat(20);
    let got: Vec<&str> = seen.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(got, expected);
});

db_test!(
    portal_feeds_carry_only_their_own_client_and_nothing_internal,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let acme_p = signed_project(&app, &acme, "P-A").await;
        let globex_p = signed_project(&app, &globex, "P-G").await;
        let acme_t = ticket(&app, &acme_p, "Acme bug").await;
        let globex_t = ticket(&app, &globex_p, "Globex bug").await;
        let token = |client: &str, contact: &str| {
            app.token(
                &format!("contact:{}", db_id(contact)),
                Role::Client,
                Some(db_id(client)),
            )
        };
        let acme_portal = token(&acme, &contact(&app, &acme).await);
        let globex_portal = token(&globex, &contact(&app, &globex).await);

        let mut a = app.ws(Some(&acme_portal)).await;
        let mut g = app.ws(Some(&globex_portal)).await;
        let mut staff = app.ws(Some(&app.admin)).await;
        for ws in [&mut a, &mut g, &mut staff] {
            ws.subscribe("t", TICKETS, json!({})).await;
        }
        a.subscribe("p", ACTIVITY, json!({ "p": acme_p })).await;
        staff.subscribe("p", ACTIVITY, json!({ "p": acme_p })).await;
        a.silent(Duration::from_millis(200)).await;

        set_ticket(&app, &globex_t, "ACKNOWLEDGED").await;
        set_ticket(&app, &acme_t, "ACKNOWLEDGED").await;
        // An internal risk on Acme's project: staff see its event, the portal does not.
        app.ok(
        "mutation($p: ID!) { createRisk(input: { projectId: $p, title: \"Vendor slip\", category: SCHEDULE, likelihood: 3, impact: 3 }) { id } }",
        json!({ "p": acme_p }),
    )
    .await;

        let mut staff_tickets = Vec::new();
        let mut staff_activity = Vec::new();
        while staff_tickets.len() < 2 || staff_activity.len() < 2 {
            let m = staff.recv().await;
            match m["id"].as_str().unwrap() {
                "t" => staff_tickets
                    .push(m["payload"]["data"]["ticketStatusChanged"]["ticket"]["title"].clone()),
                _ => staff_activity
                    .push(m["payload"]["data"]["projectActivity"]["entityKind"].clone()),
            }
        }
        assert_eq!(staff_tickets, [json!("Globex bug"), json!("Acme bug")]);
        assert_eq!(staff_activity, [json!("TICKET"), json!("RISK")]);

        let mut acme_seen = Vec::new();
        while acme_seen.len() < 2 {
            let m = a.recv().await;
            acme_seen.push((m["id"].clone(), m["payload"]["data"].to_string()));
        }
        assert!(
            acme_seen
                .iter()
                .all(|(_, d)| !d.contains("Globex") && !d.contains("RISK")),
            "{acme_seen:?}"
        );
        a.silent(Duration::from_millis(300)).await;
        let got = g.next("t").await;
        assert_eq!(
            got["data"]["ticketStatusChanged"]["ticket"]["title"],
            "Globex bug"
        );
        g.silent(Duration::from_millis(300)).await;

        // Another client's project is not found, as on every other road; so is a replay of
        // another client's events through a cursor.
        g.subscribe("x", ACTIVITY, json!({ "p": acme_p })).await;
        let refused = g.recv().await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["payload"][0]["extensions"]["code"], "NOT_FOUND");
        // (Event 1 is the harness creating the administrator: replay from the start.)
        g.subscribe("y", TICKETS, json!({ "after": helpers::event_cursor(1) }))
            .await;
        let replay = g.next("y").await;
        assert_eq!(
            replay["data"]["ticketStatusChanged"]["ticket"]["title"],
            "Globex bug"
        );
        g.silent(Duration::from_millis(300)).await;
    }
);

db_test!(
    idle_subscribers_cost_no_queries_and_fan_out_does_not_query_per_subscriber,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "I-1").await;
        let sid = stage(&app, &pid, "Build").await;
        let scalars =
            "subscription($p: ID) { stageStatusChanged(projectId: $p) { cursor from to stageId } }";
        let mut sockets = Vec::new();
        for _ in 0..20 {
            let mut ws = app.ws(Some(&app.admin)).await;
            ws.subscribe("s", scalars, json!({ "p": pid })).await;
            sockets.push(ws);
        }
        sockets[0].silent(Duration::from_millis(300)).await;
        app.reset_statements();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            app.statements(),
            0,
            "idle subscriptions queried the database"
        );

        set_stage(&app, &sid, "IN_PROGRESS").await;
        for ws in &mut sockets {
            assert_eq!(
                ws.next("s").await["data"]["stageStatusChanged"]["to"],
                "IN_PROGRESS"
            );
        }
        let with_20 = app.statements();
        // The mutation's own statements plus one read of the log by the pump, whatever the
        // number of subscribers.
        assert!(
            with_20 <= 12,
            "{with_20} statements for one change and 20 subscribers"
        );
    }
);

db_test!(
    identical_subscriptions_execute_once_per_caller_and_thread,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "M-1").await;
        let sid = stage(&app, &pid, "Build").await;
        // `stage` loads the stage for each execution: one statement per execution.
        let doc = "subscription($p: ID) { stageStatusChanged(projectId: $p) { to stage { name status } } }";
        let mut first = app.ws(Some(&app.admin)).await;
        first.subscribe("s", doc, json!({ "p": pid })).await;
        first.silent(Duration::from_millis(300)).await;
        app.reset_statements();
        set_stage(&app, &sid, "IN_PROGRESS").await;
        assert_eq!(
            first.next("s").await["data"]["stageStatusChanged"]["stage"]["status"],
            "IN_PROGRESS"
        );
        // Executions are counted by the statements that read stages: the mutation's own are
        // the same each time, and the live pump's reads of the event log (one more when
        // this instance's own NOTIFY wakes it, on PostgreSQL) are not executions.
        let stage_reads = || {
            app.sql()
                .iter()
                .filter(|s| s.contains("FROM \"stages\""))
                .count()
        };
        let alone = stage_reads();

        // Nineteen more of the same caller join its running subscription; they did not ask
        // for a cursor, so the change before they came is not theirs. Another caller runs
        // its own.
        let mut more = Vec::new();
        for _ in 0..19 {
            let mut ws = app.ws(Some(&app.admin)).await;
            ws.subscribe("s", doc, json!({ "p": pid })).await;
            more.push(ws);
        }
        let staff = app.token("user:1", Role::Staff, None);
        let mut other = app.ws(Some(&staff)).await;
        other.subscribe("s", doc, json!({ "p": pid })).await;
        other.silent(Duration::from_millis(300)).await;
        app.reset_statements();
        set_stage(&app, &sid, "BLOCKED").await;
        for ws in more.iter_mut().chain([&mut first, &mut other]) {
            let got = ws.next("s").await;
            assert_eq!(got["data"]["stageStatusChanged"]["to"], "BLOCKED", "{got}");
            assert_eq!(got["data"]["stageStatusChanged"]["stage"]["name"], "Build");
        }
        let together = stage_reads();
        // The other caller's own execution is one more read, and the first caller's
        // subscribers on each other executor thread share one more. Twenty executions
        // would be twenty more.
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert!(
            alone >= 2 && together <= alone + threads,
            "21 subscribers of 2 callers: {together} reads of stages, 1 subscriber: {alone}: {:?}",
            app.sql()
        );
    }
);

db_test!(
    subscriptions_sharing_a_socket_each_hear_a_change_at_once,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "W-1").await;
        let sid = stage(&app, &pid, "Build").await;
        let mut ws = app.ws(Some(&app.admin)).await;
        let ids = ["a", "b", "c"];
        for id in ids {
            ws.subscribe(id, STAGES, json!({ "p": pid })).await;
        }
        ws.silent(Duration::from_millis(300)).await;
        for status in ["IN_PROGRESS", "BLOCKED"] {
            set_stage(&app, &sid, status).await;
            // Their results leave in one write: each arrives, once, without waiting for
            // the keep-alive (15 s) or anything else to push a buffer out.
            let mut heard: Vec<String> = tokio::time::timeout(Duration::from_secs(5), async {
                let mut heard = Vec::new();
                for _ in ids {
                    let got = ws.recv().await;
                    assert_eq!(got["type"], "next", "{got}");
                    assert_eq!(got["payload"]["data"]["stageStatusChanged"]["to"], status);
                    heard.push(got["id"].as_str().unwrap().to_owned());
                }
                heard
            })
            .await
            .expect("every subscription's result within 5 s");
            heard.sort();
            assert_eq!(heard, ids);
        }
        ws.silent(Duration::from_millis(300)).await;
    }
);

db_test!(
    operations_that_cannot_start_are_errors_and_queries_answer_once,
    |app| {
        let mut ws = app.ws(Some(&app.admin)).await;
        // A bad cursor, an unknown field, a subscription over HTTP: clear errors.
        ws.subscribe("1", STAGES, json!({ "after": "nonsense" }))
            .await;
        let m = ws.recv().await;
        assert_eq!(
            (m["type"].as_str(), m["id"].as_str()),
            (Some("error"), Some("1")),
            "{m}"
        );
        assert_eq!(m["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
        ws.subscribe("2", "subscription { nope }", json!({})).await;
        let m = ws.recv().await;
        assert_eq!(m["type"], "error");
        // A query over the socket: one `next`, then `complete`.
        ws.subscribe("3", "{ clients(first: 1) { totalCount } }", json!({}))
            .await;
        assert!(ws.next("3").await["data"].is_object());
        let m = ws.recv().await;
        assert_eq!(
            (m["type"].as_str(), m["id"].as_str()),
            (Some("complete"), Some("3"))
        );
        // Anonymous sockets are acknowledged but may only introspect.
        let mut anon = app.ws(None).await;
        anon.subscribe("a", STAGES, json!({})).await;
        let m = anon.recv().await;
        assert_eq!(m["type"], "error", "{m}");
        assert_eq!(m["payload"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
);

/// Appends `n` events about `project` directly to the log, each carrying `padding` bytes.
async fn append_events(app: &TestApp, project: i64, client: i64, n: usize, padding: usize) {
    use entity::{ActorKind, EntityKind, EventKind, event};
    use sea_orm::{EntityTrait, Set};
    let pad = "x".repeat(padding);
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let rows = chunk.iter().map(|i| event::ActiveModel {
            occurred_at: Set(chrono::Utc::now()),
            actor_kind: Set(ActorKind::System),
            actor_id: Set(None),
            kind: Set(EventKind::Updated),
            entity_kind: Set(EntityKind::Project),
            entity_id: Set(project),
            project_id: Set(Some(project)),
            client_id: Set(Some(client)),
            from_status: Set(None),
            to_status: Set(None),
            changes: Set(json!({ "n": i, "pad": pad }).to_string()),
            ..Default::default()
        });
        event::Entity::insert_many(rows)
            .exec(&app.db)
            .await
            .unwrap();
    }
}

db_test!(
    a_subscriber_behind_the_shared_buffer_catches_up_from_the_log,
    |app| {
        use delivery_desk::{
            auth::Scope,
            live::{Filter, Hub, feed},
        };
        use futures_util::StreamExt;
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "B-1").await;
        // A hub that keeps 8 events in memory, and a subscriber that reads nothing while 300
        // are published one by one.
        let hub = Hub::with_buffer(app.db.clone(), 8);
        while hub.head().is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mut filter = Filter::new(Scope::All);
        filter.project_id = Some(db_id(&pid));
        let stream = feed(&hub, filter, None);
        tokio::pin!(stream);
        for _ in 0..300 {
            append_events(&app, db_id(&pid), db_id(&acme), 1, 10).await;
            hub.wake();
        }
        let mut got = Vec::new();
        while got.len() < 300 {
            let e = tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .unwrap()
                .unwrap();
            got.push(
                serde_json::from_str::<serde_json::Value>(&e.changes).unwrap()["n"]
                    .as_i64()
                    .unwrap(),
            );
        }
        assert_eq!(got, vec![0; 300], "each once");
        // The subscriber caught up from the log, possibly ahead of the hub's own pump;
        // the pump publishes every event too, soon.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while hub.published() < 300 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(hub.published() >= 300, "published {}", hub.published());
    }
);

#[tokio::test]
async fn a_reader_too_slow_is_closed_with_1013_and_resumes_from_its_cursor() {
    use delivery_desk::startup::{Options, WsOptions};
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
    let app = spawn_app_with(
        Backend::Sqlite,
        Options {
            ws: WsOptions {
                send_timeout: Duration::from_millis(500),
                ..WsOptions::default()
            },
            ..crate::helpers::test_options()
        },
    )
    .await
    .unwrap();
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "S-1").await;
    const N: usize = 4_000;
    append_events(&app, db_id(&pid), db_id(&acme), N, 2_000).await;
    let feed = "subscription($p: ID!, $after: String) { projectActivity(projectId: $p, after: $after) { cursor changes } }";

    // A client with a tiny receive window that reads nothing for two seconds.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket
        .connect(app.base.trim_start_matches("http://").parse().unwrap())
        .await
        .unwrap();
    let mut request = app.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let tcp = tokio_tungstenite::MaybeTlsStream::Plain(tcp);
    let (stream, _) = tokio_tungstenite::client_async(request, tcp).await.unwrap();
    let mut ws = crate::ws_client::Ws { stream };
    ws.init(Some(&app.admin)).await;
    ws.subscribe(
        "a",
        feed,
        json!({ "p": pid, "after": helpers::event_cursor(1) }),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut cursors: Vec<String> = Vec::new();
    let code = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.stream.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Text(t))) => {
                let m: serde_json::Value = serde_json::from_str(&t).unwrap();
                if m["type"] == "next" {
                    let e = &m["payload"]["data"]["projectActivity"];
                    if e["changes"]["pad"].is_string() {
                        cursors.push(e["cursor"].as_str().unwrap().to_owned());
                    }
                }
            }
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(code, Some(1013));
    assert!(
        !cursors.is_empty() && cursors.len() < N,
        "{} delivered before closing",
        cursors.len()
    );

    // Resuming from the last cursor received delivers the rest, each once.
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.subscribe(
        "b",
        feed,
        json!({ "p": pid, "after": cursors.last().unwrap() }),
    )
    .await;
    while cursors.len() < N {
        let e = ws.next("b").await["data"]["projectActivity"].clone();
        cursors.push(e["cursor"].as_str().unwrap().to_owned());
    }
    let ids: Vec<i64> = cursors.iter().map(|c| db_id(c)).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "gap or duplicate");
    ws.silent(Duration::from_millis(300)).await;
}

/// A subscriber is acknowledged only while the server hears other instances' commits:
/// with the PostgreSQL listener cut, `connection_ack` waits for it to be back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_are_acknowledged_only_while_the_listener_is_connected() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let hub = app.hub.clone().unwrap();
    assert!(hub.until_listening(Duration::from_secs(10)).await);
    // Cut the listener, as a database restart would, and wait until the server knows.
    assert_eq!(helpers::cut_listeners(&app.db).await, 1);
    for _ in 0..200 {
        if !hub.is_listening() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!hub.is_listening(), "the cut was not noticed");
    let mut ws = app.ws(Some(&app.admin)).await;
    assert!(
        hub.is_listening(),
        "acknowledged while the listener was not connected"
    );
    ws.subscribe(
        "s",
        "subscription { stageStatusChanged { cursor } }",
        json!({}),
    )
    .await;
    ws.silent(Duration::from_millis(100)).await;
}
