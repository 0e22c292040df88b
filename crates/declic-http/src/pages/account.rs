//! The one-time sign-in link, the page session and the account page.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use declic_storage::Actor;
use declic_storage::admins::Authenticated;
use serde::Deserialize;
use serde_json::json;

use super::{Lang, message, render, text};
use crate::AppState;
use crate::extract::RequestId;

const COOKIE: &str = "declic_session";

/// `?lang=` on any page.
#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
    confirm: String,
}

/// A form protected against cross-site submission.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
    #[serde(default)]
    name: String,
}

fn lang(q: &LangQuery, headers: &HeaderMap) -> Lang {
    crate::pages::negotiate(q.lang.as_deref(), headers)
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "page failed");
    super::with_security_headers(
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error / Erreur interne",
        )
            .into_response(),
    )
}

/// `GET /sign-in/{token}`: the password form (the token is not used up by viewing).
pub async fn form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    q: Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang(&q, &headers);
    match state.store.peek_sign_in_token(&token).await {
        Ok(Some(_)) => render(
            StatusCode::OK,
            "sign_in",
            lang,
            json!({"title": text(lang, "sign_in_title"), "action": format!("/sign-in/{token}"), "error": null}),
        ),
        Ok(None) => message(
            StatusCode::NOT_FOUND,
            lang,
            "link_invalid_title",
            "link_invalid",
        ),
        Err(e) => internal(e),
    }
}

/// `POST /sign-in/{token}`: sets the password, uses the token up, opens a session.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    rid: RequestId,
    Form(f): Form<PasswordForm>,
) -> Response {
    let lang = lang(&q, &headers);
    let retry = |key: &str| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            "sign_in",
            lang,
            json!({"title": text(lang, "sign_in_title"), "action": format!("/sign-in/{token}"), "error": text(lang, key)}),
        )
    };
    if f.password.chars().count() < 12 || f.password.len() > 1024 {
        return retry("password_too_short");
    }
    if f.password != f.confirm {
        return retry("password_mismatch");
    }
    let auth = match state.store.consume_sign_in_token(&token).await {
        Ok(Some(a)) => a,
        Ok(None) => return message(StatusCode::GONE, lang, "link_invalid_title", "link_invalid"),
        Err(e) => return internal(e),
    };
    let actor = Actor {
        admin_id: Some(auth.admin_id),
        label: auth.email.clone(),
        request_id: rid.0,
    };
    let hash = match declic_storage::hash_password(&f.password) {
        Ok(h) => h,
        Err(e) => return internal(e),
    };
    if let Err(e) = state
        .store
        .set_admin_password(auth.org, auth.admin_id, hash, &actor)
        .await
    {
        return internal(e);
    }
    match state
        .store
        .create_session(
            auth.org,
            auth.admin_id,
            state.config.security.session_hours,
            &actor,
        )
        .await
    {
        Ok(session) => {
            let mut res = Redirect::to("/console").into_response();
            set_session(
                &state,
                &mut res,
                &session,
                state.config.security.session_hours * 3600,
            );
            super::with_security_headers(res)
        }
        Err(e) => internal(e),
    }
}

fn set_session(state: &AppState, res: &mut Response, value: &str, max_age: u32) {
    super::set_cookie(
        res,
        &state.config.server.public_url,
        COOKIE,
        "/",
        value,
        i64::from(max_age),
    );
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    super::cookie_value(headers, COOKIE)
}

/// The CSRF token of a session (or of a pre-session cookie), from the one signer.
pub(crate) fn csrf_for(state: &AppState, session: &str) -> String {
    state.signer.tag("csrf", &[&session])
}

pub(crate) fn csrf_ok(state: &AppState, session: &str, given: &str) -> bool {
    state.signer.verify("csrf", &[&session], given)
}

async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, Authenticated)>, Response> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    match state.store.authenticate_session(&token).await {
        Ok(a) => Ok(a.map(|a| (token, a))),
        Err(e) => Err(internal(e)),
    }
}

async fn account_page(
    state: &AppState,
    lang: Lang,
    session: &str,
    auth: &Authenticated,
    new_token: Option<String>,
) -> Response {
    let org = match state.store.organization(auth.org).await {
        Ok(o) => o,
        Err(e) => return internal(e),
    };
    render(
        StatusCode::OK,
        "account",
        lang,
        json!({
            "title": text(lang, "account_title"),
            "email": auth.email,
            "organization": org.name,
            "role": auth.role.as_str(),
            "csrf": csrf_for(state, session),
            "new_token": new_token,
        }),
    )
}

/// `GET /account`.
pub async fn show(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang(&q, &headers);
    match current(&state, &headers).await {
        Ok(Some((session, auth))) => account_page(&state, lang, &session, &auth, None).await,
        Ok(None) => message(
            StatusCode::UNAUTHORIZED,
            lang,
            "session_required_title",
            "session_required",
        ),
        Err(res) => res,
    }
}

/// `POST /account/tokens`: creates an API token for the signed-in admin and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    rid: RequestId,
    Form(f): Form<CsrfForm>,
) -> Response {
    let lang = lang(&q, &headers);
    let (session, auth) = match current(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return message(
                StatusCode::UNAUTHORIZED,
                lang,
                "session_required_title",
                "session_required",
            );
        }
        Err(res) => return res,
    };
    if !csrf_ok(&state, &session, &f.csrf) {
        return message(
            StatusCode::FORBIDDEN,
            lang,
            "form_expired_title",
            "form_expired",
        );
    }
    let actor = Actor {
        admin_id: Some(auth.admin_id),
        label: auth.email.clone(),
        request_id: rid.0,
    };
    let name = if f.name.trim().is_empty() {
        "API".to_owned()
    } else {
        f.name
    };
    match state
        .store
        .create_api_token(
            auth.org,
            auth.admin_id,
            &name,
            state.config.security.api_token_days,
            &actor,
        )
        .await
    {
        Ok((_, token)) => account_page(&state, lang, &session, &auth, Some(token)).await,
        Err(e) => internal(e),
    }
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    q: Query<LangQuery>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let lang = lang(&q, &headers);
    if let Ok(Some((session, _))) = current(&state, &headers).await {
        if !csrf_ok(&state, &session, &f.csrf) {
            return message(
                StatusCode::FORBIDDEN,
                lang,
                "form_expired_title",
                "form_expired",
            );
        }
        if let Err(e) = state.store.end_session(&session).await {
            return internal(e);
        }
    }
    let mut res = message(StatusCode::OK, lang, "signed_out_title", "signed_out");
    set_session(&state, &mut res, "", 0);
    res
}
