//! A customer organisation, from first contact on.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub industry: Option<String>,
    pub main_business: Option<String>,
    pub source: crate::ClientSource,
    pub intent_level: crate::IntentLevel,
    pub budget_range: Option<String>,
    pub decision_chain: Option<String>,
    pub key_needs: Option<String>,
    pub notes: Option<String>,
    pub first_contact_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
