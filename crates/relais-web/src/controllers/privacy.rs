//! Privacy pages: private notes, the person's rights (subject access,
//! erasure), the files due for anonymisation, the privacy notice.

use super::persons::person_page;
use super::views::display_name;
use super::{render_with, Id, SignedIn};
use crate::context::Ctx;
use crate::documents;
use crate::error::WebError;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::{PersonId, PrivateNoteId};
use relais_service::{Actor, ServiceError};

pub async fn add_private_note(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let body = f.owned("body");
    match state
        .services
        .add_private_note(&actor, id, &body, f.checked("confirm_secret"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/persons/{id}?done=private-note-saved#private-notes"
        ))
        .into_response()),
        Err(ServiceError::Invalid(errs)) => {
            let form = FormState::with_errors(ctx.lang, &[("body", &body)], &errs, &[]);
            person_page(
                &state,
                &ctx,
                &actor,
                id,
                String::new(),
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_private_note(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id((id, note)): Id<(PersonId, PrivateNoteId)>,
) -> Result<Response, WebError> {
    state.services.delete_private_note(&actor, id, note).await?;
    Ok(Redirect::to(&format!(
        "/persons/{id}?done=private-note-deleted#private-notes"
    ))
    .into_response())
}

fn download(bytes: Vec<u8>, kind: &str, name: &str) -> Response {
    (
        [
            (CONTENT_TYPE, kind.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

pub async fn subject_access_pdf(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
) -> Result<Response, WebError> {
    let sa = state.services.subject_access(&actor, id, "pdf").await?;
    let bytes = relais_present::pdf(documents::subject_access(ctx.lang, &sa)).await?;
    Ok(download(
        bytes,
        "application/pdf",
        "donnees-personnelles.pdf",
    ))
}

pub async fn subject_access_json(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<PersonId>,
) -> Result<Response, WebError> {
    let sa = state.services.subject_access(&actor, id, "json").await?;
    let bytes =
        serde_json::to_vec_pretty(&sa).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "application/json",
        "donnees-personnelles.json",
    ))
}

#[derive(Template)]
#[template(path = "erase.html")]
struct ErasePage {
    ui: Ui,
    id: String,
    name: String,
    /// (id, label) of the mandates to revoke first.
    blocking: Vec<(String, String)>,
}

async fn erase_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    status: StatusCode,
) -> Result<Response, WebError> {
    // Authorised by the use case (supervisors and admins).
    let blockers = state.services.erasure_blockers(actor, id).await?;
    let p = state.services.person(actor, id).await?;
    if p.anonymised_at.is_some() {
        return Err(WebError::not_found());
    }
    let ui = Ui::new(ctx);
    let blocking = blockers
        .into_iter()
        .map(|m| {
            (
                m.id.to_string(),
                format!(
                    "{} · {} → {} · {}",
                    m.verification_code,
                    ui.date(m.starts_on),
                    ui.date(m.ends_on),
                    ui.t(&format!("mandate-state-{}", m.state.as_str()))
                ),
            )
        })
        .collect();
    render_with(
        status,
        &ErasePage {
            id: id.to_string(),
            name: display_name(&p.first_name, &p.last_name, p.usual_name.as_deref()),
            ui,
            blocking,
        },
    )
}

pub async fn show_erase(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
) -> Result<Response, WebError> {
    erase_page(&state, &ctx, &actor, id, StatusCode::OK).await
}

pub async fn erase(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<PersonId>,
) -> Result<Response, WebError> {
    match state.services.erase_person(&actor, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/persons/{id}?done=file-erased")).into_response()),
        Err(ServiceError::ErasureBlocked(_)) => {
            erase_page(&state, &ctx, &actor, id, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    ui: Ui,
    explain: String,
    items: Vec<RetentionView>,
    form: FormState,
    /// The file whose form has errors.
    form_for: String,
}

struct RetentionView {
    id: String,
    name: String,
    last_activity: String,
    due_on: String,
    kept: String,
}

async fn retention_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: FormState,
    form_for: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (months, items) = state.services.upcoming_anonymisations(actor).await?;
    let ui = Ui::new(ctx);
    let items = items
        .into_iter()
        .map(|i| RetentionView {
            id: i.person_id.to_string(),
            name: display_name(&i.first_name, &i.last_name, None),
            last_activity: ui.date(i.last_activity),
            due_on: ui.date(i.due_on),
            kept: i.keep_until.map(|d| ui.date(d)).unwrap_or_default(),
        })
        .collect();
    render_with(
        status,
        &RetentionPage {
            explain: ctx
                .lang
                .t_with("retention-explain", &[("months", months.to_string())]),
            ui,
            items,
            form,
            form_for,
        },
    )
}

pub async fn show_retention(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    retention_page(
        &state,
        &ctx,
        &actor,
        FormState::empty(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn keep_file(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(pid): Id<PersonId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let (until, reason) = (f.owned("until"), f.owned("reason"));
    match state.services.keep_file(&actor, pid, &until, &reason).await {
        Ok(()) => Ok(Redirect::to("/privacy/retention?done=file-kept").into_response()),
        Err(ServiceError::Invalid(errs)) => {
            let form = FormState::with_errors(
                ctx.lang,
                &[("until", &until), ("reason", &reason)],
                &errs,
                &[
                    ("until", &format!("until-{pid}")),
                    ("reason", &format!("reason-{pid}")),
                ],
            );
            retention_page(
                &state,
                &ctx,
                &actor,
                form,
                pid.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn privacy_notice_pdf(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let p = state.services.policy(&actor).await?;
    let commune = state.services.structure_commune(&actor).await?;
    let bytes = relais_present::pdf(documents::privacy_notice(
        ctx.lang,
        &actor.structure_name,
        commune.as_deref(),
        &p,
    ))
    .await?;
    Ok(super::mandates::pdf_response(
        bytes,
        "information-donnees.pdf",
    ))
}
