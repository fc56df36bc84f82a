//! Action items on both sides in the graph. A portal user sees its client's items and
//! completes its own side's.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{ActionItemStatus, action_item, contact, meeting, project, stage, user};

use super::{
    client::Contact,
    delivery::Stage,
    ids::{NodeKind, decode_as, encode},
    input::{opt_id, patch, set_text},
    loaders,
    meeting::Meeting,
    pagination::{KeyKind, Page, Sort, paginate},
    project::Project,
    scope, seen, svc,
    user::User,
};
use crate::{
    auth::scope::Visible,
    domain::{
        action_item::{Assignee, Side, overdue},
        input::{SHORT, text},
    },
    error::AppResult,
    service::action_items::{self, ActionItemFilter, ActionItemPatch, NewActionItem},
};

/// A task owed by the vendor or by the customer: "provide the interface protocol by Friday".
pub struct ActionItem(pub Visible<action_item::Model>);

impl ActionItem {
    fn assignee(&self) -> Option<Assignee> {
        Assignee::of_row(self.0.assignee_user_id, self.0.assignee_contact_id)
    }
}

#[Object]
impl ActionItem {
    pub async fn id(&self) -> ID {
        encode(NodeKind::ActionItem, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn due_date(&self) -> Option<NaiveDate> {
        self.0.due_date
    }
    async fn status(&self) -> ActionItemStatus {
        self.0.status
    }
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// Who owes it: VENDOR (a user) or CUSTOMER (a client contact).
    async fn side(&self) -> Option<Side> {
        self.assignee().map(Assignee::side)
    }
    /// The vendor user who owes it, on the vendor's side.
    async fn assignee_user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.assignee_user_id else {
            return Ok(None);
        };
        Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
    }
    /// The client contact who owes it, on the customer's side.
    async fn assignee_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.assignee_contact_id else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
    }
    /// Open and due before today (the policy's calendar).
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(overdue(
            self.0.status,
            self.0.due_date,
            loaders::today(ctx).await?,
        ))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        Ok(
            loaders::selected_one::<project::Entity>(ctx, self.0.project_id)
                .await?
                .map(Project),
        )
    }
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        let Some(id) = self.0.stage_id else {
            return Ok(None);
        };
        Ok(loaders::one::<stage::Entity>(ctx, id).await?.map(Stage))
    }
    /// The meeting it came out of; null when none, or one the portal does not see.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<Meeting>> {
        let Some(id) = self.0.meeting_id else {
            return Ok(None);
        };
        Ok(loaders::one::<meeting::Entity>(ctx, id).await?.map(Meeting))
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(InputObject)]
pub struct CreateActionItemInput {
    project_id: ID,
    stage_id: Option<ID>,
    meeting_id: Option<ID>,
    title: String,
    due_date: Option<NaiveDate>,
    /// A vendor user who owes it; or else
    assignee_user_id: Option<ID>,
    /// a client contact who owes it (exactly one of the two).
    assignee_contact_id: Option<ID>,
}

impl CreateActionItemInput {
    fn parse(self) -> AppResult<NewActionItem> {
        Ok(NewActionItem {
            project_id: decode_as("projectId", &self.project_id, NodeKind::Project)?,
            stage_id: opt_id("stageId", self.stage_id.as_ref(), NodeKind::Stage)?,
            meeting_id: opt_id("meetingId", self.meeting_id.as_ref(), NodeKind::Meeting)?,
            title: text("title", &self.title, SHORT)?,
            due_date: self.due_date,
            assignee: Assignee::from_parts(
                opt_id(
                    "assigneeUserId",
                    self.assignee_user_id.as_ref(),
                    NodeKind::User,
                )?,
                opt_id(
                    "assigneeContactId",
                    self.assignee_contact_id.as_ref(),
                    NodeKind::Contact,
                )?,
            )?,
        })
    }
}

/// Fields to change; a new assignee is given as one of the two ids.
#[derive(InputObject, Default)]
pub struct UpdateActionItemInput {
    title: Option<String>,
    due_date: MaybeUndefined<NaiveDate>,
    assignee_user_id: Option<ID>,
    assignee_contact_id: Option<ID>,
}

impl UpdateActionItemInput {
    fn parse(self) -> AppResult<ActionItemPatch> {
        let user = opt_id(
            "assigneeUserId",
            self.assignee_user_id.as_ref(),
            NodeKind::User,
        )?;
        let contact = opt_id(
            "assigneeContactId",
            self.assignee_contact_id.as_ref(),
            NodeKind::Contact,
        )?;
        Ok(ActionItemPatch {
            title: set_text("title", self.title, SHORT)?,
            due_date: patch(self.due_date),
            assignee: match (user, contact) {
                (None, None) => None,
                (u, c) => Some(Assignee::from_parts(u, c)?),
            },
        })
    }
}

#[derive(InputObject, Default)]
pub struct ActionItemFilterInput {
    project_id: Option<ID>,
    side: Option<Side>,
    status: Option<ActionItemStatus>,
    /// Only open items due before today.
    overdue: Option<bool>,
}

#[derive(Default)]
pub struct ActionItemQuery;

#[Object]
impl ActionItemQuery {
    /// Action items across the caller's projects, oldest first (a portal user: its
    /// client's).
    async fn action_items(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActionItemFilterInput>,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<ActionItem>> {
        let f = filter.unwrap_or_default();
        let f = ActionItemFilter {
            project_id: opt_id("projectId", f.project_id.as_ref(), NodeKind::Project)?,
            side: f.side,
            status: f.status,
            due_before: match f.overdue {
                Some(true) => Some(loaders::today(ctx).await?),
                _ => None,
            },
        };
        let scope = scope(ctx)?;
        let sort = Sort {
            name: "id",
            column: action_item::Column::Id,
            kind: KeyKind::Int,
            descending: false,
        };
        paginate(
            ctx,
            action_items::list(scope, f),
            action_item::Column::Id,
            sort,
            (first, after),
            ActionItem,
        )
        .await
    }
}

#[derive(Default)]
pub struct ActionItemMutation;

#[Object]
impl ActionItemMutation {
    /// Records a task owed by a vendor user or by a client contact.
    async fn create_action_item(
        &self,
        ctx: &Context<'_>,
        input: CreateActionItemInput,
    ) -> Result<ActionItem> {
        let row = action_items::create(svc(ctx)?, input.parse()?).await?;
        Ok(ActionItem(seen(ctx, row)?))
    }

    async fn update_action_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateActionItemInput,
        expected_version: Option<i32>,
    ) -> Result<ActionItem> {
        let id = decode_as("id", &id, NodeKind::ActionItem)?;
        let row = action_items::update(svc(ctx)?, id, input.parse()?, expected_version).await?;
        Ok(ActionItem(seen(ctx, row)?))
    }

    /// Completes, reopens or cancels an item. A portal user completes or reopens its own
    /// client's customer-side items.
    async fn change_action_item_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ActionItemStatus,
        expected_version: Option<i32>,
    ) -> Result<ActionItem> {
        let id = decode_as("id", &id, NodeKind::ActionItem)?;
        let row = action_items::change_status(svc(ctx)?, id, status, expected_version).await?;
        Ok(ActionItem(seen(ctx, row)?))
    }
}
