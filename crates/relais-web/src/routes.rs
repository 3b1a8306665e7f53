//! The route table: every route of the application with the method, the
//! path and the access that guards it. The router is built from this table
//! only, each route behind a guard that checks its access before any input
//! is read; the navigation shows a link when the page's access is held;
//! the HTTP tests call every route of [`routes`] with every role. Adding a
//! route means adding a line to its area's function, with its permission.

use crate::context::Ctx;
use crate::controllers::api::ApiActor;
use crate::error::{ApiError, WebError};
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use relais_domain::{Permission, Role};
use relais_service::{Actor, ServiceError};
use std::borrow::Cow;
use std::sync::OnceLock;
use utoipa::openapi::path::Paths;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

// The short names the route table is written with.
use crate::controllers::*;
use Access::{Needs, Public, SignedIn};
use Permission as P;
const GET: Method = Method::GET;
const POST: Method = Method::POST;

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; the handler decides (sign-in, one-time links, the public
    /// mandate page, assets, a session between its two factors).
    Public,
    /// Any signed-in agent, whatever the role: their own account.
    SignedIn,
    /// A signed-in agent whose role holds this permission.
    Needs(Permission),
}

impl Access {
    /// Whether a signed-in agent of this role passes.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Needs(p) => role.has(p),
        }
    }
}

/// One route of the table, as the tests and the navigation see it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    /// The path pattern, with `{name}` for each parameter.
    pub path: Cow<'static, str>,
    pub access: Access,
}

struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
    /// The route's OpenAPI operation, for the routes of the JSON API.
    doc: Option<Paths>,
}

impl Route {
    /// Accepts request bodies of up to `bytes` (axum's default is 2 MB).
    fn limit(mut self, bytes: usize) -> Self {
        self.handler = self
            .handler
            .layer(axum::extract::DefaultBodyLimit::max(bytes));
        self
    }
}

/// A page, a form or a file: method and path are written here.
fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        spec: RouteSpec {
            method,
            path: Cow::Borrowed(path),
            access,
        },
        handler,
        doc: None,
    }
}

/// An operation of the JSON API, from its handler (`routes!(area::handler)`):
/// the method and the path are those of the handler's `#[utoipa::path]`
/// annotation, which also gives the OpenAPI document its operation. A route
/// of the API is declared in one place, its annotation; this table adds
/// the access.
fn api(access: Access, (_, doc, handler): UtoipaMethodRouter<AppState>) -> Route {
    let mut operations = doc.paths.iter().flat_map(|(path, item)| {
        [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| *present)
        .map(move |(method, _)| (method, path.clone()))
    });
    // `#[utoipa::path]` does not compile without a method and a path, and
    // our handlers declare one of each (`each_api_route_has_one_operation`
    // checks it); the fallback only keeps the table total.
    let (method, path) = operations
        .next()
        .unwrap_or((Method::GET, "/api/v1/undeclared".to_owned()));
    Route {
        spec: RouteSpec {
            method,
            path: Cow::Owned(path),
            access,
        },
        handler,
        doc: Some(doc),
    }
}

/// Every route: method, path, access, handler, area by area.
fn table() -> Vec<Route> {
    [
        api_people_routes(),
        api_mandate_routes(),
        api_catalog_routes(),
        api_referral_routes(),
        api_stats_routes(),
        account_routes(),
        intake_routes(),
        person_routes(),
        request_routes(),
        places_routes(),
        mandate_routes(),
        structure_routes(),
        asset_routes(),
        stats_routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The API: the agent, persons, help requests and follow-ups.
fn api_people_routes() -> Vec<Route> {
    vec![
        api(
            Needs(P::EditPersons),
            routes!(api_catalog::put_reminder_consent),
        ),
        api(Public, routes!(api::openapi_json)),
        api(SignedIn, routes!(api::me)),
        api(Needs(P::ViewPersons), routes!(api_desk::list_persons)),
        api(Needs(P::EditPersons), routes!(api_desk::create_person)),
        api(Needs(P::ViewPersons), routes!(api_desk::get_person)),
        api(Needs(P::EditPersons), routes!(api_desk::patch_person)),
        api(
            Needs(P::RecordRequest),
            routes!(api_desk::list_help_requests),
        ),
        api(
            Needs(P::RecordRequest),
            routes!(api_desk::create_help_request),
        ),
        api(Needs(P::RecordRequest), routes!(api_desk::get_help_request)),
        api(
            Needs(P::RecordRequest),
            routes!(api_desk::patch_help_request),
        ),
        api(
            Needs(P::RecordRequest),
            routes!(api_desk::create_intervention),
        ),
        api(Needs(P::RecordRequest), routes!(api_desk::create_follow_up)),
    ]
}

/// The API: mandates, the policy, private notes and the persons' rights.
fn api_mandate_routes() -> Vec<Route> {
    vec![
        api(
            Needs(P::HandleMandates),
            routes!(api_mandates::list_mandates),
        ),
        api(
            Needs(P::HandleMandates),
            routes!(api_mandates::create_mandate),
        ),
        api(Needs(P::HandleMandates), routes!(api_mandates::get_mandate)),
        api(
            Needs(P::HandleMandates),
            routes!(api_mandates::mandate_document),
        ),
        api(
            Needs(P::HandleMandates), // A scan of up to 10 MB, base64, in its JSON body.
            routes!(api_mandates::sign_mandate),
        )
        .limit(15 * 1024 * 1024),
        api(
            Needs(P::HandleMandates),
            routes!(api_mandates::revoke_mandate),
        ),
        api(
            Needs(P::HandleMandates),
            routes!(api_mandates::renew_mandate),
        ),
        api(Needs(P::RecordRequest), routes!(api_mandates::get_policy)),
        api(Needs(P::ManagePolicy), routes!(api_mandates::put_policy)),
        api(
            Needs(P::ViewPersons),
            routes!(api_privacy::list_private_notes),
        ),
        api(
            Needs(P::EditPersons),
            routes!(api_privacy::create_private_note),
        ),
        api(
            Needs(P::EditPersons),
            routes!(api_privacy::delete_private_note),
        ),
        api(Needs(P::HandleRights), routes!(api_privacy::subject_access)),
        api(Needs(P::HandleRights), routes!(api_privacy::erase)),
        api(Needs(P::HandleRights), routes!(api_privacy::keep)),
        api(Needs(P::HandleRights), routes!(api_privacy::retention)),
    ]
}

/// The API: procedures, operators, communes and places.
fn api_catalog_routes() -> Vec<Route> {
    vec![
        api(
            Needs(P::RecordRequest),
            routes!(api_catalog::list_procedures),
        ),
        api(
            Needs(P::ManageCatalogue),
            routes!(api_catalog::create_local_procedure),
        ),
        api(Needs(P::RecordRequest), routes!(api_catalog::get_procedure)),
        api(
            Needs(P::ManageCatalogue),
            routes!(api_catalog::delete_local_procedure),
        ),
        api(
            Needs(P::ManageCatalogue),
            routes!(api_catalog::put_procedure_settings),
        ),
        api(
            Needs(P::RecordRequest),
            routes!(api_catalog::list_operators),
        ),
        api(SignedIn, routes!(api_catalog::list_communes)),
        api(Needs(P::ReferToPlaces), routes!(api_places::list_places)),
        api(Needs(P::ManagePlaces), routes!(api_places::create_place)),
        api(Needs(P::ImportPlaces), routes!(api_places::import_places)).limit(64 * 1024 * 1024),
        api(Needs(P::ReferToPlaces), routes!(api_places::get_place)),
        api(Needs(P::ManagePlaces), routes!(api_places::put_place)),
        api(Needs(P::ReferToPlaces), routes!(api_places::export_places)),
    ]
}

/// The API: referrals, channels and notifications.
fn api_referral_routes() -> Vec<Route> {
    vec![
        api(Needs(P::ReferToPlaces), routes!(api_places::list_referrals)),
        api(
            Needs(P::ReferToPlaces),
            routes!(api_places::create_referral),
        ),
        api(Needs(P::ReferToPlaces), routes!(api_places::get_referral)),
        api(Needs(P::ReferToPlaces), routes!(api_places::patch_referral)),
        api(Needs(P::ReferToPlaces), routes!(api_places::referral_slip)),
        api(Needs(P::RecordRequest), routes!(api_catalog::list_channels)),
        api(Needs(P::ManageCatalogue), routes!(api_catalog::put_channel)),
        api(
            Needs(P::ManageCatalogue),
            routes!(api_catalog::delete_channel),
        ),
        api(
            Needs(P::ReadInbox),
            routes!(api_catalog::list_notifications),
        ),
        api(
            Needs(P::ReadInbox),
            routes!(api_catalog::read_notifications),
        ),
    ]
}

/// The API: statistics, exports and reports, then the update of a
/// follow-up (kept last, where the table had it).
fn api_stats_routes() -> Vec<Route> {
    vec![
        api(
            Needs(P::ViewStructureStatistics),
            routes!(api_privacy::statistics),
        ),
        api(Needs(P::ViewOwnStatistics), routes!(api_privacy::stats)),
        api(Needs(P::ViewOwnStatistics), routes!(api_stats::dashboard)),
        api(
            Needs(P::ViewOwnStatistics),
            routes!(api_stats::export_stats),
        ),
        api(
            Needs(P::ViewOwnStatistics),
            routes!(api_stats::export_interventions),
        ),
        api(
            Needs(P::ViewOwnStatistics),
            routes!(api_stats::export_interventions_with_names),
        ),
        api(
            Needs(P::ViewStructureStatistics),
            routes!(api_stats::export_territory),
        ),
        api(
            Needs(P::ViewStructureStatistics),
            routes!(api_stats::monthly_report),
        ),
        api(Needs(P::RecordRequest), routes!(api_desk::patch_follow_up)),
    ]
}

/// The pages of signing in, of the agent's own account, of the team,
/// of the one-time links and of the structures' administration.
fn account_routes() -> Vec<Route> {
    vec![
        route(GET, "/", Needs(P::RecordRequest), get(home::show_home)),
        route(GET, "/login", Public, get(auth::show_login)),
        route(POST, "/login", Public, post(auth::sign_in)),
        route(GET, "/login/totp", Public, get(auth::show_totp)),
        route(POST, "/login/totp", Public, post(auth::verify_totp)),
        route(POST, "/logout", Public, post(auth::sign_out)),
        route(POST, "/structure", SignedIn, post(home::switch_structure)),
        route(GET, "/account", SignedIn, get(account::show_account)),
        route(
            POST,
            "/account/password",
            SignedIn,
            post(account::change_password),
        ),
        route(
            POST,
            "/account/sessions/revoke-all",
            SignedIn,
            post(account::sign_out_everywhere),
        ),
        route(
            POST,
            "/account/tokens",
            SignedIn,
            post(account::create_token),
        ),
        route(
            POST,
            "/account/calendar",
            Needs(P::ReadInbox),
            post(account::create_calendar),
        ),
        route(
            POST,
            "/account/calendar/revoke",
            Needs(P::ReadInbox),
            post(account::revoke_calendar),
        ),
        route(GET, "/calendar/{file}", Public, get(account::calendar_feed)),
        route(GET, "/inbox", Needs(P::ReadInbox), get(inbox::show_inbox)),
        route(
            POST,
            "/inbox/read",
            Needs(P::ReadInbox),
            post(inbox::mark_all_read),
        ),
        route(
            POST,
            "/inbox/{id}/read",
            Needs(P::ReadInbox),
            post(inbox::mark_read),
        ),
        route(
            POST,
            "/account/tokens/{id}/revoke",
            SignedIn,
            post(account::revoke_token),
        ),
        route(GET, "/account/totp", Public, get(account::show_totp_setup)),
        route(POST, "/account/totp", Public, post(account::confirm_totp)),
        route(GET, "/team", Needs(P::ManageTeam), get(team::show_team)),
        route(
            POST,
            "/team/invite",
            Needs(P::ManageTeam),
            post(team::invite_member),
        ),
        route(
            POST,
            "/team/{id}/deactivate",
            Needs(P::ManageTeam),
            post(team::deactivate_member),
        ),
        route(
            POST,
            "/team/{id}/reactivate",
            Needs(P::ManageTeam),
            post(team::reactivate_member),
        ),
        route(
            POST,
            "/team/{id}/reset",
            Needs(P::ManageTeam),
            post(team::create_reset_link),
        ),
        route(GET, "/invite/{token}", Public, get(links::show_invite)),
        route(POST, "/invite/{token}", Public, post(links::accept_invite)),
        route(GET, "/reset/{token}", Public, get(links::show_reset)),
        route(POST, "/reset/{token}", Public, post(links::accept_reset)),
        route(GET, "/join/{token}", Public, get(links::show_join)),
        route(POST, "/join/{token}", Public, post(links::answer_join)),
        route(
            GET,
            "/admin/structures",
            Needs(P::ManageStructures),
            get(structures::list_structures),
        ),
        route(
            POST,
            "/admin/structures",
            Needs(P::ManageStructures),
            post(structures::create_structure),
        ),
    ]
}

/// The pages of the intake: recording a request, finding or creating a
/// person.
fn intake_routes() -> Vec<Route> {
    vec![
        route(
            GET,
            "/intake",
            Needs(P::RecordRequest),
            get(intake::show_intake),
        ),
        route(
            POST,
            "/intake",
            Needs(P::RecordRequest),
            post(intake::record_intake),
        ),
        route(
            GET,
            "/persons",
            Needs(P::ViewPersons),
            get(persons::list_persons),
        ),
        route(
            GET,
            "/persons/search",
            Needs(P::ViewPersons),
            get(intake::search_fragment),
        ),
        route(
            GET,
            "/procedures/pick",
            Needs(P::RecordRequest),
            get(intake::procedure_fragment),
        ),
        route(
            GET,
            "/procedures/search",
            Needs(P::RecordRequest),
            get(intake::procedure_search),
        ),
        route(GET, "/session/ping", Public, get(intake::session_ping)),
        route(
            GET,
            "/communes/lookup",
            SignedIn,
            get(intake::commune_lookup),
        ),
        route(
            GET,
            "/persons/new",
            Needs(P::EditPersons),
            get(persons::new_person),
        ),
        route(
            POST,
            "/persons/new",
            Needs(P::EditPersons),
            post(persons::create_person),
        ),
    ]
}

/// The pages of a person: their record, notes, reminders and rights.
fn person_routes() -> Vec<Route> {
    vec![
        route(
            GET,
            "/persons/{id}",
            Needs(P::ViewPersons),
            get(persons::show_person),
        ),
        route(
            GET,
            "/persons/{id}/edit",
            Needs(P::EditPersons),
            get(persons::edit_person),
        ),
        route(
            POST,
            "/persons/{id}/edit",
            Needs(P::EditPersons),
            post(persons::update_person),
        ),
        route(
            POST,
            "/persons/{id}/accounts",
            Needs(P::EditPersons),
            post(persons::save_accounts),
        ),
        route(
            POST,
            "/persons/{id}/merge",
            Needs(P::MergePersons),
            post(persons::merge_person),
        ),
        route(
            POST,
            "/persons/{id}/private-notes",
            Needs(P::EditPersons),
            post(privacy::add_private_note),
        ),
        route(
            POST,
            "/persons/{id}/private-notes/{note}/delete",
            Needs(P::EditPersons),
            post(privacy::delete_private_note),
        ),
        route(
            GET,
            "/persons/{id}/subject-access.pdf",
            Needs(P::HandleRights),
            get(privacy::subject_access_pdf),
        ),
        route(
            GET,
            "/persons/{id}/subject-access.json",
            Needs(P::HandleRights),
            get(privacy::subject_access_json),
        ),
        route(
            GET,
            "/persons/{id}/erase",
            Needs(P::HandleRights),
            get(privacy::show_erase),
        ),
        route(
            POST,
            "/persons/{id}/erase",
            Needs(P::HandleRights),
            post(privacy::erase),
        ),
        route(
            POST,
            "/persons/{id}/keep",
            Needs(P::HandleRights),
            post(privacy::keep_file),
        ),
        route(
            POST,
            "/persons/{id}/reminders",
            Needs(P::EditPersons),
            post(persons::save_reminder_consent),
        ),
        route(
            GET,
            "/privacy/retention",
            Needs(P::HandleRights),
            get(privacy::show_retention),
        ),
        route(
            GET,
            "/structure/privacy-notice.pdf",
            Needs(P::RecordRequest),
            get(privacy::privacy_notice_pdf),
        ),
    ]
}

/// The pages of help requests, follow-ups and referrals.
fn request_routes() -> Vec<Route> {
    vec![
        route(
            GET,
            "/requests",
            Needs(P::RecordRequest),
            get(requests::list_requests),
        ),
        route(
            GET,
            "/requests/{id}",
            Needs(P::RecordRequest),
            get(requests::show_request),
        ),
        route(
            POST,
            "/requests/{id}/interventions",
            Needs(P::RecordRequest),
            post(requests::add_intervention),
        ),
        route(
            POST,
            "/requests/{id}/follow-ups",
            Needs(P::RecordRequest),
            post(requests::add_follow_up),
        ),
        route(
            POST,
            "/requests/{id}/status",
            Needs(P::RecordRequest),
            post(requests::update_status),
        ),
        route(
            POST,
            "/follow-ups/{id}/done",
            Needs(P::RecordRequest),
            post(requests::follow_up_done),
        ),
        route(
            GET,
            "/requests/{id}/refer",
            Needs(P::ReferToPlaces),
            get(places::show_refer),
        ),
        route(
            POST,
            "/requests/{id}/referrals",
            Needs(P::ReferToPlaces),
            post(places::create_referral),
        ),
        route(
            POST,
            "/referrals/{id}/status",
            Needs(P::ReferToPlaces),
            post(places::update_referral),
        ),
        route(
            GET,
            "/referrals/{id}/slip.pdf",
            Needs(P::ReferToPlaces),
            get(places::referral_slip),
        ),
    ]
}

/// The pages of places: the directory, the structure's own, the import.
fn places_routes() -> Vec<Route> {
    vec![
        route(
            GET,
            "/places",
            Needs(P::ReferToPlaces),
            get(places::show_places),
        ),
        route(
            GET,
            "/places/own",
            Needs(P::ManagePlaces),
            get(places::show_own_places),
        ),
        route(
            POST,
            "/places/own",
            Needs(P::ManagePlaces),
            post(places::create_own_place),
        ),
        route(
            GET,
            "/places/own/export",
            Needs(P::ReferToPlaces),
            get(places::export_own_places),
        ),
        route(
            GET,
            "/places/own/{id}",
            Needs(P::ManagePlaces),
            get(places::edit_own_place),
        ),
        route(
            POST,
            "/places/own/{id}",
            Needs(P::ManagePlaces),
            post(places::update_own_place),
        ),
        route(
            GET,
            "/places/import",
            Needs(P::ImportPlaces),
            get(places::show_import),
        ),
        route(
            POST,
            "/places/import",
            Needs(P::ImportPlaces),
            post(places::run_import).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        ),
        route(
            GET,
            "/places/{id}",
            Needs(P::ReferToPlaces),
            get(places::show_place),
        ),
    ]
}

/// The pages of mandates, and the public page a mandate's code opens.
fn mandate_routes() -> Vec<Route> {
    vec![
        route(
            GET,
            "/persons/{id}/mandates/new",
            Needs(P::HandleMandates),
            get(mandates::new_mandate),
        ),
        route(
            POST,
            "/persons/{id}/mandates",
            Needs(P::HandleMandates),
            post(mandates::create_mandate),
        ),
        route(
            GET,
            "/mandates",
            Needs(P::HandleMandates),
            get(mandates::list_mandates),
        ),
        route(
            GET,
            "/mandates/{id}",
            Needs(P::HandleMandates),
            get(mandates::show_mandate),
        ),
        route(
            POST,
            "/mandates/{id}/sign",
            Needs(P::HandleMandates),
            post(mandates::sign_mandate)
                .layer(axum::extract::DefaultBodyLimit::max(11 * 1024 * 1024)),
        ),
        route(
            POST,
            "/mandates/{id}/send-code",
            Needs(P::HandleMandates),
            post(mandates::send_code),
        ),
        route(
            POST,
            "/mandates/{id}/revoke",
            Needs(P::HandleMandates),
            post(mandates::revoke_mandate),
        ),
        route(
            POST,
            "/mandates/{id}/renew",
            Needs(P::HandleMandates),
            post(mandates::renew_mandate),
        ),
        route(
            GET,
            "/mandates/{id}/document.pdf",
            Needs(P::HandleMandates),
            get(mandates::mandate_document),
        ),
        route(
            GET,
            "/mandates/{id}/revocation.pdf",
            Needs(P::HandleMandates),
            get(mandates::revocation_document),
        ),
        route(GET, "/v/{code}", Public, get(mandates::verify)),
        route(
            POST,
            "/v/{code}/details",
            Public,
            post(mandates::verify_details),
        ),
        route(
            POST,
            "/v/{code}/consent",
            Public,
            post(mandates::verify_consent),
        ),
        route(
            POST,
            "/v/{code}/revoke",
            Public,
            post(mandates::verify_revoke),
        ),
    ]
}

/// The pages of the structure's settings: policy, charter, catalogue.
fn structure_routes() -> Vec<Route> {
    vec![
        route(
            GET,
            "/structure/policy",
            Needs(P::ManagePolicy),
            get(mandates::show_policy),
        ),
        route(
            POST,
            "/structure/policy",
            Needs(P::ManagePolicy),
            post(mandates::save_policy),
        ),
        route(
            GET,
            "/structure/charter.pdf",
            Needs(P::HandleMandates),
            get(mandates::charter_pdf),
        ),
        route(
            GET,
            "/structure/catalogue",
            Needs(P::ManageCatalogue),
            get(catalogue::show_catalogue),
        ),
        route(
            POST,
            "/structure/operators/{id}/channels",
            Needs(P::ManageCatalogue),
            post(catalogue::save_channel),
        ),
        route(
            POST,
            "/structure/procedures/settings",
            Needs(P::ManageCatalogue),
            post(catalogue::save_settings),
        ),
        route(
            POST,
            "/structure/procedures",
            Needs(P::ManageCatalogue),
            post(catalogue::add_local),
        ),
        route(
            POST,
            "/structure/procedures/{id}/delete",
            Needs(P::ManageCatalogue),
            post(catalogue::delete_local),
        ),
    ]
}

/// Language, static assets and the health check, open to anyone.
fn asset_routes() -> Vec<Route> {
    vec![
        route(GET, "/lang/{code}", Public, get(lang::switch_lang)),
        route(GET, "/static/relais.css", Public, get(assets::stylesheet)),
        route(GET, "/static/relais.js", Public, get(assets::script)),
        route(
            GET,
            "/static/signature.js",
            Public,
            get(assets::signature_script),
        ),
        api(Public, routes!(health::healthz)),
    ]
}

/// The pages of statistics and their exports.
fn stats_routes() -> Vec<Route> {
    vec![
        route(
            GET,
            "/stats",
            Needs(P::ViewOwnStatistics),
            get(stats::show_stats),
        ),
        route(
            GET,
            "/stats/export",
            Needs(P::ViewOwnStatistics),
            get(stats::export_tables),
        ),
        route(
            GET,
            "/stats/interventions",
            Needs(P::ViewOwnStatistics),
            get(stats::export_interventions),
        ),
        route(
            POST,
            "/stats/interventions",
            Needs(P::HandleRights),
            post(stats::export_interventions_with_names),
        ),
        route(
            GET,
            "/stats/territory",
            Needs(P::ViewStructureStatistics),
            get(stats::export_territory),
        ),
        route(
            GET,
            "/stats/report.pdf",
            Needs(P::ViewStructureStatistics),
            get(stats::report_pdf),
        ),
    ]
}

/// Every route of the application, in the order of the table.
pub fn routes() -> &'static [RouteSpec] {
    static ROUTES: OnceLock<Vec<RouteSpec>> = OnceLock::new();
    ROUTES.get_or_init(|| table().into_iter().map(|r| r.spec).collect())
}

/// The operations of the JSON API, from the table's API routes, for the
/// OpenAPI document.
pub(crate) fn api_paths() -> &'static Paths {
    static PATHS: OnceLock<Paths> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut all = Paths::new();
        for doc in table().into_iter().filter_map(|r| r.doc) {
            all.merge(doc);
        }
        all
    })
}

/// The access of the page at `path` (a `GET` route of the table, path
/// without parameters), for the navigation.
pub(crate) fn page_access(path: &str) -> Option<Access> {
    routes()
        .iter()
        .find(|r| r.method == Method::GET && r.path == path)
        .map(|r| r.access)
}

/// The router's routes, each behind the guard of its access.
pub(crate) fn router(state: &AppState) -> axum::Router<AppState> {
    table().into_iter().fold(axum::Router::new(), |router, r| {
        let access = r.spec.access;
        let handler = match access {
            Access::Public => r.handler,
            _ => r.handler.route_layer(axum::middleware::from_fn_with_state(
                (state.clone(), access),
                guard,
            )),
        };
        router.route(&r.spec.path, handler)
    })
}

/// Checks a route's access before its handler reads anything: the API
/// answers 401 without a valid token and 403 without the permission; a
/// page sends to the sign-in, or shows the forbidden page.
async fn guard(
    State((state, access)): State<(AppState, Access)>,
    req: Request,
    next: Next,
) -> Response {
    let allowed = |actor: &Actor| match access {
        Access::Needs(p) => actor.can(p),
        _ => true,
    };
    if req.uri().path().starts_with("/api/") {
        let (mut parts, body) = req.into_parts();
        let ApiActor(actor, _) = match ApiActor::from_request_parts(&mut parts, &state).await {
            Ok(a) => a,
            Err(e) => return e.into_response(),
        };
        if !allowed(&actor) {
            return ApiError(ServiceError::Forbidden).into_response();
        }
        // The handler's extractor takes it from here, not twice from the
        // database.
        parts.extensions.insert(actor);
        return next.run(Request::from_parts(parts, body)).await;
    }
    let verdict = match req.extensions().get::<Ctx>() {
        None => Err(WebError::SignIn(None)),
        Some(ctx) => crate::controllers::signed(ctx).and_then(|(_, actor)| {
            if allowed(actor) {
                Ok(())
            } else {
                Err(ServiceError::Forbidden.into())
            }
        }),
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_route_has_one_operation() {
        let mut api = 0;
        for route in table() {
            let Some(doc) = route.doc else { continue };
            api += 1;
            let operations: usize = doc
                .paths
                .values()
                .map(|item| {
                    [
                        item.get.is_some(),
                        item.post.is_some(),
                        item.put.is_some(),
                        item.patch.is_some(),
                        item.delete.is_some(),
                    ]
                    .into_iter()
                    .filter(|present| *present)
                    .count()
                })
                .sum();
            assert_eq!(operations, 1, "{}", route.spec.path);
            assert!(doc.paths.contains_key(route.spec.path.as_ref()));
        }
        println!("{api} API routes, each with one operation");
        assert!(api > 60);
    }
}
