//! E-mail, against a real SMTP server on loopback (`smtp_sink`): messages are queued in
//! the transaction of the change they announce, sent once in the recipient's language,
//! with a working unsubscribe link; a refusal (5xx) fails at once and shows so, a deferral
//! (4xx) or a dropped connection is retried until it goes; several senders on one
//! database send each message once; without SMTP nothing is lost.

use std::time::Duration;

use chrono::TimeZone;
use delivery_desk::{
    mail::{Links, MailOptions, Mailer, SmtpSettings},
    startup::Options,
    time::Time,
};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{self, Backend, TestApp, portal_token},
    smtp_sink::{Mode, Sink},
};

const OUTBOX: &str =
    "query($f: OutboxFilterInput) { outbox(filter: $f, first: 100) { edges { node {
    id kind status attempts lastError address language subject body recipient { kind id } } } } }";

fn mail_options(sink: Option<&Sink>) -> MailOptions {
    MailOptions {
        smtp: sink.map(|s| SmtpSettings::parse(&s.url()).expect("sink url")),
        links: Links::new("https://desk.example"),
        retry_base: Duration::from_millis(50),
        max_attempts: 4,
        timeout: Duration::from_secs(5),
        poll: Duration::from_millis(500),
        ..MailOptions::default()
    }
}

async fn app_with(backend: Backend, sink: Option<&Sink>) -> Option<TestApp> {
    helpers::spawn_app_with(
        backend,
        Options {
            mail: mail_options(sink),
            ..helpers::test_options()
        },
    )
    .await
}

async fn outbox(app: &TestApp, filter: Value) -> Vec<Value> {
    app.ok(OUTBOX, json!({ "f": filter })).await["outbox"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Waits until every message of the outbox is out of PENDING and SENDING.
async fn settled(app: &TestApp) -> Vec<Value> {
    for _ in 0..200 {
        let all = outbox(app, json!({})).await;
        if all
            .iter()
            .all(|m| m["status"] != "PENDING" && m["status"] != "SENDING")
        {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("outbox not settled: {:?}", outbox(app, json!({})).await);
}

async fn contact(
    app: &TestApp,
    client: &str,
    name: &str,
    email: Option<&str>,
    language: &str,
) -> String {
    app.ok(
        "mutation($i: CreateContactInput!) { createContact(input: $i) { id } }",
        json!({ "i": { "clientId": client, "name": name, "email": email, "language": language } }),
    )
    .await["createContact"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn publish_report(app: &TestApp, p: &str, progress: &str) {
    app.ok(
        "mutation($p: ID!, $g: String!) { createReport(input: { projectId: $p, kind: DAILY, progressPercent: 30,
            progress: $g, plan: \"Hall 3 wiring\", nextBy: \"2026-12-04\" }) { status } }",
        json!({ "p": p, "g": progress }),
    )
    .await;
}

/// A server sending to `sink`, with one client contact and one daily note published to
/// them: one message in the outbox. None when `backend` is not configured.
async fn one_message(backend: Backend, sink: &Sink, contract: &str, note: &str) -> Option<TestApp> {
    let app = app_with(backend, Some(sink)).await?;
    let acme = helpers::client(&app, "Hengtai").await;
    contact(&app, &acme, "Liu Yang", Some("liu@hengtai.example"), "EN").await;
    let p = helpers::signed_project(&app, &acme, contract).await;
    publish_report(&app, &p, note).await;
    Some(app)
}

db_test!(
    each_change_mails_its_people_once_in_their_language_over_smtp,
    on = |backend| {
        let sink = Sink::start(Mode::Accept).await;
        let Some(app) = app_with(backend, Some(&sink)).await else {
            return;
        };
        let acme = helpers::client(&app, "Hengtai").await;
        let zhang = contact(
            &app,
            &acme,
            "Zhang Hua",
            Some("zhang@hengtai.example"),
            "ZH",
        )
        .await;
        let liu = contact(&app, &acme, "Liu Yang", Some("liu@hengtai.example"), "EN").await;
        let nomail = contact(&app, &acme, "Wang Fang", None, "EN").await;
        let p = helpers::signed_project(&app, &acme, "M-1").await;

        // A published daily note goes to each of the client's contacts.
        publish_report(&app, &p, "Halls 1-2 wired").await;
        let got = sink.wait_for(2, 10).await;
        assert_eq!(got.len(), 2, "{got:?}");
        let to_zhang = got
            .iter()
            .find(|m| m.to[0].contains("zhang@hengtai.example"))
            .expect("Zhang's copy");
        let to_liu = got
            .iter()
            .find(|m| m.to[0].contains("liu@hengtai.example"))
            .expect("Liu's copy");
        assert!(to_zhang.body().contains("您好"), "{}", to_zhang.body());
        assert!(to_zhang.body().contains("Halls 1-2 wired"));
        assert!(to_liu.body().contains("Dear Liu Yang"), "{}", to_liu.body());
        assert!(
            to_liu
                .body()
                .contains("Next (by 2026-12-04)\nHall 3 wiring"),
            "{}",
            to_liu.body()
        );
        assert!(to_liu.from.contains("desk@vendor.example"));
        let unsubscribe = to_liu.header("List-Unsubscribe").expect("List-Unsubscribe");
        assert!(
            unsubscribe.starts_with("<https://desk.example/mail/unsubscribe/"),
            "{unsubscribe}"
        );
        assert_eq!(
            to_liu.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(
            to_liu
                .header("Message-ID")
                .is_some_and(|id| id.contains("@vendor.example>"))
        );

        let all = settled(&app).await;
        let status_of = |who: &str| -> Vec<(String, String)> {
            all.iter()
                .filter(|m| m["recipient"]["id"] == who)
                .map(|m| {
                    (
                        m["kind"].as_str().unwrap().to_owned(),
                        m["status"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        assert_eq!(
            status_of(&zhang),
            [("REPORT_PUBLISHED".into(), "SENT".into())]
        );
        assert_eq!(
            status_of(&liu),
            [("REPORT_PUBLISHED".into(), "SENT".into())]
        );
        // No address: kept, and shown why.
        let missing = all
            .iter()
            .find(|m| m["recipient"]["id"] == nomail)
            .expect("kept");
        assert_eq!(missing["status"], "SUPPRESSED");
        assert_eq!(missing["lastError"], "no e-mail address");
        assert!(
            all.iter()
                .filter(|m| m["status"] == "SENT")
                .all(|m| m["attempts"] == 1)
        );
        // Staff read what was sent, rendered.
        let sent = all.iter().find(|m| m["recipient"]["id"] == liu).unwrap();
        assert_eq!(sent["subject"], "Project M-1: daily note (30%)");
        assert!(sent["body"].as_str().unwrap().contains("Halls 1-2 wired"));

        // A task for the customer, a resolved ticket, a survey: each mails its people.
        app.ok(
            "mutation($i: CreateActionItemInput!) { createActionItem(input: $i) { id } }",
            json!({ "i": { "projectId": p, "title": "Send the interface protocol", "dueDate": "2026-12-11", "assigneeContactId": liu } }),
        )
        .await;
        let portal = portal_token(&app, &acme, &zhang);
        let t = app
            .gql_as(
                Some(&portal),
                "mutation($p: ID!) { createTicket(input: { projectId: $p, title: \"Gateway offline\", type: HARDWARE_FAULT }) { id } }",
                json!({ "p": p }),
            )
            .await["data"]["createTicket"]["id"]
            .as_str()
            .expect("ticket")
            .to_owned();
        helpers::set_ticket_status(&app, &t, "IN_PROGRESS").await;
        helpers::set_ticket_status(&app, &t, "RESOLVED").await;
        app.ok(
            "mutation($c: ID!) { openSurvey(input: { title: \"Q4 2026\", from: \"2026-10-01T00:00:00Z\", to: \"2027-01-01T00:00:00Z\", clientIds: [$c] }) { id } }",
            json!({ "c": acme }),
        )
        .await;
        let got = sink.wait_for(2 + 1 + 1 + 2, 10).await;
        assert_eq!(
            got.len(),
            6,
            "{:#?}",
            got.iter().map(|m| m.header("Subject")).collect::<Vec<_>>()
        );
        let all = settled(&app).await;
        let kinds = |who: &str| -> Vec<String> {
            let mut k: Vec<String> = all
                .iter()
                .filter(|m| m["recipient"]["id"] == who && m["status"] == "SENT")
                .map(|m| m["kind"].as_str().unwrap().to_owned())
                .collect();
            k.sort();
            k
        };
        assert_eq!(
            kinds(&liu),
            [
                "ACTION_ITEM_ASSIGNED",
                "REPORT_PUBLISHED",
                "SURVEY_INVITATION"
            ]
        );
        assert_eq!(
            kinds(&zhang),
            [
                "REPORT_PUBLISHED",
                "SATISFACTION_REQUEST",
                "SURVEY_INVITATION"
            ]
        );

        // Nothing is sent twice: a later change sends only its own mail.
        app.ok(
            "mutation($p: ID!) { createStage(input: { projectId: $p, name: \"Build\" }) { id } }",
            json!({ "p": p }),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(sink.accepted().len(), 6);

        // The outbox is the vendor's: a portal user is refused.
        let body = app.gql_as(Some(&portal), OUTBOX, json!({})).await;
        assert_eq!(helpers::error_code(&body), "FORBIDDEN", "{body}");
    }
);

db_test!(
    an_unsubscribe_link_stops_its_kind_for_its_person_only,
    on = |backend| {
        let sink = Sink::start(Mode::Accept).await;
        let Some(app) = app_with(backend, Some(&sink)).await else {
            return;
        };
        let acme = helpers::client(&app, "Hengtai").await;
        let liu = contact(&app, &acme, "Liu Yang", Some("liu@hengtai.example"), "EN").await;
        // Stays subscribed: her copies keep coming.
        contact(
            &app,
            &acme,
            "Zhang Hua",
            Some("zhang@hengtai.example"),
            "ZH",
        )
        .await;
        let p = helpers::signed_project(&app, &acme, "M-2").await;
        publish_report(&app, &p, "Day one").await;
        let got = sink.wait_for(2, 10).await;
        let to_liu = got
            .iter()
            .find(|m| m.to[0].contains("liu@"))
            .expect("Liu's copy");
        let link = to_liu.header("List-Unsubscribe").unwrap();
        let link = link
            .trim_matches(['<', '>'])
            .replace("https://desk.example", &app.base);

        // Following the link changes nothing (mail scanners follow links); the button does.
        let page = app.http.get(&link).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("published reports") && html.contains("<form method=\"post\""),
            "{html}"
        );
        let subs = "{ mailSubscriptions { kind subscribed } }";
        let portal = portal_token(&app, &acme, &liu);
        let mine = |v: &Value, kind: &str| {
            v["mailSubscriptions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["kind"] == kind)
                .unwrap()["subscribed"]
                .clone()
        };
        let before = app.gql_as(Some(&portal), subs, json!({})).await;
        assert_eq!(mine(&before["data"], "REPORT_PUBLISHED"), true);
        let done = app
            .http
            .post(&link)
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 200);
        let after = app.gql_as(Some(&portal), subs, json!({})).await;
        assert_eq!(mine(&after["data"], "REPORT_PUBLISHED"), false);
        assert_eq!(mine(&after["data"], "ACTION_ITEM_ASSIGNED"), true);
        // A forged or malformed token is unknown, and unsubscribes no one.
        for bad in ["0".repeat(48), "x".into(), "g".repeat(48)] {
            let r = app
                .http
                .post(format!("{}/mail/unsubscribe/{bad}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{bad}");
        }

        // The next report reaches Zhang only; Liu's is kept as suppressed. Other kinds
        // still reach Liu.
        publish_report(&app, &p, "Day two").await;
        app.ok(
            "mutation($i: CreateActionItemInput!) { createActionItem(input: $i) { id } }",
            json!({ "i": { "projectId": p, "title": "Sign the plan", "assigneeContactId": liu } }),
        )
        .await;
        let got = sink.wait_for(4, 10).await;
        assert_eq!(got.len(), 4);
        assert!(
            got[2..]
                .iter()
                .any(|m| m.to[0].contains("zhang@") && m.body().contains("Day two"))
        );
        assert!(
            got[2..]
                .iter()
                .any(|m| m.to[0].contains("liu@") && m.header("Subject").unwrap().contains("task"))
        );
        let all = settled(&app).await;
        let liu_reports: Vec<&Value> = all
            .iter()
            .filter(|m| m["recipient"]["id"] == liu && m["kind"] == "REPORT_PUBLISHED")
            .collect();
        assert_eq!(liu_reports.len(), 2);
        assert_eq!(liu_reports[0]["status"], "SUPPRESSED");
        assert_eq!(liu_reports[0]["lastError"], "unsubscribed from this kind");

        // The portal subscribes again through the API.
        let again = app
            .gql_as(
                Some(&portal),
                "mutation { setMailSubscription(kind: REPORT_PUBLISHED, subscribed: true) { kind subscribed } }",
                json!({}),
            )
            .await;
        assert_eq!(
            mine(
                &json!({ "mailSubscriptions": again["data"]["setMailSubscription"] }),
                "REPORT_PUBLISHED"
            ),
            true
        );
        publish_report(&app, &p, "Day three").await;
        let got = sink.wait_for(6, 10).await;
        assert!(
            got[4..]
                .iter()
                .any(|m| m.to[0].contains("liu@") && m.body().contains("Day three"))
        );
    }
);

db_test!(
    a_refusal_fails_at_once_and_a_deferral_or_a_drop_is_retried_until_it_goes,
    on = |backend| {
        // 550 for the first message: permanent.
        let refusing = Sink::start(Mode::Refuse {
            code: 550,
            times: 1,
        })
        .await;
        let Some(app) = one_message(backend, &refusing, "M-3", "Refused").await else {
            return;
        };
        let all = settled(&app).await;
        assert_eq!(all.len(), 1);
        assert_eq!(all[0]["status"], "FAILED", "{all:?}");
        assert_eq!(all[0]["attempts"], 1);
        assert!(
            all[0]["lastError"].as_str().unwrap().contains("550"),
            "{all:?}"
        );
        assert!(refusing.accepted().is_empty());
        // Staff send it again once the cause is fixed (the sink accepts from now on).
        let again = app
            .ok(
                "mutation($id: ID!) { retryMail(id: $id) { status attempts } }",
                json!({ "id": all[0]["id"] }),
            )
            .await;
        assert_eq!(again["retryMail"]["status"], "PENDING");
        assert_eq!(refusing.wait_for(1, 10).await.len(), 1);
        let all = settled(&app).await;
        assert_eq!(all[0]["status"], "SENT");
        let body = app
            .gql(
                "mutation($id: ID!) { retryMail(id: $id) { status } }",
                json!({ "id": all[0]["id"] }),
            )
            .await;
        assert_eq!(helpers::error_code(&body), "INVALID_TRANSITION", "{body}");
        drop(app);

        // 451 twice, then accepted: three attempts, sent once.
        let deferring = Sink::start(Mode::Refuse {
            code: 451,
            times: 2,
        })
        .await;
        let Some(app) = one_message(backend, &deferring, "M-4", "Deferred").await else {
            return;
        };
        assert_eq!(deferring.wait_for(1, 10).await.len(), 1);
        let all = settled(&app).await;
        assert_eq!(all[0]["status"], "SENT");
        assert_eq!(all[0]["attempts"], 3);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(deferring.accepted().len(), 1, "sent once");
        drop(app);

        // The connection dropped after the data, before the answer: sent again, and the
        // second copy carries the same Message-ID for the receiver to tell.
        let dropping = Sink::start(Mode::Drop { times: 1 }).await;
        let Some(app) = one_message(backend, &dropping, "M-5", "Dropped").await else {
            return;
        };
        assert_eq!(dropping.wait_for(1, 10).await.len(), 1);
        let all = settled(&app).await;
        assert_eq!(all[0]["status"], "SENT");
        assert_eq!(all[0]["attempts"], 2);

        // A server that keeps deferring is given up after the attempts allowed.
        let never = Sink::start(Mode::Refuse {
            code: 421,
            times: usize::MAX,
        })
        .await;
        let Some(app) = one_message(backend, &never, "M-6", "Never").await else {
            return;
        };
        let all = settled(&app).await;
        assert_eq!(all[0]["status"], "FAILED");
        assert_eq!(all[0]["attempts"], 4);
        assert!(
            all[0]["lastError"]
                .as_str()
                .unwrap()
                .starts_with("gave up after 4 attempts"),
            "{all:?}"
        );
    }
);

db_test!(
    several_senders_on_one_database_send_each_message_once,
    on = |backend| {
        let sink = Sink::start(Mode::Accept).await;
        // The server itself sends nothing (no SMTP): four other senders share the work.
        let Some(app) = app_with(backend, None).await else {
            return;
        };
        let acme = helpers::client(&app, "Hengtai").await;
        for i in 0..10 {
            contact(
                &app,
                &acme,
                &format!("Contact {i}"),
                Some(&format!("c{i}@hengtai.example")),
                "EN",
            )
            .await;
        }
        let p = helpers::signed_project(&app, &acme, "M-7").await;
        for day in 0..10 {
            publish_report(&app, &p, &format!("Day {day}")).await;
        }
        let queued = outbox(&app, json!({ "status": "PENDING" })).await;
        assert_eq!(queued.len(), 100, "waiting without SMTP, nothing lost");

        let stop = tokio_util::sync::CancellationToken::new();
        let hub = app.hub.clone().expect("in-process server");
        let senders: Vec<Mailer> = (0..4)
            .map(|_| {
                Mailer::start(
                    app.db.clone(),
                    hub.clone(),
                    Time::default(),
                    MailOptions {
                        batch: 7,
                        ..mail_options(Some(&sink))
                    },
                    stop.clone(),
                )
            })
            .collect();
        let got = sink.wait_for(100, 30).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got_all = sink.accepted();
        assert_eq!(got.len(), 100);
        assert_eq!(got_all.len(), 100, "nothing sent twice");
        let mut ids: Vec<String> = got_all
            .iter()
            .map(|m| m.header("Message-ID").unwrap())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 100);
        stop.cancel();
        for s in senders {
            s.stopped().await;
        }
        let all = settled(&app).await;
        assert!(
            all.iter()
                .all(|m| m["status"] == "SENT" && m["attempts"] == 1)
        );
    }
);

/// A project `name` that weekly digests cover (under way), of a client whose one contact
/// has an e-mail address; returns that contact's id.
async fn digest_project(app: &TestApp, name: &str) -> String {
    let acme = helpers::client(app, "Hengtai").await;
    let liu = contact(app, &acme, "Liu Yang", Some("liu@hengtai.example"), "EN").await;
    let p = helpers::signed_project(app, &acme, name).await;
    app.ok(
        "mutation($id: ID!) { changeProjectStatus(id: $id, status: REQUIREMENTS) { id } }",
        json!({ "id": p }),
    )
    .await;
    liu
}

db_test!(
    a_test_server_queues_no_digest_even_on_friday_afternoon,
    options = Options {
        // Friday 2026-12-04 14:00 in Shanghai, the default zone; moved into the window below.
        time: Time::manual(chrono::Utc.with_ymd_and_hms(2026, 12, 4, 6, 0, 0).unwrap()),
        mail: mail_options(None),
        ..helpers::test_options()
    },
    |app| {
        // What every other test counts must not depend on the day it runs.
        digest_project(&app, "M-9").await;
        let alarms = app.alarms.as_ref().expect("in-process alarms");
        alarms.look_now();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // 16:00: a server that queues digests queues this project's now.
        app.time.advance(chrono::Duration::hours(2));
        for _ in 0..3 {
            alarms.look_now();
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let queued = outbox(&app, json!({ "kind": "WEEKLY_DIGEST" })).await;
        assert!(queued.is_empty(), "{queued:?}");
    }
);

db_test!(
    the_weekly_digest_goes_out_on_friday_afternoon_once,
    options = Options {
        // Thursday 2026-12-03 23:00 UTC: Friday 07:00 in Shanghai, the default zone.
        time: Time::manual(chrono::Utc.with_ymd_and_hms(2026, 12, 3, 23, 0, 0).unwrap()),
        mail: mail_options(None),
        weekly_digests: true,
        ..helpers::test_options()
    },
    |app| {
        let zone = app
            .ok("{ serviceLevelPolicy { timeZone } }", json!({}))
            .await;
        let liu = digest_project(&app, "M-8").await;
        let digests = json!({ "kind": "WEEKLY_DIGEST" });
        let alarms = app.alarms.as_ref().expect("in-process alarms");
        alarms.look_now();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            outbox(&app, digests.clone()).await.is_empty(),
            "not before 15:00 ({zone})"
        );

        // 15:00 local: queued once, however often the alarm task looks.
        app.time.advance(chrono::Duration::hours(8));
        for _ in 0..3 {
            alarms.look_now();
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let queued = outbox(&app, digests.clone()).await;
        assert_eq!(queued.len(), 1, "{queued:?}");
        assert_eq!(queued[0]["recipient"]["id"], liu);
        assert_eq!(queued[0]["status"], "PENDING", "no SMTP: it waits");
        assert_eq!(queued[0]["subject"], "Project M-8: the week to 2026-12-04");
        assert!(
            queued[0]["body"]
                .as_str()
                .unwrap()
                .contains("Tickets: 0 opened"),
            "{}",
            queued[0]["body"]
        );

        // Next Friday, the next one.
        app.time.advance(chrono::Duration::days(7));
        alarms.look_now();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(outbox(&app, digests).await.len(), 2);
    }
);

db_test!(
    kickoff_and_service_level_alerts_mail_the_owner_and_the_assignee,
    at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(),
    |app| {
        let owner = helpers::user(&app, "Li Na").await;
        let acme = helpers::client(&app, "Hengtai").await;
        let p = helpers::signed_project(&app, &acme, "M-9").await;
        app.ok(
            "mutation($p: ID!, $u: ID!) { updateProject(id: $p, input: { primaryOwnerId: $u }) { id } }",
            json!({ "p": p, "u": owner }),
        )
        .await;
        let t = helpers::ticket(&app, &p, "Line down").await;
        app.ok(
            "mutation($id: ID!, $u: ID!) { updateTicket(id: $id, input: { assigneeId: $u }) { id } }",
            json!({ "id": t, "u": owner }),
        )
        .await;
        app.time.advance(chrono::Duration::hours(80));
        app.alarms.as_ref().expect("alarms").look_now();
        let mut kinds = Vec::new();
        for _ in 0..50 {
            kinds = outbox(&app, json!({ "recipientId": owner }))
                .await
                .iter()
                .map(|m| m["kind"].as_str().unwrap().to_owned())
                .collect();
            if kinds.contains(&"KICKOFF_ALERT".to_owned())
                && kinds.contains(&"SERVICE_LEVEL_ALERT".to_owned())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(kinds.contains(&"KICKOFF_ALERT".to_owned()), "{kinds:?}");
        assert!(
            kinds.contains(&"SERVICE_LEVEL_ALERT".to_owned()),
            "{kinds:?}"
        );
        let alerts = outbox(&app, json!({ "kind": "SERVICE_LEVEL_ALERT" })).await;
        assert!(alerts.iter().all(|m| m["recipient"]["id"] == owner));
        assert!(
            alerts[0]["subject"].as_str().unwrap().contains("Line down"),
            "{alerts:?}"
        );
    }
);
