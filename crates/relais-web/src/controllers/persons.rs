//! Person pages: search, create, file, edit, accounts, merge.

use super::views::{
    display_name, follow_up_view, hit_view, FollowUpView, HitView, MandateBadgeView,
};
use super::{render, render_with, Id, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::{Age, Permission, PersonId};
use relais_service::{AccountInput, Actor, PersonFile, PersonInput, ServiceError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    ui: Ui,
    q: String,
    hits: Vec<HitView>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    merge_q: String,
}

pub async fn list_persons(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let hits = state.services.search_persons(&actor, &q.q, 50).await?;
    render(&PersonsPage {
        ui: Ui::new(&ctx),
        q: q.q,
        hits: hits.iter().map(hit_view).collect(),
    })
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    ui: Ui,
    heading: String,
    action: String,
    submit: String,
    cancel: String,
    /// Persons like the one being created, shown as links to their files.
    similar: Vec<HitView>,
    form: FormState,
}

fn person_input(f: &Fields) -> PersonInput {
    PersonInput {
        first_name: f.owned("first_name"),
        last_name: f.owned("last_name"),
        usual_name: f.owned("usual_name"),
        birth_date: f.owned("birth_date"),
        birth_year: f.owned("birth_year"),
        phone: f.owned("phone"),
        email: f.owned("email"),
        postcode: f.owned("postcode"),
        commune: f.owned("commune"),
        insee_code: f.owned("insee_code"),
        preferred_language: f.owned("preferred_language"),
        notes: f.owned("notes"),
        privacy_notice_on: f.owned("privacy_notice_on"),
        equipment: f.all("equipment"),
        autonomy: f.owned("autonomy"),
        confirm_secret: f.checked("confirm_secret"),
    }
}

fn person_values(p: &PersonInput) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        ("first_name", &p.first_name),
        ("last_name", &p.last_name),
        ("usual_name", &p.usual_name),
        ("birth_date", &p.birth_date),
        ("birth_year", &p.birth_year),
        ("phone", &p.phone),
        ("email", &p.email),
        ("postcode", &p.postcode),
        ("commune", &p.commune),
        ("insee_code", &p.insee_code),
        ("preferred_language", &p.preferred_language),
        ("notes", &p.notes),
        ("privacy_notice_on", &p.privacy_notice_on),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect();
    v.extend(
        p.equipment
            .iter()
            .map(|e| ("equipment".to_owned(), e.clone())),
    );
    v
}

fn form_page(
    ctx: &Ctx,
    edit: Option<PersonId>,
    form: FormState,
    similar: Vec<HitView>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = ctx.lang;
    let (heading, action, submit, cancel) = match edit {
        Some(id) => (
            lang.t("person-edit"),
            format!("/persons/{id}/edit"),
            lang.t("save"),
            format!("/persons/{id}"),
        ),
        None => (
            lang.t("person-new"),
            "/persons/new".to_owned(),
            lang.t("person-create"),
            "/persons".to_owned(),
        ),
    };
    render_with(
        status,
        &PersonFormPage {
            ui: Ui::new(ctx),
            heading,
            action,
            submit,
            cancel,
            similar,
            form,
        },
    )
}

pub async fn new_person(_: SignedIn, Extension(ctx): Extension<Ctx>) -> Result<Response, WebError> {
    form_page(&ctx, None, FormState::empty(), Vec::new(), StatusCode::OK)
}

pub async fn create_person(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    match state
        .services
        .create_person(&actor, &person_input(&f), f.checked("confirm_new"))
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/persons/{id}?done=person-saved")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]);
            form_page(
                &ctx,
                None,
                form,
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(ServiceError::SimilarPersons(similar)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &[], &[]);
            let similar = similar.iter().map(hit_view).collect();
            form_page(&ctx, None, form, similar, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_person(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
) -> Result<Response, WebError> {
    let person = state.services.person(&actor, id).await?;
    let form = FormState::with_values(person_values(&PersonInput::from_person(&person)));
    form_page(&ctx, Some(id), form, Vec::new(), StatusCode::OK)
}

pub async fn update_person(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    match state
        .services
        .update_person(&actor, id, &person_input(&f))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/persons/{id}?done=person-saved")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]);
            form_page(
                &ctx,
                Some(id),
                form,
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub struct AccountView {
    pub kind: &'static str,
    pub label: String,
    pub has: &'static str,
    pub can: &'static str,
    pub recovery: &'static str,
}

pub struct TimelineItem {
    pub id: String,
    pub reference: String,
    pub procedure: String,
    pub meta: String,
    pub interventions: Vec<String>,
}

pub struct PersonView {
    pub id: String,
    pub name: String,
    /// The header: age, commune (with its postcode), autonomy level.
    pub age: Option<String>,
    pub commune: Option<String>,
    pub mandate: Option<MandateBadgeView>,
    /// The open follow-up due first.
    pub next_follow_up: Option<FollowUpView>,
    /// How many account kinds are filled in (of `accounts`).
    pub accounts_known: usize,
    pub facts: Vec<(String, String)>,
    pub notes: Option<String>,
    pub equipment: String,
    pub autonomy: String,
    pub autonomy_history: Vec<(String, String)>,
    pub accounts: Vec<AccountView>,
    pub timeline: Vec<TimelineItem>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    ui: Ui,
    p: PersonView,
    follow_ups: Vec<FollowUpView>,
    can_merge: bool,
    merge_q: String,
    merge_hits: Vec<HitView>,
    mandates: Vec<super::mandates::MandateRowView>,
    /// (when, who, what) for supervisors.
    access: Vec<(String, String, String)>,
    /// The actor's own private notes: (id, when, text).
    private_notes: Vec<(String, String, String)>,
    note_form: FormState,
    /// Supervisors and admins: subject access, erasure, retention.
    can_rights: bool,
    anonymised: bool,
    /// The person's consent to reminders: (channel code, given on).
    reminder_consent: Option<(String, String)>,
    reminder_form: FormState,
}

pub fn person_view(ui: &Ui, file: &PersonFile, today: chrono::NaiveDate) -> PersonView {
    let p = &file.person;
    let lang = ui.lang;
    let age = file.age.map(|a| match a {
        Age::Exact(n) => lang.t_count("person-age-exact", i64::from(n)),
        Age::About(n) => lang.t_count("person-age-about", i64::from(n)),
    });
    let commune = match (&p.postcode, &p.commune) {
        (Some(pc), Some(c)) => Some(format!("{pc} {c}")),
        (a, b) => a.clone().or(b.clone()),
    };
    let mut facts = Vec::new();
    let mut fact = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            facts.push((ui.t(k), v));
        }
    };
    fact("usual-name", p.usual_name.clone());
    fact("birth-date", p.birth_date.map(|d| ui.date(d)));
    fact("birth-year", p.birth_year.map(|y| y.to_string()));
    fact("phone", p.phone.clone());
    fact("email", p.email.clone());
    fact("insee-code", p.insee_code.clone());
    fact("preferred-language", p.preferred_language.clone());
    fact("privacy-notice-on", p.privacy_notice_on.map(|d| ui.date(d)));
    let equipment = if file.equipment.is_empty() {
        "—".to_owned()
    } else {
        file.equipment
            .iter()
            .map(|e| ui.label("equipment", e.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let timeline = file
        .requests
        .iter()
        .map(|r| {
            let q = &r.request;
            let mut meta = vec![
                ui.datetime(q.created_at),
                ui.label("category", q.category.as_str()),
                ui.label("status", q.status.as_str()),
            ];
            if let Some(o) = q.outcome {
                meta.push(ui.label("outcome", o.as_str()));
            }
            if let Some(op) = &q.operator {
                meta.push(op.clone());
            }
            TimelineItem {
                id: q.id.to_string(),
                reference: q.reference.clone(),
                procedure: q.procedure.clone(),
                meta: meta.join(" · "),
                interventions: file
                    .interventions
                    .iter()
                    .filter(|i| i.intervention.help_request_id == q.id)
                    .map(|i| intervention_line(ui, &i.intervention, i.agent_name.as_deref()))
                    .collect(),
            }
        })
        .collect();
    PersonView {
        id: p.id.to_string(),
        name: if p.anonymised_at.is_some() {
            ui.t("person-anonymised")
        } else {
            display_name(&p.first_name, &p.last_name, p.usual_name.as_deref())
        },
        age,
        commune,
        mandate: file.mandate.as_ref().map(MandateBadgeView::of),
        next_follow_up: file.next_follow_up().map(|f| follow_up_view(ui, f, today)),
        accounts_known: file.accounts_known(),
        facts,
        notes: p.notes.clone(),
        equipment,
        autonomy: ui.label("autonomy", file.current_autonomy().as_str()),
        autonomy_history: file
            .autonomy
            .iter()
            .map(|a| {
                (
                    ui.date(a.assessed_on),
                    ui.label("autonomy", a.level.as_str()),
                )
            })
            .collect(),
        accounts: file
            .accounts
            .iter()
            .map(|a| AccountView {
                kind: a.kind.as_str(),
                label: ui.label("account", a.kind.as_str()),
                has: a.has_account.as_str(),
                can: a.can_sign_in.as_str(),
                recovery: a.recovery.as_str(),
            })
            .collect(),
        timeline,
    }
}

pub fn intervention_line(
    ui: &Ui,
    i: &relais_service::views::Intervention,
    agent: Option<&str>,
) -> String {
    let mut parts = vec![
        ui.datetime(i.occurred_at),
        ui.label("mode", i.mode.as_str()),
        ui.lang
            .t_with("minutes", &[("n", i.duration_minutes.to_string())]),
        ui.label("place", i.place.as_str()),
    ];
    if let Some(a) = agent {
        parts.push(format!("{} {a}", ui.t("by")));
    }
    if let Some(n) = &i.next_step {
        parts.push(format!("{}{}{n}", ui.t("next-step"), ui.colon()));
    }
    parts.join(" · ")
}

pub async fn show_person(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    person_page(
        &state,
        &ctx,
        &actor,
        id,
        q.merge_q,
        FormState::empty(),
        StatusCode::OK,
    )
    .await
}

/// The person page, with the private-note form in the given state.
pub(crate) async fn person_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    merge_q: String,
    note_form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    person_page_with(
        state,
        ctx,
        actor,
        id,
        merge_q,
        note_form,
        FormState::empty(),
        status,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn person_page_with(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    merge_q: String,
    note_form: FormState,
    reminder_form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let file = state.services.person_file(actor, id).await?;
    let ui = Ui::new(ctx);
    let ui_dates = Ui::new(ctx);
    let access = if actor.can(Permission::HandleRights) {
        state
            .services
            .access_history(actor, id)
            .await?
            .into_iter()
            .map(|a| {
                (
                    ui.datetime(a.at),
                    a.actor_name.unwrap_or_default(),
                    crate::documents::action_label(ctx.lang, &a.action),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let today = state.services.today();
    let can_merge = actor.can(Permission::MergePersons);
    let merge_hits = if can_merge && !merge_q.trim().is_empty() {
        state
            .services
            .search_persons(actor, &merge_q, 10)
            .await?
            .iter()
            .filter(|h| h.id != id)
            .map(hit_view)
            .collect()
    } else {
        Vec::new()
    };
    let mandates = state
        .services
        .list_mandates(actor, Some(id), None)
        .await?
        .iter()
        .map(|m| super::mandates::mandate_row_view(&ui, m))
        .collect();
    let follow_ups = file
        .follow_ups
        .iter()
        .map(|f| follow_up_view(&ui, f, today))
        .collect();
    let private_notes = state
        .services
        .private_notes(actor, id)
        .await?
        .into_iter()
        .map(|n| (n.id.to_string(), ui.datetime(n.created_at), n.body))
        .collect();
    render_with(
        status,
        &PersonPage {
            p: person_view(&ui, &file, today),
            ui,
            follow_ups,
            can_merge,
            merge_q,
            merge_hits,
            mandates,
            access,
            private_notes,
            note_form,
            can_rights: actor.can(Permission::HandleRights),
            anonymised: file.person.anonymised_at.is_some(),
            reminder_consent: state
                .services
                .reminder_consent(actor, id)
                .await?
                .map(|(c, d)| (c, ui_dates.date(d))),
            reminder_form,
        },
    )
}

/// Records or withdraws the person's consent to reminders.
pub async fn save_reminder_consent(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let channel = if f.get("channel") != "none" && !f.checked("consent") {
        String::from("missing-consent")
    } else {
        f.owned("channel")
    };
    let result = if channel == "missing-consent" {
        Err(ServiceError::Invalid(vec![relais_domain::FieldError::new(
            "consent",
            "consent_required",
        )]))
    } else {
        state
            .services
            .set_reminder_consent(&actor, id, &channel)
            .await
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/persons/{id}?done=reminders-saved#reminders")).into_response(),
        ),
        Err(ServiceError::Invalid(errs)) => {
            let form = FormState::with_errors(
                ctx.lang,
                &[("channel", f.get("channel"))],
                &errs,
                &[
                    ("channel", "reminder-channel"),
                    ("consent", "reminder-consent"),
                ],
            );
            person_page_with(
                &state,
                &ctx,
                &actor,
                id,
                String::new(),
                FormState::empty(),
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn save_accounts(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<PersonId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let (kinds, has, can, rec) = (
        f.all("kind"),
        f.all("has_account"),
        f.all("can_sign_in"),
        f.all("recovery"),
    );
    let lines: Vec<AccountInput> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| AccountInput {
            kind: k.clone(),
            has_account: has.get(i).cloned().unwrap_or_default(),
            can_sign_in: can.get(i).cloned().unwrap_or_default(),
            recovery: rec.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    state
        .services
        .set_person_accounts(&actor, id, &lines)
        .await?;
    Ok(Redirect::to(&format!("/persons/{id}?done=accounts-saved")).into_response())
}

#[derive(Deserialize)]
pub struct MergeIn {
    #[serde(default)]
    absorbed_id: String,
}

pub async fn merge_person(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<PersonId>,
    Form(input): Form<MergeIn>,
) -> Result<Response, WebError> {
    let absorbed = PersonId::parse(&input.absorbed_id).ok_or_else(WebError::not_found)?;
    state.services.merge_persons(&actor, id, absorbed).await?;
    Ok(Redirect::to(&format!("/persons/{id}?done=persons-merged")).into_response())
}
