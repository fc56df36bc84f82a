//! Negotiation with the client (DOMAIN, step 4): rounds, the terms each side proposes,
//! and what became of them, checked against the items the presented proposal would not
//! negotiate.

use chrono::{DateTime, Utc};
use entity::{
    EntityKind, EventKind, Party, TermKind, TermOutcome, negotiation_round as round,
    negotiation_term as term, project,
};
use sea_orm::{ActiveModelTrait, Set};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, load, next_number, proposals, require,
    save_versioned,
};
use crate::{
    domain::{
        negotiation::concedes_non_negotiable,
        proposal::Item,
        status::{Lifecycle, ProjectStatusExt},
    },
    error::{AppError, AppResult},
    snapshot,
};

/// Opens the next round of negotiation of a project not yet signed.
pub async fn open_round(
    ctx: Ctx<'_>,
    project_id: i64,
    held_at: DateTime<Utc>,
    summary: Option<String>,
) -> AppResult<round::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", project_id).await?;
    if !p.status.is_pre_contract() {
        return Err(AppError::Conflict(format!(
            "the project is {}: negotiation happens before the contract",
            p.status
        )));
    }
    let number = next_number::<round::Entity>(
        uow.txn(),
        round::Column::ProjectId,
        round::Column::Number,
        p.id,
    )
    .await?;
    let row = round::ActiveModel {
        project_id: Set(p.id),
        number: Set(number),
        held_at: Set(held_at),
        summary: Set(summary),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::NegotiationRound, row.id)
            .project(p.id, p.client_id)
            .changes(snapshot!(row; number, held_at)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub struct NewTerm {
    pub round_id: i64,
    pub kind: TermKind,
    pub proposed_by: Party,
    /// The proposal item it touches, by name (an item of the presented version).
    pub proposal_item: Option<String>,
    pub text: String,
    /// The open term of an earlier round this one counters; it becomes COUNTERED.
    pub counter_of: Option<i64>,
}

/// The items of the version the client was shown last.
async fn presented_items(
    conn: &impl sea_orm::ConnectionTrait,
    project_id: i64,
) -> AppResult<Vec<Item>> {
    match proposals::latest_presented(conn, project_id).await? {
        Some(v) => proposals::parse_json("proposal items", &v.items),
        None => Ok(Vec::new()),
    }
}

/// Puts a term on the table in a round.
pub async fn propose(ctx: Ctx<'_>, new: NewTerm) -> AppResult<term::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let r = require::<round::Entity>(uow.txn(), ctx.caller, "roundId", new.round_id).await?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, r.project_id).await?;
    let proposal_item = match new.proposal_item {
        Some(name) => {
            let items = presented_items(uow.txn(), p.id).await?;
            let item = items
                .into_iter()
                .find(|i| i.name.eq_ignore_ascii_case(&name))
                .ok_or_else(|| {
                    AppError::input(
                        "proposalItem",
                        format!("{name:?} is not an item of the proposal the client was shown"),
                    )
                })?;
            Some(item.name)
        }
        None => None,
    };
    if let Some(id) = new.counter_of {
        let countered = require::<term::Entity>(uow.txn(), ctx.caller, "counterOf", id).await?;
        if countered.project_id != p.id {
            return Err(AppError::input("counterOf", "a term of another project"));
        }
        if countered.outcome != TermOutcome::Countered {
            countered.outcome.check(TermOutcome::Countered)?;
            let am = term::ActiveModel {
                outcome: Set(TermOutcome::Countered),
                decided_at: Set(Some(uow.now())),
                updated_at: Set(uow.now()),
                ..Default::default()
            };
            save_versioned(uow.txn(), am, id, countered.version).await?;
            uow.record(
                EventDraft::new(EventKind::StatusChanged, EntityKind::NegotiationTerm, id)
                    .project(p.id, p.client_id)
                    .status(countered.outcome, TermOutcome::Countered),
            )
            .await?;
        }
    }
    let row = term::ActiveModel {
        round_id: Set(r.id),
        project_id: Set(p.id),
        kind: Set(new.kind),
        proposed_by: Set(new.proposed_by),
        proposal_item: Set(proposal_item),
        text: Set(new.text),
        outcome: Set(TermOutcome::Open),
        counter_of: Set(new.counter_of),
        concedes_non_negotiable: Set(false),
        decided_at: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::NegotiationTerm, row.id)
            .project(p.id, p.client_id)
            .changes(snapshot!(row; round_id, kind, proposed_by, proposal_item, outcome)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Records what became of a term. Agreeing to the client's ask on an item the proposal
/// marks non-negotiable is allowed, and flagged.
pub async fn decide(
    ctx: Ctx<'_>,
    id: i64,
    outcome: TermOutcome,
    expected: Option<i32>,
) -> AppResult<term::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<term::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("negotiation term", cur.version, expected)?;
    cur.outcome.check(outcome)?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let items = presented_items(uow.txn(), p.id).await?;
    let flagged = concedes_non_negotiable(
        cur.proposed_by,
        outcome,
        cur.proposal_item.as_deref(),
        &items,
    );
    let am = term::ActiveModel {
        outcome: Set(outcome),
        concedes_non_negotiable: Set(flagged),
        decided_at: Set(Some(uow.now())),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::NegotiationTerm, id)
            .project(p.id, p.client_id)
            .status(cur.outcome, outcome)
            .changes(snapshot!(row; kind, proposal_item, concedes_non_negotiable)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
