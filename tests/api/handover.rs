//! Contacts and handover: a key contact leaves, their open items move to a successor in
//! one transaction and one event, and their portal access ends (HTTP and websockets, also
//! when another instance marked them). Also the ticket grade of the three-level response
//! mechanism, and the team roles of the whole road.

use chrono::TimeZone;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, Backend, TestApp, db_id, error_code, portal_token},
    scale_out::Server,
};

const LEFT: &str = "mutation($id: ID!, $s: ID!) { markContactLeft(id: $id, successorId: $s) {
    contact { status leftAt successor { name } }
    actionItems { title assigneeContact { name } } tickets { title } meetings { kind contacts { name } }
    projects { primaryContact { name } } acceptanceCriteria { text checker { name } } } }";

async fn named_contact(app: &helpers::TestApp, client: &str, name: &str) -> String {
    app.ok(
        "mutation($c: ID!, $n: String!) { createContact(input: { clientId: $c, name: $n, decisionRole: DECISION_MAKER }) { id decisionRole } }",
        json!({ "c": client, "n": name }),
    )
    .await["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

db_test!(
    a_contact_who_leaves_hands_over_their_open_items_and_loses_portal_access,
    at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "C-1").await;
        let zhang = named_contact(&app, &acme, "Zhang Hua").await;
        let liu = named_contact(&app, &acme, "Liu Yang").await;
        let rival = named_contact(&app, &globex, "Wang Fang").await;
        app.ok(
            "mutation($p: ID!, $c: ID!) { updateProject(id: $p, input: { primaryContactId: $c }) { primaryContact { name } } }",
            json!({ "p": p, "c": zhang }),
        )
        .await;
        let item = |title: &str| json!({ "i": { "projectId": p, "title": title, "assigneeContactId": zhang } });
        const ITEM: &str =
            "mutation($i: CreateActionItemInput!) { createActionItem(input: $i) { id } }";
        app.ok(ITEM, item("VPN access")).await;
        let done = app.ok(ITEM, item("Site survey")).await["createActionItem"]["id"].clone();
        app.ok(
            "mutation($id: ID!) { changeActionItemStatus(id: $id, status: DONE) { id } }",
            json!({ "id": done }),
        )
        .await;
        const TICKET: &str = "mutation($p: ID!, $c: ID!, $t: String!) { createTicket(input: { projectId: $p, title: $t,
            type: USAGE_QUESTION, channel: EMAIL, reporterContactId: $c }) { id } }";
        app.ok(TICKET, json!({ "p": p, "c": zhang, "t": "Login fails" }))
            .await;
        let resolved = app
            .ok(TICKET, json!({ "p": p, "c": zhang, "t": "Export" }))
            .await["createTicket"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        helpers::set_ticket_status(&app, &resolved, "ACKNOWLEDGED").await;
        helpers::set_ticket_status(&app, &resolved, "RESOLVED").await;
        const MEETING: &str = "mutation($p: ID!, $at: DateTime!, $c: [ID!]!) { scheduleMeeting(input: { projectId: $p, kind: PROGRESS,
            scheduledAt: $at, contactIds: $c }) { id } }";
        app.ok(
            MEETING,
            json!({ "p": p, "at": "2026-11-30T02:00:00Z", "c": [zhang, liu] }),
        )
        .await;
        app.ok(
            MEETING,
            json!({ "p": p, "at": "2026-11-16T02:00:00Z", "c": [zhang] }),
        )
        .await;

        // Criteria Zhang is to check: drafted ones (the primary contact checks) and one
        // named; the passed one stays with Zhang, who passed it.
        const CRITERION: &str = "mutation($p: ID!, $t: String!, $c: ID) { addAcceptanceCriterion(projectId: $p, text: $t, checkerContactId: $c) { id checker { name } } }";
        let drafted = app
            .ok(CRITERION, json!({ "p": p, "t": "Live data", "c": null }))
            .await;
        assert_eq!(
            drafted["addAcceptanceCriterion"]["checker"]["name"],
            "Zhang Hua"
        );
        app.ok(
            CRITERION,
            json!({ "p": p, "t": "Alarms by SMS", "c": zhang }),
        )
        .await;
        let passed = app
            .ok(CRITERION, json!({ "p": p, "t": "Exports", "c": zhang }))
            .await["addAcceptanceCriterion"]["id"]
            .clone();
        app.ok(
            "mutation($id: ID!, $c: ID!) { judgeAcceptanceCriterion(id: $id, status: PASSED, contactId: $c) { status } }",
            json!({ "id": passed, "c": zhang }),
        )
        .await;
        let (code, field) = app
            .fails(CRITERION, json!({ "p": p, "t": "x", "c": rival }))
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("checkerContactId"))
        );

        // Zhang's portal session is open, on a subscription.
        let portal = portal_token(&app, &acme, &zhang);
        let mut ws = app.ws(Some(&portal)).await;
        ws.subscribe(
            "a",
            "subscription($p: ID!) { projectActivity(projectId: $p) { kind } }",
            json!({ "p": p }),
        )
        .await;
        assert_eq!(
            app.gql_as(Some(&portal), "{ viewer { role } }", json!({}))
                .await["data"]["viewer"]["role"],
            "CLIENT"
        );

        // A successor must be another active contact of the same client; nothing is
        // written otherwise.
        let events = app.count("events").await;
        for bad in [&zhang, &rival] {
            let (code, field) = app.fails(LEFT, json!({ "id": zhang, "s": bad })).await;
            assert_eq!(
                (code.as_str(), field.as_deref()),
                ("BAD_USER_INPUT", Some("successorId"))
            );
        }
        assert_eq!(app.count("events").await, events);

        let handover =
            app.ok(LEFT, json!({ "id": zhang, "s": liu })).await["markContactLeft"].clone();
        assert_eq!(handover["contact"]["status"], "LEFT");
        assert_eq!(handover["contact"]["successor"]["name"], "Liu Yang");
        assert_eq!(
            handover["actionItems"],
            json!([{ "title": "VPN access", "assigneeContact": { "name": "Liu Yang" } }]),
            "the open item only"
        );
        assert_eq!(
            handover["tickets"],
            json!([{ "title": "Login fails" }]),
            "the open ticket only"
        );
        assert_eq!(
            handover["meetings"],
            json!([{ "kind": "PROGRESS", "contacts": [{ "name": "Liu Yang" }] }]),
            "the meeting ahead, with the successor in the seat once"
        );
        assert_eq!(
            handover["projects"],
            json!([{ "primaryContact": { "name": "Liu Yang" } }])
        );
        assert_eq!(
            handover["acceptanceCriteria"],
            json!([{ "text": "Live data", "checker": { "name": "Liu Yang" } },
                   { "text": "Alarms by SMS", "checker": { "name": "Liu Yang" } }]),
            "the criteria not yet passed"
        );
        assert_eq!(app.count("events").await, events + 1, "one event");
        let timeline = app
            .ok(
                "query($id: ID!) { node(id: $id) { ... on Contact { events(last: 1) { kind fromStatus toStatus changes } } } }",
                json!({ "id": zhang }),
            )
            .await;
        let e = &timeline["node"]["events"][0];
        assert_eq!(
            (e["kind"].as_str(), e["toStatus"].as_str()),
            (Some("STATUS_CHANGED"), Some("LEFT"))
        );
        assert_eq!(e["changes"]["successor_id"], db_id(&liu));

        // Their access ends: the open socket is closed, the token is refused.
        let closed = ws.closed().await;
        assert_eq!(closed.code, 4403, "{closed:?}");
        let (status, body) = app
            .post_as(Some(&portal), "{ viewer { role } }", json!({}))
            .await;
        assert_eq!(
            (status, error_code(&body)),
            (401, "UNAUTHENTICATED"),
            "{body}"
        );
        let mut again = app.ws_raw("graphql-transport-ws").await;
        again
            .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {portal}") } }))
            .await;
        assert_eq!(again.closed().await.code, 4403);
        // The successor's access is untouched.
        let theirs = portal_token(&app, &acme, &liu);
        let body = app
            .gql_as(Some(&theirs), "{ viewer { role } }", json!({}))
            .await;
        assert_eq!(body["data"]["viewer"]["role"], "CLIENT", "{body}");

        // Leaving is final; the one who left cannot be named again.
        let (code, _) = app.fails(LEFT, json!({ "id": zhang, "s": liu })).await;
        assert_eq!(code, "INVALID_TRANSITION");
        let (code, field) = app
            .fails(
                "mutation($p: ID!, $c: ID!) { updateProject(id: $p, input: { primaryContactId: $c }) { id } }",
                json!({ "p": p, "c": zhang }),
            )
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("primaryContactId"))
        );

        // Who decides is the vendor's business.
        let body = app
            .gql_as(
                Some(&theirs),
                "query($id: ID!) { node(id: $id) { ... on Contact { name decisionRole } } }",
                json!({ "id": liu }),
            )
            .await;
        assert_eq!(
            body["data"]["node"],
            json!({ "name": "Liu Yang", "decisionRole": null }),
            "{body}"
        );
    }
);

/// The gate follows the event log: a contact marked as left through one instance loses
/// access on another (two server processes on one PostgreSQL database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_refuses_a_contact_who_left() {
    let Some(url) = helpers::fresh_postgres_url().await else {
        return;
    };
    let db = delivery_desk::startup::connect(&url, 4).await.unwrap();
    delivery_desk::startup::migrate(&db).await.unwrap();
    let (a, b) = (Server::start(&url).await, Server::start(&url).await);
    let on_a = TestApp::attach(a.base.clone(), db.clone(), Backend::Postgres).await;
    let on_b = TestApp::attach(b.base.clone(), db.clone(), Backend::Postgres).await;
    let acme = helpers::client(&on_a, "Acme").await;
    let zhang = named_contact(&on_a, &acme, "Zhang Hua").await;
    let liu = named_contact(&on_a, &acme, "Liu Yang").await;
    let portal = portal_token(&on_b, &acme, &zhang);
    let mut ws = on_b.ws(Some(&portal)).await;
    ws.subscribe(
        "a",
        "subscription { ticketStatusChanged { ticketId } }",
        json!({}),
    )
    .await;
    on_a.ok(LEFT, json!({ "id": zhang, "s": liu })).await;
    assert_eq!(ws.closed().await.code, 4403);
    let (status, body) = on_b
        .post_as(Some(&portal), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "UNAUTHENTICATED"),
        "{body}"
    );
}

db_test!(the_grade_sets_where_a_ticket_starts_on_the_ladder, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let p = helpers::signed_project(&app, &acme, "C-1").await;
    let buyer = helpers::contact(&app, &acme).await;
    const CREATE: &str = "mutation($p: ID!, $g: TicketGrade) { createTicket(input: { projectId: $p, title: \"down\",
            type: SOFTWARE_BUG, grade: $g }) { id grade escalationLevel escalations { level reason automatic } } }";
    let mut ids = Vec::new();
    for (grade, level) in [
        (Value::Null, 0),
        (json!("MAJOR"), 2),
        (json!("CRITICAL"), 3),
    ] {
        let t = app.ok(CREATE, json!({ "p": p, "g": grade })).await["createTicket"].clone();
        assert_eq!(t["escalationLevel"], level, "{t}");
        ids.push(t["id"].clone());
    }
    let critical = app.ok(CREATE, json!({ "p": p, "g": "CRITICAL" })).await["createTicket"].clone();
    assert_eq!(
        critical["escalations"],
        json!([{ "level": 3, "reason": "graded CRITICAL", "automatic": true }])
    );
    // Graded up: escalated to where the grade starts; graded down: it stays.
    const GRADE: &str = "mutation($id: ID!, $g: TicketGrade!) { updateTicket(id: $id, input: { grade: $g }) { grade escalationLevel } }";
    let up = app.ok(GRADE, json!({ "id": ids[0], "g": "MAJOR" })).await;
    assert_eq!(
        up["updateTicket"],
        json!({ "grade": "MAJOR", "escalationLevel": 2 })
    );
    let down = app.ok(GRADE, json!({ "id": ids[2], "g": "MINOR" })).await;
    assert_eq!(
        down["updateTicket"],
        json!({ "grade": "MINOR", "escalationLevel": 3 })
    );

    let filtered = app
        .ok(
            "{ tickets(filter: { grades: [CRITICAL] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(filtered["tickets"]["totalCount"], 1);
    let dashboard = app
        .ok(
            "{ dashboard { openTicketsByGrade { grade count } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        dashboard["dashboard"]["openTicketsByGrade"],
        json!([{ "grade": "CRITICAL", "count": 1 }, { "grade": "MAJOR", "count": 2 }, { "grade": "MINOR", "count": 1 }])
    );

    // The vendor grades; a portal user describes.
    let portal = portal_token(&app, &acme, &buyer);
    let body = app
        .gql_as(Some(&portal), CREATE, json!({ "p": p, "g": "CRITICAL" }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    // The road's team roles.
    let u = helpers::user(&app, "Sun Li").await;
    let member = app
            .ok(
                "mutation($p: ID!, $u: ID!) { addTeamMember(projectId: $p, userId: $u, role: SALES_REPRESENTATIVE) { role } }",
                json!({ "p": p, "u": u }),
            )
            .await;
    assert_eq!(member["addTeamMember"]["role"], "SALES_REPRESENTATIVE");
});
