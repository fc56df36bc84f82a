//! Rules of a negotiation (DOMAIN, step 4): what may become of a proposed term, and when
//! agreeing to one gives away what the proposal said was not negotiable.

use entity::{Party, TermOutcome};

use super::{proposal::Item, status::Lifecycle};

impl Lifecycle for TermOutcome {
    const ENTITY: &'static str = "negotiation term";
    // A decision is final: a counter-offer is a new term of the next round.
    const TRANSITIONS: &'static [(Self, Self)] = &[
        (TermOutcome::Open, TermOutcome::Agreed),
        (TermOutcome::Open, TermOutcome::Rejected),
        (TermOutcome::Open, TermOutcome::Countered),
    ];
}

/// Whether agreeing to a term concedes an item that the proposal the client saw marks
/// non-negotiable: the client asked for it, the vendor agreed, and the item is one the
/// vendor said it would not move on.
pub fn concedes_non_negotiable(
    proposed_by: Party,
    outcome: TermOutcome,
    item: Option<&str>,
    items: &[Item],
) -> bool {
    let Some(item) = item else {
        return false;
    };
    proposed_by == Party::Client
        && outcome == TermOutcome::Agreed
        && items
            .iter()
            .any(|i| !i.negotiable && i.name.eq_ignore_ascii_case(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<Item> {
        vec![
            Item {
                name: "Source code ownership".into(),
                negotiable: false,
                note: None,
            },
            Item {
                name: "Payment schedule".into(),
                negotiable: true,
                note: None,
            },
        ]
    }

    #[test]
    fn agreeing_to_the_clients_ask_on_a_non_negotiable_item_is_flagged() {
        let ip = Some("source code ownership");
        assert!(concedes_non_negotiable(
            Party::Client,
            TermOutcome::Agreed,
            ip,
            &items()
        ));
        assert!(!concedes_non_negotiable(
            Party::Client,
            TermOutcome::Rejected,
            ip,
            &items()
        ));
        assert!(!concedes_non_negotiable(
            Party::Vendor,
            TermOutcome::Agreed,
            ip,
            &items()
        ));
        let pay = Some("Payment schedule");
        assert!(!concedes_non_negotiable(
            Party::Client,
            TermOutcome::Agreed,
            pay,
            &items()
        ));
        assert!(!concedes_non_negotiable(
            Party::Client,
            TermOutcome::Agreed,
            None,
            &items()
        ));
    }

    #[test]
    fn a_decided_term_stays_decided() {
        assert!(TermOutcome::Open.can_become(TermOutcome::Countered));
        assert!(!TermOutcome::Agreed.can_become(TermOutcome::Rejected));
        assert!(!TermOutcome::Countered.can_become(TermOutcome::Agreed));
    }
}
