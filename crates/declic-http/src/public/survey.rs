//! Evaluation surveys, answered without an account through a signed link that
//! expires when the wave closes: `/s/{invitation}-{wave}-{expires}-{signature}`.
//! The page works without JavaScript; an API client may post JSON to the same
//! address (`{"satisfaction": 4, …}`) and gets `application/problem+json` errors.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use declic_evaluation::answers::{field, form_values};
use declic_evaluation::{AnswerError, Audience, Kind, Questionnaire, Wave};
use declic_storage::evaluations::Submitted;
use declic_storage::{OrgId, StorageError};
use serde_json::{Value, json};

use declic_app::links::SurveyLinkError;

use super::unsubscribe::LangQuery;
use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::pages::{Lang, message, render, text};

/// Why a link does not open a survey.
enum LinkError {
    /// Not one of ours (or altered).
    Invalid,
    /// The wave is over.
    Expired,
    /// Signed for another wave than the invitation's.
    WrongWave,
}

fn link_error(lang: Lang, e: LinkError) -> Response {
    match e {
        LinkError::Invalid => message(
            StatusCode::NOT_FOUND,
            lang,
            "survey_invalid_title",
            "survey_invalid",
        ),
        LinkError::Expired => message(
            StatusCode::GONE,
            lang,
            "survey_closed_title",
            "survey_closed",
        ),
        LinkError::WrongWave => message(
            StatusCode::CONFLICT,
            lang,
            "survey_invalid_title",
            "survey_wrong_wave",
        ),
    }
}

fn failed(lang: Lang, e: StorageError) -> Response {
    match e {
        StorageError::NotFound(_) => link_error(lang, LinkError::Invalid),
        StorageError::Invalid { field, .. } if field == "wave" => {
            link_error(lang, LinkError::Expired)
        }
        StorageError::Conflict { .. } => message(
            StatusCode::CONFLICT,
            lang,
            "survey_done_title",
            "survey_already_answered",
        ),
        e => {
            tracing::error!(error = %e, "survey failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "survey_invalid_title",
                "try_again",
            )
        }
    }
}

/// What the page needs to show one question, with the answer given so far.
fn question_view(
    q: &declic_evaluation::Question,
    lang: Lang,
    given: Option<&String>,
    error: Option<&str>,
) -> Value {
    let code = lang.as_str();
    let given = given.map(String::as_str).unwrap_or("");
    let options: Vec<Value> = match q.kind {
        Kind::Scale => (1..=5)
            .map(|n| {
                let v = n.to_string();
                json!({"value": v, "label": v, "checked": given == v})
            })
            .collect(),
        Kind::YesNo => vec![
            json!({"value": "yes", "label": text(lang, "yes"), "checked": given == "yes"}),
            json!({"value": "no", "label": text(lang, "no"), "checked": given == "no"}),
        ],
        Kind::Choice => q
            .choices
            .iter()
            .map(|c| json!({"value": c.value, "label": c.label.get(code), "checked": given == c.value}))
            .collect(),
        Kind::Text => vec![],
    };
    json!({
        "name": field(&q.key),
        "label": q.label.get(code),
        "required": q.required,
        "is_text": q.kind == Kind::Text,
        "is_scale": q.kind == Kind::Scale,
        "options": options,
        "value": given,
        "error": error,
    })
}

struct Context {
    org: OrgId,
    invitation: declic_storage::entity::survey_invitation::Model,
    questionnaire: Questionnaire,
    wave: Wave,
    campaign_title: String,
    /// The organisation's slug, for the link to its information notice.
    org_slug: String,
}

async fn context(
    state: &AppState,
    token: &str,
) -> Result<Context, Result<LinkError, StorageError>> {
    let (id, wave) = declic_app::links::parse_survey(state, token)
        .map_err(|e| match e {
            SurveyLinkError::Invalid => LinkError::Invalid,
            SurveyLinkError::Expired => LinkError::Expired,
        })
        .map_err(Ok)?;
    let invitation = state.store.survey_invitation(id).await.map_err(Err)?;
    if invitation.wave != wave {
        return Err(Ok(LinkError::WrongWave));
    }
    let org = OrgId(invitation.organization_id);
    let audience = declic_storage::evaluations::audience(&invitation.audience);
    let questionnaire = state
        .store
        .questionnaire(org, audience)
        .await
        .map_err(Err)?;
    let campaign = state
        .store
        .campaign(org, invitation.campaign_id)
        .await
        .map_err(Err)?;
    let org_slug = state.store.organization(org).await.map_err(Err)?.slug;
    Ok(Context {
        org,
        wave: Wave::from_number(wave).ok_or(Ok(LinkError::Invalid))?,
        invitation,
        questionnaire,
        campaign_title: campaign.title,
        org_slug,
    })
}

fn page(
    status: StatusCode,
    lang: Lang,
    token: &str,
    cx: &Context,
    values: &std::collections::BTreeMap<String, String>,
    errors: &[AnswerError],
    saved: bool,
) -> Response {
    let questions: Vec<Value> = cx
        .questionnaire
        .questions
        .iter()
        .map(|q| {
            let name = field(&q.key);
            let error = errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.as_str());
            question_view(q, lang, values.get(&q.key), error)
        })
        .collect();
    let for_association = cx.invitation.audience == Audience::Association.as_str();
    render(
        status,
        "survey",
        lang,
        json!({
            "title": text(lang, "survey_title"),
            "campaign_title": cx.campaign_title,
            "wave_text": cx.wave.label(lang.as_str()),
            "token": token,
            "wave": cx.wave.number(),
            "questions": questions,
            "has_errors": !errors.is_empty(),
            "saved": saved,
            "anonymous": cx.questionnaire.anonymous,
            "for_association": for_association,
            "privacy_url": declic_app::links::privacy_notice_path(&cx.org_slug, lang),
        }),
    )
}

/// `GET /s/{token}`: the questionnaire, filled with the earlier answer if any.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    let cx = match context(&state, &token).await {
        Ok(cx) => cx,
        Err(Ok(e)) => return link_error(lang, e),
        Err(Err(e)) => return failed(lang, e),
    };
    if cx.invitation.answered && cx.questionnaire.anonymous {
        return message(
            StatusCode::OK,
            lang,
            "survey_done_title",
            "survey_already_answered",
        );
    }
    let values = match state.store.survey_answer_of(cx.invitation.id).await {
        Ok(a) => a.map(|a| form_values(&a)).unwrap_or_default(),
        Err(e) => return failed(lang, e),
    };
    page(StatusCode::OK, lang, &token, &cx, &values, &[], false)
}

/// `POST /s/{token}`: records the answer (form or JSON). Nothing is stored unless
/// every answer holds.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let cx = match context(&state, &token).await {
        Ok(cx) => cx,
        Err(Ok(e)) if is_json => {
            return match e {
                LinkError::Invalid => ApiError::NotFound("survey link"),
                LinkError::Expired => {
                    ApiError::field("wave", "this survey is closed: answers are no longer taken")
                }
                LinkError::WrongWave => ApiError::Conflict {
                    field: "wave".into(),
                    message: "this link belongs to another wave".into(),
                },
            }
            .into_response();
        }
        Err(Ok(e)) => return link_error(lang, e),
        Err(Err(e)) if is_json => return ApiError::from(e).into_response(),
        Err(Err(e)) => return failed(lang, e),
    };
    // The form's fields, or the JSON object's members as the form would send them.
    let form: Vec<(String, String)> = if is_json {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&body) else {
            return ApiError::BadRequest(
                "send a JSON object: {\"question_key\": answer, …}".into(),
            )
            .into_response();
        };
        map.into_iter()
            .map(|(k, v)| {
                // `wave` is the form's own field, not a question.
                let k = if k == "wave" { k } else { field(&k) };
                let v = match v {
                    Value::String(s) => s,
                    Value::Bool(true) => "yes".into(),
                    Value::Bool(false) => "no".into(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect()
    } else {
        match serde_urlencoded::from_bytes(&body) {
            Ok(f) => f,
            Err(_) => {
                return message(
                    StatusCode::BAD_REQUEST,
                    lang,
                    "survey_invalid_title",
                    "survey_invalid",
                );
            }
        }
    };
    // The wave the form was shown for must be the link's.
    if let Some((_, w)) = form.iter().find(|(k, _)| k == "wave")
        && w.parse::<i32>().ok() != Some(cx.wave.number())
    {
        return if is_json {
            ApiError::Conflict {
                field: "wave".into(),
                message: "this link belongs to another wave".into(),
            }
            .into_response()
        } else {
            link_error(lang, LinkError::WrongWave)
        };
    }
    let answers = match declic_evaluation::parse_form(&cx.questionnaire, &form) {
        Ok(a) => a,
        Err(errors) if is_json => {
            return ApiError::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldError {
                        field: e.field.trim_start_matches("q_").to_owned(),
                        message: e.message,
                    })
                    .collect(),
            )
            .into_response();
        }
        Err(errors) => {
            let values: std::collections::BTreeMap<String, String> = form
                .iter()
                .filter_map(|(k, v)| k.strip_prefix("q_").map(|k| (k.to_owned(), v.clone())))
                .collect();
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang,
                &token,
                &cx,
                &values,
                &errors,
                false,
            );
        }
    };
    let outcome = state
        .store
        .submit_survey(cx.invitation.id, &answers, cx.questionnaire.anonymous)
        .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) if is_json => return ApiError::from(e).into_response(),
        Err(e) => return failed(lang, e),
    };
    // "I'd like to be an ambassador": HR's invitation follows, the person says yes
    // on their page (only when the answer is kept with the person).
    if outcome == Submitted::Recorded
        && !cx.questionnaire.anonymous
        && answers.get("ambassador") == Some(&declic_evaluation::Value::YesNo(true))
        && let Some(employee_id) = cx.invitation.employee_id
    {
        declic_app::ambassadors::offer_role_after_survey(&state, cx.org, employee_id).await;
    }
    if is_json {
        let status = if outcome == Submitted::Recorded {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        return (status, axum::Json(json!({"status": if outcome == Submitted::Recorded { "recorded" } else { "updated" }}))).into_response();
    }
    if cx.questionnaire.anonymous {
        return message(
            StatusCode::OK,
            lang,
            "survey_done_title",
            "survey_thanks_anonymous",
        );
    }
    page(
        StatusCode::OK,
        lang,
        &token,
        &cx,
        &form_values(&answers),
        &[],
        true,
    )
}
