//! Documents: files attached to a project's records (reports, meetings, requirement
//! sheets, its acceptance, change requests, tickets). The bytes go to the
//! [`DocumentStore`]; the row says what they are, whose, and whether they are internal.

use entity::{
    DocumentOwner, EntityKind, EventKind, change_request, document, meeting, project, report,
    requirement_sheet, ticket,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::{Caller, Ctx, EventDraft, UnitOfWork};
use crate::{
    auth::scope::{Scoped, visible},
    documents::DocumentStore,
    domain::document::file_name,
    error::{AppError, AppResult},
};

/// What the portal may attach to: its screenshots on tickets and change requests, and
/// the signed acceptance scan. Reports, meetings and requirement sheets are the team's.
const PORTAL_OWNERS: [DocumentOwner; 3] = [
    DocumentOwner::Ticket,
    DocumentOwner::ChangeRequest,
    DocumentOwner::Acceptance,
];

/// A file as it arrived.
pub struct Upload {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub file: std::fs::File,
}

/// `E`'s row `id` as the caller sees it, or `NOT_FOUND` naming `attachTo`.
async fn owner_row<E: Scoped>(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id_column: E::Column,
    id: i64,
) -> AppResult<E::Model> {
    E::find()
        .filter(id_column.eq(id))
        .filter(visible::<E>(caller.scope()?))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::input("attachTo", "no such record"))
}

/// The project (and so client) of what the document is attached to, in the caller's scope.
async fn project_of_owner(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    kind: DocumentOwner,
    id: i64,
) -> AppResult<project::Model> {
    use DocumentOwner as O;
    let project_id = match kind {
        O::Report => {
            owner_row::<report::Entity>(conn, caller, report::Column::Id, id)
                .await?
                .project_id
        }
        O::Meeting => {
            owner_row::<meeting::Entity>(conn, caller, meeting::Column::Id, id)
                .await?
                .project_id
        }
        O::RequirementSheet => {
            owner_row::<requirement_sheet::Entity>(conn, caller, requirement_sheet::Column::Id, id)
                .await?
                .project_id
        }
        O::Acceptance => id,
        O::ChangeRequest => {
            owner_row::<change_request::Entity>(conn, caller, change_request::Column::Id, id)
                .await?
                .project_id
        }
        O::Ticket => {
            owner_row::<ticket::Entity>(conn, caller, ticket::Column::Id, id)
                .await?
                .project_id
        }
    };
    owner_row::<project::Entity>(conn, caller, project::Column::Id, project_id).await
}

/// Attaches an uploaded file to `owner`: checked (size, type against its bytes, name),
/// stored by content, and recorded with its event. A portal user attaches to its own
/// client's tickets, change requests and acceptance, never as internal.
pub async fn attach(
    ctx: Ctx<'_>,
    store: &DocumentStore,
    (kind, owner_id): (DocumentOwner, i64),
    internal: bool,
    upload: Upload,
) -> AppResult<document::Model> {
    let by_contact = match ctx.caller {
        Caller::Contact { contact_id, .. } => {
            if !PORTAL_OWNERS.contains(&kind) {
                return Err(AppError::Forbidden(format!(
                    "the portal attaches documents to tickets, change requests and the acceptance, not to a {kind}"
                )));
            }
            if internal {
                return Err(AppError::Forbidden(
                    "an internal document is the vendor's".into(),
                ));
            }
            Some(*contact_id)
        }
        _ => {
            ctx.caller.require_staff_write()?;
            None
        }
    };
    let name = file_name(upload.file_name.as_deref())?;
    // The record is checked before any byte is stored; the bytes are stored before the
    // transaction, so no transaction waits on the disk.
    let p = project_of_owner(ctx.db, ctx.caller, kind, owner_id).await?;
    let stored = store.put(upload.file, upload.content_type).await?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let row = document::ActiveModel {
        project_id: Set(p.id),
        client_id: Set(p.client_id),
        owner_kind: Set(kind),
        owner_id: Set(owner_id),
        file_name: Set(name),
        content_type: Set(stored.kind.content_type().to_owned()),
        size_bytes: Set(i64::try_from(stored.size).unwrap_or(i64::MAX)),
        sha256: Set(stored.sha256),
        internal: Set(internal),
        uploaded_by_user_id: Set(ctx.caller.user_id()),
        uploaded_by_contact_id: Set(by_contact),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Document, row.id)
            .project(p.id, p.client_id)
            .changes(json!({
                "owner_kind": kind,
                "owner_id": owner_id,
                "file_name": row.file_name,
                "content_type": row.content_type,
                "size_bytes": row.size_bytes,
                "sha256": row.sha256,
                "internal": internal,
            })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// The document `id` if the caller may download it (`NOT_FOUND` otherwise: an internal
/// document, or one on something the portal does not see, does not exist for it).
pub async fn downloadable(ctx: Ctx<'_>, id: i64) -> AppResult<document::Model> {
    document::Entity::find_by_id(id)
        .filter(visible::<document::Entity>(ctx.caller.scope()?))
        .one(ctx.db)
        .await?
        .ok_or(AppError::not_found("document"))
}
