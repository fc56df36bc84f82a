//! Clients (customer organisations) and their contacts.

use chrono::{DateTime, Utc};
use entity::{
    ClientSource, ContactStatus, DecisionRole, EntityKind, EventKind, IntentLevel, Language,
    client, contact,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Set,
    sea_query::{Expr, ExprTrait, Func},
};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, load, patch::Changes, require, save_versioned,
};
use crate::{
    auth::{Scope, scope::VisibleSelect},
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewClient {
    pub name: String,
    pub industry: Option<String>,
    pub main_business: Option<String>,
    pub source: ClientSource,
    pub intent_level: IntentLevel,
    pub budget_range: Option<String>,
    pub decision_chain: Option<String>,
    pub key_needs: Option<String>,
    pub notes: Option<String>,
    pub first_contact_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub industry: Option<Option<String>>,
    pub main_business: Option<Option<String>>,
    pub source: Option<ClientSource>,
    pub intent_level: Option<IntentLevel>,
    pub budget_range: Option<Option<String>>,
    pub decision_chain: Option<Option<String>>,
    pub key_needs: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub first_contact_at: Option<Option<DateTime<Utc>>>,
    /// Why the intent level changes (with a new `intent_level` only).
    pub intent_reason: Option<String>,
}

/// The event that grades a client's intent: from what, to what, why. A client's intent
/// history is these events, oldest first; the actor and the time are the event's.
fn intent_graded(
    client_id: i64,
    from: Option<IntentLevel>,
    to: IntentLevel,
    reason: Option<String>,
) -> EventDraft {
    EventDraft::new(EventKind::IntentGraded, EntityKind::Client, client_id)
        .client(client_id)
        .changes(serde_json::json!({ "from": from, "to": to, "reason": reason }))
}

#[derive(Default)]
pub struct ClientFilter {
    pub intent_levels: Vec<IntentLevel>,
    pub sources: Vec<ClientSource>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
}

/// Escapes LIKE wildcards so that user text matches literally.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub fn list(scope: Scope, filter: ClientFilter) -> VisibleSelect<client::Entity> {
    let mut q = VisibleSelect::<client::Entity>::new(scope);
    if !filter.intent_levels.is_empty() {
        q = q.filter(client::Column::IntentLevel.is_in(filter.intent_levels));
    }
    if !filter.sources.is_empty() {
        q = q.filter(client::Column::Source.is_in(filter.sources));
    }
    if let Some(text) = filter.name_contains {
        q = q.filter(
            Expr::expr(Func::lower(Expr::col(client::Column::Name)))
                .like(sea_orm::sea_query::LikeExpr::new(like_pattern(&text)).escape('\\')),
        );
    }
    q
}

pub async fn create(ctx: Ctx<'_>, new: NewClient) -> AppResult<client::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let row = client::ActiveModel {
        name: Set(new.name),
        industry: Set(new.industry),
        main_business: Set(new.main_business),
        source: Set(new.source),
        intent_level: Set(new.intent_level),
        budget_range: Set(new.budget_range),
        decision_chain: Set(new.decision_chain),
        key_needs: Set(new.key_needs),
        notes: Set(new.notes),
        first_contact_at: Set(new.first_contact_at),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let snap = snapshot!(row; name, industry, source, intent_level, budget_range, decision_chain, key_needs);
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Client, row.id)
            .client(row.id)
            .changes(snap),
    )
    .await?;
    uow.record(intent_graded(row.id, None, row.intent_level, None))
        .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    p: ClientPatch,
    expected: Option<i32>,
) -> AppResult<client::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let ClientPatch {
        name,
        industry,
        main_business,
        source,
        intent_level,
        budget_range,
        decision_chain,
        key_needs,
        notes,
        first_contact_at,
        intent_reason,
    } = p;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<client::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("client", cur.version, expected)?;
    let regraded = intent_level.filter(|l| *l != cur.intent_level);
    if intent_reason.is_some() && regraded.is_none() {
        return Err(AppError::input(
            "intentReason",
            "give intentReason with a new intentLevel",
        ));
    }
    let mut ch = Changes::default();
    let am = client::ActiveModel {
        name: ch.field("name", &cur.name, name),
        industry: ch.field("industry", &cur.industry, industry),
        main_business: ch.field("main_business", &cur.main_business, main_business),
        source: ch.field("source", &cur.source, source),
        intent_level: ch.field("intent_level", &cur.intent_level, intent_level),
        budget_range: ch.field("budget_range", &cur.budget_range, budget_range),
        decision_chain: ch.field("decision_chain", &cur.decision_chain, decision_chain),
        key_needs: ch.field("key_needs", &cur.key_needs, key_needs),
        notes: ch.field("notes", &cur.notes, notes),
        first_contact_at: ch.field("first_contact_at", &cur.first_contact_at, first_contact_at),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Client, id)
            .client(id)
            .changes(ch.into_json()),
    )
    .await?;
    if let Some(to) = regraded {
        uow.record(intent_graded(id, Some(cur.intent_level), to, intent_reason))
            .await?;
    }
    uow.commit().await?;
    Ok(row)
}

pub struct NewContact {
    pub client_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub decision_role: Option<DecisionRole>,
    pub language: Language,
}

#[derive(Default)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub decision_role: Option<Option<DecisionRole>>,
    pub language: Option<Language>,
}

pub async fn create_contact(ctx: Ctx<'_>, new: NewContact) -> AppResult<contact::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    require::<client::Entity>(uow.txn(), ctx.caller, "clientId", new.client_id).await?;
    let row = contact::ActiveModel {
        client_id: Set(new.client_id),
        name: Set(new.name),
        title: Set(new.title),
        email: Set(new.email),
        phone: Set(new.phone),
        status: Set(ContactStatus::Active),
        decision_role: Set(new.decision_role),
        language: Set(new.language),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let snap = snapshot!(row; name, title, email, phone, decision_role, language);
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Contact, row.id)
            .client(row.client_id)
            .changes(snap),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update_contact(
    ctx: Ctx<'_>,
    id: i64,
    p: ContactPatch,
    expected: Option<i32>,
) -> AppResult<contact::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let ContactPatch {
        name,
        title,
        email,
        phone,
        decision_role,
        language,
    } = p;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<contact::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("contact", cur.version, expected)?;
    let mut ch = Changes::default();
    let am = contact::ActiveModel {
        name: ch.field("name", &cur.name, name),
        title: ch.field("title", &cur.title, title),
        email: ch.field("email", &cur.email, email),
        phone: ch.field("phone", &cur.phone, phone),
        decision_role: ch.field("decision_role", &cur.decision_role, decision_role),
        language: ch.field("language", &cur.language, language),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Contact, id)
            .client(cur.client_id)
            .changes(ch.into_json()),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
