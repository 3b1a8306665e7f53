//! What people read, in their language: the Fluent texts (`locales/`),
//! the wording of the printed documents, the presentation of statistics
//! (labels, charts, the monthly report) and of places (opening hours,
//! vocabularies). The web layer and the command line both use it; the
//! typst layout stays in `relais-documents`, which depends on nothing of
//! relais so that it rebuilds rarely.
#![forbid(unsafe_code)]

pub mod documents;
pub mod i18n;
pub mod places;
pub mod stats;

pub use i18n::Lang;

/// Renders a document off the async runtime.
pub async fn pdf(doc: relais_documents::Document) -> Result<Vec<u8>, relais_service::ServiceError> {
    tokio::task::spawn_blocking(move || relais_documents::render_pdf(&doc))
        .await
        .map_err(|e| relais_service::ServiceError::Internal(e.to_string()))?
        .map_err(|e| relais_service::ServiceError::Internal(e.to_string()))
}
