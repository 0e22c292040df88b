//! A mail domain proven by mail. A domain decides whose staff an organisation may import
//! and mail, so it belongs to one organisation on the whole service and only one that
//! shows it receives mail there gets it: an owner names an address of the domain (the IT
//! team's, say), Declic sends a signed link there, and whoever reads that mailbox
//! confirms. The operator can still add one directly (`declic org domains --add`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use declic_messaging::Lang;
use declic_storage::orgs::{Organization, normalize_domain};
use declic_storage::{Actor, OrgId, StorageError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppError, AppResult, Caller};

/// How long a proof link works.
pub const PROOF_VALID_HOURS: i64 = 48;

/// The purpose the link's tag is made for.
const PURPOSE: &str = "domain_proof";

/// The mailboxes a proof may go to (RFC 2142's and the CA/Browser Forum's list for
/// domain control by mail): those of whoever runs the domain.
pub const ROLE_MAILBOXES: [&str; 5] = [
    "admin",
    "administrator",
    "webmaster",
    "hostmaster",
    "postmaster",
];

/// Proof mails an organisation may have sent in a day.
pub const PROOFS_PER_DAY: u64 = 5;

/// What an owner is told once the proof mail is queued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProofSent {
    /// The domain, normalised.
    pub domain: String,
    /// Where the link goes.
    pub address: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// False when the same proof was asked for less than an hour ago (no second mail).
    pub queued: bool,
}

/// Queues the proof mail for `domain` to `address` (owners only). The address must be
/// one of the domain's administrative mailboxes ([`ROLE_MAILBOXES`]); a domain another
/// organisation holds (or a parent or subdomain of one), or this one already has, is a
/// conflict. Asking again for the same address within the hour sends nothing more, and
/// an organisation sends at most [`PROOFS_PER_DAY`] proof mails a day.
pub async fn request_proof(
    app: &App,
    caller: &Caller,
    domain: &str,
    address: &str,
    lang: Lang,
) -> AppResult<ProofSent> {
    caller.require_owner()?;
    let domain = normalize_domain(domain).map_err(|_| {
        AppError::field(
            "domain",
            format!("`{}` is not a mail domain", domain.trim()),
        )
    })?;
    // Only the mailboxes that by convention belong to whoever runs the domain (the
    // ones certificate authorities accept for the same proof): any other mailbox would
    // let one employee, or anyone with a free-mail address, take the whole domain.
    let address = declic_directory::normalize_email(address)
        .filter(|a| {
            a.rsplit_once('@')
                .is_some_and(|(local, d)| d == domain && ROLE_MAILBOXES.contains(&local))
        })
        .ok_or_else(|| {
            AppError::field(
                "address",
                format!(
                    "give one of the domain's administrative mailboxes: {}",
                    ROLE_MAILBOXES
                        .iter()
                        .map(|m| format!("{m}@{domain}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    let expires_at = Utc::now() + Duration::hours(PROOF_VALID_HOURS);
    let token = proof_token(app, caller.org(), &domain, expires_at.timestamp());
    let message = crate::outbox::follow::domain_proof(
        app,
        caller.org(),
        &domain,
        &address,
        lang,
        &token,
        expires_at,
    );
    let queued = app
        .store
        .queue_domain_proof(
            caller.org(),
            &domain,
            caller.actor(),
            message,
            PROOFS_PER_DAY,
        )
        .await?;
    if queued {
        app.lane.wake();
    }
    Ok(ProofSent {
        domain,
        address,
        expires_at,
        queued,
    })
}

/// The link's token: `{org}.{expiry}.{tag}.{domain}` (a domain has dots, so it comes last).
pub fn proof_token(app: &App, org: OrgId, domain: &str, expires: i64) -> String {
    let tag = app.signer.tag(PURPOSE, &[&org.0, &expires, &domain]);
    format!("{}.{expires}.{tag}.{domain}", org.0)
}

/// What a proof link says, once its tag holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub org: OrgId,
    pub domain: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a proof link does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofLinkError {
    /// Not a link Declic made (or mangled by a mail client).
    Invalid,
    /// Its time is over: the owner asks for a new one.
    Expired,
}

/// Reads a proof link's token and checks its tag and time.
pub fn read_proof(app: &App, token: &str) -> Result<Proof, ProofLinkError> {
    let mut parts = token.splitn(4, '.');
    let (Some(org), Some(expires), Some(tag), Some(domain)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ProofLinkError::Invalid);
    };
    let (Ok(org), Ok(expires)) = (org.parse::<i64>(), expires.parse::<i64>()) else {
        return Err(ProofLinkError::Invalid);
    };
    if !app.signer.verify(PURPOSE, &[&org, &expires, &domain], tag) {
        return Err(ProofLinkError::Invalid);
    }
    let expires_at = Utc
        .timestamp_opt(expires, 0)
        .single()
        .ok_or(ProofLinkError::Invalid)?;
    if expires_at <= Utc::now() {
        return Err(ProofLinkError::Expired);
    }
    Ok(Proof {
        org: OrgId(org),
        domain: domain.to_owned(),
        expires_at,
    })
}

/// The organisation a valid link is for, to name it on the confirmation page.
pub async fn proof_organization(app: &App, proof: &Proof) -> AppResult<Organization> {
    Ok(app.store.organization(proof.org).await?)
}

/// Adds the domain of a valid proof link to its organisation (confirming twice changes
/// nothing). A domain another organisation got in the meantime is a conflict.
pub async fn confirm_proof(app: &App, proof: &Proof) -> AppResult<Organization> {
    let actor = Actor {
        admin_id: None,
        label: "domain proof by mail".into(),
        request_id: None,
    };
    match app
        .store
        .change_domains(proof.org, std::slice::from_ref(&proof.domain), &[], &actor)
        .await
    {
        Ok(org) => Ok(org),
        Err(StorageError::NotFound(what)) => Err(AppError::NotFound(what)),
        Err(e) => Err(e.into()),
    }
}
