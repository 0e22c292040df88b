//! The HR console: server-rendered pages for everything HR does with Declic.
//!
//! Each page reads the signed-in admin from the session cookie ([`Console`]),
//! checks the role for anything that changes data, and renders a handlebars
//! template from `templates/console` with strings from `templates/i18n/console.toml`.
//! Every form carries a CSRF token bound to the session ([`Fields`]). Everything
//! works without JavaScript; `console.js` only adds live previews and progress.

pub mod campaigns;
pub mod catalogue;
pub mod dashboard;
pub mod directory;
pub mod follow;
pub mod messages;
pub mod session;
pub mod wording;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use declic_storage::admins::Authenticated;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::extract::{Auth, RequestId};
use crate::pages::account::{csrf_for, csrf_ok};
use crate::pages::{Lang, cookie_value, render, set_cookie, text};

/// The session cookie (shared with the account page).
pub(crate) const SESSION_COOKIE: &str = "declic_session";
/// Remembers the language chosen with `?lang=`.
const LANG_COOKIE: &str = "declic_lang";

/// The signed-in admin of a console request.
pub struct Console {
    pub auth: Authenticated,
    pub session: String,
    pub lang: Lang,
    /// The language was chosen in this request's query: remember it.
    lang_chosen: bool,
    /// This page in the other language (a GET address, whatever the request was).
    lang_href: String,
    pub request_id: RequestId,
}

impl Console {
    /// The organisation acted for.
    pub fn org(&self) -> declic_storage::OrgId {
        self.auth.org
    }

    /// The admin as an API caller, to reuse the API's handlers and checks.
    pub fn api(&self) -> Auth {
        Auth(self.auth.clone())
    }

    /// The caller of a use case.
    pub fn caller(&self) -> declic_app::caller::Caller {
        self.api().caller(&self.request_id)
    }

    /// The audit actor.
    pub fn actor(&self) -> declic_storage::Actor {
        self.api().actor(&self.request_id)
    }

    /// Refuses viewers.
    pub fn require_manage(&self) -> Result<(), Failure> {
        self.api().require_manage().map_err(|e| self.fail(e))
    }

    /// An error page in this console's language.
    pub fn fail(&self, e: impl Into<ApiError>) -> Failure {
        Failure {
            error: e.into(),
            lang: Some(self.lang),
        }
    }

    /// A page of the console: `template` inside the console layout, with the navigation.
    pub fn page(&self, state: &AppState, template: &str, nav: &str, mut data: Value) -> Response {
        let title = data
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| text(self.lang, &format!("nav_{nav}")));
        if let Value::Object(map) = &mut data {
            map.insert("title".into(), json!(title));
            map.insert(
                "me".into(),
                json!({
                    "email": self.auth.email,
                    "role": self.auth.role.as_str(),
                    "role_text": text(self.lang, &format!("role_{}", self.auth.role.as_str())),
                    "can_manage": self.auth.role.can_manage(),
                    "is_owner": self.auth.role.is_owner(),
                }),
            );
            map.insert("csrf".into(), json!(csrf_for(state, &self.session)));
            map.insert("nav".into(), json!({ nav: true, "current": nav }));
            map.entry("notice").or_insert(Value::Null);
            map.entry("errors").or_insert(json!([]));
            map.insert(
                "other_lang".into(),
                json!(match self.lang {
                    Lang::Fr => "en",
                    Lang::En => "fr",
                }),
            );
            map.insert("lang_href".into(), json!(self.lang_href));
        }
        let mut res = render(StatusCode::OK, template, self.lang, data);
        console_headers(&mut res);
        if self.lang_chosen {
            set_cookie(
                &mut res,
                &state.config.server.public_url,
                LANG_COOKIE,
                "/",
                self.lang.as_str(),
                60 * 60 * 24 * 365,
            );
        }
        res
    }

    /// The same page with a 422 status (a form with errors).
    pub fn invalid(&self, state: &AppState, template: &str, nav: &str, data: Value) -> Response {
        let mut res = self.page(state, template, nav, data);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        res
    }
}

/// Lang from `?lang=`, else the remembered choice, else the browser's.
fn console_lang(parts: &Parts) -> (Lang, bool) {
    let query_lang = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(l) = query_lang.as_deref().filter(|l| matches!(*l, "fr" | "en")) {
        return (crate::pages::negotiate(Some(l), &parts.headers), true);
    }
    let remembered = cookie_value(&parts.headers, LANG_COOKIE);
    (
        crate::pages::negotiate(remembered.as_deref(), &parts.headers),
        false,
    )
}

/// The language of a request without a session (sign-in pages, errors).
pub(crate) fn request_lang(headers: &HeaderMap, query_lang: Option<&str>) -> Lang {
    let remembered = cookie_value(headers, LANG_COOKIE);
    crate::pages::negotiate(query_lang.or(remembered.as_deref()), headers)
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (lang, lang_chosen) = console_lang(parts);
        let request_id = RequestId::from_request_parts(parts, state)
            .await
            .unwrap_or(RequestId(None));
        let other = match lang {
            Lang::Fr => "en",
            Lang::En => "fr",
        };
        // A page shown after a form (a POST) switches language on the dashboard: its
        // own address may not answer GET.
        let lang_href = if parts.method == axum::http::Method::GET {
            let kept: Vec<(String, String)> = parts
                .uri
                .query()
                .map(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .filter(|(k, _)| k != "lang" && k != "done")
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.extend_pairs(kept).append_pair("lang", other);
            format!("{}?{}", parts.uri.path(), query.finish())
        } else {
            format!("/console?lang={other}")
        };
        let to_sign_in = || {
            let next = if parts.method == axum::http::Method::GET {
                parts.uri.path()
            } else {
                "/console"
            };
            let target = format!(
                "/console/sign-in?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            Redirect::to(&target).into_response()
        };
        let Some(session) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in());
        };
        match state.store.authenticate_session(&session).await {
            Ok(Some(auth)) => {
                tracing::Span::current().record("admin_id", auth.admin_id);
                Ok(Console {
                    auth,
                    session,
                    lang,
                    lang_chosen,
                    lang_href,
                    request_id,
                })
            }
            Ok(None) => Err(to_sign_in()),
            Err(e) => Err(Failure {
                error: e.into(),
                lang: Some(lang),
            }
            .into_response()),
        }
    }
}

/// The fields of a submitted console form, after its CSRF token was checked.
///
/// Forms repeat names (checkboxes, calendar rows), so the fields stay a list.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The first value of `name` as typed (not trimmed: message bodies keep their lines).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// `Some(value)` when the field is present and not blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

impl FromRequest<AppState> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = request_lang(req.headers(), None);
        let session = cookie_value(req.headers(), SESSION_COOKIE).unwrap_or_default();
        let same_origin = origin_allowed(req.headers(), &state.config.server.public_url);
        let bytes = crate::extract::read_body(req, state)
            .await
            .map_err(|e| Failure::from(e).into_response())?;
        let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let fields = Fields(fields);
        if session.is_empty() || !same_origin || !csrf_ok(state, &session, fields.get("csrf")) {
            return Err(expired_form(lang));
        }
        Ok(fields)
    }
}

/// A cross-site or stale form: refused, nothing changed.
pub(crate) fn expired_form(lang: Lang) -> Response {
    let mut res = render(
        StatusCode::FORBIDDEN,
        "console_error",
        lang,
        signed_out_data(
            lang,
            json!({"title": text(lang, "form_expired_title"), "message": text(lang, "form_expired"),
                   "detail": "", "lang_href": format!("/console?lang={}", other_lang(lang))}),
        ),
    );
    console_headers(&mut res);
    res
}

fn other_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "en",
        Lang::En => "fr",
    }
}

/// A second check besides the token: a browser says where a form comes from. A
/// cross-site `Sec-Fetch-Site`, or an `Origin` of another site, is refused. (Our
/// pages' `no-referrer` policy makes browsers send `Origin: null` on our own forms,
/// so `null` proves nothing either way and the token decides.)
pub(crate) fn origin_allowed(headers: &HeaderMap, public_url: &str) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    let Some(origin) = header("origin").filter(|o| *o != "null") else {
        return true;
    };
    let host = header("host").unwrap_or_default();
    let own = public_url.trim_end_matches('/');
    origin == own || origin.split_once("://").is_some_and(|(_, h)| h == host)
}

/// The console's Content-Security-Policy: its own script and nothing else.
pub(crate) fn console_headers(res: &mut Response) {
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
}

/// A console error page; bilingual when the request's language is unknown.
pub struct Failure {
    pub error: ApiError,
    pub lang: Option<Lang>,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self { error, lang: None }
    }
}

impl From<declic_storage::StorageError> for Failure {
    fn from(e: declic_storage::StorageError) -> Self {
        Self::from(ApiError::from(e))
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let lang = self.lang.unwrap_or(Lang::Fr);
        let (status, key) = match &self.error {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "error_unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "error_forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "error_not_found"),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "error_unavailable"),
            ApiError::Internal(e) => {
                tracing::error!(error = %e, "console page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "error_internal")
            }
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "error_too_large"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "error_bad_request"),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "error_bad_request"),
            _ => (StatusCode::BAD_REQUEST, "error_bad_request"),
        };
        let detail = match &self.error {
            ApiError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::Conflict { message, .. } | ApiError::BadRequest(message) => message.clone(),
            _ => String::new(),
        };
        let mut res = render(
            status,
            "console_error",
            lang,
            signed_out_data(
                lang,
                json!({"title": text(lang, key), "message": text(lang, &format!("{key}_text")), "detail": detail,
                       "lang_href": format!("/console?lang={}", other_lang(lang))}),
            ),
        );
        console_headers(&mut res);
        res
    }
}

/// What the console layout needs on a page without a signed-in admin.
pub(crate) fn signed_out_data(lang: Lang, mut data: Value) -> Value {
    if let Value::Object(map) = &mut data {
        for (k, v) in [
            ("me", Value::Null),
            ("nav", json!({})),
            ("notice", Value::Null),
            ("errors", json!([])),
            ("csrf", json!("")),
        ] {
            map.entry(k).or_insert(v);
        }
        map.insert("other_lang".into(), json!(other_lang(lang)));
        map.entry("lang_href")
            .or_insert_with(|| json!(format!("?lang={}", other_lang(lang))));
    }
    data
}

/// Field errors as the templates show them: the field's label and the message.
pub fn field_errors(lang: Lang, e: &ApiError) -> Option<Value> {
    let list: Vec<FieldError> = match e {
        ApiError::Invalid(errors) => errors.clone(),
        ApiError::Conflict { field, message } => vec![FieldError {
            field: field.clone(),
            message: message.clone(),
        }],
        ApiError::BadRequest(m) => vec![FieldError {
            field: "form".into(),
            message: m.clone(),
        }],
        _ => return None,
    };
    Some(json!(
        list.iter()
            .map(|f| {
                let root = f.field.split(['.', '[']).next().unwrap_or(&f.field);
                let label = text(lang, &format!("field_{root}"));
                let label = if label.starts_with("field_") {
                    f.field.clone()
                } else {
                    label
                };
                json!({"field": f.field, "label": label, "message": f.message})
            })
            .collect::<Vec<_>>()
    ))
}

/// Form values read into an API request type the way the API reads its JSON, so the
/// errors name the same fields.
pub(crate) fn api_body<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, ApiError> {
    crate::extract::parse_json(&serde_json::to_vec(v).unwrap_or_default())
}

/// Where to go after a successful form: `path` with a notice key.
pub fn done(path: &str, notice: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}done={notice}")).into_response()
}

/// The notice of `?done=` (only known keys are shown: the query names a string, never carries text).
pub fn notice(lang: Lang, done: Option<&str>) -> Value {
    match done {
        Some(key) if key.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            let t = text(lang, &format!("done_{key}"));
            if t.starts_with("done_") {
                Value::Null
            } else {
                json!(t)
            }
        }
        _ => Value::Null,
    }
}

/// `?done=` on console pages.
#[derive(serde::Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

/// `GET /console/assets/console.js`: the console's only script (progressive enhancement).
pub async fn script() -> Response {
    let mut res = (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../../templates/console/console.js"),
    )
        .into_response();
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// `GET /console/assets/console.css`.
pub async fn stylesheet() -> Response {
    let mut res = (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../../templates/console/console.css"),
    )
        .into_response();
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}
/// A sentence for the console when the relay is slow or failing; `None` when well.
pub async fn relay_banner(state: &AppState, lang: Lang) -> Option<Value> {
    let h = state.store.relay_health("mail").await.ok()??;
    if h.state == "ok" {
        return None;
    }
    let since = h.since.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut line = text(lang, &format!("relay_{}", h.state)).replace("{since}", &since);
    if let Some(e) = &h.last_error {
        line.push_str(" — ");
        line.push_str(&text(lang, "relay_last_error").replace("{error}", e));
    }
    Some(json!({"state": h.state, "text": line}))
}
