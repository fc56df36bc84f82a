//! The default policy's periodic-update target: 24 hours around the clock, as the source
//! documents promise ("a solution or a progress update within 24 hours"), no longer 1,440
//! working minutes (which left a ticket opened on a Wednesday night owed an update on
//! Friday afternoon). Only an untouched default is changed: a policy an administrator has
//! edited (version above 1) keeps what they chose.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Counts the untouched default's 24-hour update targets in business hours (`on`) or
/// around the clock.
async fn update_targets_in_business_hours(m: &SchemaManager<'_>, on: bool) -> Result<(), DbErr> {
    m.get_connection()
        .execute_unprepared(&format!(
            "UPDATE service_level_targets SET business_hours = {on} \
             WHERE kind = 'UPDATE' AND minutes = 1440 AND business_hours = {was} \
             AND policy_id IN (SELECT id FROM service_level_policies \
                               WHERE name = 'Standard' AND version = 1)",
            was = !on
        ))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        update_targets_in_business_hours(m, false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        update_targets_in_business_hours(m, true).await
    }
}
