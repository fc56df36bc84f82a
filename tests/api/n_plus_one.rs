//! The dashboard query costs the same number of SQL statements whatever the page size.

use serde_json::{Value, json};

use crate::{db_test, helpers::*};

const DASHBOARD: &str = "query($n: Int) { projects(first: $n) { edges { node {
    name status progressPercent
    client { name intentHistory { level gradedBy { name } }
      interactions { kind staff { name } contacts { name } nextStep { what owner { name } } } }
    interactions { kind }
    health { computed reasons { signal } } reportSchedule { dueAt }
    requirementSheets { version } changeRequests { title } acceptance { notes }
    stages { name status milestoneState owner { name } taskProgress { percent } ratings { score contact { name } } }
    meetings { kind contacts { name } staff { name } } primaryContact { name decisionRole }
    kickoff { state dueAt } documents { fileName uploadedBy { name } }
    reports { status reads { firstReadAt contact { name } } }
    acceptanceCriteria { status decidedBy { name } }
    actionItems { title assigneeUser { name } assigneeContact { name } }
    tickets(open: true) { title priority assignee { name } escalationLevel followUps { state } documents { fileName } }
    risks(open: true) { title severity }
    team { role user { name } }
    events(last: 3) { kind }
} } } }";

db_test!(
    statements_of_a_nested_dashboard_query_do_not_grow_with_the_page_size,
    |app| {
        let owner = user(&app, "Owner").await;
        for i in 0..24 {
            let c = client(&app, &format!("Client {i}")).await;
            let p = signed_project(&app, &c, &format!("NP-{i}")).await;
            let person = contact(&app, &c).await;
            app.ok(
                "mutation($c: ID!, $p: ID!, $u: ID!, $k: ID!) { logInteraction(input: { clientId: $c, projectId: $p,
                   kind: VISIT, occurredAt: \"2026-11-20T02:00:00Z\", staffIds: [$u], contactIds: [$k],
                   summary: \"site visit\", nextStep: \"quote\", nextStepOwnerId: $u, nextStepDue: \"2026-12-20\" }) { id } }",
                json!({ "c": c, "p": p, "u": owner, "k": person }),
            )
            .await;
            let mut stages = Vec::new();
            for s in 0..3 {
                stages.push(app.ok(
                "mutation($p: ID!, $n: String!, $o: ID) { createStage(input: { projectId: $p, name: $n, ownerId: $o }) { id } }",
                json!({ "p": p, "n": format!("Stage {s}"), "o": owner }),
            )
            .await["createStage"]["id"].clone());
            }
            let report = app
                .ok(
                    "mutation($p: ID!) { createReport(input: { projectId: $p, kind: DAILY, body: \"on track\", progressPercent: 10 }) { id } }",
                    json!({ "p": p }),
                )
                .await["createReport"]["id"]
                .clone();
            let portal = crate::helpers::portal_token(&app, &c, &person);
            let criterion = app
                .ok(
                    "mutation($p: ID!) { addAcceptanceCriterion(projectId: $p, text: \"works\") { id } }",
                    json!({ "p": p }),
                )
                .await["addAcceptanceCriterion"]["id"]
                .clone();
            app.gql_as(
                Some(&portal),
                "mutation($id: ID!) { judgeAcceptanceCriterion(id: $id, status: PASSED) { id } }",
                json!({ "id": criterion }),
            )
            .await;
            app.gql_as(
                Some(&portal),
                "mutation($id: ID!) { readReport(id: $id) { id } }",
                json!({ "id": report }),
            )
            .await;
            for status in ["IN_PROGRESS", "DONE"] {
                app.ok(
                    "mutation($id: ID!, $s: StageStatus!) { changeStageStatus(id: $id, status: $s) { id } }",
                    json!({ "id": stages[2], "s": status }),
                )
                .await;
            }
            app.gql_as(
                Some(&portal),
                "mutation($s: ID!) { rateMilestone(input: { stageId: $s, score: 4 }) { score } }",
                json!({ "s": stages[2] }),
            )
            .await;
            app.ok(
                "mutation($p: ID!, $k: ID!) { updateProject(id: $p, input: { primaryContactId: $k }) { id } }",
                json!({ "p": p, "k": person }),
            )
            .await;
            app.ok(
                "mutation($p: ID!, $u: ID!, $k: ID!) { scheduleMeeting(input: { projectId: $p, kind: PROGRESS,
                   scheduledAt: \"2026-11-20T02:00:00Z\", staffIds: [$u], contactIds: [$k] }) { id } }",
                json!({ "p": p, "u": owner, "k": person }),
            )
            .await;
            for who in [
                json!({ "assigneeUserId": owner }),
                json!({ "assigneeContactId": person }),
            ] {
                let mut input = json!({ "projectId": p, "stageId": stages[0], "title": "do", "dueDate": "2026-01-01" });
                input
                    .as_object_mut()
                    .unwrap()
                    .extend(who.as_object().unwrap().clone());
                app.ok(
                    "mutation($i: CreateActionItemInput!) { createActionItem(input: $i) { id } }",
                    json!({ "i": input }),
                )
                .await;
            }
            app.ok(
            "mutation($p: ID!, $a: ID) { createTicket(input: { projectId: $p, title: \"t\", type: SOFTWARE_BUG, assigneeId: $a }) { id } }",
            json!({ "p": p, "a": owner }),
        )
        .await;
            app.ok(
            "mutation($p: ID!) { createRisk(input: { projectId: $p, title: \"r\", category: TECHNICAL, likelihood: 3, impact: 3 }) { id } }",
            json!({ "p": p }),
        )
        .await;
            app.ok(
            "mutation($p: ID!, $u: ID!) { addTeamMember(projectId: $p, userId: $u, role: ENGINEER) { id } }",
            json!({ "p": p, "u": owner }),
        )
        .await;
        }

        let mut counts = Vec::new();
        for n in [1, 8, 24] {
            app.settle_statements().await;
            let data = app.ok(DASHBOARD, json!({ "n": n })).await;
            let edges = data["projects"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n as usize);
            assert_eq!(edges[0]["node"]["stages"].as_array().unwrap().len(), 3);
            assert_eq!(edges[0]["node"]["tickets"][0]["assignee"]["name"], "Owner");
            assert_eq!(edges[0]["node"]["stages"][2]["ratings"][0]["score"], 4);
            counts.push(app.statements());
        }
        // One statement per relation, named so the count is not a guess (it was once 27 for
        // 26, and a run with no loader jitter at all failed). Users are one loader:
        // stage owners, assignees, members, interaction and meeting staff, next-step owners
        // and action items' assignees; contacts are one loader too.
        // Loaders batch by a time window, so on a busy machine one batch can split in two or a
        // key asked for while its batch is in flight is asked again; that jitter is bounded by
        // the relations, not the page. A relation loaded per object would add 23 statements
        // at a page of 24.
        const RELATIONS: &[&str] = &[
            // With their clients joined, and their stages, tickets and risks gathered, in
            // the page's statement.
            "projects",
            "team",
            "events",
            "users",
            "client intent history",
            "client interactions",
            "project interactions",
            "interaction contacts",
            "requirement sheets",
            "change requests",
            "acceptances",
            "escalations",
            "follow-ups",
            "policy",
            "policy targets",
            "meetings",
            "action items of projects",
            "action items of stages",
            "kickoff obligations",
            "reports",
            "report reads",
            "acceptance criteria",
            "milestone ratings",
            "project documents",
            "ticket documents",
            // The health assessment of the whole page.
            "health: projects",
            "health: policy",
            "health: targets",
            "health: overdue stages",
            "health: serious risks",
            "health: breached clocks",
            "health: overdue action items",
            "health: overdue kickoffs",
            "health: last reports",
        ];
        let relations = RELATIONS.len();
        eprintln!("statements per page size 1, 8, 24: {counts:?}");
        assert!(
            counts
                .iter()
                .all(|c| (relations..=relations + 7).contains(c)),
            "statements per page size 1, 8, 24: {counts:?}"
        );
    }
);

const ROAD: &str =
    "query($n: Int) { projects(first: $n, filter: { statuses: [NEGOTIATION] }) { edges { node {
    name serviceLevelPolicy { name }
    requirements { analysis { effortPersonDays analysedBy { name } } }
    requirementAnalysis { inScope { requirements effortPersonDays } }
    proposalVersions { number createdBy { name } total { amount }
      review { waiting verdicts { role reviewer { name } } } reviews { id }
      feedback { kind contact { name } } changesFromPrevious { comparedTo } }
    negotiationRounds { number terms { text counterOf { id } } }
    negotiationTerms { outcome round { number } }
    contract { status clientSigner { name } serviceLevelPolicy { name } steps { by { name } } }
} } } }";

db_test!(
    statements_of_the_road_before_the_contract_do_not_grow_with_the_page_size,
    |app| {
        let reviewers = reviewers(&app).await;
        for i in 0..12 {
            let c = client(&app, &format!("Client {i}")).await;
            let person = contact(&app, &c).await;
            let p = pre_contract_project(&app, &c, &format!("Deal {i}"), "PROPOSAL").await;
            let r = app
                .ok("mutation($p: ID!) { createRequirement(input: { projectId: $p, title: \"map\", category: CORE, feasibility: FEASIBLE, inScope: true }) { id } }",
                    json!({ "p": p }))
                .await["createRequirement"]["id"]
                .clone();
            app.ok("mutation($id: ID!) { analyseRequirement(id: $id, input: { nature: FUNCTIONAL, effortPersonDays: 2 }) { id } }",
                json!({ "id": r })).await;
            let v = app
                .ok("mutation($p: ID!, $i: ProposalContentInput!) { createProposalVersion(projectId: $p, input: $i) { id } }",
                    json!({ "p": p, "i": proposal_content("OUTLINE", "10.00") }))
                .await["createProposalVersion"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            approve(&app, &reviewers, &v).await;
            app.ok(
                "mutation($id: ID!) { presentProposalVersion(id: $id) { id } }",
                json!({ "id": v }),
            )
            .await;
            app.ok("mutation($v: ID!, $c: ID!) { addProposalFeedback(input: { proposalVersionId: $v, kind: REQUEST, body: \"mobile\", contactId: $c }) { id } }",
                json!({ "v": v, "c": person })).await;
            app.ok(
                "mutation($id: ID!) { changeProjectStatus(id: $id, status: NEGOTIATION) { id } }",
                json!({ "id": p }),
            )
            .await;
            let round = app
                .ok("mutation($p: ID!) { openNegotiationRound(projectId: $p, heldAt: \"2026-11-23T02:00:00Z\") { id } }", json!({ "p": p }))
                .await["openNegotiationRound"]["id"]
                .clone();
            app.ok("mutation($r: ID!) { proposeTerm(input: { roundId: $r, kind: PRICE, proposedBy: CLIENT, text: \"less\" }) { id } }",
                json!({ "r": round })).await;
            let k = app
                .ok("mutation($p: ID!, $n: String!) { draftContract(input: { projectId: $p, number: $n, value: { amount: \"1.00\", currency: \"CNY\" } }) { id } }",
                    json!({ "p": p, "n": format!("RC-{i}") }))
                .await["draftContract"]["id"]
                .clone();
            app.ok(
                "mutation($id: ID!) { advanceContract(id: $id, to: LEGAL_REVIEW) { id } }",
                json!({ "id": k }),
            )
            .await;
        }
        let mut counts = Vec::new();
        for n in [1, 4, 12] {
            app.settle_statements().await;
            let data = app.ok(ROAD, json!({ "n": n })).await;
            let edges = data["projects"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n as usize);
            let node = &edges[0]["node"];
            assert_eq!(
                node["proposalVersions"][0]["review"]["verdicts"]
                    .as_array()
                    .unwrap()
                    .len(),
                4
            );
            assert_eq!(node["contract"]["steps"].as_array().unwrap().len(), 2);
            counts.push(app.statements());
        }
        // One statement per relation: projects; the policy of each project (by id) and the
        // default; requirements; proposal versions; reviews; feedback; rounds; terms (of
        // the project, of each round); the terms countered and the rounds of terms (by id);
        // contracts; users (authors, reviewers, step takers) and contacts; policies named
        // by contracts. A relation loaded per object would add 11 statements at 12.
        const RELATIONS: usize = 15;
        eprintln!("road statements per page size 1, 4, 12: {counts:?}");
        assert!(
            counts
                .iter()
                .all(|c| (RELATIONS..=RELATIONS + 5).contains(c)),
            "road statements per page size 1, 4, 12: {counts:?}"
        );
    }
);

db_test!(
    statements_of_the_webhook_list_do_not_grow_with_the_endpoints,
    |app| {
        // A receiver that answers everything, so every endpoint catches up and the
        // delivery task falls idle (it reads nothing then) before anything is counted.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let answer = axum::Router::new().route(
            "/hook",
            axum::routing::post(|| async { axum::http::StatusCode::NO_CONTENT }),
        );
        tokio::spawn(async move { axum::serve(listener, answer).await });
        const LIST: &str = "{ webhooks { url status createdBy { name } deliveries(last: 5) { attempt succeeded } } }";
        let mut counts = Vec::new();
        for total in [2, 8] {
            let have = app.count("webhook_endpoints").await;
            for _ in have..total {
                app.ok(
                    "mutation($u: String!) { registerWebhook(input: { url: $u }) { secret } }",
                    json!({ "u": url }),
                )
                .await;
            }
            // Caught up: every endpoint's cursor at the log's head.
            let start = std::time::Instant::now();
            loop {
                let head = app
                    .ok(
                        "{ events(newestFirst: true, first: 1) { edges { node { sequence } } } }",
                        json!({}),
                    )
                    .await["events"]["edges"][0]["node"]["sequence"]
                    .as_i64()
                    .unwrap();
                let behind = app.ok("{ webhooks { cursor } }", json!({})).await["webhooks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|w| w["cursor"] != json!(event_cursor(head)))
                    .count();
                if behind == 0 {
                    break;
                }
                if start.elapsed() > std::time::Duration::from_secs(20) {
                    // Seen once under a full CI run (10 s then): what the endpoints say
                    // tells a lost wake-up from a failed attempt waiting out its backoff.
                    let state = app
                        .ok(
                            "{ webhooks { cursor failures nextAttemptAt deliveries(last: 3) { attempt succeeded statusCode error } } }",
                            json!({}),
                        )
                        .await;
                    panic!("{behind} endpoints behind the head {head}: {state:#}");
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            app.settle_statements().await;
            let data = app.ok(LIST, json!({})).await;
            counts.push(app.statements());
            let hooks = data["webhooks"].as_array().unwrap();
            assert_eq!(hooks.len(), total as usize);
            assert!(
                hooks
                    .iter()
                    .all(|h| !h["deliveries"].as_array().unwrap().is_empty())
            );
        }
        // The endpoints, their creators (users), their latest attempts: three statements
        // whatever their number.
        eprintln!("webhook list statements with 2 and 8 endpoints: {counts:?}");
        assert_eq!(counts[0], counts[1], "{counts:?}");
        assert!(counts[0] <= 4, "{counts:?}");
    }
);

db_test!(
    a_ticket_or_a_page_with_its_parents_is_one_statement_and_keeps_to_the_portal,
    |app| {
        let acme = client(&app, "Acme").await;
        let p = signed_project(&app, &acme, "J-1").await;
        let t = ticket(&app, &p, "Printer jams").await;
        let other = client(&app, "Other").await;
        let theirs = ticket(&app, &signed_project(&app, &other, "J-2").await, "Theirs").await;
        const Q: &str = "query($id: ID!) { ticket(id: $id) { title
            project { name client { name } } client { name } } }";

        // The ticket, its project and the project's client, and the ticket's client: one
        // statement (the parents joined to the ticket's row), not one per level.
        app.settle_statements().await;
        let data = app.ok(Q, json!({ "id": t })).await;
        assert_eq!(app.statements(), 1, "{data}");
        assert_eq!(
            data["ticket"],
            json!({ "title": "Printer jams",
                "project": { "name": "Project J-1", "client": { "name": "Acme" } },
                "client": { "name": "Acme" } })
        );
        // A page of projects with their clients: the page's own statement.
        app.settle_statements().await;
        let page = app
            .ok(
                "{ projects(first: 10) { edges { node { name client { name } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(app.statements(), 1, "{page}");
        assert_eq!(
            page["projects"]["edges"],
            json!([
                { "node": { "name": "Project J-2", "client": { "name": "Other" } } },
                { "node": { "name": "Project J-1", "client": { "name": "Acme" } } }
            ])
        );
        // Without the parents in the query, no join: the same statement as before.
        app.settle_statements().await;
        app.ok(
            "query($id: ID!) { ticket(id: $id) { title } }",
            json!({ "id": t }),
        )
        .await;
        assert_eq!(app.statements(), 1);

        // A contact of Acme reads its ticket with its parents, redacted as ever (the
        // client's internal notes are null in the portal), and not the other client's.
        let portal = portal_token(&app, &acme, &contact(&app, &acme).await);
        app.ok(
            "mutation($c: ID!) { updateClient(id: $c, input: { notes: \"internal\" }) { id } }",
            json!({ "c": acme }),
        )
        .await;
        let body = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { ticket(id: $id) { title project { name client { name notes } } } }",
                json!({ "id": t }),
            )
            .await;
        assert_eq!(
            body["data"]["ticket"]["project"]["client"],
            json!({ "name": "Acme", "notes": null }),
            "{body}"
        );
        let body = app
            .gql_as(
                Some(&portal),
                "{ projects(first: 10) { edges { node { name client { name notes } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            body["data"]["projects"]["edges"],
            json!([{ "node": { "name": "Project J-1", "client": { "name": "Acme", "notes": null } } }]),
            "{body}"
        );
        let body = app.gql_as(Some(&portal), Q, json!({ "id": theirs })).await;
        assert_eq!(body["data"]["ticket"], json!(null), "{body}");
    }
);

db_test!(
    a_milestone_a_risk_or_an_assignee_comes_in_its_row_s_statement,
    |app| {
        let acme = client(&app, "Acme").await;
        let p = signed_project(&app, &acme, "K-1").await;
        let s = stage(&app, &p, "Design").await;
        let r = app
            .ok(
                "mutation($p: ID!) { createRisk(input: { projectId: $p, title: \"Late supplier\", category: SCHEDULE, likelihood: 3, impact: 3 }) { id } }",
                json!({ "p": p }),
            )
            .await["createRisk"]["id"]
            .clone();
        let t = app
            .ok(
                "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"Jam\", type: SOFTWARE_BUG, assigneeId: \"VXNlcjox\" }) { id } }",
                json!({ "p": p }),
            )
            .await["createTicket"]["id"]
            .clone();

        // Each in one statement: the row with its parents joined.
        let in_one_statement = async |q: &str, id: &Value| {
            app.settle_statements().await;
            let data = app.ok(q, json!({ "id": id })).await;
            assert_eq!(app.statements(), 1, "{q}: {data}");
            data
        };
        // A stage with its project and the project's client.
        let data = in_one_statement(
            "query($id: ID!) { node(id: $id) { ... on Stage { name project { name client { name } } } } }",
            &json!(s),
        )
        .await;
        assert_eq!(
            data["node"],
            json!({ "name": "Design", "project": { "name": "Project K-1", "client": { "name": "Acme" } } })
        );
        // A risk with its project.
        let data = in_one_statement(
            "query($id: ID!) { node(id: $id) { ... on Risk { title project { name } } } }",
            &r,
        )
        .await;
        assert_eq!(data["node"]["project"]["name"], "Project K-1");
        // A ticket with its assignee and project.
        let data = in_one_statement(
            "query($id: ID!) { ticket(id: $id) { assignee { id } project { name } } }",
            &t,
        )
        .await;
        assert_eq!(
            data["ticket"],
            json!({ "assignee": { "id": "VXNlcjox" }, "project": { "name": "Project K-1" } })
        );
    }
);
