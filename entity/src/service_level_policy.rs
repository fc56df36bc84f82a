//! A service-level policy: the business calendar its targets count on.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_level_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    /// IANA time zone of the working hours, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    /// Comma-separated working weekdays: `MON,TUE,WED,THU,FRI`.
    pub work_days: String,
    pub opens_at: Time,
    pub closes_at: Time,
    /// JSON array of ISO dates that are not worked.
    pub holidays: Json,
    /// Share of a target after which a running clock is at risk (1-99).
    pub at_risk_percent: i32,
    /// Whether a breached clock moves its ticket one escalation level up.
    pub auto_escalate_on_breach: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
