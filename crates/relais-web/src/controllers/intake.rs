//! The one-screen intake: person, request, what was done, what next.

use super::views::{hit_view, HitView};
use super::{render_with, signed};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::desk::DURATION_CHOICES;
use relais_domain::{FieldError, PersonId};
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
    /// A refusal by the policy: the message and, for a known person, the
    /// link to draw up a mandate.
    refusal: Option<(String, Option<String>)>,
    /// Titles of the catalogue's procedures, for the picker.
    procedures: Vec<String>,
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
    Ok(SearchResults {
        ui,
        hits: hits.iter().map(hit_view).collect(),
        selected: selected.to_owned(),
        searched,
    }
    .render()?)
}

const DEFAULTS: &[(&str, &str)] = &[
    ("channel", "walk_in"),
    ("status", "done"),
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
    refusal: Option<(String, Option<String>)>,
) -> Result<Response, WebError> {
    let policy = state.services.policy(actor).await?;
    let banner = match policy.mandate_rule {
        relais_domain::mandate::MandateRule::Required => ctx.lang.t("policy-banner-required"),
        relais_domain::mandate::MandateRule::Recommended => ctx.lang.t("policy-banner-recommended"),
        relais_domain::mandate::MandateRule::NotRequired => String::new(),
    };
    let ui = Ui::new(ctx);
    let mut hits = if q.trim().is_empty() {
        Vec::new()
    } else {
        state.services.search_persons(actor, q, 15).await?
    };
    if let Some(id) = PersonId::parse(selected) {
        if !hits.iter().any(|h| h.id == id) {
            if let Ok(p) = state.services.person(actor, id).await {
                let p = &p;
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
    if status == StatusCode::OK && hits.is_empty() && form.has("person_mode", "existing") {
        // Nobody found (or nothing searched yet): a new person is likelier.
        let v = form
            .values()
            .iter()
            .map(|(k, v)| {
                if k == "person_mode" {
                    (k.clone(), "new".to_owned())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        form = FormState::with_values(v);
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
    let results_html = results_fragment(&ui, &hits, selected, !q.trim().is_empty())?;
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
    render_with(
        status,
        &IntakePage {
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

fn form_values(form: &FormState) -> Vec<(String, String)> {
    form.values().to_vec()
}

pub async fn show_intake(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<IntakeQuery>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
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
        actor,
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
    let follow_up = (!f.get("follow_up_date").trim().is_empty()
        || !f.get("follow_up_reason").trim().is_empty())
    .then(|| FollowUpInput {
        due_date: f.owned("follow_up_date"),
        reason: f.owned("follow_up_reason"),
        assignee_id: f.owned("assignee_id"),

        confirm_secret: f.checked("confirm_secret"),
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
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let f = Fields(pairs);
    let input = intake_input(&f, state.services.today());
    let anonymous = matches!(input.person, PersonChoice::Anonymous { .. });
    match state.services.record_intake(actor, &input).await {
        Ok(r) => {
            let done = if r.warning.is_some() {
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
            let mut ids: Vec<(&str, &str)> = vec![
                ("due_date", "follow_up_date"),
                ("reason", "follow_up_reason"),
                ("duration_minutes", "duration_other"),
                ("mode", "mode-err"),
                ("privacy_notice_on", "privacy_notice"),
            ];
            if anonymous {
                ids.extend([
                    ("age_bracket", "anon_age_bracket"),
                    ("postcode", "anon_postcode"),
                    ("commune", "anon_commune"),
                ]);
            }
            let errors = remap(errors, anonymous);
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &errors, &ids);
            intake_page(
                &state,
                &ctx,
                actor,
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
                actor,
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
            let message = format!(
                "{} {}",
                ctx.lang.t(&format!("refusal-{}", r.as_str())),
                ctx.lang.t("refusal-next")
            );
            let href = match &input.person {
                PersonChoice::Existing(id) if !id.is_empty() => {
                    Some(format!("/persons/{id}/mandates/new"))
                }
                _ => None,
            };
            let form = FormState::from_fields(ctx.lang, f.0.clone(), &[], &[]);
            intake_page(
                &state,
                &ctx,
                actor,
                form,
                f.get("q"),
                f.get("person_id"),
                &[],
                StatusCode::CONFLICT,
                Some((message, href)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
            FieldError::new(field, e.code)
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
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let hits = state.services.search_persons(actor, &q.q, 15).await?;
    let ui = Ui::new(&ctx);
    Ok(Html(results_fragment(&ui, &hits, "", !q.q.trim().is_empty())?).into_response())
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
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PickQuery>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let anchor = chrono::NaiveDate::parse_from_str(q.anchor.trim(), "%Y-%m-%d").ok();
    let postcode = Some(q.postcode.as_str()).filter(|p| !p.trim().is_empty());
    let Some((p, next)) = state
        .services
        .pick_structure_procedure(actor, &q.procedure, anchor, postcode)
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
        .channel_for_operator(actor, &p.operator)
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
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<CommuneLookup>,
) -> Result<Response, WebError> {
    signed(&ctx)?;
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
