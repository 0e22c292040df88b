//! Signing in to the console with an address and a password, signing out, and
//! the password reset by mail.
//!
//! The forms before a session are protected by a CSRF token bound to a random
//! cookie set with the form (a signed-out attacker's page cannot read it).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use declic_storage::sign_in::{PasswordSignIn, Throttle};
use serde::Deserialize;
use serde_json::json;

use super::{SESSION_COOKIE, console_headers, expired_form, origin_allowed, request_lang};
use crate::AppState;
use crate::extract::RequestId;
use crate::pages::account::{csrf_for, csrf_ok};
use crate::pages::{Lang, cookie_value, render, set_cookie, text};

const PRE_COOKIE: &str = "declic_pre";

/// `?lang=` and `?next=` on the sign-in page.
#[derive(Deserialize, Default)]
pub struct SignInQuery {
    lang: Option<String>,
    next: Option<String>,
    done: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The reset request form.
#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// A console path to return to after signing in; anything else goes to the dashboard.
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with("/console")
        && !next.contains("//")
        && !next.contains('\\')
        && next.chars().all(|c| c.is_ascii_graphic());
    if ok { next } else { "/console" }
}

/// Renders a signed-out form with a fresh pre-session CSRF cookie.
fn signed_out_page(
    state: &AppState,
    status: StatusCode,
    template: &str,
    lang: Lang,
    headers: &HeaderMap,
    mut data: serde_json::Value,
) -> Response {
    let pre = cookie_value(headers, PRE_COOKIE)
        .unwrap_or_else(|| declic_storage::generate_token("pre").0);
    data["csrf"] = json!(csrf_for(state, &pre));
    let mut res = render(status, template, lang, super::signed_out_data(lang, data));
    console_headers(&mut res);
    set_cookie(
        &mut res,
        &state.config.server.public_url,
        PRE_COOKIE,
        "/console",
        &pre,
        3600,
    );
    res
}

fn pre_csrf_ok(state: &AppState, headers: &HeaderMap, given: &str) -> bool {
    origin_allowed(headers, &state.config.server.public_url)
        && cookie_value(headers, PRE_COOKIE).is_some_and(|pre| csrf_ok(state, &pre, given))
}

/// `GET /console/sign-in`.
pub async fn form(
    State(state): State<AppState>,
    Query(q): Query<SignInQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers, q.lang.as_deref());
    let notice = super::notice(lang, q.done.as_deref());
    signed_out_page(
        &state,
        StatusCode::OK,
        "console_sign_in",
        lang,
        &headers,
        json!({"title": text(lang, "sign_in_console_title"), "email": "", "error": null,
               "next": safe_next(q.next.as_deref().unwrap_or("")), "notice": notice}),
    )
}

/// `POST /console/sign-in`.
pub async fn submit(
    State(state): State<AppState>,
    Query(q): Query<SignInQuery>,
    headers: HeaderMap,
    rid: RequestId,
    axum::extract::Form(f): axum::extract::Form<SignInForm>,
) -> Response {
    let lang = request_lang(&headers, q.lang.as_deref());
    if !pre_csrf_ok(&state, &headers, &f.csrf) {
        return expired_form(lang);
    }
    let retry = |status: StatusCode, error: String| {
        signed_out_page(
            &state,
            status,
            "console_sign_in",
            lang,
            &headers,
            json!({"title": text(lang, "sign_in_console_title"), "email": f.email, "error": error,
                   "next": safe_next(&f.next), "notice": null}),
        )
    };
    if f.email.len() > 254 || f.password.len() > 1024 {
        return retry(
            StatusCode::UNPROCESSABLE_ENTITY,
            text(lang, "sign_in_refused"),
        );
    }
    let throttle = Throttle {
        slowdown_secs: i64::from(state.config.security.sign_in_slowdown_secs),
        lockout_minutes: i64::from(state.config.security.sign_in_lockout_minutes.max(1)),
    };
    let outcome = state
        .store
        .sign_in_with_password(
            &f.email,
            &f.password,
            state.config.security.session_hours,
            throttle,
            rid.0,
        )
        .await;
    match outcome {
        Ok(PasswordSignIn::Opened { session, .. }) => {
            // A session this browser held before ends (no fixation, no stale second session).
            if let Some(old) = cookie_value(&headers, SESSION_COOKIE)
                && let Err(e) = state.store.end_session(&old).await
            {
                tracing::warn!(error = %e, "could not end the previous session");
            }
            let mut res = Redirect::to(safe_next(&f.next)).into_response();
            set_cookie(
                &mut res,
                &state.config.server.public_url,
                SESSION_COOKIE,
                "/",
                &session,
                i64::from(state.config.security.session_hours) * 3600,
            );
            set_cookie(
                &mut res,
                &state.config.server.public_url,
                PRE_COOKIE,
                "/console",
                "",
                0,
            );
            console_headers(&mut res);
            res
        }
        Ok(PasswordSignIn::Refused) => {
            retry(StatusCode::UNAUTHORIZED, text(lang, "sign_in_refused"))
        }
        Ok(PasswordSignIn::Wait { until, locked }) => {
            let key = if locked {
                "sign_in_locked"
            } else {
                "sign_in_wait"
            };
            let seconds = (until - chrono::Utc::now()).num_seconds().max(1);
            let minutes = (seconds + 59) / 60;
            let message = text(lang, key)
                .replace("{seconds}", &seconds.to_string())
                .replace("{minutes}", &minutes.to_string());
            let mut res = retry(StatusCode::TOO_MANY_REQUESTS, message);
            if let Ok(v) = axum::http::HeaderValue::from_str(&seconds.to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => super::Failure {
            error: e.into(),
            lang: Some(lang),
        }
        .into_response(),
    }
}

/// `GET /console/reset`: asks for the address to send a reset link to.
pub async fn reset_form(
    State(state): State<AppState>,
    Query(q): Query<SignInQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers, q.lang.as_deref());
    signed_out_page(
        &state,
        StatusCode::OK,
        "console_reset",
        lang,
        &headers,
        json!({"title": text(lang, "reset_title"), "sent": false}),
    )
}

/// `POST /console/reset`: mails a single-use link to every account with the address.
/// The answer is the same whether the address is known or not.
pub async fn reset_request(
    State(state): State<AppState>,
    Query(q): Query<SignInQuery>,
    headers: HeaderMap,
    rid: RequestId,
    axum::extract::Form(f): axum::extract::Form<ResetForm>,
) -> Response {
    let lang = request_lang(&headers, q.lang.as_deref());
    if !pre_csrf_ok(&state, &headers, &f.csrf) {
        return expired_form(lang);
    }
    // At most `[limits] per_email_per_hour` links per address, whoever asks: the
    // answer is the same, so a script learns nothing and floods nobody's mailbox.
    if !state.0.limits.allow_email(&format!("reset:{}", f.email)) {
        return signed_out_page(
            &state,
            StatusCode::OK,
            "console_reset",
            lang,
            &headers,
            json!({"title": text(lang, "reset_title"), "sent": true}),
        );
    }
    // Sent in the background so the answer takes as long for unknown addresses.
    let task_state = state.clone();
    state.background.spawn(async move {
        if let Err(e) =
            declic_app::accounts::request_password_reset(&task_state, &f.email, lang, rid.0).await
        {
            tracing::error!(error = %e, "password reset failed");
        }
    });
    signed_out_page(
        &state,
        StatusCode::OK,
        "console_reset",
        lang,
        &headers,
        json!({"title": text(lang, "reset_title"), "sent": true}),
    )
}

/// `POST /console/sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    fields: super::Fields,
) -> Response {
    let _ = fields;
    if let Some(session) = cookie_value(&headers, SESSION_COOKIE)
        && let Err(e) = state.store.end_session(&session).await
    {
        return super::Failure::from(e).into_response();
    }
    let mut res = super::done("/console/sign-in", "signed_out");
    set_cookie(
        &mut res,
        &state.config.server.public_url,
        SESSION_COOKIE,
        "/",
        "",
        0,
    );
    res
}
