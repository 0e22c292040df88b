//! Every route of the service, in one place.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::controllers::{
    admins, associations, audit, campaigns, employees, health, missions, organization,
    registrations, tokens,
};
use crate::controllers::{
    ambassadors, dispatches, evaluations, posters, referrals, templates, webhooks,
};
use crate::{AppState, console, pages, public};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the application router.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.server.body_limit_bytes;
    let import_limit = state.config.server.import_limit_bytes;
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs);

    let api = Router::new()
        .route(
            "/organization",
            get(organization::show).patch(organization::update),
        )
        .route(
            "/organization/domain-proofs",
            post(organization::prove_domain),
        )
        .route("/admins", get(admins::list).post(admins::create))
        .route("/admins/{id}", get(admins::show).patch(admins::update))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/employees", get(employees::list))
        .route(
            "/employees/import",
            post(employees::import).layer(DefaultBodyLimit::max(import_limit)),
        )
        .route("/employees/facets", get(employees::facets))
        .route("/employees/{id}", get(employees::show))
        .route("/employees/{id}/deactivate", post(employees::deactivate))
        .route("/employees/{id}/reactivate", post(employees::reactivate))
        .route("/privacy/export", post(employees::export_person))
        .route("/privacy/erase", post(employees::erase_person))
        .route("/privacy/allow-again", post(employees::allow_again))
        .route(
            "/associations",
            get(associations::list).post(associations::create),
        )
        .route(
            "/associations/{id}",
            get(associations::show).patch(associations::update),
        )
        .route(
            "/skills",
            get(missions::skills).post(missions::create_skill),
        )
        .route("/missions", get(missions::list).post(missions::create))
        .route("/missions/{id}", get(missions::show).put(missions::replace))
        .route("/missions/{id}/publish", post(missions::publish))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/default-plan", get(campaigns::default_plan))
        .route(
            "/campaigns/{id}",
            get(campaigns::show).patch(campaigns::update),
        )
        .route("/campaigns/{id}/status", post(campaigns::transition))
        .route(
            "/campaigns/{id}/calendar-check",
            get(campaigns::calendar_check),
        )
        .route(
            "/campaigns/{id}/links",
            get(registrations::links).post(registrations::create_link),
        )
        .route("/campaigns/{id}/registrations", get(registrations::list))
        .route(
            "/campaigns/{id}/registrations.csv",
            get(registrations::export_csv),
        )
        .route(
            "/registration-choices/{id}/move",
            post(registrations::move_choice),
        )
        .route(
            "/missions/{id}/attendance",
            post(referrals::mark_attendance),
        )
        .route(
            "/ambassadors",
            get(ambassadors::list).post(ambassadors::invite),
        )
        .route("/ambassadors/{id}", get(ambassadors::show))
        .route("/referrals/figures", get(referrals::figures))
        .route("/referrals/leaderboard", get(referrals::leaderboard))
        .route("/referrals/graph", get(referrals::graph))
        .route(
            "/campaigns/{id}/referrals.svg",
            get(referrals::campaign_svg),
        )
        .route("/campaigns/{id}/report", get(evaluations::campaign_report))
        .route("/campaigns/{id}/share-back", post(evaluations::share_back))
        .route("/reports/{year}", get(evaluations::year_report))
        .route(
            "/questionnaires/{audience}",
            get(evaluations::questionnaire)
                .put(evaluations::save_questionnaire)
                .delete(evaluations::reset_questionnaire),
        )
        .route("/campaigns/{id}/dispatches", post(dispatches::create))
        .route("/campaigns/{id}/preview", get(dispatches::preview))
        .route("/templates", get(templates::list))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{id}",
            axum::routing::delete(webhooks::deactivate),
        )
        .route(
            "/templates/{message}/{lang}",
            get(templates::show)
                .put(templates::save)
                .delete(templates::delete),
        )
        .route("/dispatches/{id}", get(dispatches::show))
        .route("/employees/{id}/deliveries", get(dispatches::of_employee))
        .route("/dispatches/{id}/action", post(dispatches::action))
        .route("/audit", get(audit::list))
        .route("/campaigns/{id}/posters.pdf", get(posters::poster_pdf))
        .route("/campaigns/{id}/posters.zip", get(posters::posters_zip))
        .route("/campaigns/{id}/flyers.pdf", get(posters::flyers_pdf))
        .route(
            "/organization/logo",
            axum::routing::put(posters::upload_logo)
                .layer(DefaultBodyLimit::max(posters::LOGO_BODY_LIMIT)),
        )
        // Who may call what, before any handler or body: `authz::TABLE`.
        .route_layer(from_fn_with_state(state.clone(), crate::authz::enforce))
        .fallback(health::api_not_found);

    let sign_in = Router::new()
        .route(
            "/sign-in/{token}",
            get(pages::account::form).post(pages::account::submit),
        )
        .route("/account", get(pages::account::show))
        .route("/account/tokens", post(pages::account::create_token))
        .route("/sign-out", post(pages::account::sign_out))
        .route(
            "/a/sign-in",
            get(pages::ambassador::sign_in_form).post(pages::ambassador::sign_in_request),
        )
        .route(
            "/a/login/{token}",
            get(pages::ambassador::login_form).post(pages::ambassador::login),
        )
        .route("/a", get(pages::ambassador::show))
        .route("/a/accept", post(pages::ambassador::accept))
        .route("/a/opt-out", post(pages::ambassador::opt_out))
        .route("/a/leaderboard", post(pages::ambassador::leaderboard))
        .route("/a/sign-out", post(pages::ambassador::sign_out))
        .route(
            "/console/sign-in",
            get(console::session::form).post(console::session::submit),
        )
        .route(
            "/console/reset",
            get(console::session::reset_form).post(console::session::reset_request),
        )
        .layer(from_fn_with_state(
            state.clone(),
            crate::rate_limit::sign_in,
        ));

    let public = Router::new()
        .route("/c/{code}", get(public::campaign::show))
        .route("/c/{code}/register", post(public::campaign::register))
        .route("/c/{code}/resend", post(public::campaign::resend))
        .route(
            "/r/{token}",
            get(public::confirm::form).post(public::confirm::submit),
        )
        .route("/me/{token}", get(public::manage::show))
        .route("/me/{token}/cancel", post(public::manage::cancel))
        .route("/me/{token}/claim", post(public::manage::claim))
        .route("/me/{token}/decline", post(public::manage::decline))
        .route(
            "/me/{token}/wait-with-partner",
            post(public::manage::wait_with_partner),
        )
        .route("/me/{token}/prefer", post(public::manage::prefer))
        .route("/me/{token}/name-shown", post(public::manage::name_shown))
        .route(
            "/u/{token}",
            get(public::unsubscribe::show).post(public::unsubscribe::unsubscribe),
        )
        .route(
            "/u/{token}/resubscribe",
            post(public::unsubscribe::resubscribe),
        )
        .route(
            "/s/{token}",
            get(public::survey::show).post(public::survey::submit),
        )
        .route("/", get(public::home::home))
        .route("/privacy/{slug}", get(public::privacy::show))
        .route(
            "/domain-proof/{token}",
            get(public::domain_proof::show).post(public::domain_proof::confirm),
        )
        .layer(from_fn_with_state(state.clone(), crate::rate_limit::public));

    let console = console_routes(import_limit);

    Router::new()
        .merge(sign_in)
        .merge(public)
        .merge(console)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(crate::metrics::render))
        .route("/api/openapi.json", get(health::openapi_json))
        .merge(SwaggerUi::new("/api/docs").url("/api/docs/openapi.json", crate::openapi_document()))
        .nest("/api/v1", api)
        .fallback(health::not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        // Inside the metrics layer, so that a panic is counted as the 500 it becomes.
        .layer(crate::error::catch_panics())
        .layer(from_fn_with_state(state.clone(), crate::security_headers::add))
        .layer(from_fn_with_state(state.clone(), crate::metrics::layer))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let rid = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %redacted(req.uri().path()), request_id = %rid, admin_id = tracing::field::Empty)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The HR console's pages (signed-in admins; see `console`).
fn console_routes(import_limit: usize) -> Router<AppState> {
    use console::{campaigns, catalogue, dashboard, directory, follow, messages, session, wording};
    Router::new()
        .route("/console", get(dashboard::show))
        .route("/console/sign-out", post(session::sign_out))
        .route("/console/assets/console.js", get(console::script))
        .route("/console/assets/console.css", get(console::stylesheet))
        .route(
            "/console/campaigns",
            get(campaigns::list).post(campaigns::create),
        )
        .route(
            "/console/campaigns/{id}",
            get(campaigns::show).post(campaigns::update),
        )
        .route(
            "/console/campaigns/{id}/calendar",
            post(campaigns::calendar),
        )
        .route("/console/campaigns/{id}/check", post(campaigns::check))
        .route(
            "/console/campaigns/{id}/status",
            post(campaigns::transition),
        )
        .route("/console/campaigns/{id}/sending", post(campaigns::sending))
        .route(
            "/console/campaigns/{id}/preview",
            get(messages::preview).post(messages::preview_draft),
        )
        .route(
            "/console/campaigns/{id}/preview.html",
            get(messages::preview_html),
        )
        .route(
            "/console/campaigns/{id}/wording",
            post(messages::save_wording),
        )
        .route(
            "/console/campaigns/{id}/dispatches",
            get(follow::dispatches).post(follow::send_step),
        )
        .route("/console/dispatches/{id}", post(follow::dispatch_action))
        .route(
            "/console/campaigns/{id}/registrations",
            get(follow::registrations),
        )
        .route(
            "/console/campaigns/{id}/registrations.csv",
            get(follow::registrations_csv),
        )
        .route(
            "/console/registration-choices/{id}/move",
            post(follow::move_choice),
        )
        .route("/console/campaigns/{id}/posters", get(follow::posters))
        .route(
            "/console/campaigns/{id}/posters.pdf",
            get(follow::poster_pdf),
        )
        .route(
            "/console/campaigns/{id}/posters.zip",
            get(follow::posters_zip),
        )
        .route(
            "/console/campaigns/{id}/flyers.pdf",
            get(follow::flyers_pdf),
        )
        .route(
            "/console/campaigns/{id}/referrals.svg",
            get(follow::graph_svg),
        )
        .route(
            "/console/campaigns/{id}/report",
            get(follow::campaign_report),
        )
        .route("/console/reports", get(follow::reports))
        .route("/console/reports/{year}", get(follow::year_report))
        .route(
            "/console/ambassadors",
            get(follow::ambassadors).post(follow::invite),
        )
        .route(
            "/console/associations",
            get(catalogue::associations).post(catalogue::create_association),
        )
        .route(
            "/console/associations/{id}",
            get(catalogue::association).post(catalogue::update_association),
        )
        .route(
            "/console/missions",
            get(catalogue::missions).post(catalogue::create_mission),
        )
        .route(
            "/console/missions/{id}",
            get(catalogue::mission).post(catalogue::update_mission),
        )
        .route("/console/missions/{id}/publish", post(catalogue::publish))
        .route("/console/directory", get(directory::show))
        .route("/console/messages", get(wording::show).post(wording::save))
        .route(
            "/console/directory/import",
            post(directory::dry_run).layer(DefaultBodyLimit::max(import_limit)),
        )
        .route(
            "/console/directory/import/confirm",
            // The dry run's file comes back base64-encoded in a form: a third larger.
            post(directory::confirm).layer(DefaultBodyLimit::max(import_limit / 3 * 4 + 4096)),
        )
        .route(
            "/console/directory/{id}/active",
            post(directory::set_active),
        )
}

/// A request path fit for the logs: the secret in a link (survey, unsubscribe,
/// confirmation, personal page, sign-in) is replaced by `{token}`.
fn redacted(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in [
        "/s/",
        "/u/",
        "/r/",
        "/me/",
        "/a/login/",
        "/sign-in/",
        "/domain-proof/",
    ] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}{{token}}{tail}").into();
        }
    }
    path.into()
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn secrets_in_links_stay_out_of_the_logs() {
        assert_eq!(redacted("/s/12-1-1767225600-abcdef"), "/s/{token}");
        assert_eq!(redacted("/me/77-ffee/cancel"), "/me/{token}/cancel");
        assert_eq!(
            redacted("/u/1-2-mail-00ff/resubscribe"),
            "/u/{token}/resubscribe"
        );
        assert_eq!(
            redacted("/domain-proof/3.1767225600.00ff.acme.fr"),
            "/domain-proof/{token}"
        );
        assert_eq!(redacted("/c/k3m9x2pq"), "/c/k3m9x2pq");
        assert_eq!(redacted("/api/v1/campaigns/3"), "/api/v1/campaigns/3");
    }
}
