//! A client walked from first contact to after-sales, through the API, with what each
//! step stored and the event that announced it.

use serde_json::json;

use crate::{db_test, helpers::*};

db_test!(a_client_is_walked_from_lead_to_after_sales_tickets, |app| {
    let owner = user(&app, "Wang Fang").await;
    let engineer = user(&app, "Li Wei").await;
    let client = client(&app, "Hengtai Logistics").await;
    let contact = app
        .ok(
            "mutation($i: CreateContactInput!) { createContact(input: $i) { id email } }",
            json!({ "i": { "clientId": client, "name": "Zhang Hua", "email": "Zhang@Hengtai.example", "phone": "+86 21 5555 0101" } }),
        )
        .await["createContact"]
        .clone();
    assert_eq!(contact["email"], "zhang@hengtai.example");

    // Tracked from step 1: a lead without a contract.
    let project = app
        .ok(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { id status version } }",
            json!({ "i": { "clientId": client, "name": "Cold-chain sensors", "primaryOwnerId": owner } }),
        )
        .await["createProject"]
        .clone();
    assert_eq!(project["status"], "LEAD");
    let pid = project["id"].as_str().unwrap().to_owned();
    let change = "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status heldFrom } }";
    for s in ["DISCOVERY", "PROPOSAL", "NEGOTIATION"] {
        assert_eq!(
            app.ok(change, json!({ "id": pid, "s": s })).await["changeProjectStatus"]["status"],
            s
        );
    }
    // Signing needs the contract on record.
    let (code, field) = app
        .fails(change, json!({ "id": pid, "s": "CONTRACT_SIGNED" }))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("status"))
    );
    app.ok(
        "mutation($id: ID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { contractNumber contractValue { amount currency } } }",
        json!({ "id": pid, "i": { "contractNumber": "HT-2026-014", "contractSignedOn": "2026-01-05",
                "contractValue": { "amount": "1820000.5", "currency": "cny" } } }),
    )
    .await;
    for s in ["CONTRACT_SIGNED", "REQUIREMENTS"] {
        app.ok(change, json!({ "id": pid, "s": s })).await;
    }

    // The "1+N" team and the requirement list.
    app.ok(
        "mutation($p: ID!, $u: ID!) { addTeamMember(projectId: $p, userId: $u, role: ENGINEER) { role user { name } } }",
        json!({ "p": pid, "u": engineer }),
    )
    .await;
    let (code, _) = app
        .fails(
            "mutation($i: CreateRequirementInput!) { createRequirement(input: $i) { id } }",
            json!({ "i": { "projectId": pid, "title": "ERP integration", "category": "EXPECTED", "feasibility": "PARTIAL" } }),
        )
        .await;
    assert_eq!(
        code, "BAD_USER_INPUT",
        "a partial requirement needs an alternative"
    );
    app.ok(
        "mutation($i: CreateRequirementInput!) { createRequirement(input: $i) { id } }",
        json!({ "i": { "projectId": pid, "title": "ERP integration", "category": "EXPECTED", "feasibility": "PARTIAL",
                "alternative": "Nightly batch export" } }),
    )
    .await;
    app.ok(
        "mutation($i: CreateRequirementInput!) { createRequirement(input: $i) { id } }",
        json!({ "i": { "projectId": pid, "title": "Data visualisation", "category": "POTENTIAL", "inScope": false,
                "scopeNote": "Phase one excludes data visualisation" } }),
    )
    .await;

    for s in ["DESIGN", "EXECUTION"] {
        app.ok(change, json!({ "id": pid, "s": s })).await;
    }

    // Execution: stages, a risk, a report.
    let hardware = stage(&app, &pid, "Hardware delivered").await;
    let training = stage(&app, &pid, "Go-live training").await;
    let stage_change = "mutation($id: ID!, $s: StageStatus!) { changeStageStatus(id: $id, status: $s) { status completedAt } }";
    app.ok(stage_change, json!({ "id": hardware, "s": "IN_PROGRESS" }))
        .await;
    let done = app
        .ok(stage_change, json!({ "id": hardware, "s": "DONE" }))
        .await;
    assert!(done["changeStageStatus"]["completedAt"].is_string());
    let risk = app
        .ok(
            "mutation($i: CreateRiskInput!) { createRisk(input: $i) { id score severity status } }",
            json!({ "i": { "projectId": pid, "title": "Gateway supplier delay", "category": "SUPPLIER_DELAY",
                    "likelihood": 4, "impact": 5, "mitigation": "Backup supplier" } }),
        )
        .await["createRisk"]
        .clone();
    assert_eq!(
        (risk["score"].as_i64(), risk["severity"].as_str()),
        (Some(20), Some("CRITICAL"))
    );
    let closed = app
        .ok(
            "mutation($id: ID!) { changeRiskStatus(id: $id, status: CLOSED) { status closedAt } }",
            json!({ "id": risk["id"] }),
        )
        .await;
    assert!(closed["changeRiskStatus"]["closedAt"].is_string());
    app.ok(
        "mutation($i: CreateReportInput!) { createReport(input: $i) { kind author { name } stage { name } } }",
        json!({ "i": { "projectId": pid, "kind": "MILESTONE_REVIEW", "body": "All hardware delivered.",
                "progressPercent": 40, "stageId": hardware, "authorId": owner } }),
    )
    .await;
    app.ok(stage_change, json!({ "id": training, "s": "IN_PROGRESS" }))
        .await;
    app.ok(stage_change, json!({ "id": training, "s": "DONE" }))
        .await;

    // Acceptance, then after-sales.
    for s in ["ACCEPTANCE", "AFTER_SALES"] {
        app.ok(change, json!({ "id": pid, "s": s })).await;
    }
    let tid = ticket(&app, &pid, "Sensor offline in cold room 3").await;
    let ticket_change = "mutation($id: ID!, $s: TicketStatus!) { changeTicketStatus(id: $id, status: $s) { status resolvedAt closedAt } }";
    for s in [
        "ACKNOWLEDGED",
        "IN_PROGRESS",
        "WAITING_ON_CUSTOMER",
        "IN_PROGRESS",
        "RESOLVED",
    ] {
        app.ok(ticket_change, json!({ "id": tid, "s": s })).await;
    }
    // Reopened, then resolved and closed for good.
    let reopened = app
        .ok(ticket_change, json!({ "id": tid, "s": "IN_PROGRESS" }))
        .await;
    assert!(reopened["changeTicketStatus"]["resolvedAt"].is_null());
    app.ok(ticket_change, json!({ "id": tid, "s": "RESOLVED" }))
        .await;
    let closed = app
        .ok(ticket_change, json!({ "id": tid, "s": "CLOSED" }))
        .await;
    assert!(closed["changeTicketStatus"]["resolvedAt"].is_string());
    assert!(closed["changeTicketStatus"]["closedAt"].is_string());
    app.ok(
        "mutation($t: ID!) { addTicketComment(ticketId: $t, body: \"Replaced the gateway.\") { body internal } }",
        json!({ "t": tid }),
    )
    .await;

    // "What was agreed, when, by whom" and the whole road, read back in one query.
    let data = app
        .ok(
            "query($id: ID!) { project(id: $id) {
                status contractNumber contractValue { amount currency }
                client { name contacts { name } }
                primaryOwner { name } team { role user { name } }
                requirements { title inScope scopeNote feasibility alternative }
                stages { name status } risks(open: false) { title status }
                reports { kind } tickets { title status comments { body } }
                events(last: 100) { kind entityKind fromStatus toStatus }
            } }",
            json!({ "id": pid }),
        )
        .await;
    let p = &data["project"];
    assert_eq!(p["status"], "AFTER_SALES");
    assert_eq!(
        p["contractValue"],
        json!({ "amount": "1820000.50", "currency": "CNY" })
    );
    assert_eq!(p["client"]["contacts"][0]["name"], "Zhang Hua");
    assert_eq!(p["team"][0]["user"]["name"], "Li Wei");
    assert_eq!(
        p["requirements"][1]["scopeNote"],
        "Phase one excludes data visualisation"
    );
    assert_eq!(
        p["stages"],
        json!([{ "name": "Hardware delivered", "status": "DONE" }, { "name": "Go-live training", "status": "DONE" }])
    );
    assert_eq!(p["tickets"][0]["status"], "CLOSED");
    assert_eq!(
        p["tickets"][0]["comments"][0]["body"],
        "Replaced the gateway."
    );
    let events = p["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["entityKind"] == "PROJECT"
        && e["fromStatus"] == "ACCEPTANCE"
        && e["toStatus"] == "AFTER_SALES"));
    assert!(events.iter().any(|e| e["entityKind"] == "TICKET"
        && e["fromStatus"] == "RESOLVED"
        && e["toStatus"] == "CLOSED"));

    // Every change wrote exactly one event; the audit trail pages through them in order.
    let trail = app
        .ok(
            "query($p: ID!) { events(filter: { projectId: $p }, first: 100) { totalCount edges { node { sequence kind } } } }",
            json!({ "p": pid }),
        )
        .await;
    let seqs: Vec<i64> = trail["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["sequence"].as_i64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "sequences increase: {seqs:?}"
    );
    assert_eq!(
        trail["events"]["totalCount"].as_i64().unwrap() as usize,
        seqs.len()
    );
    assert_eq!(
        app.count("events").await,
        6 + seqs.len() as i64,
        "the harness's admin, two users, a client (created, its intent graded) and a contact, then the project's events"
    );
});

db_test!(a_project_on_hold_resumes_where_it_stopped, |app| {
    let client = client(&app, "Acme").await;
    let pid = signed_project(&app, &client, "C-1").await;
    let change = "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status heldFrom } }";
    app.ok(change, json!({ "id": pid, "s": "REQUIREMENTS" }))
        .await;
    let held = app.ok(change, json!({ "id": pid, "s": "ON_HOLD" })).await;
    assert_eq!(
        held["changeProjectStatus"],
        json!({ "status": "ON_HOLD", "heldFrom": "REQUIREMENTS" })
    );
    let (code, _) = app
        .fails(change, json!({ "id": pid, "s": "EXECUTION" }))
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    let resumed = app
        .ok(change, json!({ "id": pid, "s": "REQUIREMENTS" }))
        .await;
    assert_eq!(
        resumed["changeProjectStatus"],
        json!({ "status": "REQUIREMENTS", "heldFrom": null })
    );
});

db_test!(node_finds_every_kind_of_object_by_its_global_id, |app| {
    let u = user(&app, "Li Wei").await;
    let c = client(&app, "Acme").await;
    let p = signed_project(&app, &c, "N-1").await;
    let s = stage(&app, &p, "Kickoff").await;
    let t = ticket(&app, &p, "Broken").await;
    for (id, typename) in [
        (&u, "User"),
        (&c, "Client"),
        (&p, "Project"),
        (&s, "Stage"),
        (&t, "Ticket"),
    ] {
        let data = app
            .ok(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["node"]["__typename"], typename);
        assert_eq!(data["node"]["id"], *id);
    }
    let data = app
        .ok(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [p, "UHJvamVjdDo5OTk"] }),
        )
        .await;
    assert_eq!(data["nodes"], json!([{ "id": p }, null]));
    let event = app
        .ok(
            "{ events(first: 1) { edges { node { id entity { __typename } } } } }",
            json!({}),
        )
        .await;
    let eid = event["events"]["edges"][0]["node"]["id"].clone();
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Event { entity { __typename } } } }",
            json!({ "id": eid }),
        )
        .await;
    assert_eq!(data["node"]["entity"]["__typename"], "User");
});

db_test!(
    the_demo_data_covers_every_phase_and_loads_only_once,
    |app| {
        delivery_desk::seed::demo(
            &app.db,
            &delivery_desk::documents::DocumentStore::new(app.documents.path(), 1 << 20),
        )
        .await
        .expect("demo data");
        let data = app
        .ok("{ clients { totalCount } projects(first: 10) { totalCount edges { node { status stages { status } tickets { status } } } } }", json!({}))
        .await;
        assert_eq!(data["clients"]["totalCount"], 3);
        let statuses: Vec<&str> = data["projects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["status"].as_str().unwrap())
            .collect();
        for phase in [
            "LEAD",
            "CONTRACT_SIGNED",
            "EXECUTION",
            "ACCEPTANCE",
            "AFTER_SALES",
        ] {
            assert!(statuses.contains(&phase), "{phase} in {statuses:?}");
        }
        // The road to the contract, every record of it (the telehealth pilot).
        let road = app
            .ok("{ projects(first: 10, filter: { statuses: [CONTRACT_SIGNED] }) { edges { node {
                requirementAnalysis { inScope { requirements } } proposalVersions { status feedback { kind } }
                negotiationTerms { outcome } contract { status steps { status } } } } } }", json!({}))
            .await;
        let p = &road["projects"]["edges"][0]["node"];
        assert_eq!(p["requirementAnalysis"]["inScope"]["requirements"], 1);
        assert_eq!(p["proposalVersions"][1]["status"], "PRESENTED");
        assert_eq!(
            p["proposalVersions"][0]["feedback"][0]["kind"],
            "PRICE_CONCERN"
        );
        assert_eq!(p["negotiationTerms"][0]["outcome"], "AGREED");
        assert_eq!(p["contract"]["status"], "COUNTERSIGNED");
        assert_eq!(p["contract"]["steps"].as_array().unwrap().len(), 5);
        let again = delivery_desk::seed::demo(
            &app.db,
            &delivery_desk::documents::DocumentStore::new(app.documents.path(), 1 << 20),
        )
        .await
        .expect_err("a second load is refused");
        assert_eq!(again.code(), "CONFLICT");
    }
);
