//! How statistics are shown: labels of the tables and their lines,
//! accessible SVG charts, key figures and the monthly activity report.
//! Used by the pages, the exports and the command line.

use crate::i18n::Lang;
use relais_documents::{Chart, Document, Part, Section, Table};
use relais_domain::mandate::Policy;
use relais_service::{Dashboard, Measure, Principal, ServiceError, Services, StatTable};

/// The title of a statistics table.
pub fn table_title(lang: Lang, id: &str) -> String {
    lang.t(&format!("stats-table-{id}"))
}

pub fn measure_label(lang: Lang, m: Measure) -> String {
    lang.t(match m {
        Measure::Requests => "stats-requests",
        Measure::Interventions => "stats-interventions",
        Measure::Persons => "stats-persons",
        Measure::Minutes => "stats-hours",
        Measure::Referrals => "stats-referrals",
    })
}

pub fn month_name(lang: Lang, key: &str) -> String {
    let Some((y, m)) = key.split_once('-') else {
        return key.to_owned();
    };
    format!(
        "{} {y}",
        lang.t(&format!("month-{}", m.trim_start_matches('0')))
    )
}

/// The label of one line of a table.
pub fn row_label(lang: Lang, table: &str, key: &str) -> String {
    let none = || lang.t("stats-not-given");
    match table {
        "category" => lang.t(&format!("category-{key}")),
        "mode" => lang.t(&format!("mode-{key}")),
        "outcome" => {
            let k = format!("outcome-{key}");
            let t = lang.t(&k);
            if t == k {
                lang.t(&format!("status-{key}"))
            } else {
                t
            }
        }
        "block_reason" => lang.t(&format!("block-{key}")),
        "channel" => lang.t(&format!("channel-{key}")),
        "age_bracket" => lang.t(&format!("age-{key}")),
        "repeat_visits" => lang.t(&format!("stats-visits-{key}")),
        "autonomy" => lang.t(&format!("stats-autonomy-{key}")),
        "referral" => lang.t(&format!("referral-status-{key}")),
        "month" => month_name(lang, key),
        "departement" if !key.is_empty() => {
            match relais_service::communes::Communes::shipped().departement(key) {
                Some(name) => format!("{key} {name}"),
                None => key.to_owned(),
            }
        }
        _ if key.is_empty() => none(),
        _ => key.to_owned(),
    }
}

/// A value of a measure as people read it: hours for minutes.
pub fn measure_text(lang: Lang, m: Measure, v: i64) -> String {
    match m {
        Measure::Minutes => hours_text(lang, v),
        _ => v.to_string(),
    }
}

/// `12 h 30` (French) or `12 h 30 min`-free `12:30` style is avoided: both
/// languages read `12 h 30`.
pub fn hours_text(_lang: Lang, minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("{h} h")
    } else {
        format!("{h} h {m:02}")
    }
}

/// A share in percent with one decimal, in the language's style.
pub fn percent(lang: Lang, part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    let p = format!("{:.1}", part as f64 * 100.0 / whole as f64);
    let value = p.replace('.', &lang.t("decimal-separator"));
    lang.t_with("percent", &[("value", value)])
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart of a table's first measure, as SVG with a title
/// and a description; the same numbers are shown in a table beside it.
pub fn chart_svg(lang: Lang, table: &StatTable, id: &str) -> String {
    let m = table.measures.first().copied().unwrap_or(Measure::Requests);
    let rows: Vec<_> = table.rows.iter().take(12).collect();
    let max = rows.iter().map(|r| r.get(m)).max().unwrap_or(0).max(1);
    let bar_h = 22;
    let label_w = 230;
    let width = 640;
    let plot = width - label_w - 70;
    let height = (rows.len().max(1) * (bar_h + 6) + 10) as i64;
    let title = format!(
        "{} — {}",
        table_title(lang, table.id),
        measure_label(lang, m)
    );
    let desc: Vec<String> = rows
        .iter()
        .map(|r| {
            crate::documents::label_value(
                lang,
                row_label(lang, table.id, &r.key),
                measure_text(lang, m, r.get(m)),
            )
        })
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        xml(&title),
        xml(&if desc.is_empty() {
            lang.t("stats-empty")
        } else {
            desc.join(" ; ")
        })
    );
    if rows.is_empty() {
        svg.push_str(&format!(
            "<text x=\"0\" y=\"20\" font-size=\"14\" fill=\"#1a1a1a\">{}</text>",
            xml(&lang.t("stats-empty"))
        ));
    }
    for (i, r) in rows.iter().enumerate() {
        let y = i * (bar_h + 6) + 4;
        let v = r.get(m);
        let w = (v as f64 / max as f64 * plot as f64).round() as i64;
        let mut label = row_label(lang, table.id, &r.key);
        if label.chars().count() > 34 {
            label = label.chars().take(33).collect::<String>() + "…";
        }
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\" fill=\"#1a1a1a\">{}</text>\
<rect x=\"{label_w}\" y=\"{y}\" width=\"{}\" height=\"{bar_h}\" fill=\"#1d4f91\"/>\
<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#1a1a1a\">{}</text>",
            label_w - 8,
            y + 16,
            xml(&label),
            w.max(1),
            label_w as i64 + w.max(1) + 6,
            y + 16,
            xml(&measure_text(lang, m, v)),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The key figures of a dashboard as (label, value) lines.
pub fn key_figures(lang: Lang, d: &Dashboard) -> Vec<(String, String)> {
    let helped = d.done_for + d.done_with + d.taught;
    vec![
        (lang.t("stats-requests"), d.requests.to_string()),
        (lang.t("stats-interventions"), d.interventions.to_string()),
        (
            lang.t("stats-distinct-persons"),
            d.distinct_persons.to_string(),
        ),
        (lang.t("stats-new-persons"), d.new_persons.to_string()),
        (lang.t("stats-time"), hours_text(lang, d.minutes)),
        (
            lang.t("stats-share-done-for"),
            percent(lang, d.done_for, helped),
        ),
        (
            lang.t("stats-share-with-or-taught"),
            percent(lang, d.done_with + d.taught, helped),
        ),
        (
            lang.t("stats-share-under-mandate"),
            percent(lang, d.done_for_under_mandate, d.done_for),
        ),
        (lang.t("stats-urgent"), d.urgent_requests.to_string()),
        (
            lang.t("stats-missed-deadlines"),
            d.missed_deadlines.to_string(),
        ),
        (
            lang.t("stats-overdue-follow-ups"),
            d.overdue_follow_ups.to_string(),
        ),
    ]
}

fn doc_table(lang: Lang, table: &StatTable) -> Table {
    let mut header = vec![lang.t("stats-col-label")];
    header.extend(table.measures.iter().map(|m| measure_label(lang, *m)));
    Table {
        caption: table_title(lang, table.id),
        header,
        rows: table
            .rows
            .iter()
            .take(15)
            .map(|r| {
                let mut line = vec![row_label(lang, table.id, &r.key)];
                line.extend(
                    table
                        .measures
                        .iter()
                        .map(|m| measure_text(lang, *m, r.get(*m))),
                );
                line
            })
            .collect(),
    }
}

/// The monthly activity report: key figures with the previous month,
/// charts and tables, and the structure's policy.
pub fn monthly_report(
    lang: Lang,
    structure: &str,
    month: &Dashboard,
    previous: &Dashboard,
    policy: &Policy,
) -> Document {
    let month_label = month_name(lang, &month.from.format("%Y-%m").to_string());
    let prev_label = month_name(lang, &previous.from.format("%Y-%m").to_string());
    let mut sections = vec![];
    let now = key_figures(lang, month);
    let before = key_figures(lang, previous);
    sections.push(Section {
        heading: lang.t("stats-key-figures"),
        facts: now
            .iter()
            .zip(before.iter())
            .map(|((label, v), (_, p))| {
                let previous = crate::documents::label_value(lang, prev_label.clone(), p.clone());
                (label.clone(), format!("{v}  ({previous})"))
            })
            .collect(),
        ..Default::default()
    });
    let diff = month.requests as i64 - previous.requests as i64;
    let trend = lang.t_with(
        if diff > 0 {
            "report-trend-up"
        } else if diff < 0 {
            "report-trend-down"
        } else {
            "report-trend-same"
        },
        &[
            ("n", diff.abs().to_string()),
            ("previous", prev_label.clone()),
        ],
    );
    sections.push(Section {
        heading: lang.t("report-comparison"),
        paragraphs: vec![trend],
        ..Default::default()
    });
    for id in [
        "category",
        "mode",
        "outcome",
        "operator",
        "channel",
        "block_reason",
        "age_bracket",
        "repeat_visits",
        "autonomy",
    ] {
        let Some(table) = month.table(id) else {
            continue;
        };
        let charts = if matches!(id, "category" | "mode" | "outcome") && !table.rows.is_empty() {
            vec![Chart {
                svg: chart_svg(lang, table, &format!("pdf-{id}")),
                alt: format!(
                    "{}{}",
                    table_title(lang, id),
                    lang.t("stats-chart-alt-suffix")
                ),
            }]
        } else {
            vec![]
        };
        sections.push(Section {
            heading: table_title(lang, id),
            paragraphs: if table.rows.is_empty() {
                vec![lang.t("stats-empty")]
            } else {
                vec![]
            },
            charts,
            tables: if table.rows.is_empty() {
                vec![]
            } else {
                vec![doc_table(lang, table)]
            },
            ..Default::default()
        });
    }
    let rule = lang.t(&format!("mandate_rule-{}", policy.mandate_rule.as_str()));
    sections.push(Section {
        heading: lang.t("report-policy"),
        facts: vec![
            (lang.t("report-policy-mandate"), rule),
            (
                lang.t("report-policy-retention"),
                lang.t_with(
                    "report-months",
                    &[("n", policy.retention_months.to_string())],
                ),
            ),
        ],
        ..Default::default()
    });
    Document {
        title: format!("{} — {month_label}", lang.t("report-title")),
        author: structure.to_owned(),
        lang: lang.code().into(),
        footer: format!("{structure} · {}", lang.t("report-title")),
        parts: vec![Part {
            title: lang.t("report-title"),
            subtitle: Some(format!("{structure} — {month_label}")),
            sections,
            ..Default::default()
        }],
    }
}

/// The monthly activity report of a structure as PDF: an agent's own
/// structure, or any structure for the operator.
pub async fn monthly_report_pdf(
    services: &Services,
    by: Principal<'_>,
    structure: &str,
    month: &str,
    lang: Lang,
) -> Result<Vec<u8>, ServiceError> {
    let f = services.monthly_figures(by, structure, month).await?;
    let doc = monthly_report(lang, &f.structure_name, &f.now, &f.before, &f.policy);
    crate::pdf(doc).await
}
