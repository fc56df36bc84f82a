//! The sales pipeline's arithmetic: a quote weighted by how likely the client is to buy.

use entity::{IntentLevel, ProjectStatus};

/// The phases of the pipeline: the road before the contract (DOMAIN, steps 1-4).
pub const PHASES: [ProjectStatus; 4] = [
    ProjectStatus::Lead,
    ProjectStatus::Discovery,
    ProjectStatus::Proposal,
    ProjectStatus::Negotiation,
];

/// One project in the pipeline: its phase, its client's intent, its latest quote.
pub struct Deal {
    pub phase: ProjectStatus,
    pub intent: IntentLevel,
    /// `(currency, minor units)`; none before a proposal quotes it.
    pub quote: Option<(String, i64)>,
}

/// One phase's figures; amounts per currency, in currency order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub phase: ProjectStatus,
    pub projects: i64,
    pub quoted: Vec<(String, i64)>,
    pub weighted: Vec<(String, i64)>,
}

fn add(sums: &mut Vec<(String, i64)>, currency: &str, minor: i64) {
    match sums.iter_mut().find(|(c, _)| c == currency) {
        Some((_, sum)) => *sum = sum.saturating_add(minor),
        None => {
            sums.push((currency.to_owned(), minor));
            sums.sort();
        }
    }
}

/// The figures of every phase, in road order, empty phases included.
pub fn phases(deals: &[Deal]) -> Vec<Phase> {
    PHASES
        .iter()
        .map(|&phase| {
            let mut p = Phase {
                phase,
                projects: 0,
                quoted: Vec::new(),
                weighted: Vec::new(),
            };
            for d in deals.iter().filter(|d| d.phase == phase) {
                p.projects += 1;
                if let Some((currency, minor)) = &d.quote {
                    add(&mut p.quoted, currency, *minor);
                    add(&mut p.weighted, currency, weighted(*minor, d.intent));
                }
            }
            p
        })
        .collect()
}

/// The share of a quote the pipeline counts for a client of this intent (DOMAIN, step 1:
/// high = clear need, budget and timeline; low = no clear timeline).
pub fn intent_weight_percent(intent: IntentLevel) -> i64 {
    match intent {
        IntentLevel::High => 70,
        IntentLevel::Medium => 40,
        IntentLevel::Low => 10,
    }
}

/// `minor` weighted by `intent`, rounded down to a whole minor unit.
pub fn weighted(minor: i64, intent: IntentLevel) -> i64 {
    // i128: a large quote times a percentage must not overflow before the division.
    (i128::from(minor) * i128::from(intent_weight_percent(intent)) / 100) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_counts_by_the_clients_intent() {
        assert_eq!(weighted(1_000, IntentLevel::High), 700);
        assert_eq!(weighted(1_000, IntentLevel::Low), 100);
        assert_eq!(weighted(999, IntentLevel::Medium), 399);
        // No overflow on the way: 70 % of the largest amount, rounded down.
        assert_eq!(
            weighted(i64::MAX, IntentLevel::High),
            6_456_360_425_798_343_064
        );
    }

    #[test]
    fn phases_count_and_weigh_their_deals_per_currency() {
        let deal = |phase, intent, quote: Option<(&str, i64)>| Deal {
            phase,
            intent,
            quote: quote.map(|(c, m)| (c.to_owned(), m)),
        };
        let p = phases(&[
            deal(
                ProjectStatus::Proposal,
                IntentLevel::High,
                Some(("CNY", 1_000)),
            ),
            deal(
                ProjectStatus::Proposal,
                IntentLevel::Low,
                Some(("CNY", 1_000)),
            ),
            deal(ProjectStatus::Proposal, IntentLevel::Low, Some(("USD", 10))),
            deal(ProjectStatus::Lead, IntentLevel::Medium, None),
        ]);
        assert_eq!(p.len(), 4);
        assert_eq!((p[0].phase, p[0].projects), (ProjectStatus::Lead, 1));
        assert!(p[0].quoted.is_empty());
        assert_eq!(p[1].projects, 0);
        assert_eq!(p[2].projects, 3);
        assert_eq!(p[2].quoted, vec![("CNY".into(), 2_000), ("USD".into(), 10)]);
        assert_eq!(p[2].weighted, vec![("CNY".into(), 800), ("USD".into(), 1)]);
    }
}
