//! After-sales rules through the API: the escalation ladder (manual and on breach), the
//! satisfaction follow-up of each resolution, and the satisfaction report. The server's
//! clock is manual: nothing sleeps for a deadline.

use chrono::{DateTime, Duration, TimeZone, Utc};
use delivery_desk::service::{Caller, service_levels};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{
        self, TestApp, contact, error_code as code, portal_token as portal, service_ctx as ctx,
        set_ticket_status as set_status, signed_project,
    },
};

/// Monday 2026-11-23, 09:00 in Shanghai (the default policy's working hours open).
fn monday_9() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

const ESCALATE: &str = "mutation($t: ID!, $l: Int, $r: String!) {
    escalateTicket(input: { ticketId: $t, level: $l, reason: $r }) {
        level reason automatic escalatedAt ackDueAt acknowledgedAt ackOverdue
        ladderLevel { name role } ticket { escalationLevel } } }";

const ACK: &str = "mutation($t: ID!) { acknowledgeEscalation(ticketId: $t) {
    level acknowledgedAt acknowledgedBy { id } ackOverdue } }";

const TICKET: &str = "query($id: ID!) { node(id: $id) { ... on Ticket {
    escalationLevel
    escalations { level reason automatic ackDueAt acknowledgedAt ackOverdue }
    followUps { state resolvedAt dueAt score comment recordedAt recordedBy { id } recordedByContact { id } cancelledAt }
    serviceLevelClocks(currentOnly: true) { kind state }
    events(last: 50) { kind } } } }";

const RECORD: &str = "mutation($t: ID!, $s: Int!, $c: String) {
    recordSatisfaction(input: { ticketId: $t, score: $s, comment: $c }) { state score comment } }";

async fn ticket(app: &TestApp, id: &str) -> Value {
    app.ok(TICKET, json!({ "id": id })).await["node"].clone()
}

fn kinds(t: &Value) -> Vec<&str> {
    t["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

db_test!(
    a_ticket_climbs_the_ladder_and_is_acknowledged,
    at = monday_9(),
    |app| {
        let policy = app
        .ok(
            "{ serviceLevelPolicy { autoEscalateOnBreach escalationLevels { level name role ackMinutes businessHours } } }",
            json!({}),
        )
        .await["serviceLevelPolicy"]
        .clone();
        assert_eq!(policy["autoEscalateOnBreach"], true);
        let levels = policy["escalationLevels"].as_array().unwrap();
        assert_eq!(levels.len(), 3, "{policy}");
        assert_eq!(levels[0]["name"], "Frontline support");
        assert_eq!(levels[2]["role"], "R&D");

        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "ESC-1").await;
        let tid = helpers::ticket(&app, &pid, "Line stopped").await;

        // Bad input is refused with the field named, and nothing is written.
        let (c, f) = app.fails(ESCALATE, json!({ "t": tid, "r": "  " })).await;
        assert_eq!(
            (c.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("reason"))
        );
        let (c, f) = app
            .fails(ESCALATE, json!({ "t": tid, "l": 9, "r": "why not" }))
            .await;
        assert_eq!(
            (c.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("level"))
        );
        let body = app.gql(ACK, json!({ "t": tid })).await;
        assert_eq!(code(&body), "CONFLICT", "{body}");
        assert_eq!(app.count("ticket_escalations").await, 0);

        // One level up, with the level's acknowledgement deadline (30 minutes, 24/7).
        let e = app
            .ok(
                ESCALATE,
                json!({ "t": tid, "r": "customer's line is down" }),
            )
            .await["escalateTicket"]
            .clone();
        assert_eq!(e["level"], 1);
        assert_eq!(e["automatic"], false);
        assert_eq!(e["ackDueAt"], "2026-11-23T01:30:00+00:00");
        assert_eq!(e["ladderLevel"]["name"], "Frontline support");
        assert_eq!(e["ticket"]["escalationLevel"], 1);
        // Never sideways or down.
        let body = app
            .gql(ESCALATE, json!({ "t": tid, "l": 1, "r": "again" }))
            .await;
        assert_eq!(code(&body), "INVALID_TRANSITION", "{body}");

        app.time.advance(Duration::minutes(10));
        let a = app.ok(ACK, json!({ "t": tid })).await["acknowledgeEscalation"].clone();
        assert_eq!(a["acknowledgedAt"], "2026-11-23T01:10:00+00:00");
        assert_eq!(a["ackOverdue"], false);
        assert!(a["acknowledgedBy"]["id"].is_string(), "{a}");
        let body = app.gql(ACK, json!({ "t": tid })).await;
        assert_eq!(code(&body), "CONFLICT", "{body}");

        // Straight to R&D; nothing above it.
        let e = app
            .ok(ESCALATE, json!({ "t": tid, "l": 3, "r": "needs a patch" }))
            .await["escalateTicket"]
            .clone();
        assert_eq!(e["level"], 3);
        let body = app.gql(ESCALATE, json!({ "t": tid, "r": "higher" })).await;
        assert_eq!(code(&body), "INVALID_TRANSITION", "{body}");

        // Unacknowledged past its deadline (120 minutes): overdue. The clocks the customer
        // is owed kept running all along.
        app.time.advance(Duration::minutes(121));
        let t = ticket(&app, &tid).await;
        assert_eq!(t["escalationLevel"], 3);
        let esc = t["escalations"].as_array().unwrap();
        assert_eq!(esc.len(), 2);
        assert_eq!(esc[1]["ackOverdue"], true);
        assert_eq!(esc[0]["ackOverdue"], false);
        for clock in t["serviceLevelClocks"].as_array().unwrap() {
            assert_ne!(clock["state"], "PAUSED", "{t}");
        }
        let k = kinds(&t);
        assert_eq!(k.iter().filter(|k| **k == "ESCALATED").count(), 2, "{k:?}");
        assert_eq!(
            k.iter()
                .filter(|k| **k == "ESCALATION_ACKNOWLEDGED")
                .count(),
            1
        );

        // The portal sees that and when, not why; it may not escalate.
        let person = contact(&app, &acme).await;
        let token = portal(&app, &acme, &person);
        let body = app.gql_as(Some(&token), TICKET, json!({ "id": tid })).await;
        let seen = &body["data"]["node"]["escalations"];
        assert_eq!(seen[0]["level"], 1, "{body}");
        assert_eq!(seen[0]["reason"], Value::Null);
        let body = app
            .gql_as(
                Some(&token),
                ESCALATE,
                json!({ "t": tid, "l": 2, "r": "please" }),
            )
            .await;
        assert_eq!(code(&body), "FORBIDDEN", "{body}");

        // A resolved ticket is not escalated.
        let other = helpers::ticket(&app, &pid, "Done already").await;
        set_status(&app, &other, "IN_PROGRESS").await;
        set_status(&app, &other, "RESOLVED").await;
        let body = app
            .gql(ESCALATE, json!({ "t": other, "r": "late complaint" }))
            .await;
        assert_eq!(code(&body), "CONFLICT", "{body}");
    }
);

db_test!(
    a_breach_escalates_once_when_the_policy_says_so,
    at = monday_9(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "ESC-2").await;
        let tid = helpers::ticket(&app, &pid, "No answer").await;
        // Past the 2-hour first response: the breach alert escalates one level, once.
        app.time.advance(Duration::minutes(125));
        let system = Caller::System;
        service_levels::fire_due(ctx(&app, &system)).await.unwrap();
        assert_eq!(
            service_levels::fire_due(ctx(&app, &system)).await.unwrap(),
            0
        );
        let t = ticket(&app, &tid).await;
        assert_eq!(t["escalationLevel"], 1, "{t}");
        let e = &t["escalations"][0];
        assert_eq!(e["automatic"], true);
        assert_eq!(e["reason"], "service level breached: FIRST_RESPONSE");
        assert_eq!(app.count("ticket_escalations").await, 1);

        // Turned off, with a two-level ladder: a breach escalates nothing.
        let id =
            app.ok("{ serviceLevelPolicy { id } }", json!({})).await["serviceLevelPolicy"]["id"]
                .clone();
        let update = "mutation($id: ID!, $i: UpdateServiceLevelPolicyInput!) {
        updateServiceLevelPolicy(id: $id, input: $i) { autoEscalateOnBreach escalationLevels { level ackMinutes } } }";
        let input = |levels: Value| {
            json!({ "timeZone": "Asia/Shanghai", "workDays": ["MON", "TUE", "WED", "THU", "FRI"],
            "opensAt": "09:00:00", "closesAt": "18:00:00",
            "targets": [{ "priority": "HIGH", "clock": "FIRST_RESPONSE", "minutes": 30 }],
            "autoEscalateOnBreach": false, "escalationLevels": levels })
        };
        let (c, f) = app
        .fails(
            update,
            json!({ "id": id, "i": input(json!([{ "level": 2, "name": "Eng", "role": "Engineer", "ackMinutes": 60 }])) }),
        )
        .await;
        assert_eq!(
            (c.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("escalationLevels.level"))
        );
        let p = app
        .ok(
            update,
            json!({ "id": id, "i": input(json!([
                { "level": 1, "name": "Support", "role": "Support desk", "ackMinutes": 15 },
                { "level": 2, "name": "Engineering", "role": "Engineer", "ackMinutes": 45, "businessHours": true }
            ])) }),
        )
        .await["updateServiceLevelPolicy"]
        .clone();
        assert_eq!(p["autoEscalateOnBreach"], false);
        assert_eq!(
            p["escalationLevels"],
            json!([{ "level": 1, "ackMinutes": 15 }, { "level": 2, "ackMinutes": 45 }])
        );
        let quiet = helpers::ticket(&app, &pid, "Quiet breach").await;
        app.time.advance(Duration::minutes(45));
        service_levels::fire_due(ctx(&app, &system)).await.unwrap();
        let t = ticket(&app, &quiet).await;
        assert!(kinds(&t).contains(&"SERVICE_LEVEL_BREACHED"), "{t}");
        assert_eq!(t["escalationLevel"], 0);
    }
);

db_test!(
    each_resolution_owes_a_follow_up_within_three_working_days,
    at = monday_9(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "FU-1").await;
        let tid = helpers::ticket(&app, &pid, "Slow reports").await;
        // No resolution, no follow-up to score.
        let body = app.gql(RECORD, json!({ "t": tid, "s": 4 })).await;
        assert_eq!(code(&body), "CONFLICT", "{body}");

        // Resolved Monday 15:00 Shanghai: due at Thursday's close, 18:00 Shanghai.
        app.time.advance(Duration::hours(6));
        set_status(&app, &tid, "IN_PROGRESS").await;
        set_status(&app, &tid, "RESOLVED").await;
        let t = ticket(&app, &tid).await;
        let f = &t["followUps"][0];
        assert_eq!(f["state"], "PENDING", "{t}");
        assert_eq!(f["resolvedAt"], "2026-11-23T07:00:00+00:00");
        assert_eq!(f["dueAt"], "2026-11-26T10:00:00+00:00");

        // Reopened before anyone asked: that follow-up is void; the next resolution owes one.
        set_status(&app, &tid, "IN_PROGRESS").await;
        app.time.advance(Duration::days(1));
        set_status(&app, &tid, "RESOLVED").await;
        let t = ticket(&app, &tid).await;
        let f = t["followUps"].as_array().unwrap();
        assert_eq!(f.len(), 2, "{t}");
        assert_eq!(f[0]["state"], "CANCELLED");
        assert_eq!(f[1]["state"], "PENDING");
        assert_eq!(f[1]["dueAt"], "2026-11-27T10:00:00+00:00");

        // Friday evening, unanswered: overdue, visible as such, and listed for follow-up.
        const OVERDUE: &str =
            "{ tickets(filter: { followUpOverdue: true }) { edges { node { id } } } }";
        assert_eq!(
            app.ok(OVERDUE, json!({})).await["tickets"]["edges"],
            json!([])
        );
        app.time.advance(Duration::days(4));
        let t = ticket(&app, &tid).await;
        assert_eq!(t["followUps"][1]["state"], "OVERDUE");
        assert_eq!(
            app.ok(OVERDUE, json!({})).await["tickets"]["edges"],
            json!([{ "node": { "id": tid } }])
        );

        // Bad scores name the field; another client's portal cannot reach the ticket.
        let (c, f) = app.fails(RECORD, json!({ "t": tid, "s": 6 })).await;
        assert_eq!(
            (c.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("score"))
        );
        let globex = helpers::client(&app, "Globex").await;
        let stranger = portal(&app, &globex, &contact(&app, &globex).await);
        let body = app
            .gql_as(Some(&stranger), RECORD, json!({ "t": tid, "s": 1 }))
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

        // The customer scores it in the portal, once.
        let person = contact(&app, &acme).await;
        let token = portal(&app, &acme, &person);
        let body = app
            .gql_as(
                Some(&token),
                RECORD,
                json!({ "t": tid, "s": 4, "c": "  Fixed, but it took a while. " }),
            )
            .await;
        let r = &body["data"]["recordSatisfaction"];
        assert_eq!(r["state"], "DONE", "{body}");
        assert_eq!(r["comment"], "Fixed, but it took a while.");
        let body = app.gql(RECORD, json!({ "t": tid, "s": 5 })).await;
        assert_eq!(code(&body), "CONFLICT", "{body}");
        let t = ticket(&app, &tid).await;
        let f = &t["followUps"][1];
        assert_eq!(f["score"], 4);
        assert_eq!(f["recordedByContact"]["id"], person.as_str());
        assert_eq!(f["recordedBy"], Value::Null);
        assert!(kinds(&t).contains(&"SATISFACTION_RECORDED"), "{t}");
    }
);

const REPORT: &str = "query($from: DateTime!, $to: DateTime!, $c: ID) {
    satisfactionReport(from: $from, to: $to, clientId: $c) {
        from to
        overall { followUps responses average responseRate satisfiedShare distribution { score count } }
        previous { followUps responses average }
        trend { averageChange responseRateChange direction }
        byClient { client { name } summary { followUps responses average } }
        byProject { project { name } summary { followUps average } } } }";

/// Resolves a new ticket of `project` now and records `score` if given.
async fn resolved(app: &TestApp, project: &str, score: Option<i64>) {
    let t = helpers::ticket(app, project, "Something").await;
    set_status(app, &t, "IN_PROGRESS").await;
    set_status(app, &t, "RESOLVED").await;
    if let Some(s) = score {
        app.ok(RECORD, json!({ "t": t, "s": s })).await;
    }
}

db_test!(
    the_satisfaction_report_summarises_a_period_against_the_last,
    at = monday_9(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let a1 = signed_project(&app, &acme, "SR-A1").await;
        let a2 = signed_project(&app, &acme, "SR-A2").await;
        let g1 = signed_project(&app, &globex, "SR-G1").await;
        // The week before: two answers, average 3.
        resolved(&app, &a1, Some(2)).await;
        resolved(&app, &g1, Some(4)).await;
        // The week reported: Acme 5, 4 and one unanswered; Globex 3.
        app.time.advance(Duration::days(7));
        resolved(&app, &a1, Some(5)).await;
        resolved(&app, &a2, Some(4)).await;
        resolved(&app, &a2, None).await;
        resolved(&app, &g1, Some(3)).await;
        // After the period: not counted.
        app.time.advance(Duration::days(7));
        resolved(&app, &a1, Some(1)).await;

        let week = json!({ "from": "2026-11-30T00:00:00Z", "to": "2026-12-07T00:00:00Z" });
        let r = app.ok(REPORT, week.clone()).await["satisfactionReport"].clone();
        let o = &r["overall"];
        assert_eq!(o["followUps"], 4, "{r}");
        assert_eq!(o["responses"], 3);
        assert_eq!(o["average"], 4.0);
        assert_eq!(o["responseRate"], 0.75);
        assert_eq!(
            o["distribution"],
            json!([{ "score": 1, "count": 0 }, { "score": 2, "count": 0 }, { "score": 3, "count": 1 },
               { "score": 4, "count": 1 }, { "score": 5, "count": 1 }])
        );
        assert_eq!(r["previous"]["average"], 3.0);
        assert_eq!(r["trend"]["averageChange"], 1.0);
        assert_eq!(r["trend"]["direction"], "UP");
        assert_eq!(
            r["byClient"],
            json!([
                { "client": { "name": "Acme" }, "summary": { "followUps": 3, "responses": 2, "average": 4.5 } },
                { "client": { "name": "Globex" }, "summary": { "followUps": 1, "responses": 1, "average": 3.0 } }
            ])
        );
        assert_eq!(r["byProject"].as_array().unwrap().len(), 3);

        // A portal user gets its own client's figures, whatever it asks for.
        let token = portal(&app, &globex, &contact(&app, &globex).await);
        let mut vars = week.clone();
        vars["c"] = json!(acme);
        let body = app.gql_as(Some(&token), REPORT, vars).await;
        let mine = &body["data"]["satisfactionReport"];
        assert_eq!(mine["overall"]["followUps"], 0, "{body}");
        let body = app.gql_as(Some(&token), REPORT, week).await;
        let mine = &body["data"]["satisfactionReport"];
        assert_eq!(mine["overall"]["average"], 3.0, "{body}");
        assert_eq!(mine["byClient"].as_array().unwrap().len(), 1);

        let (c, f) = app
            .fails(
                REPORT,
                json!({ "from": "2026-12-07T00:00:00Z", "to": "2026-11-30T00:00:00Z" }),
            )
            .await;
        assert_eq!((c.as_str(), f.as_deref()), ("BAD_USER_INPUT", Some("to")));
    }
);
