//! Documents: uploaded with the GraphQL multipart request specification, checked (size,
//! type against the bytes, name), stored once per content in the document folder, listed
//! on what they are attached to and downloaded with the same token, scoped like the rest:
//! an internal document, a draft report's or another client's is 404 in the portal.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    db_test,
    helpers::{self, TestApp, portal_token},
};

const UPLOAD: &str = "mutation($to: ID!, $file: Upload!, $internal: Boolean) {
    uploadDocument(attachTo: $to, file: $file, internal: $internal) {
    id fileName contentType sizeBytes sha256 internal attachedTo downloadUrl
    uploadedBy { name } uploadedByContact { name } } }";

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR screenshot";

/// Sends a multipart upload of `bytes` named `name` (declared as `mime`) to `to`.
async fn upload(
    app: &TestApp,
    token: &str,
    to: &str,
    (name, mime, bytes): (&str, &str, &[u8]),
    internal: bool,
) -> (u16, Value) {
    let operations =
        json!({ "query": UPLOAD, "variables": { "to": to, "file": null, "internal": internal } });
    let form = Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            Part::bytes(bytes.to_vec())
                .file_name(name.to_owned())
                .mime_str(mime)
                .unwrap(),
        );
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    (status, res.json().await.expect("json"))
}

async fn download(app: &TestApp, token: Option<&str>, url: &str) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{url}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("download")
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Files stored in the folder (not counting the temporary ones).
fn stored_files(app: &TestApp) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name() != "tmp")
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    walk(app.documents.path())
}

db_test!(
    documents_are_checked_stored_once_and_downloaded_in_scope,
    |app| {
        let acme = helpers::client(&app, "Acme").await;
        let globex = helpers::client(&app, "Globex").await;
        let p = helpers::signed_project(&app, &acme, "D-1").await;
        let ticket = helpers::ticket(&app, &p, "Scanner offline").await;
        let buyer = helpers::contact(&app, &acme).await;
        let rival = helpers::contact(&app, &globex).await;
        let portal = portal_token(&app, &acme, &buyer);
        let other = portal_token(&app, &globex, &rival);

        // Staff attach the signed scan to the ticket.
        let (status, body) = upload(
            &app,
            &app.admin,
            &ticket,
            ("C:\\scans\\签收单.pdf", "application/pdf", PDF),
            false,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let doc = body["data"]["uploadDocument"].clone();
        assert_eq!(doc["fileName"], "签收单.pdf");
        assert_eq!(doc["contentType"], "application/pdf");
        assert_eq!(doc["sizeBytes"], PDF.len());
        assert_eq!(doc["sha256"], sha(PDF));
        assert_eq!(doc["attachedTo"], "TICKET");
        assert_eq!(doc["uploadedBy"]["name"], "Admin");
        let url = doc["downloadUrl"].as_str().unwrap().to_owned();
        let on_disk = app
            .documents
            .path()
            .join(&sha(PDF)[..2])
            .join(&sha(PDF)[2..4])
            .join(sha(PDF));
        assert_eq!(std::fs::read(&on_disk).unwrap(), PDF);
        // The same content again is a second document over one stored file.
        let (_, again) = upload(
            &app,
            &app.admin,
            &ticket,
            ("copy.pdf", "application/pdf", PDF),
            true,
        )
        .await;
        let internal_url = again["data"]["uploadDocument"]["downloadUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(stored_files(&app), 1);
        assert_eq!(app.count("documents").await, 2);

        // Downloads: the bytes, as an attachment no browser renders here.
        let res = download(&app, Some(&app.admin), &url).await;
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h["content-disposition"]
                .to_str()
                .unwrap()
                .contains("filename*=UTF-8''%E7%AD%BE")
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
        assert_eq!(download(&app, None, &url).await.status(), 401);

        // The portal: its client's documents, never an internal one nor another client's.
        let list = "query($id: ID!) { node(id: $id) { ... on Ticket { documents { fileName internal } } } }";
        let seen = app
            .gql_as(Some(&portal), list, json!({ "id": ticket }))
            .await;
        assert_eq!(
            seen["data"]["node"]["documents"],
            json!([{ "fileName": "签收单.pdf", "internal": false }])
        );
        assert_eq!(download(&app, Some(&portal), &url).await.status(), 200);
        assert_eq!(
            download(&app, Some(&portal), &internal_url).await.status(),
            404
        );
        assert_eq!(download(&app, Some(&other), &url).await.status(), 404);
        assert_eq!(
            download(&app, Some(&portal), "/documents/999999")
                .await
                .status(),
            404
        );
        assert_eq!(
            download(&app, Some(&portal), "/documents/..%2F..%2Fetc")
                .await
                .status(),
            404
        );

        // The portal attaches a screenshot to its ticket; not to the team's records, not as
        // internal, not to another client's.
        let (_, shot) = upload(
            &app,
            &portal,
            &ticket,
            ("screen.png", "image/png", PNG),
            false,
        )
        .await;
        assert_eq!(
            shot["data"]["uploadDocument"]["uploadedByContact"]["name"], "Zhang Hua",
            "{shot}"
        );
        let (_, hidden) = upload(&app, &portal, &ticket, ("x.png", "image/png", PNG), true).await;
        assert_eq!(helpers::error_code(&hidden), "FORBIDDEN", "{hidden}");
        let (_, theirs) = upload(&app, &other, &ticket, ("x.png", "image/png", PNG), false).await;
        assert_eq!(helpers::error_code(&theirs), "BAD_USER_INPUT", "{theirs}");
        assert_eq!(helpers::error_field(&theirs), Some("attachTo"));

        // A draft report's document is the team's until the report is published.
        let report = app
        .ok(
            "mutation($p: ID!) { createReport(input: { projectId: $p, kind: WEEKLY, progressPercent: 40, body: \"cabling done\", draft: true }) { id } }",
            json!({ "p": p }),
        )
        .await["createReport"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
        let (_, minutes) = upload(
            &app,
            &app.admin,
            &report,
            ("minutes.txt", "text/plain", "会议纪要".as_bytes()),
            false,
        )
        .await;
        let minutes_url = minutes["data"]["uploadDocument"]["downloadUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            download(&app, Some(&portal), &minutes_url).await.status(),
            404
        );
        let (_, forbidden) =
            upload(&app, &portal, &report, ("x.png", "image/png", PNG), false).await;
        assert_eq!(helpers::error_code(&forbidden), "FORBIDDEN");
        app.ok(
            "mutation($id: ID!) { publishReport(id: $id) { status } }",
            json!({ "id": report }),
        )
        .await;
        assert_eq!(
            download(&app, Some(&portal), &minutes_url).await.status(),
            200
        );
        let all = app
            .gql_as(
                Some(&portal),
                "query($id: ID!) { node(id: $id) { ... on Project { documents { fileName } } } }",
                json!({ "id": p }),
            )
            .await;
        assert_eq!(
            all["data"]["node"]["documents"].as_array().unwrap().len(),
            3,
            "{all}"
        );

        // A type the bytes do not bear out is refused, and nothing is written or stored.
        let before = (app.count("documents").await, stored_files(&app));
        let (_, fake) = upload(
            &app,
            &app.admin,
            &ticket,
            ("evil.png", "image/png", b"<html><script>alert(1)</script>"),
            false,
        )
        .await;
        assert_eq!(helpers::error_code(&fake), "BAD_USER_INPUT", "{fake}");
        assert_eq!(helpers::error_field(&fake), Some("file"));
        let (_, html) = upload(
            &app,
            &app.admin,
            &ticket,
            ("page.html", "text/html", b"<html></html>"),
            false,
        )
        .await;
        assert_eq!(helpers::error_code(&html), "BAD_USER_INPUT", "{html}");
        assert_eq!((app.count("documents").await, stored_files(&app)), before);
    }
);

/// A file over `MAX_UPLOAD_BYTES` is refused, naming the field; one over every limit is
/// refused as the body is read (413). Nothing is written, nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_limit_is_refused_whole() {
    for backend in [helpers::Backend::Sqlite, helpers::Backend::Postgres] {
        let options = delivery_desk::startup::Options {
            documents: delivery_desk::documents::DocumentStore::new("unused", 64),
            ..helpers::test_options()
        };
        let Some(app) = helpers::spawn_app_with(backend, options).await else {
            continue;
        };
        let acme = helpers::client(&app, "Acme").await;
        let p = helpers::signed_project(&app, &acme, "D-2").await;
        let ticket = helpers::ticket(&app, &p, "Big scan").await;
        let big = [PDF, &[b' '; 100][..]].concat();
        let (_, body) = upload(
            &app,
            &app.admin,
            &ticket,
            ("big.pdf", "application/pdf", &big),
            false,
        )
        .await;
        assert_eq!(helpers::error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(helpers::error_field(&body), Some("file"));
        // Over the request body limit as well (64 KiB in tests).
        let huge = [PDF, &vec![b' '; 70 * 1024][..]].concat();
        let (status, body) = upload(
            &app,
            &app.admin,
            &ticket,
            ("huge.pdf", "application/pdf", &huge),
            false,
        )
        .await;
        assert_eq!(status, 413, "{body}");
        let (status, body) = upload(
            &app,
            &app.admin,
            &ticket,
            ("small.pdf", "application/pdf", &PDF[..20]),
            false,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(app.count("documents").await, 1);
        assert_eq!(stored_files(&app), 1);
    }
}
