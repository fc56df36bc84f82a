//! A contact's one answer to a survey.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub survey_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: i64,
    pub client_id: i64,
    /// Overall satisfaction, 1 to 5.
    pub score: i32,
    /// How likely they would recommend the vendor, 0 to 10.
    pub recommend: i32,
    pub comment: Option<String>,
    pub answered_at: DateTimeUtc,
    /// The staff member who recorded an answer given outside the portal.
    pub recorded_by_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
