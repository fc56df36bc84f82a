//! A project's contract (DOMAIN, step 4): drafted by legal, reviewed, sent, signed by the
//! client, countersigned, archived. Countersigning makes the project signed, in the same
//! transaction; the contract names the service-level policy its tickets follow.

use entity::{
    ContractStatus, EntityKind, EventKind, ProjectStatus, contact, contract, project,
    service_level_policy,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, load, proposals, require, save_versioned,
    service_levels,
};
use crate::{
    domain::{
        contract::{Step, awaits_signature},
        money::Money,
        status::{ContractFacts, Lifecycle, ProjectPhase, ProjectStatusExt},
    },
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewContract {
    pub project_id: i64,
    pub number: String,
    pub value: Money,
    /// Defaults to the policy of the proposal the client was shown last.
    pub service_level_policy_id: Option<i64>,
    /// Defaults to the project's rule.
    pub value_internal: Option<bool>,
}

fn step(uow: &UnitOfWork<'_>, status: ContractStatus, note: Option<String>) -> Step {
    let (actor_kind, actor_id) = uow.caller().actor();
    Step {
        status,
        at: uow.now(),
        actor_kind,
        actor_id,
        note,
    }
}

fn event(kind: EventKind, row: &contract::Model, client_id: i64) -> EventDraft {
    EventDraft::new(kind, EntityKind::Contract, row.id).project(row.project_id, client_id)
}

/// Legal starts drafting the contract of a project not yet signed.
pub async fn draft(ctx: Ctx<'_>, new: NewContract) -> AppResult<contract::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    if !p.status.is_pre_contract() {
        return Err(AppError::Conflict(format!(
            "the project is {}: its contract is signed already",
            p.status
        )));
    }
    let policy = match new.service_level_policy_id {
        Some(id) => Some(
            require::<service_level_policy::Entity>(
                uow.txn(),
                ctx.caller,
                "serviceLevelPolicyId",
                id,
            )
            .await?
            .id,
        ),
        None => proposals::latest_presented(uow.txn(), p.id)
            .await?
            .and_then(|v| v.service_level_policy_id),
    };
    let steps = vec![step(&uow, ContractStatus::Drafting, None)];
    let row = contract::ActiveModel {
        project_id: Set(p.id),
        number: Set(new.number),
        value_minor: Set(Some(new.value.minor)),
        currency: Set(Some(new.value.currency)),
        value_internal: Set(new.value_internal.unwrap_or(p.contract_value_internal)),
        service_level_policy_id: Set(policy),
        status: Set(ContractStatus::Drafting),
        status_at: Set(uow.now()),
        steps: Set(serde_json::json!(steps)),
        client_signer_id: Set(None),
        signed_on: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::Conflict("the project has a contract already, or the number is taken".into())
        }
        other => other,
    })?;
    uow.record(
        event(EventKind::Created, &row, p.client_id)
            .changes(snapshot!(row; number, status, service_level_policy_id)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub struct Advance {
    pub to: ContractStatus,
    /// The client's signatory: required to record CLIENT_SIGNED.
    pub client_signer_id: Option<i64>,
    pub note: Option<String>,
}

/// Moves a contract one step. Countersigning fills the project's contract number, value,
/// signed date and policy and moves it to CONTRACT_SIGNED, all in this transaction.
pub async fn advance(
    ctx: Ctx<'_>,
    id: i64,
    a: Advance,
    expected: Option<i32>,
) -> AppResult<(contract::Model, project::Model)> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<contract::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("contract", cur.version, expected)?;
    cur.status.check(a.to)?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let signer = match (a.to, a.client_signer_id) {
        (ContractStatus::ClientSigned, Some(cid)) => {
            let c =
                require::<contact::Entity>(uow.txn(), ctx.caller, "clientSignerId", cid).await?;
            if c.client_id != p.client_id {
                return Err(AppError::input(
                    "clientSignerId",
                    "the signatory is a contact of another client",
                ));
            }
            Some(Some(cid))
        }
        (ContractStatus::ClientSigned, None) => {
            return Err(AppError::input(
                "clientSignerId",
                "recording the client's signature names its signatory",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::input(
                "clientSignerId",
                "a signatory is named only when the client signs",
            ));
        }
        (_, None) => None,
    };
    let mut steps: Vec<Step> = proposals::parse_json("contract steps", &cur.steps)?;
    steps.push(step(&uow, a.to, a.note));
    let signed_on = if a.to == ContractStatus::Countersigned {
        let calendar = service_levels::current_policy(uow.txn()).await?.calendar;
        Some(calendar.date_of(uow.now()))
    } else {
        None
    };
    let am = contract::ActiveModel {
        status: Set(a.to),
        status_at: Set(uow.now()),
        steps: Set(serde_json::json!(steps)),
        client_signer_id: signer.map_or(sea_orm::NotSet, Set),
        signed_on: signed_on.map_or(sea_orm::NotSet, |d| Set(Some(d))),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::StatusChanged, &row, p.client_id)
            .status(cur.status, row.status)
            .changes(snapshot!(row; client_signer_id, signed_on)),
    )
    .await?;
    let project = match signed_on {
        Some(date) => sign_project(&mut uow, &p, &row, date).await?,
        None => p,
    };
    uow.commit().await?;
    Ok((row, project))
}

/// The countersigned contract's facts on its project, which enters CONTRACT_SIGNED.
async fn sign_project(
    uow: &mut UnitOfWork<'_>,
    p: &project::Model,
    c: &contract::Model,
    date: chrono::NaiveDate,
) -> AppResult<project::Model> {
    let phase = ProjectPhase {
        status: p.status,
        held_from: p.held_from,
    };
    let signed = ContractFacts {
        has_contract_number: true,
        has_signed_date: true,
    };
    let next = phase.transition(ProjectStatus::ContractSigned, signed)?;
    let am = project::ActiveModel {
        status: Set(next.status),
        held_from: Set(next.held_from),
        contract_number: Set(Some(c.number.clone())),
        contract_value_minor: Set(c.value_minor),
        currency: Set(c.currency.clone()),
        contract_value_internal: Set(c.value_internal),
        contract_signed_on: Set(Some(date)),
        service_level_policy_id: Set(c.service_level_policy_id),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, p.id, p.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Project, p.id)
            .project(p.id, p.client_id)
            .status(p.status, next.status)
            .changes(snapshot!(row; contract_number, contract_signed_on, service_level_policy_id)),
    )
    .await?;
    Ok(row)
}

/// Names the service-level policy of a contract's after-sales terms (none: the default).
/// Once signed, the project follows it and its tickets' running clocks are re-targeted.
pub async fn set_policy(
    ctx: Ctx<'_>,
    id: i64,
    policy_id: Option<i64>,
    expected: Option<i32>,
) -> AppResult<contract::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<contract::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("contract", cur.version, expected)?;
    if let Some(pid) = policy_id {
        require::<service_level_policy::Entity>(uow.txn(), ctx.caller, "serviceLevelPolicyId", pid)
            .await?;
    }
    if cur.service_level_policy_id == policy_id {
        return Ok(cur);
    }
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let am = contract::ActiveModel {
        service_level_policy_id: Set(policy_id),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::Updated, &row, p.client_id)
            .changes(snapshot!(row; service_level_policy_id)),
    )
    .await?;
    if !p.status.is_pre_contract() {
        service_levels::change_project_policy(&mut uow, &p, policy_id).await?;
    }
    uow.commit().await?;
    Ok(row)
}

/// Contracts waiting for a signature, the longest waiting first (the pipeline).
pub async fn awaiting_signature(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> AppResult<Vec<contract::Model>> {
    let waiting: Vec<ContractStatus> = <ContractStatus as sea_orm::Iterable>::iter()
        .filter(|s| awaits_signature(*s))
        .collect();
    Ok(contract::Entity::find()
        .filter(contract::Column::Status.is_in(waiting))
        .order_by_asc(contract::Column::StatusAt)
        .order_by_asc(contract::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}
