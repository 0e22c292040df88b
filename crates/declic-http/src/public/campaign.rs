//! `GET /c/{code}`: the campaign page; `POST /c/{code}/register`; `POST /c/{code}/resend`.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use declic_app::caller::AppError;
use declic_planning::SkillKind;
use declic_storage::StorageError;
use declic_storage::registrations::{PublicCampaign, RegistrationRequest, WindowState};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse_duo_param, texts};
use crate::AppState;
use crate::pages::{Lang, message, render, text};

/// Query of the campaign page.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    lang: Option<String>,
    /// Pre-selects a mission (duo invitations).
    mission: Option<String>,
    /// A signed duo invitation.
    duo: Option<String>,
}

/// The sign-up form, as posted.
#[derive(Deserialize, Default, Clone)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    choice_1: String,
    #[serde(default)]
    choice_2: String,
    #[serde(default)]
    choice_3: String,
    #[serde(default)]
    duo_email: String,
    #[serde(default)]
    duo: String,
    consent: Option<String>,
    show_to_referrer: Option<String>,
}

/// The resend form.
#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    email: String,
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "public page failed");
    crate::pages::with_security_headers(axum::response::IntoResponse::into_response((
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal error / Erreur interne",
    )))
}

/// Page language: `?lang=`, then the browser, then the organisation's default.
fn page_lang(q: Option<&str>, headers: &HeaderMap, org_default: &str) -> Lang {
    if q.is_some() || headers.contains_key(axum::http::header::ACCEPT_LANGUAGE) {
        crate::pages::negotiate(q, headers)
    } else if org_default == "en" {
        Lang::En
    } else {
        Lang::Fr
    }
}

async fn load(state: &AppState, code: &str) -> Result<Option<PublicCampaign>, Response> {
    let today = chrono::Utc::now().date_naive();
    state
        .store
        .public_campaign(code, today)
        .await
        .map_err(internal)
}

fn not_found(lang: Lang) -> Response {
    message(StatusCode::NOT_FOUND, lang, "not_found_title", "not_found")
}

fn page_data(
    state: &AppState,
    page: &PublicCampaign,
    lang: Lang,
    form: &RegisterForm,
    errors: Vec<String>,
) -> Value {
    let t = crate::pages::strings(lang);
    let missions: Vec<Value> = page
        .missions
        .iter()
        .map(|pm| {
            let m = &pm.mission;
            let skills = |k: SkillKind| {
                m.skills
                    .iter()
                    .filter(|s| s.kind == k)
                    .map(|s| {
                        if lang == Lang::Fr {
                            s.label_fr.clone()
                        } else {
                            s.label_en.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let seats_text = if pm.seats_left == 1 {
                t["seats_left_one"].as_str().unwrap_or_default().to_owned()
            } else {
                t["seats_left_many"]
                    .as_str()
                    .unwrap_or_default()
                    .replace("{n}", &pm.seats_left.to_string())
            };
            json!({
                "id": m.id,
                "title": m.title,
                "description": m.description,
                "format": m.format.label(texts::language(lang)),
                "dates": texts::dates(lang, m.starts_at, m.ends_at, &m.time_zone),
                "place": texts::place(lang, m),
                "job_skills": skills(SkillKind::Job),
                "soft_skills": skills(SkillKind::Soft),
                "full": pm.seats_left == 0,
                "seats_text": seats_text,
                "association": pm.association.name,
                "eligible": pm.association.assessment.eligible,
            })
        })
        .collect();
    let chosen = [&form.choice_1, &form.choice_2, &form.choice_3];
    let choice_fields: Vec<Value> = (0..page.missions.len().min(3))
        .map(|i| {
            let options: Vec<Value> = page
                .missions
                .iter()
                .map(|pm| json!({"id": pm.mission.id, "title": pm.mission.title, "selected": chosen[i] == &pm.mission.id.to_string()}))
                .collect();
            json!({"name": format!("choice_{}", i + 1), "label": t[format!("choice_{}", i + 1)], "required": i == 0, "options": options})
        })
        .collect();
    let (closed_title, closed_text) = match page.window {
        WindowState::NotYetOpen(d) => (
            text(lang, "campaign_not_open_title"),
            text(lang, "campaign_not_open").replace("{date}", &texts::date(lang, d)),
        ),
        _ => (
            text(lang, "campaign_closed_title"),
            text(lang, "campaign_closed"),
        ),
    };
    let _ = state;
    json!({
        "title": page.campaign.title,
        "organization": page.organization.name,
        "campaign": {"title": page.campaign.title, "key_message": page.campaign.key_message, "why_it_matters": page.campaign.why_it_matters},
        "deadline": page.campaign.registration_closes.map(|d| texts::date(lang, d)),
        "missions": missions,
        "open": page.window == WindowState::Open,
        "closed_title": closed_title,
        "closed_text": closed_text,
        "code": page.link.code,
        "ambassador_link": page.link.ambassador_employee_id.is_some(),
        "choice_fields": choice_fields,
        "form": {"email": form.email, "first_name": form.first_name, "last_name": form.last_name, "duo_email": form.duo_email, "duo": form.duo, "consent": form.consent.is_some(), "show_to_referrer": form.show_to_referrer.is_some()},
        "errors": errors,
        "other_lang": if lang == Lang::Fr { "en" } else { "fr" },
        "privacy_url": declic_app::links::privacy_notice_path(&page.organization.slug, lang),
    })
}

/// The campaign page; counts one anonymous visit of the link.
pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let page = match load(&state, &code).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(crate::pages::negotiate(q.lang.as_deref(), &headers)),
        Err(res) => return res,
    };
    let lang = page_lang(
        q.lang.as_deref(),
        &headers,
        &page.organization.default_language,
    );
    if let Err(e) = state
        .store
        .record_visit(page.link.id, chrono::Utc::now().date_naive())
        .await
    {
        tracing::warn!(error = %e, "visit not counted");
    }
    let form = RegisterForm {
        choice_1: q.mission.clone().unwrap_or_default(),
        duo: q
            .duo
            .clone()
            .filter(|d| parse_duo_param(&state, d).is_some())
            .unwrap_or_default(),
        ..Default::default()
    };
    let status = if page.window == WindowState::Open {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let mut res = render(
        status,
        "campaign",
        lang,
        page_data(&state, &page, lang, &form, vec![]),
    );
    if let Some(a) = page.link.ambassador_employee_id
        && matches!(
            state
                .store
                .active_ambassador_of(declic_storage::OrgId(page.organization.id), a)
                .await,
            Ok(Some(_))
        )
    {
        super::referral_cookie::remember(&state, &headers, &mut res, page.campaign.id, a);
    }
    res
}

fn field_error(lang: Lang, field: &str) -> String {
    let key = match field {
        "email" | "first_name" | "last_name" | "mission_ids" | "duo_email" | "consent" => {
            format!("error_{field}")
        }
        _ => "error_campaign".to_owned(),
    };
    text(lang, &key)
}

/// Signs up; the confirmation mail follows. Errors re-show the form with what was typed.
pub async fn register(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Response {
    let page = match load(&state, &code).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(crate::pages::negotiate(q.lang.as_deref(), &headers)),
        Err(res) => return res,
    };
    let lang = page_lang(
        q.lang.as_deref(),
        &headers,
        &page.organization.default_language,
    );
    let again = |errors: Vec<String>| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            "campaign",
            lang,
            page_data(&state, &page, lang, &form, errors),
        )
    };
    if !state.0.limits.allow_email(&form.email) {
        return again(vec![text(lang, "error_rate")]);
    }
    let Ok(mission_ids) =
        declic_directory::sign_up::parse_choices(&[&form.choice_1, &form.choice_2, &form.choice_3])
    else {
        return again(vec![field_error(lang, "mission_ids")]);
    };
    let req = RegistrationRequest {
        email: form.email.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        mission_ids,
        duo_email: Some(form.duo_email.clone()),
        duo_of: parse_duo_param(&state, &form.duo),
        consent: form.consent.is_some(),
        show_to_referrer: form.show_to_referrer.is_some(),
        link_uses: super::referral_cookie::active_uses(
            &state,
            &headers,
            declic_storage::OrgId(page.organization.id),
            page.campaign.id,
            page.link.ambassador_employee_id,
        )
        .await,
        referral_window_secs: i64::from(state.config.registration.referral_window_days) * 86_400,
        language: if lang == Lang::En {
            "en".into()
        } else {
            "fr".into()
        },
    };
    match declic_app::registrations::sign_up(&state, &page, req).await {
        Ok(outcome) => {
            // The same answer whether this address had signed up before or not: the
            // form tells nothing about a colleague (whoever owns the address gets a mail).
            let email = outcome.registration.email.clone();
            let (title, msg) = ("check_mail_title", "check_mail");
            render(
                StatusCode::OK,
                "registered",
                lang,
                json!({"title": text(lang, title), "message": text(lang, msg), "code": page.link.code, "email": email}),
            )
        }
        Err(AppError::Storage(StorageError::Invalid { field, .. })) => {
            again(vec![field_error(lang, &field)])
        }
        Err(AppError::Invalid(issues)) => {
            again(issues.iter().map(|i| field_error(lang, &i.field)).collect())
        }
        Err(e) => internal(e),
    }
}

/// Sends a new confirmation link to a pending registration. The answer is the
/// same whether or not one exists, so the form tells nothing about anyone.
pub async fn resend(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    Form(form): Form<ResendForm>,
) -> Response {
    let page = match load(&state, &code).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(crate::pages::negotiate(q.lang.as_deref(), &headers)),
        Err(res) => return res,
    };
    let lang = page_lang(
        q.lang.as_deref(),
        &headers,
        &page.organization.default_language,
    );
    if state.0.limits.allow_email(&form.email)
        && let Err(e) =
            declic_app::registrations::resend_confirmation(&state, &page, &form.email).await
    {
        return internal(e);
    }
    message(StatusCode::OK, lang, "resent_title", "resent")
}
