//! The whole road before the contract (DOMAIN, steps 1-4), as a vendor's team walks it:
//! first call, requirement analysis, a proposal reviewed inside and presented, the
//! client's feedback, negotiation, a contract to countersignature; and what the client's
//! portal sees of each.

use chrono::TimeZone;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, approve, error_code, portal_token, pre_contract_project, proposal_content},
};

const CREATE: &str = "mutation($p: ID!, $i: ProposalContentInput!) { createProposalVersion(projectId: $p, input: $i) { id number status total { amount currency } } }";
const VERSION: &str = "query($id: ID!) { node(id: $id) { ... on ProposalVersion { status revision
    review { requiredRoles approved waiting changesRequested verdicts { role reviewer { name } } }
    reviews { id } feedback { kind body status response contact { name } }
    changesFromPrevious { comparedTo modulesAdded totalBefore { amount } totalAfter { amount } } } } }";

fn field<'a>(data: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(data, |v, k| &v[*k])
}

db_test!(
    a_client_is_carried_from_its_first_call_to_a_countersigned_contract,
    at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
    |app| {
        let client = helpers::client(&app, "Acme").await;
        let buyer = helpers::contact(&app, &client).await;
        let portal = portal_token(&app, &client, &buyer);
        let sales = helpers::user(&app, "Zhao Lei").await;
        app.ok(
            "mutation($c: ID!, $u: ID!) { logInteraction(input: { clientId: $c, kind: CALL, occurredAt: \"2026-11-20T02:00:00Z\",
               staffIds: [$u], summary: \"needs fleet tracking\" }) { id } }",
            json!({ "c": client, "u": sales }),
        )
        .await;
        let project = pre_contract_project(&app, &client, "Fleet", "DISCOVERY").await;

        // Step 2: requirements, analysed, in one report.
        let mut reqs = Vec::new();
        for (title, category, in_scope) in [
            ("Live map", "CORE", true),
            ("BI export", "POTENTIAL", false),
        ] {
            let id = app
                .ok(
                    "mutation($i: CreateRequirementInput!) { createRequirement(input: $i) { id } }",
                    json!({ "i": { "projectId": project, "title": title, "category": category,
                        "feasibility": if in_scope { "FEASIBLE" } else { "PARTIAL" },
                        "alternative": if in_scope { Value::Null } else { json!("CSV export") },
                        "inScope": in_scope } }),
                )
                .await["createRequirement"]["id"]
                .clone();
            reqs.push(id);
        }
        let analyse = "mutation($id: ID!, $i: AnalyseRequirementInput!) { analyseRequirement(id: $id, input: $i) {
            analysis { nature effortPersonDays cost { amount currency } analysedBy { name } } } }";
        let a = app
            .ok(analyse, json!({ "id": reqs[0], "i": { "nature": "FUNCTIONAL", "effortPersonDays": 12.5,
                "cost": { "amount": "25000.00", "currency": "CNY" }, "resources": "2 backend developers" } }))
            .await;
        assert_eq!(
            a["analyseRequirement"]["analysis"]["effortPersonDays"],
            12.5
        );
        app.ok(
            analyse,
            json!({ "id": reqs[1], "i": { "nature": "NON_FUNCTIONAL", "effortPersonDays": 3 } }),
        )
        .await;
        let (code, f) = app
            .fails(
                analyse,
                json!({ "id": reqs[1], "i": { "nature": "FUNCTIONAL", "effortPersonDays": 0.25 } }),
            )
            .await;
        assert_eq!(
            (code.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("effortPersonDays"))
        );
        let report = app
            .ok(
                "query($id: ID!) { project(id: $id) { requirementAnalysis {
                    byCategory { category requirements { title } } notFullyFeasible { title alternative }
                    inScope { requirements effortPersonDays cost { amount currency } unestimated }
                    outOfScope { requirements effortPersonDays cost { amount } } } } }",
                json!({ "id": project }),
            )
            .await;
        let r = &report["project"]["requirementAnalysis"];
        assert_eq!(
            r["byCategory"][0]["requirements"],
            json!([{ "title": "Live map" }])
        );
        assert_eq!(r["byCategory"][2]["category"], "POTENTIAL");
        assert_eq!(
            r["notFullyFeasible"],
            json!([{ "title": "BI export", "alternative": "CSV export" }])
        );
        assert_eq!(
            r["inScope"],
            json!({ "requirements": 1, "effortPersonDays": 12.5,
            "cost": [{ "amount": "25000.00", "currency": "CNY" }], "unestimated": 0 })
        );
        assert_eq!(r["outOfScope"]["effortPersonDays"], 3.0);

        // Step 3: a proposal, reviewed inside before the client sees it.
        app.ok(
            "mutation($id: ID!) { changeProjectStatus(id: $id, status: PROPOSAL) { status } }",
            json!({ "id": project }),
        )
        .await;
        let v1 = app
            .ok(
                CREATE,
                json!({ "p": project, "i": proposal_content("OUTLINE", "1200.00") }),
            )
            .await["createProposalVersion"]
            .clone();
        assert_eq!(
            v1["total"],
            json!({ "amount": "12000.00", "currency": "CNY" })
        );
        let v1 = v1["id"].as_str().unwrap().to_owned();
        let present =
            "mutation($id: ID!) { presentProposalVersion(id: $id) { status presentedAt } }";
        let body = app.gql(present, json!({ "id": v1 })).await;
        assert_eq!(error_code(&body), "REVIEW_REQUIRED", "{body}");
        let reviewers = helpers::reviewers(&app).await;
        app.ok(
            "mutation($id: ID!) { submitProposalVersion(id: $id) { status } }",
            json!({ "id": v1 }),
        )
        .await;
        let review = "mutation($id: ID!, $r: ReviewerRole!, $v: ReviewVerdict!, $c: String) {
            reviewProposalVersion(id: $id, role: $r, verdict: $v, comment: $c) { status } }";
        for (role, token) in &reviewers[..2] {
            app.gql_as(
                Some(token),
                review,
                json!({ "id": v1, "r": role, "v": "APPROVED" }),
            )
            .await;
        }
        // One person, one role per revision.
        let twice = app
            .gql_as(
                Some(&reviewers[0].1),
                review,
                json!({ "id": v1, "r": "LEGAL", "v": "APPROVED" }),
            )
            .await;
        assert_eq!(error_code(&twice), "CONFLICT", "{twice}");
        let body = app.gql(present, json!({ "id": v1 })).await;
        assert_eq!(error_code(&body), "REVIEW_REQUIRED");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("TECHNICAL, LEGAL did not approve"),
            "{body}"
        );
        let state = app.ok(VERSION, json!({ "id": v1 })).await;
        assert_eq!(
            field(&state, &["node", "review", "waiting"]),
            &json!(["TECHNICAL", "LEGAL"])
        );
        // Legal asks for changes: a comment is required, and the version stops.
        let (code, f) = app
            .fails(
                review,
                json!({ "id": v1, "r": "LEGAL", "v": "CHANGES_REQUESTED" }),
            )
            .await;
        assert_eq!(
            (code.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("comment"))
        );
        let asked = app
            .gql_as(Some(&reviewers[3].1), review,
                json!({ "id": v1, "r": "LEGAL", "v": "CHANGES_REQUESTED", "c": "liability cap missing" }))
            .await;
        assert_eq!(
            asked["data"]["reviewProposalVersion"]["status"], "CHANGES_REQUESTED",
            "{asked}"
        );
        // The change after approvals needs the whole review again.
        let update = "mutation($id: ID!, $i: ProposalContentInput!) { updateProposalVersion(id: $id, input: $i) { status revision } }";
        let mut content = proposal_content("OUTLINE", "1200.00");
        content["afterSalesTerms"] = json!("24x7 support; liability capped at the contract value");
        let updated = app.ok(update, json!({ "id": v1, "i": content })).await;
        assert_eq!(
            updated["updateProposalVersion"],
            json!({ "status": "DRAFT", "revision": 2 })
        );
        let state = app.ok(VERSION, json!({ "id": v1 })).await;
        assert_eq!(field(&state, &["node", "review", "approved"]), &json!([]));
        assert_eq!(
            field(&state, &["node", "reviews"])
                .as_array()
                .unwrap()
                .len(),
            3,
            "history kept"
        );
        assert_eq!(approve(&app, &reviewers, &v1).await, "APPROVED");
        let shown = app.ok(present, json!({ "id": v1 })).await;
        assert_eq!(shown["presentProposalVersion"]["status"], "PRESENTED");
        let (code, _) = app
            .fails(
                update,
                json!({ "id": v1, "i": proposal_content("OUTLINE", "1.00") }),
            )
            .await;
        assert_eq!(code, "CONFLICT", "a presented version is frozen");

        // The client sees it, not its review, and says what it thinks.
        let seen = app
            .gql_as(Some(&portal), VERSION, json!({ "id": v1 }))
            .await;
        assert_eq!(
            field(&seen, &["data", "node", "status"]),
            "PRESENTED",
            "{seen}"
        );
        assert!(field(&seen, &["data", "node", "review"]).is_null());
        assert_eq!(field(&seen, &["data", "node", "reviews"]), &json!([]));
        let said = app
            .gql_as(Some(&portal),
                "mutation($i: ProposalFeedbackInput!) { addProposalFeedback(input: $i) { id status contact { name } } }",
                json!({ "i": { "proposalVersionId": v1, "kind": "PRICE_CONCERN", "body": "too expensive for 10 seats" } }))
            .await;
        assert!(said.get("errors").is_none(), "{said}");
        let fb = said["data"]["addProposalFeedback"]["id"].clone();
        app.ok(
            "mutation($id: ID!) { respondToProposalFeedback(id: $id, status: ANSWERED, response: \"volume price in v2\") { status } }",
            json!({ "id": fb }),
        )
        .await;

        // Version 2 answers it; the client's one query shows both, what it said, what changed.
        let v2 = app
            .ok(
                CREATE,
                json!({ "p": project, "i": proposal_content("FINAL", "1000.00") }),
            )
            .await["createProposalVersion"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let hidden = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": v2 }),
            )
            .await;
        assert!(
            hidden["data"]["node"].is_null(),
            "a draft is not the client's: {hidden}"
        );
        approve(&app, &reviewers, &v2).await;
        app.ok(present, json!({ "id": v2 })).await;
        let history = app
            .gql_as(Some(&portal),
                "query($id: ID!) { project(id: $id) { proposalVersions { number stage feedback { kind response }
                  changesFromPrevious { comparedTo totalBefore { amount } totalAfter { amount } } } } }",
                json!({ "id": project }))
            .await;
        let versions = &history["data"]["project"]["proposalVersions"];
        assert_eq!(
            versions[0]["feedback"],
            json!([{ "kind": "PRICE_CONCERN", "response": "volume price in v2" }])
        );
        assert_eq!(
            versions[1]["changesFromPrevious"],
            json!({ "comparedTo": 1,
            "totalBefore": { "amount": "12000.00" }, "totalAfter": { "amount": "10000.00" } })
        );

        // Step 4: negotiation, checked against what the proposal would not negotiate.
        app.ok(
            "mutation($id: ID!) { changeProjectStatus(id: $id, status: NEGOTIATION) { status } }",
            json!({ "id": project }),
        )
        .await;
        let round = app
            .ok(
                "mutation($p: ID!) { openNegotiationRound(projectId: $p, heldAt: \"2026-11-23T02:00:00Z\", summary: \"price and IP\") { id number } }",
                json!({ "p": project }),
            )
            .await["openNegotiationRound"]["id"]
            .clone();
        let propose = "mutation($i: ProposeTermInput!) { proposeTerm(input: $i) { id outcome proposalItem } }";
        let (code, f) = app
            .fails(
                propose,
                json!({ "i": { "roundId": round, "kind": "OTHER", "proposedBy": "CLIENT",
                "proposalItem": "Free hardware", "text": "x" } }),
            )
            .await;
        assert_eq!(
            (code.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("proposalItem"))
        );
        let ip = app
            .ok(propose, json!({ "i": { "roundId": round, "kind": "INTELLECTUAL_PROPERTY", "proposedBy": "CLIENT",
                "proposalItem": "source code ownership", "text": "we own the source code" } }))
            .await["proposeTerm"]["id"]
            .clone();
        let price = app
            .ok(propose, json!({ "i": { "roundId": round, "kind": "PRICE", "proposedBy": "CLIENT", "text": "9000" } }))
            .await["proposeTerm"]["id"]
            .clone();
        let counter = app
            .ok(propose, json!({ "i": { "roundId": round, "kind": "PRICE", "proposedBy": "VENDOR", "text": "9500", "counterOf": price } }))
            .await["proposeTerm"]["id"]
            .clone();
        let decide = "mutation($id: ID!, $o: TermOutcome!) { decideTerm(id: $id, outcome: $o) { outcome concedesNonNegotiable } }";
        let agreed = app.ok(decide, json!({ "id": ip, "o": "AGREED" })).await;
        assert_eq!(
            agreed["decideTerm"],
            json!({ "outcome": "AGREED", "concedesNonNegotiable": true })
        );
        app.ok(decide, json!({ "id": counter, "o": "AGREED" }))
            .await;
        let (code, _) = app
            .fails(decide, json!({ "id": price, "o": "AGREED" }))
            .await;
        assert_eq!(
            code, "INVALID_TRANSITION",
            "a countered term stays countered"
        );
        let terms = app
            .gql_as(Some(&portal),
                "query($id: ID!) { project(id: $id) { negotiationRounds { id } negotiationTerms { text outcome concedesNonNegotiable round { id } counterOf { id } } } }",
                json!({ "id": project }))
            .await;
        assert_eq!(
            terms["data"]["project"],
            json!({ "negotiationRounds": [], "negotiationTerms": [
            { "text": "we own the source code", "outcome": "AGREED", "concedesNonNegotiable": null, "round": null, "counterOf": null },
            { "text": "9500", "outcome": "AGREED", "concedesNonNegotiable": null, "round": null, "counterOf": null }] }),
            "{terms}"
        );

        // The contract, step by step; countersigning signs the project in the same change.
        let contract = app
            .ok(
                "mutation($p: ID!) { draftContract(input: { projectId: $p, number: \"C-2026-7\", value: { amount: \"95000.00\", currency: \"CNY\" } }) { id status } }",
                json!({ "p": project }),
            )
            .await["draftContract"]["id"]
            .clone();
        let advance = "mutation($id: ID!, $to: ContractStatus!, $s: ID) { advanceContract(id: $id, to: $to, clientSignerId: $s) { status steps { status by { name } } } }";
        let (code, _) = app
            .fails(advance, json!({ "id": contract, "to": "SENT" }))
            .await;
        assert_eq!(
            code, "INVALID_TRANSITION",
            "legal reviews before it is sent"
        );
        let contract_q = "query($id: ID!) { project(id: $id) { status contractNumber contractSignedOn contract { status value { amount } clientSigner { name } } } }";
        app.ok(advance, json!({ "id": contract, "to": "LEGAL_REVIEW" }))
            .await;
        let before = app
            .gql_as(Some(&portal), contract_q, json!({ "id": project }))
            .await;
        assert!(
            before["data"]["project"]["contract"].is_null(),
            "in legal review: {before}"
        );
        app.ok(advance, json!({ "id": contract, "to": "SENT" }))
            .await;
        let sent = app
            .gql_as(Some(&portal), contract_q, json!({ "id": project }))
            .await;
        assert_eq!(
            sent["data"]["project"]["contract"]["status"], "SENT",
            "{sent}"
        );
        let (code, f) = app
            .fails(advance, json!({ "id": contract, "to": "CLIENT_SIGNED" }))
            .await;
        assert_eq!(
            (code.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some("clientSignerId"))
        );
        app.ok(
            advance,
            json!({ "id": contract, "to": "CLIENT_SIGNED", "s": buyer }),
        )
        .await;
        let pipeline = app
            .ok("{ pipeline { phases { phase projects quotedValue { amount } weightedValue { amount } }
                contractsAwaitingSignature { number status } proposalsAwaitingReview { id } } }", json!({}))
            .await;
        let phases = &pipeline["pipeline"]["phases"];
        assert_eq!(
            phases[3],
            json!({ "phase": "NEGOTIATION", "projects": 1,
            "quotedValue": [{ "amount": "10000.00" }], "weightedValue": [{ "amount": "7000.00" }] })
        );
        assert_eq!(
            pipeline["pipeline"]["contractsAwaitingSignature"],
            json!([{ "number": "C-2026-7", "status": "CLIENT_SIGNED" }])
        );
        let done = app
            .ok(advance, json!({ "id": contract, "to": "COUNTERSIGNED" }))
            .await;
        assert_eq!(
            done["advanceContract"]["steps"].as_array().unwrap().len(),
            5
        );
        let signed = app.ok(contract_q, json!({ "id": project })).await;
        assert_eq!(
            signed["project"],
            json!({ "status": "CONTRACT_SIGNED", "contractNumber": "C-2026-7",
            "contractSignedOn": "2026-11-23", "contract": { "status": "COUNTERSIGNED",
            "value": { "amount": "95000.00" }, "clientSigner": { "name": "Zhang Hua" } } })
        );
        // The portal's timeline saw the road's public steps, never the internal ones.
        let activity = app
            .gql_as(Some(&portal),
                "query($id: ID!) { project(id: $id) { events(last: 100) { entityKind toStatus } } }",
                json!({ "id": project }))
            .await;
        let seen: Vec<String> = activity["data"]["project"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["entityKind"].as_str().unwrap(),
                    e["toStatus"].as_str().unwrap_or("")
                )
            })
            .collect();
        for want in [
            "PROPOSAL_VERSION:PRESENTED",
            "NEGOTIATION_TERM:AGREED",
            "CONTRACT:SENT",
            "CONTRACT:COUNTERSIGNED",
            "PROJECT:CONTRACT_SIGNED",
        ] {
            assert!(
                seen.contains(&want.to_owned()),
                "{want} missing from {seen:?}"
            );
        }
        for never in ["PROPOSAL_REVIEW", "NEGOTIATION_ROUND"] {
            assert!(
                !seen.iter().any(|s| s.starts_with(never)),
                "{never} in {seen:?}"
            );
        }
        assert!(!seen.contains(&"CONTRACT:LEGAL_REVIEW".to_owned()));
        assert!(!seen.contains(&"PROPOSAL_VERSION:IN_REVIEW".to_owned()));
    }
);

const POLICY: &str = "mutation($i: UpdateServiceLevelPolicyInput!) { createServiceLevelPolicy(name: \"Acme 24x7\", input: $i) { id name } }";

db_test!(
    a_contracts_policy_sets_its_tickets_clocks_and_a_change_retargets_them,
    at = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
    |app| {
        let policy = app
            .ok(POLICY, json!({ "i": { "timeZone": "Asia/Shanghai", "workDays": ["MON","TUE","WED","THU","FRI","SAT","SUN"],
                "opensAt": "00:00:00", "closesAt": "23:59:00",
                "targets": [{ "priority": "HIGH", "clock": "FIRST_RESPONSE", "minutes": 30, "businessHours": false },
                            { "priority": "HIGH", "clock": "RESOLUTION", "minutes": 240, "businessHours": false }] } }))
            .await["createServiceLevelPolicy"]["id"]
            .clone();
        let client = helpers::client(&app, "Acme").await;
        let project = pre_contract_project(&app, &client, "Fleet", "NEGOTIATION").await;
        let contract = app
            .ok("mutation($p: ID!, $s: ID!) { draftContract(input: { projectId: $p, number: \"C-1\", serviceLevelPolicyId: $s,
                   value: { amount: \"1.00\", currency: \"CNY\" } }) { id } }", json!({ "p": project, "s": policy }))
            .await["draftContract"]["id"]
            .clone();
        let buyer = helpers::contact(&app, &client).await;
        for (to, signer) in [
            ("LEGAL_REVIEW", None),
            ("SENT", None),
            ("CLIENT_SIGNED", Some(&buyer)),
            ("COUNTERSIGNED", None),
        ] {
            app.ok("mutation($id: ID!, $to: ContractStatus!, $s: ID) { advanceContract(id: $id, to: $to, clientSignerId: $s) { status } }",
                json!({ "id": contract, "to": to, "s": signer })).await;
        }
        let followed = app
            .ok(
                "query($id: ID!) { project(id: $id) { serviceLevelPolicy { name } } }",
                json!({ "id": project }),
            )
            .await;
        assert_eq!(
            followed["project"]["serviceLevelPolicy"]["name"],
            "Acme 24x7"
        );
        let ticket = app
            .ok("mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"Down\", description: \"d\", type: SOFTWARE_BUG, priority: HIGH }) { id } }",
                json!({ "p": project }))
            .await["createTicket"]["id"]
            .clone();
        let clocks = "query($id: ID!) { node(id: $id) { ... on Ticket { serviceLevelClocks { kind targetMinutes businessHours breachesAt } } } }";
        let first = app.ok(clocks, json!({ "id": ticket })).await;
        assert_eq!(
            first["node"]["serviceLevelClocks"][0]["targetMinutes"], 30,
            "{first}"
        );
        assert_eq!(
            first["node"]["serviceLevelClocks"][0]["breachesAt"],
            "2026-11-23T01:30:00+00:00"
        );

        // An hour later the contract falls back to the default policy: the running clocks
        // take its targets, counted from the time already spent.
        app.time.advance(chrono::Duration::minutes(10));
        app.ok(
            "mutation($id: ID!) { setContractServiceLevelPolicy(id: $id, policyId: null) { id } }",
            json!({ "id": contract }),
        )
        .await;
        let after = app.ok(clocks, json!({ "id": ticket })).await;
        let c = &after["node"]["serviceLevelClocks"][0];
        assert_ne!(c["targetMinutes"], 30, "{after}");
        assert_eq!(
            c["businessHours"], true,
            "the default policy counts business hours: {after}"
        );

        // The stored clocks are still the fold of the ticket's events.
        use entity::ticket_clock;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let id = helpers::db_id(ticket.as_str().unwrap());
        let stored: Vec<_> = ticket_clock::Entity::find()
            .filter(ticket_clock::Column::TicketId.eq(id))
            .order_by_asc(ticket_clock::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .iter()
            .map(delivery_desk::service::service_levels::clock_of)
            .collect();
        let replayed = delivery_desk::service::service_levels::replay(&app.db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(replayed.clocks, stored);
    }
);
