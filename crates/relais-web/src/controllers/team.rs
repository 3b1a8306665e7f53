use super::{render_with, Id, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::{FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::{AgentId, Role};
use relais_service::{Actor, InviteOutcome, ServiceError};
use serde::Deserialize;

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_label: String,
    pub status: String,
    pub active: bool,
    pub is_self: bool,
    pub manageable: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    ui: Ui,
    members_title: String,
    members: Vec<MemberRow>,
    /// (intro text, href, shown text)
    new_link: Option<(String, String, String)>,
    roles: Vec<(String, String)>,
    form: FormState,
}

async fn team_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: FormState,
    new_link: Option<(String, String, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = ctx.lang;
    let members = state
        .services
        .list_team(actor)
        .await?
        .into_iter()
        .map(|m| {
            let mut status = if !m.has_password {
                lang.t("team-pending")
            } else if m.active {
                lang.t("team-active")
            } else {
                lang.t("team-inactive")
            };
            if m.totp_enabled {
                status.push_str(&format!(", {}", lang.t("team-totp")));
            }
            MemberRow {
                id: m.agent_id.to_string(),
                role_label: lang.t(&format!("role-{}", m.role.as_str())),
                manageable: !m.is_self && actor.role.can_grant(m.role),
                name: m.name,
                email: m.email,
                status,
                active: m.active,
                is_self: m.is_self,
            }
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| actor.role.can_grant(*r))
        .map(|r| {
            (
                r.as_str().to_owned(),
                lang.t(&format!("role-{}", r.as_str())),
            )
        })
        .collect();
    render_with(
        status,
        &TeamPage {
            members_title: lang.t_with(
                "team-members",
                &[("structure", actor.structure_name.clone())],
            ),
            ui: Ui::new(ctx),
            members,
            new_link,
            roles,
            form,
        },
    )
}

pub async fn show_team(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    team_page(
        &state,
        &ctx,
        &actor,
        FormState::empty(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct InviteIn {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

const INVITE_IDS: &[(&str, &str)] = &[
    ("email", "invite_email"),
    ("name", "invite_name"),
    ("role", "invite_role"),
];

pub async fn invite_member(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<InviteIn>,
) -> Result<Response, WebError> {
    match state
        .services
        .invite(&actor, &input.email, &input.name, &input.role)
        .await
    {
        Ok(InviteOutcome::Link { token, expires_at }) => {
            let ui = Ui::new(&ctx);
            let href = format!("/invite/{token}");
            let intro = ctx
                .lang
                .t_with("invite-link-intro", &[("date", ui.datetime(expires_at))]);
            team_page(
                &state,
                &ctx,
                &actor,
                FormState::empty(),
                Some((intro, full_url(&state, &href), href)),
                StatusCode::OK,
            )
            .await
        }
        Ok(InviteOutcome::JoinLink { token, expires_at }) => {
            let ui = Ui::new(&ctx);
            let href = format!("/join/{token}");
            let intro = ctx
                .lang
                .t_with("join-link-intro", &[("date", ui.datetime(expires_at))]);
            team_page(
                &state,
                &ctx,
                &actor,
                FormState::empty(),
                Some((intro, full_url(&state, &href), href)),
                StatusCode::OK,
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            let values = [
                ("email", input.email.as_str()),
                ("name", input.name.as_str()),
                ("role", input.role.as_str()),
            ];
            let form = FormState::with_errors(ctx.lang, &values, &errors, INVITE_IDS);
            team_page(
                &state,
                &ctx,
                &actor,
                form,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(e)) => {
            let values = [
                ("email", input.email.as_str()),
                ("name", input.name.as_str()),
                ("role", input.role.as_str()),
            ];
            let form = FormState::with_errors(ctx.lang, &values, &[e], INVITE_IDS);
            team_page(&state, &ctx, &actor, form, None, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn deactivate_member(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<AgentId>,
) -> Result<Response, WebError> {
    state.services.set_member_active(&actor, id, false).await?;
    Ok(Redirect::to("/team?done=member-deactivated").into_response())
}

pub async fn reactivate_member(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<AgentId>,
) -> Result<Response, WebError> {
    state.services.set_member_active(&actor, id, true).await?;
    Ok(Redirect::to("/team?done=member-reactivated").into_response())
}

pub async fn create_reset_link(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<AgentId>,
) -> Result<Response, WebError> {
    let (token, expires_at) = state.services.create_reset_link(&actor, id).await?;
    let ui = Ui::new(&ctx);
    let href = format!("/reset/{token}");
    let intro = ctx
        .lang
        .t_with("reset-link-intro", &[("date", ui.datetime(expires_at))]);
    team_page(
        &state,
        &ctx,
        &actor,
        FormState::empty(),
        Some((intro, full_url(&state, &href), href)),
        StatusCode::OK,
    )
    .await
}

/// The address a supervisor passes on (by e-mail, on paper): whole, so
/// that it can be opened from anywhere.
fn full_url(state: &AppState, path: &str) -> String {
    format!(
        "{}{path}",
        state.services.config().public_url.trim_end_matches('/')
    )
}
