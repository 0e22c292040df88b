//! Schema migrations; the same set runs on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

mod m0001_organizations;
mod m0002_directory;
mod m0003_missions;
mod m0004_campaigns;
mod m0005_audit;
mod m0006_registrations;
mod m0007_logo;
mod m0008_queue_index;
mod m0009_referrals;
mod m0010_ambassadors;
mod m0011_referral_indexes;
mod m0012_opt_outs;
mod m0013_dispatches;
mod m0014_step_dispatches;
mod m0015_delivery_progress;
mod m0016_message_templates;
mod m0017_webhooks;
mod m0018_evaluations;
mod m0019_sign_in_lockout;
mod m0020_messages;
mod m0021_relay_health;
mod m0022_ics_sequence;
mod m0023_waits_with;
mod m0024_provisional_people;
mod m0025_domain_ownership;
mod m0026_erased_addresses;
mod m0027_survey_publication;
mod m0028_privacy_contact;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_organizations::Migration),
            Box::new(m0002_directory::Migration),
            Box::new(m0003_missions::Migration),
            Box::new(m0004_campaigns::Migration),
            Box::new(m0005_audit::Migration),
            Box::new(m0006_registrations::Migration),
            Box::new(m0007_logo::Migration),
            Box::new(m0008_queue_index::Migration),
            Box::new(m0009_referrals::Migration),
            Box::new(m0010_ambassadors::Migration),
            Box::new(m0011_referral_indexes::Migration),
            Box::new(m0012_opt_outs::Migration),
            Box::new(m0013_dispatches::Migration),
            Box::new(m0014_step_dispatches::Migration),
            Box::new(m0015_delivery_progress::Migration),
            Box::new(m0016_message_templates::Migration),
            Box::new(m0017_webhooks::Migration),
            Box::new(m0018_evaluations::Migration),
            Box::new(m0019_sign_in_lockout::Migration),
            Box::new(m0020_messages::Migration),
            Box::new(m0021_relay_health::Migration),
            Box::new(m0022_ics_sequence::Migration),
            Box::new(m0023_waits_with::Migration),
            Box::new(m0024_provisional_people::Migration),
            Box::new(m0025_domain_ownership::Migration),
            Box::new(m0026_erased_addresses::Migration),
            Box::new(m0027_survey_publication::Migration),
            Box::new(m0028_privacy_contact::Migration),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`, deleted with its parent.
pub(crate) fn fk_cascade(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A unique index over `columns` named `<table>_<name>_key`.
pub(crate) fn unique(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("{table}_{name}_key"))
        .table(table)
        .unique();
    for c in columns {
        idx.col(*c);
    }
    idx.to_owned()
}

/// A plain index over `columns`.
pub(crate) fn index(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("{table}_{name}_idx")).table(table);
    for c in columns {
        idx.col(*c);
    }
    idx.to_owned()
}
