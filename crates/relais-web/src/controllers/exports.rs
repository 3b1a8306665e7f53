//! Files that leave relais, for the pages and the API alike: statistics
//! tables, the interventions export, the territory export and the monthly
//! report. Each is authorised and checked before the first byte goes out;
//! then it streams.

use crate::i18n::Lang;
use crate::stats_view;
use crate::tabular::{self, CsvWriter, Format, TableWriter};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use relais_domain::FieldError;
use relais_service::{Actor, DashboardQuery, Principal, ServiceError, Services, TABLES};
use std::io::{self, Read, Seek, Write};

/// Sends written bytes to the response as they come.
struct ChannelWriter(tokio::sync::mpsc::Sender<Result<Bytes, io::Error>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the download was cancelled"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A download whose content `produce` writes on a blocking thread: CSV
/// straight to the response, XLSX and ODS through an unnamed temporary
/// file, so memory stays bounded whatever the size.
pub(crate) fn download<F>(format: Format, filename: &str, produce: F) -> Response
where
    F: FnOnce(&mut dyn TableWriter) -> io::Result<()> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, io::Error>>(16);
    tokio::task::spawn_blocking(move || {
        let out = ChannelWriter(tx.clone());
        let result = (|| -> io::Result<()> {
            if format.has_sheets() {
                let file = tempfile::tempfile()?;
                let mut w = tabular::writer(format, file.try_clone()?);
                produce(w.as_mut())?;
                w.finish()?;
                let mut file = file;
                file.seek(io::SeekFrom::Start(0))?;
                let mut out = out;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = file.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    out.write_all(&buf[..n])?;
                }
                Ok(())
            } else {
                let mut w: Box<dyn TableWriter> =
                    Box::new(CsvWriter::new(out, format == Format::CsvFr));
                produce(w.as_mut())?;
                w.finish()
            }
        })();
        if let Err(e) = result {
            tracing::warn!(error = %e, "an export stopped before its end");
            let _ = tx.blocking_send(Err(e));
        }
    });
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)));
    (
        [
            (CONTENT_TYPE, format.content_type().to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}.{}\"", format.extension()),
            ),
        ],
        body,
    )
        .into_response()
}

pub(crate) fn parse_format(s: &str) -> Result<Format, ServiceError> {
    Format::parse(s).ok_or_else(|| FieldError::new("format", "invalid_choice").into())
}

/// Statistics tables: one (`table=category`…) or, in XLSX and ODS, all of
/// them with the key figures (`table=all`, the default there).
pub(crate) async fn stats_tables(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    q: DashboardQuery,
    table: &str,
    format: &str,
) -> Result<Response, ServiceError> {
    let format = parse_format(format)?;
    let table = match table.trim() {
        "" if format.has_sheets() => "all".to_owned(),
        "" => "category".to_owned(),
        t if t == "all" || TABLES.contains(&t) => t.to_owned(),
        _ => return Err(FieldError::new("table", "invalid_choice").into()),
    };
    if table == "all" && !format.has_sheets() {
        return Err(FieldError::new("table", "invalid_choice").into());
    }
    let d = state.services.dashboard(actor, &q).await?;
    let name = format!(
        "relais-{}-{}-{}",
        if table == "all" {
            "statistiques"
        } else {
            &table
        },
        d.from,
        d.to
    );
    Ok(download(format, &name, move |w| {
        if table == "all" {
            stats_view::write_key_figures(w, lang, &d)?;
            for t in &d.tables {
                stats_view::write_table(w, lang, t)?;
            }
            Ok(())
        } else {
            match d.table(&table) {
                Some(t) => stats_view::write_table(w, lang, t),
                None => Ok(()),
            }
        }
    }))
}

/// What an interventions export is asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct InterventionsAsk {
    pub from: String,
    pub to: String,
    pub scope: String,
    pub format: String,
    pub names: bool,
    pub reason: String,
}

/// The interventions of a period, page by page from the database.
pub(crate) async fn interventions(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    ask: InterventionsAsk,
) -> Result<Response, ServiceError> {
    let format = parse_format(&ask.format)?;
    let export = state
        .services
        .start_intervention_export(
            actor,
            &ask.from,
            &ask.to,
            &ask.scope,
            ask.names,
            &ask.reason,
            format.code(),
        )
        .await?;
    let services: Services = state.services.clone();
    let handle = tokio::runtime::Handle::current();
    let name = format!(
        "relais-interventions-{}-{}",
        export.period.from, export.period.to
    );
    Ok(download(format, &name, move |w| {
        w.sheet(
            &lang.t("export-sheet-interventions"),
            &stats_view::interventions_header(lang, export.names),
        )?;
        let mut cursor = None;
        loop {
            let (rows, next) = handle
                .block_on(services.export_page(&export, cursor))
                .map_err(|e| io::Error::other(e.to_string()))?;
            for r in &rows {
                w.row(&stats_view::intervention_cells(lang, r, export.names))?;
            }
            match next {
                Some(c) => cursor = Some(c),
                None => return Ok(()),
            }
        }
    }))
}

/// The territory export: JSON, or a file of two sheets.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn territory(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    from: &str,
    to: &str,
    scope: &str,
    threshold: &str,
    format: &str,
) -> Result<Response, ServiceError> {
    let json = format.trim() == "json";
    let file_format = if json {
        None
    } else {
        Some(parse_format(format)?)
    };
    let t = state
        .services
        .territory_export(actor, from, to, scope, threshold)
        .await?;
    match file_format {
        None => Ok(axum::Json(t).into_response()),
        Some(f) => {
            let name = format!("relais-territoire-{}-{}", t.from, t.to);
            Ok(download(f, &name, move |w| {
                stats_view::write_territory(w, lang, &t)
            }))
        }
    }
}

pub(crate) async fn monthly_report(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    month: &str,
) -> Result<Response, ServiceError> {
    let month = if month.trim().is_empty() {
        state.services.today().format("%Y-%m").to_string()
    } else {
        month.trim().to_owned()
    };
    let bytes = relais_present::stats::monthly_report_pdf(
        &state.services,
        Principal::Agent(actor),
        &actor.structure_slug,
        &month,
        lang,
    )
    .await?;
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"rapport-activite-{month}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
