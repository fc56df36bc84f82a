//! The interaction log (DOMAIN, step 1): calls, visits, demos with the people involved, the
//! outcome and the next step; overdue next steps found; the first one dates the client's
//! first contact; never shown in the portal.

use chrono::TimeZone;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, error_code, portal_token},
};

const LOG: &str = "mutation($i: LogInteractionInput!) { logInteraction(input: $i) {
    id kind occurredAt summary outcome staff { name } contacts { name } client { name firstContactAt }
    nextStep { what owner { name } due doneAt overdue } version } }";

db_test!(
    a_clients_interactions_are_logged_with_their_next_steps,
    // Monday 2026-11-23, 09:00 in Shanghai.
    at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let sales = helpers::user(&app, "Zhao Lei").await;
        let buyer = helpers::contact(&app, &acme).await;
        let rival = helpers::contact(&app, &globex).await;
        let call = json!({ "clientId": acme, "kind": "CALL", "occurredAt": "2026-11-20T02:00:00Z",
            "staffIds": [sales], "contactIds": [buyer], "summary": "First call: fleet tracking",
            "outcome": "wants a demo", "nextStep": "send the demo invitation",
            "nextStepOwnerId": sales, "nextStepDue": "2026-11-21" });
        let logged = app.ok(LOG, json!({ "i": call })).await["logInteraction"].clone();
        assert_eq!(logged["staff"], json!([{ "name": "Zhao Lei" }]));
        assert_eq!(logged["contacts"], json!([{ "name": "Zhang Hua" }]));
        assert_eq!(logged["nextStep"]["owner"]["name"], "Zhao Lei");
        assert_eq!(
            logged["nextStep"]["overdue"], true,
            "due Saturday, today is Monday"
        );
        assert_eq!(
            logged["client"]["firstContactAt"],
            "2026-11-20T02:00:00+00:00"
        );

        // An earlier contact moves the first contact back; a later one does not.
        let mut visit = json!({ "clientId": acme, "kind": "TRADE_SHOW", "occurredAt": "2026-11-10T05:00:00Z",
            "summary": "Met at the logistics fair" });
        app.ok(LOG, json!({ "i": visit })).await;
        visit["occurredAt"] = json!("2026-11-22T05:00:00Z");
        visit["kind"] = json!("EMAIL");
        app.ok(LOG, json!({ "i": visit })).await;
        let client = app
            .ok(
                "query($id: ID!) { client(id: $id) { firstContactAt interactions { kind } } }",
                json!({ "id": acme }),
            )
            .await;
        assert_eq!(
            client["client"]["firstContactAt"],
            "2026-11-10T05:00:00+00:00"
        );
        assert_eq!(
            client["client"]["interactions"],
            json!([{ "kind": "EMAIL" }, { "kind": "CALL" }, { "kind": "TRADE_SHOW" }]),
            "newest first"
        );

        // Overdue next steps are found, and leave the list once done.
        const OVERDUE: &str = "{ interactions(filter: { overdueNextStep: true }) { totalCount edges { node { summary } } } }";
        let overdue = app.ok(OVERDUE, json!({})).await;
        assert_eq!(overdue["interactions"]["totalCount"], 1, "{overdue}");
        let done = app
            .ok(
                "mutation($id: ID!) { completeNextStep(id: $id) { nextStep { doneAt overdue } } }",
                json!({ "id": logged["id"] }),
            )
            .await;
        assert_eq!(done["completeNextStep"]["nextStep"]["overdue"], false);
        assert_eq!(
            app.ok(OVERDUE, json!({})).await["interactions"]["totalCount"],
            0
        );
        let (code, _) = app
            .fails(
                "mutation($id: ID!) { completeNextStep(id: $id) { id } }",
                json!({ "id": logged["id"] }),
            )
            .await;
        assert_eq!(code, "CONFLICT");

        // Bad input names its field and writes nothing.
        let written = app.count("interactions").await;
        let mut half = call.clone();
        half["nextStepOwnerId"] = Value::Null;
        let (code, field) = app.fails(LOG, json!({ "i": half })).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("nextStep"))
        );
        let mut foreign = call.clone();
        foreign["contactIds"] = json!([rival]);
        let (code, field) = app.fails(LOG, json!({ "i": foreign })).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("contactIds"))
        );
        assert_eq!(app.count("interactions").await, written);

        // The vendor's sales log: the portal finds none of it.
        let portal = portal_token(&app, &acme, &buyer);
        let body = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { client(id: $id) { interactions { id } } }",
                json!({ "id": acme }),
            )
            .await;
        assert_eq!(body["data"]["client"]["interactions"], json!([]), "{body}");
        let body = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": logged["id"] }),
            )
            .await;
        assert_eq!(body["data"]["node"], Value::Null, "{body}");
        let body = app.gql_as(Some(&portal), OVERDUE, json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN");
        let body = app.gql_as(Some(&portal), LOG, json!({ "i": call })).await;
        assert_eq!(error_code(&body), "FORBIDDEN");
        let events = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { client(id: $id) { events(last: 100) { entityKind } } }",
                json!({ "id": acme }),
            )
            .await;
        assert!(!events.to_string().contains("INTERACTION"), "{events}");
    }
);
