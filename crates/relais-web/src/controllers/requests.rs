//! Request pages: the list with filters, one request with its
//! interventions and follow-ups; follow-ups marked done.

use super::persons::intervention_line;
use super::views::{display_name, follow_up_view, request_row_view, FollowUpView, RequestRowView};
use super::{render_with, Id, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::refusal::RefusalView;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::{FollowUpId, HelpRequestId};
use relais_service::views::{HelpRequest, HelpRequestItem};
use relais_service::{
    Actor, FollowUpInput, InterventionInput, ListInput, RequestInput, ServiceError,
};

const PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    ui: Ui,
    heading: String,
    mine: bool,
    form: FormState,
    open: Vec<RequestRowView>,
    agents: Vec<(String, String)>,
    prev: Option<String>,
    next: Option<String>,
}

fn list_input(f: &Fields) -> ListInput {
    ListInput {
        status: f.owned("status"),
        category: f.owned("category"),
        operator: f.owned("operator"),
        agent_id: f.owned("agent_id"),
        from: f.owned("from"),
        to: f.owned("to"),
        urgent: f.owned("urgent"),
        mine: f.checked("mine"),
        open_only: false,
    }
}

pub async fn list_requests(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let ui = Ui::new(&ctx);
    let page: i64 = f.get("page").parse().unwrap_or(1).max(1);
    let input = list_input(&f);
    let agents = state
        .services
        .assignable_agents(&actor)
        .await?
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    let heading = if input.mine {
        ui.t("requests-mine")
    } else {
        ui.t("requests-title")
    };
    let (rows, more, form, status) = match state
        .services
        .list_help_requests(&actor, &input, PAGE, (page - 1) * PAGE)
        .await
    {
        Ok((rows, more)) => (
            rows,
            more,
            FormState::with_values(f.0.clone()),
            StatusCode::OK,
        ),
        Err(ServiceError::Invalid(errors)) => (
            Vec::new(),
            false,
            FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e.into()),
    };
    let link = |p: i64| {
        let mut q: Vec<(String, String)> =
            f.0.iter().filter(|(k, _)| k != "page").cloned().collect();
        q.push(("page".into(), p.to_string()));
        let qs: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q)
            .finish();
        format!("/requests?{qs}")
    };
    render_with(
        status,
        &RequestsPage {
            open: rows.iter().map(|r| request_row_view(&ui, r)).collect(),
            ui,
            heading,
            mine: input.mine,
            form,
            agents,
            prev: (page > 1).then(|| link(page - 1)),
            next: more.then(|| link(page + 1)),
        },
    )
}

/// One intervention on the request page.
struct InterventionView {
    line: String,
    summary: String,
    /// The mandate a "faire pour" relied on: (link, code and dates).
    mandate: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    ui: Ui,
    id: String,
    heading: String,
    person: String,
    person_href: Option<String>,
    urgent: bool,
    facts: Vec<(String, String)>,
    interventions: Vec<InterventionView>,
    follow_ups: Vec<FollowUpView>,
    agents: Vec<(String, String)>,
    form: FormState,
    current_status: String,
    current_outcome: String,
    current_block: String,
    /// The structure's partner contacts for the request's operator.
    channel: Vec<(String, String)>,
    /// What to bring and tips, when the procedure is in the catalogue.
    documents: Vec<String>,
    tips: String,
    local_note: String,
    referrals: Vec<super::places::ReferralLine>,
    referral_statuses: Vec<(&'static str, String)>,
    /// A refusal of the intervention just tried, with its ways forward.
    refusal: Option<RefusalView>,
    /// Whose draft this browser keeps (the agent and the structure).
    draft_owner: String,
}

async fn request_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: HelpRequestId,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    request_page_with(state, ctx, actor, id, form, status, None).await
}

async fn request_page_with(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: HelpRequestId,
    form: FormState,
    status: StatusCode,
    refusal: Option<RefusalView>,
) -> Result<Response, WebError> {
    let file = state.services.help_request(actor, id).await?;
    let ui = Ui::new(ctx);
    let today = state.services.today();
    let r = &file.request.request;
    let facts = request_facts(&ui, r);
    let (person, person_href) = person_line(&ui, &file.request);
    let form = if form.value("assignee_id").is_empty() {
        let mut v = form.values().to_vec();
        v.push(("assignee_id".into(), actor.agent_id.to_string()));
        FormState::with_values(v).with_errors_of(form)
    } else {
        form
    };
    let agents = state
        .services
        .assignable_agents(actor)
        .await?
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    let en = ctx.lang == crate::i18n::Lang::En;
    let picked = state
        .services
        .pick_structure_procedure(actor, &r.procedure, None, None)
        .await?
        .map(|(p, _)| p);
    let operator_key = r
        .operator
        .clone()
        .or_else(|| picked.as_ref().map(|p| p.operator.clone()))
        .unwrap_or_default();
    let channel = state
        .services
        .channel_for_operator(actor, &operator_key)
        .await?
        .map(|c| super::views::channel_lines(&ui, &c))
        .unwrap_or_default();
    let (documents, tips, local_note) = match &picked {
        Some(p) => (
            if en { &p.documents_en } else { &p.documents }.clone(),
            if en { &p.tips_en } else { &p.tips }.clone(),
            p.local_note.clone(),
        ),
        None => (Vec::new(), String::new(), String::new()),
    };
    let referrals =
        super::places::referral_lines(&ui, state.services.referrals_of_request(actor, r.id).await?);
    let refusal = refusal
        .map(|v| on_request_page(v, id, &form, state.services.today(), ctx.lang, &r.procedure));
    render_with(
        status,
        &RequestPage {
            refusal,
            draft_owner: format!("{}:{}", actor.agent_id, actor.structure_id),
            referral_statuses: super::places::referral_statuses(&ui),
            referrals,
            channel,
            documents,
            tips,
            local_note,
            id: r.id.to_string(),
            heading: ctx
                .lang
                .t_with("request-title", &[("reference", r.reference.clone())]),
            person,
            person_href,
            urgent: r.rights_at_risk,
            facts,
            interventions: file
                .interventions
                .iter()
                .map(|i| InterventionView {
                    line: intervention_line(&ui, &i.intervention, i.agent_name.as_deref()),
                    summary: i.intervention.summary.clone().unwrap_or_default(),
                    mandate: i
                        .intervention
                        .mandate_id
                        .and_then(|id| file.mandates.iter().find(|m| m.id == id))
                        .map(|m| {
                            (
                                format!("/mandates/{}", m.id),
                                ui.lang.t_with(
                                    "mandate-covered-by",
                                    &[
                                        ("code", m.verification_code.clone()),
                                        ("period", super::mandates::mandate_period(&ui, m)),
                                    ],
                                ),
                            )
                        }),
                })
                .collect(),
            follow_ups: file
                .follow_ups
                .iter()
                .map(|f| follow_up_view(&ui, f, today))
                .collect(),
            agents,
            current_status: r.status.as_str().to_owned(),
            current_outcome: r.outcome.map(|o| o.as_str().to_owned()).unwrap_or_default(),
            current_block: r
                .block_reason
                .map(|b| b.as_str().to_owned())
                .unwrap_or_default(),
            ui,
            form,
        },
    )
}

pub async fn show_request(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<HelpRequestId>,
) -> Result<Response, WebError> {
    let defaults = vec![
        ("duration_minutes".to_owned(), "30".to_owned()),
        ("place".to_owned(), "on_site".to_owned()),
    ];
    request_page(
        &state,
        &ctx,
        &actor,
        id,
        FormState::with_values(defaults),
        StatusCode::OK,
    )
    .await
}

pub async fn add_intervention(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<HelpRequestId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let input = InterventionInput {
        mode: f.owned("mode"),
        duration_minutes: f.owned("duration_minutes"),
        place: f.owned("place"),
        summary: f.owned("summary"),
        next_step: f.owned("next_step"),
        occurred_at: f.owned("occurred_at"),
        mandate_id: f.owned("mandate_id"),
        confirm_secret: f.checked("confirm_secret"),
    };
    let status = RequestInput {
        status: f.owned("status"),
        outcome: f.owned("outcome"),
        block_reason: f.owned("block_reason"),
        ..RequestInput::default()
    };
    match state
        .services
        .add_intervention(&actor, id, &input, &status)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/requests/{id}?done=intervention-added")).into_response())
        }
        Err(ServiceError::PolicyRefused(r)) => {
            let person = state
                .services
                .help_request(&actor, id)
                .await?
                .request
                .request
                .person_id
                .map(|p| p.to_string());
            let back = format!("/requests/{id}?restore=1#h-add");
            let view =
                super::intake::refusal_view(&state, &actor, &ctx, &r, person.as_deref(), &back)
                    .await?;
            let form = FormState::from_fields(
                ctx.lang,
                f.0.clone(),
                &[relais_domain::FieldError::new("mode", "policy_refused")],
                &[],
            );
            request_page_with(
                &state,
                &ctx,
                &actor,
                id,
                form.with_message("mode", view.message.clone()),
                StatusCode::CONFLICT,
                Some(view),
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]);
            request_page(
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

pub async fn add_follow_up(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<HelpRequestId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let input = FollowUpInput {
        due_date: f.owned("due_date"),
        reason: f.owned("reason"),
        assignee_id: f.owned("assignee_id"),
        confirm_secret: f.checked("confirm_secret"),
    };
    match state
        .services
        .create_follow_up(&actor, Some(id), None, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/requests/{id}?done=follow-up-added")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &[]);
            request_page(
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

/// Marks a follow-up done and goes back where the button was.
pub async fn follow_up_done(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<FollowUpId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    state
        .services
        .update_follow_up(&actor, id, Some(true), &FollowUpInput::default())
        .await?;
    let f = Fields(pairs);
    let back = f.get("back");
    let back = if back.starts_with('/') && !back.starts_with("//") {
        back
    } else {
        "/"
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}done=follow-up-done-ok")).into_response())
}

/// Changes a request's status (and outcome) without an intervention.
pub async fn update_status(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Id(id): Id<HelpRequestId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let change = |input: &mut RequestInput| {
        input.status = f.owned("status");
        input.outcome = f.owned("outcome");
        input.block_reason = f.owned("block_reason");
    };
    match state.services.update_help_request(&actor, id, change).await {
        Ok(()) => Ok(Redirect::to(&format!("/requests/{id}?done=request-updated")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::from_fields(
                ctx.lang,
                Vec::new(),
                &errors,
                &[
                    ("status", "new_status"),
                    ("outcome", "new_outcome"),
                    ("block_reason", "new_block_reason"),
                ],
            );
            request_page(
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

/// A refusal's actions on a request page: "done with" posts the
/// intervention again; handing over adds a reminder today for the agent
/// chosen.
fn on_request_page(
    mut v: RefusalView,
    id: HelpRequestId,
    form: &FormState,
    today: chrono::NaiveDate,
    lang: crate::i18n::Lang,
    procedure: &str,
) -> RefusalView {
    v.action = format!("/requests/{id}/interventions");
    v.values = RefusalView::carry(form.values());
    v.hand_over_action = format!("/requests/{id}/follow-ups");
    v.hand_over_values = vec![
        ("due_date".to_owned(), today.to_string()),
        (
            "reason".to_owned(),
            crate::refusal::hand_over_reason(lang, procedure),
        ),
    ];
    v.hand_over_field = "assignee_id".to_owned();
    v
}

/// The request's facts as the page lists them.
fn request_facts(ui: &Ui, r: &HelpRequest) -> Vec<(String, String)> {
    let mut facts = vec![
        (ui.t("procedure"), r.procedure.clone()),
        (ui.t("category"), ui.label("category", r.category.as_str())),
        (ui.t("status"), ui.label("status", r.status.as_str())),
        (ui.t("channel"), ui.label("channel", r.channel.as_str())),
        (ui.t("created-on"), ui.datetime(r.created_at)),
    ];
    if let Some(o) = &r.operator {
        facts.push((ui.t("operator"), o.clone()));
    }
    if let Some(o) = r.outcome {
        facts.push((ui.t("outcome"), ui.label("outcome", o.as_str())));
    }
    if let Some(b) = r.block_reason {
        facts.push((ui.t("block-reason"), ui.label("block", b.as_str())));
    }
    if let Some(d) = r.deadline {
        facts.push((ui.t("deadline"), ui.date(d)));
    }
    facts
}

/// Who the request is for, with a link to the person's file (an anonymous
/// visit: its age bracket and commune).
fn person_line(ui: &Ui, l: &HelpRequestItem) -> (String, Option<String>) {
    let r = &l.request;
    match (&l.person_first_name, &l.person_last_name, r.person_id) {
        (Some(a), Some(b), Some(pid)) => {
            (display_name(a, b, None), Some(format!("/persons/{pid}")))
        }
        _ => {
            let mut s = ui.t("anonymous");
            if let Some(a) = r.anon_age_bracket {
                s.push_str(&format!(" · {}", ui.label("age", a.as_str())));
            }
            if let Some(c) = &r.anon_commune {
                s.push_str(&format!(" · {c}"));
            }
            (s, None)
        }
    }
}
