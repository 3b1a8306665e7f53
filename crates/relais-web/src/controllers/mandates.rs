//! Mandate pages: drawing one up, signing, revoking, renewing, the
//! documents; the public verification page; the structure's policy.

use super::views::display_name;
use super::{render, render_with, Id, SignedIn};
use crate::context::Ctx;
use crate::documents;
use crate::error::WebError;
use crate::ui::local_path;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::mandate::{Consent, MandateState, Policy, PolicyInput};
use relais_domain::{AgentId, FieldError, MandateId, Mode, PersonId, ProcedureCategory};
use relais_service::{
    Actor, MandateCursor, MandateInput, MandateListQuery, MandateView, PublicMandate, Scan,
    ServiceError,
};

pub struct MandateRowView {
    pub id: String,
    pub person: String,
    pub categories: String,
    pub period: String,
    pub state_label: String,
}

/// Category labels, comma separated.
pub fn category_labels(ui: &Ui, cats: &[ProcedureCategory]) -> String {
    cats.iter()
        .map(|c| ui.label("category", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "du 01/01/2027 au 30/06/2027".
pub fn mandate_period(ui: &Ui, m: &MandateView) -> String {
    ui.lang.t_with(
        "mandate-from-to",
        &[("from", ui.date(m.starts_on)), ("to", ui.date(m.ends_on))],
    )
}

pub fn mandate_row_view(ui: &Ui, m: &MandateView) -> MandateRowView {
    MandateRowView {
        id: m.id.to_string(),
        person: display_name(&m.person_first_name, &m.person_last_name, None),
        categories: category_labels(ui, &m.active_categories),
        period: mandate_period(ui, m),
        state_label: ui.label("mandate-state", m.state.as_str()),
    }
}

// ---- drawing up -----------------------------------------------------------------

/// A category on the form, with what the structure's catalogue files
/// under it.
struct CategoryChoice {
    code: &'static str,
    label: String,
    /// The short names of its operators, comma separated (empty: the
    /// catalogue has nothing in this category).
    operators: String,
    /// A few procedure titles.
    examples: String,
}

/// A "par organisme" shortcut: the categories it ticks.
struct OperatorChoice {
    key: String,
    label: String,
    /// Category codes, space separated (for the script).
    categories: String,
    /// Category labels, for the accessible description.
    category_labels: String,
}

#[derive(Template)]
#[template(path = "mandate_new.html")]
struct NewMandatePage {
    ui: Ui,
    heading: String,
    person_id: String,
    categories: Vec<CategoryChoice>,
    operators: Vec<OperatorChoice>,
    /// A local path to come back to once the mandate is signed.
    return_to: Option<String>,
    form: FormState,
}

/// The form's categories and shortcuts, built from the structure's
/// catalogue ([`relais_service::catalog::Coverage`]).
fn coverage_choices(
    ui: &Ui,
    coverage: &relais_service::catalog::Coverage,
) -> (Vec<CategoryChoice>, Vec<OperatorChoice>) {
    let en = ui.lang == crate::i18n::Lang::En;
    let categories = ProcedureCategory::ALL
        .iter()
        .map(|&c| CategoryChoice {
            code: c.as_str(),
            label: ui.label("category", c.as_str()),
            operators: coverage.operator_names(c, en).join(", "),
            examples: coverage.examples(c, en, 2).join(" ; "),
        })
        .collect();
    let operators = coverage
        .operators
        .iter()
        .map(|o| OperatorChoice {
            key: o.key.clone(),
            label: o.short_in(en).to_owned(),
            categories: o
                .categories
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            category_labels: category_labels(ui, &o.categories),
        })
        .collect();
    (categories, operators)
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let p = state.services.person(actor, id).await?;
    let ui = Ui::new(ctx);
    let coverage = state.services.catalogue_coverage(actor).await?;
    let (categories, operators) = coverage_choices(&ui, &coverage);
    render_with(
        status,
        &NewMandatePage {
            heading: ctx.lang.t_with(
                "mandate-new-for",
                &[("name", display_name(&p.first_name, &p.last_name, None))],
            ),
            return_to: local_path(form.value("return_to")),
            ui,
            person_id: id.to_string(),
            categories,
            operators,
            form,
        },
    )
}

/// `return_to=…` for a query, when the path is a local one; else empty.
fn return_param(raw: &str) -> String {
    local_path(raw)
        .map(|p| {
            format!(
                "return_to={}",
                url::form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default()
}

/// A redirect to `to` (which has a query), keeping a local `return_to`.
fn redirect_returning(to: &str, raw_return: &str) -> Response {
    let param = return_param(raw_return);
    let sep = if param.is_empty() { "" } else { "&" };
    Redirect::to(&format!("{to}{sep}{param}")).into_response()
}

/// The `return_to` of the page's query, as it came.
fn return_to_of(ctx: &Ctx) -> String {
    url::form_urlencoded::parse(ctx.query.as_bytes())
        .find(|(k, _)| k == "return_to")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The form, with `?category=` ticked and `?return_to=` kept.
pub async fn new_mandate(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let q = Fields(query);
    let mut defaults = vec![
        ("duration".to_owned(), "twelve_months".to_owned()),
        ("consent".to_owned(), "paper".to_owned()),
        ("lang".to_owned(), ctx.lang.code().to_owned()),
    ];
    for c in q.all("category") {
        if let Ok(c) = ProcedureCategory::parse(&c) {
            defaults.push(("categories".to_owned(), c.as_str().to_owned()));
        }
    }
    if let Some(back) = local_path(q.get("return_to")) {
        defaults.push(("return_to".to_owned(), back));
    }
    new_page(
        &state,
        &ctx,
        &actor,
        id,
        FormState::with_values(defaults),
        StatusCode::OK,
    )
    .await
}

pub async fn create_mandate(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(pid): Id<PersonId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    state.services.person(&actor, pid).await?;
    let f = Fields(pairs);
    // The "par organisme" shortcuts tick the catalogue's categories of
    // each operator (the script does it live; this does it without).
    let coverage = state.services.catalogue_coverage(&actor).await?;
    let input = MandateInput {
        person_id: pid.to_string(),
        categories: coverage
            .expand(&f.all("categories"), &f.all("operators"))
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        duration: f.owned("duration"),
        consent: f.owned("consent"),
        lang: f.owned("lang"),
    };
    match state.services.create_mandate(&actor, &input).await {
        Ok(mid) => Ok(redirect_returning(
            &format!("/mandates/{mid}?done=mandate-created"),
            f.get("return_to"),
        )),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]);
            new_page(
                &state,
                &ctx,
                &actor,
                pid,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- one mandate ------------------------------------------------------------------

/// A mandate's page: the decisions are made here (from the domain's
/// rules), the template only shows them.
pub struct MandatePageView {
    pub id: String,
    pub state_label: String,
    /// In force today (the badge is not marked).
    pub in_force: bool,
    /// Pending or in force: it may be revoked, and the worker sent here
    /// from a form may go back to it.
    pub can_revoke: bool,
    /// Waiting for the signature: how it is signed.
    pub awaiting_signature: bool,
    pub sign_on_paper: bool,
    pub sign_on_screen: bool,
    /// Revoked: its revocation certificate can be downloaded.
    pub revocation_certificate: bool,
    pub duration: &'static str,
    /// (label, value, link of the value).
    pub facts: Vec<(String, String, Option<String>)>,
    pub active_categories: Vec<(&'static str, String)>,
    pub verify_href: String,
    pub renewable: bool,
}

#[derive(Template)]
#[template(path = "mandate.html")]
struct MandatePage {
    ui: Ui,
    heading: String,
    m: MandatePageView,
    attempts_left: String,
    /// The policy requires the scan of a signed paper mandate.
    scan_required: bool,
    /// Where the worker came from (a form to finish once the mandate is
    /// signed), and the same as a query for the signature forms.
    return_to: Option<String>,
    return_query: String,
    form: FormState,
}

pub fn verify_url(state: &AppState, code: &str) -> String {
    format!(
        "{}/v/{code}",
        state.services.config().public_url.trim_end_matches('/')
    )
}

async fn mandate_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: MandateId,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let back = local_path(&return_to_of(ctx));
    let m = state.services.mandate(actor, id).await?;
    let scan_required = state.services.policy(actor).await?.paper_scan_required;
    let ui = Ui::new(ctx);
    let agent = agent_name(state, actor, m.drawn_by).await?;
    let lookups = state.services.mandate_lookups(actor, id).await?;
    let lookups = match lookups.last_day {
        Some(day) => ui.lang.t_with(
            "mandate-lookups-value",
            &[("n", lookups.count.to_string()), ("last", ui.date(day))],
        ),
        None => ui.t("mandate-lookups-none"),
    };
    let facts = vec![
        (
            ui.t("mandate-person"),
            display_name(&m.person_first_name, &m.person_last_name, None),
            Some(format!("/persons/{}", m.person_id)),
        ),
        (ui.t("mandate-structure"), m.structure_name.clone(), None),
        (
            ui.t("mandate-categories"),
            category_labels(&ui, &m.active_categories),
            None,
        ),
        (ui.t("mandate-period"), mandate_period(&ui, &m), None),
        (
            ui.t("mandate-consent"),
            ui.label("consent", m.consent.as_str()),
            None,
        ),
        (ui.t("mandate-drawn-by"), agent, None),
        (ui.t("mandate-lookups"), lookups, None),
    ];
    let awaiting_signature = m.state == MandateState::Pending;
    let view = MandatePageView {
        id: m.id.to_string(),
        state_label: ui.label("mandate-state", m.state.as_str()),
        in_force: m.state == MandateState::Active,
        can_revoke: m.can_revoke,
        awaiting_signature,
        sign_on_paper: awaiting_signature && m.consent == Consent::Paper,
        sign_on_screen: awaiting_signature && m.consent == Consent::OnScreen,
        revocation_certificate: m.state == MandateState::Revoked,
        duration: m.duration.as_str(),
        facts,
        active_categories: m
            .active_categories
            .iter()
            .map(|c| (c.as_str(), ui.label("category", c.as_str())))
            .collect(),
        verify_href: format!("/v/{}", m.verification_code),
        renewable: m.renewable,
    };
    render_with(
        status,
        &MandatePage {
            heading: ctx
                .lang
                .t_with("mandate-title", &[("code", m.verification_code.clone())]),
            attempts_left: ctx.lang.t_with(
                "mandate-remote-attempts",
                &[("n", m.remote_attempts_left.to_string())],
            ),
            ui,
            m: view,
            scan_required,
            return_query: return_param(back.as_deref().unwrap_or_default()),
            return_to: back,
            form,
        },
    )
}

/// The name of the agent who drew a mandate up (empty if unknown).
async fn agent_name(
    state: &AppState,
    actor: &Actor,
    id: Option<AgentId>,
) -> Result<String, WebError> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    Ok(state
        .services
        .assignable_agents(actor)
        .await?
        .into_iter()
        .find(|(a, _)| *a == id)
        .map(|(_, n)| n)
        .unwrap_or_default())
}

pub async fn show_mandate(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<MandateId>,
) -> Result<Response, WebError> {
    mandate_page(&state, &ctx, &actor, id, FormState::empty(), StatusCode::OK).await
}

/// Mandates shown on one page of the list.
const MANDATE_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "mandates.html")]
struct MandatesPage {
    ui: Ui,
    form: FormState,
    mandates: Vec<MandateRowView>,
    /// The first page with the same filters, when this is a later one.
    first: Option<String>,
    next: Option<String>,
}

/// The mandate list: filtered by state, category and "ending soon", newest
/// first, a page at a time.
pub async fn list_mandates(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut errors = Vec::new();
    let mut query = MandateListQuery::default();
    // The box is drawn checked for `1`: a yes in another spelling is
    // written back as `1`, so that filtering again keeps it.
    let pairs = pairs
        .into_iter()
        .map(|(k, v)| {
            if k != "ending_soon" {
                return (k, v);
            }
            match crate::ui::flag(&v) {
                Some(yes) => {
                    query.ending_soon |= yes;
                    (k, if yes { "1".to_owned() } else { String::new() })
                }
                None => {
                    errors.push(FieldError::new("ending_soon", "invalid_choice"));
                    (k, v)
                }
            }
        })
        .collect();
    let f = Fields(pairs);
    let ui = Ui::new(&ctx);
    match f.get("state").trim() {
        "" => {}
        s => match MandateState::parse(s) {
            Ok(s) => query.state = Some(s),
            Err(e) => errors.push(e),
        },
    }
    match f.get("category").trim() {
        "" => {}
        c => match ProcedureCategory::parse(c) {
            Ok(c) => query.category = Some(c),
            Err(e) => errors.push(e),
        },
    }
    match f.get("after").trim() {
        "" => {}
        a => match MandateCursor::parse(a) {
            Some(c) => query.after = Some(c),
            None => errors.push(FieldError::new("after", "invalid_choice")),
        },
    }
    let link = |after: Option<String>| {
        let mut q: Vec<(String, String)> =
            f.0.iter().filter(|(k, _)| k != "after").cloned().collect();
        q.extend(after.map(|a| ("after".to_owned(), a)));
        let qs: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q)
            .finish();
        format!("/mandates?{qs}")
    };
    if !errors.is_empty() {
        return render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &MandatesPage {
                form: FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]),
                mandates: Vec::new(),
                first: None,
                next: None,
                ui,
            },
        );
    }
    let page = state
        .services
        .mandate_page(&actor, &query, Some(MANDATE_PAGE))
        .await?;
    render(&MandatesPage {
        mandates: page
            .items
            .iter()
            .map(|m| mandate_row_view(&ui, m))
            .collect(),
        first: query.after.is_some().then(|| link(None)),
        next: page.next.map(|c| link(Some(c.to_string()))),
        form: FormState::with_values(f.0.clone()),
        ui,
    })
}

/// Paper signature (a form, or a multipart form with a scan) or on-screen
/// signature.
pub async fn sign_mandate(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<MandateId>,
    req: Request,
) -> Result<Response, WebError> {
    // The form to come back to rides in the action's query.
    let back = return_to_of(&ctx);
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut scan = None;
    let mut signature = None;
    if multipart {
        let mut mp = Multipart::from_request(req, &state).await.map_err(|_| {
            WebError::Page(StatusCode::BAD_REQUEST, crate::error::ErrorPage::BadRequest)
        })?;
        while let Ok(Some(field)) = mp.next_field().await {
            if field.name() == Some("scan") {
                let content_type = field.content_type().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|_| {
                    WebError::Page(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        crate::error::ErrorPage::BadRequest,
                    )
                })?;
                if !bytes.is_empty() {
                    scan = Some(Scan {
                        bytes: bytes.to_vec(),
                        content_type,
                    });
                }
            }
        }
    } else {
        let Form(pairs): Form<Vec<(String, String)>> =
            Form::from_request(req, &state).await.map_err(|_| {
                WebError::Page(StatusCode::BAD_REQUEST, crate::error::ErrorPage::BadRequest)
            })?;
        let f = Fields(pairs);
        signature = Some(f.owned("signature")).filter(|s| !s.is_empty());
    }
    match state
        .services
        .sign_mandate(&actor, id, scan, signature.as_deref())
        .await
    {
        Ok(()) => Ok(redirect_returning(
            &format!("/mandates/{id}?done=mandate-signed"),
            &back,
        )),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, Vec::new(), &errors, &[]);
            mandate_page(
                &state,
                &ctx,
                &actor,
                id,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(e)) => {
            let form = FormState::from_fields(ctx.lang, Vec::new(), &[e], &[]);
            mandate_page(&state, &ctx, &actor, id, form, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn send_code(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<MandateId>,
) -> Result<Response, WebError> {
    state.services.send_remote_code(&actor, id).await?;
    Ok(Redirect::to(&format!("/mandates/{id}?done=mandate-code-sent")).into_response())
}

pub async fn revoke_mandate(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<MandateId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    match state
        .services
        .revoke_mandate(&actor, id, &f.all("categories"), f.get("reason"))
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/mandates/{id}?done=mandate-revoked-ok")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]);
            mandate_page(
                &state,
                &ctx,
                &actor,
                id,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn renew_mandate(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<MandateId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    match state
        .services
        .renew_mandate(&actor, id, f.get("duration"), f.get("consent"))
        .await
    {
        Ok(new_id) => {
            Ok(Redirect::to(&format!("/mandates/{new_id}?done=mandate-created")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]);
            mandate_page(
                &state,
                &ctx,
                &actor,
                id,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// Builds the mandate PDF (also used by the API).
pub async fn mandate_pdf(
    state: &AppState,
    actor: &Actor,
    id: MandateId,
) -> Result<Vec<u8>, WebError> {
    let m = state.services.mandate(actor, id).await?;
    let agent = agent_name(state, actor, m.drawn_by).await?;
    state
        .services
        .journal_document(actor, id, "mandate.document_downloaded")
        .await?;
    let coverage = state.services.catalogue_coverage(actor).await?;
    let contact = state.services.structure_contact(actor).await?;
    relais_present::pdf(documents::mandate(
        &m,
        &verify_url(state, &m.verification_code),
        &agent,
        &coverage,
        &contact,
    ))
    .await
    .map_err(WebError::from)
}

pub async fn mandate_document(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<MandateId>,
) -> Result<Response, WebError> {
    let bytes = mandate_pdf(&state, &actor, id).await?;
    Ok(pdf_response(bytes, &format!("mandat-{id}.pdf")))
}

pub async fn revocation_document(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<MandateId>,
) -> Result<Response, WebError> {
    let m = state.services.mandate(&actor, id).await?;
    if m.revoked_at.is_none() && m.revoked_categories.is_empty() {
        return Err(WebError::not_found());
    }
    state
        .services
        .journal_document(&actor, id, "mandate.revocation_downloaded")
        .await?;
    let bytes = relais_present::pdf(documents::revocation(
        &m,
        &verify_url(&state, &m.verification_code),
    ))
    .await?;
    Ok(pdf_response(bytes, &format!("revocation-{id}.pdf")))
}

// ---- public verification ------------------------------------------------------------

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    ui: Ui,
    code: String,
    state_label: String,
    /// In force today (the badge is not marked).
    in_force: bool,
    /// Pending or in force: the person may revoke it.
    can_revoke: bool,
    facts: Vec<(String, String)>,
    awaiting_code: bool,
    blocked: bool,
    /// The categories and their labels, once the revocation secret was
    /// given; the secret then goes with the revocation form.
    details: Option<(String, Vec<(String, String)>)>,
    form: FormState,
}

fn render_verify(
    ctx: &Ctx,
    code: &str,
    p: PublicMandate,
    secret: Option<&str>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ui = Ui::new(ctx);
    let mut facts = vec![
        (ui.t("mandate-person"), p.initials.clone()),
        (ui.t("mandate-structure"), p.structure_name.clone()),
    ];
    let categories: Option<Vec<(String, String)>> = p.categories.as_ref().map(|cats| {
        cats.iter()
            .map(|c| (c.as_str().to_owned(), ui.label("category", c.as_str())))
            .collect()
    });
    if let Some(cats) = &categories {
        facts.push((
            ui.t("mandate-categories"),
            cats.iter()
                .map(|(_, label)| label.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    facts.push((
        ui.t("mandate-period"),
        ui.lang.t_with(
            "mandate-from-to",
            &[("from", ui.date(p.starts_on)), ("to", ui.date(p.ends_on))],
        ),
    ));
    render_with(
        status,
        &VerifyPage {
            state_label: ui.label("mandate-state", p.state.as_str()),
            ui,
            code: code.to_owned(),
            in_force: p.state == MandateState::Active,
            can_revoke: p.state.revocable(),
            facts,
            awaiting_code: p.awaiting_code,
            blocked: p.code_blocked,
            details: categories
                .zip(secret.map(str::to_owned))
                .map(|(c, s)| (s, c)),
            form,
        },
    )
}

async fn verify_page(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let p = state.services.public_mandate(code).await?;
    render_verify(ctx, code, p, None, form, status)
}

fn limited(state: &AppState, ctx: &Ctx) -> Result<(), WebError> {
    if state.public_limiter.allow(ctx.ip) {
        Ok(())
    } else {
        Err(WebError::Page(
            StatusCode::TOO_MANY_REQUESTS,
            crate::error::ErrorPage::RateLimited,
        ))
    }
}

pub async fn verify(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    limited(&state, &ctx)?;
    verify_page(&state, &ctx, &code, FormState::empty(), StatusCode::OK).await
}

/// The categories of the mandate, for whoever gives the revocation secret.
pub async fn verify_details(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    limited(&state, &ctx)?;
    let f = Fields(pairs);
    let secret = f.get("secret");
    match state.services.public_mandate_details(&code, secret).await {
        Ok(p) => render_verify(
            &ctx,
            &code,
            p,
            Some(secret),
            FormState::empty(),
            StatusCode::OK,
        ),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, Vec::new(), &errors, &[]);
            verify_page(&state, &ctx, &code, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn verify_consent(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    limited(&state, &ctx)?;
    let f = Fields(pairs);
    match state
        .services
        .confirm_remote_code(&code, f.get("code"))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/v/{code}?done=verify-activated")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, Vec::new(), &errors, &[]);
            verify_page(&state, &ctx, &code, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict(e)) => {
            let form = FormState::from_fields(ctx.lang, Vec::new(), &[e], &[]);
            verify_page(&state, &ctx, &code, form, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn verify_revoke(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    limited(&state, &ctx)?;
    let f = Fields(pairs);
    match state
        .services
        .revoke_by_person(&code, f.get("secret"), &f.all("categories"))
        .await
    {
        Ok(()) => {
            // Some procedures taken out: say so, not that the whole mandate
            // is revoked (the badge shows what the mandate is now).
            let done = if f.all("categories").iter().all(|c| c.trim().is_empty()) {
                "verify-revoked"
            } else {
                "verify-revoked-part"
            };
            Ok(Redirect::to(&format!("/v/{code}?done={done}")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, Vec::new(), &errors, &[]);
            verify_page(&state, &ctx, &code, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict(e)) => {
            let form = FormState::from_fields(ctx.lang, Vec::new(), &[e], &[]);
            verify_page(&state, &ctx, &code, form, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- policy --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    ui: Ui,
    form: FormState,
}

pub fn policy_values(p: &Policy) -> Vec<(String, String)> {
    let mut v = vec![
        (
            "mandate_rule".to_owned(),
            p.mandate_rule.as_str().to_owned(),
        ),
        (
            "max_mandate_duration".to_owned(),
            p.max_mandate_duration.as_str().to_owned(),
        ),
        (
            "retention_months".to_owned(),
            p.retention_months.to_string(),
        ),
        ("charter".to_owned(), p.charter.clone()),
        ("privacy_contact".to_owned(), p.privacy_contact.clone()),
        (
            "max_backdating_days".to_owned(),
            p.max_backdating_days.to_string(),
        ),
    ];
    if p.require_privacy_notice {
        v.push(("require_privacy_notice".into(), "1".into()));
    }
    if p.paper_scan_required {
        v.push(("paper_scan_required".into(), "1".into()));
    }
    for r in &p.done_for_roles {
        v.push(("done_for_roles".into(), r.as_str().into()));
    }
    for c in ProcedureCategory::ALL {
        for m in Mode::ALL {
            if p.mode_allowed(*c, *m) {
                v.push((format!("mode_{}", c.as_str()), m.as_str().to_owned()));
            }
        }
    }
    v
}

/// The policy form as the one policy reader takes it: a category whose
/// every mode is ticked is left out (it allows all); unknown codes are
/// passed on, to be reported.
fn policy_input(f: &Fields) -> PolicyInput {
    let allowed_modes = ProcedureCategory::ALL
        .iter()
        .filter_map(|c| {
            let modes = f.all(&format!("mode_{}", c.as_str()));
            let all = Mode::ALL
                .iter()
                .all(|m| modes.iter().any(|x| x.trim() == m.as_str()))
                && modes.iter().all(|x| Mode::parse(x).is_ok());
            (!all).then(|| (c.as_str().to_owned(), modes))
        })
        .collect();
    PolicyInput {
        mandate_rule: f.get("mandate_rule").to_owned(),
        max_mandate_duration: f.get("max_mandate_duration").to_owned(),
        done_for_roles: f.all("done_for_roles"),
        allowed_modes,
        require_privacy_notice: f.checked("require_privacy_notice"),
        retention_months: f.get("retention_months").trim().parse().ok(),
        max_backdating_days: f.get("max_backdating_days").trim().parse().ok(),
        charter: f.get("charter").to_owned(),
        privacy_contact: f.get("privacy_contact").to_owned(),
        paper_scan_required: f.checked("paper_scan_required"),
    }
}

pub async fn show_policy(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let p = state.services.policy_to_edit(&actor).await?;
    render(&PolicyPage {
        ui: Ui::new(&ctx),
        form: FormState::with_values(policy_values(&p)),
    })
}

pub async fn save_policy(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let result = match policy_input(&f).parse() {
        Ok(p) => state.services.update_policy(&actor, p).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/structure/policy?done=policy-saved").into_response()),
        Err(ServiceError::Invalid(errors)) => render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PolicyPage {
                ui: Ui::new(&ctx),
                form: FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]),
            },
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn charter_pdf(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let p = state.services.policy(&actor).await?;
    let bytes =
        relais_present::pdf(documents::charter(ctx.lang, &actor.structure_name, &p)).await?;
    Ok(pdf_response(bytes, "charte.pdf"))
}
