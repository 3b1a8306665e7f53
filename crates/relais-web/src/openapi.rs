//! The OpenAPI document, generated from the handlers' annotations: the
//! operations from the route table's API routes, the schemas listed here.

use crate::controllers::{
    api, api_catalog, api_desk, api_mandates, api_places, api_privacy, api_stats,
};
use crate::error::{ErrorBody, ErrorDetail, FieldProblem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "relais API",
        description = "API of relais, desk software for digital help requests. Authenticate with a personal token: `Authorization: Bearer rls_…`.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(
        api::MeOut,
        api::StructureOut,
        ErrorBody,
        ErrorDetail,
        FieldProblem,
        api_desk::PersonIn,
        api_desk::PersonOut,
        api_desk::PersonList,
        api_desk::HelpRequestIn,
        api_desk::HelpRequestPatch,
        api_desk::HelpRequestOut,
        api_desk::HelpRequestList,
        api_desk::AnonymousIn,
        api_desk::AnonymousOut,
        api_desk::InterventionIn,
        api_desk::InterventionOut,
        api_desk::FollowUpIn,
        api_desk::FollowUpOut,
        api_mandates::MandateIn,
        api_mandates::MandateOut,
        api_mandates::MandateSignIn,
        api_mandates::MandateList,
        api_mandates::RevokeIn,
        api_mandates::RenewIn,
        api_mandates::PolicyDoc,
        api_privacy::PrivateNoteIn,
        api_privacy::PrivateNoteOut,
        api_privacy::KeepIn,
        api_privacy::RetentionOut,
        api_privacy::StatsOut,
        api_stats::DashboardOut,
        api_stats::StatTableOut,
        api_stats::StatRowOut,
        api_stats::ExportInterventionsIn,
        api_privacy::StatsGroupOut,
        api_catalog::OperatorOut,
        api_catalog::CommuneOut,
        api_places::PlaceOut,
        api_places::PlaceList,
        api_places::PlaceDetailOut,
        api_places::OfferOut,
        api_places::OwnPlaceIn,
        api_places::ImportOut,
        api_places::RejectedOut,
        api_places::ReferralIn,
        api_places::ReferralOut,
        api_places::ReferralList,
        api_places::ReferralPatch,
        api_catalog::CommuneList,
        api_catalog::AreaOut,
        api_catalog::ProcedureOut,
        api_catalog::ProcedureList,
        api_catalog::NotificationOut,
        api_catalog::ReadIn,
        api_catalog::LocalProcedureIn,
        api_catalog::ProcedureSettingIn,
        api_catalog::ChannelDoc,
        api_catalog::ReminderConsentIn
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "account", description = "The authenticated account"),
        (name = "desk", description = "Persons, help requests, interventions, follow-ups"),
        (name = "mandates", description = "Mandates and the structure's intervention policy"),
        (name = "privacy", description = "Private notes, the person's rights, retention, figures"),
        (name = "catalogue", description = "Procedures, operators, deadline rules, reminders"),
        (name = "statistics", description = "The dashboard, exports and the monthly report"),
        (name = "places", description = "Places to refer people to, their imports and exports"),
        (name = "referrals", description = "Referrals of a request to a place or an operator"),
        (name = "health", description = "Liveness"),
        (name = "meta", description = "This document")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The answers every secured operation may give, added where a handler's
/// annotation does not already describe them: `401` (no valid token),
/// `404` for an operation on an id, `422` for one that reads a body or a
/// query string (the strict extractors of `api_input`), `500`.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                if op.security.as_ref().is_none_or(|s| s.is_empty()) {
                    continue;
                }
                let has_input = op.request_body.is_some()
                    || op
                        .parameters
                        .iter()
                        .flatten()
                        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                add(
                    op,
                    "401",
                    "Missing, invalid or revoked token (`unauthorized`)",
                );
                if has_id {
                    add(
                        op,
                        "404",
                        "Unknown or malformed id, or not of the token's structure (`not_found`)",
                    );
                }
                if has_input {
                    add(
                        op,
                        "422",
                        "Invalid input (`invalid_input`), naming each field or parameter",
                    );
                }
                add(op, "500", "Internal error (`internal`)");
            }
        }
    }
}

fn add(op: &mut utoipa::openapi::path::Operation, status: &str, description: &str) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
                .into()
        });
}

/// The document as pretty JSON (stable across runs: snapshot-tested).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    // The operations come from the route table (each declared once, by
    // its handler's annotation); the common answers are added after them.
    doc.paths = crate::routes::api_paths().clone();
    CommonResponses.modify(&mut doc);
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.to_pretty_json().unwrap_or_else(|_| "{}".to_owned())
}
