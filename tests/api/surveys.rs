//! Satisfaction beyond tickets: milestone ratings by the client's contacts once a stage is
//! done, the quarterly survey (opened for clients, answered once per contact, reported by
//! client against the previous survey), and the satisfaction report side by side.

use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, error_code, portal_token},
};

const RATE: &str = "mutation($i: RateMilestoneInput!) { rateMilestone(input: $i) {
    score comment contact { name } stage { name } recordedBy { name } } }";
const OPEN: &str = "mutation($i: OpenSurveyInput!) { openSurvey(input: $i) {
    id title status clients { client { name } invited } version } }";
const ANSWER: &str = "mutation($i: AnswerSurveyInput!) { answerSurvey(input: $i) {
    score recommend comment contact { name } client { name } } }";
const REPORT: &str = "query($id: ID!) { surveyReport(id: $id) {
    survey { title } previousSurvey { title }
    overall { invited responses responseRate averageScore averageRecommend netPromoterScore distribution { score count } }
    previous { responses averageScore }
    trend { direction averageChange }
    byClient { client { name } result { invited responses responseRate averageScore }
               previous { averageScore } trend { direction } } } }";

async fn named_contact(app: &helpers::TestApp, client: &str, name: &str) -> String {
    app.ok(
        "mutation($c: ID!, $n: String!) { createContact(input: { clientId: $c, name: $n }) { id } }",
        json!({ "c": client, "n": name }),
    )
    .await["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn set_stage(app: &helpers::TestApp, stage: &str, status: &str) {
    app.ok(
        "mutation($id: ID!, $s: StageStatus!) { changeStageStatus(id: $id, status: $s) { status } }",
        json!({ "id": stage, "s": status }),
    )
    .await;
}

db_test!(
    a_finished_milestone_is_rated_by_the_clients_contacts,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "R-1").await;
        let stage = helpers::stage(&app, &p, "Hardware delivered").await;
        let wang = named_contact(&app, &acme, "Wang Fang").await;
        let li = named_contact(&app, &acme, "Li Lei").await;
        let rival = named_contact(&app, &globex, "Rival").await;
        let portal = portal_token(&app, &acme, &wang);
        let other = portal_token(&app, &globex, &rival);
        let rate = |score: i64, comment: &str| json!({ "i": { "stageId": stage, "score": score, "comment": comment } });

        // Not done yet: nothing to rate.
        let body = app.gql_as(Some(&portal), RATE, rate(5, "early")).await;
        assert_eq!(error_code(&body), "CONFLICT", "{body}");
        set_stage(&app, &stage, "IN_PROGRESS").await;
        set_stage(&app, &stage, "DONE").await;

        // Out of range, another client's portal, staff naming no one: refused, nothing written.
        let (_, body) = app.post_as(Some(&portal), RATE, rate(6, "too good")).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        let body = app.gql_as(Some(&other), RATE, rate(1, "not mine")).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        let (code, field) = app.fails(RATE, rate(3, "whose?")).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("contactId"))
        );
        let body = app
            .gql_as(
                Some(&portal),
                RATE,
                json!({ "i": { "stageId": stage, "score": 4, "contactId": li } }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
        assert_eq!(app.count("milestone_ratings").await, 0);

        let first = app
            .gql_as(Some(&portal), RATE, rate(3, "late by a week"))
            .await;
        assert_eq!(
            first["data"]["rateMilestone"],
            json!({ "score": 3, "comment": "late by a week", "contact": { "name": "Wang Fang" },
                "stage": { "name": "Hardware delivered" }, "recordedBy": null })
        );
        // Rating again replaces the contact's rating.
        let again = app
            .gql_as(Some(&portal), RATE, rate(4, "fine after all"))
            .await;
        assert_eq!(again["data"]["rateMilestone"]["score"], 4, "{again}");
        // Staff record what another contact said on the phone, naming them.
        let by_staff = app
            .ok(
                RATE,
                json!({ "i": { "stageId": stage, "score": 5, "contactId": li } }),
            )
            .await;
        assert_eq!(by_staff["rateMilestone"]["recordedBy"]["name"], "Admin");
        assert_eq!(app.count("milestone_ratings").await, 2);

        let ratings = "query($id: ID!) { node(id: $id) { ... on Stage { ratings { score comment contact { name } } } } }";
        let seen = app
            .gql_as(Some(&portal), ratings, json!({ "id": stage }))
            .await;
        assert_eq!(
            seen["data"]["node"]["ratings"],
            json!([{ "score": 4, "comment": "fine after all", "contact": { "name": "Wang Fang" } },
               { "score": 5, "comment": null, "contact": { "name": "Li Lei" } }])
        );
        // The rating reaches the project's feed, the portal's included.
        let events =
            "query($id: ID!) { node(id: $id) { ... on Stage { events(last: 1) { kind } } } }";
        let feed = app
            .gql_as(Some(&portal), events, json!({ "id": stage }))
            .await;
        assert_eq!(
            feed["data"]["node"]["events"][0]["kind"], "SATISFACTION_RECORDED",
            "{feed}"
        );
        // Reopened, it takes no new rating, and keeps those it has.
        set_stage(&app, &stage, "IN_PROGRESS").await;
        let body = app.gql_as(Some(&portal), RATE, rate(1, "worse")).await;
        assert_eq!(error_code(&body), "CONFLICT", "{body}");
        assert_eq!(app.count("milestone_ratings").await, 2);
    }
);

db_test!(
    the_quarterly_survey_is_answered_once_and_reported_by_client,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let initech = helpers::client(&app, "Initech").await;
        let wang = named_contact(&app, &acme, "Wang Fang").await;
        let li = named_contact(&app, &acme, "Li Lei").await;
        let zhao = named_contact(&app, &globex, "Zhao Min").await;
        let outsider = named_contact(&app, &initech, "Outsider").await;
        let acme_portal = portal_token(&app, &acme, &wang);
        let initech_portal = portal_token(&app, &initech, &outsider);

        // Bad input names its field and writes nothing.
        for (input, field) in [
            (
                json!({ "title": "Q3", "from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z", "clientIds": [] }),
                "clientIds",
            ),
            (
                json!({ "title": " ", "from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z", "clientIds": [acme] }),
                "title",
            ),
            (
                json!({ "title": "Q3", "from": "2026-10-01T00:00:00Z", "to": "2026-07-01T00:00:00Z", "clientIds": [acme] }),
                "to",
            ),
        ] {
            let (code, f) = app.fails(OPEN, json!({ "i": input })).await;
            assert_eq!(
                (code.as_str(), f.as_deref()),
                ("BAD_USER_INPUT", Some(field))
            );
        }
        assert_eq!(app.count("surveys").await, 0);

        let q3 = app
            .ok(
                OPEN,
                json!({ "i": { "title": "Q3 2026", "from": "2026-07-01T00:00:00Z",
            "to": "2026-10-01T00:00:00Z", "clientIds": [acme, globex] } }),
            )
            .await["openSurvey"]
            .clone();
        let q3_id = q3["id"].as_str().unwrap().to_owned();
        assert_eq!(q3["status"], "OPEN");
        assert_eq!(
            q3["clients"],
            json!([{ "client": { "name": "Acme" }, "invited": 2 }, { "client": { "name": "Globex" }, "invited": 1 }])
        );
        let answer = |id: &str, score: i64, recommend: i64| json!({ "i": { "surveyId": id, "score": score, "recommend": recommend, "comment": "ok" } });
        let a = app
            .gql_as(Some(&acme_portal), ANSWER, answer(&q3_id, 3, 6))
            .await;
        assert_eq!(
            a["data"]["answerSurvey"]["contact"]["name"], "Wang Fang",
            "{a}"
        );
        app.ok(
            ANSWER,
            json!({ "i": { "surveyId": q3_id, "score": 4, "recommend": 8, "contactId": zhao } }),
        )
        .await;
        let closed = app
            .ok(
                "mutation($id: ID!) { closeSurvey(id: $id) { status closedAt } }",
                json!({ "id": q3_id }),
            )
            .await;
        assert_eq!(closed["closeSurvey"]["status"], "CLOSED");

        let q4 = app
            .ok(
                OPEN,
                json!({ "i": { "title": "Q4 2026", "from": "2026-10-01T00:00:00Z",
            "to": "2027-01-01T00:00:00Z", "clientIds": [acme, globex] } }),
            )
            .await["openSurvey"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // The portal sees the surveys that ask its client, and answers each once.
        let listed = "{ surveys { edges { node { title myAnswer { score } clients { client { name } } } } } }";
        let seen = app.gql_as(Some(&acme_portal), listed, json!({})).await;
        assert_eq!(
            seen["data"]["surveys"]["edges"],
            json!([{ "node": { "title": "Q4 2026", "myAnswer": null, "clients": [{ "client": { "name": "Acme" } }] } },
               { "node": { "title": "Q3 2026", "myAnswer": { "score": 3 }, "clients": [{ "client": { "name": "Acme" } }] } }])
        );
        let none = app.gql_as(Some(&initech_portal), listed, json!({})).await;
        assert_eq!(none["data"]["surveys"]["edges"], json!([]));
        let body = app
            .gql_as(Some(&initech_portal), ANSWER, answer(&q4, 5, 10))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        let (code, field) = app
        .fails(ANSWER, json!({ "i": { "surveyId": q4, "score": 5, "recommend": 10, "contactId": outsider } }))
        .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("contactId"))
        );
        let (_, body) = app
            .post_as(Some(&acme_portal), ANSWER, answer(&q4, 5, 11))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        let body = app
            .gql_as(Some(&acme_portal), ANSWER, answer(&q3_id, 5, 10))
            .await;
        assert_eq!(error_code(&body), "CONFLICT", "a closed survey: {body}");

        app.gql_as(Some(&acme_portal), ANSWER, answer(&q4, 5, 10))
            .await;
        let twice = app
            .gql_as(Some(&acme_portal), ANSWER, answer(&q4, 1, 0))
            .await;
        assert_eq!(error_code(&twice), "CONFLICT", "{twice}");
        app.ok(
            ANSWER,
            json!({ "i": { "surveyId": q4, "score": 4, "recommend": 9, "contactId": li } }),
        )
        .await;
        assert_eq!(app.count("survey_answers").await, 4);

        // The report is the vendor's.
        let body = app
            .gql_as(Some(&acme_portal), REPORT, json!({ "id": q4 }))
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
        let r = app.ok(REPORT, json!({ "id": q4 })).await["surveyReport"].clone();
        assert_eq!(r["survey"]["title"], "Q4 2026");
        assert_eq!(r["previousSurvey"]["title"], "Q3 2026");
        let o = &r["overall"];
        assert_eq!(
            (o["invited"].as_i64(), o["responses"].as_i64()),
            (Some(3), Some(2))
        );
        assert!((o["responseRate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(o["averageScore"], 4.5);
        assert_eq!(o["averageRecommend"], 9.5);
        assert_eq!(o["netPromoterScore"], 100.0);
        assert_eq!(o["distribution"][3], json!({ "score": 4, "count": 1 }));
        assert_eq!(
            r["previous"],
            json!({ "responses": 2, "averageScore": 3.5 })
        );
        assert_eq!(
            r["trend"],
            json!({ "direction": "UP", "averageChange": 1.0 })
        );
        let acme_row: &Value = &r["byClient"][0];
        assert_eq!(
            *acme_row,
            json!({ "client": { "name": "Acme" },
                "result": { "invited": 2, "responses": 2, "responseRate": 1.0, "averageScore": 4.5 },
                "previous": { "averageScore": 3.0 }, "trend": { "direction": "UP" } })
        );
        assert_eq!(r["byClient"][1]["result"]["responses"], 0);
        assert_eq!(r["byClient"][1]["trend"]["direction"], "UNKNOWN");
    }
);

db_test!(
    the_satisfaction_report_puts_the_three_sources_side_by_side,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let p = helpers::signed_project(&app, &acme, "R-2").await;
        let stage = helpers::stage(&app, &p, "Go-live").await;
        let wang = named_contact(&app, &acme, "Wang Fang").await;
        let portal = portal_token(&app, &acme, &wang);
        set_stage(&app, &stage, "IN_PROGRESS").await;
        set_stage(&app, &stage, "DONE").await;
        app.gql_as(
            Some(&portal),
            RATE,
            json!({ "i": { "stageId": stage, "score": 2 } }),
        )
        .await;
        let t = helpers::ticket(&app, &p, "Login fails").await;
        helpers::set_ticket_status(&app, &t, "IN_PROGRESS").await;
        helpers::set_ticket_status(&app, &t, "RESOLVED").await;
        app.gql_as(
            Some(&portal),
            "mutation($t: ID!) { recordSatisfaction(input: { ticketId: $t, score: 5 }) { score } }",
            json!({ "t": t }),
        )
        .await;
        let now = chrono::Utc::now();
        let s = app
            .ok(
                OPEN,
                json!({ "i": { "title": "Now", "from": "2026-01-01T00:00:00Z",
            "to": "2027-01-01T00:00:00Z", "clientIds": [acme] } }),
            )
            .await["openSurvey"]["id"]
            .clone();
        app.gql_as(
            Some(&portal),
            ANSWER,
            json!({ "i": { "surveyId": s, "score": 4, "recommend": 7 } }),
        )
        .await;
        let q = "query($f: DateTime!, $t: DateTime!) { satisfactionReport(from: $f, to: $t) {
        sideBySide { tickets { responses average } milestones { responses average } surveys { responses average } }
        byClient { client { name } sideBySide { milestones { responses } surveys { responses } } } } }";
        let vars = json!({ "f": (now - chrono::Duration::days(1)).to_rfc3339(), "t": (now + chrono::Duration::days(1)).to_rfc3339() });
        let r = app.gql_as(Some(&portal), q, vars).await;
        assert_eq!(
            r["data"]["satisfactionReport"]["sideBySide"],
            json!({ "tickets": { "responses": 1, "average": 5.0 },
                "milestones": { "responses": 1, "average": 2.0 },
                "surveys": { "responses": 1, "average": 4.0 } }),
            "{r}"
        );
        assert_eq!(
            r["data"]["satisfactionReport"]["byClient"],
            json!([{ "client": { "name": "Acme" }, "sideBySide": { "milestones": { "responses": 1 }, "surveys": { "responses": 1 } } }])
        );
    }
);
