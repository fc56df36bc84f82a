//! Working with the customer during delivery: meetings (the portal sees those its contacts
//! attend, never the internal notes) and action items on both sides (a portal user
//! completes its own side's; overdue customer items are a health reason of their own; a
//! stage's items give its progress; the portal feed carries their changes).

use chrono::TimeZone;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, error_code, portal_token},
};

const ITEM: &str = "mutation($i: CreateActionItemInput!) { createActionItem(input: $i) {
    id title side status overdue assigneeUser { name } assigneeContact { name } stage { name } meeting { kind } version } }";
const STATUS: &str = "mutation($id: ID!, $s: ActionItemStatus!) { changeActionItemStatus(id: $id, status: $s) { status doneAt version } }";

db_test!(
    meetings_are_held_with_the_client_and_its_notes_stay_internal,
    at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "C-1").await;
        let stage = helpers::stage(&app, &p, "Hardware delivered").await;
        let pm = helpers::user(&app, "Li Na").await;
        let buyer = helpers::contact(&app, &acme).await;
        let rival = helpers::contact(&app, &globex).await;
        const SCHEDULE: &str = "mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) {
            id kind status stage { name } staff { name } contacts { name } agenda version } }";
        let kickoff = app
            .ok(
                SCHEDULE,
                json!({ "i": { "projectId": p, "kind": "KICKOFF",
                "scheduledAt": "2026-11-24T02:00:00Z", "staffIds": [pm], "contactIds": [buyer],
                "agenda": "team, plan, contacts" } }),
            )
            .await["scheduleMeeting"]
            .clone();
        assert_eq!(kickoff["status"], "SCHEDULED");
        assert_eq!(kickoff["contacts"], json!([{ "name": "Zhang Hua" }]));
        // The vendor's own solution review: no client contact attends.
        let internal = app
            .ok(
                SCHEDULE,
                json!({ "i": { "projectId": p, "kind": "SOLUTION_REVIEW",
                "scheduledAt": "2026-11-23T06:00:00Z", "staffIds": [pm] } }),
            )
            .await["scheduleMeeting"]["id"]
            .clone();

        // Bad input names its field and writes nothing.
        let written = app.count("meetings").await;
        for (input, field) in [
            (
                json!({ "projectId": p, "kind": "MILESTONE_REVIEW", "scheduledAt": "2026-11-24T02:00:00Z" }),
                "stageId",
            ),
            (
                json!({ "projectId": p, "kind": "DEMO", "scheduledAt": "2026-11-24T02:00:00Z", "contactIds": [rival] }),
                "contactIds",
            ),
        ] {
            let (code, f) = app.fails(SCHEDULE, json!({ "i": input })).await;
            assert_eq!(
                (code.as_str(), f.as_deref()),
                ("BAD_USER_INPUT", Some(field))
            );
        }
        assert_eq!(app.count("meetings").await, written);
        let review = app
            .ok(
                SCHEDULE,
                json!({ "i": { "projectId": p, "stageId": stage, "kind": "MILESTONE_REVIEW",
                "scheduledAt": "2026-11-25T02:00:00Z", "contactIds": [buyer] } }),
            )
            .await["scheduleMeeting"]
            .clone();
        assert_eq!(review["stage"]["name"], "Hardware delivered");

        // Held: minutes, decisions, and notes the client must not read.
        app.ok(
            "mutation($id: ID!) { updateMeeting(id: $id, input: { minutes: \"plan agreed\",
               decisions: \"go-live 1 March\", internalNotes: \"buyer worried about budget\" }) { id } }",
            json!({ "id": kickoff["id"] }),
        )
        .await;
        let (code, f) = app
            .fails(
                "mutation($id: ID!) { changeMeetingStatus(id: $id, status: HELD, heldAt: \"2026-12-30T00:00:00Z\") { id } }",
                json!({ "id": kickoff["id"] }),
            )
            .await;
        assert_eq!(
            (code.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("heldAt"))
        );
        let held = app
            .ok(
                "mutation($id: ID!) { changeMeetingStatus(id: $id, status: HELD) { status heldAt } }",
                json!({ "id": kickoff["id"] }),
            )
            .await;
        assert_eq!(held["changeMeetingStatus"]["status"], "HELD");
        let (code, _) = app
            .fails(
                "mutation($id: ID!) { changeMeetingStatus(id: $id, status: SCHEDULED) { id } }",
                json!({ "id": kickoff["id"] }),
            )
            .await;
        assert_eq!(code, "INVALID_TRANSITION");

        const MEETINGS: &str =
            "query($p: ID!) { project(id: $p) { meetings { kind minutes decisions internalNotes }
            stages { meetings { kind } } } }";
        let staff = app.ok(MEETINGS, json!({ "p": p })).await;
        assert_eq!(staff["project"]["meetings"].as_array().unwrap().len(), 3);
        assert_eq!(
            staff["project"]["meetings"][1]["internalNotes"],
            "buyer worried about budget"
        );
        let portal = portal_token(&app, &acme, &buyer);
        let seen = app.gql_as(Some(&portal), MEETINGS, json!({ "p": p })).await;
        assert_eq!(
            seen["data"]["project"]["meetings"],
            json!([
                { "kind": "KICKOFF", "minutes": "plan agreed", "decisions": "go-live 1 March", "internalNotes": null },
                { "kind": "MILESTONE_REVIEW", "minutes": null, "decisions": null, "internalNotes": null },
            ]),
            "the portal sees the meetings its contacts attend, without internal notes: {seen}"
        );
        assert_eq!(
            seen["data"]["project"]["stages"][0]["meetings"],
            json!([{ "kind": "MILESTONE_REVIEW" }])
        );
        let body = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": internal }),
            )
            .await;
        assert_eq!(body["data"]["node"], Value::Null, "{body}");
        let body = app
            .gql_as(
                Some(&portal),
                SCHEDULE,
                json!({ "i": { "projectId": p,
            "kind": "DEMO", "scheduledAt": "2026-11-24T02:00:00Z" } }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN");
        let other = portal_token(&app, &globex, &rival);
        let body = app.gql_as(Some(&other), MEETINGS, json!({ "p": p })).await;
        assert_eq!(body["data"]["project"], Value::Null, "{body}");
    }
);

db_test!(
    action_items_are_owed_by_either_side_and_the_customer_completes_its_own,
    // Monday 2026-11-23, 09:00 in Shanghai.
    at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "C-1").await;
        let stage = helpers::stage(&app, &p, "Integration").await;
        let pm = helpers::user(&app, "Li Na").await;
        let buyer = helpers::contact(&app, &acme).await;
        let rival = helpers::contact(&app, &globex).await;
        let theirs = app
            .ok(ITEM, json!({ "i": { "projectId": p, "stageId": stage, "title": "Provide the interface protocol",
                "dueDate": "2026-11-20", "assigneeContactId": buyer } }))
            .await["createActionItem"]
            .clone();
        assert_eq!(theirs["side"], "CUSTOMER");
        assert_eq!(theirs["overdue"], true, "due last Friday");
        assert_eq!(theirs["assigneeContact"]["name"], "Zhang Hua");
        let ours = app
            .ok(
                ITEM,
                json!({ "i": { "projectId": p, "stageId": stage, "title": "Install guide",
                "dueDate": "2026-11-30", "assigneeUserId": pm } }),
            )
            .await["createActionItem"]
            .clone();
        assert_eq!(ours["side"], "VENDOR");

        // Exactly one assignee, of the project's client; nothing written otherwise.
        let written = app.count("action_items").await;
        for (input, field) in [
            (json!({ "projectId": p, "title": "x" }), "assignee"),
            (
                json!({ "projectId": p, "title": "x", "assigneeUserId": pm, "assigneeContactId": buyer }),
                "assignee",
            ),
            (
                json!({ "projectId": p, "title": "x", "assigneeContactId": rival }),
                "assigneeContactId",
            ),
            (
                json!({ "projectId": p, "title": " ", "assigneeUserId": pm }),
                "title",
            ),
        ] {
            let (code, f) = app.fails(ITEM, json!({ "i": input })).await;
            assert_eq!(
                (code.as_str(), f.as_deref()),
                ("BAD_USER_INPUT", Some(field)),
                "{input}"
            );
        }
        assert_eq!(app.count("action_items").await, written);

        // What holds the project up: the customer's overdue item, apart from the vendor's.
        const HEALTH: &str =
            "query($p: ID!) { project(id: $p) { health { computed reasons { signal detail } }
            stages { taskProgress { done total percent } } } }";
        let h = app.ok(HEALTH, json!({ "p": p })).await;
        let reasons = h["project"]["health"]["reasons"].as_array().unwrap();
        assert!(
            reasons.iter().any(|r| r["signal"] == "WAITING_ON_CUSTOMER"
                && r["detail"] == "1 customer action item(s) overdue, \"Provide the interface protocol\" by 3 days"),
            "{h}"
        );
        assert!(
            !reasons.iter().any(|r| r["signal"] == "ACTION_ITEM_OVERDUE"),
            "{h}"
        );
        assert_eq!(
            h["project"]["stages"][0]["taskProgress"],
            json!({ "done": 0, "total": 2, "percent": 0 })
        );
        let overdue = app
            .ok(
                "{ actionItems(filter: { overdue: true, side: CUSTOMER }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(overdue["actionItems"]["totalCount"], 1);

        // The customer sees both sides and completes its own; not the vendor's, and it
        // cannot cancel.
        let portal = portal_token(&app, &acme, &buyer);
        let mine = app
            .gql_as(Some(&portal), "{ actionItems { totalCount } }", json!({}))
            .await;
        assert_eq!(mine["data"]["actionItems"]["totalCount"], 2, "{mine}");
        let body = app
            .gql_as(
                Some(&portal),
                STATUS,
                json!({ "id": ours["id"], "s": "DONE" }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN");
        let body = app
            .gql_as(
                Some(&portal),
                STATUS,
                json!({ "id": theirs["id"], "s": "CANCELLED" }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN");
        let other = portal_token(&app, &globex, &rival);
        let body = app
            .gql_as(
                Some(&other),
                STATUS,
                json!({ "id": theirs["id"], "s": "DONE" }),
            )
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        let body = app
            .gql_as(
                Some(&portal),
                STATUS,
                json!({ "id": theirs["id"], "s": "DONE" }),
            )
            .await;
        assert_eq!(
            body["data"]["changeActionItemStatus"]["status"], "DONE",
            "{body}"
        );
        let body = app
            .gql_as(
                Some(&portal),
                STATUS,
                json!({ "id": theirs["id"], "s": "DONE" }),
            )
            .await;
        assert_eq!(error_code(&body), "INVALID_TRANSITION");
        let body = app
            .gql_as(
                Some(&portal),
                ITEM,
                json!({ "i": { "projectId": p, "title": "x", "assigneeContactId": buyer } }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN");

        let h = app.ok(HEALTH, json!({ "p": p })).await;
        assert!(!h.to_string().contains("WAITING_ON_CUSTOMER"), "{h}");
        assert_eq!(
            h["project"]["stages"][0]["taskProgress"],
            json!({ "done": 1, "total": 2, "percent": 50 })
        );
        app.ok(STATUS, json!({ "id": ours["id"], "s": "CANCELLED" }))
            .await;
        let h = app.ok(HEALTH, json!({ "p": p })).await;
        assert_eq!(
            h["project"]["stages"][0]["taskProgress"],
            json!({ "done": 1, "total": 1, "percent": 100 }),
            "a cancelled item does not count"
        );

        // A reassignment to a colleague on the customer's side.
        let colleague = helpers::contact(&app, &acme).await;
        let moved = app
            .ok(
                "mutation($id: ID!, $c: ID!) { updateActionItem(id: $id, input: { assigneeContactId: $c }) { assigneeContact { id } side } }",
                json!({ "id": theirs["id"], "c": colleague }),
            )
            .await;
        assert_eq!(
            moved["updateActionItem"]["assigneeContact"]["id"],
            colleague
        );
        let (_, f) = app
            .fails(
                "mutation($id: ID!, $u: ID!, $c: ID!) { updateActionItem(id: $id, input: { assigneeUserId: $u, assigneeContactId: $c }) { id } }",
                json!({ "id": theirs["id"], "u": pm, "c": colleague }),
            )
            .await;
        assert_eq!(f.as_deref(), Some("assignee"));
    }
);

db_test!(a_customer_side_item_reaches_the_portal_subscriber, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let p = helpers::signed_project(&app, &acme, "C-1").await;
    let buyer = helpers::contact(&app, &acme).await;
    let portal = portal_token(&app, &acme, &buyer);
    // From the project's latest event on: nothing committed after is missed, however
    // late the server registers the subscription.
    let last = app
        .ok(
            "query($p: ID!) { project(id: $p) { events(last: 1) { id } } }",
            json!({ "p": p }),
        )
        .await["project"]["events"][0]["id"]
        .clone();
    let mut ws = app.ws(Some(&portal)).await;
    ws.subscribe(
        "a",
        "subscription($p: ID!, $after: String) { projectActivity(projectId: $p, after: $after) { kind entityKind toStatus } }",
        json!({ "p": p, "after": last }),
    )
    .await;
    let item = app
            .ok(ITEM, json!({ "i": { "projectId": p, "title": "Sign the site survey", "assigneeContactId": buyer } }))
            .await["createActionItem"]["id"]
            .clone();
    let e = ws.next("a").await["data"]["projectActivity"].clone();
    assert_eq!(
        e,
        json!({ "kind": "CREATED", "entityKind": "ACTION_ITEM", "toStatus": null })
    );
    app.gql_as(Some(&portal), STATUS, json!({ "id": item, "s": "DONE" }))
        .await;
    let e = ws.next("a").await["data"]["projectActivity"].clone();
    assert_eq!(
        e,
        json!({ "kind": "STATUS_CHANGED", "entityKind": "ACTION_ITEM", "toStatus": "DONE" })
    );
    // A meeting is staff's feed only.
    app.ok(
            "mutation($p: ID!, $c: ID!) { scheduleMeeting(input: { projectId: $p, kind: DEMO, scheduledAt: \"2026-12-24T02:00:00Z\", contactIds: [$c] }) { id } }",
            json!({ "p": p, "c": buyer }),
        )
        .await;
    ws.silent(std::time::Duration::from_millis(300)).await;
});

db_test!(
    a_report_is_drafted_then_published_to_the_client_who_reads_it,
    at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "C-1").await;
        let buyer = helpers::contact(&app, &acme).await;
        let rival = helpers::contact(&app, &globex).await;
        let portal = portal_token(&app, &acme, &buyer);
        const CREATE: &str = "mutation($i: CreateReportInput!) { createReport(input: $i) {
            id status publishedAt body progress problems plan nextBy } }";
        let draft = app
            .ok(CREATE, json!({ "i": { "projectId": p, "kind": "WEEKLY", "progressPercent": 40, "draft": true,
                "progress": "Gateways installed in 8 of 12 rooms", "problems": "VPN access pending",
                "plan": "the last 4 rooms", "nextBy": "2026-11-27" } }))
            .await["createReport"]
            .clone();
        assert_eq!(draft["status"], "DRAFT");
        assert_eq!(draft["publishedAt"], Value::Null);
        assert_eq!(
            draft["body"],
            "Progress: Gateways installed in 8 of 12 rooms\nProblems: VPN access pending\nNext week: the last 4 rooms by 2026-11-27"
        );
        // Neither the body nor its parts: refused, nothing written.
        let (code, field) = app
            .fails(CREATE, json!({ "i": { "projectId": p, "kind": "DAILY", "progressPercent": 40, "progress": "half" } }))
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("body"))
        );

        // A draft is the team's: not in the portal, nor its feed.
        const REPORTS: &str =
            "query($p: ID!) { project(id: $p) { reports { status body reads { firstReadAt } } } }";
        let seen = app.gql_as(Some(&portal), REPORTS, json!({ "p": p })).await;
        assert_eq!(seen["data"]["project"]["reports"], json!([]), "{seen}");
        let body = app
            .gql_as(
                Some(&portal),
                "mutation($id: ID!) { readReport(id: $id) { id } }",
                json!({ "id": draft["id"] }),
            )
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND");
        let last = app
            .ok(
                "query($p: ID!) { project(id: $p) { events(last: 1) { id } } }",
                json!({ "p": p }),
            )
            .await["project"]["events"][0]["id"]
            .clone();
        let mut ws = app.ws(Some(&portal)).await;
        ws.subscribe(
            "a",
            "subscription($p: ID!, $after: String) { projectActivity(projectId: $p, after: $after) { kind entityKind toStatus } }",
            json!({ "p": p, "after": last }),
        )
        .await;

        // Published: in the portal and its feed, once.
        const PUBLISH: &str =
            "mutation($id: ID!) { publishReport(id: $id) { status publishedAt } }";
        let published = app.ok(PUBLISH, json!({ "id": draft["id"] })).await;
        assert_eq!(published["publishReport"]["status"], "PUBLISHED");
        let e = ws.next("a").await["data"]["projectActivity"].clone();
        assert_eq!(
            e,
            json!({ "kind": "STATUS_CHANGED", "entityKind": "REPORT", "toStatus": "PUBLISHED" })
        );
        let (code, _) = app.fails(PUBLISH, json!({ "id": draft["id"] })).await;
        assert_eq!(code, "INVALID_TRANSITION");
        let body = app
            .gql_as(Some(&portal), PUBLISH, json!({ "id": draft["id"] }))
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN");

        // Read receipts: the first reading counts; the vendor sees them, the portal not.
        const READ: &str = "mutation($id: ID!) { readReport(id: $id) { status } }";
        let body = app
            .gql_as(Some(&portal), READ, json!({ "id": draft["id"] }))
            .await;
        assert_eq!(body["data"]["readReport"]["status"], "PUBLISHED", "{body}");
        app.time.advance(chrono::Duration::hours(2));
        app.gql_as(Some(&portal), READ, json!({ "id": draft["id"] }))
            .await;
        let staff = app.ok(REPORTS, json!({ "p": p })).await;
        assert_eq!(
            staff["project"]["reports"][0]["reads"],
            json!([{ "firstReadAt": "2026-11-23T09:00:00+00:00" }])
        );
        let seen = app.gql_as(Some(&portal), REPORTS, json!({ "p": p })).await;
        assert_eq!(
            seen["data"]["project"]["reports"][0]["reads"],
            json!([]),
            "{seen}"
        );
        let (code, _) = app.fails(READ, json!({ "id": draft["id"] })).await;
        assert_eq!(code, "FORBIDDEN", "staff do not read as a contact");
        let other = portal_token(&app, &globex, &rival);
        let body = app
            .gql_as(Some(&other), READ, json!({ "id": draft["id"] }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND");
    }
);

db_test!(
    acceptance_is_signed_against_criteria_all_passed_or_waived,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "C-1").await;
        let buyer = helpers::contact(&app, &acme).await;
        let rival = helpers::contact(&app, &globex).await;
        let portal = portal_token(&app, &acme, &buyer);
        app.ok(
            "mutation($p: ID!) { createRequirement(input: { projectId: $p, title: \"Live temperature dashboard\", category: CORE, inScope: true }) { id } }",
            json!({ "p": p }),
        )
        .await;
        app.ok(
            "mutation($p: ID!) { createRequirement(input: { projectId: $p, title: \"Data visualisation\", category: POTENTIAL, inScope: false }) { id } }",
            json!({ "p": p }),
        )
        .await;
        app.ok(
            "mutation($p: ID!) { createStage(input: { projectId: $p, name: \"Hardware\", deliverables: \"sensors in 12 rooms\" }) { id } }",
            json!({ "p": p }),
        )
        .await;
        const DRAFT: &str = "mutation($p: ID!) { draftAcceptanceCriteria(projectId: $p) { id text status requirement { title } stage { name } } }";
        let drafted = app.ok(DRAFT, json!({ "p": p })).await["draftAcceptanceCriteria"].clone();
        let texts: Vec<&str> = drafted
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "Live temperature dashboard",
                "Hardware: sensors in 12 rooms"
            ],
            "in scope only"
        );
        assert_eq!(
            app.ok(DRAFT, json!({ "p": p })).await["draftAcceptanceCriteria"],
            json!([]),
            "each once"
        );
        let added = app
            .ok(
                "mutation($p: ID!) { addAcceptanceCriterion(projectId: $p, text: \"Alarm SMS within 1 minute\") { id } }",
                json!({ "p": p }),
            )
            .await["addAcceptanceCriterion"]["id"]
            .clone();

        // The client's verdicts: in the portal as itself; staff naming the contact.
        const JUDGE: &str = "mutation($id: ID!, $s: CriterionStatus!, $n: String, $c: ID) {
            judgeAcceptanceCriterion(id: $id, status: $s, note: $n, contactId: $c) { status note decidedBy { name } } }";
        let body = app
            .gql_as(
                Some(&portal),
                JUDGE,
                json!({ "id": drafted[0]["id"], "s": "PASSED", "n": "works" }),
            )
            .await;
        assert_eq!(
            body["data"]["judgeAcceptanceCriterion"]["decidedBy"]["name"], "Zhang Hua",
            "{body}"
        );
        let (code, field) = app
            .fails(JUDGE, json!({ "id": drafted[1]["id"], "s": "PASSED" }))
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("contactId"))
        );
        app.ok(
            JUDGE,
            json!({ "id": drafted[1]["id"], "s": "PASSED", "c": buyer }),
        )
        .await;
        app.gql_as(
            Some(&portal),
            JUDGE,
            json!({ "id": added, "s": "FAILED", "n": "takes 3 minutes" }),
        )
        .await;
        let other = portal_token(&app, &globex, &rival);
        let body = app
            .gql_as(Some(&other), JUDGE, json!({ "id": added, "s": "PASSED" }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND");

        // Sign-off: not with a criterion failed, unless waived with a reason.
        let change = "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status } }";
        for s in ["REQUIREMENTS", "DESIGN", "EXECUTION", "ACCEPTANCE"] {
            app.ok(change, json!({ "id": p, "s": s })).await;
        }
        const ACCEPT: &str = "mutation($i: SignAcceptanceInput!) { signAcceptance(input: $i) { waiverReason signedBy { name } } }";
        let body = app
            .gql_as(Some(&portal), ACCEPT, json!({ "i": { "projectId": p } }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "waiverReason");
        assert_eq!(app.count("acceptances").await, 0, "nothing written");
        let body = app
            .gql_as(
                Some(&portal),
                ACCEPT,
                json!({ "i": { "projectId": p, "waiverReason": "SMS speed moves to phase two" } }),
            )
            .await;
        assert_eq!(
            body["data"]["signAcceptance"],
            json!({ "waiverReason": "SMS speed moves to phase two", "signedBy": { "name": "Zhang Hua" } }),
            "{body}"
        );
        let seen = app
            .gql_as(
                Some(&portal),
                "query($p: ID!) { project(id: $p) { status acceptanceCriteria { status } } }",
                json!({ "p": p }),
            )
            .await;
        assert_eq!(seen["data"]["project"]["status"], "AFTER_SALES");
        assert_eq!(
            seen["data"]["project"]["acceptanceCriteria"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
);
