//! Database migrations of Delivery Desk. One module per change; a migration is never
//! edited after it has landed on `main`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_delivery_model;
mod m20261122_000002_sort_indexes;
mod m20261122_000003_portal_visibility;
mod m20261122_000004_service_levels;
mod m20261122_000005_escalation_and_follow_up;
mod m20261122_000006_scope_and_sign_off;
mod m20261122_000007_health_and_reports;
mod m20261201_000008_update_target_around_the_clock;
mod m20261201_000009_interactions;
mod m20261202_000010_pre_contract_road;
mod m20261203_000011_meetings_and_action_items;
mod m20261203_000012_contacts_handover_and_grades;
mod m20261203_000013_kickoff_obligations;
mod m20261203_000014_reports_published;
mod m20261203_000015_acceptance_criteria;
mod m20261203_000016_satisfaction_beyond_tickets;
mod m20261203_000017_documents;
mod m20261203_000018_criterion_checker;
mod m20261203_000019_webhooks;
mod m20261203_000020_mail_outbox;
mod m20261204_000021_ticket_client_is_project_client;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_delivery_model::Migration),
            Box::new(m20261122_000002_sort_indexes::Migration),
            Box::new(m20261122_000003_portal_visibility::Migration),
            Box::new(m20261122_000004_service_levels::Migration),
            Box::new(m20261122_000005_escalation_and_follow_up::Migration),
            Box::new(m20261122_000006_scope_and_sign_off::Migration),
            Box::new(m20261122_000007_health_and_reports::Migration),
            Box::new(m20261201_000008_update_target_around_the_clock::Migration),
            Box::new(m20261201_000009_interactions::Migration),
            Box::new(m20261202_000010_pre_contract_road::Migration),
            Box::new(m20261203_000011_meetings_and_action_items::Migration),
            Box::new(m20261203_000012_contacts_handover_and_grades::Migration),
            Box::new(m20261203_000013_kickoff_obligations::Migration),
            Box::new(m20261203_000014_reports_published::Migration),
            Box::new(m20261203_000015_acceptance_criteria::Migration),
            Box::new(m20261203_000016_satisfaction_beyond_tickets::Migration),
            Box::new(m20261203_000017_documents::Migration),
            Box::new(m20261203_000018_criterion_checker::Migration),
            Box::new(m20261203_000019_webhooks::Migration),
            Box::new(m20261203_000020_mail_outbox::Migration),
            Box::new(m20261204_000021_ticket_client_is_project_client::Migration),
        ]
    }
}
