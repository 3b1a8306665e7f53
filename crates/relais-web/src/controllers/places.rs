//! Places pages: the directory search (near a commune, filtered, as an
//! accessible list), a place, referring a request's person to a place or
//! an operator, the referral's status and slip, the structure's own
//! places and their exports, and the administrators' import page.

use super::{render_with, Id, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::{FieldError, HelpRequestId, PlaceId, ReferralId};
use relais_service::communes::Communes;
use relais_service::places::{
    vocab, Format, ImportReport, OwnPlaceInput, PlaceHit, PlaceQuery, PlaceView,
};
use relais_service::referrals::{ReferralInput, ReferralView};
use relais_service::{Actor, Permission, Principal, ServiceError};
use std::collections::HashMap;

/// A place in a list of results.
pub(crate) struct HitView {
    pub id: String,
    /// The value of its radio button when referring.
    pub target: String,
    pub name: String,
    pub address: String,
    pub distance: String,
    pub hours: String,
    /// "open", "closed" or "" (unknown).
    pub open: &'static str,
    pub services: String,
    pub labels: String,
    pub fees: String,
    pub phone: String,
}

fn labels(field: &str, codes: &[String], lang: Lang) -> String {
    relais_present::places::labels(lang, field, codes)
}

fn address_line(p: &PlaceView) -> String {
    relais_present::places::address_line(p)
}

fn hours_text(p: &PlaceView, lang: Lang) -> String {
    match p.opening_hours.as_deref() {
        Some(h) => relais_present::places::hours_text(lang, h),
        None => lang.t("places-hours-unknown"),
    }
}

fn hit_view(h: PlaceHit, lang: Lang) -> HitView {
    let en = lang == Lang::En;
    HitView {
        id: h.place.id.to_string(),
        target: format!("place:{}", h.place.id),
        address: address_line(&h.place),
        distance: h
            .distance_km
            .map(|d| {
                if en {
                    format!("{d:.1} km")
                } else {
                    format!("{} km", format!("{d:.1}").replace('.', ","))
                }
            })
            .unwrap_or_default(),
        hours: hours_text(&h.place, lang),
        open: match h.open_now {
            Some(true) => "open",
            Some(false) => "closed",
            None => "",
        },
        services: labels("services", &h.place.services, lang),
        labels: labels("labels", &h.place.labels, lang),
        fees: labels("fees", &h.place.fees, lang),
        phone: h.place.phone.clone().unwrap_or_default(),
        name: h.place.name,
    }
}

/// The choices of a vocabulary for selects and checkboxes.
pub(crate) fn vocab_choices(field: &str, lang: Lang) -> Vec<(String, String)> {
    vocab::terms(field)
        .map(|t| {
            (
                t.code.to_owned(),
                relais_present::places::label(lang, field, t.code),
            )
        })
        .collect()
}

/// A search as typed: the commune (INSEE code, postcode or name) and filters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub near: String,
    pub q: String,
    pub service: String,
    pub public: String,
    pub fee: String,
    pub label: String,
    pub open_now: String,
}

#[derive(Template)]
#[template(path = "places.html")]
struct PlacesPage {
    ui: Ui,
    heading: String,
    /// Set when referring a request's person.
    request_id: String,
    request_heading: String,
    search: FormState,
    searched: bool,
    commune: String,
    results: Vec<HitView>,
    services: Vec<(String, String)>,
    publics: Vec<(String, String)>,
    fees: Vec<(String, String)>,
    labels: Vec<(String, String)>,
    /// The request's operator, to refer to its own channel.
    operator: Option<(String, String, String)>,
    form: FormState,
    can_manage: bool,
    is_admin: bool,
}

#[allow(clippy::too_many_arguments)]
async fn search_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    params: SearchParams,
    request: Option<HelpRequestId>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ui = Ui::new(ctx);
    let en = ctx.lang == Lang::En;
    let start = match request {
        Some(rid) => Some(state.services.referral_start(actor, rid).await?),
        None => None,
    };
    let request_heading = start
        .as_ref()
        .map(|s| {
            ctx.lang
                .t_with("request-title", &[("reference", s.reference.clone())])
        })
        .unwrap_or_default();
    let near = match &start {
        Some(s) if params.near.trim().is_empty() => s.near.clone(),
        _ => params.near.clone(),
    };
    let operator = start
        .as_ref()
        .and_then(|s| s.operator.clone())
        .map(|(id, fr, en_name)| {
            let target = format!("operator:{id}");
            (id, if en { en_name } else { fr }, target)
        });
    let mut search = FormState::with_values(vec![
        ("near".into(), near.clone()),
        ("q".into(), params.q.clone()),
        ("service".into(), params.service.clone()),
        ("public".into(), params.public.clone()),
        ("fee".into(), params.fee.clone()),
        ("label".into(), params.label.clone()),
        ("open_now".into(), params.open_now.clone()),
    ]);
    let mut results = Vec::new();
    let mut commune = String::new();
    let searched = !near.trim().is_empty();
    if searched {
        match Communes::shipped().resolve(&near) {
            None => {
                search = FormState::with_errors(
                    ctx.lang,
                    &[("near", near.as_str())],
                    &[FieldError::new("near", "unknown_commune")],
                    &[],
                )
            }
            Some(found) => {
                commune = format!(
                    "{} ({})",
                    found.name,
                    found.postcodes.first().cloned().unwrap_or_default()
                );
                let q = PlaceQuery {
                    near: found.insee_code.clone(),
                    q: params.q.clone(),
                    service: params.service.clone(),
                    public: params.public.clone(),
                    fee: params.fee.clone(),
                    label: params.label.clone(),
                    open_now: params.open_now == "1",
                    limit: 30,
                };
                match state.services.places_near(actor, &q).await {
                    Ok(hits) => results = hits.into_iter().map(|h| hit_view(h, ctx.lang)).collect(),
                    Err(ServiceError::Invalid(errs)) => {
                        let values: Vec<(String, String)> = search.values().to_vec();
                        search = FormState::from_fields(ctx.lang, values, &errs, &[])
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let form = match &start {
        Some(s) if form.value("reason").is_empty() && form.errors.is_empty() => {
            let mut v = form.values().to_vec();
            v.push(("reason".into(), s.reason.clone()));
            FormState::with_values(v)
        }
        _ => form,
    };
    render_with(
        status,
        &PlacesPage {
            heading: if request.is_some() {
                ui.t("refer-title")
            } else {
                ui.t("places-title")
            },
            request_id: request.map(|r| r.to_string()).unwrap_or_default(),
            request_heading,
            search,
            searched,
            commune,
            results,
            services: vocab_choices("services", ctx.lang),
            publics: vocab_choices("publics", ctx.lang),
            fees: vocab_choices("fees", ctx.lang),
            labels: vocab_choices("labels", ctx.lang),
            operator,
            form,
            can_manage: actor.can(Permission::ManagePlaces),
            is_admin: actor.can(Permission::ImportPlaces),
            ui,
        },
    )
}

pub async fn show_places(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    search_page(
        &state,
        &ctx,
        &actor,
        params,
        None,
        FormState::empty(),
        StatusCode::OK,
    )
    .await
}

pub async fn show_refer(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(rid): Id<HelpRequestId>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    search_page(
        &state,
        &ctx,
        &actor,
        params,
        Some(rid),
        FormState::empty(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_referral(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(rid): Id<HelpRequestId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let target = f.owned("target");
    let (place_id, operator_id) = match target.split_once(':') {
        Some(("place", p)) => (p.to_owned(), String::new()),
        Some(("operator", o)) => (String::new(), o.to_owned()),
        _ => (String::new(), String::new()),
    };
    let input = ReferralInput {
        help_request_id: rid.to_string(),
        place_id,
        operator_id,
        reason: f.owned("reason"),
        follow_up_date: f.owned("follow_up_date"),
        confirm_secret: f.checked("confirm_secret"),
    };
    match state.services.create_referral(&actor, &input).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/requests/{rid}?done=referral-created#referral-{}",
            r.id
        ))
        .into_response()),
        Err(ServiceError::Invalid(errs)) => {
            let errs: Vec<FieldError> = errs
                .into_iter()
                .map(|e| match e.field {
                    "place_id" | "operator_id" => FieldError {
                        field: "target",
                        ..e
                    },
                    _ => e,
                })
                .collect();
            let ids = [("target", "target-first")];
            let form = FormState::with_errors(
                ctx.lang,
                &[
                    ("reason", f.get("reason")),
                    ("follow_up_date", f.get("follow_up_date")),
                    ("target", f.get("target")),
                ],
                &errs,
                &ids,
            );
            let params = SearchParams {
                near: f.owned("near"),
                q: f.owned("q"),
                service: f.owned("service"),
                public: f.owned("public"),
                fee: f.owned("fee"),
                label: f.owned("label"),
                open_now: f.owned("open_now"),
            };
            search_page(
                &state,
                &ctx,
                &actor,
                params,
                Some(rid),
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_referral(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<ReferralId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let r = state
        .services
        .update_referral(&actor, id, f.get("status"))
        .await?;
    Ok(Redirect::to(&format!(
        "/requests/{}?done=referral-updated#referral-{}",
        r.help_request_id, r.id
    ))
    .into_response())
}

pub async fn referral_slip(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<ReferralId>,
) -> Result<Response, WebError> {
    let slip = state.services.referral_slip(&actor, id).await?;
    let bytes = relais_present::pdf(crate::documents::referral_slip(&slip, ctx.lang)).await?;
    Ok(super::mandates::pdf_response(
        bytes,
        &format!("orientation-{id}.pdf"),
    ))
}

/// The referrals of a request, for its page.
pub(crate) struct ReferralLine {
    pub id: String,
    pub target: String,
    pub reason: String,
    pub status: String,
    pub status_label: String,
    /// The badge: done (ok) or failed (late).
    pub succeeded: bool,
    pub failed: bool,
    pub date: String,
}

pub(crate) fn referral_lines(ui: &Ui, list: Vec<ReferralView>) -> Vec<ReferralLine> {
    list.into_iter()
        .map(|r| ReferralLine {
            id: r.id.to_string(),
            target: r
                .place_name
                .or(r.operator_name)
                .unwrap_or_else(|| ui.t("referral-target-gone")),
            reason: r.reason.unwrap_or_default(),
            status_label: ui.t(&format!("referral-status-{}", r.status.as_str())),
            succeeded: r.status.succeeded(),
            failed: r.status.failed(),
            status: r.status.as_str().to_owned(),
            date: ui.date(
                r.created_at
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .date_naive(),
            ),
        })
        .collect()
}

pub(crate) fn referral_statuses(ui: &Ui) -> Vec<(&'static str, String)> {
    relais_domain::ReferralStatus::ALL
        .iter()
        .map(|s| (s.as_str(), ui.t(&format!("referral-status-{s}"))))
        .collect()
}

#[derive(Template)]
#[template(path = "place.html")]
struct PlacePage {
    ui: Ui,
    name: String,
    facts: Vec<(String, String)>,
    description: String,
    offers: Vec<(String, String, String)>,
}

pub async fn show_place(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PlaceId>,
) -> Result<Response, WebError> {
    let d = state.services.place(&actor, id).await?;
    let ui = Ui::new(&ctx);
    let p = &d.place;
    let mut facts = vec![(ui.t("places-address"), address_line(p))];
    facts.push((ui.t("places-hours"), hours_text(p, ctx.lang)));
    for (key, v) in [
        ("places-phone", p.phone.clone()),
        ("places-email", p.email.clone()),
        ("places-website", p.website.clone()),
        ("places-siret", p.siret.clone()),
        ("places-rna", p.rna.clone()),
    ] {
        if let Some(v) = v {
            facts.push((ui.t(key), v));
        }
    }
    for (key, field, list) in [
        ("places-services", "services", &p.services),
        ("places-publics", "publics", &p.publics),
        ("places-fees", "fees", &p.fees),
        ("places-labels", "labels", &p.labels),
        ("places-access", "access_modes", &p.access_modes),
        ("places-support", "support_modes", &p.support_modes),
    ] {
        if !list.is_empty() {
            facts.push((ui.t(key), labels(field, list, ctx.lang)));
        }
    }
    facts.push((
        ui.t("places-source"),
        format!(
            "{}{}",
            ui.t(&format!("places-source-{}", p.source)),
            p.updated_on
                .map(|d| format!(" · {} {}", ui.t("places-updated"), ui.date(d)))
                .unwrap_or_default()
        ),
    ));
    let offers = d
        .offers
        .iter()
        .map(|o| {
            (
                o.name.clone(),
                o.description.clone().unwrap_or_default(),
                labels("fees", &o.fees, ctx.lang),
            )
        })
        .collect();
    render_with(
        StatusCode::OK,
        &PlacePage {
            name: p.name.clone(),
            description: p.description.clone().unwrap_or_default(),
            facts,
            offers,
            ui,
        },
    )
}

// ---- the structure's own places ------------------------------------------

#[derive(Template)]
#[template(path = "own_places.html")]
struct OwnPlacesPage {
    ui: Ui,
    places: Vec<(String, String, String)>,
    form: FormState,
    editing: String,
    services: Vec<(String, String)>,
    publics: Vec<(String, String)>,
    fees: Vec<(String, String)>,
    labels: Vec<(String, String)>,
    access: Vec<(String, String)>,
    support: Vec<(String, String)>,
}

impl OwnPlacesPage {
    fn choices(&self, group: &str) -> &[(String, String)] {
        match group {
            "services" => &self.services,
            "publics" => &self.publics,
            "fees" => &self.fees,
            "labels" => &self.labels,
            "access_modes" => &self.access,
            _ => &self.support,
        }
    }
}

const OWN_FIELDS: [&str; 11] = [
    "name",
    "siret",
    "address",
    "postcode",
    "commune",
    "insee_code",
    "phone",
    "email",
    "website",
    "opening_hours",
    "description",
];
const OWN_LISTS: [&str; 6] = [
    "services",
    "publics",
    "fees",
    "labels",
    "access_modes",
    "support_modes",
];

async fn own_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: FormState,
    editing: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ui = Ui::new(ctx);
    let places = state
        .services
        .own_places(actor)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name.clone(), address_line(&p)))
        .collect();
    render_with(
        status,
        &OwnPlacesPage {
            places,
            form,
            editing,
            services: vocab_choices("services", ctx.lang),
            publics: vocab_choices("publics", ctx.lang),
            fees: vocab_choices("fees", ctx.lang),
            labels: vocab_choices("labels", ctx.lang),
            access: vocab_choices("access_modes", ctx.lang),
            support: vocab_choices("support_modes", ctx.lang),
            ui,
        },
    )
}

pub async fn show_own_places(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    own_page(
        &state,
        &ctx,
        &actor,
        FormState::empty(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn edit_own_place(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PlaceId>,
) -> Result<Response, WebError> {
    let p = state
        .services
        .own_places(&actor)
        .await?
        .into_iter()
        .find(|p| p.id == id.0)
        .ok_or_else(WebError::not_found)?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut values: Vec<(String, String)> = vec![
        ("name".into(), p.name.clone()),
        ("siret".into(), s(&p.siret)),
        ("address".into(), s(&p.address)),
        ("postcode".into(), s(&p.postcode)),
        ("commune".into(), s(&p.commune)),
        ("insee_code".into(), s(&p.insee_code)),
        ("phone".into(), s(&p.phone)),
        ("email".into(), s(&p.email)),
        ("website".into(), s(&p.website)),
        ("opening_hours".into(), s(&p.opening_hours)),
        ("description".into(), s(&p.description)),
    ];
    for (field, list) in [
        ("services", &p.services),
        ("publics", &p.publics),
        ("fees", &p.fees),
        ("labels", &p.labels),
        ("access_modes", &p.access_modes),
        ("support_modes", &p.support_modes),
    ] {
        values.extend(list.iter().map(|c| (field.to_owned(), c.clone())));
    }
    own_page(
        &state,
        &ctx,
        &actor,
        FormState::with_values(values),
        id.to_string(),
        StatusCode::OK,
    )
    .await
}

async fn save_own(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: Option<PlaceId>,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let input = OwnPlaceInput {
        name: f.owned("name"),
        siret: f.owned("siret"),
        address: f.owned("address"),
        postcode: f.owned("postcode"),
        commune: f.owned("commune"),
        insee_code: f.owned("insee_code"),
        phone: f.owned("phone"),
        email: f.owned("email"),
        website: f.owned("website"),
        opening_hours: f.owned("opening_hours"),
        description: f.owned("description"),
        services: f.all("services"),
        publics: f.all("publics"),
        fees: f.all("fees"),
        labels: f.all("labels"),
        access_modes: f.all("access_modes"),
        support_modes: f.all("support_modes"),
    };
    match state.services.save_own_place(actor, id, &input).await {
        Ok(_) => Ok(Redirect::to("/places/own?done=place-saved").into_response()),
        Err(ServiceError::Invalid(errs)) => {
            let mut values: Vec<(String, String)> = OWN_FIELDS
                .iter()
                .map(|k| ((*k).to_owned(), f.owned(k)))
                .collect();
            for l in OWN_LISTS {
                values.extend(f.all(l).into_iter().map(|v| (l.to_owned(), v)));
            }
            let ids: Vec<(&str, &str)> = OWN_LISTS.iter().map(|l| (*l, *l)).collect::<Vec<_>>();
            let ids: Vec<(&str, String)> = ids
                .iter()
                .map(|(l, _)| (*l, format!("{l}-first")))
                .collect();
            let ids: Vec<(&str, &str)> = ids.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let form = FormState::from_fields(ctx.lang, values, &errs, &ids);
            own_page(
                state,
                ctx,
                actor,
                form,
                id.map(|i| i.to_string()).unwrap_or_default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_own_place(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_own(&state, &ctx, &actor, None, pairs).await
}

pub async fn update_own_place(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PlaceId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_own(&state, &ctx, &actor, Some(id), pairs).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ExportParams {
    pub format: String,
}

pub async fn export_own_places(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Query(p): Query<ExportParams>,
) -> Result<Response, WebError> {
    let f = state.services.export_own_places(&actor, &p.format).await?;
    Ok((
        [
            (CONTENT_TYPE, f.content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.filename),
            ),
        ],
        f.bytes,
    )
        .into_response())
}

// ---- import (administrators) ------------------------------------------------

#[derive(Template)]
#[template(path = "places_import.html")]
struct ImportPage {
    ui: Ui,
    form: FormState,
    /// (label, value) lines of the report.
    summary: Vec<(String, String)>,
    /// (where, field, reason)
    rejected: Vec<(String, String, String)>,
    more_rejected: usize,
    notes: Vec<String>,
}

fn import_page(
    ctx: &Ctx,
    form: FormState,
    report: Option<ImportReport>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ui = Ui::new(ctx);
    let lang = ctx.lang;
    let mut summary = Vec::new();
    let mut rejected = Vec::new();
    let mut notes = Vec::new();
    let mut more_rejected = 0;
    if let Some(r) = report {
        for (key, v) in [
            ("import-rows", r.rows),
            ("import-new", r.new),
            ("import-updated", r.updated),
            ("import-unchanged", r.unchanged),
            ("import-rejected", r.rejected.len() as u64),
        ] {
            summary.push((ui.t(key), v.to_string()));
        }
        if let Some(s) = r.services {
            summary.push((
                ui.t("import-services"),
                lang.t_with(
                    "import-services-counts",
                    &[
                        ("new", s.new.to_string()),
                        ("updated", s.updated.to_string()),
                        ("unchanged", s.unchanged.to_string()),
                    ],
                ),
            ));
        }
        more_rejected = r.rejected.len().saturating_sub(200);
        rejected = r
            .rejected
            .iter()
            .take(200)
            .map(|x| {
                let key = format!("import-reason-{}", x.code);
                let reason = lang.t(&key);
                (
                    lang.t_with(
                        &format!("import-at-{}", x.unit),
                        &[("n", x.line.to_string())],
                    ),
                    x.field.clone(),
                    if reason == key {
                        x.reason.clone()
                    } else {
                        reason
                    },
                )
            })
            .collect();
        let n = &r.notes;
        for (key, count) in [
            ("import-note-unknown-insee", n.unknown_insee),
            ("import-note-insee-completed", n.insee_completed),
            ("import-note-placeholder-dates", n.placeholder_dates),
            ("import-note-placeholder-pivots", n.placeholder_pivots),
            ("import-note-unread-hours", n.unread_hours),
            (
                "import-note-placeholder-coordinates",
                n.placeholder_coordinates,
            ),
        ] {
            if count > 0 {
                notes.push(lang.t_with(key, &[("n", count.to_string())]));
            }
        }
        for (term, count) in n.unknown_terms.iter().take(30) {
            notes.push(lang.t_with(
                "import-note-unknown-term",
                &[("term", term.clone()), ("n", count.to_string())],
            ));
        }
    }
    render_with(
        status,
        &ImportPage {
            ui,
            form,
            summary,
            rejected,
            more_rejected,
            notes,
        },
    )
}

/// The import form (the route's guard lets in who may import).
pub async fn show_import(Extension(ctx): Extension<Ctx>) -> Result<Response, WebError> {
    import_page(&ctx, FormState::empty(), None, StatusCode::OK)
}

pub async fn run_import(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    // Refused before the file is read, by the route's guard.
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        } else {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    let format_raw = fields.get("format").cloned().unwrap_or_default();
    let values = [("format", format_raw.as_str())];
    let fail = |errs: &[FieldError]| {
        import_page(
            &ctx,
            FormState::with_errors(ctx.lang, &values, errs, &[]),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some(format) = Format::parse(&format_raw) else {
        return fail(&[FieldError::new("format", "unknown_format")]);
    };
    if file.is_empty() {
        return fail(&[FieldError::new("file", "required")]);
    }
    match state
        .services
        .import_places(Principal::Agent(&actor), format, &file)
        .await
    {
        Ok(r) => import_page(
            &ctx,
            FormState::with_values(vec![("format".into(), format_raw.clone())]),
            Some(r),
            StatusCode::OK,
        ),
        Err(ServiceError::Invalid(errs)) => fail(&errs),
        Err(e) => Err(e.into()),
    }
}
