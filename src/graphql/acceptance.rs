//! Acceptance criteria in the graph: drafted from what was agreed, passed or failed by the
//! client (in the portal, or by staff on a contact's behalf).

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{CriterionStatus, acceptance_criterion as criterion, contact, requirement, stage};

use super::{
    client::Contact,
    delivery::{Requirement, Stage},
    ids::{NodeKind, decode_as, encode},
    input::opt_id,
    loaders, seen, svc,
};
use crate::{
    auth::scope::Visible,
    domain::input::{LONG, SHORT, opt_text, text},
    service::acceptance_criteria,
};

/// One thing the client checks at acceptance.
pub struct AcceptanceCriterion(pub Visible<criterion::Model>);

#[Object]
impl AcceptanceCriterion {
    pub async fn id(&self) -> ID {
        encode(NodeKind::AcceptanceCriterion, self.0.id)
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// PENDING, PASSED or FAILED.
    async fn status(&self) -> CriterionStatus {
        self.0.status
    }
    /// The client's note with its verdict.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    async fn decided_by(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.decided_by_contact_id else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
    }
    /// The client's contact who is to check it.
    async fn checker(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.checker_contact_id else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
    }
    /// The in-scope requirement it checks.
    async fn requirement(&self, ctx: &Context<'_>) -> Result<Option<Requirement>> {
        let Some(id) = self.0.requirement_id else {
            return Ok(None);
        };
        Ok(loaders::one::<requirement::Entity>(ctx, id)
            .await?
            .map(Requirement))
    }
    /// The stage whose deliverables it checks.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        let Some(id) = self.0.stage_id else {
            return Ok(None);
        };
        Ok(loaders::one::<stage::Entity>(ctx, id).await?.map(Stage))
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct AcceptanceMutation;

#[Object]
impl AcceptanceMutation {
    /// Drafts the project's criteria from its in-scope requirements and its stages'
    /// deliverables (each once, however often it runs); returns those added.
    async fn draft_acceptance_criteria(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> Result<Vec<AcceptanceCriterion>> {
        let id = decode_as("projectId", &project_id, NodeKind::Project)?;
        let rows = acceptance_criteria::draft(svc(ctx)?, id).await?;
        rows.into_iter()
            .map(|r| Ok(AcceptanceCriterion(seen(ctx, r)?)))
            .collect()
    }

    /// Adds a criterion, checked by `checkerContactId` (the project's primary contact
    /// when not given).
    async fn add_acceptance_criterion(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        #[graphql(name = "text")] criterion: String,
        checker_contact_id: Option<ID>,
    ) -> Result<AcceptanceCriterion> {
        let id = decode_as("projectId", &project_id, NodeKind::Project)?;
        let criterion = text("text", &criterion, SHORT)?;
        let checker = opt_id(
            "checkerContactId",
            checker_contact_id.as_ref(),
            NodeKind::Contact,
        )?;
        let row = acceptance_criteria::add(svc(ctx)?, id, criterion, checker).await?;
        Ok(AcceptanceCriterion(seen(ctx, row)?))
    }

    /// The client's verdict: PASSED or FAILED, with a note. A portal user gives its own;
    /// staff record one given elsewhere, naming the contact.
    async fn judge_acceptance_criterion(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: CriterionStatus,
        note: Option<String>,
        contact_id: Option<ID>,
        expected_version: Option<i32>,
    ) -> Result<AcceptanceCriterion> {
        let id = decode_as("id", &id, NodeKind::AcceptanceCriterion)?;
        let contact = opt_id("contactId", contact_id.as_ref(), NodeKind::Contact)?;
        let note = opt_text("note", note.as_deref(), LONG)?;
        let row =
            acceptance_criteria::judge(svc(ctx)?, id, status, note, contact, expected_version)
                .await?;
        Ok(AcceptanceCriterion(seen(ctx, row)?))
    }
}
