//! Meetings of a project in the graph. The portal sees those its contacts attend,
//! without the internal notes.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::{MeetingKind, MeetingStatus, contact, meeting, project, stage, user};

use super::{
    action_item::ActionItem,
    client::Contact,
    delivery::Stage,
    ids::{NodeKind, decode_as, encode},
    input::{ids, opt_id, patch_text},
    loaders,
    project::Project,
    seen, svc,
    user::User,
};
use crate::{
    auth::scope::Visible,
    domain::input::{LONG, opt_text},
    error::AppResult,
    service::{
        ids_of,
        meetings::{self, MeetingPatch, NewMeeting},
    },
};

/// A meeting: kickoff, requirement or solution review, demo, progress, milestone review,
/// acceptance, follow-up.
pub struct Meeting(pub Visible<meeting::Model>);

#[Object]
impl Meeting {
    /// Files attached to it (a portal user: those not internal), oldest first.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::attached_to(ctx, entity::DocumentOwner::Meeting, self.0.id).await
    }
    pub async fn id(&self) -> ID {
        encode(NodeKind::Meeting, self.0.id)
    }
    async fn kind(&self) -> MeetingKind {
        self.0.kind
    }
    async fn status(&self) -> MeetingStatus {
        self.0.status
    }
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.scheduled_at
    }
    async fn held_at(&self) -> Option<DateTime<Utc>> {
        self.0.held_at
    }
    async fn agenda(&self) -> Option<&str> {
        self.0.agenda.as_deref()
    }
    async fn minutes(&self) -> Option<&str> {
        self.0.minutes.as_deref()
    }
    async fn decisions(&self) -> Option<&str> {
        self.0.decisions.as_deref()
    }
    /// The vendor's own notes; null in the customer portal.
    async fn internal_notes(&self) -> Option<&str> {
        self.0.internal_notes.as_deref()
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        Ok(
            loaders::selected_one::<project::Entity>(ctx, self.0.project_id)
                .await?
                .map(Project),
        )
    }
    /// The stage a milestone review belongs to.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        let Some(id) = self.0.stage_id else {
            return Ok(None);
        };
        Ok(loaders::one::<stage::Entity>(ctx, id).await?.map(Stage))
    }
    /// The vendor's people who attend.
    async fn staff(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let rows = loaders::many::<user::Entity>(ctx, &ids_of(&self.0.user_ids)).await?;
        Ok(rows.into_iter().map(User).collect())
    }
    /// The client's contacts who attend.
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        let rows = loaders::many::<contact::Entity>(ctx, &ids_of(&self.0.contact_ids)).await?;
        Ok(rows.into_iter().map(Contact).collect())
    }
    /// The action items that came out of the meeting.
    async fn action_items(&self, ctx: &Context<'_>) -> Result<Vec<ActionItem>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::ActionItemsOfMeeting)
                .await?
                .into_iter()
                .map(ActionItem)
                .collect(),
        )
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    project_id: ID,
    /// The stage a milestone review belongs to (required for one).
    stage_id: Option<ID>,
    kind: MeetingKind,
    scheduled_at: DateTime<Utc>,
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(50)))]
    staff_ids: Vec<ID>,
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(50)))]
    contact_ids: Vec<ID>,
    agenda: Option<String>,
}

impl ScheduleMeetingInput {
    fn parse(self) -> AppResult<NewMeeting> {
        Ok(NewMeeting {
            project_id: decode_as("projectId", &self.project_id, NodeKind::Project)?,
            stage_id: opt_id("stageId", self.stage_id.as_ref(), NodeKind::Stage)?,
            kind: self.kind,
            scheduled_at: self.scheduled_at,
            user_ids: ids("staffIds", Some(self.staff_ids), NodeKind::User)?,
            contact_ids: ids("contactIds", Some(self.contact_ids), NodeKind::Contact)?,
            agenda: opt_text("agenda", self.agenda.as_deref(), LONG)?,
        })
    }
}

/// Fields to change; absent fields are left alone, `null` clears a text.
#[derive(InputObject, Default)]
pub struct UpdateMeetingInput {
    scheduled_at: Option<DateTime<Utc>>,
    #[graphql(directive = super::preflight::constraint::apply(None, None, Some(50)))]
    staff_ids: Option<Vec<ID>>,
    #[graphql(directive = super::preflight::constraint::apply(None, None, Some(50)))]
    contact_ids: Option<Vec<ID>>,
    agenda: MaybeUndefined<String>,
    minutes: MaybeUndefined<String>,
    decisions: MaybeUndefined<String>,
    internal_notes: MaybeUndefined<String>,
}

impl UpdateMeetingInput {
    fn parse(self) -> AppResult<MeetingPatch> {
        Ok(MeetingPatch {
            scheduled_at: self.scheduled_at,
            user_ids: self
                .staff_ids
                .map(|v| ids("staffIds", Some(v), NodeKind::User))
                .transpose()?,
            contact_ids: self
                .contact_ids
                .map(|v| ids("contactIds", Some(v), NodeKind::Contact))
                .transpose()?,
            agenda: patch_text("agenda", self.agenda, LONG)?,
            minutes: patch_text("minutes", self.minutes, LONG)?,
            decisions: patch_text("decisions", self.decisions, LONG)?,
            internal_notes: patch_text("internalNotes", self.internal_notes, LONG)?,
        })
    }
}

#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Puts a meeting of a project on the calendar.
    async fn schedule_meeting(
        &self,
        ctx: &Context<'_>,
        input: ScheduleMeetingInput,
    ) -> Result<Meeting> {
        let row = meetings::schedule(svc(ctx)?, input.parse()?).await?;
        Ok(Meeting(seen(ctx, row)?))
    }

    /// Changes a meeting: attendees, time, agenda, minutes, decisions, internal notes.
    async fn update_meeting(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateMeetingInput,
        expected_version: Option<i32>,
    ) -> Result<Meeting> {
        let id = decode_as("id", &id, NodeKind::Meeting)?;
        let row = meetings::update(svc(ctx)?, id, input.parse()?, expected_version).await?;
        Ok(Meeting(seen(ctx, row)?))
    }

    /// Marks a meeting held (at `heldAt`, or now) or cancelled, or schedules it again.
    async fn change_meeting_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: MeetingStatus,
        held_at: Option<DateTime<Utc>>,
        expected_version: Option<i32>,
    ) -> Result<Meeting> {
        let id = decode_as("id", &id, NodeKind::Meeting)?;
        let row = meetings::change_status(svc(ctx)?, id, status, held_at, expected_version).await?;
        Ok(Meeting(seen(ctx, row)?))
    }
}
