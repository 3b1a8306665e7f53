//! Statistics written out as export sheets (CSV, XLSX, ODS); the labels,
//! charts and the monthly report are `relais_present::stats`'.

use crate::i18n::Lang;
use crate::tabular::{Cell, TableWriter};
pub use relais_present::stats::*;
use relais_service::views::ExportIntervention;
use relais_service::{Dashboard, Measure, StatTable, TerritoryExport};
use std::io;

/// The header of a table's export sheet.
pub fn table_header(lang: Lang, table: &StatTable) -> Vec<String> {
    let mut h = vec![lang.t("stats-col-label"), lang.t("stats-col-code")];
    for m in &table.measures {
        h.push(measure_label(lang, *m));
    }
    h.push(lang.t("stats-col-share"));
    h
}

/// The lines of a table's export sheet: label, code, measures (hours as a
/// decimal), share of the first measure in percent.
pub fn table_rows(lang: Lang, table: &StatTable) -> Vec<Vec<Cell>> {
    let total = table.total();
    let first = table.measures.first().copied().unwrap_or(Measure::Requests);
    table
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::Text(row_label(lang, table.id, &r.key)),
                Cell::Text(r.key.clone()),
            ];
            for m in &table.measures {
                cells.push(match m {
                    Measure::Minutes => Cell::Decimal(r.minutes as f64 / 60.0, 2),
                    _ => Cell::Int(r.get(*m)),
                });
            }
            cells.push(if total > 0 {
                Cell::Decimal(r.get(first) as f64 * 100.0 / total as f64, 1)
            } else {
                Cell::Empty
            });
            cells
        })
        .collect()
}

/// Writes one table as a sheet.
pub fn write_table(w: &mut dyn TableWriter, lang: Lang, table: &StatTable) -> io::Result<()> {
    w.sheet(&table_title(lang, table.id), &table_header(lang, table))?;
    for row in table_rows(lang, table) {
        w.row(&row)?;
    }
    Ok(())
}

/// The key figures as an export sheet.
pub fn write_key_figures(w: &mut dyn TableWriter, lang: Lang, d: &Dashboard) -> io::Result<()> {
    w.sheet(
        &lang.t("stats-key-figures"),
        &[lang.t("stats-col-label"), lang.t("stats-col-value")],
    )?;
    let helped = d.done_for + d.done_with + d.taught;
    let share = |a: u64, b: u64| {
        if b == 0 {
            Cell::Empty
        } else {
            Cell::Decimal(a as f64 * 100.0 / b as f64, 1)
        }
    };
    let rows: Vec<(String, Cell)> = vec![
        (lang.t("stats-period-from"), Cell::Date(d.from)),
        (lang.t("stats-period-to"), Cell::Date(d.to)),
        (lang.t("stats-requests"), Cell::Int(d.requests as i64)),
        (
            lang.t("stats-interventions"),
            Cell::Int(d.interventions as i64),
        ),
        (
            lang.t("stats-distinct-persons"),
            Cell::Int(d.distinct_persons as i64),
        ),
        (lang.t("stats-new-persons"), Cell::Int(d.new_persons as i64)),
        (
            lang.t("stats-hours"),
            Cell::Decimal(d.minutes as f64 / 60.0, 2),
        ),
        (
            lang.t("stats-share-done-for-percent"),
            share(d.done_for, helped),
        ),
        (
            lang.t("stats-share-under-mandate-percent"),
            share(d.done_for_under_mandate, d.done_for),
        ),
        (lang.t("stats-urgent"), Cell::Int(d.urgent_requests as i64)),
        (
            lang.t("stats-missed-deadlines"),
            Cell::Int(d.missed_deadlines as i64),
        ),
        (
            lang.t("stats-overdue-follow-ups"),
            Cell::Int(d.overdue_follow_ups as i64),
        ),
    ];
    for (label, value) in rows {
        w.row(&[Cell::Text(label), value])?;
    }
    Ok(())
}

/// The header of the interventions export.
pub fn interventions_header(lang: Lang, names: bool) -> Vec<String> {
    let mut h: Vec<String> = [
        "export-col-date",
        "export-col-reference",
        "export-col-procedure",
        "export-col-category",
        "export-col-operator",
        "export-col-channel",
        "export-col-mode",
        "export-col-place",
        "export-col-minutes",
        "export-col-agent",
        "export-col-status",
        "export-col-outcome",
        "export-col-block",
        "export-col-urgent",
        "export-col-age",
        "export-col-commune",
    ]
    .iter()
    .map(|k| lang.t(k))
    .collect();
    if names {
        h.push(lang.t("export-col-last-name"));
        h.push(lang.t("export-col-first-name"));
    }
    h
}

/// One line of the interventions export.
pub fn intervention_cells(lang: Lang, r: &ExportIntervention, names: bool) -> Vec<Cell> {
    let day = relais_domain::period::paris_day(r.occurred_at);
    let age = r.age_bracket();
    let opt = |v: &Option<String>| v.clone().map(Cell::Text).unwrap_or(Cell::Empty);
    let mut cells = vec![
        Cell::Date(day),
        Cell::Text(r.reference.clone()),
        Cell::Text(r.procedure.clone()),
        Cell::Text(lang.t(&format!("category-{}", r.category.as_str()))),
        opt(&r.operator),
        Cell::Text(lang.t(&format!("channel-{}", r.channel.as_str()))),
        Cell::Text(lang.t(&format!("mode-{}", r.mode.as_str()))),
        Cell::Text(lang.t(&format!("place-{}", r.place.as_str()))),
        Cell::Int(r.duration_minutes),
        opt(&r.agent_name),
        Cell::Text(lang.t(&format!("status-{}", r.status.as_str()))),
        r.outcome
            .map(|o| Cell::Text(lang.t(&format!("outcome-{}", o.as_str()))))
            .unwrap_or(Cell::Empty),
        r.block_reason
            .map(|b| Cell::Text(lang.t(&format!("block-{}", b.as_str()))))
            .unwrap_or(Cell::Empty),
        Cell::Text(lang.t(if r.rights_at_risk { "yes" } else { "no" })),
        Cell::Text(lang.t(&format!("age-{age}"))),
        opt(&r.anon_commune.clone().or(r.person_commune.clone())),
    ];
    if names {
        cells.push(opt(&r.last_name));
        cells.push(opt(&r.first_name));
    }
    cells
}

/// The territory export as two sheets (CSV: one after the other).
pub fn write_territory(w: &mut dyn TableWriter, lang: Lang, t: &TerritoryExport) -> io::Result<()> {
    let secret = || Cell::Text(lang.t("export-suppressed"));
    w.sheet(
        &lang.t("territory-sheet-activity"),
        &[
            lang.t("export-col-month"),
            lang.t("export-col-category"),
            lang.t("export-col-mode"),
            lang.t("export-col-outcome"),
            lang.t("stats-interventions"),
        ],
    )?;
    for c in &t.cells {
        w.row(&[
            Cell::Text(c.month.clone()),
            Cell::Text(c.category.clone()),
            Cell::Text(c.mode.clone()),
            Cell::Text(c.outcome.clone()),
            c.interventions
                .map(|n| Cell::Int(n as i64))
                .unwrap_or_else(secret),
        ])?;
    }
    w.sheet(
        &lang.t("territory-sheet-communes"),
        &[
            lang.t("export-col-departement"),
            lang.t("export-col-commune"),
            lang.t("stats-requests"),
            lang.t("stats-persons"),
        ],
    )?;
    for c in &t.communes {
        w.row(&[
            Cell::Text(c.departement.clone()),
            Cell::Text(if c.commune.is_empty() {
                lang.t("stats-not-given")
            } else {
                c.commune.clone()
            }),
            c.requests
                .map(|n| Cell::Int(n as i64))
                .unwrap_or_else(secret),
            c.persons
                .map(|n| Cell::Int(n as i64))
                .unwrap_or_else(secret),
        ])?;
    }
    w.sheet(
        &lang.t("stats-table-departement"),
        &[
            lang.t("export-col-departement"),
            lang.t("stats-requests"),
            lang.t("stats-persons"),
        ],
    )?;
    for d in &t.departements {
        w.row(&[
            Cell::Text(if d.code.is_empty() {
                lang.t("stats-not-given")
            } else {
                format!("{} {}", d.code, d.name)
            }),
            d.requests
                .map(|n| Cell::Int(n as i64))
                .unwrap_or_else(secret),
            d.persons
                .map(|n| Cell::Int(n as i64))
                .unwrap_or_else(secret),
        ])?;
    }
    Ok(())
}
