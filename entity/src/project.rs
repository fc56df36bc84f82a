//! A client's project, from lead to after-sales.
use sea_orm::entity::prelude::*;

/// `Default` is a blank row: what the columns a query did not read hold
/// (the server's `graphql::columns`).
#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub status: crate::ProjectStatus,
    /// The phase to resume when the project is ON_HOLD.
    pub held_from: Option<crate::ProjectStatus>,
    #[sea_orm(unique)]
    pub contract_number: Option<String>,
    /// Contract value in minor units of `currency` (cents, fen...).
    pub contract_value_minor: Option<i64>,
    pub currency: Option<String>,
    /// The contract value is hidden from the client's portal while this is set.
    pub contract_value_internal: bool,
    pub contract_signed_on: Option<Date>,
    pub planned_start: Option<Date>,
    pub planned_end: Option<Date>,
    pub primary_owner_id: Option<i64>,
    /// The client's contact who is the project's first point of contact.
    pub primary_contact_id: Option<i64>,
    /// The health the team declares, beside the one computed from signals.
    pub declared_health: Option<crate::ProjectHealth>,
    pub declared_health_note: Option<String>,
    pub declared_health_at: Option<DateTimeUtc>,
    pub declared_health_by: Option<i64>,
    /// How often a progress report is due (DAILY or WEEKLY); none: no schedule.
    pub report_cadence: Option<crate::ReportKind>,
    /// When the report schedule started counting (entering EXECUTION, or a new cadence).
    pub reports_due_from: Option<DateTimeUtc>,
    /// The service-level policy its contract names; none: the default policy.
    pub service_level_policy_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
