//! The vendor's staff directory.

use entity::{EntityKind, EventKind, Language, user};
use sea_orm::{ActiveModelTrait, Set};

use super::{Ctx, EventDraft, UnitOfWork, check_version, load, patch::Changes, save_versioned};
use crate::{error::AppResult, snapshot};

pub struct NewUser {
    pub name: String,
    pub email: String,
    pub title: Option<String>,
    pub language: Language,
}

#[derive(Default)]
pub struct UserPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub title: Option<Option<String>>,
    pub active: Option<bool>,
    pub language: Option<Language>,
}

pub fn list(scope: crate::auth::Scope) -> crate::auth::scope::VisibleSelect<user::Entity> {
    crate::auth::scope::VisibleSelect::new(scope)
}

pub async fn create(ctx: Ctx<'_>, new: NewUser) -> AppResult<user::Model> {
    ctx.caller.require_admin()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let row = user::ActiveModel {
        name: Set(new.name),
        email: Set(new.email),
        title: Set(new.title),
        active: Set(true),
        language: Set(new.language),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::User, row.id)
            .changes(snapshot!(row; name, email, title, language)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    patch: UserPatch,
    expected: Option<i32>,
) -> AppResult<user::Model> {
    ctx.caller.require_admin()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let UserPatch {
        name,
        email,
        title,
        active,
        language,
    } = patch;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<user::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("user", cur.version, expected)?;
    let mut changes = Changes::default();
    let am = user::ActiveModel {
        name: changes.field("name", &cur.name, name),
        email: changes.field("email", &cur.email, email),
        title: changes.field("title", &cur.title, title),
        active: changes.field("active", &cur.active, active),
        language: changes.field("language", &cur.language, language),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if changes.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::User, id).changes(changes.into_json()),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
