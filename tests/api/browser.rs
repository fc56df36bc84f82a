//! The pages the server ships, in headless Chromium (`tests/browser/check.mjs`): GraphiQL
//! runs a query and a subscription, the live board shows a change made through the API
//! within a second, and a customer does its part (a task, a report, a criterion, the survey, a
//! rating) in the portal view; any console error, failed request, HTTP error or request to another
//! host fails the check. Screenshots go to `target/browser/`.

use serde_json::json;

use crate::{
    db_test,
    helpers::{self, TestApp, signed_project},
};

/// One browser at a time: each Chromium takes a core while it starts, and the board's
/// one-second promise is measured, not assumed.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs one check of `check.mjs` against `app`; panics with its output if it fails.
async fn browser_check(app: &TestApp, what: &str, env: &[(&str, String)]) {
    let _turn = ONE_BROWSER.lock().await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");
    assert!(
        std::path::Path::new(dir)
            .join("node_modules/playwright-core")
            .exists(),
        "the browser tests need `npm ci` in tests/browser (scripts/setup.sh does it)"
    );
    let who = if env.iter().any(|(k, _)| *k == "TOKEN") {
        "portal"
    } else {
        "staff"
    };
    let shots = format!(
        "{}/target/browser/{what}-{who}-{:?}",
        env!("CARGO_MANIFEST_DIR"),
        app.backend
    );
    // scripts/setup.sh puts a Node.js >= 20 there where the distribution's is older.
    let own = concat!(env!("CARGO_MANIFEST_DIR"), "/target/node/bin/node");
    let node = if std::path::Path::new(own).exists() {
        own
    } else {
        "node"
    };
    let mut cmd = std::process::Command::new(node);
    cmd.arg("check.mjs")
        .arg(what)
        .current_dir(dir)
        .env("BASE", &app.base)
        .env("TOKEN", &app.admin)
        .env("SHOTS", &shots);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("node (scripts/setup.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "browser check {what} failed:\n{text}");
    assert!(
        std::fs::read_dir(&shots).is_ok_and(|d| d.count() > 0),
        "no screenshot in {shots}"
    );
}

db_test!(
    graphiql_runs_a_query_and_a_subscription_with_nothing_from_outside,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "B-1").await;
        helpers::ticket(&app, &pid, "Printer jam").await;
        browser_check(&app, "graphiql", &[]).await;
    }
);

db_test!(
    the_board_shows_a_change_made_through_the_api_within_a_second,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let pid = signed_project(&app, &acme, "B-2").await;
        let stage = helpers::stage(&app, &pid, "Hardware delivered").await;
        helpers::ticket(&app, &pid, "Sensor offline").await;
        let shown = app
            .ok(
                "{ projects(first: 5) { edges { node { stages { id status } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            shown["projects"]["edges"][0]["node"]["stages"][0]["status"],
            "NOT_STARTED"
        );
        browser_check(&app, "board", &[("STAGE_ID", stage)]).await;
    }
);

db_test!(
    a_portal_token_shows_its_own_clients_board_and_nothing_else,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let pid = signed_project(&app, &acme, "B-3").await;
        let theirs = signed_project(&app, &globex, "B-4").await;
        helpers::stage(&app, &theirs, "Their milestone").await;
        let stage = helpers::stage(&app, &pid, "Our milestone").await;
        let person = helpers::contact(&app, &acme).await;
        let portal = helpers::portal_token(&app, &acme, &person);
        browser_check(
            &app,
            "board",
            &[
                ("STAGE_ID", stage),
                ("TOKEN", portal),
                ("ADMIN_TOKEN", app.admin.clone()),
                ("ABSENT", "Project B-4".into()),
            ],
        )
        .await;
    }
);

db_test!(the_customer_does_its_part_in_the_browser, |app| {
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "B-5").await;
    let stage = helpers::stage(&app, &pid, "Dashboards built").await;
    for status in ["IN_PROGRESS", "DONE"] {
        app.ok(
            "mutation($id: ID!, $s: StageStatus!) { changeStageStatus(id: $id, status: $s) { id } }",
            json!({ "id": stage, "s": status }),
        )
        .await;
    }
    let person = helpers::contact(&app, &acme).await;
    let id = |v: &serde_json::Value, path: &[&str]| {
        path.iter()
            .fold(v, |v, k| &v[*k])
            .as_str()
            .expect("an id")
            .to_owned()
    };
    let item = app
        .ok(
            "mutation($p: ID!, $k: ID!) { createActionItem(input: { projectId: $p, title: \"Provide the interface protocol\",
               dueDate: \"2026-01-09\", assigneeContactId: $k }) { id } }",
            json!({ "p": pid, "k": person }),
        )
        .await;
    let report = app
        .ok(
            "mutation($p: ID!) { createReport(input: { projectId: $p, kind: DAILY, progressPercent: 60,
               body: \"Sensors in halls 1-3 online; hall 4 tomorrow.\" }) { id } }",
            json!({ "p": pid }),
        )
        .await;
    let criterion = app
        .ok(
            "mutation($p: ID!) { addAcceptanceCriterion(projectId: $p, text: \"Dashboards show live data\") { id } }",
            json!({ "p": pid }),
        )
        .await;
    let survey = app
        .ok(
            "mutation($c: ID!) { openSurvey(input: { title: \"This quarter\", from: \"2026-10-01T00:00:00Z\",
               to: \"2027-01-01T00:00:00Z\", clientIds: [$c] }) { id } }",
            json!({ "c": acme }),
        )
        .await;
    let portal = helpers::portal_token(&app, &acme, &person);
    browser_check(
        &app,
        "customer",
        &[
            ("TOKEN", portal),
            ("ADMIN_TOKEN", app.admin.clone()),
            ("ITEM_ID", id(&item, &["createActionItem", "id"])),
            ("REPORT_ID", id(&report, &["createReport", "id"])),
            (
                "CRITERION_ID",
                id(&criterion, &["addAcceptanceCriterion", "id"]),
            ),
            ("SURVEY_ID", id(&survey, &["openSurvey", "id"])),
            ("STAGE_ID", stage),
        ],
    )
    .await;
});
