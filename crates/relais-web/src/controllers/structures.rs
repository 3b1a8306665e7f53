use super::{render_with, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::{FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::StructureKind;
use relais_service::{Actor, ServiceError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "structures.html")]
struct StructuresPage {
    ui: Ui,
    /// (name, slug, kind label, siret, commune)
    structures: Vec<(String, String, String, String, String)>,
    kinds: Vec<(String, String)>,
    form: FormState,
}

const IDS: &[(&str, &str)] = &[
    ("name", "structure_name"),
    ("slug", "structure_slug"),
    ("kind", "structure_kind"),
    ("siret", "structure_siret"),
    ("commune", "structure_commune"),
];

async fn page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = ctx.lang;
    let structures = state
        .services
        .list_structures(actor)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.name,
                s.slug,
                lang.t(&format!("kind-{}", s.kind.as_str())),
                s.siret.unwrap_or_default(),
                s.commune.unwrap_or_default(),
            )
        })
        .collect();
    let kinds = StructureKind::ALL
        .into_iter()
        .map(|k| {
            (
                k.as_str().to_owned(),
                lang.t(&format!("kind-{}", k.as_str())),
            )
        })
        .collect();
    render_with(
        status,
        &StructuresPage {
            ui: Ui::new(ctx),
            structures,
            kinds,
            form,
        },
    )
}

pub async fn list_structures(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    page(&state, &ctx, &actor, FormState::empty(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct StructureIn {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    siret: String,
    #[serde(default)]
    commune: String,
}

pub async fn create_structure(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<StructureIn>,
) -> Result<Response, WebError> {
    let values = [
        ("name", input.name.as_str()),
        ("slug", input.slug.as_str()),
        ("kind", input.kind.as_str()),
        ("siret", input.siret.as_str()),
        ("commune", input.commune.as_str()),
    ];
    match state
        .services
        .create_structure(
            &actor,
            &input.name,
            &input.slug,
            &input.kind,
            &input.siret,
            &input.commune,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/structures?done=structure-created").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::with_errors(ctx.lang, &values, &errors, IDS);
            page(&state, &ctx, &actor, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict(e)) => {
            let form = FormState::with_errors(ctx.lang, &values, &[e], IDS);
            page(&state, &ctx, &actor, form, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
