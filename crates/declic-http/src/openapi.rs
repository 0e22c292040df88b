//! The OpenAPI 3 document, served at `/api/openapi.json` and browsed at `/api/docs`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::controllers::{
    admins, associations, audit, campaigns, employees, health, missions, organization,
    registrations, tokens,
};
use crate::controllers::{
    ambassadors, dispatches, evaluations, posters, referrals, templates, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Declic API", description = "Recruit colleagues into skills-based volunteering: organisations, directory, associations, missions and campaigns. Authenticate with `Authorization: Bearer <token>` (create one with `declic token create`)."),
    paths(
        health::healthz, health::readyz,
        organization::show, organization::update, organization::prove_domain,
        admins::list, admins::show, admins::create, admins::update,
        tokens::list, tokens::create, tokens::revoke,
        employees::list, employees::facets, employees::show, employees::import, employees::deactivate, employees::reactivate,
        employees::export_person, employees::erase_person, employees::allow_again,
        associations::list, associations::show, associations::create, associations::update,
        missions::skills, missions::create_skill, missions::list, missions::show, missions::create, missions::replace, missions::publish,
        campaigns::list, campaigns::default_plan, campaigns::show, campaigns::create, campaigns::update, campaigns::transition, campaigns::calendar_check,
        registrations::links, registrations::create_link, registrations::list, registrations::export_csv, registrations::move_choice,
        ambassadors::invite, ambassadors::list, ambassadors::show,
        referrals::mark_attendance, referrals::figures, referrals::leaderboard, referrals::graph, referrals::campaign_svg,
        templates::save, templates::show, templates::list, templates::delete,
        webhooks::create, webhooks::list, webhooks::deactivate,
        dispatches::create, dispatches::preview, dispatches::show, dispatches::action, dispatches::of_employee,
        evaluations::questionnaire, evaluations::save_questionnaire, evaluations::reset_questionnaire,
        evaluations::campaign_report, evaluations::year_report, evaluations::share_back,
        audit::list,
        posters::poster_pdf, posters::posters_zip, posters::flyers_pdf, posters::upload_logo,
    ),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
