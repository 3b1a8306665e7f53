//! The one-screen intake: person, request, what was done, what next.

use super::views::{hit_view, HitView};
use super::{render_with, signed, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::refusal::RefusalView;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::desk::DURATION_CHOICES;
use relais_domain::{FieldError, PersonId, RequestStatus};
use relais_service::{
    Actor, FollowUpInput, IntakeInput, InterventionInput, PersonChoice, PersonHit, PersonInput,
    RequestInput, ServiceError,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "search_results.html")]
pub struct SearchResults<'a> {
    pub ui: &'a Ui,
    pub hits: Vec<HitView>,
    pub selected: String,
    pub searched: bool,
    /// For a search that found nobody: the names it carries into the
    /// new-person form.
    pub first: String,
    pub last: String,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    ui: Ui,
    form: FormState,
    q: String,
    results_html: String,
    similar_html: String,
    submission_key: String,
    durations: Vec<(String, String)>,
    agents: Vec<(String, String)>,
    /// The policy's rule for "done for", shown where work happens.
    banner: String,
    charter: String,
    /// A refusal by the policy, with its facts and ways forward.
    refusal: Option<RefusalView>,
    /// Titles of the catalogue's procedures, for the picker.
    procedures: Vec<String>,
    /// "In a week", "in two weeks", "in a month": (date, label).
    follow_shortcuts: Vec<(String, String)>,
    /// Usual reasons for a follow-up, offered while typing.
    follow_reasons: Vec<String>,
    /// Today (Paris), the earliest follow-up day.
    today: String,
    /// Whose draft this browser keeps (the agent and the structure).
    draft_owner: String,
    /// Focus the person search on a fresh form.
    autofocus: bool,
}

#[derive(Deserialize, Default)]
pub struct IntakeQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    person_id: String,
}

pub fn results_fragment(
    ui: &Ui,
    hits: &[PersonHit],
    selected: &str,
    searched: bool,
) -> Result<String, WebError> {
    results_for(ui, hits, selected, searched, "")
}

fn results_for(
    ui: &Ui,
    hits: &[PersonHit],
    selected: &str,
    searched: bool,
    q: &str,
) -> Result<String, WebError> {
    let (first, last) = relais_domain::desk::names_from_search(q);
    Ok(SearchResults {
        ui,
        hits: hits.iter().map(hit_view).collect(),
        selected: selected.to_owned(),
        searched,
        first,
        last,
    }
    .render()?)
}

const DEFAULTS: &[(&str, &str)] = &[
    ("channel", "walk_in"),
    ("status", RequestStatus::Done.as_str()),
    ("duration_minutes", "30"),
    ("place", "on_site"),
    ("person_mode", "existing"),
];

#[allow(clippy::too_many_arguments)]
async fn intake_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    mut form: FormState,
    q: &str,
    selected: &str,
    similar: &[PersonHit],
    status: StatusCode,
    refusal: Option<RefusalView>,
) -> Result<Response, WebError> {
    let policy = state.services.policy(actor).await?;
    let banner = match policy.mandate_rule {
        relais_domain::mandate::MandateRule::Required => ctx.lang.t("policy-banner-required"),
        relais_domain::mandate::MandateRule::Recommended => ctx.lang.t("policy-banner-recommended"),
        relais_domain::mandate::MandateRule::NotRequired => String::new(),
    };
    let ui = Ui::new(ctx);
    let hits = intake_hits(state, actor, q, selected).await?;
    if status == StatusCode::OK
        && hits.is_empty()
        && !q.trim().is_empty()
        && form.has("person_mode", "existing")
    {
        form = as_new_person(&form, q);
    }
    if form.value("assignee_id").is_empty() {
        form = FormState::from_fields(
            ctx.lang,
            {
                let mut v = form_values(&form);
                v.push(("assignee_id".into(), actor.agent_id.to_string()));
                v
            },
            &[],
            &[],
        )
        .with_errors_of(form);
    }
    let results_html = results_for(&ui, &hits, selected, !q.trim().is_empty(), q)?;
    let similar_html = if similar.is_empty() {
        String::new()
    } else {
        results_fragment(&ui, similar, "", true)?
    };
    let agents = state
        .services
        .assignable_agents(actor)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let durations = DURATION_CHOICES
        .iter()
        .map(|d| {
            (
                d.to_string(),
                ctx.lang.t_with("minutes", &[("n", d.to_string())]),
            )
        })
        .collect();
    let today = state.services.today();
    let follow_shortcuts = relais_domain::desk::follow_up_shortcuts(today)
        .iter()
        .map(|(key, day)| {
            (
                day.to_string(),
                ctx.lang
                    .t_with(&format!("follow-up-in-{key}"), &[("date", ui.date(*day))]),
            )
        })
        .collect();
    let follow_reasons = ctx
        .lang
        .t("follow-up-reasons")
        .split('|')
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    let autofocus = status == StatusCode::OK && q.is_empty() && selected.is_empty();
    render_with(
        status,
        &IntakePage {
            follow_shortcuts,
            follow_reasons,
            today: today.to_string(),
            draft_owner: format!("{}:{}", actor.agent_id, actor.structure_id),
            autofocus,
            ui,
            form,
            q: q.to_owned(),
            results_html,
            similar_html,
            submission_key: uuid::Uuid::new_v4().to_string(),
            durations,
            agents,
            banner,
            charter: policy.charter,
            refusal,
            procedures: state
                .services
                .structure_procedures(actor, false)
                .await?
                .iter()
                .map(|p| {
                    if ctx.lang == crate::i18n::Lang::En {
                        p.title_en.clone()
                    } else {
                        p.title.clone()
                    }
                })
                .collect(),
        },
    )
}

/// The persons the intake lists: those the search found, and the person
/// already chosen first when the search does not list them.
async fn intake_hits(
    state: &AppState,
    actor: &Actor,
    q: &str,
    selected: &str,
) -> Result<Vec<PersonHit>, WebError> {
    let mut hits = if q.trim().is_empty() {
        Vec::new()
    } else {
        state.services.search_persons(actor, q, 15).await?
    };
    if let Some(id) = PersonId::parse(selected) {
        if !hits.iter().any(|h| h.id == id) {
            if let Ok(p) = state.services.person(actor, id).await {
                hits.insert(
                    0,
                    PersonHit {
                        id,
                        first_name: p.first_name.clone(),
                        last_name: p.last_name.clone(),
                        usual_name: p.usual_name.clone(),
                        birth_year: p.birth_year,
                        commune: p.commune.clone(),
                        score: 0,
                        mandate: None,
                    },
                );
            }
        }
    }
    Ok(hits)
}

/// Nobody found: a new person is likelier, with the names searched
/// carried into the new-person form.
fn as_new_person(form: &FormState, q: &str) -> FormState {
    let (first, last) = relais_domain::desk::names_from_search(q);
    let v = form
        .values()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "first_name" | "last_name"))
        .map(|(k, v)| {
            if k == "person_mode" {
                (k.clone(), "new".to_owned())
            } else {
                (k.clone(), v.clone())
            }
        })
        .chain([
            ("first_name".to_owned(), first),
            ("last_name".to_owned(), last),
        ])
        .collect();
    FormState::with_values(v)
}

fn form_values(form: &FormState) -> Vec<(String, String)> {
    form.values().to_vec()
}

pub async fn show_intake(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<IntakeQuery>,
) -> Result<Response, WebError> {
    let mut values: Vec<(String, String)> = DEFAULTS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    if !q.person_id.is_empty() {
        values.push(("person_id".into(), q.person_id.clone()));
    }
    intake_page(
        &state,
        &ctx,
        &actor,
        FormState::with_values(values),
        &q.q,
        &q.person_id,
        &[],
        StatusCode::OK,
        None,
    )
    .await
}

fn intake_input(f: &Fields, today: chrono::NaiveDate) -> IntakeInput {
    let mode = match f.get("person_mode") {
        "" if !f.get("person_id").is_empty() => "existing",
        "" if !f.get("last_name").is_empty() => "new",
        m => m,
    };
    let person = match mode {
        "new" => PersonChoice::New {
            person: Box::new(PersonInput {
                first_name: f.owned("first_name"),
                last_name: f.owned("last_name"),
                birth_year: f.owned("birth_year"),
                phone: f.owned("phone"),
                postcode: f.owned("postcode"),
                commune: f.owned("commune"),
                privacy_notice_on: if f.checked("privacy_notice") {
                    today.to_string()
                } else {
                    String::new()
                },
                ..PersonInput::default()
            }),
            confirm_new: f.checked("confirm_new"),
        },
        "anonymous" => PersonChoice::Anonymous {
            age_bracket: f.owned("anon_age_bracket"),
            postcode: f.owned("anon_postcode"),
            commune: f.owned("anon_commune"),
        },
        _ => PersonChoice::Existing(f.owned("person_id")),
    };
    let duration = match f.get("duration_minutes") {
        "other" => f.owned("duration_other"),
        d => d.to_owned(),
    };
    // A typed date wins over the shortcut (the page's script keeps them
    // together; without it, the shortcut alone gives the day).
    let due_date = match (f.get("follow_up_date").trim(), f.get("follow_up_in").trim()) {
        ("", shortcut) => shortcut.to_owned(),
        (typed, _) => typed.to_owned(),
    };
    let follow_up =
        (!due_date.is_empty() || !f.get("follow_up_reason").trim().is_empty()).then(|| {
            FollowUpInput {
                due_date,
                reason: f.owned("follow_up_reason"),
                assignee_id: f.owned("assignee_id"),

                confirm_secret: f.checked("confirm_secret"),
            }
        });
    IntakeInput {
        person,
        request: RequestInput {
            procedure: f.owned("procedure"),
            category: f.owned("category"),
            operator: f.owned("operator"),
            channel: f.owned("channel"),
            rights_at_risk: f.checked("rights_at_risk"),
            deadline: f.owned("deadline"),
            status: f.owned("status"),
            outcome: f.owned("outcome"),
            block_reason: f.owned("block_reason"),
        },
        intervention: Some(InterventionInput {
            mode: f.owned("mode"),
            duration_minutes: duration,
            place: f.owned("place"),
            summary: f.owned("summary"),
            next_step: f.owned("next_step"),
            occurred_at: String::new(),
            mandate_id: f.owned("mandate_id"),

            confirm_secret: f.checked("confirm_secret"),
        }),
        follow_up,
        submission_key: f.owned("submission_key"),
    }
}

pub async fn record_intake(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let mut input = intake_input(&f, state.services.today());
    let anonymous = matches!(input.person, PersonChoice::Anonymous { .. });
    let handing_over = f.get("hand_over") == "1";
    let mut early: Vec<FieldError> = Vec::new();
    // Two durations: the service is asked without one, so that it still
    // reports every other problem; its "required" becomes the real cause.
    let contradiction = duration_contradiction(&f);
    if contradiction.is_some() {
        if let Some(i) = input.intervention.as_mut() {
            i.duration_minutes = String::new();
        }
    }
    if handing_over {
        match hand_over(&state, &actor, &f, &ctx).await? {
            Ok(follow_up) => {
                // The worker hands the doing over: the request is recorded
                // open, with a reminder for the agent who may act for the
                // person; nothing was done for them yet.
                input.intervention = None;
                input.request.status = RequestStatus::Open.as_str().to_owned();
                input.request.outcome = String::new();
                input.request.block_reason = String::new();
                input.follow_up = Some(follow_up);
            }
            Err(e) => early.push(e),
        }
    }
    let outcome = if early.is_empty() {
        state.services.record_intake(&actor, &input).await
    } else {
        Err(ServiceError::Invalid(early))
    };
    match outcome {
        Ok(r) => {
            let done = if r.repeated {
                // The same form sent again (another of the refusal's
                // actions, a second click): nothing more was recorded.
                "request-already-recorded"
            } else if handing_over {
                "handed-over"
            } else if r.warning.is_some() {
                "mandate-warned"
            } else {
                "request-recorded"
            };
            let to = if f.get("then") == "new" {
                format!("/intake?done={done}")
            } else {
                format!("/requests/{}?done={done}", r.id)
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = invalid_form(ctx.lang, &f, errors, contradiction, anonymous);
            intake_page(
                &state,
                &ctx,
                &actor,
                form,
                f.get("q"),
                f.get("person_id"),
                &[],
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
        Err(ServiceError::SimilarPersons(similar)) => {
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &[], &[]);
            intake_page(
                &state,
                &ctx,
                &actor,
                form,
                f.get("q"),
                "",
                &similar,
                StatusCode::CONFLICT,
                None,
            )
            .await
        }
        Err(ServiceError::PolicyRefused(r)) => {
            let person_id = match &input.person {
                PersonChoice::Existing(id) if !id.is_empty() => Some(id.as_str()),
                _ => None,
            };
            let mut view =
                refusal_view(&state, &actor, &ctx, &r, person_id, "/intake?restore=1").await?;
            view.action = "/intake".to_owned();
            view.values = RefusalView::carry(&f.0);
            view.hand_over_action = "/intake".to_owned();
            view.hand_over_values = view.values.clone();
            view.hand_over_values
                .push(("hand_over".to_owned(), "1".to_owned()));
            view.hand_over_field = "hand_over_to".to_owned();
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &[], &[]);
            intake_page(
                &state,
                &ctx,
                &actor,
                form,
                f.get("q"),
                f.get("person_id"),
                &[],
                StatusCode::CONFLICT,
                Some(view),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A chip ticked and another duration typed: the server does not guess.
fn duration_contradiction(f: &Fields) -> Option<FieldError> {
    let chip = f.get("duration_minutes").trim();
    let typed = f.get("duration_other").trim();
    (chip != "other" && !chip.is_empty() && !typed.is_empty() && typed != chip)
        .then(|| FieldError::new("duration_minutes", "duration_contradiction"))
}

/// The reminder that hands a request over to an agent who may act for
/// the person (today, on the procedure), or why the choice is refused.
async fn hand_over(
    state: &AppState,
    actor: &Actor,
    f: &Fields,
    ctx: &Ctx,
) -> Result<Result<FollowUpInput, FieldError>, WebError> {
    let to = f.get("hand_over_to");
    let allowed = state.services.agents_who_may_act_for(actor).await?;
    if !allowed.iter().any(|(id, _)| id.to_string() == to) {
        return Ok(Err(FieldError::new("hand_over_to", "invalid_choice")));
    }
    Ok(Ok(FollowUpInput {
        due_date: state.services.today().to_string(),
        reason: crate::refusal::hand_over_reason(ctx.lang, f.get("procedure")),
        assignee_id: to.to_owned(),
        confirm_secret: f.checked("confirm_secret"),
    }))
}

/// The refusal with its facts and the actions that fit, for a page.
pub(crate) async fn refusal_view(
    state: &AppState,
    actor: &Actor,
    ctx: &Ctx,
    r: &relais_domain::mandate::Refused,
    person_id: Option<&str>,
    back: &str,
) -> Result<RefusalView, WebError> {
    let policy = state.services.policy(actor).await?;
    let hand_over = if r.hand_over_helps() {
        state
            .services
            .agents_who_may_act_for(actor)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(crate::refusal::view(
        ctx.lang,
        r,
        &policy,
        Some(actor.role),
        person_id,
        back,
        hand_over,
    ))
}

/// The form shown again with the service's errors, each beside its input:
/// a contradiction of durations replaces the duration's "required", and
/// field names are those of the form (see [`remap`]).
fn invalid_form(
    lang: crate::i18n::Lang,
    f: &Fields,
    mut errors: Vec<FieldError>,
    contradiction: Option<FieldError>,
    anonymous: bool,
) -> FormState {
    if let Some(c) = contradiction {
        for e in errors.iter_mut().filter(|e| e.field == c.field) {
            *e = c.clone();
        }
    }
    // Errors without an input of their name point at the nearest one.
    let ids = [
        ("duration_minutes", "duration_other"),
        ("mode", "mode-err"),
        ("privacy_notice_on", "privacy_notice"),
    ];
    FormState::from_fields(lang, f.0.clone(), &remap(errors, anonymous), &ids)
}

/// Field names of the anonymous block and of the follow-up differ in the
/// form from the service's; errors are renamed so that they land beside
/// the right input.
fn remap(errors: Vec<FieldError>, anonymous: bool) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            let field = match (e.field, anonymous) {
                ("age_bracket", true) => "anon_age_bracket",
                ("postcode", true) => "anon_postcode",
                ("commune", true) => "anon_commune",
                ("due_date", _) => "follow_up_date",
                ("reason", _) => "follow_up_reason",
                (f, _) => f,
            };
            FieldError { field, ..e }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The results fragment for search as you type.
pub async fn search_fragment(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let hits = state.services.search_persons(&actor, &q.q, 15).await?;
    let ui = Ui::new(&ctx);
    Ok(Html(results_for(&ui, &hits, "", !q.q.trim().is_empty(), &q.q)?).into_response())
}

#[derive(Template)]
#[template(path = "procedure_info.html")]
struct ProcedureInfo {
    ui: Ui,
    title: String,
    category: String,
    operator: String,
    link: String,
    documents: Vec<String>,
    tips: String,
    /// The structure's own note about the procedure.
    local_note: String,
    /// How the structure reaches the operator as a partner.
    channel: Vec<(String, String)>,
    anchor_label: String,
    anchor: String,
    window_text: String,
    follow_date: String,
    follow_reason: String,
}

#[derive(Deserialize, Default)]
pub struct PickQuery {
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    anchor: String,
    #[serde(default)]
    postcode: String,
}

/// The catalogue entry of the procedure being typed at intake: what to
/// bring, tips, and the follow-up its deadline proposes (an HTML fragment;
/// empty when the procedure is not in the catalogue).
pub async fn procedure_fragment(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PickQuery>,
) -> Result<Response, WebError> {
    let anchor = chrono::NaiveDate::parse_from_str(q.anchor.trim(), "%Y-%m-%d").ok();
    let postcode = Some(q.postcode.as_str()).filter(|p| !p.trim().is_empty());
    let Some((p, next)) = state
        .services
        .pick_structure_procedure(&actor, &q.procedure, anchor, postcode)
        .await?
    else {
        return Ok(Html(String::new()).into_response());
    };
    let ui = Ui::new(&ctx);
    let en = ctx.lang == crate::i18n::Lang::En;
    let title = if en { &p.title_en } else { &p.title }.clone();
    let operator = match state.services.catalog().operator(&p.operator) {
        Some(o) => {
            if en {
                o.name_en.clone()
            } else {
                o.name.clone()
            }
        }
        None => p.operator.clone(),
    };
    let anchor_label = match &p.deadline {
        Some(rule) if rule.needs_anchor() => ui.t(&format!("procedure-anchor-{}", rule.kind())),
        _ => String::new(),
    };
    let (window_text, follow_date, follow_reason) = match next {
        Some((day, w)) => {
            let text = ctx.lang.t_with(
                "procedure-window",
                &[
                    ("opens", ui.date(w.opens)),
                    ("closes", ui.date(w.closes)),
                    ("day", ui.date(day)),
                ],
            );
            let reason = ctx.lang.t_with(
                "procedure-follow-reason",
                &[
                    ("title", title.clone()),
                    ("opens", ui.date(w.opens)),
                    ("closes", ui.date(w.closes)),
                ],
            );
            (text, day.to_string(), reason.chars().take(300).collect())
        }
        None if p.deadline.is_some() && anchor_label.is_empty() => {
            (ui.t("procedure-no-window"), String::new(), String::new())
        }
        None => (String::new(), String::new(), String::new()),
    };
    let channel = state
        .services
        .channel_for_operator(&actor, &p.operator)
        .await?
        .map(|c| super::views::channel_lines(&ui, &c))
        .unwrap_or_default();
    let info = ProcedureInfo {
        title,
        category: p.category.clone(),
        operator,
        link: p.link.clone(),
        documents: if en { &p.documents_en } else { &p.documents }.clone(),
        tips: if en { &p.tips_en } else { &p.tips }.clone(),
        local_note: p.local_note.clone(),
        channel,
        anchor_label,
        anchor: anchor.map(|a| a.to_string()).unwrap_or_default(),
        window_text,
        follow_date,
        follow_reason,
        ui,
    };
    Ok(Html(info.render()?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct CommuneLookup {
    #[serde(default)]
    pub q: String,
}

/// Communes for the person form's completion (postcode or name), as JSON:
/// `[{"insee_code", "name", "postcode", "sure"}]`, at most 10; `sure`
/// marks the one commune a postcode designates.
pub async fn commune_lookup(
    _: SignedIn,
    Query(q): Query<CommuneLookup>,
) -> Result<Response, WebError> {
    let q = q.q.trim();
    let found = if q.chars().count() < 2 {
        Vec::new()
    } else {
        relais_service::communes::Communes::shipped().search(q, 10)
    };
    let designated = relais_service::communes::Communes::shipped()
        .designated_by(q)
        .map(|c| c.insee_code.clone());
    let items: Vec<serde_json::Value> = found
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let postcode = if c.postcodes.iter().any(|p| p == q) {
                q.to_owned()
            } else {
                c.postcodes.first().cloned().unwrap_or_default()
            };
            serde_json::json!({
                "insee_code": c.insee_code,
                "name": c.name,
                "postcode": postcode,
                "sure": i == 0 && designated.as_deref() == Some(c.insee_code.as_str()),
            })
        })
        .collect();
    Ok(axum::Json(items).into_response())
}

/// Catalogue procedures matching what is typed at intake, as JSON:
/// `[{"title", "operator", "category"}]`, best first, at most 12.
pub async fn procedure_search(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let q = q.q.trim();
    if q.chars().count() < 2 || q.len() > 200 {
        return Ok(axum::Json(Vec::<serde_json::Value>::new()).into_response());
    }
    let en = ctx.lang == crate::i18n::Lang::En;
    let catalog = state.services.catalog();
    let items: Vec<serde_json::Value> = state
        .services
        .search_structure_procedures(&actor, q)
        .await?
        .into_iter()
        .take(12)
        .map(|p| {
            let operator = match catalog.operator(&p.operator) {
                Some(o) if en => o.name_en.clone(),
                Some(o) => o.name.clone(),
                None => p.operator.clone(),
            };
            serde_json::json!({
                "title": if en { &p.title_en } else { &p.title },
                "operator": operator,
                "category": ctx.lang.t(&format!("category-{}", p.category)),
            })
        })
        .collect();
    Ok(axum::Json(items).into_response())
}

/// Keeps a session alive ("stay signed in"): reaching a page already
/// counts as activity, so this answers 204 to a live session, 401 to an
/// ended one.
pub async fn session_ping(Extension(ctx): Extension<Ctx>) -> Response {
    if signed(&ctx).is_ok() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}
