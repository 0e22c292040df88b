//! Server-rendered pages: handlebars templates from `templates/pages`, strings in
//! French and English from `templates/i18n/pages.toml`, security headers.
//!
//! Templates are compiled into the binary so it runs from any directory; strict
//! mode makes a template that names a missing variable fail its test, not a user.

pub mod account;
pub mod ambassador;

use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use handlebars::Handlebars;
use serde_json::{Value, json};

const TEMPLATES: &[(&str, &str)] = &[
    (
        "layout",
        include_str!("../../../../templates/pages/layout.hbs"),
    ),
    (
        "sign_in",
        include_str!("../../../../templates/pages/sign_in.hbs"),
    ),
    (
        "account",
        include_str!("../../../../templates/pages/account.hbs"),
    ),
    (
        "message",
        include_str!("../../../../templates/pages/message.hbs"),
    ),
    (
        "survey",
        include_str!("../../../../templates/pages/survey.hbs"),
    ),
    (
        "campaign",
        include_str!("../../../../templates/pages/campaign.hbs"),
    ),
    (
        "registered",
        include_str!("../../../../templates/pages/registered.hbs"),
    ),
    (
        "confirm",
        include_str!("../../../../templates/pages/confirm.hbs"),
    ),
    (
        "manage",
        include_str!("../../../../templates/pages/manage.hbs"),
    ),
    (
        "ambassador_sign_in",
        include_str!("../../../../templates/pages/ambassador_sign_in.hbs"),
    ),
    (
        "ambassador_login",
        include_str!("../../../../templates/pages/ambassador_login.hbs"),
    ),
    (
        "ambassador",
        include_str!("../../../../templates/pages/ambassador.hbs"),
    ),
    (
        "unsubscribe",
        include_str!("../../../../templates/pages/unsubscribe.hbs"),
    ),
    (
        "domain_proof",
        include_str!("../../../../templates/pages/domain_proof.hbs"),
    ),
    (
        "privacy_notice",
        include_str!("../../../../templates/pages/privacy_notice.hbs"),
    ),
    ("home", include_str!("../../../../templates/pages/home.hbs")),
    // The HR console (see `crate::console`).
    (
        "console_layout",
        include_str!("../../../../templates/console/layout.hbs"),
    ),
    (
        "console_sign_in",
        include_str!("../../../../templates/console/sign_in.hbs"),
    ),
    (
        "console_reset",
        include_str!("../../../../templates/console/reset.hbs"),
    ),
    (
        "console_error",
        include_str!("../../../../templates/console/error.hbs"),
    ),
    (
        "console_dashboard",
        include_str!("../../../../templates/console/dashboard.hbs"),
    ),
    (
        "console_campaigns",
        include_str!("../../../../templates/console/campaigns.hbs"),
    ),
    (
        "console_campaign",
        include_str!("../../../../templates/console/campaign.hbs"),
    ),
    (
        "console_preview",
        include_str!("../../../../templates/console/preview.hbs"),
    ),
    (
        "console_warnings",
        include_str!("../../../../templates/console/warnings.hbs"),
    ),
    (
        "console_associations",
        include_str!("../../../../templates/console/associations.hbs"),
    ),
    (
        "console_association",
        include_str!("../../../../templates/console/association.hbs"),
    ),
    (
        "console_association_form",
        include_str!("../../../../templates/console/association_form.hbs"),
    ),
    (
        "console_mission_form",
        include_str!("../../../../templates/console/mission_form.hbs"),
    ),
    (
        "console_missions",
        include_str!("../../../../templates/console/missions.hbs"),
    ),
    (
        "console_mission",
        include_str!("../../../../templates/console/mission.hbs"),
    ),
    (
        "console_directory",
        include_str!("../../../../templates/console/directory.hbs"),
    ),
    (
        "console_dispatches",
        include_str!("../../../../templates/console/dispatches.hbs"),
    ),
    (
        "console_registrations",
        include_str!("../../../../templates/console/registrations.hbs"),
    ),
    (
        "console_posters",
        include_str!("../../../../templates/console/posters.hbs"),
    ),
    (
        "console_ambassadors",
        include_str!("../../../../templates/console/ambassadors.hbs"),
    ),
    (
        "console_reports",
        include_str!("../../../../templates/console/reports.hbs"),
    ),
    (
        "console_wording",
        include_str!("../../../../templates/console/wording.hbs"),
    ),
];
const STRINGS: &str = include_str!("../../../../templates/i18n/pages.toml");
const CONSOLE_STRINGS: &str = include_str!("../../../../templates/i18n/console.toml");

/// A page language: the workspace's one language type.
pub use declic_messaging::Lang;

/// From `?lang=`, else `Accept-Language` (first of fr/en by quality), else French.
pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(l) = query_lang.and_then(parse_lang) {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best: Option<(f32, Lang)> = None;
    for part in accept.split(',') {
        let mut it = part.trim().split(';');
        let tag = it.next().unwrap_or("");
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(l) = parse_lang(tag)
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, l));
        }
    }
    best.map_or(Lang::Fr, |(_, l)| l)
}

fn parse_lang(tag: &str) -> Option<Lang> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "fr" => Some(Lang::Fr),
        "en" => Some(Lang::En),
        _ => None,
    }
}

struct Renderer {
    hb: Handlebars<'static>,
    strings: Value,
}

fn renderer() -> Result<&'static Renderer, String> {
    static R: OnceLock<Result<Renderer, String>> = OnceLock::new();
    R.get_or_init(|| {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        for (name, text) in TEMPLATES {
            hb.register_template_string(name, *text)
                .map_err(|e| format!("template {name}: {e}"))?;
        }
        let mut strings: Value = toml::from_str(STRINGS).map_err(|e| format!("pages.toml: {e}"))?;
        let console: Value =
            toml::from_str(CONSOLE_STRINGS).map_err(|e| format!("console.toml: {e}"))?;
        for lang in ["fr", "en"] {
            if let (Some(into), Some(from)) =
                (strings[lang].as_object_mut(), console[lang].as_object())
            {
                for (k, v) in from {
                    if into.insert(k.clone(), v.clone()).is_some() {
                        return Err(format!("console.toml: {k} is also in pages.toml"));
                    }
                }
            }
        }
        Ok(Renderer { hb, strings })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The strings of one language.
pub fn strings(lang: Lang) -> Value {
    renderer()
        .map(|r| r.strings[lang.as_str()].clone())
        .unwrap_or(Value::Null)
}

/// One string.
pub fn text(lang: Lang, key: &str) -> String {
    strings(lang)[key].as_str().unwrap_or(key).to_owned()
}

/// Renders a page with `data` (plus `lang` and `t`), with the page security headers.
pub fn render(status: StatusCode, template: &str, lang: Lang, mut data: Value) -> Response {
    let html = renderer().and_then(|r| {
        if let Value::Object(map) = &mut data {
            map.insert("lang".into(), json!(lang.as_str()));
            map.insert("t".into(), r.strings[lang.as_str()].clone());
            // The footer's link to the organisation's information notice, when known.
            map.entry("privacy_url").or_insert(Value::Null);
        }
        r.hb.render(template, &data).map_err(|e| e.to_string())
    });
    match html {
        Ok(html) => with_security_headers((status, Html(html)).into_response()),
        Err(e) => {
            tracing::error!(error = %e, template, "page rendering failed");
            with_security_headers(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error / Erreur interne",
                )
                    .into_response(),
            )
        }
    }
}

/// A page with a title and one paragraph.
pub fn message(status: StatusCode, lang: Lang, title_key: &str, message_key: &str) -> Response {
    render(
        status,
        "message",
        lang,
        json!({"title": text(lang, title_key), "message": text(lang, message_key)}),
    )
}

/// The value of cookie `name` in the request, if present (at most 200 characters).
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(&prefix).map(str::to_owned))
        .filter(|t| !t.is_empty() && t.len() <= 200)
}

/// Sets cookie `name` on `path`: HttpOnly, SameSite=Lax, Secure when served over https.
/// A `max_age` of 0 with an empty value removes it.
pub(crate) fn set_cookie(
    res: &mut Response,
    public_url: &str,
    name: &str,
    path: &str,
    value: &str,
    max_age: i64,
) {
    let secure = if public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Headers every page carries: no framing, no referrer (links hold tokens), a strict CSP.
pub fn with_security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_in_both_languages() {
        // One data set that every page can render from (strict mode: a page
        // naming anything missing here fails this test, not a user).
        let mission = json!({"id": 1, "title": "M <b>", "description": "D", "format": "Marathon", "dates": "d", "place": "p",
            "job_skills": "IT", "soft_skills": "", "full": false, "seats_text": "2", "association": "A", "eligible": true});
        let choice = json!({"mission_id": 1, "rank": 1, "title": "M", "dates": "d", "place": "p", "status": "seated",
            "status_text": "s", "offered": true, "can_cancel": true, "can_wait_with_partner": true});
        let data = json!({"title": "T", "message": "M", "error": "E <b>", "action": "/x", "email": "a@b.c",
            "organization": "O", "role": "owner", "csrf": "c", "new_token": "dcl_x", "token": "t",
            "campaign": {"title": "C", "key_message": "K", "why_it_matters": "W"}, "deadline": "d",
            "missions": [mission], "open": true, "closed_title": "c", "closed_text": "c", "code": "abc",
            "choice_fields": [{"name": "choice_1", "label": "l", "required": true, "options": [{"id": 1, "title": "M", "selected": true}]}],
            "form": {"email": "", "first_name": "", "last_name": "", "duo_email": "", "duo": "", "consent": false},
            "errors": ["e"], "other_lang": "en", "notice": "n", "pending": false, "choices": [choice],
            "can_cancel_all": true, "campaign_link": "/c/abc", "can_change": true,
            "other_missions": [{"id": 2, "title": "N"}]});
        // The ambassador page's data, added separately (one json! this size hits the macro recursion limit).
        let texts = json!([{"label": "FR", "mail_subject": "s", "mail_body": "b", "chat": "c"}]);
        let campaigns = json!([{"title": "C <b>", "url": "https://x/c/abc", "qr": "<svg></svg>", "visits": 1, "texts": texts}]);
        let board =
            json!([{"rank": 1, "name": "A", "is_me": true, "direct_recruits": 1, "reach": 2}]);
        let figures = json!({"visits": 1, "registrations": 1, "confirmed": 1, "attended": 0, "reach": 2,
            "recruits_shown": "Bob", "leaderboard": board});
        let mut data = data;
        for (k, v) in [
            ("opted_out", json!(false)),
            ("done", json!(false)),
            ("intro", json!("I <b>")),
            ("controller", json!("C <b>")),
            ("contact", json!("dpo@x <b>")),
            ("slug", json!("acme")),
            ("retention", json!(["r <b>"])),
            ("invited", json!(false)),
            ("leaderboard_opt_in", json!(false)),
            ("ambassador_link", json!(true)),
            ("campaigns", campaigns),
            ("figures", figures),
            ("campaign_title", json!("C <b>")),
            ("wave_text", json!("w")),
            ("wave", json!(1)),
            (
                "questions",
                json!([{"name": "q_a", "label": "A", "required": true, "is_text": false, "is_scale": true,
                "options": [{"value": "1", "label": "1", "checked": true}], "value": "1", "error": "e"},
                {"name": "q_b", "label": "B", "required": false, "is_text": true, "is_scale": false,
                "options": [], "value": "x", "error": null}]),
            ),
            ("has_errors", json!(true)),
            ("saved", json!(false)),
            ("anonymous", json!(false)),
            ("for_association", json!(false)),
        ] {
            data[k] = v;
        }
        // Console pages have their own data and are rendered by the console's tests.
        for (name, _) in TEMPLATES
            .iter()
            .filter(|(n, _)| *n != "layout" && !n.starts_with("console_"))
        {
            for lang in [Lang::Fr, Lang::En] {
                let res = render(StatusCode::OK, name, lang, data.clone());
                assert_eq!(res.status(), StatusCode::OK, "{name} in {lang:?}");
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_strings() {
        let fr = strings(Lang::Fr);
        let en = strings(Lang::En);
        let keys = |v: &Value| {
            v.as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert!(!keys(&fr).is_empty());
        assert_eq!(keys(&fr), keys(&en));
    }

    #[test]
    fn language_negotiation() {
        let mut h = HeaderMap::new();
        assert_eq!(crate::pages::negotiate(None, &h), Lang::Fr);
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("de-DE, en-GB;q=0.8, fr;q=0.5"),
        );
        assert_eq!(crate::pages::negotiate(None, &h), Lang::En);
        assert_eq!(crate::pages::negotiate(Some("fr"), &h), Lang::Fr);
        assert_eq!(crate::pages::negotiate(Some("xx"), &h), Lang::En);
    }
}
