//! Cursor connections: stable keyset pages, limits, filters and ordering.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::{db_test, helpers::*};

async fn page(app: &TestApp, first: i64, after: Option<&str>) -> Value {
    app.ok(
        "query($f: Int, $a: String) { clients(first: $f, after: $a, orderBy: NAME_ASC) {
            totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { name } } } }",
        json!({ "f": first, "a": after }),
    )
    .await["clients"]
        .clone()
}

db_test!(pages_cover_every_row_once_in_order, |app| {
    for i in 0..25 {
        client(&app, &format!("Client {i:02}")).await;
    }
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let p = page(&app, 10, after.as_deref()).await;
        assert_eq!(p["totalCount"], 25);
        pages += 1;
        names.extend(
            p["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_owned()),
        );
        if !p["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = p["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..25).map(|i| format!("Client {i:02}")).collect();
    assert_eq!(names, expected);
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), 25);
});

db_test!(
    a_row_inserted_before_the_cursor_does_not_shift_the_next_page,
    |app| {
        for name in ["B", "C", "D", "E"] {
            client(&app, name).await;
        }
        let first = page(&app, 2, None).await;
        let cursor = first["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
        client(&app, "A").await;
        let next = page(&app, 2, Some(&cursor)).await;
        let names: Vec<&str> = next["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["D", "E"]);
        assert_eq!(next["pageInfo"]["hasPreviousPage"], true);
    }
);

db_test!(page_size_and_cursors_are_checked, |app| {
    client(&app, "Acme").await;
    let (code, field) = app
        .fails("{ clients(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("first"))
    );
    let (code, field) = app
        .fails("{ clients(first: -1) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("first"))
    );
    let (code, field) = app
        .fails("{ clients(after: \"garbage\") { totalCount } }", json!({}))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("after"))
    );
    // A cursor of another ordering is refused rather than misread.
    let p = app
        .ok(
            "{ clients(orderBy: CREATED_AT_DESC) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = p["clients"]["pageInfo"]["endCursor"].clone();
    let (code, _) = app
        .fails(
            "query($a: String) { clients(orderBy: NAME_ASC, after: $a) { totalCount } }",
            json!({ "a": cursor }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
});

db_test!(
    tickets_filter_by_status_priority_type_project_and_client,
    |app| {
        let acme = client(&app, "Acme").await;
        let beta = client(&app, "Beta").await;
        let pa = signed_project(&app, &acme, "F-1").await;
        let pb = signed_project(&app, &beta, "F-2").await;
        let t1 = ticket(&app, &pa, "A1").await;
        ticket(&app, &pa, "A2").await;
        ticket(&app, &pb, "B1").await;
        app.ok(
            "mutation($id: ID!) { changeTicketStatus(id: $id, status: ACKNOWLEDGED) { id } }",
            json!({ "id": t1 }),
        )
        .await;
        app.ok(
        "mutation($id: ID!) { updateTicket(id: $id, input: { priority: URGENT, type: USAGE_QUESTION }) { id } }",
        json!({ "id": t1 }),
    )
    .await;
        let titles = |v: &Value| -> Vec<String> {
            v["tickets"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
                .collect()
        };
        let q = "query($f: TicketFilterInput, $o: TicketOrder! = CREATED_AT_DESC) { tickets(filter: $f, orderBy: $o) { totalCount edges { node { title } } } }";
        let by_client = app
            .ok(
                q,
                json!({ "f": { "clientId": acme }, "o": "CREATED_AT_ASC" }),
            )
            .await;
        assert_eq!(titles(&by_client), ["A1", "A2"]);
        let by_status = app
            .ok(q, json!({ "f": { "statuses": ["ACKNOWLEDGED"] } }))
            .await;
        assert_eq!(titles(&by_status), ["A1"]);
        let by_priority = app
            .ok(
                q,
                json!({ "f": { "priorities": ["URGENT"], "types": ["USAGE_QUESTION"] } }),
            )
            .await;
        assert_eq!(titles(&by_priority), ["A1"]);
        let by_project = app.ok(q, json!({ "f": { "projectId": pb } })).await;
        assert_eq!(titles(&by_project), ["B1"]);
        let urgent_first = app.ok(q, json!({ "o": "PRIORITY_DESC" })).await;
        assert_eq!(titles(&urgent_first)[0], "A1");
        let open = app.ok(q, json!({ "f": { "open": true } })).await;
        assert_eq!(open["tickets"]["totalCount"], 3);
    }
);

db_test!(projects_filter_by_client_status_and_due_date, |app| {
    let acme = client(&app, "Acme").await;
    let beta = client(&app, "Beta").await;
    signed_project(&app, &acme, "P-1").await;
    signed_project(&app, &beta, "P-2").await;
    app.ok(
        "mutation($c: ID!) { createProject(input: { clientId: $c, name: \"Lead\", plannedEnd: \"2027-01-01\" }) { id } }",
        json!({ "c": acme }),
    )
    .await;
    let q = "query($f: ProjectFilterInput) { projects(filter: $f) { totalCount } }";
    let count = |v: Value| v["projects"]["totalCount"].as_i64().unwrap();
    assert_eq!(
        count(app.ok(q, json!({ "f": { "clientIds": [acme] } })).await),
        2
    );
    assert_eq!(
        count(app.ok(q, json!({ "f": { "statuses": ["LEAD"] } })).await),
        1
    );
    assert_eq!(
        count(
            app.ok(q, json!({ "f": { "dueBefore": "2026-12-31" } }))
                .await
        ),
        2
    );
    assert_eq!(
        count(
            app.ok(
                q,
                json!({ "f": { "clientIds": [acme], "statuses": ["CONTRACT_SIGNED"] } })
            )
            .await
        ),
        1
    );
});
