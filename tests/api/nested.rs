//! A page's nodes' stages, tickets and risks are read in the page's own statement
//! (`src/graphql/nested.rs`): they must be what the loaders read for one project, row for
//! row and in order, for staff and for the portal, whatever the arguments and aliases.

use serde_json::{Value, json};

use crate::{db_test, helpers::*};

/// The children asked of each project: every argument of each set, aliases with other
/// selections, and values that JSON must carry unchanged.
const CHILDREN: &str =
    "stages { id name position dueDate plannedStart completedAt status updatedAt }
    open: tickets(open: true) { id title status priority createdAt assignee { name } }
    done: tickets(open: false) { id title resolvedAt closedAt project { id } }
    tickets { id title description }
    risks(open: true) { id title score sharedWithClient raisedAt }
    allRisks: risks { id status }";

/// Two projects of Acme with stages, open and resolved tickets, and open, closed, shared
/// and internal risks; one of Rival's.
async fn projects(app: &TestApp) -> (String, String) {
    let acme = client(app, "Acme").await;
    let rival = client(app, "Rival").await;
    for (client, number) in [(&acme, "A-1"), (&acme, "A-2"), (&rival, "R-1")] {
        let p = signed_project(app, client, number).await;
        for name in ["Survey", "Install \"rack\" — 机房", "Sign-off\n\\ done"] {
            stage(app, &p, name).await;
        }
        for title in [
            "Printer offline",
            "Ünïcödé \u{1F5A8} \"quoted\" \\ back",
            "Fixed",
        ] {
            ticket(app, &p, title).await;
        }
        let fixed = ticket(app, &p, "Done and dusted").await;
        for status in ["ACKNOWLEDGED", "RESOLVED"] {
            set_ticket_status(app, &fixed, status).await;
        }
        for (title, shared) in [("Supplier delay", true), ("Client CIO may leave", false)] {
            app.ok(
                "mutation($p: ID!, $t: String!, $s: Boolean!) { createRisk(input: { projectId: $p, title: $t, category: SCHEDULE, likelihood: 3, impact: 4, sharedWithClient: $s }) { id } }",
                json!({ "p": p, "t": title, "s": shared }),
            )
            .await;
        }
    }
    let contact = contact(app, &acme).await;
    (acme, contact)
}

/// Each project's children through a page, and the statements the page took.
async fn through_the_page(app: &TestApp, token: &str) -> (Vec<Value>, Vec<String>) {
    app.settle_statements().await;
    let body = app
        .gql_as(
            Some(token),
            &format!("{{ projects(first: 10) {{ nodes {{ id {CHILDREN} }} }} }}"),
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let statements = app.sql();
    let nodes = body["data"]["projects"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    (nodes, statements)
}

/// The same project's children through `project(id:)`, which the loaders read.
async fn one_by_one(app: &TestApp, token: &str, id: &Value) -> Value {
    let body = app
        .gql_as(
            Some(token),
            &format!("query($id: ID!) {{ project(id: $id) {{ id {CHILDREN} }} }}"),
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["project"].clone()
}

db_test!(a_page_reads_its_nodes_children_as_the_loaders_do, |app| {
    let (acme, contact) = projects(&app).await;
    let portal = portal_token(&app, &acme, &contact);
    for (token, expected_projects) in [(app.admin.clone(), 3), (portal, 2)] {
        let (nodes, statements) = through_the_page(&app, &token).await;
        assert_eq!(nodes.len(), expected_projects);
        for node in &nodes {
            assert_eq!(node, &one_by_one(&app, &token, &node["id"]).await);
            assert_eq!(node["stages"].as_array().unwrap().len(), 3, "{node}");
            assert_eq!(node["tickets"].as_array().unwrap().len(), 4, "{node}");
            assert_eq!(node["open"].as_array().unwrap().len(), 3, "{node}");
            assert_eq!(node["done"][0]["title"], "Done and dusted", "{node}");
            // Their parent column is set from the page's row, not read.
            assert_eq!(node["done"][0]["project"]["id"], node["id"], "{node}");
        }
        // No statement of their own for the children: the page's (and, through loaders
        // of their own, the tickets' projects and assignees).
        let own = statements.iter().filter(|s| {
            ["stages", "tickets", "risks"]
                .iter()
                .any(|t| s.starts_with(&format!("SELECT \"{t}\".")))
        });
        assert_eq!(own.count(), 0, "{statements:#?}");
        assert!(statements.len() <= 3, "{statements:#?}");
    }
    // The portal sees the shared risk only, the staff both.
    let (nodes, _) = through_the_page(&app, &app.admin).await;
    assert_eq!(nodes[0]["allRisks"].as_array().unwrap().len(), 2);
    let portal = portal_token(&app, &acme, &contact);
    let (nodes, _) = through_the_page(&app, &portal).await;
    assert_eq!(nodes[0]["allRisks"].as_array().unwrap().len(), 1);
    assert_eq!(nodes[0]["risks"][0]["title"], "Supplier delay");
});

db_test!(
    a_page_of_clients_reads_their_projects_and_tickets_as_the_loaders_do,
    |app| {
        let (acme, contact) = projects(&app).await;
        const CLIENT_CHILDREN: &str = "projects { id name status contractValue { amount } }
        open: tickets(open: true) { id title status project { id } }
        tickets { id title resolvedAt }";
        let portal = portal_token(&app, &acme, &contact);
        for (token, expected_clients) in [(app.admin.clone(), 2), (portal, 1)] {
            app.settle_statements().await;
            let body = app
                .gql_as(
                    Some(&token),
                    &format!("{{ clients(first: 10) {{ nodes {{ id {CLIENT_CHILDREN} }} }} }}"),
                    json!({}),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
            let statements = app.sql();
            // No statement reads the children by their clients (the open tickets' projects
            // come from a loader, by id).
            let own = statements
                .iter()
                .filter(|s| s.contains("\"client_id\" IN ("));
            assert_eq!(own.count(), 0, "{statements:#?}");
            let nodes = body["data"]["clients"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), expected_clients);
            for node in nodes {
                let one = app
                    .gql_as(
                        Some(&token),
                        &format!(
                            "query($id: ID!) {{ client(id: $id) {{ id {CLIENT_CHILDREN} }} }}"
                        ),
                        json!({ "id": node["id"] }),
                    )
                    .await;
                assert_eq!(node, &one["data"]["client"], "{one}");
                assert!(!node["projects"].as_array().unwrap().is_empty(), "{node}");
                assert_eq!(
                    node["tickets"].as_array().unwrap().len(),
                    4 * node["projects"].as_array().unwrap().len()
                );
            }
        }
    }
);
