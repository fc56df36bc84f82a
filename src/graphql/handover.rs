//! A key contact leaves the client: `markContactLeft` in the graph.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::{action_item, meeting, project, ticket};

use super::{
    action_item::ActionItem,
    client::Contact,
    ids::{NodeKind, decode_as},
    loaders::{self, Keyed},
    meeting::Meeting,
    project::Project,
    seen, svc,
    ticket::Ticket,
};
use crate::{
    auth::{departed::Departed, scope::Visible},
    service::handover::{self, Moved},
};

/// What a handover moved to the successor.
pub struct Handover {
    contact: Visible<entity::contact::Model>,
    moved: Moved,
}

async fn all<E: Keyed, T>(
    ctx: &Context<'_>,
    ids: &[i64],
    wrap: impl Fn(Visible<E::Model>) -> T,
) -> Result<Vec<T>> {
    Ok(loaders::many::<E>(ctx, ids)
        .await?
        .into_iter()
        .map(wrap)
        .collect())
}

#[Object]
impl Handover {
    /// The contact who left (status LEFT, with the successor).
    async fn contact(&self) -> Contact {
        Contact(self.contact.clone())
    }
    /// Their open customer-side action items, now the successor's.
    async fn action_items(&self, ctx: &Context<'_>) -> Result<Vec<ActionItem>> {
        all::<action_item::Entity, _>(ctx, &self.moved.action_items, ActionItem).await
    }
    /// Open tickets they reported, now reported by the successor.
    async fn tickets(&self, ctx: &Context<'_>) -> Result<Vec<Ticket>> {
        all::<ticket::Entity, _>(ctx, &self.moved.tickets, Ticket).await
    }
    /// Meetings ahead they were to attend, where the successor now sits.
    async fn meetings(&self, ctx: &Context<'_>) -> Result<Vec<Meeting>> {
        all::<meeting::Entity, _>(ctx, &self.moved.meetings, Meeting).await
    }
    /// Acceptance criteria they were to check and had not passed.
    async fn acceptance_criteria(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::acceptance::AcceptanceCriterion>> {
        all::<entity::acceptance_criterion::Entity, _>(
            ctx,
            &self.moved.acceptance_criteria,
            super::acceptance::AcceptanceCriterion,
        )
        .await
    }
    /// Projects whose primary client contact they were.
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Project>> {
        all::<project::Entity, _>(ctx, &self.moved.projects, Project).await
    }
}

#[derive(Default)]
pub struct HandoverMutation;

#[Object]
impl HandoverMutation {
    /// Marks a contact as having left the client: their open items (customer-side action
    /// items, open tickets they reported, meetings ahead, primary-contact roles, acceptance
    /// criteria still to be passed) move to
    /// `successorId` in one transaction, announced by one event; their portal tokens are
    /// refused from now on and their open websockets closed with 4403.
    async fn mark_contact_left(
        &self,
        ctx: &Context<'_>,
        id: ID,
        successor_id: ID,
        expected_version: Option<i32>,
    ) -> Result<Handover> {
        let id = decode_as("id", &id, NodeKind::Contact)?;
        let successor = decode_as("successorId", &successor_id, NodeKind::Contact)?;
        let (row, moved) = handover::mark_left(svc(ctx)?, id, successor, expected_version).await?;
        // This instance at once; every other one when the event reaches it.
        if let Ok(departed) = ctx.data::<Arc<Departed>>() {
            departed.add(row.id);
        }
        Ok(Handover {
            contact: seen(ctx, row)?,
            moved,
        })
    }
}
