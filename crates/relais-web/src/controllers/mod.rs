//! Handlers, one module per area: each parses input, calls one use case,
//! renders the result.

pub mod account;
pub mod api;
pub mod api_catalog;
pub mod api_desk;
pub mod api_input;
pub mod api_mandates;
pub mod api_places;
pub mod api_privacy;
pub mod api_stats;
pub mod assets;
pub mod auth;
pub mod catalogue;
pub mod exports;
pub mod health;
pub mod home;
pub mod inbox;
pub mod intake;
pub mod lang;
pub mod links;
pub mod mandates;
pub mod persons;
pub mod places;
pub mod privacy;
pub mod requests;
pub mod stats;
pub mod structures;
pub mod team;
mod views;

use crate::context::Ctx;
use crate::error::WebError;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use relais_service::{Actor, SessionContext};

/// The signed-in session and actor, or the way back into the sign-in.
pub(crate) fn signed(ctx: &Ctx) -> Result<(&SessionContext, &Actor), WebError> {
    let s = ctx.session.as_ref().ok_or(WebError::SignIn(None))?;
    let a = s.actor.as_ref().ok_or(WebError::SignIn(Some(s.stage)))?;
    Ok((s, a))
}

/// The signed-in session and the actor it acts as: the one way a page
/// handler gets its actor. The route's guard has already let the agent
/// in; without a full sign-in this answers what the guard would, the way
/// back into the sign-in.
pub(crate) struct SignedIn(pub SessionContext, pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WebError> {
        let ctx = parts
            .extensions
            .get::<Ctx>()
            .ok_or(WebError::SignIn(None))?;
        let (session, actor) = signed(ctx)?;
        Ok(SignedIn(session.clone(), actor.clone()))
    }
}

pub(crate) fn render(t: &impl Template) -> Result<Response, WebError> {
    Ok(Html(t.render()?).into_response())
}

pub(crate) fn render_with(
    status: axum::http::StatusCode,
    t: &impl Template,
) -> Result<Response, WebError> {
    Ok((status, Html(t.render()?)).into_response())
}
