//! What was agreed in the graph: requirement sheet versions, change requests and the
//! acceptance sign-off.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::{
    ChangeRequestStatus, Feasibility, RequirementCategory, acceptance, change_request, requirement,
    requirement_sheet as sheet,
};

use super::{
    client::Contact,
    delivery::{Requirement, contact_of, project_of, user_of},
    ids::{NodeKind, decode_as, encode},
    input::{ids, opt_id},
    loaders,
    project::{Money, MoneyInput, Project},
    sets::{AcceptancesOfProject, ChangeRequestsOfProject, SheetsOfProject},
    svc,
    user::User,
};
use crate::{
    domain::{
        input::{LONG, SHORT, in_range, opt_text, text},
        requirement::{Addition, Agreed, ScopeChange},
    },
    service::agreements::{self, Decision, NewChangeRequest},
};

/// One requirement as a sheet version recorded it.
pub struct AgreedRequirement(Agreed);

#[Object]
impl AgreedRequirement {
    /// The requirement as it is now.
    async fn requirement(&self, ctx: &Context<'_>) -> Result<Option<Requirement>> {
        Ok(
            loaders::one::<requirement::Entity>(ctx, self.0.requirement_id)
                .await?
                .map(Requirement),
        )
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }
    async fn category(&self) -> RequirementCategory {
        self.0.category
    }
    async fn feasibility(&self) -> Feasibility {
        self.0.feasibility
    }
    async fn alternative(&self) -> Option<&str> {
        self.0.alternative.as_deref()
    }
    async fn in_scope(&self) -> bool {
        self.0.in_scope
    }
    async fn scope_note(&self) -> Option<&str> {
        self.0.scope_note.as_deref()
    }
}

/// A signed version of the requirement confirmation sheet. Never changes.
pub struct RequirementSheet(pub Visible<sheet::Model>);

#[Object]
impl RequirementSheet {
    /// Files attached to it (a portal user: those not internal), oldest first.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::attached_to(ctx, entity::DocumentOwner::RequirementSheet, self.0.id).await
    }
    pub async fn id(&self) -> ID {
        encode(NodeKind::RequirementSheet, self.0.id)
    }
    /// 1 for the sheet signed after calibration; each approved change request adds one.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn signed_at(&self) -> DateTime<Utc> {
        self.0.signed_at
    }
    async fn vendor_signer(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, Some(self.0.vendor_signer_id)).await
    }
    async fn client_signer(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        contact_of(ctx, Some(self.0.client_signer_id)).await
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The requirements as signed, in scope and out of it.
    async fn requirements(&self) -> Result<Vec<AgreedRequirement>> {
        let agreed: Vec<Agreed> = serde_json::from_value(self.0.requirements.clone())
            .map_err(|e| crate::error::AppError::Internal(e.into()))?;
        Ok(agreed.into_iter().map(AgreedRequirement).collect())
    }
    /// The approved change request this version came from; null for version 1.
    async fn change_request(&self, ctx: &Context<'_>) -> Result<Option<ChangeRequest>> {
        let Some(id) = self.0.change_request_id else {
            return Ok(None);
        };
        Ok(loaders::one::<change_request::Entity>(ctx, id)
            .await?
            .map(ChangeRequest))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
}

pub async fn sheets_of(ctx: &Context<'_>, project_id: i64) -> Result<Vec<RequirementSheet>> {
    Ok(loaders::children_by_id(ctx, project_id, SheetsOfProject)
        .await?
        .into_iter()
        .map(RequirementSheet)
        .collect())
}

/// A request to change what the signed sheet settled.
pub struct ChangeRequest(pub Visible<change_request::Model>);

#[Object]
impl ChangeRequest {
    /// Files attached to it (a portal user: those not internal), oldest first.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::attached_to(ctx, entity::DocumentOwner::ChangeRequest, self.0.id).await
    }
    pub async fn id(&self) -> ID {
        encode(NodeKind::ChangeRequest, self.0.id)
    }
    /// What is asked.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Days the plan moves (negative: earlier).
    async fn schedule_impact_days(&self) -> Option<i32> {
        self.0.schedule_impact_days
    }
    /// Additional cost.
    async fn cost_impact(&self) -> Option<Money> {
        let (minor, currency) = (
            self.0.cost_impact_minor?,
            self.0.cost_impact_currency.clone()?,
        );
        Some(Money::of(minor, currency))
    }
    /// The effect on scope, in words.
    async fn scope_impact(&self) -> Option<&str> {
        self.0.scope_impact.as_deref()
    }
    /// Titles of the requirements approval adds.
    async fn adds(&self) -> Vec<String> {
        self.change().add.into_iter().map(|a| a.title).collect()
    }
    /// Requirements approval takes out of scope.
    async fn descopes(&self, ctx: &Context<'_>) -> Result<Vec<Requirement>> {
        // Asked together, so the loader fetches them in one batch.
        let rows = futures_util::future::try_join_all(
            self.change()
                .descope
                .into_iter()
                .map(|id| loaders::one::<requirement::Entity>(ctx, id)),
        )
        .await?;
        Ok(rows.into_iter().flatten().map(Requirement).collect())
    }
    async fn status(&self) -> ChangeRequestStatus {
        self.0.status
    }
    async fn proposed_at(&self) -> DateTime<Utc> {
        self.0.proposed_at
    }
    async fn proposed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.proposed_by_user_id).await
    }
    /// Set when the client proposed it in the portal.
    async fn proposed_by_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        contact_of(ctx, self.0.proposed_by_contact_id).await
    }
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    async fn decided_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.decided_by_user_id).await
    }
    /// The client's contact who agreed to the approved change.
    async fn client_approver(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        contact_of(ctx, self.0.client_approver_id).await
    }
    async fn decision_note(&self) -> Option<&str> {
        self.0.decision_note.as_deref()
    }
    /// The sheet version its approval signed.
    async fn sheet_version(&self) -> Option<i32> {
        self.0.sheet_version
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
}

impl ChangeRequest {
    fn change(&self) -> ScopeChange {
        serde_json::from_value(self.0.scope_change.clone()).unwrap_or_default()
    }
}

pub async fn change_requests_of(ctx: &Context<'_>, project_id: i64) -> Result<Vec<ChangeRequest>> {
    Ok(
        loaders::children_by_id(ctx, project_id, ChangeRequestsOfProject)
            .await?
            .into_iter()
            .map(ChangeRequest)
            .collect(),
    )
}

/// The client's acceptance sign-off of a project.
pub struct Acceptance(pub Visible<acceptance::Model>);

#[Object]
impl Acceptance {
    /// Files attached to it (a portal user: those not internal), oldest first.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::attached_to(ctx, entity::DocumentOwner::Acceptance, self.0.project_id)
            .await
    }
    async fn signed_at(&self) -> DateTime<Utc> {
        self.0.signed_at
    }
    /// The client's contact who signed.
    async fn signed_by(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        contact_of(ctx, Some(self.0.contact_id)).await
    }
    /// The staff member who recorded a signature given outside the portal.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.recorded_by_user_id).await
    }
    /// Why it was signed with criteria not all passed.
    async fn waiver_reason(&self) -> Option<&str> {
        self.0.waiver_reason.as_deref()
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
}

pub async fn acceptance_of(ctx: &Context<'_>, project_id: i64) -> Result<Option<Acceptance>> {
    Ok(
        loaders::children_by_id(ctx, project_id, AcceptancesOfProject)
            .await?
            .pop()
            .map(Acceptance),
    )
}

#[derive(InputObject)]
pub struct SignRequirementSheetInput {
    pub project_id: ID,
    /// The vendor's signatory (a user).
    pub vendor_signer_id: ID,
    /// The client's signatory (a contact of the project's client).
    pub client_signer_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct RequirementAdditionInput {
    pub title: String,
    pub detail: Option<String>,
    pub category: RequirementCategory,
    #[graphql(default_with = "Feasibility::Feasible")]
    pub feasibility: Feasibility,
    pub alternative: Option<String>,
    pub scope_note: Option<String>,
}

#[derive(InputObject)]
pub struct ProposeChangeRequestInput {
    pub project_id: ID,
    /// What is asked.
    pub title: String,
    /// Why.
    pub reason: String,
    /// Days the plan moves (negative: earlier), -3650 to 3650.
    pub schedule_impact_days: Option<i32>,
    pub cost_impact: Option<MoneyInput>,
    /// The effect on scope, in words.
    pub scope_impact: Option<String>,
    /// Requirements approval adds to the scope.
    #[graphql(default)]
    pub add_requirements: Vec<RequirementAdditionInput>,
    /// Requirements approval takes out of scope.
    #[graphql(default)]
    pub descope_requirement_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct SignAcceptanceInput {
    pub project_id: ID,
    /// The client's contact who signed; required from staff, implied in the portal.
    pub contact_id: Option<ID>,
    pub notes: Option<String>,
    /// Why acceptance is signed with criteria not all passed (required then).
    pub waiver_reason: Option<String>,
}

#[derive(Default)]
pub struct AgreementMutation;

#[Object]
impl AgreementMutation {
    /// Signs version 1 of the project's requirement confirmation sheet (staff, naming
    /// both signatories). The requirement list is frozen from then on.
    async fn sign_requirement_sheet(
        &self,
        ctx: &Context<'_>,
        input: SignRequirementSheetInput,
    ) -> Result<RequirementSheet> {
        let project_id = decode_as("projectId", &input.project_id, NodeKind::Project)?;
        let vendor = decode_as("vendorSignerId", &input.vendor_signer_id, NodeKind::User)?;
        let client = decode_as("clientSignerId", &input.client_signer_id, NodeKind::Contact)?;
        let note = opt_text("note", input.note.as_deref(), LONG)?;
        Ok(RequirementSheet(super::seen(
            ctx,
            agreements::sign_sheet(svc(ctx)?, project_id, vendor, client, note).await?,
        )?))
    }

    /// Proposes a change to a signed sheet: staff, or the client in the portal.
    async fn propose_change_request(
        &self,
        ctx: &Context<'_>,
        input: ProposeChangeRequestInput,
    ) -> Result<ChangeRequest> {
        let mut add = Vec::new();
        for a in input.add_requirements {
            add.push(Addition {
                title: text("addRequirements.title", &a.title, SHORT)?,
                detail: opt_text("addRequirements.detail", a.detail.as_deref(), LONG)?,
                category: a.category,
                feasibility: a.feasibility,
                alternative: opt_text(
                    "addRequirements.alternative",
                    a.alternative.as_deref(),
                    LONG,
                )?,
                scope_note: opt_text("addRequirements.scopeNote", a.scope_note.as_deref(), LONG)?,
            });
        }
        let new = NewChangeRequest {
            project_id: decode_as("projectId", &input.project_id, NodeKind::Project)?,
            title: text("title", &input.title, SHORT)?,
            reason: text("reason", &input.reason, LONG)?,
            schedule_impact_days: input
                .schedule_impact_days
                .map(|d| in_range("scheduleImpactDays", d, -3650..=3650))
                .transpose()?,
            cost_impact: input.cost_impact.map(MoneyInput::parse).transpose()?,
            scope_impact: opt_text("scopeImpact", input.scope_impact.as_deref(), LONG)?,
            scope_change: ScopeChange {
                add,
                descope: ids(
                    "descopeRequirementIds",
                    Some(input.descope_requirement_ids),
                    NodeKind::Requirement,
                )?,
            },
        };
        Ok(ChangeRequest(super::seen(
            ctx,
            agreements::propose(svc(ctx)?, new).await?,
        )?))
    }

    /// Approves a proposed change (staff) with the client's named contact: its scope
    /// change is applied and signed as the sheet's next version.
    async fn approve_change_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        client_approver_id: ID,
        note: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<ChangeRequest> {
        let id = decode_as("id", &id, NodeKind::ChangeRequest)?;
        let approver = decode_as("clientApproverId", &client_approver_id, NodeKind::Contact)?;
        let note = opt_text("note", note.as_deref(), LONG)?;
        let decision = Decision::Approve {
            client_approver_id: approver,
        };
        Ok(ChangeRequest(super::seen(
            ctx,
            agreements::decide(svc(ctx)?, id, decision, note, expected_version).await?,
        )?))
    }

    /// Rejects a proposed change (staff); the sheet stays as it is.
    async fn reject_change_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<ChangeRequest> {
        let id = decode_as("id", &id, NodeKind::ChangeRequest)?;
        let note = opt_text("note", note.as_deref(), LONG)?;
        Ok(ChangeRequest(super::seen(
            ctx,
            agreements::decide(svc(ctx)?, id, Decision::Reject, note, expected_version).await?,
        )?))
    }

    /// The client's acceptance sign-off: moves a project in ACCEPTANCE to AFTER_SALES.
    /// In the portal the contact signs as itself; staff record a signature given
    /// elsewhere, naming the contact.
    async fn sign_acceptance(
        &self,
        ctx: &Context<'_>,
        input: SignAcceptanceInput,
    ) -> Result<Acceptance> {
        let project_id = decode_as("projectId", &input.project_id, NodeKind::Project)?;
        let contact_id = opt_id("contactId", input.contact_id.as_ref(), NodeKind::Contact)?;
        let notes = opt_text("notes", input.notes.as_deref(), LONG)?;
        let waiver = opt_text("waiverReason", input.waiver_reason.as_deref(), LONG)?;
        let (_, row) = agreements::accept(svc(ctx)?, project_id, contact_id, notes, waiver).await?;
        Ok(Acceptance(super::seen(ctx, row)?))
    }
}
