//! What was agreed, through the API: the signed requirement sheet freezes the list,
//! change requests amend it as new signed versions, and the client's acceptance moves
//! the project to after-sales.

use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{
        self, TestApp, contact, error_code as code, error_field as field, portal_token as portal,
        signed_project,
    },
};

const CREATE_REQ: &str =
    "mutation($i: CreateRequirementInput!) { createRequirement(input: $i) { id } }";
const SIGN: &str = "mutation($i: SignRequirementSheetInput!) { signRequirementSheet(input: $i) {
    version signedAt vendorSigner { name } clientSigner { name } requirements { title inScope } } }";
const PROPOSE: &str = "mutation($i: ProposeChangeRequestInput!) { proposeChangeRequest(input: $i) {
    id status title scheduleImpactDays costImpact { amount currency } adds descopes { title }
    proposedBy { id } proposedByContact { id } version } }";
const APPROVE: &str = "mutation($id: ID!, $c: ID!) { approveChangeRequest(id: $id, clientApproverId: $c, note: \"agreed on the call\") {
    status sheetVersion decidedBy { name } clientApprover { name } } }";
const AGREED: &str = "query($id: ID!) { project(id: $id) {
    requirementSheet { version }
    requirementSheets { version signedAt vendorSigner { name } clientSigner { name } note
        requirements { title inScope requirement { id } }
        changeRequest { title reason status scheduleImpactDays } }
    changeRequests { title status sheetVersion }
    events(last: 50) { kind entityKind } } }";

async fn requirement(app: &TestApp, project: &str, title: &str) -> String {
    app.ok(
        CREATE_REQ,
        json!({ "i": { "projectId": project, "title": title, "category": "CORE" } }),
    )
    .await["createRequirement"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

db_test!(
    a_signed_sheet_is_frozen_and_amended_only_by_approved_change_requests,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let pid = signed_project(&app, &acme, "RS-1").await;
        let signer = helpers::user(&app, "Li Wei").await;
        let zhang = contact(&app, &acme).await;
        let outsider = contact(&app, &globex).await;
        let sensors = requirement(&app, &pid, "Cold-room sensors").await;
        let charts = requirement(&app, &pid, "Data visualisation").await;

        // Before signing there is nothing to amend.
        let cr =
            json!({ "i": { "projectId": pid, "title": "More sensors", "reason": "new room" } });
        let body = app.gql(PROPOSE, cr.clone()).await;
        assert_eq!(code(&body), "CONFLICT", "{body}");

        // Both signatories are named; the client's must be the client's.
        let sign = |client_signer: &str| {
            json!({ "i": { "projectId": pid, "vendorSignerId": signer, "clientSignerId": client_signer,
            "note": "calibrated line by line" } })
        };
        let body = app.gql(SIGN, sign(&outsider)).await;
        assert_eq!(
            (code(&body), field(&body)),
            ("BAD_USER_INPUT", Some("clientSignerId"))
        );
        let v1 = app.ok(SIGN, sign(&zhang)).await["signRequirementSheet"].clone();
        assert_eq!(v1["version"], 1);
        assert_eq!(v1["vendorSigner"]["name"], "Li Wei");
        assert_eq!(v1["clientSigner"]["name"], "Zhang Hua");
        assert_eq!(v1["requirements"].as_array().unwrap().len(), 2);
        let body = app.gql(SIGN, sign(&zhang)).await;
        assert_eq!(code(&body), "CONFLICT", "{body}");

        // Frozen: no edit, no new line, nothing written.
        let body = app
        .gql(
            "mutation($id: ID!) { updateRequirement(id: $id, input: { title: \"Sensors+\" }) { id } }",
            json!({ "id": sensors }),
        )
        .await;
        assert_eq!(code(&body), "CONFLICT", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("change request")
        );
        let body = app
            .gql(
                CREATE_REQ,
                json!({ "i": { "projectId": pid, "title": "Sneaked in", "category": "CORE" } }),
            )
            .await;
        assert_eq!(code(&body), "CONFLICT", "{body}");
        assert_eq!(app.count("requirements").await, 2);

        // The client asks in the portal: visualisation out of phase one, an export in.
        let token = portal(&app, &acme, &zhang);
        let ask = json!({ "i": { "projectId": pid, "title": "Swap charts for an export",
        "reason": "phase one budget", "scheduleImpactDays": 5,
        "costImpact": { "amount": "5000.00", "currency": "CNY" },
        "scopeImpact": "charts move to phase two",
        "addRequirements": [{ "title": "CSV export", "category": "EXPECTED" }],
        "descopeRequirementIds": [charts] } });
        let body = app.gql_as(Some(&token), PROPOSE, ask).await;
        let proposed = body["data"]["proposeChangeRequest"].clone();
        assert_eq!(proposed["status"], "PROPOSED", "{body}");
        assert_eq!(proposed["proposedByContact"]["id"], zhang.as_str());
        assert_eq!(proposed["adds"], json!(["CSV export"]));
        assert_eq!(
            proposed["descopes"],
            json!([{ "title": "Data visualisation" }])
        );
        assert_eq!(
            proposed["costImpact"],
            json!({ "amount": "5000.00", "currency": "CNY" })
        );
        let cr_id = proposed["id"].as_str().unwrap().to_owned();
        // Bad asks name the field.
        let body = app
        .gql(
            PROPOSE,
            json!({ "i": { "projectId": pid, "title": "x", "reason": "y",
                "addRequirements": [{ "title": "Maybe", "category": "POTENTIAL", "feasibility": "PARTIAL" }] } }),
        )
        .await;
        assert_eq!(
            (code(&body), field(&body)),
            ("BAD_USER_INPUT", Some("scopeChange.add.alternative"))
        );

        // Only staff decide, with the client's named contact.
        let body = app
            .gql_as(Some(&token), APPROVE, json!({ "id": cr_id, "c": zhang }))
            .await;
        assert_eq!(code(&body), "FORBIDDEN", "{body}");
        let body = app
            .gql(APPROVE, json!({ "id": cr_id, "c": outsider }))
            .await;
        assert_eq!(
            (code(&body), field(&body)),
            ("BAD_USER_INPUT", Some("clientApproverId"))
        );
        let approved =
            app.ok(APPROVE, json!({ "id": cr_id, "c": zhang })).await["approveChangeRequest"]
                .clone();
        assert_eq!(approved["status"], "APPROVED");
        assert_eq!(approved["sheetVersion"], 2);
        assert_eq!(approved["clientApprover"]["name"], "Zhang Hua");
        let body = app.gql(APPROVE, json!({ "id": cr_id, "c": zhang })).await;
        assert_eq!(code(&body), "INVALID_TRANSITION", "{body}");

        // A rejected request changes nothing.
        let other = app.ok(PROPOSE, cr).await["proposeChangeRequest"]["id"].clone();
        let rejected = app
        .ok(
            "mutation($id: ID!) { rejectChangeRequest(id: $id, note: \"out of budget\") { status sheetVersion decisionNote } }",
            json!({ "id": other }),
        )
        .await;
        assert_eq!(
            rejected["rejectChangeRequest"],
            json!({ "status": "REJECTED", "sheetVersion": null, "decisionNote": "out of budget" })
        );

        // What was agreed, when, by whom: one query.
        let p = app.ok(AGREED, json!({ "id": pid })).await["project"].clone();
        assert_eq!(p["requirementSheet"]["version"], 2);
        let sheets = p["requirementSheets"].as_array().unwrap();
        assert_eq!(sheets.len(), 2, "{p}");
        let titles = |s: &Value| -> Vec<(String, bool)> {
            s["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["title"].as_str().unwrap().to_owned(),
                        r["inScope"].as_bool().unwrap(),
                    )
                })
                .collect()
        };
        assert_eq!(
            titles(&sheets[0]),
            [
                ("Cold-room sensors".to_owned(), true),
                ("Data visualisation".to_owned(), true)
            ]
        );
        assert_eq!(sheets[0]["changeRequest"], Value::Null);
        assert_eq!(
            titles(&sheets[1]),
            [
                ("Cold-room sensors".to_owned(), true),
                ("Data visualisation".to_owned(), false),
                ("CSV export".to_owned(), true)
            ]
        );
        assert_eq!(sheets[1]["vendorSigner"]["name"], "Admin");
        assert_eq!(sheets[1]["clientSigner"]["name"], "Zhang Hua");
        assert_eq!(sheets[1]["changeRequest"]["reason"], "phase one budget");
        assert_eq!(sheets[1]["changeRequest"]["scheduleImpactDays"], 5);
        assert_eq!(
            p["changeRequests"],
            json!([
                { "title": "Swap charts for an export", "status": "APPROVED", "sheetVersion": 2 },
                { "title": "More sensors", "status": "REJECTED", "sheetVersion": null }
            ])
        );
        let signed = p["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "SIGNED_OFF" && e["entityKind"] == "REQUIREMENT_SHEET")
            .count();
        assert_eq!(signed, 2, "{p}");
        // The portal reads the same history.
        let body = app.gql_as(Some(&token), AGREED, json!({ "id": pid })).await;
        assert_eq!(
            body["data"]["project"]["requirementSheets"]
                .as_array()
                .map(Vec::len),
            Some(2),
            "{body}"
        );
    }
);

const ACCEPT: &str = "mutation($i: SignAcceptanceInput!) { signAcceptance(input: $i) {
    signedAt signedBy { name } recordedBy { name } notes project { status acceptance { notes } } } }";

db_test!(
    the_clients_acceptance_moves_the_project_to_after_sales,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let pid = signed_project(&app, &acme, "AC-1").await;
        let zhang = contact(&app, &acme).await;
        let token = portal(&app, &acme, &zhang);
        let stranger = portal(&app, &globex, &contact(&app, &globex).await);

        // Not before the project is in ACCEPTANCE.
        let body = app
            .gql_as(Some(&token), ACCEPT, json!({ "i": { "projectId": pid } }))
            .await;
        assert_eq!(code(&body), "INVALID_TRANSITION", "{body}");
        let change = "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status } }";
        for s in ["REQUIREMENTS", "DESIGN", "EXECUTION", "ACCEPTANCE"] {
            app.ok(change, json!({ "id": pid, "s": s })).await;
        }
        // Staff must name who signed; another client cannot see the project at all.
        let body = app.gql(ACCEPT, json!({ "i": { "projectId": pid } })).await;
        assert_eq!(
            (code(&body), field(&body)),
            ("BAD_USER_INPUT", Some("contactId"))
        );
        let body = app
            .gql_as(
                Some(&stranger),
                ACCEPT,
                json!({ "i": { "projectId": pid } }),
            )
            .await;
        assert_eq!(
            (code(&body), field(&body)),
            ("BAD_USER_INPUT", Some("projectId"))
        );

        // The client signs in the portal.
        let body = app
            .gql_as(
                Some(&token),
                ACCEPT,
                json!({ "i": { "projectId": pid, "notes": "All sensors reporting." } }),
            )
            .await;
        let a = &body["data"]["signAcceptance"];
        assert_eq!(a["signedBy"]["name"], "Zhang Hua", "{body}");
        assert_eq!(a["recordedBy"], Value::Null);
        assert_eq!(a["project"]["status"], "AFTER_SALES");
        assert_eq!(
            a["project"]["acceptance"]["notes"],
            "All sensors reporting."
        );
        let body = app
            .gql(
                ACCEPT,
                json!({ "i": { "projectId": pid, "contactId": zhang } }),
            )
            .await;
        assert_eq!(code(&body), "INVALID_TRANSITION", "{body}");
        let events = app
            .ok(
                "query($id: ID!) { project(id: $id) { events(last: 5) { kind toStatus } } }",
                json!({ "id": pid }),
            )
            .await;
        let kinds: Vec<_> = events["project"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["kind"].clone(), e["toStatus"].clone()))
            .collect();
        assert!(
            kinds.contains(&(json!("SIGNED_OFF"), Value::Null)),
            "{kinds:?}"
        );
        assert!(kinds.contains(&(json!("STATUS_CHANGED"), json!("AFTER_SALES"))));
    }
);
