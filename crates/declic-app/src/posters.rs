//! From a campaign in the database to poster and flyer specifications, with their tagged
//! links; shared by the API and the `declic poster` command. Rendering is in
//! `declic_messaging::posters`.

use declic_messaging::Lang;
use declic_messaging::posters::{
    self, FlyerSize, FlyerSpec, PosterError, PosterMission, PosterSize, PosterSpec,
};
use declic_planning::Channel;
use declic_storage::links::CampaignLink;
use declic_storage::{OrgId, StorageError, Store};

use crate::App;
use crate::caller::{AppError, AppResult, Caller};
use crate::texts;

/// Most site posters one request may ask for: each page costs CPU time.
pub const MAX_SITES: usize = 500;

/// Where the printed links point: the server's public address.
#[derive(Debug, Clone, Copy)]
pub struct Printing<'a> {
    pub public_url: &'a str,
    /// `None`: the organisation's default language.
    pub lang: Option<Lang>,
    /// Whether printing may create the tagged links it needs (managers, the operator);
    /// a viewer prints only with links that exist already: reading creates nothing.
    pub create_links: bool,
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
    let link = print_link(
        store,
        print,
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
    let link = print_link(store, print, org, campaign_id, Channel::Poster, site, None).await?;
    spec.qr_url = link_url(print.public_url, &link);
    spec.link_text = declic_messaging::posters::short_link(&spec.qr_url);
    Ok(spec)
}

/// A printed document, ready to download.
#[derive(Debug)]
pub struct Printed {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Which posters to print.
#[derive(Debug, Default)]
pub struct PosterRequest {
    pub size: PosterSize,
    /// `None`: the organisation's default language.
    pub lang: Option<Lang>,
    /// One site's poster (its own tagged link); `None`: the generic poster.
    pub site: Option<String>,
    /// One poster per site of the directory…
    pub all_sites: bool,
    /// …or per site of this comma-separated list.
    pub sites: Option<String>,
}

/// Which flyers to print.
#[derive(Debug, Default)]
pub struct FlyerRequest {
    /// One ambassador's flyer; `None`: every ambassador of the campaign.
    pub ambassador_email: Option<String>,
    pub size: FlyerSize,
    pub lang: Option<Lang>,
}

fn printing<'a>(app: &'a App, caller: &Caller, lang: Option<Lang>) -> Printing<'a> {
    Printing {
        public_url: &app.config.server.public_url,
        lang,
        create_links: caller.can_manage(),
    }
}

/// The tagged link a print carries: created if needed when `print` may, else only
/// found (a viewer's download creates nothing).
async fn print_link(
    store: &Store,
    print: Printing<'_>,
    org: OrgId,
    campaign_id: i64,
    channel: Channel,
    site: Option<&str>,
    ambassador: Option<i64>,
) -> Result<CampaignLink, StorageError> {
    if print.create_links {
        return store
            .ensure_link(org, campaign_id, channel, site, ambassador)
            .await;
    }
    store
        .existing_link(org, campaign_id, channel, site, ambassador)
        .await?
        .ok_or_else(|| {
            StorageError::invalid(
                "campaign",
                "this print's link does not exist yet: a campaign manager prints it first",
            )
        })
}

/// The campaign's poster, or one per site, in one PDF.
pub async fn posters_pdf(
    app: &App,
    caller: &Caller,
    campaign_id: i64,
    r: PosterRequest,
) -> AppResult<Printed> {
    let org = caller.org();
    let print = printing(app, caller, r.lang);
    let specs = if r.all_sites || r.sites.is_some() {
        app.store.campaign(org, campaign_id).await?;
        let sites = chosen_sites(app, org, r.sites.as_deref()).await?;
        site_posters(&app.store, print, org, campaign_id, &sites, r.size).await?
    } else {
        vec![
            campaign_poster(
                &app.store,
                print,
                org,
                campaign_id,
                r.site.as_deref(),
                r.size,
            )
            .await?,
        ]
    };
    let bytes = rendered(move || posters::render_posters(&specs)).await?;
    Ok(Printed {
        file_name: posters::file_name("poster", r.site.as_deref().unwrap_or_default()),
        content_type: "application/pdf",
        bytes,
    })
}

/// One poster per site, each its own PDF, in a ZIP.
pub async fn posters_zip(
    app: &App,
    caller: &Caller,
    campaign_id: i64,
    r: PosterRequest,
) -> AppResult<Printed> {
    let org = caller.org();
    // An unknown campaign is "not found" before "no site" is invalid.
    app.store.campaign(org, campaign_id).await?;
    let sites = chosen_sites(app, org, r.sites.as_deref()).await?;
    let print = printing(app, caller, r.lang);
    let specs = site_posters(&app.store, print, org, campaign_id, &sites, r.size).await?;
    let bytes = rendered(move || {
        let files = sites
            .iter()
            .zip(&specs)
            .map(|(site, spec)| {
                Ok((
                    posters::file_name("poster", site),
                    posters::render_poster(spec)?,
                ))
            })
            .collect::<Result<Vec<_>, PosterError>>()?;
        posters::zip_files(&files)
    })
    .await?;
    Ok(Printed {
        file_name: "posters.zip".into(),
        content_type: "application/zip",
        bytes,
    })
}

/// Ambassador flyers (one ambassador's, or every ambassador's of the campaign).
pub async fn flyers_pdf(
    app: &App,
    caller: &Caller,
    campaign_id: i64,
    r: FlyerRequest,
) -> AppResult<Printed> {
    let org = caller.org();
    let print = printing(app, caller, r.lang);
    let store = &app.store;
    let specs = match r.ambassador_email.as_deref() {
        Some(email) => vec![ambassador_flyer(store, print, org, campaign_id, email, r.size).await?],
        None => all_ambassador_flyers(store, print, org, campaign_id, r.size).await?,
    };
    if specs.is_empty() {
        return Err(AppError::field(
            "ambassador_email",
            "the campaign has no ambassador link yet: name an ambassador",
        ));
    }
    let bytes = rendered(move || posters::render_flyers(&specs)).await?;
    Ok(Printed {
        file_name: "flyers.pdf".into(),
        content_type: "application/pdf",
        bytes,
    })
}

async fn chosen_sites(app: &App, org: OrgId, sites: Option<&str>) -> AppResult<Vec<String>> {
    let mut list: Vec<String> = match sites {
        Some(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        None => directory_sites(&app.store, org).await?,
    };
    let mut seen = std::collections::HashSet::new();
    // Links are per site whatever the case ("Lyon", "lyon"): print each once.
    list.retain(|s| seen.insert(s.to_lowercase()));
    if list.is_empty() {
        return Err(AppError::field(
            "sites",
            "no site to print: the directory lists none; name them with sites=Lyon,Paris",
        ));
    }
    Ok(list)
}

/// Runs a renderer off the async threads (it is CPU work) and maps its errors.
async fn rendered(
    job: impl FnOnce() -> Result<Vec<u8>, PosterError> + Send + 'static,
) -> AppResult<Vec<u8>> {
    let result = tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| AppError::Internal(format!("poster rendering: {e}")))?;
    result.map_err(|e| {
        let text = e.to_string();
        match e.field() {
            Some(field) => {
                let message = text.strip_prefix(&format!("{field}: ")).unwrap_or(&text);
                AppError::field(field, message)
            }
            None => AppError::Internal(text),
        }
    })
}
