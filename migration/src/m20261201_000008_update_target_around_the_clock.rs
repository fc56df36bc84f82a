//! The default policy's periodic-update target: 24 hours around the clock, as the source
//! documents promise ("a solution or a progress update within 24 hours"), no longer 1,440
//! working minutes (which left a ticket opened on a Wednesday night owed an update on
//! Friday afternoon). Only an untouched default is changed: a policy an administrator has
//! edited (version above 1) keeps what they chose.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "UPDATE service_level_targets SET business_hours = false \
                 WHERE kind = 'UPDATE' AND minutes = 1440 AND business_hours = true \
                 AND policy_id IN (SELECT id FROM service_level_policies \
                                   WHERE name = 'Standard' AND version = 1)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "UPDATE service_level_targets SET business_hours = true \
                 WHERE kind = 'UPDATE' AND minutes = 1440 AND business_hours = false \
                 AND policy_id IN (SELECT id FROM service_level_policies \
                                   WHERE name = 'Standard' AND version = 1)",
            )
            .await?;
        Ok(())
    }
}
