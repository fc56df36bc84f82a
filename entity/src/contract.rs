//! A project's contract on its way from drafting to the archive.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub project_id: i64,
    #[sea_orm(unique)]
    pub number: String,
    /// In minor units of `currency`; always set (none only as the portal's redaction).
    pub value_minor: Option<i64>,
    pub currency: Option<String>,
    /// The value is hidden from the client's portal (the project's rule, carried over).
    pub value_internal: bool,
    /// The service-level policy of the agreed after-sales terms; none: the default.
    pub service_level_policy_id: Option<i64>,
    pub status: crate::ContractStatus,
    /// Since when it is in `status` (what "oldest first" sorts by).
    pub status_at: DateTimeUtc,
    /// Each step with who and when (the server's `domain::contract::Step`s).
    pub steps: Json,
    /// The client's signatory, once the client signed.
    pub client_signer_id: Option<i64>,
    /// The day the contract was countersigned: the project's signed date.
    pub signed_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
