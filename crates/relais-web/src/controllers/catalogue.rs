//! The structure's catalogue page: partner channels of the operators,
//! shipped procedures to hide or annotate, the structure's own procedures.

use super::{render_with, signed};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_service::{ChannelInput, LocalProcedureInput, ServiceError};

struct OperatorView {
    id: String,
    name: String,
    /// (field, value)
    values: Vec<(&'static str, String)>,
    configured: bool,
}

struct ProcedureView {
    id: String,
    title: String,
    operator: String,
    hidden: bool,
    note: String,
    local: bool,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    ui: Ui,
    operators: Vec<OperatorView>,
    procedures: Vec<ProcedureView>,
    form: FormState,
    /// Which form the errors belong to ("new", an operator id or a procedure id).
    form_for: String,
}

const CHANNEL_FIELDS: [&str; 6] = [
    "partner_portal",
    "pro_phone",
    "email",
    "local_contact",
    "answer_delay",
    "notes",
];

async fn page(
    state: &AppState,
    ctx: &Ctx,
    form: FormState,
    form_for: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (_, actor) = signed(ctx)?;
    if !actor.role.can_handle_rights() {
        return Err(ServiceError::Forbidden.into());
    }
    let ui = Ui::new(ctx);
    let en = ctx.lang == crate::i18n::Lang::En;
    let channels = state.services.channels(actor).await?;
    let catalog = state.services.catalog();
    let operators = catalog
        .operators
        .iter()
        .map(|o| {
            let c = channels.iter().find(|c| c.operator_id == o.id);
            let get = |f: &str| -> String {
                c.map(|c| match f {
                    "partner_portal" => c.partner_portal.clone(),
                    "pro_phone" => c.pro_phone.clone(),
                    "email" => c.email.clone(),
                    "local_contact" => c.local_contact.clone(),
                    "answer_delay" => c.answer_delay.clone(),
                    _ => c.notes.clone(),
                })
                .unwrap_or_default()
            };
            OperatorView {
                id: o.id.clone(),
                name: if en {
                    o.name_en.clone()
                } else {
                    o.name.clone()
                },
                values: CHANNEL_FIELDS.iter().map(|f| (*f, get(f))).collect(),
                configured: c.is_some(),
            }
        })
        .collect();
    let procedures = state
        .services
        .structure_procedures(actor, true)
        .await?
        .into_iter()
        .map(|p| ProcedureView {
            operator: catalog
                .operator(&p.operator)
                .map(|o| o.name.clone())
                .unwrap_or_else(|| p.operator.clone()),
            title: if en { p.title_en } else { p.title },
            id: p.id,
            hidden: p.hidden,
            note: p.local_note,
            local: p.local,
        })
        .collect();
    render_with(
        status,
        &CataloguePage {
            ui,
            operators,
            procedures,
            form,
            form_for,
        },
    )
}

pub async fn show_catalogue(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    page(
        &state,
        &ctx,
        FormState::empty(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

fn invalid(
    ctx: &Ctx,
    f: &Fields,
    fields: &[&str],
    errs: &[relais_domain::FieldError],
    prefix: &str,
) -> FormState {
    let values: Vec<(&str, &str)> = fields.iter().map(|k| (*k, f.get(k))).collect();
    let ids: Vec<(&str, String)> = fields
        .iter()
        .map(|k| (*k, format!("{prefix}-{k}")))
        .collect();
    let ids: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (*k, v.as_str())).collect();
    FormState::with_errors(ctx.lang, &values, errs, &ids)
}

pub async fn save_channel(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let f = Fields(pairs);
    let input = ChannelInput {
        partner_portal: f.owned("partner_portal"),
        pro_phone: f.owned("pro_phone"),
        email: f.owned("email"),
        local_contact: f.owned("local_contact"),
        answer_delay: f.owned("answer_delay"),
        notes: f.owned("notes"),
    };
    match state.services.save_channel(actor, &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/structure/catalogue?done=catalogue-saved#op-{id}"
        ))
        .into_response()),
        Err(ServiceError::Invalid(errs)) => {
            let form = invalid(&ctx, &f, &CHANNEL_FIELDS, &errs, &id);
            page(&state, &ctx, form, id, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn save_setting(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let f = Fields(pairs);
    match state
        .services
        .set_procedure_setting(actor, &id, f.checked("hidden"), f.get("local_note"))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/structure/catalogue?done=catalogue-saved#proc-{id}"
        ))
        .into_response()),
        Err(ServiceError::Invalid(errs)) => {
            let form = invalid(&ctx, &f, &["local_note"], &errs, &id);
            page(&state, &ctx, form, id, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_local(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let f = Fields(pairs);
    let input = LocalProcedureInput {
        title: f.owned("title"),
        category: f.owned("category"),
        operator: f.owned("operator"),
        link: f.owned("link"),
        documents: f.owned("documents"),
        tips: f.owned("tips"),
    };
    match state
        .services
        .save_local_procedure(actor, None, &input)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to("/structure/catalogue?done=catalogue-saved#local").into_response())
        }
        Err(ServiceError::Invalid(errs)) => {
            let fields = ["title", "category", "operator", "link", "documents", "tips"];
            let form = invalid(&ctx, &f, &fields, &errs, "new");
            page(
                &state,
                &ctx,
                form,
                "new".into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_local(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    state.services.delete_local_procedure(actor, &id).await?;
    Ok(Redirect::to("/structure/catalogue?done=catalogue-saved#local").into_response())
}
