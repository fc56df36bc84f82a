//! E-mail in the graph: the outbox (staff), sending a failed message again, and each
//! person's choice of what they receive.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{Language, MailKind, MailStatus, RecipientKind, outbox_message};
use sea_orm::Iterable;

use super::{
    ids::{NodeKind, decode_as, encode},
    input::opt_id,
    pagination::{KeyKind, Page, Sort, paginate},
    seen, svc,
};
use crate::{
    auth::scope::Visible,
    mail::{Links, templates},
    service::outbox::{self, OutboxFilter},
};

/// An e-mail to one person: queued, sent, failed or suppressed, with what it says.
pub struct OutboxMessage(pub Visible<outbox_message::Model>);

#[Object]
impl OutboxMessage {
    pub async fn id(&self) -> ID {
        encode(NodeKind::OutboxMessage, self.0.id)
    }
    async fn kind(&self) -> MailKind {
        self.0.kind
    }
    async fn status(&self) -> MailStatus {
        self.0.status
    }
    /// The person: a vendor user or a client contact.
    async fn recipient(&self) -> Recipient {
        let kind = match self.0.recipient_kind {
            RecipientKind::User => NodeKind::User,
            RecipientKind::Contact => NodeKind::Contact,
        };
        Recipient {
            kind: self.0.recipient_kind,
            id: encode(kind, self.0.recipient_id),
        }
    }
    /// Where it goes (null: the person has no address).
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    async fn language(&self) -> Language {
        self.0.language
    }
    /// The message as it is (or would be) sent, rendered now from its facts.
    async fn subject(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.render(ctx)?.subject)
    }
    async fn body(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.render(ctx)?.body)
    }
    /// The event it announces (null for a weekly digest).
    async fn event_cursor(&self) -> Option<String> {
        self.0.event_id.map(|id| encode(NodeKind::Event, id).0)
    }
    async fn project_id(&self) -> Option<ID> {
        self.0.project_id.map(|id| encode(NodeKind::Project, id))
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When it is tried next (while PENDING).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == MailStatus::Pending).then_some(self.0.next_attempt_at)
    }
    /// Why the last attempt failed, or why it is suppressed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}

impl OutboxMessage {
    fn render(&self, ctx: &Context<'_>) -> Result<templates::Rendered> {
        let links = ctx.data::<Links>()?;
        let data: serde_json::Value = serde_json::from_str(&self.0.data)?;
        templates::render(
            self.0.kind,
            self.0.language,
            &data,
            links,
            &self.0.unsubscribe_token,
        )
        .map_err(|e| crate::error::AppError::Internal(e.into()).into())
    }
}

/// Who an e-mail goes to.
#[derive(SimpleObject)]
pub struct Recipient {
    pub kind: RecipientKind,
    /// A `User` or `Contact` id.
    pub id: ID,
}

/// How many messages stand in one status.
#[derive(SimpleObject)]
pub struct MailStatusCount {
    pub status: MailStatus,
    pub count: u64,
}

/// One kind of e-mail and whether the caller receives it.
#[derive(SimpleObject)]
pub struct MailSubscription {
    pub kind: MailKind,
    pub subscribed: bool,
}

fn subscriptions(unsubscribed: &[MailKind]) -> Vec<MailSubscription> {
    MailKind::iter()
        .map(|kind| MailSubscription {
            kind,
            subscribed: !unsubscribed.contains(&kind),
        })
        .collect()
}

#[derive(InputObject, Default)]
pub struct OutboxFilterInput {
    status: Option<MailStatus>,
    kind: Option<MailKind>,
    project_id: Option<ID>,
    /// A `User` or `Contact` id: the messages to that person.
    recipient_id: Option<ID>,
}

#[derive(Default)]
pub struct MailQuery;

#[Object]
impl MailQuery {
    /// The e-mail outbox, newest first (staff): what was sent, what waits, what failed
    /// and why.
    async fn outbox(
        &self,
        ctx: &Context<'_>,
        filter: Option<OutboxFilterInput>,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<OutboxMessage>> {
        let f = filter.unwrap_or_default();
        let recipient = match &f.recipient_id {
            None => None,
            Some(id) => match super::ids::decode("recipientId", id)? {
                (NodeKind::User, n) => Some((RecipientKind::User, n)),
                (NodeKind::Contact, n) => Some((RecipientKind::Contact, n)),
                _ => {
                    return Err(crate::error::AppError::input(
                        "recipientId",
                        "recipientId names a user or a contact",
                    )
                    .into());
                }
            },
        };
        let filter = OutboxFilter {
            status: f.status,
            kind: f.kind,
            project_id: opt_id("projectId", f.project_id.as_ref(), NodeKind::Project)?,
            recipient,
        };
        let s = svc(ctx)?;
        let sort = Sort {
            name: "id",
            column: outbox_message::Column::Id,
            kind: KeyKind::Int,
            descending: true,
        };
        paginate(
            ctx,
            outbox::select(s.caller, filter)?,
            outbox_message::Column::Id,
            sort,
            (first, after),
            OutboxMessage,
        )
        .await
    }

    /// How many messages stand in each status (staff).
    async fn outbox_counts(&self, ctx: &Context<'_>) -> Result<Vec<MailStatusCount>> {
        let s = svc(ctx)?;
        s.caller.require_staff_read()?;
        let counts = outbox::counts(s.db).await?;
        Ok(MailStatus::iter()
            .map(|status| MailStatusCount {
                status,
                count: counts.get(&status).copied().unwrap_or(0),
            })
            .collect())
    }

    /// Each kind of e-mail and whether the caller (a member of staff or a client
    /// contact) receives it.
    async fn mail_subscriptions(&self, ctx: &Context<'_>) -> Result<Vec<MailSubscription>> {
        Ok(subscriptions(&outbox::my_unsubscribed(svc(ctx)?).await?))
    }
}

#[derive(Default)]
pub struct MailMutation;

#[Object]
impl MailMutation {
    /// Sends a FAILED (or SUPPRESSED) message again, from its first attempt (staff).
    async fn retry_mail(&self, ctx: &Context<'_>, id: ID) -> Result<OutboxMessage> {
        let id = decode_as("id", &id, NodeKind::OutboxMessage)?;
        let row = outbox::retry(svc(ctx)?, id).await?;
        Ok(OutboxMessage(seen(ctx, row)?))
    }

    /// Chooses whether the caller receives one kind of e-mail (the link in each message
    /// does the same for its kind).
    async fn set_mail_subscription(
        &self,
        ctx: &Context<'_>,
        kind: MailKind,
        subscribed: bool,
    ) -> Result<Vec<MailSubscription>> {
        Ok(subscriptions(
            &outbox::set_my_subscription(svc(ctx)?, kind, subscribed).await?,
        ))
    }
}
