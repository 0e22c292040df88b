//! The ambassador's pages: a magic sign-in link by mail (no password), then a page
//! with their link and QR code for each live campaign, ready-to-send texts, their
//! own figures, and their choices (say yes, leaderboard, opt out).

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use declic_planning::{CampaignStatus, Channel};
use declic_storage::ambassadors::{AmbassadorChoice, AmbassadorSession, status};
use serde::Deserialize;
use serde_json::{Value, json};

use super::account::{csrf_for, csrf_ok};
use super::{Lang, message, render, text};
use crate::AppState;

const COOKIE: &str = "declic_ambassador";

/// `?lang=`.
#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The sign-in request form.
#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// A form protected against cross-site submission, with an optional yes/no.
#[derive(Deserialize)]
pub struct ChoiceForm {
    csrf: String,
    #[serde(default)]
    show: String,
}

fn lang_of(q: &LangQuery, headers: &HeaderMap) -> Lang {
    crate::pages::negotiate(q.lang.as_deref(), headers)
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "ambassador page failed");
    super::with_security_headers(
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error / Erreur interne",
        )
            .into_response(),
    )
}

fn set_session(state: &AppState, res: &mut Response, value: &str, max_age: u32) {
    super::set_cookie(
        res,
        &state.config.server.public_url,
        COOKIE,
        "/a",
        value,
        i64::from(max_age),
    );
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    super::cookie_value(headers, COOKIE)
}

async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, AmbassadorSession)>, Response> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    match state.store.ambassador_session(&token).await {
        Ok(s) => Ok(s.map(|s| (token, s))),
        Err(e) => Err(internal(e)),
    }
}

fn sign_in_page(status: StatusCode, lang: Lang, notice: Option<String>) -> Response {
    render(
        status,
        "ambassador_sign_in",
        lang,
        json!({"title": text(lang, "amb_sign_in_title"), "notice": notice}),
    )
}

/// `GET /a/sign-in`: asks for the work email.
pub async fn sign_in_form(q: Query<LangQuery>, headers: HeaderMap) -> Response {
    sign_in_page(StatusCode::OK, lang_of(&q, &headers), None)
}

/// `POST /a/sign-in`: mails a single-use link when the address is an ambassador's.
/// The answer is the same either way, so the form tells nothing about anyone.
pub async fn sign_in_request(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    Form(f): Form<EmailForm>,
) -> Response {
    let lang = lang_of(&q, &headers);
    if state.0.limits.allow_email(&f.email) {
        // Looked up and queued after the answer, so that the time to answer says
        // nothing about whether the address is an ambassador's.
        let state2 = state.clone();
        state.background.spawn(async move {
            let state = state2;
            if let Err(e) = declic_app::ambassadors::request_sign_in_link(&state, &f.email).await {
                tracing::error!(error = %e, "ambassador sign-in");
            }
        });
    }
    sign_in_page(StatusCode::OK, lang, Some(text(lang, "amb_link_sent")))
}

fn plausible(token: &str) -> bool {
    token.starts_with("dal_") && token.len() < 100
}

/// `GET /a/login/{token}`: a button (mail scanners open links; only the POST signs in).
pub async fn login_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    q: Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&q, &headers);
    let valid = plausible(&token)
        && match state.store.peek_ambassador_sign_in(&token).await {
            Ok(v) => v,
            Err(e) => return internal(e),
        };
    if !valid {
        return message(
            StatusCode::NOT_FOUND,
            lang,
            "link_invalid_title",
            "amb_link_invalid",
        );
    }
    render(
        StatusCode::OK,
        "ambassador_login",
        lang,
        json!({"title": text(lang, "amb_sign_in_title"), "action": format!("/a/login/{token}")}),
    )
}

/// `POST /a/login/{token}`: uses the link up and opens a session for a working day.
pub async fn login(
    State(state): State<AppState>,
    Path(token): Path<String>,
    q: Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&q, &headers);
    if !plausible(&token) {
        return message(
            StatusCode::NOT_FOUND,
            lang,
            "link_invalid_title",
            "amb_link_invalid",
        );
    }
    let hours = state.config.registration.ambassador_session_hours;
    match state.store.ambassador_sign_in(&token, hours).await {
        Ok(Some((session, _))) => {
            let mut res = Redirect::to(&format!("/a?lang={}", lang_code(lang))).into_response();
            set_session(&state, &mut res, &session, hours * 3600);
            super::with_security_headers(res)
        }
        Ok(None) => message(
            StatusCode::GONE,
            lang,
            "link_invalid_title",
            "amb_link_invalid",
        ),
        Err(e) => internal(e),
    }
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

fn fill(template: &str, campaign: &str, link: &str) -> String {
    template
        .replace("{campaign}", campaign)
        .replace("{link}", link)
}

/// `GET /a`: the ambassador's page.
pub async fn show(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&q, &headers);
    match current(&state, &headers).await {
        Ok(Some((session, a))) => page(&state, lang, &session, &a, None).await,
        Ok(None) => sign_in_page(
            StatusCode::UNAUTHORIZED,
            lang,
            Some(text(lang, "amb_session_required")),
        ),
        Err(res) => res,
    }
}

async fn page(
    state: &AppState,
    lang: Lang,
    session: &str,
    s: &AmbassadorSession,
    notice: Option<String>,
) -> Response {
    let a = &s.ambassador;
    let org = match state.store.organization(s.org).await {
        Ok(o) => o,
        Err(e) => return internal(e),
    };
    let mut data = json!({
        "title": text(lang, "amb_title"),
        "first_name": a.first_name,
        "organization": org.name,
        "csrf": csrf_for(state, session),
        "invited": a.status == status::INVITED || a.status == status::OPTED_OUT,
        "opted_out": a.status == status::OPTED_OUT,
        "leaderboard_opt_in": a.leaderboard_opt_in,
        "notice": notice,
        "campaigns": [],
        "figures": Value::Null,
        "privacy_url": declic_app::links::privacy_notice_path(&org.slug, lang),
    });
    if a.status == status::ACTIVE {
        let campaigns = match campaign_links(state, s, lang).await {
            Ok(c) => c,
            Err(res) => return res,
        };
        let overview = match state.store.ambassador_overview(s.org, a.employee_id).await {
            Ok(o) => o,
            Err(e) => return internal(e),
        };
        data["campaigns"] = json!(campaigns);
        data["figures"] = json!({
            "visits": overview.visits,
            "registrations": overview.registrations,
            "confirmed": overview.confirmed,
            "attended": overview.attended,
            "reach": overview.reach,
            "recruits_shown": overview.recruits_shown.join(", "),
            "leaderboard": overview.leaderboard.iter().map(|l| json!({
                "rank": l.rank,
                "name": l.first_name.clone().unwrap_or_else(|| text(lang, "amb_anonymous")),
                "is_me": l.is_me,
                "direct_recruits": l.direct_recruits,
                "reach": l.reach,
            })).collect::<Vec<_>>(),
        });
    }
    render(StatusCode::OK, "ambassador", lang, data)
}

/// The ambassador's link, QR code and ready-to-send texts for each campaign open for sign-ups.
async fn campaign_links(
    state: &AppState,
    s: &AmbassadorSession,
    page_lang: Lang,
) -> Result<Vec<Value>, Response> {
    let today = chrono::Utc::now().date_naive();
    let campaigns = state.store.campaigns(s.org).await.map_err(internal)?;
    let mut out = Vec::new();
    for c in campaigns.into_iter().filter(|c| {
        c.status == CampaignStatus::Live
            && c.registration_opens.is_none_or(|o| o <= today)
            && c.registration_closes.is_none_or(|cl| cl >= today)
    }) {
        let link = state
            .store
            .ensure_link(
                s.org,
                c.id,
                Channel::Ambassador,
                None,
                Some(s.ambassador.employee_id),
            )
            .await
            .map_err(internal)?;
        let url = format!("{}/c/{}", crate::public::base_url(state), link.code);
        let qr = declic_messaging::posters::qr_svg(&url, &c.title).unwrap_or_default();
        let texts: Vec<Value> = [Lang::Fr, Lang::En]
            .into_iter()
            .map(|l| {
                json!({
                    "label": text(page_lang, if l == Lang::Fr { "amb_lang_fr" } else { "amb_lang_en" }),
                    "mail_subject": fill(&text(l, "amb_mail_subject"), &c.title, &url),
                    "mail_body": fill(&text(l, "amb_mail_body"), &c.title, &url),
                    "chat": fill(&text(l, "amb_chat"), &c.title, &url),
                })
            })
            .collect();
        out.push(json!({
            "title": c.title,
            "url": url,
            "qr": qr,
            "visits": link.visits,
            "texts": texts,
        }));
    }
    Ok(out)
}

async fn decide(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    f: &ChoiceForm,
    choice: impl FnOnce(&AmbassadorSession) -> AmbassadorChoice,
    notice_key: &str,
) -> Response {
    let (session, s) = match current(state, headers).await {
        Ok(Some(x)) => x,
        Ok(None) => {
            return sign_in_page(
                StatusCode::UNAUTHORIZED,
                lang,
                Some(text(lang, "amb_session_required")),
            );
        }
        Err(res) => return res,
    };
    if !csrf_ok(state, &session, &f.csrf) {
        return message(
            StatusCode::FORBIDDEN,
            lang,
            "form_expired_title",
            "form_expired",
        );
    }
    let c = choice(&s);
    match state
        .store
        .ambassador_choice(s.org, s.ambassador.id, c)
        .await
    {
        Ok(a) if a.status == status::OPTED_OUT => {
            let mut res = message(StatusCode::OK, lang, "amb_opted_out_title", "amb_opted_out");
            set_session(state, &mut res, "", 0);
            res
        }
        Ok(a) => {
            let s = AmbassadorSession {
                org: s.org,
                ambassador: a,
            };
            page(state, lang, &session, &s, Some(text(lang, notice_key))).await
        }
        Err(declic_storage::StorageError::Invalid { .. }) => {
            message(StatusCode::CONFLICT, lang, "amb_title", "amb_not_allowed")
        }
        Err(e) => internal(e),
    }
}

/// `POST /a/accept`: says yes to being an ambassador.
pub async fn accept(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    Form(f): Form<ChoiceForm>,
) -> Response {
    let lang = lang_of(&q, &headers);
    decide(
        &state,
        lang,
        &headers,
        &f,
        |_| AmbassadorChoice::Accept,
        "amb_welcome",
    )
    .await
}

/// `POST /a/opt-out`: stops being an ambassador (at any time).
pub async fn opt_out(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    Form(f): Form<ChoiceForm>,
) -> Response {
    let lang = lang_of(&q, &headers);
    decide(
        &state,
        lang,
        &headers,
        &f,
        |_| AmbassadorChoice::OptOut,
        "amb_opted_out",
    )
    .await
}

/// `POST /a/leaderboard`: show (`show=yes`) or hide one's first name on the leaderboard.
pub async fn leaderboard(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    Form(f): Form<ChoiceForm>,
) -> Response {
    let lang = lang_of(&q, &headers);
    let show = f.show == "yes";
    decide(
        &state,
        lang,
        &headers,
        &f,
        |_| AmbassadorChoice::Leaderboard(show),
        "amb_saved",
    )
    .await
}

/// `POST /a/sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    Form(f): Form<ChoiceForm>,
) -> Response {
    let lang = lang_of(&q, &headers);
    if let Ok(Some((session, _))) = current(&state, &headers).await {
        if !csrf_ok(&state, &session, &f.csrf) {
            return message(
                StatusCode::FORBIDDEN,
                lang,
                "form_expired_title",
                "form_expired",
            );
        }
        if let Err(e) = state.store.end_ambassador_session(&session).await {
            return internal(e);
        }
    }
    let mut res = message(StatusCode::OK, lang, "signed_out_title", "signed_out");
    set_session(&state, &mut res, "", 0);
    res
}
