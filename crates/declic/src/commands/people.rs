//! `declic org|admin|token …`.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use declic_config::Config;
use declic_storage::Actor;
use declic_storage::admins::Role;
use declic_storage::orgs::NewOrganization;

use super::{open_store, org_id};
use crate::cli::{AdminCommand, OrgCommand, TokenCommand};

pub async fn org(config: &Config, cmd: OrgCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    match cmd {
        OrgCommand::Create {
            slug,
            name,
            domains,
            language,
        } => {
            let o = store
                .create_organization(
                    NewOrganization {
                        slug,
                        name,
                        domains,
                        default_language: language,
                    },
                    &Actor::cli(),
                )
                .await
                .map_err(user_error)?;
            println!(
                "created organisation {} ({}) for {}",
                o.slug,
                o.name,
                o.domains.join(", ")
            );
        }
        OrgCommand::Domains { org, add, remove } => {
            if add.is_empty() && remove.is_empty() {
                anyhow::bail!("give --add DOMAIN or --remove DOMAIN");
            }
            let id = org_id(&store, &org).await?;
            let o = store
                .change_domains(id, &add, &remove, &Actor::cli())
                .await
                .map_err(user_error)?;
            println!("{}: {}", o.slug, o.domains.join(", "));
        }
        OrgCommand::List => {
            for o in store.organizations().await? {
                println!("{}\t{}\t{}", o.slug, o.name, o.domains.join(","));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn admin(config: &Config, cmd: AdminCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    match cmd {
        AdminCommand::Create {
            org,
            email,
            role,
            sign_in_link,
        } => {
            let org = org_id(&store, &org).await?;
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("unknown role `{role}`: use owner, campaign_manager or viewer")
            })?;
            let password = if sign_in_link || std::io::stdin().is_terminal() {
                None
            } else {
                read_password_from_stdin()?
            };
            let hash = match &password {
                Some(p) if p.chars().count() < 12 => {
                    anyhow::bail!("the password must have at least 12 characters")
                }
                Some(p) => {
                    Some(declic_storage::hash_password(p).map_err(|e| anyhow::anyhow!("{e}"))?)
                }
                None => None,
            };
            let admin = store
                .create_admin(org, &email, role, hash, &Actor::cli())
                .await
                .map_err(user_error)?;
            println!("created {} admin {}", admin.role.as_str(), admin.email);
            if password.is_none() {
                let minutes = config.security.sign_in_link_minutes;
                let token = store
                    .create_sign_in_token(org, admin.id, minutes, &Actor::cli(), |_, _| Vec::new())
                    .await?;
                println!("one-time sign-in link (valid {minutes} minutes, to choose a password):");
                println!(
                    "{}/sign-in/{token}",
                    config.server.public_url.trim_end_matches('/')
                );
            }
        }
        AdminCommand::List { org } => {
            let org = org_id(&store, &org).await?;
            for a in store.admins(org).await? {
                let state = if a.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{}", a.id, a.email, a.role.as_str(), state);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn token(config: &Config, cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    match cmd {
        TokenCommand::Create {
            org,
            email,
            name,
            days,
        } => {
            let org = org_id(&store, &org).await?;
            let admin = store
                .admin_by_email(org, &email)
                .await
                .map_err(|e| match e {
                    declic_storage::StorageError::NotFound(_) => {
                        anyhow::anyhow!("no admin {email} in this organisation")
                    }
                    other => other.into(),
                })?;
            let days = days.unwrap_or(config.security.api_token_days);
            let (meta, token) = store
                .create_api_token(org, admin.id, &name, days, &Actor::cli())
                .await
                .map_err(user_error)?;
            let until = meta.expires_at.map_or_else(
                || "until revoked".to_owned(),
                |e| format!("until {}", e.format("%Y-%m-%d")),
            );
            println!(
                "API token {} for {} (id {}, valid {until}); it is shown only once:",
                meta.name, admin.email, meta.id
            );
            println!("{token}");
        }
        TokenCommand::Revoke { org, id } => {
            let org = org_id(&store, &org).await?;
            store
                .revoke_api_token(org, id, None, &Actor::cli())
                .await
                .map_err(user_error)?;
            println!("revoked token {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password_from_stdin() -> anyhow::Result<Option<String>> {
    let mut input = String::new();
    std::io::stdin().take(4096).read_to_string(&mut input)?;
    let line = input
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r')
        .to_owned();
    Ok((!line.is_empty()).then_some(line))
}

/// Storage errors caused by the operator's input, as plain messages.
pub fn user_error(e: declic_storage::StorageError) -> anyhow::Error {
    match e {
        declic_storage::StorageError::Invalid { field, message } => {
            anyhow::anyhow!("{field}: {message}")
        }
        declic_storage::StorageError::Conflict { message, .. } => anyhow::anyhow!("{message}"),
        other => other.into(),
    }
}
