//! From a campaign in the database to poster and flyer specifications, with their tagged
//! links; shared by the API and the `declic poster` command. Rendering is in
//! `declic_messaging::posters`.

use declic_messaging::Lang;
use declic_messaging::posters::{FlyerSize, FlyerSpec, PosterMission, PosterSize, PosterSpec};
use declic_planning::Channel;
use declic_storage::links::CampaignLink;
use declic_storage::{OrgId, StorageError, Store};

use crate::texts;

/// Most site posters one request may ask for: each page costs CPU time.
pub const MAX_SITES: usize = 500;

/// Where the printed links point: the server's public address.
#[derive(Debug, Clone, Copy)]
pub struct Printing<'a> {
    pub public_url: &'a str,
    /// `None`: the organisation's default language.
    pub lang: Option<Lang>,
}

/// The full URL of a link, as the QR code holds it.
pub fn link_url(public_url: &str, link: &CampaignLink) -> String {
    format!("{}/c/{}", public_url.trim_end_matches('/'), link.code)
}

/// The poster of a campaign: for one site (its own tagged link), or the generic poster link.
pub async fn campaign_poster(
    store: &Store,
    print: Printing<'_>,
    org: OrgId,
    campaign_id: i64,
    site: Option<&str>,
    size: PosterSize,
) -> Result<PosterSpec, StorageError> {
    let base = poster_base(store, print, org, campaign_id, size).await?;
    with_link(store, print, org, campaign_id, site, base).await
}

/// One poster per site, each with its own tagged link, in the order given.
pub async fn site_posters(
    store: &Store,
    print: Printing<'_>,
    org: OrgId,
    campaign_id: i64,
    sites: &[String],
    size: PosterSize,
) -> Result<Vec<PosterSpec>, StorageError> {
    if sites.len() > MAX_SITES {
        return Err(StorageError::invalid(
            "sites",
            format!("at most {MAX_SITES} sites per request"),
        ));
    }
    let base = poster_base(store, print, org, campaign_id, size).await?;
    let mut out = Vec::with_capacity(sites.len());
    for site in sites {
        out.push(with_link(store, print, org, campaign_id, Some(site), base.clone()).await?);
    }
    Ok(out)
}

/// The sites of the organisation's directory (active employees), for "one poster per site".
pub async fn directory_sites(store: &Store, org: OrgId) -> Result<Vec<String>, StorageError> {
    Ok(store.directory_facets(org).await?.1)
}

/// The flyer of one ambassador, found by work email; creates their link on first use.
pub async fn ambassador_flyer(
    store: &Store,
    print: Printing<'_>,
    org: OrgId,
    campaign_id: i64,
    email: &str,
    size: FlyerSize,
) -> Result<FlyerSpec, StorageError> {
    let employee = match store.employee_by_email(org, email).await {
        Err(StorageError::NotFound(_)) => Err(StorageError::invalid(
            "ambassador_email",
            "no employee with this email",
        )),
        other => other,
    }?;
    // Flyers carry a link that credits the person: only for someone who said yes.
    if store
        .active_ambassador_of(org, employee.id)
        .await?
        .is_none()
    {
        return Err(StorageError::invalid(
            "ambassador_email",
            "this person has not accepted to be an ambassador",
        ));
    }
    let link = store
        .ensure_link(
            org,
            campaign_id,
            Channel::Ambassador,
            None,
            Some(employee.id),
        )
        .await?;
    let campaign = store.campaign(org, campaign_id).await?;
    let lang = language(store, print, org).await?;
    let name = format!("{} {}", employee.first_name, employee.last_name);
    Ok(flyer(print, &link, name, campaign.title, lang, size))
}

/// The flyers of every ambassador link of the campaign (active employees), by link creation.
pub async fn all_ambassador_flyers(
    store: &Store,
    print: Printing<'_>,
    org: OrgId,
    campaign_id: i64,
    size: FlyerSize,
) -> Result<Vec<FlyerSpec>, StorageError> {
    let campaign = store.campaign(org, campaign_id).await?;
    let lang = language(store, print, org).await?;
    let mut out = Vec::new();
    for link in store.campaign_links(org, campaign_id).await? {
        let Some(id) = link.ambassador_employee_id else {
            continue;
        };
        let e = store.employee(org, id).await?;
        // Someone who left, asked to be forgotten or opted out is no longer an ambassador.
        if !e.active || e.erased || store.active_ambassador_of(org, id).await?.is_none() {
            continue;
        }
        let name = format!("{} {}", e.first_name, e.last_name);
        out.push(flyer(
            print,
            &link,
            name,
            campaign.title.clone(),
            lang,
            size,
        ));
    }
    Ok(out)
}

fn flyer(
    print: Printing<'_>,
    link: &CampaignLink,
    name: String,
    campaign_title: String,
    lang: Lang,
    size: FlyerSize,
) -> FlyerSpec {
    let url = link_url(print.public_url, link);
    FlyerSpec {
        ambassador_name: name.trim().to_owned(),
        photo: None,
        link_text: declic_messaging::posters::short_link(&url),
        qr_url: url,
        campaign_title,
        lang,
        size,
    }
}

async fn language(store: &Store, print: Printing<'_>, org: OrgId) -> Result<Lang, StorageError> {
    Ok(match print.lang {
        Some(l) => l,
        None => Lang::from_code(&store.organization(org).await?.default_language),
    })
}

/// Everything but the link: campaign texts, missions, deadline, logo.
async fn poster_base(
    store: &Store,
    print: Printing<'_>,
    org: OrgId,
    campaign_id: i64,
    size: PosterSize,
) -> Result<PosterSpec, StorageError> {
    let campaign = store.campaign(org, campaign_id).await?;
    let lang = language(store, print, org).await?;
    let missions = store
        .missions_by_ids(org, &campaign.mission_ids)
        .await?
        .into_iter()
        .filter(|m| m.status == "published")
        .map(|m| PosterMission {
            format: m.format.label(texts::language(lang)).to_owned(),
            dates: texts::dates(lang, m.starts_at, m.ends_at, &m.time_zone),
            place: texts::place(lang, &m),
            title: m.title,
        })
        .collect();
    Ok(PosterSpec {
        title: campaign.title,
        key_message: campaign.key_message,
        missions,
        deadline: campaign.registration_closes.map(|d| texts::date(lang, d)),
        qr_url: String::new(),
        link_text: String::new(),
        logo: store.logo(org).await?.map(|l| l.bytes),
        lang,
        size,
    })
}

async fn with_link(
    store: &Store,
    print: Printing<'_>,
    org: OrgId,
    campaign_id: i64,
    site: Option<&str>,
    mut spec: PosterSpec,
) -> Result<PosterSpec, StorageError> {
    let link = store
        .ensure_link(org, campaign_id, Channel::Poster, site, None)
        .await?;
    spec.qr_url = link_url(print.public_url, &link);
    spec.link_text = declic_messaging::posters::short_link(&spec.qr_url);
    Ok(spec)
}
