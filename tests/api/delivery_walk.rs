//! Issue 17's "done": a project walked from signing to the quarterly survey, as a vendor's
//! team and its customer would walk it, entirely through the API and the portal token.
//! Each step is the one mutation a person would make; the customer's steps use its own
//! token, and what the customer sees on the way is checked as the customer.

use chrono::TimeZone;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, TestApp, portal_token},
};

/// Runs `query` as `token` and returns its data; panics on any error.
async fn as_(app: &TestApp, token: &str, query: &str, vars: Value) -> Value {
    let body = app.gql_as(Some(token), query, vars).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

fn id(v: &Value) -> String {
    v.as_str().expect("an id").to_owned()
}

db_test!(
    a_project_is_walked_from_signing_to_the_quarterly_survey,
    at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(),
    |app| {
        let admin = app.admin.clone();
        let acme = helpers::client(&app, "Hengtai").await;
        let cio = id(&app
            .ok(
                "mutation($c: ID!) { createContact(input: { clientId: $c, name: \"Zhang Hua\", decisionRole: DECISION_MAKER }) { id } }",
                json!({ "c": acme }),
            )
            .await["createContact"]["id"]);
        let customer = portal_token(&app, &acme, &cio);

        // Signed: the 72-hour kickoff clock runs.
        let p = helpers::signed_project(&app, &acme, "W-1").await;
        let kickoff = "query($p: ID!) { project(id: $p) { kickoff { state } } }";
        assert_eq!(
            as_(&app, &admin, kickoff, json!({ "p": p })).await["project"]["kickoff"]["state"],
            "PENDING"
        );

        // Day one: the team is formed and the kickoff held with the client's CIO.
        let owner = helpers::user(&app, "Li Na").await;
        let engineer = helpers::user(&app, "Chen Gang").await;
        app.ok(
            "mutation($p: ID!, $u: ID!, $c: ID!) { updateProject(id: $p, input: { primaryOwnerId: $u, primaryContactId: $c }) { id } }",
            json!({ "p": p, "u": owner, "c": cio }),
        )
        .await;
        app.ok(
            "mutation($p: ID!, $u: ID!) { addTeamMember(projectId: $p, userId: $u, role: ENGINEER) { id } }",
            json!({ "p": p, "u": engineer }),
        )
        .await;
        let meeting = id(&app
            .ok(
                "mutation($p: ID!, $u: [ID!]!, $c: [ID!]!) { scheduleMeeting(input: { projectId: $p, kind: KICKOFF,
                   scheduledAt: \"2026-12-01T03:00:00Z\", staffIds: $u, contactIds: $c, agenda: \"team, plan\" }) { id } }",
                json!({ "p": p, "u": [owner, engineer], "c": [cio] }),
            )
            .await["scheduleMeeting"]["id"]);
        app.time.advance(chrono::Duration::hours(3));
        app.ok(
            "mutation($id: ID!) { changeMeetingStatus(id: $id, status: HELD) { status } }",
            json!({ "id": meeting }),
        )
        .await;
        assert_eq!(
            as_(&app, &admin, kickoff, json!({ "p": p })).await["project"]["kickoff"]["state"],
            "MET"
        );

        // The plan, and what each side owes out of the kickoff.
        let stage = id(&app
            .ok(
                "mutation($p: ID!) { createStage(input: { projectId: $p, name: \"Sensors installed\",
                   deliverables: \"120 sensors online in halls 1-4\", dueDate: \"2026-12-20\" }) { id } }",
                json!({ "p": p }),
            )
            .await["createStage"]["id"]);
        const ITEM: &str =
            "mutation($i: CreateActionItemInput!) { createActionItem(input: $i) { id } }";
        let theirs = id(&app
            .ok(ITEM, json!({ "i": { "projectId": p, "stageId": stage, "meetingId": meeting,
                "title": "Provide the interface protocol", "dueDate": "2026-12-04", "assigneeContactId": cio } }))
            .await["createActionItem"]["id"]);
        app.ok(
            ITEM,
            json!({ "i": { "projectId": p, "stageId": stage, "title": "Ship the gateways",
            "dueDate": "2026-12-05", "assigneeUserId": engineer } }),
        )
        .await;
        for s in ["REQUIREMENTS", "DESIGN", "EXECUTION"] {
            app.ok(
                "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status } }",
                json!({ "id": p, "s": s }),
            )
            .await;
        }

        // The customer sees its task and completes it in the portal.
        let tasks = as_(&app, &customer, "{ actionItems(filter: { side: CUSTOMER, status: OPEN }) { edges { node { id title } } } }", json!({})).await;
        assert_eq!(
            tasks["actionItems"]["edges"][0]["node"]["id"],
            json!(theirs)
        );
        as_(
            &app,
            &customer,
            "mutation($id: ID!) { changeActionItemStatus(id: $id, status: DONE) { status } }",
            json!({ "id": theirs }),
        )
        .await;

        // Friday: the weekly report, drafted, then published; the customer reads it.
        let report = id(&app
            .ok(
                "mutation($p: ID!, $s: ID!) { createReport(input: { projectId: $p, stageId: $s, kind: WEEKLY, progressPercent: 40,
                   progress: \"Halls 1-2 wired\", problems: \"Hall 3 access from Monday\", plan: \"Halls 3-4\", draft: true }) { id } }",
                json!({ "p": p, "s": stage }),
            )
            .await["createReport"]["id"]);
        let reports = "query($p: ID!) { project(id: $p) { reports { id } } }";
        assert_eq!(
            as_(&app, &customer, reports, json!({ "p": p })).await["project"]["reports"],
            json!([]),
            "a draft is the team's"
        );
        app.ok(
            "mutation($id: ID!) { publishReport(id: $id) { status } }",
            json!({ "id": report }),
        )
        .await;
        as_(
            &app,
            &customer,
            "mutation($id: ID!) { readReport(id: $id) { id } }",
            json!({ "id": report }),
        )
        .await;
        let reads = app.ok("query($id: ID!) { node(id: $id) { ... on Report { reads { contact { name } } } } }", json!({ "id": report })).await;
        assert_eq!(
            reads["node"]["reads"],
            json!([{ "contact": { "name": "Zhang Hua" } }])
        );

        // The milestone is done; the customer rates it.
        for s in ["IN_PROGRESS", "DONE"] {
            app.ok("mutation($id: ID!, $s: StageStatus!) { changeStageStatus(id: $id, status: $s) { status } }", json!({ "id": stage, "s": s })).await;
        }
        as_(&app, &customer, "mutation($s: ID!) { rateMilestone(input: { stageId: $s, score: 5, comment: \"on time\" }) { score } }", json!({ "s": stage })).await;

        // Acceptance against what was agreed: the criteria drafted, passed by the
        // customer, who then signs (a signed scan attached is the documents test's).
        app.ok(
            "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status } }",
            json!({ "id": p, "s": "ACCEPTANCE" }),
        )
        .await;
        let criteria = app.ok("mutation($p: ID!) { draftAcceptanceCriteria(projectId: $p) { id text checker { name } } }", json!({ "p": p })).await;
        let criteria = criteria["draftAcceptanceCriteria"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(criteria.len(), 1);
        assert_eq!(criteria[0]["checker"]["name"], "Zhang Hua");
        as_(&app, &customer, "mutation($id: ID!) { judgeAcceptanceCriterion(id: $id, status: PASSED, note: \"all 120 online\") { status } }",
            json!({ "id": criteria[0]["id"] })).await;
        let signed = as_(
            &app,
            &customer,
            "mutation($p: ID!) { signAcceptance(input: { projectId: $p }) { signedBy { name } } }",
            json!({ "p": p }),
        )
        .await;
        assert_eq!(signed["signAcceptance"]["signedBy"]["name"], "Zhang Hua");

        // After-sales: the customer reports a problem, the team grades, resolves it, and
        // the customer scores the resolution.
        let ticket = id(&as_(&app, &customer, "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"Hall 2 sensors silent\", type: SOFTWARE_BUG }) { id } }", json!({ "p": p })).await["createTicket"]["id"]);
        let graded = app.ok("mutation($id: ID!) { updateTicket(id: $id, input: { grade: MAJOR }) { grade escalationLevel } }", json!({ "id": ticket })).await;
        assert_eq!(graded["updateTicket"]["grade"], "MAJOR");
        for s in ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED"] {
            helpers::set_ticket_status(&app, &ticket, s).await;
        }
        as_(
            &app,
            &customer,
            "mutation($t: ID!) { recordSatisfaction(input: { ticketId: $t, score: 4 }) { score } }",
            json!({ "t": ticket }),
        )
        .await;

        // The quarter's survey: opened by staff, answered in the portal, reported.
        let survey = id(&app
            .ok(
                "mutation($c: ID!) { openSurvey(input: { title: \"Q4 2026\", from: \"2026-10-01T00:00:00Z\", to: \"2027-01-01T00:00:00Z\", clientIds: [$c] }) { id } }",
                json!({ "c": acme }),
            )
            .await["openSurvey"]["id"]);
        as_(&app, &customer, "mutation($s: ID!) { answerSurvey(input: { surveyId: $s, score: 5, recommend: 9, comment: \"a team that keeps its word\" }) { score } }", json!({ "s": survey })).await;
        app.ok(
            "mutation($id: ID!) { closeSurvey(id: $id) { status } }",
            json!({ "id": survey }),
        )
        .await;
        let report = app
            .ok("query($id: ID!) { surveyReport(id: $id) { overall { invited responses responseRate averageScore netPromoterScore } } }", json!({ "id": survey }))
            .await;
        assert_eq!(
            report["surveyReport"]["overall"],
            json!({ "invited": 1, "responses": 1, "responseRate": 1.0, "averageScore": 5.0, "netPromoterScore": 100.0 })
        );
        let side = app
            .ok(
                "{ satisfactionReport(from: \"2026-11-01T00:00:00Z\", to: \"2027-01-01T00:00:00Z\") { sideBySide {
                   tickets { average } milestones { average } surveys { average } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            side["satisfactionReport"]["sideBySide"],
            json!({ "tickets": { "average": 4.0 }, "milestones": { "average": 5.0 }, "surveys": { "average": 5.0 } })
        );

        // The project ended in after-sales, and the customer's feed told it the story.
        let status = as_(&app, &customer, "query($p: ID!) { project(id: $p) { status events(last: 100) { kind entity { __typename } } } }", json!({ "p": p })).await;
        assert_eq!(status["project"]["status"], "AFTER_SALES");
        let seen: Vec<String> = status["project"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["entity"]["__typename"].as_str().unwrap_or("-"),
                    e["kind"].as_str().unwrap()
                )
            })
            .collect();
        for expected in [
            "ActionItem STATUS_CHANGED",
            "Report STATUS_CHANGED",
            "Stage SATISFACTION_RECORDED",
            "AcceptanceCriterion STATUS_CHANGED",
            "Project SIGNED_OFF",
            "Ticket SATISFACTION_RECORDED",
        ] {
            assert!(
                seen.iter().any(|s| s == expected),
                "the portal's feed lacks {expected}: {seen:?}"
            );
        }
        assert!(
            !seen.iter().any(|s| s.starts_with("Meeting")),
            "meetings are the staff feed's: {seen:?}"
        );
    }
);
