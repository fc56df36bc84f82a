//! Service levels through the API: the clocks of a ticket's life, the alarm task's
//! alerts (exactly once), the live alert feed and its scoping, and the policy as data.
//! The server's clock is manual: nothing sleeps for a deadline.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use delivery_desk::{
    auth::token::Role,
    service::{Caller, service_levels},
};
use entity::ticket_clock;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Statement};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{
        self, TestApp, contact, db_id, service_ctx as ctx, set_ticket_status as set_status,
        signed_project,
    },
};

/// Monday 2026-11-23, 09:00 in Shanghai (the default policy's working hours open).
fn monday_9() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

const CLOCKS: &str = "query($id: ID!) { node(id: $id) { ... on Ticket {
    serviceLevelClocks { kind cycle state targetMinutes businessHours startedAt atRiskAt breachesAt endedAt remainingSeconds } } } }";

const ALERTS: &str = "subscription($p: ID) { serviceLevelAlerts(projectId: $p) {
    cursor level clock cycle dueAt ticketId ticket { title } event { kind actorKind } } }";

async fn clocks(app: &TestApp, ticket: &str) -> Vec<Value> {
    app.ok(CLOCKS, json!({ "id": ticket })).await["node"]["serviceLevelClocks"]
        .as_array()
        .unwrap()
        .clone()
}

fn of<'a>(clocks: &'a [Value], kind: &str, cycle: i64) -> &'a Value {
    clocks
        .iter()
        .rfind(|c| c["kind"] == kind && c["cycle"] == cycle)
        .unwrap_or_else(|| panic!("no {kind} clock in cycle {cycle}: {clocks:?}"))
}

async fn alerts_in_log(app: &TestApp) -> i64 {
    let data = app
        .ok(
            "{ events(first: 100, filter: { kinds: [SERVICE_LEVEL_AT_RISK, SERVICE_LEVEL_BREACHED] }) { totalCount } }",
            json!({}),
        )
        .await;
    data["events"]["totalCount"].as_i64().unwrap()
}

db_test!(a_tickets_clocks_follow_its_life, at = monday_9(), |app| {
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "SL-1").await;
    let tid = helpers::ticket(&app, &pid, "Printer on fire").await; // HIGH
    let c = clocks(&app, &tid).await;
    assert_eq!(c.len(), 3, "{c:?}");
    let fr = of(&c, "FIRST_RESPONSE", 1);
    assert_eq!(fr["state"], "RUNNING");
    assert_eq!(fr["targetMinutes"], 120);
    assert_eq!(fr["businessHours"], true);
    // 2 working hours from Monday 09:00 Shanghai; at risk at 75 %.
    assert_eq!(fr["breachesAt"], "2026-11-23T03:00:00+00:00");
    assert_eq!(fr["atRiskAt"], "2026-11-23T02:30:00+00:00");
    assert_eq!(fr["remainingSeconds"], 7200);

    app.time.advance(chrono::Duration::minutes(100));
    let c = clocks(&app, &tid).await;
    assert_eq!(of(&c, "FIRST_RESPONSE", 1)["state"], "AT_RISK");
    assert_eq!(of(&c, "FIRST_RESPONSE", 1)["remainingSeconds"], 1200);
    assert_eq!(of(&c, "RESOLUTION", 1)["state"], "RUNNING");

    // A late answer: the clock is met, but BREACHED it stays; the update clock restarts.
    app.time.advance(chrono::Duration::minutes(30));
    app.ok(
        "mutation($t: ID!) { addTicketComment(ticketId: $t, body: \"On it\") { id } }",
        json!({ "t": tid }),
    )
    .await;
    let c = clocks(&app, &tid).await;
    let fr = of(&c, "FIRST_RESPONSE", 1);
    assert_eq!(fr["state"], "BREACHED");
    assert_eq!(fr["endedAt"], "2026-11-23T03:10:00+00:00");
    let updates: Vec<_> = c.iter().filter(|c| c["kind"] == "UPDATE").collect();
    assert_eq!(updates.len(), 2, "{c:?}");
    assert_eq!(updates[0]["state"], "MET");
    assert_eq!(updates[1]["startedAt"], "2026-11-23T03:10:00+00:00");
    // An internal note is no answer to the customer: nothing restarts.
    app.ok(
        "mutation($t: ID!) { addTicketComment(ticketId: $t, body: \"check the toner\", internal: true) { id } }",
        json!({ "t": tid }),
    )
    .await;
    assert_eq!(clocks(&app, &tid).await.len(), 4);

    // Waiting on the customer over a weekend: the resolution clock does not move.
    set_status(&app, &tid, "IN_PROGRESS").await;
    set_status(&app, &tid, "WAITING_ON_CUSTOMER").await;
    let before = of(&clocks(&app, &tid).await, "RESOLUTION", 1)["remainingSeconds"].clone();
    app.time.advance(chrono::Duration::days(5));
    let c = clocks(&app, &tid).await;
    assert_eq!(of(&c, "RESOLUTION", 1)["state"], "PAUSED");
    assert_eq!(of(&c, "RESOLUTION", 1)["remainingSeconds"], before);
    assert_eq!(of(&c, "RESOLUTION", 1)["breachesAt"], Value::Null);

    // Resolution meets the cycle; reopening starts cycle 2; past cycles stay readable.
    set_status(&app, &tid, "IN_PROGRESS").await;
    app.time.advance(chrono::Duration::hours(1));
    set_status(&app, &tid, "RESOLVED").await;
    let c = clocks(&app, &tid).await;
    assert_eq!(of(&c, "RESOLUTION", 1)["state"], "MET");
    set_status(&app, &tid, "IN_PROGRESS").await;
    let current = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Ticket { serviceLevelClocks(currentOnly: true) { kind cycle state } } } }",
            json!({ "id": tid }),
        )
        .await;
    assert_eq!(
        current["node"]["serviceLevelClocks"],
        json!([
            { "kind": "UPDATE", "cycle": 2, "state": "RUNNING" },
            { "kind": "RESOLUTION", "cycle": 2, "state": "RUNNING" },
        ])
    );

    // A priority change re-targets the running clocks: URGENT counts around the clock.
    app.ok(
        "mutation($id: ID!) { updateTicket(id: $id, input: { priority: URGENT }) { priority } }",
        json!({ "id": tid }),
    )
    .await;
    let c = clocks(&app, &tid).await;
    assert_eq!(of(&c, "RESOLUTION", 2)["targetMinutes"], 24 * 60);
    assert_eq!(of(&c, "RESOLUTION", 2)["businessHours"], false);

    // The stored clocks are the fold of the ticket's events: replaying the log agrees.
    let id = db_id(&tid);
    let stored: Vec<_> = ticket_clock::Entity::find()
        .filter(ticket_clock::Column::TicketId.eq(id))
        .order_by_asc(ticket_clock::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(service_levels::clock_of)
        .collect();
    let replayed = service_levels::replay(&app.db, id).await.unwrap().unwrap();
    assert_eq!(replayed.clocks, stored);
    assert_eq!(replayed.cycle, 2);
});

db_test!(
    alerts_are_written_once_and_pushed_live_to_whoever_may_see_them,
    at = monday_9(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let acme_p = signed_project(&app, &acme, "SL-A").await;
        let globex_p = signed_project(&app, &globex, "SL-G").await;
        let acme_t = helpers::ticket(&app, &acme_p, "Acme down").await;
        helpers::ticket(&app, &globex_p, "Globex down").await;
        let portal = |client: &str, contact: &str| {
            app.token(
                &format!("contact:{}", db_id(contact)),
                Role::Client,
                Some(db_id(client)),
            )
        };
        let acme_portal = portal(&acme, &contact(&app, &acme).await);
        let globex_portal = portal(&globex, &contact(&app, &globex).await);

        let mut staff = app.ws(Some(&app.admin)).await;
        staff.subscribe("a", ALERTS, json!({})).await;
        let mut acme_ws = app.ws(Some(&acme_portal)).await;
        acme_ws.subscribe("a", ALERTS, json!({})).await;
        let mut globex_ws = app.ws(Some(&globex_portal)).await;
        globex_ws
            .subscribe("a", ALERTS, json!({ "p": acme_p }))
            .await;
        let refused = globex_ws.recv().await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["payload"][0]["extensions"]["code"], "NOT_FOUND");
        globex_ws.subscribe("b", ALERTS, json!({})).await;
        staff.silent(Duration::from_millis(200)).await;

        // Nothing is due yet: looking finds nothing.
        let alarms = app.alarms.clone().unwrap();
        alarms.look_now();
        staff.silent(Duration::from_millis(300)).await;
        assert_eq!(alerts_in_log(&app).await, 0);

        // 95 minutes in: both first responses are at risk.
        app.time.advance(chrono::Duration::minutes(95));
        alarms.look_now();
        let mut seen = Vec::new();
        let mut first_cursor = String::new();
        for _ in 0..2 {
            let got = staff.next("a").await;
            let alert = got["data"]["serviceLevelAlerts"].clone();
            if first_cursor.is_empty() {
                first_cursor = alert["cursor"].as_str().unwrap().to_owned();
            }
            assert_eq!(alert["level"], "AT_RISK", "{got}");
            assert_eq!(alert["clock"], "FIRST_RESPONSE");
            assert_eq!(alert["event"]["actorKind"], "SYSTEM");
            seen.push(alert["ticketId"].as_str().unwrap().to_owned());
        }
        seen.sort();
        assert!(seen.contains(&acme_t));
        // The portal sees its own ticket's alert only, with the same detail.
        let mine = acme_ws.next("a").await;
        let mine = &mine["data"]["serviceLevelAlerts"];
        assert_eq!(mine["ticketId"], acme_t.as_str());
        assert_eq!(mine["clock"], "FIRST_RESPONSE");
        assert_eq!(mine["dueAt"], "2026-11-23T02:30:00+00:00");
        acme_ws.silent(Duration::from_millis(300)).await;
        let theirs = globex_ws.next("b").await;
        assert_eq!(
            theirs["data"]["serviceLevelAlerts"]["ticket"]["title"],
            "Globex down"
        );

        // Past the target: one breach each. Looking again, from another "instance" (a
        // direct call, as a second server would make), writes nothing twice.
        app.time.advance(chrono::Duration::minutes(30));
        let system = Caller::System;
        let (a, b) = tokio::join!(
            service_levels::fire_due(ctx(&app, &system)),
            service_levels::fire_due(ctx(&app, &system)),
        );
        // (The server's own task may have taken some; the log count below is the proof.)
        assert!(a.unwrap() + b.unwrap() <= 2);
        alarms.look_now();
        for _ in 0..2 {
            let got = staff.next("a").await;
            assert_eq!(
                got["data"]["serviceLevelAlerts"]["level"], "BREACHED",
                "{got}"
            );
        }
        staff.silent(Duration::from_millis(300)).await;
        assert_eq!(alerts_in_log(&app).await, 4);
        assert_eq!(
            service_levels::fire_due(ctx(&app, &system)).await.unwrap(),
            0
        );

        // A clock met late while no alarm task looked is still reported, once.
        let late = helpers::ticket(&app, &acme_p, "Quietly late").await;
        app.time.advance(chrono::Duration::hours(3));
        app.ok(
            "mutation($t: ID!) { addTicketComment(ticketId: $t, body: \"Sorry\") { id } }",
            json!({ "t": late }),
        )
        .await;
        // The task was told of the comment's event; the breach comes unasked.
        let got = staff.next("a").await;
        let alert = &got["data"]["serviceLevelAlerts"];
        assert_eq!(alert["ticketId"], late.as_str(), "{got}");
        assert_eq!(alert["level"], "BREACHED");
        assert_eq!(alerts_in_log(&app).await, 5);
        // Resuming after the first alert replays the rest from the log, in order.
        let mut again = app.ws(Some(&app.admin)).await;
        again
            .subscribe(
                "r",
                &ALERTS
                    .replace("($p: ID)", "($p: ID, $after: String)")
                    .replace("(projectId: $p)", "(projectId: $p, after: $after)"),
                json!({ "p": acme_p, "after": first_cursor }),
            )
            .await;
        let mut replayed = Vec::new();
        loop {
            let got = again.next("r").await;
            let alert = got["data"]["serviceLevelAlerts"].clone();
            replayed.push((
                alert["ticketId"].as_str().unwrap().to_owned(),
                alert["level"].as_str().unwrap().to_owned(),
            ));
            if alert["ticketId"] == late.as_str() {
                break;
            }
        }
        // Only this project's tickets, the last being the late breach.
        assert!(
            replayed.iter().all(|(t, _)| *t == acme_t || *t == late),
            "{replayed:?}"
        );
        assert_eq!(replayed.last().unwrap().1, "BREACHED");
    }
);

db_test!(
    the_policy_is_data_that_only_an_admin_changes,
    at = monday_9(),
    |app| {
        let policy = app
        .ok(
            "{ serviceLevelPolicy { id name timeZone workDays opensAt closesAt atRiskPercent version
               targets { priority clock minutes businessHours } } }",
            json!({}),
        )
        .await["serviceLevelPolicy"]
        .clone();
        assert_eq!(policy["name"], "Standard");
        assert_eq!(policy["timeZone"], "Asia/Shanghai");
        assert_eq!(
            policy["workDays"],
            json!(["MON", "TUE", "WED", "THU", "FRI"])
        );
        assert_eq!(policy["targets"].as_array().unwrap().len(), 12);
        assert!(
        policy["targets"]
            .as_array()
            .unwrap()
            .contains(&json!({ "priority": "HIGH", "clock": "FIRST_RESPONSE", "minutes": 120, "businessHours": true }))
    );
        let id = policy["id"].as_str().unwrap().to_owned();
        const UPDATE: &str = "mutation($id: ID!, $i: UpdateServiceLevelPolicyInput!, $v: Int) {
        updateServiceLevelPolicy(id: $id, input: $i, expectedVersion: $v) { version timeZone holidays targets { priority clock minutes } } }";
        let input = |tz: &str, minutes: i64| {
            json!({ "timeZone": tz, "workDays": ["MON", "TUE", "WED", "THU", "FRI", "SAT"],
                "opensAt": "08:00:00", "closesAt": "20:00:00", "holidays": ["2026-12-25"],
                "targets": [{ "priority": "HIGH", "clock": "FIRST_RESPONSE", "minutes": minutes, "businessHours": false }] })
        };

        // Staff may read it but not change it; bad input names the field; a stale version conflicts.
        let staff = app.token("user:1", Role::Staff, None);
        let body = app
            .gql_as(
                Some(&staff),
                UPDATE,
                json!({ "id": id, "i": input("Europe/Berlin", 30) }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{body}"
        );
        let (code, field) = app
            .fails(UPDATE, json!({ "id": id, "i": input("Mars/Olympus", 30) }))
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("timeZone"))
        );
        let (code, _) = app
            .fails(UPDATE, json!({ "id": id, "i": input("Europe/Berlin", 0) }))
            .await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, _) = app
            .fails(
                UPDATE,
                json!({ "id": id, "i": input("Europe/Berlin", 30), "v": 7 }),
            )
            .await;
        assert_eq!(code, "CONFLICT");

        let updated = app
            .ok(
                UPDATE,
                json!({ "id": id, "i": input("Europe/Berlin", 30), "v": 1 }),
            )
            .await["updateServiceLevelPolicy"]
            .clone();
        assert_eq!(updated["version"], 2);
        assert_eq!(updated["holidays"], json!(["2026-12-25"]));
        assert_eq!(
            updated["targets"],
            json!([{ "priority": "HIGH", "clock": "FIRST_RESPONSE", "minutes": 30 }])
        );
        // New tickets follow it: one 30-minute clock around the clock, and no others.
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "SL-P").await;
        let tid = helpers::ticket(&app, &pid, "After the change").await;
        let c = clocks(&app, &tid).await;
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0]["breachesAt"], "2026-11-23T01:30:00+00:00");
        // The change is in the audit trail.
        let audit = app
        .ok(
            "query($id: ID!) { events(first: 5, filter: { entityId: $id }) { edges { node { kind actor { name } } } } }",
            json!({ "id": id }),
        )
        .await;
        assert_eq!(
            audit["events"]["edges"][0]["node"]["kind"], "UPDATED",
            "{audit}"
        );
    }
);

db_test!(
    the_update_promise_is_24_hours_around_the_clock,
    // Wednesday 03:40 in Shanghai, outside working hours.
    at = Utc.with_ymd_and_hms(2026, 11, 24, 19, 40, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "SL-U").await;
        let tid = helpers::ticket(&app, &pid, "Night outage").await; // HIGH
        let update = of(&clocks(&app, &tid).await, "UPDATE", 1).clone();
        assert_eq!(update["targetMinutes"], 1440);
        assert_eq!(update["businessHours"], false, "{update}");
        assert_eq!(update["breachesAt"], "2026-11-25T19:40:00+00:00");

        // A database installed with the old default (1,440 working minutes) is moved
        // to the promise, unless an administrator changed the policy.
        let db = &app.db;
        let backend = db.get_database_backend();
        for sql in [
            "UPDATE service_level_targets SET business_hours = true WHERE kind = 'UPDATE'",
            "DELETE FROM seaql_migrations WHERE version LIKE 'm20261201_000008%'",
        ] {
            db.execute_raw(Statement::from_string(backend, sql))
                .await
                .unwrap();
        }
        delivery_desk::startup::migrate(db).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n FROM service_level_targets WHERE kind = 'UPDATE' AND business_hours = true",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0);
    }
);
