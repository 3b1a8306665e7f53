//! The statistics dashboard and its downloads.

use super::exports::{self, InterventionsAsk};
use super::{render_with, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::stats_view;
use crate::ui::{Fields, FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use chrono::{Datelike, NaiveDate};
use relais_domain::Permission;
use relais_service::{Actor, Dashboard, DashboardQuery, ServiceError};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardParams {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub agent: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub table: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub threshold: String,
    #[serde(default)]
    pub month: String,
    /// The preset the page showed when the form was sent (see
    /// `resolve_period`).
    #[serde(default)]
    pub shown: String,
}

/// The presets of the period select, the first one by default.
const PERIOD_PRESETS: [&str; 4] = ["month", "last_month", "quarter", "year"];

/// The preset a request names (the default one when none or unknown).
fn preset_name(p: &DashboardParams) -> &'static str {
    PERIOD_PRESETS
        .into_iter()
        .find(|n| *n == p.period.trim())
        .unwrap_or(PERIOD_PRESETS[0])
}

/// The period's days. The page shows the days of the period it shows, so
/// the form always sends days: a preset chosen in the select (other than
/// the one the page showed, `shown`) wins over them; otherwise the days
/// win (typed, or from a link), else the preset's.
fn resolve_period(p: &DashboardParams, today: NaiveDate) -> (String, String) {
    let typed = !p.from.trim().is_empty() || !p.to.trim().is_empty();
    let preset_changed = !p.shown.is_empty() && p.shown != preset_name(p);
    if typed && !preset_changed {
        return (p.from.clone(), p.to.clone());
    }
    let period = relais_service::Period::preset(preset_name(p), today);
    (period.from.to_string(), period.to.to_string())
}

impl DashboardParams {
    fn query(&self, today: NaiveDate) -> DashboardQuery {
        let (from, to) = resolve_period(self, today);
        DashboardQuery {
            from,
            to,
            agent: self.agent.clone(),
            channel: self.channel.clone(),
            category: self.category.clone(),
            scope: self.scope.clone(),
        }
    }
}

struct FigureView {
    label: String,
    value: String,
}

struct ColumnView {
    label: String,
}

struct TableView {
    id: String,
    title: String,
    chart: String,
    columns: Vec<ColumnView>,
    /// (label, values)
    rows: Vec<(String, Vec<String>)>,
    export_query: String,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    ui: Ui,
    form: FormState,
    figures: Vec<FigureView>,
    tables: Vec<TableView>,
    agents: Vec<(String, String)>,
    is_supervisor: bool,
    is_admin: bool,
    query: String,
    period_text: String,
    month: String,
    names_form: FormState,
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    p: &DashboardParams,
    names_form: FormState,
    status: StatusCode,
    download_errors: &[relais_domain::FieldError],
) -> Result<Response, WebError> {
    let ui = Ui::new(ctx);
    let lang = ctx.lang;
    let today = state.services.today();
    let q = p.query(today);
    let values = vec![
        ("period".to_owned(), preset_name(p).to_owned()),
        ("from".to_owned(), q.from.clone()),
        ("to".to_owned(), q.to.clone()),
        ("agent".to_owned(), q.agent.clone()),
        ("channel".to_owned(), q.channel.clone()),
        ("category".to_owned(), q.category.clone()),
        ("scope".to_owned(), q.scope.clone()),
    ];
    let is_supervisor = actor.can(Permission::ViewStructureStatistics);
    let agents = if is_supervisor {
        state
            .services
            .list_team(actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m.agent_id.0.to_string(), m.name))
            .collect()
    } else {
        vec![]
    };
    let (form, d, status) = match state.services.dashboard(actor, &q).await {
        // A refused download: the dashboard again, the reason on top.
        Ok(d) if !download_errors.is_empty() => (
            FormState::with_values(values.clone()).with_errors_of(FormState::from_fields(
                lang,
                values,
                download_errors,
                &[
                    ("format", "downloads-title"),
                    ("table", "downloads-title"),
                    ("threshold", "downloads-title"),
                    ("scope", "downloads-title"),
                    ("month", "report-month"),
                ],
            )),
            Some(d),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Ok(d) => (FormState::with_values(values), Some(d), status),
        Err(ServiceError::Invalid(errs)) => (
            FormState::from_fields(lang, values, &errs, &[]),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e.into()),
    };
    let query = encode(&[
        ("from", &q.from),
        ("to", &q.to),
        ("agent", &q.agent),
        ("channel", &q.channel),
        ("category", &q.category),
        ("scope", &q.scope),
    ]);
    let (figures, tables, period_text) = match &d {
        Some(d) => views(lang, &ui, d, &query),
        None => (vec![], vec![], String::new()),
    };
    // The report of the month shown, or else of the last whole month.
    let month = match &d {
        Some(d) if d.from.format("%Y-%m").to_string() == d.to.format("%Y-%m").to_string() => {
            d.from.format("%Y-%m").to_string()
        }
        _ => today
            .with_day(1)
            .and_then(|f| f.pred_opt())
            .unwrap_or(today)
            .format("%Y-%m")
            .to_string(),
    };
    render_with(
        status,
        &StatsPage {
            ui,
            form,
            figures,
            tables,
            agents,
            is_supervisor,
            is_admin: actor.can(Permission::ViewInstanceStatistics),
            query,
            period_text,
            month,
            names_form,
        },
    )
}

fn views(
    lang: crate::i18n::Lang,
    ui: &Ui,
    d: &Dashboard,
    query: &str,
) -> (Vec<FigureView>, Vec<TableView>, String) {
    let figures = stats_view::key_figures(lang, d)
        .into_iter()
        .map(|(label, value)| FigureView { label, value })
        .collect();
    let tables = d
        .tables
        .iter()
        .map(|t| {
            let total = t.total();
            let first = t
                .measures
                .first()
                .copied()
                .unwrap_or(relais_service::Measure::Requests);
            let mut columns: Vec<ColumnView> = t
                .measures
                .iter()
                .map(|m| ColumnView {
                    label: stats_view::measure_label(lang, *m),
                })
                .collect();
            columns.push(ColumnView {
                label: lang.t("stats-col-share"),
            });
            TableView {
                id: t.id.to_owned(),
                title: stats_view::table_title(lang, t.id),
                chart: stats_view::chart_svg(lang, t, &format!("chart-{}", t.id)),
                columns,
                rows: t
                    .rows
                    .iter()
                    .map(|r| {
                        let mut values: Vec<String> = t
                            .measures
                            .iter()
                            .map(|m| stats_view::measure_text(lang, *m, r.get(*m)))
                            .collect();
                        values.push(stats_view::percent(
                            lang,
                            r.get(first).max(0) as u64,
                            total.max(0) as u64,
                        ));
                        (stats_view::row_label(lang, t.id, &r.key), values)
                    })
                    .collect(),
                export_query: format!("{query}&table={}", t.id),
            }
        })
        .collect();
    let period_text = format!("{} – {}", ui.date(d.from), ui.date(d.to));
    (figures, tables, period_text)
}

pub async fn show_stats(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    page(
        &state,
        &ctx,
        &actor,
        &p,
        FormState::empty(),
        StatusCode::OK,
        &[],
    )
    .await
}

pub async fn export_tables(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    let q = p.query(state.services.today());
    let r = exports::stats_tables(&state, &actor, ctx.lang, q, &p.table, &p.format).await;
    or_page(&state, &ctx, &actor, &p, r).await
}

pub async fn export_interventions(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    let (from, to) = resolve_period(&p, state.services.today());
    let ask = InterventionsAsk {
        from,
        to,
        scope: p.scope.clone(),
        format: p.format.clone(),
        names: false,
        reason: String::new(),
    };
    let r = exports::interventions(&state, &actor, ctx.lang, ask).await;
    or_page(&state, &ctx, &actor, &p, r).await
}

/// The export with names: a supervisor gives a reason, which is journaled.
pub async fn export_interventions_with_names(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(pairs);
    let ask = InterventionsAsk {
        from: f.owned("from"),
        to: f.owned("to"),
        scope: f.owned("scope"),
        format: f.owned("format"),
        names: true,
        reason: f.owned("reason"),
    };
    match exports::interventions(&state, &actor, ctx.lang, ask.clone()).await {
        Ok(r) => Ok(r),
        Err(ServiceError::Invalid(errs)) => {
            let form = FormState::with_errors(
                ctx.lang,
                &[("reason", &ask.reason), ("format", &ask.format)],
                &errs,
                &[("reason", "names-reason"), ("format", "names-format")],
            );
            let p = DashboardParams {
                from: ask.from,
                to: ask.to,
                scope: ask.scope,
                ..Default::default()
            };
            page(
                &state,
                &ctx,
                &actor,
                &p,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
                &[],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn export_territory(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    let (from, to) = resolve_period(&p, state.services.today());
    let r = exports::territory(
        &state,
        &actor,
        ctx.lang,
        &from,
        &to,
        &p.scope,
        &p.threshold,
        &p.format,
    )
    .await;
    or_page(&state, &ctx, &actor, &p, r).await
}

pub async fn report_pdf(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    let r = exports::monthly_report(&state, &actor, ctx.lang, &p.month).await;
    or_page(&state, &ctx, &actor, &p, r).await
}

/// A download, or the dashboard with the reason it was refused.
async fn or_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    p: &DashboardParams,
    r: Result<Response, ServiceError>,
) -> Result<Response, WebError> {
    match r {
        Ok(r) => Ok(r),
        Err(ServiceError::Invalid(errs)) => {
            page(
                state,
                ctx,
                actor,
                p,
                FormState::empty(),
                StatusCode::UNPROCESSABLE_ENTITY,
                &errs,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
