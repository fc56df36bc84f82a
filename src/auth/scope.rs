//! The one place that says which rows a customer-portal user may see.
//!
//! Every read path applies [`visible`]: the by-id and child loaders, the root
//! connections, and the event feeds. A contact sees its own client's rows, minus what is
//! internal: risks not shared with the client, internal ticket comments, and the event
//! log of internal objects. Other clients' rows do not exist for it (`null`/`NOT_FOUND`).

use entity::{
    ContractStatus, DocumentOwner, EntityKind, EventKind, ProposalStatus, ReportStatus,
    TermOutcome, acceptance, acceptance_criterion, action_item, change_request, client, contact,
    contract, document, escalation_level, event, follow_up, interaction, kickoff_obligation,
    meeting, milestone_rating, negotiation_round, negotiation_term, outbox_message, project,
    proposal_feedback, proposal_review, proposal_version, report, report_read, requirement,
    requirement_sheet, risk, service_level_policy, service_level_target, stage, survey,
    survey_answer, survey_client, team_member, ticket, ticket_clock, ticket_comment,
    ticket_escalation, user, webhook_delivery, webhook_endpoint,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, sea_query::Query};

use super::Scope;

/// The objects whose events a portal user may see.
pub const PORTAL_EVENT_KINDS: [EntityKind; 9] = [
    EntityKind::Project,
    EntityKind::Stage,
    EntityKind::Requirement,
    EntityKind::RequirementSheet,
    EntityKind::ChangeRequest,
    EntityKind::Ticket,
    EntityKind::ProposalFeedback,
    // Both sides' action items are shared with the client (see `Scoped for action_item`).
    EntityKind::ActionItem,
    EntityKind::AcceptanceCriterion,
];

/// Objects the portal sees only from a status on, and of which it sees only the events
/// that move them into such a status: it never learns of a draft proposal, a term still
/// on the table or a contract in legal review. The same statuses as their row rules
/// below, from one source each.
pub static PORTAL_STATUS_EVENTS: std::sync::LazyLock<[(EntityKind, Vec<&'static str>); 4]> =
    std::sync::LazyLock::new(|| {
        [
            (EntityKind::Report, vec![ReportStatus::Published.as_str()]),
            (
                EntityKind::ProposalVersion,
                vec![ProposalStatus::Presented.as_str()],
            ),
            (
                EntityKind::NegotiationTerm,
                vec![TermOutcome::Agreed.as_str()],
            ),
            (
                EntityKind::Contract,
                contract_statuses_shown()
                    .map(ContractStatus::as_str)
                    .collect(),
            ),
        ]
    });

/// The contract statuses in which the client has the contract in hand.
fn contract_statuses_shown() -> impl Iterator<Item = ContractStatus> {
    <ContractStatus as sea_orm::Iterable>::iter()
        .filter(|s| crate::domain::contract::shown_to_client(*s))
}

/// Whether an event about `kind` moving `to_status` is one a portal user may see.
fn portal_event(kind: EntityKind, to_status: Option<&str>) -> bool {
    PORTAL_EVENT_KINDS.contains(&kind)
        || PORTAL_STATUS_EVENTS
            .iter()
            .any(|(k, statuses)| *k == kind && to_status.is_some_and(|s| statuses.contains(&s)))
}

/// The portal rule of events as an SQL condition over the alias `e`, for the raw queries
/// of the loaders; `bind` returns the placeholder of each value it is given.
/// Values are bound in the order their placeholders appear (SQLite's `?` are positional).
pub fn portal_event_sql(client_id: i64, mut bind: impl FnMut(sea_orm::Value) -> String) -> String {
    let client = bind(client_id.into());
    let mut list = |values: &mut dyn Iterator<Item = &str>| {
        values
            .map(|v| bind(v.into()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kinds = list(&mut PORTAL_EVENT_KINDS.iter().map(|k| k.as_str()));
    let mut any = vec![format!("e.entity_kind IN ({kinds})")];
    for (kind, statuses) in PORTAL_STATUS_EVENTS.iter() {
        let k = list(&mut std::iter::once(kind.as_str()));
        let s = list(&mut statuses.iter().copied());
        any.push(format!("(e.entity_kind = {k} AND e.to_status IN ({s}))"));
    }
    format!(" AND e.client_id = {client} AND ({})", any.join(" OR "))
}

/// A table with a portal visibility rule.
pub trait Scoped: EntityTrait {
    /// The rows a contact of `client_id` may see.
    fn portal(client_id: i64) -> Condition;

    /// What is left of [`Scoped::portal`] for rows whose `column` names a row the caller
    /// was shown (a project's stages, a ticket's comments): the rule's ownership part is
    /// then known to hold. None: `column` is not how the rule reaches the client, and the
    /// whole rule applies.
    fn portal_under(_column: Self::Column) -> Option<Condition> {
        None
    }
}

/// The rule of a table whose rows belong to a client through a parent (`$col` names one
/// of `$parents(c)`, a project or a ticket of the client), and may have a rule of their
/// own besides (`where`): the parent part is the one a shown parent proves.
macro_rules! belongs {
    ($($m:ident: $col:ident in $parents:ident $(where $rest:expr)?;)+) => { $(
        impl Scoped for $m::Entity {
            fn portal(c: i64) -> Condition {
                let own = Self::portal_under($m::Column::$col).unwrap_or_else(Condition::all);
                Condition::all().add($m::Column::$col.in_subquery($parents(c))).add(own)
            }
            fn portal_under(column: $m::Column) -> Option<Condition> {
                matches!(column, $m::Column::$col).then(|| Condition::all()$(.add($rest))?)
            }
        }
    )+ };
}

/// Whether an event is visible in `scope`: [`Scoped::portal`] of events, in memory, for
/// live feeds.
pub fn event_visible(scope: Scope, e: &event::Model) -> bool {
    match scope {
        Scope::All => true,
        Scope::Client(c) => {
            e.client_id == Some(c) && portal_event(e.entity_kind, e.to_status.as_deref())
        }
    }
}

/// The rows of `E` visible in `scope`.
pub fn visible<E: Scoped>(scope: Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Client(client_id) => E::portal(client_id),
    }
}

/// The rows of `E` visible in `scope` among those whose `column` names a parent row;
/// `parent_shown`: the caller was shown that parent ([`Visible::shown`]), so only what
/// [`Scoped::portal_under`] leaves of the rule is checked.
pub fn visible_under<E: Scoped>(scope: Scope, column: E::Column, parent_shown: bool) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Client(c) => parent_shown
            .then(|| E::portal_under(column))
            .flatten()
            .unwrap_or_else(|| E::portal(c)),
    }
}

fn projects_of(client_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::ClientId.eq(client_id))
        .to_owned()
}

fn tickets_of(client_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(ticket::Column::Id)
        .from(ticket::Entity)
        .and_where(ticket::Column::ClientId.eq(client_id))
        .to_owned()
}

impl Scoped for client::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(client::Column::Id.eq(c))
    }
}

impl Scoped for contact::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(contact::Column::ClientId.eq(c))
    }
}

impl Scoped for project::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(project::Column::ClientId.eq(c))
    }
}

belongs! {
    team_member: ProjectId in projects_of;
    requirement: ProjectId in projects_of;
    requirement_sheet: ProjectId in projects_of;
    change_request: ProjectId in projects_of;
    acceptance: ProjectId in projects_of;
    stage: ProjectId in projects_of;
    // What was published to the client; a draft is the team's.
    report: ProjectId in projects_of where report::Column::Status.eq(ReportStatus::Published);
    risk: ProjectId in projects_of where risk::Column::SharedWithClient.eq(true);
    ticket_comment: TicketId in tickets_of where ticket_comment::Column::Internal.eq(false);
    ticket_clock: TicketId in tickets_of;
    ticket_escalation: TicketId in tickets_of;
    follow_up: TicketId in tickets_of;
    // The client sees what it was shown, never a draft or a version in review.
    proposal_version: ProjectId in projects_of
        where proposal_version::Column::Status.eq(ProposalStatus::Presented);
    // The client's own words about what it was shown (feedback exists on presented
    // versions only), and the vendor's answers.
    proposal_feedback: ProjectId in projects_of;
    // How the vendor negotiated is its own business; what was agreed is the client's.
    negotiation_term: ProjectId in projects_of
        where negotiation_term::Column::Outcome.eq(TermOutcome::Agreed);
    // From the moment it is sent: the client has it in hand.
    contract: ProjectId in projects_of
        where crate::sql::one_of(contract::Column::Status, contract_statuses_shown());
    // The meetings its contacts attend; the vendor's own meetings are not the client's.
    meeting: ProjectId in projects_of where meeting::Column::WithClient.eq(true);
    acceptance_criterion: ProjectId in projects_of;
    // Both sides' items: what the customer owes, and what the vendor promised it. Work
    // the client must not see belongs in the risk log or a meeting's internal notes.
    action_item: ProjectId in projects_of;
}

/// The ids of `E`'s rows a contact of `c` may see: `E`'s own portal rule.
fn visible_ids<E: Scoped>(c: i64, id: E::Column) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(id)
        .from(E::default())
        .cond_where(E::portal(c))
        .to_owned()
}

impl Scoped for document::Entity {
    /// Its client's documents that are not internal, attached to something the contact
    /// sees by that thing's own rule (a draft report's or an internal meeting's are not).
    fn portal(c: i64) -> Condition {
        use DocumentOwner as O;
        let owner = |kind: O, ids: sea_orm::sea_query::SelectStatement| {
            Condition::all()
                .add(document::Column::OwnerKind.eq(kind))
                .add(document::Column::OwnerId.in_subquery(ids))
        };
        Condition::all()
            .add(document::Column::ClientId.eq(c))
            .add(document::Column::Internal.eq(false))
            .add(
                Condition::any()
                    .add(owner(
                        O::Report,
                        visible_ids::<report::Entity>(c, report::Column::Id),
                    ))
                    .add(owner(
                        O::Meeting,
                        visible_ids::<meeting::Entity>(c, meeting::Column::Id),
                    ))
                    .add(owner(
                        O::RequirementSheet,
                        visible_ids::<requirement_sheet::Entity>(c, requirement_sheet::Column::Id),
                    ))
                    .add(owner(
                        O::Acceptance,
                        visible_ids::<project::Entity>(c, project::Column::Id),
                    ))
                    .add(owner(
                        O::ChangeRequest,
                        visible_ids::<change_request::Entity>(c, change_request::Column::Id),
                    ))
                    .add(owner(
                        O::Ticket,
                        visible_ids::<ticket::Entity>(c, ticket::Column::Id),
                    )),
            )
    }
}

impl Scoped for webhook_endpoint::Entity {
    /// The vendor's integrations.
    fn portal(_: i64) -> Condition {
        Condition::all().add(webhook_endpoint::Column::Id.is_null())
    }
}

impl Scoped for outbox_message::Entity {
    /// The vendor's record of what it sent.
    fn portal(_: i64) -> Condition {
        Condition::all().add(outbox_message::Column::Id.is_null())
    }
}

impl Scoped for webhook_delivery::Entity {
    fn portal(_: i64) -> Condition {
        Condition::all().add(webhook_delivery::Column::Id.is_null())
    }
}

impl Scoped for milestone_rating::Entity {
    /// The client's own ratings of its milestones.
    fn portal(c: i64) -> Condition {
        Condition::all().add(milestone_rating::Column::ClientId.eq(c))
    }
}

impl Scoped for survey::Entity {
    /// The surveys that ask the client.
    fn portal(c: i64) -> Condition {
        Condition::all().add(
            survey::Column::Id.in_subquery(
                Query::select()
                    .column(survey_client::Column::SurveyId)
                    .from(survey_client::Entity)
                    .and_where(survey_client::Column::ClientId.eq(c))
                    .to_owned(),
            ),
        )
    }
}

impl Scoped for survey_client::Entity {
    /// Which other clients a survey asks is the vendor's business.
    fn portal(c: i64) -> Condition {
        Condition::all().add(survey_client::Column::ClientId.eq(c))
    }
}

impl Scoped for survey_answer::Entity {
    /// The client's own answers.
    fn portal(c: i64) -> Condition {
        Condition::all().add(survey_answer::Column::ClientId.eq(c))
    }
}

impl Scoped for report_read::Entity {
    /// Who read what and when is the vendor's to watch.
    fn portal(_: i64) -> Condition {
        Condition::all().add(report_read::Column::ReportId.is_null())
    }
}

impl Scoped for ticket::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(ticket::Column::ClientId.eq(c))
    }
    /// A ticket's client is its project's (copied when it is opened; neither changes), so
    /// a shown project or client proves it.
    fn portal_under(column: ticket::Column) -> Option<Condition> {
        matches!(column, ticket::Column::ProjectId | ticket::Column::ClientId).then(Condition::all)
    }
}

impl Scoped for service_level_policy::Entity {
    /// The promise made to every customer: no secret.
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

impl Scoped for service_level_target::Entity {
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

impl Scoped for escalation_level::Entity {
    /// The ladder is part of the promise made to every customer.
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

impl Scoped for event::Entity {
    fn portal(c: i64) -> Condition {
        let mut any = Condition::any().add(crate::sql::one_of(
            event::Column::EntityKind,
            PORTAL_EVENT_KINDS,
        ));
        for (kind, statuses) in PORTAL_STATUS_EVENTS.iter() {
            any = any.add(
                Condition::all()
                    .add(event::Column::EntityKind.eq(*kind))
                    .add(crate::sql::one_of(
                        event::Column::ToStatus,
                        statuses.iter().copied(),
                    )),
            );
        }
        Condition::all().add(event::Column::ClientId.eq(c)).add(any)
    }
}

impl Scoped for proposal_review::Entity {
    /// The internal review: never the client's to read.
    fn portal(_: i64) -> Condition {
        Condition::all().add(proposal_review::Column::Id.is_null())
    }
}

impl Scoped for negotiation_round::Entity {
    /// How the vendor negotiated is its own business; what was agreed is the client's.
    fn portal(_: i64) -> Condition {
        Condition::all().add(negotiation_round::Column::Id.is_null())
    }
}

impl Scoped for kickoff_obligation::Entity {
    /// The vendor's own alarm about its promise.
    fn portal(_: i64) -> Condition {
        Condition::all().add(kickoff_obligation::Column::ProjectId.is_null())
    }
}

impl Scoped for interaction::Entity {
    /// The vendor's sales log: never the customer's to read.
    fn portal(_: i64) -> Condition {
        Condition::all().add(interaction::Column::Id.is_null())
    }
}

impl Scoped for user::Entity {
    /// Staff appear in the portal only as the people working for the client: owners,
    /// assignees, authors. Their names and titles are not secret, so any user row is visible.
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

/// The portal-safe projection of a row: what a contact must not read is blanked before
/// the row reaches any resolver.
pub trait Redact {
    /// The columns `redact` reads: a row read in part (`graphql::columns`) always has them.
    const READS: &'static [&'static str] = &[];
    fn redact(&mut self) {}
}

/// A row as the caller in `scope` may read it.
///
/// Only [`Visible::new`] builds one, and it redacts on the way. Every GraphQL object holds
/// its row as a `Visible`, so whatever loaded the row (a loader, a connection, a feed, a
/// service answering a mutation or building a digest), it cannot reach a portal user
/// unredacted: the compiler refuses the road that would skip this.
///
/// A row read by a query under [`visible`] is also *shown*: the caller may see it, which
/// its children's loaders take as proof of the ownership part of their own rule
/// ([`Scoped::portal_under`]). A row wrapped from elsewhere (a mutation's result, a
/// digest) is not, and its children are read under their whole rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Visible<M> {
    row: M,
    shown: bool,
}

impl<M: Redact> Visible<M> {
    pub fn new(scope: Scope, mut row: M) -> Self {
        if let Scope::Client(_) = scope {
            row.redact();
        }
        Self { row, shown: false }
    }

    /// A row that a query under [`visible`]`(scope)` returned.
    pub(crate) fn read(scope: Scope, row: M) -> Self {
        Self {
            shown: true,
            ..Self::new(scope, row)
        }
    }

    pub fn into_inner(self) -> M {
        self.row
    }

    /// Whether the row is known visible to the caller ([`Visible::read`]).
    pub fn shown(&self) -> bool {
        self.shown
    }
}

impl<M> std::ops::Deref for Visible<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.row
    }
}

/// `rows` as `scope` may read them.
pub fn redact<M: Redact>(scope: Scope, rows: Vec<M>) -> Vec<Visible<M>> {
    rows.into_iter()
        .map(|row| Visible::new(scope, row))
        .collect()
}

/// `rows`, which a query under [`visible`]`(scope)` returned, as shown rows.
pub(crate) fn read_all<M: Redact>(scope: Scope, rows: Vec<M>) -> Vec<Visible<M>> {
    rows.into_iter()
        .map(|row| Visible::read(scope, row))
        .collect()
}

/// A query of the rows of `E` that `scope` may see, to narrow further: the rows it
/// returns are [`Visible::read`] (shown).
#[derive(Debug, Clone)]
pub struct VisibleSelect<E: EntityTrait> {
    select: sea_orm::Select<E>,
    scope: Scope,
}

impl<E: Scoped> VisibleSelect<E> {
    pub fn new(scope: Scope) -> Self {
        Self {
            select: E::find().filter(visible::<E>(scope)),
            scope,
        }
    }

    /// Keeps the rows that also meet `condition`.
    pub fn filter(self, condition: impl sea_orm::sea_query::IntoCondition) -> Self {
        Self {
            select: self.select.filter(condition),
            ..self
        }
    }

    /// Orders or limits the query (`narrow` must not widen it: it returns a subset of the
    /// rows it is given).
    pub fn narrow(self, narrow: impl FnOnce(sea_orm::Select<E>) -> sea_orm::Select<E>) -> Self {
        Self {
            select: narrow(self.select),
            ..self
        }
    }

    /// The scope it is restricted to.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The query and the scope it is restricted to, to run.
    pub fn into_parts(self) -> (sea_orm::Select<E>, Scope) {
        (self.select, self.scope)
    }
}

impl Redact for client::Model {
    /// The vendor's sales notes about the client.
    fn redact(&mut self) {
        self.budget_range = None;
        self.decision_chain = None;
        self.key_needs = None;
        self.notes = None;
        self.first_contact_at = None;
    }
}

impl Redact for project::Model {
    const READS: &'static [&'static str] = &["contract_value_internal"];
    fn redact(&mut self) {
        if self.contract_value_internal {
            self.contract_value_minor = None;
            self.currency = None;
        }
    }
}

impl Redact for event::Model {
    /// Changed fields can name internal ones (a contract value, a note); the status
    /// change itself stays visible.
    fn redact(&mut self) {
        // Service-level alerts carry only the clock, its cycle, the priority and the due
        // instant: what the customer was promised.
        if !matches!(
            self.kind,
            EventKind::ServiceLevelAtRisk | EventKind::ServiceLevelBreached
        ) {
            self.changes = "{}".to_owned();
        }
    }
}

impl Redact for contact::Model {
    /// Who decides and who influences is the vendor's sales intelligence.
    fn redact(&mut self) {
        self.decision_role = None;
    }
}
impl Redact for team_member::Model {}
impl Redact for requirement::Model {
    /// The analysis (effort, cost, resources) is the vendor's estimate.
    fn redact(&mut self) {
        self.nature = None;
        self.effort_tenth_days = None;
        self.cost_minor = None;
        self.cost_currency = None;
        self.resources = None;
        self.analysed_by = None;
        self.analysed_at = None;
    }
}
impl Redact for stage::Model {}
impl Redact for action_item::Model {}
impl Redact for acceptance_criterion::Model {}
impl Redact for kickoff_obligation::Model {}
impl Redact for meeting::Model {
    /// The vendor's own notes of a meeting the client attended.
    fn redact(&mut self) {
        self.internal_notes = None;
    }
}
impl Redact for report::Model {}
impl Redact for report_read::Model {}
impl Redact for milestone_rating::Model {}
impl Redact for webhook_endpoint::Model {}
impl Redact for webhook_delivery::Model {}
impl Redact for outbox_message::Model {}
impl Redact for document::Model {}
impl Redact for survey::Model {}
impl Redact for survey_client::Model {}
impl Redact for survey_answer::Model {}
impl Redact for risk::Model {}
impl Redact for ticket::Model {}
impl Redact for ticket_comment::Model {}
impl Redact for ticket_clock::Model {}
impl Redact for service_level_policy::Model {}
impl Redact for service_level_target::Model {}
impl Redact for user::Model {}
impl Redact for escalation_level::Model {}
impl Redact for requirement_sheet::Model {}
impl Redact for change_request::Model {}
impl Redact for acceptance::Model {}
impl Redact for follow_up::Model {}
impl Redact for interaction::Model {}
impl Redact for proposal_review::Model {}
impl Redact for proposal_feedback::Model {}
impl Redact for negotiation_round::Model {}

impl Redact for proposal_version::Model {
    /// Who had to approve it is the internal review's business.
    fn redact(&mut self) {
        self.required_roles = serde_json::json!([]);
    }
}

impl Redact for negotiation_term::Model {
    /// The flag is the vendor's warning to itself; the counter chain shows terms the
    /// client may not see.
    fn redact(&mut self) {
        self.concedes_non_negotiable = false;
        self.counter_of = None;
    }
}

impl Redact for contract::Model {
    /// The value follows the project's rule (`contract_value_internal`).
    fn redact(&mut self) {
        if self.value_internal {
            self.value_minor = None;
            self.currency = None;
        }
    }
}

impl Redact for ticket_escalation::Model {
    /// Why the team escalated is the team's business; that it did is the customer's.
    fn redact(&mut self) {
        self.reason = String::new();
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, Query};

    use super::*;

    fn sql<E: EntityTrait>(condition: Condition) -> String {
        Query::select()
            .expr(sea_orm::sea_query::Expr::val(1))
            .from(E::default())
            .cond_where(condition)
            .to_string(PostgresQueryBuilder)
    }

    #[test]
    fn under_a_shown_parent_only_the_child_s_own_rule_is_left() {
        let client = Scope::Client(7);
        let whole = sql::<report::Entity>(report::Entity::portal(7));
        assert!(whole.contains("\"projects\"") && whole.contains("\"status\""));
        // Under a shown project: a draft report stays hidden, ownership is proven.
        let under = sql::<report::Entity>(visible_under::<report::Entity>(
            client,
            report::Column::ProjectId,
            true,
        ));
        assert!(
            under.contains("\"status\"") && !under.contains("\"projects\""),
            "{under}"
        );
        // A parent that was not shown proves nothing.
        let unshown = visible_under::<report::Entity>(client, report::Column::ProjectId, false);
        assert_eq!(sql::<report::Entity>(unshown), whole);
        // Nor does a row named by a column that is not how the rule reaches the client.
        let other = visible_under::<report::Entity>(client, report::Column::AuthorId, true);
        assert_eq!(sql::<report::Entity>(other), whole);
        // A table with no rule of its own: nothing left to check.
        let stages = visible_under::<stage::Entity>(client, stage::Column::ProjectId, true);
        assert!(stages.is_empty());
        // Staff see every row either way.
        assert!(
            visible_under::<report::Entity>(Scope::All, report::Column::ProjectId, false)
                .is_empty()
        );
    }

    #[test]
    fn a_row_wrapped_from_elsewhere_is_not_shown() {
        #[derive(Debug)]
        struct Row;
        impl Redact for Row {}
        let row = || Row;
        assert!(!Visible::new(Scope::Client(7), row()).shown());
        assert!(Visible::read(Scope::Client(7), row()).shown());
        assert!(read_all(Scope::All, vec![row()])[0].shown());
        assert!(!redact(Scope::All, vec![row()])[0].shown());
    }
}
