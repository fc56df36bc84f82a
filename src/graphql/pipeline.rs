//! The sales pipeline in the graph (staff only).

use async_graphql::{Context, Object, Result, SimpleObject};
use entity::ProjectStatus;

use super::{contract::Contract, project::Money, proposal::ProposalVersion, seen, svc};
use crate::service::pipeline;

/// One pre-contract phase of the pipeline.
#[derive(SimpleObject)]
pub struct PipelinePhase {
    phase: ProjectStatus,
    projects: i32,
    /// The latest quote of each project (presented, or else the latest written), summed
    /// per currency.
    quoted_value: Vec<Money>,
    /// The same weighted by each client's intent (high 70 %, medium 40 %, low 10 %).
    weighted_value: Vec<Money>,
}

/// Where the road before the contract stands, across clients.
#[derive(SimpleObject)]
pub struct Pipeline {
    /// Lead, discovery, proposal, negotiation, in road order.
    phases: Vec<PipelinePhase>,
    /// Proposal versions waiting for a verdict, the longest waiting first.
    proposals_awaiting_review: Vec<ProposalVersion>,
    /// Contracts sent and not yet countersigned, the longest waiting first.
    contracts_awaiting_signature: Vec<Contract>,
}

#[derive(Default)]
pub struct PipelineQuery;

#[Object]
impl PipelineQuery {
    /// The sales pipeline (staff only).
    async fn pipeline(&self, ctx: &Context<'_>) -> Result<Pipeline> {
        let p = pipeline::pipeline(svc(ctx)?.db).await?;
        let money = |sums: Vec<(String, i64)>| {
            sums.into_iter()
                .map(|(currency, minor)| Money::of(minor, currency))
                .collect()
        };
        Ok(Pipeline {
            phases: p
                .phases
                .into_iter()
                .map(|ph| PipelinePhase {
                    phase: ph.phase,
                    projects: i32::try_from(ph.projects).unwrap_or(i32::MAX),
                    quoted_value: money(ph.quoted),
                    weighted_value: money(ph.weighted),
                })
                .collect(),
            proposals_awaiting_review: p
                .awaiting_review
                .into_iter()
                .map(|v| Ok(ProposalVersion(seen(ctx, v)?)))
                .collect::<Result<_>>()?,
            contracts_awaiting_signature: p
                .awaiting_signature
                .into_iter()
                .map(|c| Ok(Contract(seen(ctx, c)?)))
                .collect::<Result<_>>()?,
        })
    }
}
