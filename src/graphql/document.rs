//! Documents in the graph: uploaded with the GraphQL multipart request specification,
//! listed on what they are attached to, downloaded at `downloadUrl` with the same token.

use async_graphql::{Context, ID, Object, Result, Upload};
use chrono::{DateTime, Utc};
use entity::{DocumentOwner, contact, document};

use super::{
    client::Contact,
    delivery::{project_of, user_of},
    ids::{NodeKind, decode, encode},
    loaders,
    project::Project,
    seen,
    sets::{DocumentsOf, DocumentsOfProject},
    svc,
    user::User,
};
use crate::{
    auth::scope::Visible,
    documents::DocumentStore,
    error::AppError,
    service::documents::{self, Upload as Incoming},
};

/// A file attached to a project's record: a signed scan, minutes, a screenshot.
pub struct Document(pub Visible<document::Model>);

#[Object]
impl Document {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Document, self.0.id)
    }
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// As checked against the file's bytes at upload.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    async fn size_bytes(&self) -> i32 {
        i32::try_from(self.0.size_bytes).unwrap_or(i32::MAX)
    }
    /// SHA-256 of the content, lowercase hex: what a downloader checks the bytes against.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// The vendor's only (never shown in the portal).
    async fn internal(&self) -> bool {
        self.0.internal
    }
    /// What it is attached to.
    async fn attached_to(&self) -> DocumentOwner {
        self.0.owner_kind
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn uploaded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.uploaded_by_user_id).await
    }
    /// Set when a client contact uploaded it in the portal.
    async fn uploaded_by_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.uploaded_by_contact_id else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    /// `GET` it with the same `Authorization` header; the server's path, e.g.
    /// `/documents/42`.
    async fn download_url(&self) -> String {
        format!("/documents/{}", self.0.id)
    }
}

/// The documents attached to `owner_id` of `kind`, oldest first.
pub async fn attached_to(
    ctx: &Context<'_>,
    kind: DocumentOwner,
    owner_id: i64,
) -> Result<Vec<Document>> {
    Ok(loaders::children_by_id(ctx, owner_id, DocumentsOf { kind })
        .await?
        .into_iter()
        .map(Document)
        .collect())
}

/// Every document of a project, oldest first.
pub async fn of_project(ctx: &Context<'_>, project_id: i64) -> Result<Vec<Document>> {
    Ok(loaders::children_by_id(ctx, project_id, DocumentsOfProject)
        .await?
        .into_iter()
        .map(Document)
        .collect())
}

/// What a global id names as a document's owner: a project's id names its acceptance.
fn owner_of(id: &ID) -> Result<(DocumentOwner, i64), AppError> {
    let (kind, id) = decode("attachTo", id)?;
    let owner = match kind {
        NodeKind::Report => DocumentOwner::Report,
        NodeKind::Meeting => DocumentOwner::Meeting,
        NodeKind::RequirementSheet => DocumentOwner::RequirementSheet,
        NodeKind::Project => DocumentOwner::Acceptance,
        NodeKind::ChangeRequest => DocumentOwner::ChangeRequest,
        NodeKind::Ticket => DocumentOwner::Ticket,
        _ => {
            return Err(AppError::input(
                "attachTo",
                "documents attach to a report, meeting, requirement sheet, project (its acceptance), change request or ticket",
            ));
        }
    };
    Ok((owner, id))
}

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Uploads a file (a GraphQL multipart request) and attaches it to a report, meeting,
    /// requirement sheet, change request or ticket, or to a project's acceptance (give
    /// the project's id). The portal attaches to its tickets, change requests and
    /// acceptance. Accepted: PDF, PNG, JPEG, GIF, WebP, text, CSV, Word, Excel,
    /// PowerPoint, checked against the bytes; at most the server's `MAX_UPLOAD_BYTES`.
    async fn upload_document(
        &self,
        ctx: &Context<'_>,
        attach_to: ID,
        file: Upload,
        #[graphql(default = false)] internal: bool,
    ) -> Result<Document> {
        let owner = owner_of(&attach_to)?;
        let value = file
            .value(ctx)
            .map_err(|_| AppError::input("file", "send the file as a multipart upload"))?;
        let incoming = Incoming {
            file_name: Some(value.filename),
            content_type: value.content_type,
            file: value.content,
        };
        let store = ctx.data::<DocumentStore>()?;
        let row = documents::attach(svc(ctx)?, store, owner, internal, incoming).await?;
        Ok(Document(seen(ctx, row)?))
    }
}
