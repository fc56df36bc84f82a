//! Optimistic concurrency: a stale version is a CONFLICT, never a lost update.

use serde_json::json;

use crate::{db_test, helpers::*};

db_test!(a_stale_expected_version_is_a_conflict, |app| {
    let client = client(&app, "Acme").await;
    let update = "mutation($id: ID!, $v: Int, $n: String) { updateClient(id: $id, input: { name: $n }, expectedVersion: $v) { name version } }";
    let first = app
        .ok(update, json!({ "id": client, "v": 1, "n": "Acme Ltd" }))
        .await;
    assert_eq!(
        first["updateClient"],
        json!({ "name": "Acme Ltd", "version": 2 })
    );
    let body = app
        .gql(update, json!({ "id": client, "v": 1, "n": "Acme Corp" }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    assert_eq!(
        body["errors"][0]["message"],
        "client was changed by someone else: expected version 1, found 2"
    );
    let now = app
        .ok(
            "query($id: ID!) { client(id: $id) { name version } }",
            json!({ "id": client }),
        )
        .await;
    assert_eq!(now["client"], json!({ "name": "Acme Ltd", "version": 2 }));
});

db_test!(
    concurrent_status_changes_of_one_version_let_exactly_one_win,
    |app| {
        let client = client(&app, "Acme").await;
        let pid = signed_project(&app, &client, "CC-1").await;
        let tid = ticket(&app, &pid, "Race").await;
        let change = "mutation($id: ID!, $s: TicketStatus!) { changeTicketStatus(id: $id, status: $s, expectedVersion: 1) { status } }";
        let (a, b) = tokio::join!(
            app.gql(change, json!({ "id": tid, "s": "ACKNOWLEDGED" })),
            app.gql(change, json!({ "id": tid, "s": "IN_PROGRESS" })),
        );
        let wins = [&a, &b]
            .iter()
            .filter(|r| r.get("errors").is_none())
            .count();
        assert_eq!(wins, 1, "{a} {b}");
        let loser = if a.get("errors").is_some() { &a } else { &b };
        assert_eq!(loser["errors"][0]["extensions"]["code"], "CONFLICT");
        let events = app
        .ok("query($t: ID!) { events(filter: { entityId: $t, kinds: [STATUS_CHANGED] }) { totalCount } }", json!({ "t": tid }))
        .await;
        assert_eq!(
            events["events"]["totalCount"], 1,
            "only the winner's change is in the log"
        );
    }
);
