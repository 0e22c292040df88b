//! The `relay_health` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "relay_health")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub transport: String,
    pub state: String,
    pub last_error: Option<String>,
    pub since: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
