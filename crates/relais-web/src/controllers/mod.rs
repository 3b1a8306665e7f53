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
use crate::error::{ApiError, WebError};
use askama::Template;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use relais_domain::ids::{
    AgentId, ApiTokenId, FollowUpId, HelpRequestId, MandateId, NotificationId, PersonId, PlaceId,
    PrivateNoteId, ReferralId,
};
use relais_service::{Actor, ServiceError, SessionContext};
use uuid::Uuid;

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

/// An id that names a row in a route's path.
pub(crate) trait PathId: Sized {
    fn parse_path(raw: &str) -> Option<Self>;
}

macro_rules! path_ids {
    ($($t:ty),*) => {$(
        impl PathId for $t {
            fn parse_path(raw: &str) -> Option<Self> {
                <$t>::parse(raw)
            }
        }
    )*};
}

path_ids!(
    PersonId,
    HelpRequestId,
    FollowUpId,
    MandateId,
    AgentId,
    ApiTokenId,
    PlaceId,
    ReferralId,
    NotificationId,
    PrivateNoteId
);

/// An id of no particular kind (a shipped catalogue entry's, say).
impl PathId for Uuid {
    fn parse_path(raw: &str) -> Option<Self> {
        Uuid::parse_str(raw.trim()).ok()
    }
}

/// What a route's path parameters hold: one id, or two.
pub(crate) trait PathIds: Sized {
    fn from_params(raw: &[String]) -> Option<Self>;
}

macro_rules! one_path_id {
    ($($t:ty),*) => {$(
        impl PathIds for $t {
            fn from_params(raw: &[String]) -> Option<Self> {
                match raw {
                    [id] => <$t>::parse_path(id),
                    _ => None,
                }
            }
        }
    )*};
}

one_path_id!(
    PersonId,
    HelpRequestId,
    FollowUpId,
    MandateId,
    AgentId,
    ApiTokenId,
    PlaceId,
    ReferralId,
    NotificationId,
    Uuid
);

impl<A: PathId, B: PathId> PathIds for (A, B) {
    fn from_params(raw: &[String]) -> Option<Self> {
        match raw {
            [a, b] => Some((A::parse_path(a)?, B::parse_path(b)?)),
            _ => None,
        }
    }
}

/// The typed ids of a route's path (`Id(id): Id<PersonId>`), parsed before
/// the handler runs. An ill-formed id answers 404, the page or the API's
/// `not_found`, as an id that names nothing does.
pub(crate) struct Id<T>(pub T);

impl<T: PathIds, S: Send + Sync> FromRequestParts<S> for Id<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(raw) = Path::<Vec<String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match T::from_params(&raw) {
            Some(ids) => Ok(Id(ids)),
            None if parts.uri.path().starts_with("/api/") => {
                Err(ApiError(ServiceError::NotFound).into_response())
            }
            None => Err(WebError::not_found().into_response()),
        }
    }
}
