//! One signed version of a project's requirement confirmation sheet.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "requirement_sheets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// 1 for the sheet signed after calibration; each approved change request adds one.
    pub version: i32,
    /// The requirements as signed (the server's `domain::requirement::Agreed`).
    pub requirements: Json,
    pub signed_at: DateTimeUtc,
    /// The vendor's signatory (a user).
    pub vendor_signer_id: i64,
    /// The client's signatory (a contact of the project's client).
    pub client_signer_id: i64,
    pub note: Option<String>,
    /// The approved change request this version came from; none for version 1.
    pub change_request_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
