//! The sales pipeline across clients (staff): projects by pre-contract phase with their
//! quoted and weighted value, proposals waiting for review, contracts waiting for a
//! signature.

use std::collections::HashMap;

use entity::{client, contract, project, proposal_version};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{contracts, proposals};
use crate::{
    domain::{
        pipeline::{Deal, PHASES, Phase, phases},
        proposal::{QuoteLine, quote_total},
    },
    error::AppResult,
};

/// How many waiting proposals and contracts the pipeline lists.
pub const WAITING_LIMIT: u64 = 100;

pub struct Pipeline {
    pub phases: Vec<Phase>,
    pub awaiting_review: Vec<proposal_version::Model>,
    pub awaiting_signature: Vec<contract::Model>,
}

/// The pipeline now, in five statements whatever the number of projects.
pub async fn pipeline(db: &impl ConnectionTrait) -> AppResult<Pipeline> {
    let projects = project::Entity::find()
        .filter(project::Column::Status.is_in(PHASES))
        .all(db)
        .await?;
    let clients: HashMap<i64, client::Model> = client::Entity::find()
        .filter(client::Column::Id.is_in(projects.iter().map(|p| p.client_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    // A project's quote: its latest version presented, or else its latest version.
    let mut quotes: HashMap<i64, proposal_version::Model> = HashMap::new();
    for v in proposal_version::Entity::find()
        .filter(proposal_version::Column::ProjectId.is_in(projects.iter().map(|p| p.id)))
        .order_by_asc(proposal_version::Column::Number)
        .all(db)
        .await?
    {
        let keep = quotes.get(&v.project_id).is_none_or(|cur| {
            v.status == entity::ProposalStatus::Presented
                || cur.status != entity::ProposalStatus::Presented
        });
        if keep {
            quotes.insert(v.project_id, v);
        }
    }
    let mut deals = Vec::with_capacity(projects.len());
    for p in &projects {
        let Some(c) = clients.get(&p.client_id) else {
            continue;
        };
        let quote = match quotes.get(&p.id) {
            Some(v) => {
                let lines: Vec<QuoteLine> = proposals::parse_json("quote lines", &v.quote_lines)?;
                Some((v.currency.clone(), quote_total(&lines)?))
            }
            None => None,
        };
        deals.push(Deal {
            phase: p.status,
            intent: c.intent_level,
            quote,
        });
    }
    Ok(Pipeline {
        phases: phases(&deals),
        awaiting_review: proposals::awaiting_review(db, WAITING_LIMIT).await?,
        awaiting_signature: contracts::awaiting_signature(db, WAITING_LIMIT).await?,
    })
}
