//! The README and the reference pages say what the code does: the status tables are the
//! code's transition tables, and every example of the README runs verbatim on the demo
//! data against the real binary started with `demo`.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use delivery_desk::domain::status::Lifecycle;
use entity::{
    ActionItemStatus, ChangeRequestStatus, ContactStatus, ContractStatus, CriterionStatus,
    FeedbackStatus, MeetingStatus, ProjectStatus, ProposalStatus, ReportStatus, RiskStatus,
    StageStatus, SurveyStatus, TermOutcome, TicketStatus,
};
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The `(from, to)` pairs of the table that follows `heading` in `text`.
fn table_pairs(text: &str, heading: &str) -> BTreeSet<(String, String)> {
    let start = text.find(heading).unwrap_or_else(|| panic!("no {heading}"));
    let mut pairs = BTreeSet::new();
    for line in text[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
    {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 2 || cells[0] == "From" || cells[0].starts_with("---") {
            continue;
        }
        for to in cells[1].split(',') {
            pairs.insert((cells[0].to_owned(), to.trim().to_owned()));
        }
    }
    pairs
}

fn code_pairs<S: Lifecycle>() -> BTreeSet<(String, String)> {
    S::TRANSITIONS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_status_tables_match_the_transition_tables() {
    let doc = read("docs/statuses.md");
    assert_eq!(
        table_pairs(&doc, "**Stage (milestone)**"),
        code_pairs::<StageStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Ticket**"),
        code_pairs::<TicketStatus>()
    );
    assert_eq!(table_pairs(&doc, "**Risk**"), code_pairs::<RiskStatus>());
    assert_eq!(
        table_pairs(&doc, "**Project**"),
        code_pairs::<ProjectStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Change request**"),
        code_pairs::<ChangeRequestStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Proposal version**"),
        code_pairs::<ProposalStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Proposal feedback**"),
        code_pairs::<FeedbackStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Negotiation term**"),
        code_pairs::<TermOutcome>()
    );
    assert_eq!(
        table_pairs(&doc, "**Contract**"),
        code_pairs::<ContractStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Meeting**"),
        code_pairs::<MeetingStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Action item**"),
        code_pairs::<ActionItemStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Contact**"),
        code_pairs::<ContactStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Report**"),
        code_pairs::<ReportStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Acceptance criterion**"),
        code_pairs::<CriterionStatus>()
    );
    assert_eq!(
        table_pairs(&doc, "**Survey**"),
        code_pairs::<SurveyStatus>()
    );
}

/// The `sh` blocks of the README that talk to the server (they use `curl`).
fn curl_blocks(readme: &str) -> Vec<String> {
    readme
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .filter(|block| block.contains("curl "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_examples_run_verbatim_on_the_demo_data() {
    let bin = env!("CARGO_BIN_EXE_delivery-desk");
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // `cargo run -- demo`, as the README says, in a folder of its own.
    let mut server = Command::new(bin)
        .arg("demo")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("JWT_SECRET")
        .env_remove("JWT_PUBLIC_KEY_FILE")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("LOG_LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    // Read up to the token line; the rest of what it prints is read and dropped, as a
    // terminal would.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent {
                seen.push_str(&line);
                seen.push('\n');
                if line.trim_start().starts_with("export TOKEN=") {
                    let _ = tx.send(std::mem::take(&mut seen));
                    sent = true;
                }
            }
        }
        if !sent {
            let _ = tx.send(seen);
        }
    });
    let printed = tokio::task::spawn_blocking(move || rx.recv().unwrap_or_default())
        .await
        .unwrap();
    assert!(printed.contains("/graphiql#token="), "{printed}");
    assert!(printed.contains("/board#token="), "{printed}");
    assert!(printed.contains("portal"), "a portal link: {printed}");

    // A person opens the links once the server answers; so do we.
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..200 {
        if let Ok(res) = http.get(format!("{base}/readyz")).send().await
            && res.status().is_success()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let log = || std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
    assert!(ready, "the demo server never became ready:\n{}", log());

    let readme = read("README.md");
    let blocks = curl_blocks(&readme);
    assert!(!blocks.is_empty(), "the README has no curl example");
    for block in blocks {
        let script = block
            .replace("cargo run -q --release --", bin)
            .replace("cargo run -q --", bin)
            .replace("localhost:8080", &format!("127.0.0.1:{port}"));
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{block}\n{text}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            log()
        );
        let answers: Vec<Value> = serde_json::Deserializer::from_str(&text)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        assert!(!answers.is_empty(), "{block}: no answer");
        for answer in answers {
            assert!(answer.get("errors").is_none(), "{block}\n{answer}");
            assert!(answer["data"].is_object(), "{block}\n{answer}");
        }
    }
    let _ = server.kill();
    let _ = server.wait();
}
