//! The `survey_responses` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub campaign_id: i64,
    pub wave: i32,
    pub audience: String,
    pub association_id: Option<i64>,
    pub invitation_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    pub submitted_on: Date,
    /// The answers as of the last publication step; what reports read (m0027).
    #[sea_orm(column_type = "Text", nullable)]
    pub published_answers: Option<String>,
    /// Written since the last publication step.
    pub pending: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
