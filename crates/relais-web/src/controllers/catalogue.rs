//! The structure's catalogue page: partner channels of the operators,
//! shipped procedures to hide or annotate (one save for the whole list),
//! the structure's own procedures; a filter (`?q=`) over all of them.

use super::{render_with, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_service::{
    Actor, ChannelInput, LocalProcedureInput, ProcedureSettingInput, ServiceError,
};
use std::collections::HashMap;

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
    category: String,
    hidden: bool,
    note: String,
    local: bool,
    /// Why its settings were refused.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    ui: Ui,
    q: String,
    /// How many procedures the filter kept, said when there is a filter.
    found: String,
    operators: Vec<OperatorView>,
    procedures: Vec<ProcedureView>,
    /// Some shipped procedure is listed (the one save has something to do).
    has_shipped: bool,
    form: FormState,
    /// Which form the errors belong to ("new", an operator id or
    /// "procedures").
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

/// The procedures' settings as posted, shown again with their errors.
#[derive(Default)]
struct Posted {
    /// id → (hidden, note)
    values: HashMap<String, (bool, String)>,
    /// id → message
    errors: HashMap<String, String>,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    q: &str,
    form: FormState,
    form_for: String,
    posted: Posted,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ui = Ui::new(ctx);
    let en = ctx.lang == crate::i18n::Lang::En;
    let channels = state.services.channels(actor).await?;
    let catalog = state.services.catalog();
    let operators = state
        .services
        .filter_operators(q)
        .into_iter()
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
    let procedures: Vec<ProcedureView> = state
        .services
        .filter_structure_procedures(actor, q, true)
        .await?
        .into_iter()
        .map(|p| {
            let (hidden, note) = posted
                .values
                .get(&p.id)
                .cloned()
                .unwrap_or((p.hidden, p.local_note));
            ProcedureView {
                operator: catalog
                    .operator(&p.operator)
                    .map(|o| if en { &o.name_en } else { &o.name }.clone())
                    .unwrap_or_else(|| p.operator.clone()),
                category: ui.label("category", &p.category),
                title: if en { p.title_en } else { p.title },
                error: posted.errors.get(&p.id).cloned(),
                id: p.id,
                hidden,
                note,
                local: p.local,
            }
        })
        .collect();
    let found = if q.trim().is_empty() {
        String::new()
    } else {
        match procedures.len() {
            0 => ui.t("catalogue-search-none"),
            1 => ui.t("catalogue-search-one"),
            n => ui
                .lang
                .t_with("catalogue-search-many", &[("n", n.to_string())]),
        }
    };
    render_with(
        status,
        &CataloguePage {
            ui,
            q: q.trim().to_owned(),
            found,
            operators,
            has_shipped: procedures.iter().any(|p| !p.local),
            procedures,
            form,
            form_for,
        },
    )
}

pub async fn show_catalogue(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let q = Fields(query);
    page(
        &state,
        &ctx,
        &actor,
        q.get("q"),
        FormState::empty(),
        String::new(),
        Posted::default(),
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

/// The page again after a save, on the same filter.
fn back_to(q: &str, anchor: &str) -> Response {
    let q = q.trim();
    let query = if q.is_empty() {
        String::new()
    } else {
        format!(
            "&q={}",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        )
    };
    Redirect::to(&format!(
        "/structure/catalogue?done=catalogue-saved{query}#{anchor}"
    ))
    .into_response()
}

pub async fn save_channel(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let input = ChannelInput {
        partner_portal: f.owned("partner_portal"),
        pro_phone: f.owned("pro_phone"),
        email: f.owned("email"),
        local_contact: f.owned("local_contact"),
        answer_delay: f.owned("answer_delay"),
        notes: f.owned("notes"),
    };
    match state.services.save_channel(&actor, &id, &input).await {
        Ok(_) => Ok(back_to(f.get("q"), &format!("op-{id}"))),
        Err(ServiceError::Invalid(errs)) => {
            let form = invalid(&ctx, &f, &CHANNEL_FIELDS, &errs, &id);
            page(
                &state,
                &ctx,
                &actor,
                f.get("q"),
                form,
                id,
                Posted::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The one save of the procedures' settings: every procedure the page
/// showed comes with its id (`procedure`), its note (`note-{id}`) and,
/// when ticked, `hidden={id}`. Only what changed is written.
pub async fn save_settings(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let hidden = f.all("hidden");
    let inputs: Vec<ProcedureSettingInput> = f
        .all("procedure")
        .into_iter()
        .map(|id| ProcedureSettingInput {
            hidden: hidden.contains(&id),
            local_note: f.owned(&format!("note-{id}")),
            procedure_id: id,
        })
        .collect();
    match state
        .services
        .save_procedure_settings(&actor, &inputs)
        .await?
    {
        Ok(_) => Ok(back_to(f.get("q"), "h-procedures")),
        Err(errors) => {
            let catalog = state.services.catalog();
            let ui = Ui::new(&ctx);
            let mut form = FormState::empty();
            let mut posted = Posted::default();
            for (id, e) in &errors {
                let title = catalog
                    .procedure(id)
                    .map(|p| {
                        if ctx.lang == crate::i18n::Lang::En {
                            p.title_en.clone()
                        } else {
                            p.title.clone()
                        }
                    })
                    .unwrap_or_else(|| id.clone());
                let message = ctx.lang.field_error(e.code);
                // The field's label, the procedure, then what is wrong.
                form.errors.push((
                    format!("note-{id}"),
                    format!(
                        "{} ({title}){}{message}",
                        ui.t("procedure-local-note"),
                        ui.colon()
                    ),
                ));
                posted.errors.insert(id.clone(), message);
            }
            for i in inputs {
                posted
                    .values
                    .insert(i.procedure_id, (i.hidden, i.local_note));
            }
            page(
                &state,
                &ctx,
                &actor,
                f.get("q"),
                form,
                "procedures".into(),
                posted,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn add_local(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
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
        .save_local_procedure(&actor, None, &input)
        .await
    {
        Ok(_) => Ok(back_to("", "local")),
        Err(ServiceError::Invalid(errs)) => {
            let fields = ["title", "category", "operator", "link", "documents", "tips"];
            let form = invalid(&ctx, &f, &fields, &errs, "new");
            page(
                &state,
                &ctx,
                &actor,
                "",
                form,
                "new".into(),
                Posted::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_local(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    state.services.delete_local_procedure(&actor, &id).await?;
    Ok(back_to(Fields(pairs).get("q"), "local"))
}
