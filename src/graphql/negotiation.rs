//! Negotiation in the graph: rounds (staff only) and their terms (the portal sees the
//! agreed ones).

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::{EntityKind, Party, TermKind, TermOutcome, negotiation_round, negotiation_term};

use super::{
    delivery::{events_of, project_of},
    event::Event,
    ids::{NodeKind, decode_as, encode},
    input::opt_id,
    loaders,
    project::Project,
    seen,
    sets::TermsOfRound,
    svc,
};
use crate::{
    auth::scope::Visible,
    domain::input::{LONG, SHORT, opt_text, text},
    service::negotiations::{self, NewTerm},
};

/// One round of negotiation with the client (internal).
pub struct NegotiationRound(pub Visible<negotiation_round::Model>);

#[Object]
impl NegotiationRound {
    pub async fn id(&self) -> ID {
        encode(NodeKind::NegotiationRound, self.0.id)
    }
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn held_at(&self) -> DateTime<Utc> {
        self.0.held_at
    }
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    async fn terms(&self, ctx: &Context<'_>) -> Result<Vec<NegotiationTerm>> {
        Ok(loaders::children(ctx, &self.0, TermsOfRound)
            .await?
            .into_iter()
            .map(NegotiationTerm)
            .collect())
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A term proposed by either side, and what became of it.
pub struct NegotiationTerm(pub Visible<negotiation_term::Model>);

#[Object]
impl NegotiationTerm {
    pub async fn id(&self) -> ID {
        encode(NodeKind::NegotiationTerm, self.0.id)
    }
    async fn kind(&self) -> TermKind {
        self.0.kind
    }
    async fn proposed_by(&self) -> Party {
        self.0.proposed_by
    }
    /// The item of the presented proposal it touches.
    async fn proposal_item(&self) -> Option<&str> {
        self.0.proposal_item.as_deref()
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    async fn outcome(&self) -> TermOutcome {
        self.0.outcome
    }
    /// Agreed to the client's ask on an item the proposal marks non-negotiable (staff
    /// only: null in the portal).
    async fn concedes_non_negotiable(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let staff = super::scope(ctx)? == crate::auth::Scope::All;
        Ok(staff.then_some(self.0.concedes_non_negotiable))
    }
    /// The earlier term this one counters (null in the portal).
    async fn counter_of(&self, ctx: &Context<'_>) -> Result<Option<NegotiationTerm>> {
        let Some(id) = self.0.counter_of else {
            return Ok(None);
        };
        Ok(loaders::one::<negotiation_term::Entity>(ctx, id)
            .await?
            .map(NegotiationTerm))
    }
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// The round it was proposed in (null in the portal).
    async fn round(&self, ctx: &Context<'_>) -> Result<Option<NegotiationRound>> {
        Ok(
            loaders::one::<negotiation_round::Entity>(ctx, self.0.round_id)
                .await?
                .map(NegotiationRound),
        )
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        events_of(ctx, EntityKind::NegotiationTerm, self.0.id, last).await
    }
}

#[derive(InputObject)]
pub struct ProposeTermInput {
    round_id: ID,
    kind: TermKind,
    proposed_by: Party,
    /// The name of an item of the proposal the client was shown.
    proposal_item: Option<String>,
    text: String,
    /// An open term of an earlier round that this one counters (it becomes COUNTERED).
    counter_of: Option<ID>,
}

#[derive(Default)]
pub struct NegotiationMutation;

#[Object]
impl NegotiationMutation {
    /// Opens the next round of negotiation of a project not yet signed.
    async fn open_negotiation_round(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        held_at: DateTime<Utc>,
        summary: Option<String>,
    ) -> Result<NegotiationRound> {
        let project_id = decode_as("projectId", &project_id, NodeKind::Project)?;
        let summary = opt_text("summary", summary.as_deref(), LONG)?;
        let row = negotiations::open_round(svc(ctx)?, project_id, held_at, summary).await?;
        Ok(NegotiationRound(seen(ctx, row)?))
    }

    /// Puts a term on the table.
    async fn propose_term(
        &self,
        ctx: &Context<'_>,
        input: ProposeTermInput,
    ) -> Result<NegotiationTerm> {
        let new = NewTerm {
            round_id: decode_as("roundId", &input.round_id, NodeKind::NegotiationRound)?,
            kind: input.kind,
            proposed_by: input.proposed_by,
            proposal_item: opt_text("proposalItem", input.proposal_item.as_deref(), SHORT)?,
            text: text("text", &input.text, LONG)?,
            counter_of: opt_id(
                "counterOf",
                input.counter_of.as_ref(),
                NodeKind::NegotiationTerm,
            )?,
        };
        let row = negotiations::propose(svc(ctx)?, new).await?;
        Ok(NegotiationTerm(seen(ctx, row)?))
    }

    /// Records what became of a term: AGREED, REJECTED or COUNTERED.
    async fn decide_term(
        &self,
        ctx: &Context<'_>,
        id: ID,
        outcome: TermOutcome,
        expected_version: Option<i32>,
    ) -> Result<NegotiationTerm> {
        let id = decode_as("id", &id, NodeKind::NegotiationTerm)?;
        let row = negotiations::decide(svc(ctx)?, id, outcome, expected_version).await?;
        Ok(NegotiationTerm(seen(ctx, row)?))
    }
}
