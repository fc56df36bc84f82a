//! The README's status tables are the code's transition tables.

use std::collections::BTreeSet;

use delivery_desk::domain::status::Lifecycle;
use entity::{ChangeRequestStatus, ProjectStatus, RiskStatus, StageStatus, TicketStatus};

/// The `(from, to)` pairs of the README table that follows `heading`.
fn readme_pairs(heading: &str) -> BTreeSet<(String, String)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading}"));
    let mut pairs = BTreeSet::new();
    for line in readme[start..]
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
fn the_readme_tables_match_the_transition_tables() {
    assert_eq!(
        readme_pairs("**Stage (milestone)**"),
        code_pairs::<StageStatus>()
    );
    assert_eq!(readme_pairs("**Ticket**"), code_pairs::<TicketStatus>());
    assert_eq!(readme_pairs("**Risk**"), code_pairs::<RiskStatus>());
    assert_eq!(readme_pairs("**Project**"), code_pairs::<ProjectStatus>());
    assert_eq!(
        readme_pairs("**Change request**"),
        code_pairs::<ChangeRequestStatus>()
    );
}
