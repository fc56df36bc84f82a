//! Solution proposals (DOMAIN, step 3): versions written by the team, reviewed inside the
//! vendor by the required roles, presented to the client, and the client's feedback.

use entity::{
    EntityKind, EventKind, FeedbackKind, FeedbackStatus, ProposalStage, ProposalStatus,
    ReviewVerdict, ReviewerRole, contact, project, proposal_feedback as feedback,
    proposal_review as review, proposal_version as version, service_level_policy,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::de::DeserializeOwned;

use super::{
    Caller, Ctx, EventDraft, UnitOfWork, check_version, load, next_number, require, save_versioned,
};
use crate::{
    domain::{
        proposal::{
            Item, QuoteLine, ReviewState, check_editable, check_items, check_presentable,
            quote_total, required_roles,
        },
        status::{Lifecycle, ProjectStatusExt},
    },
    error::{AppError, AppResult},
    snapshot,
};

/// A JSON column written by this module, read back.
pub fn parse_json<T: DeserializeOwned>(what: &str, value: &serde_json::Value) -> AppResult<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| AppError::Internal(format!("stored {what} does not parse: {e}").into()))
}

/// The whole content of a version, as written by the team.
pub struct Content {
    pub stage: ProposalStage,
    pub summary: String,
    pub modules: Vec<String>,
    pub implementation_plan: Option<String>,
    pub delivery_period: Option<String>,
    pub after_sales_terms: Option<String>,
    pub service_level_policy_id: Option<i64>,
    pub highlights: Vec<String>,
    pub currency: String,
    pub quote_lines: Vec<QuoteLine>,
    pub items: Vec<Item>,
}

impl Content {
    async fn check(&self, conn: &impl ConnectionTrait, caller: &Caller) -> AppResult<()> {
        quote_total(&self.quote_lines)?;
        check_items(&self.items)?;
        if let Some(id) = self.service_level_policy_id {
            require::<service_level_policy::Entity>(conn, caller, "serviceLevelPolicyId", id)
                .await?;
        }
        Ok(())
    }
}

fn event(kind: EventKind, row: &version::Model, client_id: i64) -> EventDraft {
    EventDraft::new(kind, EntityKind::ProposalVersion, row.id).project(row.project_id, client_id)
}

async fn client_of(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    project_id: i64,
) -> AppResult<i64> {
    Ok(load::<project::Entity>(conn, caller, project_id)
        .await?
        .client_id)
}

/// Writes a new version of a project's proposal, numbered after the last one.
pub async fn create(ctx: Ctx<'_>, project_id: i64, c: Content) -> AppResult<version::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", project_id).await?;
    if !p.status.is_pre_contract() {
        return Err(AppError::Conflict(format!(
            "the project is {}: proposals are written before the contract",
            p.status
        )));
    }
    c.check(uow.txn(), ctx.caller).await?;
    let number = next_number::<version::Entity>(
        uow.txn(),
        version::Column::ProjectId,
        version::Column::Number,
        p.id,
    )
    .await?;
    let row = version::ActiveModel {
        project_id: Set(p.id),
        number: Set(number),
        stage: Set(c.stage),
        status: Set(ProposalStatus::Draft),
        summary: Set(c.summary),
        modules: Set(serde_json::json!(c.modules)),
        implementation_plan: Set(c.implementation_plan),
        delivery_period: Set(c.delivery_period),
        after_sales_terms: Set(c.after_sales_terms),
        service_level_policy_id: Set(c.service_level_policy_id),
        highlights: Set(serde_json::json!(c.highlights)),
        currency: Set(c.currency),
        quote_lines: Set(serde_json::json!(c.quote_lines)),
        items: Set(serde_json::json!(c.items)),
        revision: Set(1),
        required_roles: Set(serde_json::json!([])),
        submitted_at: Set(None),
        presented_at: Set(None),
        presented_by: Set(None),
        created_by: Set(ctx.caller.user_id()),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        event(EventKind::Created, &row, p.client_id)
            .changes(snapshot!(row; number, stage, status, currency)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Replaces a version's content. Any change after a submission or an approval sends it
/// back to draft: the review of the new revision starts again.
pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    c: Content,
    expected: Option<i32>,
) -> AppResult<version::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<version::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("proposal version", cur.version, expected)?;
    check_editable(cur.status)?;
    c.check(uow.txn(), ctx.caller).await?;
    let client_id = client_of(uow.txn(), ctx.caller, cur.project_id).await?;
    let back_to_draft = cur.status != ProposalStatus::Draft;
    if back_to_draft {
        cur.status.check(ProposalStatus::Draft)?;
    }
    let am = version::ActiveModel {
        stage: Set(c.stage),
        status: Set(ProposalStatus::Draft),
        summary: Set(c.summary),
        modules: Set(serde_json::json!(c.modules)),
        implementation_plan: Set(c.implementation_plan),
        delivery_period: Set(c.delivery_period),
        after_sales_terms: Set(c.after_sales_terms),
        service_level_policy_id: Set(c.service_level_policy_id),
        highlights: Set(serde_json::json!(c.highlights)),
        currency: Set(c.currency),
        quote_lines: Set(serde_json::json!(c.quote_lines)),
        items: Set(serde_json::json!(c.items)),
        revision: Set(cur.revision + 1),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    let mut draft = event(
        if back_to_draft {
            EventKind::StatusChanged
        } else {
            EventKind::Updated
        },
        &row,
        client_id,
    )
    .changes(snapshot!(row; revision, stage, currency));
    if back_to_draft {
        draft = draft.status(cur.status, row.status);
    }
    uow.record(draft).await?;
    uow.commit().await?;
    Ok(row)
}

/// Asks the required roles (as configured now) to review the current revision.
pub async fn submit(
    ctx: Ctx<'_>,
    id: i64,
    roles: &[ReviewerRole],
    expected: Option<i32>,
) -> AppResult<version::Model> {
    ctx.caller.require_staff_write()?;
    let roles = required_roles(roles)?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<version::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("proposal version", cur.version, expected)?;
    cur.status.check(ProposalStatus::InReview)?;
    let client_id = client_of(uow.txn(), ctx.caller, cur.project_id).await?;
    let am = version::ActiveModel {
        status: Set(ProposalStatus::InReview),
        required_roles: Set(serde_json::json!(roles)),
        submitted_at: Set(Some(uow.now())),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::StatusChanged, &row, client_id)
            .status(cur.status, row.status)
            .changes(snapshot!(row; revision, required_roles)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// The verdicts given on a version's current revision.
pub async fn verdicts(
    conn: &impl ConnectionTrait,
    v: &version::Model,
) -> AppResult<Vec<(ReviewerRole, ReviewVerdict)>> {
    Ok(review::Entity::find()
        .filter(review::Column::ProposalVersionId.eq(v.id))
        .filter(review::Column::Revision.eq(v.revision))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.role, r.verdict))
        .collect())
}

/// A version's review state from its stored verdicts.
pub fn state_of(
    v: &version::Model,
    verdicts: &[(ReviewerRole, ReviewVerdict)],
) -> AppResult<ReviewState> {
    let required: Vec<ReviewerRole> = parse_json("required roles", &v.required_roles)?;
    Ok(ReviewState::of(&required, verdicts))
}

pub struct Verdict {
    pub role: ReviewerRole,
    pub verdict: ReviewVerdict,
    pub comment: Option<String>,
}

/// One reviewer's verdict, in one role, on the revision in review. The last approval
/// makes the version presentable; a request for changes stops it.
pub async fn review(
    ctx: Ctx<'_>,
    id: i64,
    v: Verdict,
) -> AppResult<(version::Model, review::Model)> {
    ctx.caller.require_staff_write()?;
    let Some(reviewer) = ctx.caller.user_id() else {
        return Err(AppError::Forbidden(
            "a review is given by a member of staff".into(),
        ));
    };
    if v.verdict == ReviewVerdict::ChangesRequested && v.comment.is_none() {
        return Err(AppError::input(
            "comment",
            "asking for changes needs a comment saying which",
        ));
    }
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<version::Entity>(uow.txn(), ctx.caller, id).await?;
    if cur.status != ProposalStatus::InReview {
        return Err(AppError::Conflict(format!(
            "the version is {}: only a version in review takes verdicts",
            cur.status
        )));
    }
    let given = verdicts(uow.txn(), &cur).await?;
    let required: Vec<ReviewerRole> = parse_json("required roles", &cur.required_roles)?;
    if !required.contains(&v.role) {
        return Err(AppError::input(
            "role",
            format!("{} is not a required reviewer of this version", v.role),
        ));
    }
    let same_person = review::Entity::find()
        .filter(review::Column::ProposalVersionId.eq(cur.id))
        .filter(review::Column::Revision.eq(cur.revision))
        .filter(review::Column::ReviewerId.eq(reviewer))
        .one(uow.txn())
        .await?;
    if let Some(r) = same_person {
        return Err(AppError::Conflict(format!(
            "you reviewed this revision already as {}: each role needs its own reviewer",
            r.role
        )));
    }
    // The unique index (version, revision, role) refuses a second verdict of a role.
    let row = review::ActiveModel {
        proposal_version_id: Set(cur.id),
        project_id: Set(cur.project_id),
        revision: Set(cur.revision),
        role: Set(v.role),
        reviewer_id: Set(reviewer),
        verdict: Set(v.verdict),
        comment: Set(v.comment),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.txn())
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::Conflict(format!("{} reviewed this revision already", v.role))
        }
        other => other,
    })?;
    let client_id = client_of(uow.txn(), ctx.caller, cur.project_id).await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::ProposalReview, row.id)
            .project(cur.project_id, client_id)
            .changes(snapshot!(row; proposal_version_id, revision, role, verdict)),
    )
    .await?;
    let mut all = given;
    all.push((row.role, row.verdict));
    let next = ReviewState::of(&required, &all).status();
    let out = if next != cur.status {
        cur.status.check(next)?;
        let am = version::ActiveModel {
            status: Set(next),
            updated_at: Set(uow.now()),
            ..Default::default()
        };
        let v = save_versioned(uow.txn(), am, cur.id, cur.version).await?;
        uow.record(event(EventKind::StatusChanged, &v, client_id).status(cur.status, next))
            .await?;
        v
    } else {
        cur
    };
    uow.commit().await?;
    Ok((out, row))
}

/// Presents an approved version to the client: from now on the portal shows it.
pub async fn present(ctx: Ctx<'_>, id: i64, expected: Option<i32>) -> AppResult<version::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<version::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("proposal version", cur.version, expected)?;
    let state = state_of(&cur, &verdicts(uow.txn(), &cur).await?)?;
    check_presentable(cur.status, &state)?;
    let client_id = client_of(uow.txn(), ctx.caller, cur.project_id).await?;
    let am = version::ActiveModel {
        status: Set(ProposalStatus::Presented),
        presented_at: Set(Some(uow.now())),
        presented_by: Set(ctx.caller.user_id()),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::StatusChanged, &row, client_id)
            .status(cur.status, row.status)
            .changes(snapshot!(row; number, stage, presented_at)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub struct NewFeedback {
    pub version_id: i64,
    pub kind: FeedbackKind,
    pub body: String,
    /// Whose words: required of staff recording them, the caller itself in the portal.
    pub contact_id: Option<i64>,
}

/// Records what the client said about a presented version: in the portal by the
/// client's contact, or by the team on a contact's behalf.
pub async fn add_feedback(ctx: Ctx<'_>, new: NewFeedback) -> AppResult<feedback::Model> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    // A portal user finds only presented versions of its own client.
    let v = require::<version::Entity>(uow.txn(), ctx.caller, "proposalVersionId", new.version_id)
        .await?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, v.project_id).await?;
    ctx.caller.require_staff_write_or_contact_of(p.client_id)?;
    if v.status != ProposalStatus::Presented {
        return Err(AppError::Conflict(
            "feedback is given on a version the client was shown".into(),
        ));
    }
    let contact_id = match (ctx.caller, new.contact_id) {
        (Caller::Contact { contact_id, .. }, None) => Some(*contact_id),
        (Caller::Contact { contact_id, .. }, Some(id)) if id == *contact_id => Some(id),
        (Caller::Contact { .. }, Some(_)) => {
            return Err(AppError::Forbidden(
                "a contact gives feedback in its own name".into(),
            ));
        }
        (_, Some(id)) => {
            let c = require::<contact::Entity>(uow.txn(), ctx.caller, "contactId", id).await?;
            if c.client_id != p.client_id {
                return Err(AppError::input("contactId", "a contact of another client"));
            }
            Some(id)
        }
        (_, None) => None,
    };
    let (author_kind, author_id) = ctx.caller.actor();
    let row = feedback::ActiveModel {
        proposal_version_id: Set(v.id),
        project_id: Set(v.project_id),
        kind: Set(new.kind),
        body: Set(new.body),
        author_kind: Set(author_kind),
        author_id: Set(author_id.unwrap_or(0)),
        contact_id: Set(contact_id),
        status: Set(FeedbackStatus::Open),
        response: Set(None),
        responded_by: Set(None),
        responded_at: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::ProposalFeedback, row.id)
            .project(v.project_id, p.client_id)
            .changes(snapshot!(row; proposal_version_id, kind, status)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// The team answers or resolves a feedback item (or reopens it).
pub async fn respond(
    ctx: Ctx<'_>,
    id: i64,
    to: FeedbackStatus,
    response: Option<String>,
    expected: Option<i32>,
) -> AppResult<feedback::Model> {
    ctx.caller.require_staff_write()?;
    if to == FeedbackStatus::Answered && response.is_none() {
        return Err(AppError::input("response", "an answer needs its text"));
    }
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<feedback::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("proposal feedback", cur.version, expected)?;
    cur.status.check(to)?;
    let client_id = client_of(uow.txn(), ctx.caller, cur.project_id).await?;
    let answered = response.is_some();
    let am = feedback::ActiveModel {
        status: Set(to),
        response: if answered {
            Set(response)
        } else {
            sea_orm::NotSet
        },
        responded_by: if answered {
            Set(ctx.caller.user_id())
        } else {
            sea_orm::NotSet
        },
        responded_at: if answered {
            Set(Some(uow.now()))
        } else {
            sea_orm::NotSet
        },
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::ProposalFeedback, id)
            .project(cur.project_id, client_id)
            .status(cur.status, to),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// The versions waiting for a verdict, oldest submission first (the pipeline).
pub async fn awaiting_review(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> AppResult<Vec<version::Model>> {
    Ok(version::Entity::find()
        .filter(version::Column::Status.eq(ProposalStatus::InReview))
        .order_by_asc(version::Column::SubmittedAt)
        .order_by_asc(version::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// The latest version the client was shown, if any: what negotiation and the contract
/// refer to.
pub async fn latest_presented(
    conn: &impl ConnectionTrait,
    project_id: i64,
) -> AppResult<Option<version::Model>> {
    Ok(version::Entity::find()
        .filter(version::Column::ProjectId.eq(project_id))
        .filter(version::Column::Status.eq(ProposalStatus::Presented))
        .order_by_desc(version::Column::Number)
        .one(conn)
        .await?)
}
