//! Printed documents of relais: PDF through typst (as a library, with its
//! embedded fonts; nothing is fetched). Kept in its own crate because typst
//! is heavy to compile. The wording is built by the caller; this crate lays
//! it out and adds the QR code.
#![forbid(unsafe_code)]

use serde::Serialize;
use std::sync::OnceLock;
use thiserror::Error;
use typst_as_lib::typst_kit_options::TypstKitFontOptions;
use typst_as_lib::TypstEngine;

#[derive(Debug, Error)]
pub enum DocumentError {
    #[error("the document could not be laid out: {0}")]
    Layout(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// A section: a heading, then paragraphs, bullets and label/value facts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub bullets: Vec<String>,
    pub facts: Vec<(String, String)>,
    /// Charts as SVG, each with its text alternative.
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
}

/// A chart drawn by the caller as SVG.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Chart {
    pub svg: String,
    pub alt: String,
}

/// A table with a caption and a header row.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One part of a document, starting on a new page (e.g. the person's copy
/// and the structure's copy of a mandate).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Part {
    pub banner: Option<String>,
    pub title: String,
    pub subtitle: Option<String>,
    pub sections: Vec<Section>,
    /// The QR code's SVG (filled in by [`qr_svg`]).
    pub qr: Option<String>,
    pub qr_alt: String,
    pub qr_text: String,
    /// The line above the signature boxes ("Fait à … le …").
    pub place_date: Option<String>,
    /// Labels of the signature boxes.
    pub signatures: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Document {
    pub title: String,
    pub author: String,
    /// `fr` or `en`.
    pub lang: String,
    pub footer: String,
    pub parts: Vec<Part>,
}

/// The QR code of `data` as SVG.
pub fn qr_svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
    )
}

const TEMPLATE: &str = include_str!("../templates/document.typ");

fn engine() -> &'static TypstEngine<typst_as_lib::TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<typst_as_lib::TypstTemplateMainFile>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        TypstEngine::builder()
            .main_file(TEMPLATE)
            .search_fonts_with(
                TypstKitFontOptions::default()
                    .include_system_fonts(false)
                    .include_embedded_fonts(true),
            )
            .build()
    })
}

/// Lays out `doc` and writes it as a tagged PDF. CPU-bound: call it off
/// the async runtime.
pub fn render_pdf(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let data = serde_json::to_string(doc).map_err(|e| DocumentError::Layout(e.to_string()))?;
    let mut inputs = typst::foundations::Dict::new();
    inputs.insert(
        "data".into(),
        typst::foundations::IntoValue::into_value(data),
    );
    let compiled = engine().compile_with_input(inputs);
    let paged = compiled
        .output
        .map_err(|e| DocumentError::Layout(format!("{e:?}")))?;
    let options = typst_pdf::PdfOptions::default();
    typst_pdf::pdf(&paged, &options).map_err(|e| DocumentError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_renders_to_pdf() {
        let doc = Document {
            title: "Mandat".into(),
            author: "relais".into(),
            lang: "fr".into(),
            footer: "CCAS de Démoville".into(),
            parts: vec![Part {
                banner: Some("Exemplaire de la personne".into()),
                title: "Mandat d'aide aux démarches".into(),
                subtitle: None,
                sections: vec![Section {
                    heading: "Les parties".into(),
                    paragraphs: vec!["Hélène Lefèvre donne mandat au CCAS.".into()],
                    bullets: vec!["Social – Santé".into()],
                    facts: vec![("Fin".into(), "31/12/2026".into())],
                    charts: vec![Chart {
                        svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"5\" height=\"5\"/></svg>".into(),
                        alt: "Un carré".into(),
                    }],
                    tables: vec![Table {
                        caption: "Par catégorie".into(),
                        header: vec!["Catégorie".into(), "Demandes".into()],
                        rows: vec![vec!["Social".into(), "3".into()]],
                    }],
                }],
                qr: qr_svg("http://127.0.0.1:8080/v/ABCDEFGHJK"),
                qr_alt: "Code QR de vérification".into(),
                qr_text: "http://127.0.0.1:8080/v/ABCDEFGHJK".into(),
                place_date: Some("Fait à Villeurbanne le 03/12/2026".into()),
                signatures: vec!["La personne".into(), "L'agent".into()],
            }],
        };
        let pdf = render_pdf(&doc);
        assert!(pdf.is_ok(), "{:?}", pdf.err());
        let pdf = pdf.unwrap_or_default();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
