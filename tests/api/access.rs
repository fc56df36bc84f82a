//! Access control, tested by trying to break it.

use delivery_desk::{auth::token::Role, startup::Options};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, *},
};

const TYPE_REF: &str = "fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

fn named(t: &Value) -> &Value {
    if t["ofType"].is_null() {
        t
    } else {
        named(&t["ofType"])
    }
}

/// A literal of GraphQL type `t` that passes validation.
fn literal(t: &Value, types: &[Value]) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => literal(&t["ofType"], types),
        "LIST" => format!("[{}]", literal(&t["ofType"], types)),
        "ENUM" => {
            let def = types.iter().find(|d| d["name"] == t["name"]).unwrap();
            def["enumValues"][0]["name"].as_str().unwrap().to_owned()
        }
        "INPUT_OBJECT" => {
            let def = types.iter().find(|d| d["name"] == t["name"]).unwrap();
            let fields: Vec<String> = def["inputFields"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["type"]["kind"] == "NON_NULL" && f["defaultValue"].is_null())
                .map(|f| {
                    format!(
                        "{}: {}",
                        f["name"].as_str().unwrap(),
                        literal(&f["type"], types)
                    )
                })
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        _ => match t["name"].as_str().unwrap() {
            "Int" => "1".into(),
            "Boolean" => "true".into(),
            "NaiveDate" => "\"2026-01-01\"".into(),
            "DateTime" => "\"2026-01-01T00:00:00Z\"".into(),
            _ => "\"eA\"".into(),
        },
    }
}

/// One document per root field of `root` (`queryType`, `mutationType` or
/// `subscriptionType`), with the
/// required arguments filled in.
async fn root_field_documents(app: &TestApp, root: &str) -> Vec<(String, String)> {
    let schema = app
        .ok(
            &format!(
                "{{ __schema {{ {root} {{ fields {{ name type {{ ...T }} args {{ name defaultValue type {{ ...T }} }} }} }}
                   types {{ name enumValues {{ name }} inputFields {{ name defaultValue type {{ ...T }} }} }} }} }} {TYPE_REF}"
            ),
            json!({}),
        )
        .await;
    let types = schema["__schema"]["types"].as_array().unwrap().clone();
    let keyword = match root {
        "queryType" => "query",
        "mutationType" => "mutation",
        _ => "subscription",
    };
    let mut docs = Vec::new();
    for field in schema["__schema"][root]["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap().to_owned();
        let args: Vec<String> = field["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
            .map(|a| {
                format!(
                    "{}: {}",
                    a["name"].as_str().unwrap(),
                    literal(&a["type"], &types)
                )
            })
            .collect();
        let args = if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        };
        let selection = match named(&field["type"])["kind"].as_str().unwrap() {
            "OBJECT" | "INTERFACE" | "UNION" => " { __typename }",
            _ => "",
        };
        docs.push((
            name.clone(),
            format!("{keyword} {{ {name}{args}{selection} }}"),
        ));
    }
    docs
}

/// Two risks on `project`: "Supplier delay", shared with the client, and "Client CIO may
/// leave", not.
async fn shared_and_internal_risks(app: &TestApp, project: &str) {
    for (title, shared) in [("Supplier delay", true), ("Client CIO may leave", false)] {
        app.ok(
            "mutation($p: ID!, $t: String!, $s: Boolean!) { createRisk(input: { projectId: $p, title: $t, category: SCHEDULE, likelihood: 3, impact: 3, sharedWithClient: $s }) { id } }",
            json!({ "p": project, "t": title, "s": shared }),
        )
        .await;
    }
}

db_test!(anonymous_callers_reach_no_root_field, |app| {
    let mut checked = 0;
    for root in ["queryType", "mutationType"] {
        for (field, doc) in root_field_documents(&app, root).await {
            let body = app.gql_as(None, &doc, json!({})).await;
            let codes: Vec<&str> = body["errors"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .filter_map(|e| e["extensions"]["code"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(codes, ["UNAUTHENTICATED"], "{field}: {body}");
            checked += 1;
        }
    }
    assert!(checked > 30, "every root field is covered: {checked}");
    assert_eq!(
        app.count("clients").await,
        0,
        "no anonymous mutation wrote anything"
    );
    // What stays public: __typename and introspection.
    let public = app
        .gql_as(
            None,
            "{ __typename __schema { queryType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(public["data"]["__typename"], "Query");
    assert!(public.get("errors").is_none());
});

db_test!(anonymous_subscribers_reach_no_root_subscription, |app| {
    // The connection itself is accepted (a token is optional in `connection_init`), but
    // every feed refuses an anonymous caller.
    let mut ws = app.ws(None).await;
    let docs = root_field_documents(&app, "subscriptionType").await;
    assert!(
        docs.len() >= 3,
        "every root subscription is covered: {docs:?}"
    );
    for (i, (field, doc)) in docs.iter().enumerate() {
        let id = i.to_string();
        ws.subscribe(&id, doc, json!({})).await;
        let reply = ws.recv().await;
        assert_eq!(reply["id"], id.as_str(), "{field}: {reply}");
        assert_eq!(reply["type"], "error", "{field}: {reply}");
        assert_eq!(
            reply["payload"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{field}: {reply}"
        );
    }
});

db_test!(a_portal_user_cannot_change_what_only_staff_may, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "R-1").await;
    let sid = stage(&app, &pid, "Kickoff").await;
    let tid = ticket(&app, &pid, "Broken").await;
    let client_db_id = db_id(&acme);
    let contact = contact(&app, &acme).await;
    let portal = app.token(
        &format!("contact:{}", db_id(&contact)),
        Role::Client,
        Some(client_db_id),
    );
    let staff_only = [
        (
            "mutation($c: ID!) { updateClient(id: $c, input: { name: \"x\" }) { id } }",
            json!({ "c": acme }),
        ),
        (
            "mutation($s: ID!) { changeStageStatus(id: $s, status: IN_PROGRESS) { id } }",
            json!({ "s": sid }),
        ),
        (
            "mutation($t: ID!) { changeTicketStatus(id: $t, status: ACKNOWLEDGED) { id } }",
            json!({ "t": tid }),
        ),
        (
            "mutation { createClient(input: { name: \"Mine now\" }) { id } }",
            json!({}),
        ),
        (
            "mutation { createUser(input: { name: \"x\", email: \"x@y.z\" }) { id } }",
            json!({}),
        ),
        ("{ users { totalCount } }", json!({})),
        ("{ events { totalCount } }", json!({})),
    ];
    for (doc, vars) in staff_only {
        let body = app.gql_as(Some(&portal), doc, vars).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{doc}: {body}"
        );
    }
    let readonly = app.token("user:1", Role::StaffReadonly, None);
    let body = app
        .gql_as(
            Some(&readonly),
            "mutation { createClient(input: { name: \"x\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let body = app
        .gql_as(Some(&readonly), "{ projects { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["projects"]["totalCount"], 1);
    assert_eq!(app.count("clients").await, 1);
});

db_test!(
    a_portal_user_sees_only_its_own_client_and_nothing_internal,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let rival = helpers::client(&app, "Rival").await;
        let mine = signed_project(&app, &acme, "A-1").await;
        let theirs = signed_project(&app, &rival, "B-1").await;
        stage(&app, &mine, "Hardware delivered").await;
        let their_ticket = ticket(&app, &theirs, "Their secret").await;
        let my_ticket = ticket(&app, &mine, "Mine").await;
        shared_and_internal_risks(&app, &mine).await;
        for (body, internal) in [("We are on it.", false), ("Customer is difficult.", true)] {
            app.ok(
            "mutation($t: ID!, $b: String!, $i: Boolean!) { addTicketComment(ticketId: $t, body: $b, internal: $i) { id } }",
            json!({ "t": my_ticket, "b": body, "i": internal }),
        )
        .await;
        }
        app.ok(
        "mutation($c: ID!) { updateClient(id: $c, input: { budgetRange: \"CNY 2M\", decisionChain: \"CIO decides\" }) { id } }",
        json!({ "c": acme }),
    )
    .await;
        let contact = contact(&app, &acme).await;
        let portal = app.token(
            &format!("contact:{}", db_id(&contact)),
            Role::Client,
            Some(db_id(&acme)),
        );

        let body = app
        .gql_as(
            Some(&portal),
            "{ projects { totalCount edges { node { name contractValue { amount }
                 client { name intentLevel budgetRange decisionChain }
                 risks { title } stages { name } tickets { title comments { body } } events(last: 50) { entityKind changes } } } }
               tickets { totalCount } clients { totalCount } }",
            json!({}),
        )
        .await;
        assert!(body.get("errors").is_none(), "{body}");
        let data = &body["data"];
        assert_eq!(data["projects"]["totalCount"], 1);
        assert_eq!(data["tickets"]["totalCount"], 1);
        assert_eq!(data["clients"]["totalCount"], 1);
        let p = &data["projects"]["edges"][0]["node"];
        assert!(
            p["contractValue"].is_null(),
            "contract values are internal by default"
        );
        assert_eq!(
            p["client"],
            json!({ "name": "Acme", "intentLevel": null, "budgetRange": null, "decisionChain": null })
        );
        assert_eq!(p["risks"], json!([{ "title": "Supplier delay" }]));
        assert_eq!(
            p["tickets"][0]["comments"],
            json!([{ "body": "We are on it." }])
        );
        for event in p["events"].as_array().unwrap() {
            assert_ne!(event["entityKind"], "RISK");
            assert_eq!(event["changes"], json!({}));
        }

        // Another client's objects do not exist for it, by any road.
        for (doc, field) in [
            ("query($id: ID!) { node(id: $id) { id } }", "node"),
            ("query($id: ID!) { project(id: $id) { id } }", "project"),
        ] {
            let body = app
                .gql_as(Some(&portal), doc, json!({ "id": theirs }))
                .await;
            assert!(body["data"][field].is_null(), "{body}");
            assert!(
                body.get("errors").is_none(),
                "no hint that it exists: {body}"
            );
        }
        let body = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { ticket(id: $id) { id } }",
                json!({ "id": their_ticket }),
            )
            .await;
        assert!(body["data"]["ticket"].is_null());
        let body = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { client(id: $id) { id } }",
                json!({ "id": rival }),
            )
            .await;
        assert!(body["data"]["client"].is_null());
        let filtered = app
            .gql_as(
                Some(&portal),
                "query($c: ID!) { projects(filter: { clientIds: [$c] }) { totalCount } }",
                json!({ "c": rival }),
            )
            .await;
        assert_eq!(filtered["data"]["projects"]["totalCount"], 0);

        // What the portal may do, for its own client only.
        // Asking for another channel is refused, not rewritten.
        let phoned = app
        .gql_as(
            Some(&portal),
            "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"Printer jams\", type: HARDWARE_FAULT, channel: PHONE }) { channel } }",
            json!({ "p": mine }),
        )
        .await;
        assert_eq!(error_code(&phoned), "BAD_USER_INPUT", "{phoned}");
        assert_eq!(error_field(&phoned), Some("channel"));
        let opened = app
        .gql_as(
            Some(&portal),
            "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"Printer jams\", type: HARDWARE_FAULT }) { channel reporter { name } } }",
            json!({ "p": mine }),
        )
        .await;
        assert_eq!(
            opened["data"]["createTicket"],
            json!({ "channel": "PORTAL", "reporter": { "name": "Zhang Hua" } })
        );
        let foreign = app
        .gql_as(
            Some(&portal),
            "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"x\", type: HARDWARE_FAULT }) { id } }",
            json!({ "p": theirs }),
        )
        .await;
        let missing = app
        .gql_as(
            Some(&portal),
            "mutation { createTicket(input: { projectId: \"UHJvamVjdDo5OTk\", title: \"x\", type: HARDWARE_FAULT }) { id } }",
            json!({}),
        )
        .await;
        assert_eq!(
            foreign["errors"][0]["message"], missing["errors"][0]["message"],
            "a foreign project looks like a missing one"
        );
        let comment = "mutation($t: ID!, $i: Boolean!) { addTicketComment(ticketId: $t, body: \"Any news?\", internal: $i) { authorContact { name } } }";
        let ok = app
            .gql_as(
                Some(&portal),
                comment,
                json!({ "t": my_ticket, "i": false }),
            )
            .await;
        assert_eq!(
            ok["data"]["addTicketComment"]["authorContact"]["name"],
            "Zhang Hua"
        );
        let internal = app
            .gql_as(Some(&portal), comment, json!({ "t": my_ticket, "i": true }))
            .await;
        assert_eq!(internal["errors"][0]["extensions"]["code"], "FORBIDDEN");
        let theirs_comment = app
            .gql_as(
                Some(&portal),
                comment,
                json!({ "t": their_ticket, "i": false }),
            )
            .await;
        assert_eq!(
            theirs_comment["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
        assert_eq!(
            app.count("tickets").await,
            3,
            "the foreign ticket was not opened"
        );

        // The audit trail names the portal user as the actor; staff read it.
        let trail = app
            .ok(
                "{ events(filter: { kinds: [CREATED] }, newestFirst: true, first: 1) { edges { node { entityKind actorKind actorContact { name } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            trail["events"]["edges"][0]["node"],
            json!({ "entityKind": "TICKET_COMMENT", "actorKind": "CONTACT", "actorContact": { "name": "Zhang Hua" } })
        );

        // A contract value marked shareable is shown.
        app.ok(
            "mutation($p: ID!) { updateProject(id: $p, input: { contractValueInternal: false }) { id } }",
            json!({ "p": mine }),
        )
        .await;
        let shown = app
            .gql_as(
                Some(&portal),
                "query($p: ID!) { project(id: $p) { contractValue { amount currency } } }",
                json!({ "p": mine }),
            )
            .await;
        assert_eq!(
            shown["data"]["project"]["contractValue"],
            json!({ "amount": "1000.00", "currency": "CNY" })
        );
    }
);

db_test!(bad_tokens_are_refused_with_401, |app| {
    let good = app.token("user:1", Role::Staff, None);
    let expired = app
        .keys
        .mint("user:1".into(), Role::Staff, None, -3600)
        .unwrap();
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged_payload = base64_url(
        r#"{"sub":"user:1","role":"ADMIN","aud":"delivery-desk","exp":9999999999,"iat":0}"#,
    );
    parts[1] = &forged_payload;
    let tampered = parts.join(".");
    let unsigned = format!(
        "{}.{}.",
        base64_url(r#"{"alg":"none","typ":"JWT"}"#),
        forged_payload
    );
    for token in [
        expired.as_str(),
        tampered.as_str(),
        unsigned.as_str(),
        "garbage",
    ] {
        let res = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(token)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{token}");
        assert!(res.headers().contains_key("www-authenticate"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
});

db_test!(a_caller_over_its_rate_gets_429_with_retry_after, |app| {
    let backend = app.backend;
    drop(app);
    let app = spawn_app_with(
        backend,
        Options {
            rate_limit_per_minute: 3,
            ..crate::helpers::test_options()
        },
    )
    .await
    .unwrap();
    let token = app.token("user:1", Role::Staff, None);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let res = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        statuses.push((
            res.status().as_u16(),
            res.headers().get("retry-after").is_some(),
        ));
    }
    assert_eq!(
        statuses,
        [(200, false), (200, false), (200, false), (429, true)]
    );
    // Another caller has its own budget.
    let other = app.token("user:2", Role::Staff, None);
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&other)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
});

fn base64_url(s: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(s)
}

db_test!(the_viewer_is_who_the_server_says_the_token_is, |app| {
    const VIEWER: &str = "{ viewer { role user { name } contact { name } client { name } } }";
    let staff = app.ok(VIEWER, json!({})).await;
    assert_eq!(
        staff["viewer"],
        json!({ "role": "ADMIN", "user": { "name": "Admin" }, "contact": null, "client": null })
    );
    let acme = helpers::client(&app, "Acme").await;
    let contact = helpers::contact(&app, &acme).await;
    let portal = helpers::portal_token(&app, &acme, &contact);
    let body = app.gql_as(Some(&portal), VIEWER, json!({})).await;
    assert_eq!(
        body["data"]["viewer"],
        json!({ "role": "CLIENT", "user": null, "contact": { "name": "Zhang Hua" }, "client": { "name": "Acme" } })
    );
    let anonymous = app.gql_as(None, VIEWER, json!({})).await;
    assert_eq!(helpers::error_code(&anonymous), "UNAUTHENTICATED");
});

db_test!(
    a_clients_intent_history_says_who_graded_it_when_and_why,
    |app| {
        let acme = helpers::client(&app, "Acme").await; // HIGH at creation
        let update = "mutation($id: ID!, $i: UpdateClientInput!) { updateClient(id: $id, input: $i) { intentLevel } }";
        app.ok(update, json!({ "id": acme, "i": { "intentLevel": "MEDIUM", "intentReason": "budget moved to next year" } }))
        .await;
        app.ok(update, json!({ "id": acme, "i": { "intentLevel": "LOW" } }))
            .await;
        // The same level again is no grading; a reason without a new level is refused.
        app.ok(update, json!({ "id": acme, "i": { "intentLevel": "LOW" } }))
            .await;
        let (code, field) = app
            .fails(
                update,
                json!({ "id": acme, "i": { "intentReason": "just because" } }),
            )
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("intentReason"))
        );

        const HISTORY: &str = "query($id: ID!) { client(id: $id) { intentHistory { level previous reason gradedAt gradedBy { name } } } }";
        let history =
            app.ok(HISTORY, json!({ "id": acme })).await["client"]["intentHistory"].clone();
        let seen: Vec<_> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["previous"].clone(),
                    g["level"].clone(),
                    g["reason"].clone(),
                    g["gradedBy"]["name"].clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (Value::Null, json!("HIGH"), Value::Null, json!("Admin")),
                (
                    json!("HIGH"),
                    json!("MEDIUM"),
                    json!("budget moved to next year"),
                    json!("Admin")
                ),
                (json!("MEDIUM"), json!("LOW"), Value::Null, json!("Admin")),
            ]
        );
        // Sales-internal: the portal sees no history, and no grading in its feeds.
        let contact = helpers::contact(&app, &acme).await;
        let portal = helpers::portal_token(&app, &acme, &contact);
        let body = app
            .gql_as(Some(&portal), HISTORY, json!({ "id": acme }))
            .await;
        assert_eq!(
            body["data"]["client"]["intentHistory"],
            Value::Null,
            "{body}"
        );
        let events = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { client(id: $id) { events(last: 100) { kind } } }",
                json!({ "id": acme }),
            )
            .await;
        assert!(!events.to_string().contains("INTENT_GRADED"), "{events}");
    }
);

db_test!(
    children_of_a_row_the_portal_was_shown_skip_only_the_ownership_check,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let mine = signed_project(&app, &acme, "A-1").await;
        stage(&app, &mine, "Hardware delivered").await;
        ticket(&app, &mine, "Printer offline").await;
        shared_and_internal_risks(&app, &mine).await;
        let portal = portal_token(&app, &acme, &contact(&app, &acme).await);
        // What reads `table`'s rows: its own statement, or its subquery in the statement
        // of the page its rows are children of (`graphql::nested`), from its FROM on.
        let statement_of = |table: &str| {
            let from = format!("FROM \"{table}\" WHERE");
            app.sql()
                .into_iter()
                .find_map(|s| {
                    let rest = &s[s.find(&from)?..];
                    Some(rest[..rest.find(" AS \"").unwrap_or(rest.len())].to_owned())
                })
                .unwrap_or_else(|| panic!("nothing reads {table}: {:?}", app.sql()))
        };

        // The projects were read under the portal rule: their stages, risks and tickets
        // are not checked against the client again, but a risk's own rule still is.
        app.settle_statements().await;
        let page = app
            .gql_as(
                Some(&portal),
                "{ projects { edges { node { stages { name } risks { title } tickets { title } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            page["data"]["projects"]["edges"][0]["node"],
            json!({
                "stages": [{ "name": "Hardware delivered" }],
                "risks": [{ "title": "Supplier delay" }],
                "tickets": [{ "title": "Printer offline" }],
            }),
            "{page}"
        );
        let tickets = statement_of("tickets");
        assert!(!tickets.contains("\"client_id\""), "{tickets}");
        let stages = statement_of("stages");
        assert!(!stages.contains("FROM \"projects\""), "{stages}");
        let risks = statement_of("risks");
        assert!(
            !risks.contains("FROM \"projects\"") && risks.contains("\"shared_with_client\""),
            "{risks}"
        );

        // A row a mutation answered with was not read under the rule: its children get
        // the whole of theirs.
        app.settle_statements().await;
        let opened = app
            .gql_as(
                Some(&portal),
                "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"Printer jams\", type: HARDWARE_FAULT }) { title comments { body } } }",
                json!({ "p": mine }),
            )
            .await;
        assert_eq!(
            opened["data"]["createTicket"],
            json!({ "title": "Printer jams", "comments": [] }),
            "{opened}"
        );
        let comments = statement_of("ticket_comments");
        assert!(comments.contains("\"tickets\""), "{comments}");
    }
);

db_test!(
    a_ticket_s_client_is_its_project_s_in_the_database_too,
    |app| {
        use sea_orm::ConnectionTrait;
        let acme = helpers::client(&app, "Acme").await;
        let rival = helpers::client(&app, "Rival").await;
        let mine = signed_project(&app, &acme, "A-1").await;
        let printer = ticket(&app, &mine, "Printer offline").await;
        let run = |sql: String| {
            let db = app.db.clone();
            async move { db.execute_unprepared(&sql).await }
        };
        // The portal reads a shown project's tickets without checking their client again
        // (`Scoped::portal_under`), so no write may make the two disagree.
        let (acme, rival, mine, printer) =
            (db_id(&acme), db_id(&rival), db_id(&mine), db_id(&printer));
        let moved = run(format!(
            "UPDATE tickets SET client_id = {rival} WHERE id = {printer}"
        ))
        .await;
        assert!(
            moved.is_err(),
            "a ticket moved to another client: {moved:?}"
        );
        let moved = run(format!(
            "UPDATE projects SET client_id = {rival} WHERE id = {mine}"
        ))
        .await;
        assert!(
            moved.is_err(),
            "a project moved away from its tickets' client: {moved:?}"
        );
        let copy_for = |client: i64| {
            format!(
                "INSERT INTO tickets (project_id, client_id, title, description, ticket_type, priority, grade, status, channel, created_at, updated_at, version) \
             SELECT project_id, {client}, title, description, ticket_type, priority, grade, status, channel, created_at, updated_at, version FROM tickets WHERE id = {printer}"
            )
        };
        let copied = run(copy_for(rival)).await;
        assert!(
            copied.is_err(),
            "a ticket opened for another client: {copied:?}"
        );
        // Writes that keep them equal pass.
        run(format!(
            "UPDATE tickets SET client_id = {acme} WHERE id = {printer}"
        ))
        .await
        .expect("same client");
        run(copy_for(acme))
            .await
            .expect("a ticket of the project's client");
        assert_eq!(app.count("tickets").await, 2);
    }
);
