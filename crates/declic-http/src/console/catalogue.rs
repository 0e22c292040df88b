//! Partner associations (with the eligibility checklist) and missions.

use axum::extract::{Query, State};
use axum::response::Response;
use declic_planning::{MissionFormat, WorkMode};
use declic_storage::associations::Association;
use declic_storage::missions::Mission;
use serde_json::{Value, json};

use super::dashboard::{date_text, language};
use super::{Console, Done, Failure, Fields, api_body, done, field_errors, notice};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::Id;
use crate::pages::Lang;
use declic_app::catalogue as uc;

fn association_view(lang: Lang, a: &Association) -> Value {
    let missing: Vec<&str> = a
        .assessment
        .missing
        .iter()
        .map(|m| match lang {
            Lang::Fr => m.message_fr.as_str(),
            Lang::En => m.message_en.as_str(),
        })
        .collect();
    let mut contacts: Vec<Value> = a.contacts.iter().map(|c| json!(c)).collect();
    while contacts.len() < a.contacts.len() + 1 || contacts.len() < 2 {
        contacts.push(empty_contact());
    }
    for (i, c) in contacts.iter_mut().enumerate() {
        c["n"] = json!(i + 1);
    }
    json!({"id": a.id, "name": a.name, "description": a.description, "eligible": a.assessment.eligible,
           "missing": missing, "contacts": contacts, "eligibility": a.eligibility})
}

fn empty_contact() -> Value {
    json!({"name": "", "role": null, "email": null, "phone": null})
}

fn empty_association() -> Value {
    let mut c1 = empty_contact();
    c1["n"] = json!(1);
    let mut c2 = empty_contact();
    c2["n"] = json!(2);
    json!({"id": null, "name": "", "description": "", "eligible": false, "missing": [],
           "contacts": [c1, c2],
           "eligibility": {"past_activity_feedback": false, "finances_documented": false, "two_people_available": false}})
}

/// The association form as typed, to show it again with its errors.
fn association_form_of(f: &Fields, id: Option<i64>) -> Value {
    let names = f.all("contact_name");
    let roles = f.all("contact_role");
    let emails = f.all("contact_email");
    let phones = f.all("contact_phone");
    let at = |v: &[&str], i: usize| v.get(i).copied().unwrap_or("").to_owned();
    let mut contacts: Vec<Value> = (0..names.len().max(2))
        .map(|i| json!({"name": at(&names, i), "role": at(&roles, i), "email": at(&emails, i), "phone": at(&phones, i), "n": i + 1}))
        .collect();
    if contacts.len() < 2 {
        contacts.push(empty_contact());
    }
    let checked = |name: &str| f.get(name) == "on";
    json!({"id": id, "name": f.get("name"), "description": f.get("description"), "eligible": false, "missing": [],
           "contacts": contacts,
           "eligibility": {"past_activity_feedback": checked("past_activity_feedback"),
               "finances_documented": checked("finances_documented"), "two_people_available": checked("two_people_available")}})
}

/// The association form as the API's body.
fn association_body(f: &Fields) -> Result<uc::AssociationBody, ApiError> {
    let names = f.all("contact_name");
    let roles = f.all("contact_role");
    let emails = f.all("contact_email");
    let phones = f.all("contact_phone");
    let opt = |v: Option<&&str>| v.filter(|s| !s.is_empty()).map(|s| s.to_string());
    let contacts: Vec<Value> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.is_empty())
        .map(|(i, n)| json!({"name": n, "role": opt(roles.get(i)), "email": opt(emails.get(i)), "phone": opt(phones.get(i))}))
        .collect();
    let checked = |name: &str| f.get(name) == "on";
    api_body(&json!({
        "name": f.get("name"), "description": f.get("description"), "contacts": contacts,
        "eligibility": {"past_activity_feedback": checked("past_activity_feedback"),
            "finances_documented": checked("finances_documented"), "two_people_available": checked("two_people_available")},
    }))
}

/// `GET /console/associations`.
pub async fn associations(
    State(state): State<AppState>,
    c: Console,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let list: Vec<Value> = state
        .store
        .associations(c.org())
        .await?
        .iter()
        .map(|a| association_view(c.lang, a))
        .collect();
    Ok(c.page(
        &state,
        "console_associations",
        "associations",
        json!({"associations": list, "form": empty_association(), "form_action": "/console/associations",
               "notice": notice(c.lang, q.done.as_deref())}),
    ))
}

/// `GET /console/associations/{id}`.
pub async fn association(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let a = state
        .store
        .association(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let view = association_view(c.lang, &a);
    Ok(c.page(
        &state,
        "console_association",
        "associations",
        json!({"title": a.name, "form": view, "form_action": format!("/console/associations/{id}"),
               "notice": notice(c.lang, q.done.as_deref())}),
    ))
}

/// `POST /console/associations`.
pub async fn create_association(
    State(state): State<AppState>,
    c: Console,
    f: Fields,
) -> Result<Response, Failure> {
    save_association(state, c, None, f).await
}

/// `POST /console/associations/{id}`.
pub async fn update_association(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    save_association(state, c, Some(id), f).await
}

async fn save_association(
    state: AppState,
    c: Console,
    id: Option<i64>,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let result = match association_body(&f) {
        Err(e) => Err(e),
        Ok(b) => match id {
            None => uc::create_association(&state, &c.caller(), b)
                .await
                .map_err(ApiError::from),
            Some(id) => uc::update_association(&state, &c.caller(), id, b)
                .await
                .map_err(ApiError::from),
        },
    };
    match result {
        Ok(a) => Ok(done(&format!("/console/associations/{}", a.id), "saved")),
        Err(e) => {
            let Some(errors) = field_errors(c.lang, &e) else {
                return Err(c.fail(e));
            };
            let form = association_form_of(&f, id);
            Ok(c.invalid(
                &state,
                "console_association",
                "associations",
                json!({"title": f.get("name"), "form": form, "errors": errors,
                       "form_action": id.map_or_else(|| "/console/associations".to_owned(), |i| format!("/console/associations/{i}"))}),
            ))
        }
    }
}

fn mission_view(lang: Lang, m: &Mission) -> Value {
    json!({"id": m.id, "association_id": m.association_id, "title": m.title, "description": m.description,
           "format": m.format.as_str(), "format_text": m.format.label(language(lang)),
           "work_mode": m.work_mode.as_str(), "work_mode_text": m.work_mode.label(language(lang)),
           "place": m.place, "online_link": m.online_link,
           "starts_at": m.starts_at.format("%Y-%m-%dT%H:%M").to_string(),
           "ends_at": m.ends_at.format("%Y-%m-%dT%H:%M").to_string(),
           "dates": date_text(lang, m.starts_at.date()), "capacity": m.capacity, "language": m.language,
           "confidentiality_note": m.confidentiality_note, "published": m.status == "published",
           "skill_ids": m.skills.iter().map(|s| s.id).collect::<Vec<_>>()})
}

async fn mission_form_data(state: &AppState, c: &Console, form: Value) -> Result<Value, Failure> {
    let lang = c.lang;
    let associations: Vec<Value> = state
        .store
        .associations(c.org())
        .await?
        .iter()
        .map(|a| {
            json!({"id": a.id, "name": a.name, "eligible": a.assessment.eligible,
                        "selected": form["association_id"] == json!(a.id)})
        })
        .collect();
    let skill_ids = form["skill_ids"].as_array().cloned().unwrap_or_default();
    let skills: Vec<Value> = state
        .store
        .skills(c.org())
        .await?
        .iter()
        .map(|s| json!({"id": s.id, "label": if lang == Lang::Fr { &s.label_fr } else { &s.label_en },
                        "soft": s.kind.as_str() == "soft", "checked": skill_ids.contains(&json!(s.id))}))
        .collect();
    let formats: Vec<Value> = MissionFormat::ALL
        .iter()
        .map(|f| json!({"value": f.as_str(), "label": f.label(language(lang)), "selected": form["format"] == f.as_str()}))
        .collect();
    let modes: Vec<Value> = WorkMode::ALL
        .iter()
        .map(|m| json!({"value": m.as_str(), "label": m.label(language(lang)), "selected": form["work_mode"] == m.as_str()}))
        .collect();
    let action = form["id"].as_i64().map_or_else(
        || "/console/missions".to_owned(),
        |i| format!("/console/missions/{i}"),
    );
    Ok(
        json!({"form": form, "associations": associations, "skills": skills, "formats": formats, "modes": modes,
              "form_action": action}),
    )
}

fn empty_mission() -> Value {
    json!({"id": null, "association_id": null, "title": "", "description": "", "format": "workshop",
           "work_mode": "in_person", "place": "", "online_link": "", "starts_at": "", "ends_at": "",
           "capacity": 10, "language": "fr", "confidentiality_note": "", "published": false, "skill_ids": []})
}

/// `GET /console/missions`.
pub async fn missions(
    State(state): State<AppState>,
    c: Console,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let list: Vec<Value> = state
        .store
        .missions(c.org())
        .await?
        .iter()
        .map(|m| mission_view(c.lang, m))
        .collect();
    let mut data = mission_form_data(&state, &c, empty_mission()).await?;
    data["missions"] = json!(list);
    data["notice"] = notice(c.lang, q.done.as_deref());
    Ok(c.page(&state, "console_missions", "missions", data))
}

/// `GET /console/missions/{id}`.
pub async fn mission(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let m = state
        .store
        .mission(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let mut data = mission_form_data(&state, &c, mission_view(c.lang, &m)).await?;
    data["title"] = json!(m.title);
    data["notice"] = notice(c.lang, q.done.as_deref());
    Ok(c.page(&state, "console_mission", "missions", data))
}

/// The mission form as the API's body (`datetime-local` inputs give minutes only).
fn mission_body(f: &Fields) -> Result<uc::MissionBody, ApiError> {
    let seconds = |v: &str| {
        if v.len() == 16 {
            format!("{v}:00")
        } else {
            v.to_owned()
        }
    };
    let association: i64 = f
        .get("association_id")
        .parse()
        .map_err(|_| ApiError::field("association_id", "choose an association"))?;
    let capacity: i64 = f
        .get("capacity")
        .parse()
        .map_err(|_| ApiError::field("capacity", "give a whole number"))?;
    let skills: Vec<i64> = f
        .all("skill_ids")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let lang = if f.get("language") == "en" {
        "en"
    } else {
        "fr"
    };
    api_body(&json!({
        "association_id": association, "title": f.get("title"), "description": f.get("description"),
        "format": f.get("format"), "work_mode": f.get("work_mode"), "place": f.opt("place"),
        "online_link": f.opt("online_link"), "starts_at": seconds(f.get("starts_at")),
        "ends_at": seconds(f.get("ends_at")), "capacity": capacity, "language": lang,
        "confidentiality_note": f.get("confidentiality_note"), "skill_ids": skills,
    }))
}

/// `POST /console/missions`.
pub async fn create_mission(
    State(state): State<AppState>,
    c: Console,
    f: Fields,
) -> Result<Response, Failure> {
    save_mission(state, c, None, f).await
}

/// `POST /console/missions/{id}`.
pub async fn update_mission(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    save_mission(state, c, Some(id), f).await
}

async fn save_mission(
    state: AppState,
    c: Console,
    id: Option<i64>,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let result = match mission_body(&f) {
        Err(e) => Err(e),
        Ok(b) => match id {
            None => uc::create_mission(&state, &c.caller(), b)
                .await
                .map_err(ApiError::from),
            Some(id) => uc::replace_mission(&state, &c.caller(), id, b)
                .await
                .map_err(ApiError::from),
        },
    };
    let m = match result {
        Ok(m) => m,
        Err(e) => {
            let Some(errors) = field_errors(c.lang, &e) else {
                return Err(c.fail(e));
            };
            let mut form = empty_mission();
            for k in [
                "title",
                "description",
                "format",
                "work_mode",
                "place",
                "online_link",
                "starts_at",
                "ends_at",
                "capacity",
                "language",
                "confidentiality_note",
            ] {
                form[k] = json!(f.get(k));
            }
            form["id"] = json!(id);
            form["association_id"] = json!(f.get("association_id").parse::<i64>().ok());
            form["skill_ids"] = json!(
                f.all("skill_ids")
                    .iter()
                    .filter_map(|s| s.parse::<i64>().ok())
                    .collect::<Vec<_>>()
            );
            // An already published mission stays so; only the box of a draft is kept.
            let published = match id {
                Some(i) => state
                    .store
                    .mission(c.org(), i)
                    .await
                    .is_ok_and(|m| m.status == "published"),
                None => false,
            };
            form["published"] = json!(published);
            let mut data = mission_form_data(&state, &c, form).await?;
            data["errors"] = errors;
            data["title"] = json!(f.get("title"));
            return Ok(c.invalid(&state, "console_mission", "missions", data));
        }
    };
    if f.get("publish") == "on" && m.status != "published" {
        uc::publish_mission(&state, &c.caller(), m.id)
            .await
            .map_err(|e| c.fail(e))?;
    }
    Ok(done(&format!("/console/missions/{}", m.id), "saved"))
}

/// `POST /console/missions/{id}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    _f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    uc::publish_mission(&state, &c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(done(&format!("/console/missions/{id}"), "published"))
}
