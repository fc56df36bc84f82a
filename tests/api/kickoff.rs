//! The 72-hour kickoff obligation: signing starts it; the team formed (an owner and a
//! member) and a kickoff meeting held meet it; at risk with a day left and overdue after
//! 72 hours, each alert written exactly once and delivered on `kickoffAlerts` (staff
//! only); a health reason while overdue.

use chrono::{Duration, TimeZone};
use delivery_desk::service::{Caller, kickoff};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, portal_token, service_ctx},
};

const KICKOFF: &str = "query($p: ID!) { project(id: $p) { kickoff { startedAt dueAt metAt state }
    health { reasons { signal } } } }";
const ALERTS: &str = "subscription($after: String) { kickoffAlerts(after: $after) { level dueAt project { name } } }";

/// Subscribes to kickoff alerts after the project's latest event: nothing committed later
/// is missed, however late the server registers the subscription.
async fn alerts(app: &helpers::TestApp, token: &str, p: &str) -> crate::ws_client::Ws {
    let last = app
        .ok(
            "query($p: ID!) { project(id: $p) { events(last: 1) { id } } }",
            json!({ "p": p }),
        )
        .await["project"]["events"][0]["id"]
        .clone();
    let mut ws = app.ws(Some(token)).await;
    ws.subscribe("k", ALERTS, json!({ "after": last })).await;
    ws
}

async fn form_team_and_hold_kickoff(app: &helpers::TestApp, p: &str) {
    let owner = helpers::user(app, "Li Na").await;
    let engineer = helpers::user(app, "Chen Gang").await;
    app.ok(
        "mutation($p: ID!, $u: ID!) { updateProject(id: $p, input: { primaryOwnerId: $u }) { id } }",
        json!({ "p": p, "u": owner }),
    )
    .await;
    app.ok(
        "mutation($p: ID!, $u: ID!) { addTeamMember(projectId: $p, userId: $u, role: ENGINEER) { id } }",
        json!({ "p": p, "u": engineer }),
    )
    .await;
    let m = app
        .ok(
            "mutation($p: ID!, $at: DateTime!) { scheduleMeeting(input: { projectId: $p, kind: KICKOFF, scheduledAt: $at }) { id } }",
            json!({ "p": p, "at": app.time.now().to_rfc3339() }),
        )
        .await["scheduleMeeting"]["id"]
        .clone();
    app.ok(
        "mutation($id: ID!) { changeMeetingStatus(id: $id, status: HELD) { id } }",
        json!({ "id": m }),
    )
    .await;
}

db_test!(
    an_unmet_kickoff_is_at_risk_then_overdue_once_each_and_met_by_the_team_and_meeting,
    at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let buyer = helpers::contact(&app, &acme).await;
        let p = helpers::signed_project(&app, &acme, "K-1").await;
        let mut staff = alerts(&app, &app.admin, &p).await;
        let portal = portal_token(&app, &acme, &buyer);
        let k = app.ok(KICKOFF, json!({ "p": p })).await["project"]["kickoff"].clone();
        assert_eq!(k["startedAt"], "2026-12-01T01:00:00+00:00");
        assert_eq!(k["dueAt"], "2026-12-04T01:00:00+00:00");
        assert_eq!(k["state"], "PENDING");
        let body = app.gql_as(Some(&portal), KICKOFF, json!({ "p": p })).await;
        assert_eq!(
            body["data"]["project"]["kickoff"],
            Value::Null,
            "the vendor's own alarm"
        );

        // A day left: at risk, alerted once however often the task looks.
        app.time.advance(Duration::hours(48));
        app.alarms.clone().unwrap().look_now();
        let alert = staff.next("k").await["data"]["kickoffAlerts"].clone();
        assert_eq!(
            alert,
            json!({ "level": "AT_RISK", "dueAt": "2026-12-03T01:00:00+00:00", "project": { "name": "Project K-1" } })
        );
        let system = Caller::System;
        assert_eq!(
            kickoff::fire_due(service_ctx(&app, &system)).await.unwrap(),
            0
        );
        assert_eq!(
            app.ok(KICKOFF, json!({ "p": p })).await["project"]["kickoff"]["state"],
            "AT_RISK"
        );

        // Past 72 hours: overdue, a health reason.
        app.time.advance(Duration::hours(25));
        app.alarms.clone().unwrap().look_now();
        let alert = staff.next("k").await["data"]["kickoffAlerts"].clone();
        assert_eq!(alert["level"], "BREACHED");
        let seen = app.ok(KICKOFF, json!({ "p": p })).await;
        assert_eq!(seen["project"]["kickoff"]["state"], "OVERDUE");
        assert!(seen.to_string().contains("KICKOFF_OVERDUE"), "{seen}");

        // Late, but met: the reason goes.
        form_team_and_hold_kickoff(&app, &p).await;
        let seen = app.ok(KICKOFF, json!({ "p": p })).await;
        assert_eq!(seen["project"]["kickoff"]["state"], "MET");
        assert!(!seen["project"]["kickoff"]["metAt"].is_null());
        assert!(!seen.to_string().contains("KICKOFF_OVERDUE"), "{seen}");
        staff.silent(std::time::Duration::from_millis(300)).await;
        // The vendor's own alarm: refused to the portal.
        let mut theirs = app.ws(Some(&portal)).await;
        theirs.subscribe("k", ALERTS, json!({})).await;
        let refused = theirs.recv().await;
        assert_eq!(
            refused["payload"][0]["extensions"]["code"], "FORBIDDEN",
            "{refused}"
        );
    }
);

db_test!(
    a_kickoff_met_in_time_raises_no_alarm_and_every_road_to_signing_starts_one,
    at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let p = helpers::signed_project(&app, &acme, "K-1").await;
        let mut staff = alerts(&app, &app.admin, &p).await;
        form_team_and_hold_kickoff(&app, &p).await;
        let k = app.ok(KICKOFF, json!({ "p": p })).await["project"]["kickoff"].clone();
        assert_eq!(k["state"], "MET", "{k}");
        app.time.advance(Duration::hours(80));
        app.alarms.clone().unwrap().look_now();
        let system = Caller::System;
        assert_eq!(
            kickoff::fire_due(service_ctx(&app, &system)).await.unwrap(),
            0
        );
        staff.silent(std::time::Duration::from_millis(300)).await;

        // A lead carried to signing by its status starts one too; a lead has none.
        let lead = helpers::pre_contract_project(&app, &acme, "Deal", "NEGOTIATION").await;
        assert_eq!(
            app.ok(KICKOFF, json!({ "p": lead })).await["project"]["kickoff"],
            Value::Null
        );
        app.ok(
            "mutation($p: ID!) { updateProject(id: $p, input: { contractNumber: \"K-2\", contractSignedOn: \"2026-12-04\" }) { id } }",
            json!({ "p": lead }),
        )
        .await;
        app.ok(
            "mutation($p: ID!) { changeProjectStatus(id: $p, status: CONTRACT_SIGNED) { status } }",
            json!({ "p": lead }),
        )
        .await;
        let k = app.ok(KICKOFF, json!({ "p": lead })).await["project"]["kickoff"].clone();
        assert_eq!(k["state"], "PENDING", "{k}");
    }
);

// Two alarm tasks finding the same due alert (two instances, or one restarted) write
// it once.
db_test!(
    a_kickoff_alert_is_written_once_whoever_finds_it,
    at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let p = helpers::signed_project(&app, &acme, "K-1").await;
        app.time.advance(Duration::hours(73));
        let system = Caller::System;
        let (a, b) = tokio::join!(
            kickoff::fire_due(service_ctx(&app, &system)),
            kickoff::fire_due(service_ctx(&app, &system)),
        );
        app.alarms.clone().unwrap().look_now();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(a.unwrap() + b.unwrap() <= 1);
        let events = app
            .ok(
                "query($p: ID!) { project(id: $p) { events(last: 20) { kind } } }",
                json!({ "p": p }),
            )
            .await;
        let kinds: Vec<&str> = events["project"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .filter(|k| k.starts_with("KICKOFF"))
            .collect();
        assert_eq!(
            kinds,
            ["KICKOFF_OVERDUE"],
            "overdue once, and no at-risk after it"
        );
    }
);
