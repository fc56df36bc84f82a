//! Dashboards' rules through the API: milestone standing and progress, project health
//! with reasons beside the declared one, the report schedule, risks by severity across
//! projects, the staff dashboard and the weekly digest. The clock is manual.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, TestApp, contact, error_code as code, portal_token as portal, signed_project},
};

/// Monday 2026-11-23, 09:00 in Shanghai.
fn monday_9() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

/// Friday 2026-11-20, 09:00 in Shanghai: the week before.
fn friday_before() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap()
}

async fn stage(app: &TestApp, project: &str, name: &str, due: Option<&str>) -> String {
    app.ok(
        "mutation($i: CreateStageInput!) { createStage(input: $i) { id } }",
        json!({ "i": { "projectId": project, "name": name, "dueDate": due } }),
    )
    .await["createStage"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn stage_status(app: &TestApp, id: &str, statuses: &[&str]) {
    for s in statuses {
        app.ok(
            "mutation($id: ID!, $s: StageStatus!) { changeStageStatus(id: $id, status: $s) { status } }",
            json!({ "id": id, "s": s }),
        )
        .await;
    }
}

async fn project_status(app: &TestApp, id: &str, statuses: &[&str]) {
    for s in statuses {
        app.ok(
            "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status } }",
            json!({ "id": id, "s": s }),
        )
        .await;
    }
}

async fn risk(app: &TestApp, project: &str, title: &str, l: i64, i: i64, shared: bool) -> String {
    app.ok(
        "mutation($i: CreateRiskInput!) { createRisk(input: $i) { id score } }",
        json!({ "i": { "projectId": project, "title": title, "category": "SCHEDULE",
            "likelihood": l, "impact": i, "sharedWithClient": shared } }),
    )
    .await["createRisk"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn weekly_report(app: &TestApp, project: &str) {
    app.ok(
        "mutation($i: CreateReportInput!) { createReport(input: $i) { id } }",
        json!({ "i": { "projectId": project, "kind": "WEEKLY", "body": "On plan.", "progressPercent": 30 } }),
    )
    .await;
}

const PROJECT: &str = "query($id: ID!) { project(id: $id) {
    progressPercent
    stages { name milestoneState }
    health { computed reasons { signal health detail } declared declaredNote declaredBy { name } disagrees }
    reportSchedule { cadence lastReportAt dueAt overdue } } }";

db_test!(
    milestones_health_and_the_report_schedule,
    at = monday_9(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "H-1").await;
        let kickoff = stage(&app, &pid, "Kickoff", Some("2026-11-10")).await;
        stage(&app, &pid, "Hardware", Some("2026-11-20")).await;
        stage(&app, &pid, "Integration", Some("2026-11-27")).await;
        stage(&app, &pid, "Training", Some("2026-12-20")).await;
        stage_status(&app, &kickoff, &["IN_PROGRESS", "DONE"]).await;
        let other = signed_project(&app, &acme, "H-2").await;
        let first = stage(&app, &other, "Design", None).await;
        stage(&app, &other, "Build", Some("2026-12-30")).await;
        stage_status(&app, &first, &["IN_PROGRESS", "DONE"]).await;

        let p = app.ok(PROJECT, json!({ "id": pid })).await["project"].clone();
        assert_eq!(p["progressPercent"], 25);
        let states: Vec<_> = p["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["milestoneState"].as_str().unwrap())
            .collect();
        assert_eq!(states, ["DONE", "OVERDUE", "DUE_SOON", "UPCOMING"]);
        let q = app.ok(PROJECT, json!({ "id": other })).await["project"].clone();
        assert_eq!(q["stages"][1]["milestoneState"], "NEXT");
        assert_eq!(q["progressPercent"], 50);
        assert_eq!(q["health"]["computed"], "ON_TRACK");
        assert_eq!(q["health"]["reasons"], json!([]));

        // One milestone 3 days late: at risk, and why.
        let h = &p["health"];
        assert_eq!(h["computed"], "AT_RISK", "{p}");
        assert_eq!(h["reasons"][0]["signal"], "OVERDUE_MILESTONE");
        assert_eq!(
            h["reasons"][0]["detail"],
            "milestone \"Hardware\" is 3 days overdue"
        );
        // A critical open risk takes it off track; a medium one is no reason.
        risk(&app, &pid, "Supplier bankrupt", 5, 5, false).await;
        risk(&app, &pid, "Minor delay", 2, 3, false).await;
        let p = app.ok(PROJECT, json!({ "id": pid })).await["project"].clone();
        let h = &p["health"];
        assert_eq!(h["computed"], "OFF_TRACK");
        assert_eq!(h["reasons"].as_array().unwrap().len(), 2, "{h}");
        assert_eq!(h["reasons"][0]["signal"], "OPEN_RISK");
        assert_eq!(h["disagrees"], false);

        // The team's view is kept beside it; the disagreement shows.
        let declare = "mutation($p: ID!, $h: ProjectHealth) { declareProjectHealth(projectId: $p, health: $h, note: \"backup supplier signed\") { id } }";
        app.ok(declare, json!({ "p": pid, "h": "ON_TRACK" })).await;
        let h = app.ok(PROJECT, json!({ "id": pid })).await["project"]["health"].clone();
        assert_eq!(h["declared"], "ON_TRACK");
        assert_eq!(h["declaredNote"], "backup supplier signed");
        assert_eq!(h["declaredBy"]["name"], "Admin");
        assert_eq!(h["disagrees"], true);

        // The portal sees standing and progress, not health (it weighs internal risks).
        let token = portal(&app, &acme, &contact(&app, &acme).await);
        let body = app
            .gql_as(Some(&token), PROJECT, json!({ "id": pid }))
            .await;
        assert_eq!(body["data"]["project"]["health"], Value::Null, "{body}");
        assert_eq!(body["data"]["project"]["progressPercent"], 25);
        let body = app
            .gql_as(Some(&token), declare, json!({ "p": pid, "h": "AT_RISK" }))
            .await;
        assert_eq!(code(&body), "FORBIDDEN");

        // Weekly reports are owed from the start of execution.
        let p = app.ok(PROJECT, json!({ "id": other })).await["project"].clone();
        assert_eq!(p["reportSchedule"]["dueAt"], Value::Null, "{p}");
        project_status(&app, &other, &["REQUIREMENTS", "DESIGN", "EXECUTION"]).await;
        let s = app.ok(PROJECT, json!({ "id": other })).await["project"]["reportSchedule"].clone();
        assert_eq!(
            s,
            json!({ "cadence": "WEEKLY", "lastReportAt": null, "dueAt": "2026-11-30T01:00:00+00:00", "overdue": false })
        );
        app.time.advance(Duration::days(8));
        let p = app.ok(PROJECT, json!({ "id": other })).await["project"].clone();
        assert_eq!(p["reportSchedule"]["overdue"], true);
        assert_eq!(p["health"]["computed"], "AT_RISK");
        assert_eq!(p["health"]["reasons"][0]["signal"], "REPORT_OVERDUE");
        weekly_report(&app, &other).await;
        let s = app.ok(PROJECT, json!({ "id": other })).await["project"]["reportSchedule"].clone();
        assert_eq!(s["lastReportAt"], "2026-12-01T01:00:00+00:00");
        assert_eq!(s["dueAt"], "2026-12-08T01:00:00+00:00");
        assert_eq!(s["overdue"], false);
        // Daily: by the end of the next working day (Wednesday, 18:00 Shanghai).
        let cadence = "mutation($p: ID!, $c: ReportKind) { setReportCadence(projectId: $p, cadence: $c) { reportSchedule { cadence dueAt } } }";
        let s = app.ok(cadence, json!({ "p": other, "c": "DAILY" })).await;
        assert_eq!(
            s["setReportCadence"]["reportSchedule"],
            json!({ "cadence": "DAILY", "dueAt": "2026-12-02T10:00:00+00:00" })
        );
        let (c, f) = app
            .fails(cadence, json!({ "p": other, "c": "MILESTONE_REVIEW" }))
            .await;
        assert_eq!(
            (c.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("cadence"))
        );
    }
);

const RISKS: &str = "query($f: RiskFilterInput) { risks(filter: $f) { totalCount edges { node { title score severity } } } }";

const DASHBOARD: &str = "query($from: DateTime, $to: DateTime) { dashboard(from: $from, to: $to) {
    projectsByStatus { status count } projectsByHealth { health count }
    overdueMilestones { name } ticketsAtRisk { title } ticketsBreached { title }
    openRisksBySeverity { severity count }
    serviceLevelCompliance { met breached percent } } }";

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["title"]
                .as_str()
                .or_else(|| v["name"].as_str())
                .or_else(|| v["node"]["title"].as_str())
                .unwrap()
        })
        .collect()
}

db_test!(
    risks_by_severity_and_the_staff_dashboard,
    at = monday_9(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let a = signed_project(&app, &acme, "D-1").await;
        let g = signed_project(&app, &globex, "D-2").await;
        risk(&app, &a, "Data centre flood", 5, 5, true).await;
        let high = risk(&app, &g, "Key contact leaving", 4, 3, false).await;
        risk(&app, &a, "Late invoice", 3, 2, false).await;
        let closed = risk(&app, &g, "Old worry", 1, 1, false).await;
        app.ok(
            "mutation($id: ID!) { changeRiskStatus(id: $id, status: CLOSED) { status } }",
            json!({ "id": closed }),
        )
        .await;

        let all = app.ok(RISKS, json!({ "f": { "open": true } })).await;
        assert_eq!(all["risks"]["totalCount"], 3);
        assert_eq!(
            titles(&all["risks"]["edges"]),
            ["Data centre flood", "Key contact leaving", "Late invoice"]
        );
        let serious = app
            .ok(
                RISKS,
                json!({ "f": { "severities": ["CRITICAL", "HIGH"] } }),
            )
            .await;
        assert_eq!(serious["risks"]["totalCount"], 2);
        // The score follows likelihood x impact through updates.
        app.ok(
            "mutation($id: ID!) { updateRisk(id: $id, input: { likelihood: 1 }) { score } }",
            json!({ "id": high }),
        )
        .await;
        let serious = app
            .ok(
                RISKS,
                json!({ "f": { "severities": ["CRITICAL", "HIGH"] } }),
            )
            .await;
        assert_eq!(serious["risks"]["totalCount"], 1);
        // A portal user sees the risks shared with its client only.
        let token = portal(&app, &acme, &contact(&app, &acme).await);
        let body = app.gql_as(Some(&token), RISKS, json!({})).await;
        assert_eq!(
            titles(&body["data"]["risks"]["edges"]),
            ["Data centre flood"],
            "{body}"
        );

        // Tickets: one answered at once, one left waiting.
        stage(&app, &a, "Hardware", Some("2026-11-16")).await;
        helpers::ticket(&app, &a, "Nobody answers").await;
        let answered = helpers::ticket(&app, &g, "Answered").await;
        app.ok(
            "mutation($t: ID!) { addTicketComment(ticketId: $t, body: \"Looking now\") { id } }",
            json!({ "t": answered }),
        )
        .await;
        app.time.advance(Duration::minutes(95));
        let d = app.ok(DASHBOARD, json!({})).await["dashboard"].clone();
        assert_eq!(titles(&d["ticketsAtRisk"]), ["Nobody answers"], "{d}");
        assert_eq!(d["ticketsBreached"], json!([]));
        assert_eq!(titles(&d["overdueMilestones"]), ["Hardware"]);
        assert_eq!(
            d["projectsByStatus"],
            json!([{ "status": "CONTRACT_SIGNED", "count": 2 }])
        );
        // Acme: a critical risk and an overdue milestone; Globex: nothing left.
        assert_eq!(
            d["projectsByHealth"],
            json!([{ "health": "ON_TRACK", "count": 1 }, { "health": "AT_RISK", "count": 0 },
               { "health": "OFF_TRACK", "count": 1 }])
        );
        assert_eq!(
            d["openRisksBySeverity"],
            json!([{ "severity": "CRITICAL", "count": 1 }, { "severity": "HIGH", "count": 0 },
               { "severity": "MEDIUM", "count": 1 }, { "severity": "LOW", "count": 1 }])
        );

        app.time.advance(Duration::minutes(30));
        let d = app
            .ok(
                DASHBOARD,
                json!({ "from": "2026-11-23T00:00:00Z", "to": "2026-11-24T00:00:00Z" }),
            )
            .await["dashboard"]
            .clone();
        assert_eq!(d["ticketsAtRisk"], json!([]));
        assert_eq!(titles(&d["ticketsBreached"]), ["Nobody answers"]);
        // The answered ticket met its first response and its first update clock in time;
        // the other's first response is past its target: 2 of 3.
        let c = &d["serviceLevelCompliance"];
        assert_eq!(
            (c["met"].as_i64(), c["breached"].as_i64()),
            (Some(2), Some(1)),
            "{c}"
        );
        assert!((c["percent"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9);

        let body = app.gql_as(Some(&token), DASHBOARD, json!({})).await;
        assert_eq!(code(&body), "FORBIDDEN", "{body}");
    }
);

const DIGEST: &str = "query($p: ID!, $w: NaiveDate!, $a: DigestAudience) { weeklyDigest(projectId: $p, weekOf: $w, audience: $a) {
    from to audience
    milestonesCompleted { stage { name } completedAt }
    milestonesSlipped { stage { name } from to }
    milestonesOverdue { name }
    ticketsOpened ticketsResolved serviceLevelsBreached
    risksRaised { title } risksClosed { title } reportsFiled
    satisfactionResponses satisfactionAverage text } }";

db_test!(
    the_weekly_digest_comes_from_the_event_log,
    at = friday_before(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "W-1").await;
        let kickoff = stage(&app, &pid, "Kickoff", Some("2026-11-24")).await;
        let integration = stage(&app, &pid, "Integration", Some("2026-11-27")).await;
        stage(&app, &pid, "Cabling", Some("2026-11-21")).await;
        // Last week: not in this week's digest.
        helpers::ticket(&app, &pid, "Old ticket").await;

        app.time.advance(Duration::days(3));
        stage_status(&app, &kickoff, &["IN_PROGRESS", "DONE"]).await;
        app.ok(
        "mutation($id: ID!) { updateStage(id: $id, input: { dueDate: \"2026-12-04\" }) { id } }",
        json!({ "id": integration }),
    )
    .await;
        // Created this week, its date moved later this week: a slip all the same.
        let training = stage(&app, &pid, "Training", Some("2026-12-07")).await;
        app.ok(
            "mutation($id: ID!) { updateStage(id: $id, input: { dueDate: \"2026-12-14\" }) { id } }",
            json!({ "id": training }),
        )
        .await;
        let t = helpers::ticket(&app, &pid, "Scanner offline").await;
        for s in ["IN_PROGRESS", "RESOLVED"] {
            app.ok(
            "mutation($id: ID!, $s: TicketStatus!) { changeTicketStatus(id: $id, status: $s) { status } }",
            json!({ "id": t, "s": s }),
        )
        .await;
        }
        app.ok(
            "mutation($t: ID!) { recordSatisfaction(input: { ticketId: $t, score: 5 }) { score } }",
            json!({ "t": t }),
        )
        .await;
        risk(&app, &pid, "Shared: customs delay", 3, 3, true).await;
        risk(&app, &pid, "Internal: engineer leaving", 3, 4, false).await;
        weekly_report(&app, &pid).await;

        let d =
            app.ok(DIGEST, json!({ "p": pid, "w": "2026-11-25" })).await["weeklyDigest"].clone();
        assert_eq!(d["from"], "2026-11-22T16:00:00+00:00");
        assert_eq!(d["to"], "2026-11-29T16:00:00+00:00");
        assert_eq!(d["audience"], "CLIENT");
        assert_eq!(
            d["milestonesCompleted"][0]["stage"]["name"], "Kickoff",
            "{d}"
        );
        assert_eq!(
            d["milestonesSlipped"],
            json!([
                { "stage": { "name": "Integration" }, "from": "2026-11-27", "to": "2026-12-04" },
                { "stage": { "name": "Training" }, "from": "2026-12-07", "to": "2026-12-14" },
            ])
        );
        assert_eq!(d["milestonesOverdue"], json!([{ "name": "Cabling" }]));
        assert_eq!(d["ticketsOpened"], 1);
        assert_eq!(d["ticketsResolved"], 1);
        assert_eq!(d["reportsFiled"], 1);
        assert_eq!(d["satisfactionResponses"], 1);
        assert_eq!(d["satisfactionAverage"], 5.0);
        // The client's copy: shared risks only.
        assert_eq!(
            d["risksRaised"],
            json!([{ "title": "Shared: customs delay" }])
        );
        let text = d["text"].as_str().unwrap();
        assert!(
            text.contains("moved: Integration from 2026-11-27 to 2026-12-04"),
            "{text}"
        );
        assert!(!text.contains("engineer leaving"), "{text}");
        let internal = app
            .ok(
                DIGEST,
                json!({ "p": pid, "w": "2026-11-25", "a": "INTERNAL" }),
            )
            .await;
        assert_eq!(
            internal["weeklyDigest"]["risksRaised"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // The portal always gets the client's copy; another client gets nothing.
        let token = portal(&app, &acme, &contact(&app, &acme).await);
        let body = app
            .gql_as(
                Some(&token),
                DIGEST,
                json!({ "p": pid, "w": "2026-11-25", "a": "INTERNAL" }),
            )
            .await;
        assert_eq!(body["data"]["weeklyDigest"]["audience"], "CLIENT", "{body}");
        assert_eq!(
            body["data"]["weeklyDigest"]["risksRaised"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        let globex = helpers::client(&app, "Globex").await;
        let stranger = portal(&app, &globex, &contact(&app, &globex).await);
        let body = app
            .gql_as(
                Some(&stranger),
                DIGEST,
                json!({ "p": pid, "w": "2026-11-25" }),
            )
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    }
);
