//! The procedures catalogue shipped with relais (`catalog/*.toml`):
//! operators and the common online procedures, with what to bring, tips
//! and deadline rules. Loaded and validated at start; an invalid file stops
//! the start with the file, the line and the field.

use relais_domain::deadline::DeadlineRule;
use relais_domain::search::fold;
use relais_domain::ProcedureCategory;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use toml::Spanned;

const OPERATORS_TOML: &str = include_str!("../../../catalog/operators.toml");
const PROCEDURES_TOML: &str = include_str!("../../../catalog/procedures.toml");

/// Where a catalogue file is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}, field {field}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// An organisation behind online procedures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// The short name the mandate form and the printed mandate cite
    /// ("CAF"), without a comma.
    pub short: String,
    pub short_en: String,
    pub website: String,
    pub phone: Option<String>,
    /// `national` or `local`.
    pub scope: String,
}

/// One procedure of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Procedure {
    pub id: String,
    pub title: String,
    pub title_en: String,
    pub category: ProcedureCategory,
    pub operator: String,
    pub service_public: String,
    pub documents: Vec<String>,
    pub documents_en: Vec<String>,
    pub tips: String,
    pub tips_en: String,
    pub checked_on: chrono::NaiveDate,
    pub sources: Vec<String>,
    pub deadline: Option<DeadlineRule>,
    /// Other words a worker may type to find it (acronyms, usual names).
    pub keywords: Vec<String>,
}

/// The whole catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub operators: Vec<Operator>,
    pub procedures: Vec<Procedure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OperatorsFile {
    operator: Vec<RawOperator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperator {
    id: Spanned<String>,
    name: Spanned<String>,
    name_en: Spanned<String>,
    short: Spanned<String>,
    short_en: Spanned<String>,
    website: Spanned<String>,
    #[serde(default)]
    phone: Option<String>,
    scope: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProceduresFile {
    procedure: Vec<RawProcedure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: Spanned<String>,
    title: Spanned<String>,
    title_en: Spanned<String>,
    category: Spanned<String>,
    operator: Spanned<String>,
    service_public: Spanned<String>,
    documents: Spanned<Vec<String>>,
    documents_en: Spanned<Vec<String>>,
    tips: Spanned<String>,
    tips_en: Spanned<String>,
    checked_on: Spanned<toml::value::Datetime>,
    sources: Spanned<Vec<String>>,
    #[serde(default)]
    deadline: Option<Spanned<toml::Value>>,
    #[serde(default)]
    keywords: Vec<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// TOML dates become text so that the domain's rules read them as dates.
fn dates_as_text(v: toml::Value) -> toml::Value {
    match v {
        toml::Value::Datetime(d) => toml::Value::String(d.to_string()),
        toml::Value::Array(a) => toml::Value::Array(a.into_iter().map(dates_as_text).collect()),
        toml::Value::Table(t) => {
            toml::Value::Table(t.into_iter().map(|(k, v)| (k, dates_as_text(v))).collect())
        }
        other => other,
    }
}

const SERVICE_PUBLIC: &str = "https://www.service-public.fr/particuliers/vosdroits/";

/// One of the catalogue's files, named in its errors.
#[derive(Clone, Copy)]
struct Source<'t> {
    file: &'t str,
    text: &'t str,
}

impl Source<'_> {
    fn err(self, offset: usize, field: &str, message: String) -> CatalogError {
        CatalogError {
            file: self.file.to_owned(),
            line: line_of(self.text, offset),
            field: field.to_owned(),
            message,
        }
    }

    fn syntax(self, e: toml::de::Error) -> CatalogError {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let message = e.message().to_owned();
        // The field is named in serde's messages ("missing field `x`").
        let field = message.split('`').nth(1).unwrap_or("-").to_owned();
        self.err(offset, &field, message)
    }

    /// The trimmed text, of 1 to `max` characters.
    fn text_ok(self, s: &Spanned<String>, field: &str, max: usize) -> Result<String, CatalogError> {
        let v = s.get_ref().trim();
        if v.is_empty() || v.chars().count() > max {
            Err(self.err(
                s.span().start,
                field,
                format!("must be 1 to {max} characters"),
            ))
        } else {
            Ok(v.to_owned())
        }
    }
}

fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The operators of their file, checked.
fn parse_operators(src: Source<'_>, raw: OperatorsFile) -> Result<Vec<Operator>, CatalogError> {
    let mut operators = Vec::new();
    let mut seen = HashSet::new();
    for o in raw.operator {
        let at = |sp: std::ops::Range<usize>, field: &str, m: &str| {
            src.err(sp.start, field, m.to_owned())
        };
        if !id_ok(o.id.get_ref()) {
            return Err(at(
                o.id.span(),
                "id",
                "lowercase letters, digits and '-' only",
            ));
        }
        if !seen.insert(o.id.get_ref().clone()) {
            return Err(at(o.id.span(), "id", "this id is used twice"));
        }
        if !o.website.get_ref().starts_with("https://") {
            return Err(at(o.website.span(), "website", "must start with https://"));
        }
        if !matches!(o.scope.get_ref().as_str(), "national" | "local") {
            return Err(at(o.scope.span(), "scope", "must be national or local"));
        }
        // Short names are listed with commas between them.
        for (field, short) in [("short", &o.short), ("short_en", &o.short_en)] {
            if short.get_ref().contains(',') {
                return Err(at(short.span(), field, "no comma in a short name"));
            }
        }
        operators.push(Operator {
            id: o.id.get_ref().clone(),
            name: src.text_ok(&o.name, "name", 120)?,
            name_en: src.text_ok(&o.name_en, "name_en", 120)?,
            short: src.text_ok(&o.short, "short", 40)?,
            short_en: src.text_ok(&o.short_en, "short_en", 40)?,
            website: o.website.into_inner(),
            phone: o.phone.filter(|p| !p.trim().is_empty()),
            scope: o.scope.into_inner(),
        });
    }
    Ok(operators)
}

/// One procedure of its file, checked against the ids `seen` so far and
/// the operators (of the file `ofile`).
fn parse_procedure(
    src: Source<'_>,
    p: RawProcedure,
    seen: &mut HashSet<String>,
    operators: &[Operator],
    ofile: &str,
) -> Result<Procedure, CatalogError> {
    let at = |sp: std::ops::Range<usize>, field: &str, m: String| src.err(sp.start, field, m);
    if !id_ok(p.id.get_ref()) {
        return Err(at(
            p.id.span(),
            "id",
            "lowercase letters, digits and '-' only".into(),
        ));
    }
    if !seen.insert(p.id.get_ref().clone()) {
        return Err(at(p.id.span(), "id", "this id is used twice".into()));
    }
    let category = ProcedureCategory::parse(p.category.get_ref()).map_err(|_| {
        at(
            p.category.span(),
            "category",
            format!("unknown category {:?}", p.category.get_ref()),
        )
    })?;
    if !operators.iter().any(|o| &o.id == p.operator.get_ref()) {
        return Err(at(
            p.operator.span(),
            "operator",
            format!("unknown operator {:?} (see {ofile})", p.operator.get_ref()),
        ));
    }
    let link = p.service_public.get_ref();
    let page = link.strip_prefix(SERVICE_PUBLIC).unwrap_or_default();
    if page.len() < 2
        || !page.starts_with(['F', 'R', 'N'])
        || !page[1..].chars().all(|c| c.is_ascii_digit())
    {
        return Err(at(
            p.service_public.span(),
            "service_public",
            format!("must be {SERVICE_PUBLIC}F…, R… or N…"),
        ));
    }
    if p.documents.get_ref().len() != p.documents_en.get_ref().len() {
        return Err(at(
            p.documents_en.span(),
            "documents_en",
            "must list the same documents as `documents`".into(),
        ));
    }
    if p.sources.get_ref().is_empty() {
        return Err(at(
            p.sources.span(),
            "sources",
            "at least one source".into(),
        ));
    }
    let checked_on =
        chrono::NaiveDate::parse_from_str(&p.checked_on.get_ref().to_string(), "%Y-%m-%d")
            .map_err(|_| {
                at(
                    p.checked_on.span(),
                    "checked_on",
                    "must be a date (YYYY-MM-DD)".into(),
                )
            })?;
    let deadline = match p.deadline {
        None => None,
        Some(d) => {
            let span = d.span();
            let rule = DeadlineRule::deserialize(dates_as_text(d.into_inner()))
                .map_err(|e| at(span.clone(), "deadline", e.to_string()))?;
            rule.validate()
                .map_err(|e| at(span, "deadline", e.0.to_owned()))?;
            Some(rule)
        }
    };
    Ok(Procedure {
        title: src.text_ok(&p.title, "title", 160)?,
        title_en: src.text_ok(&p.title_en, "title_en", 160)?,
        tips: src.text_ok(&p.tips, "tips", 1200)?,
        tips_en: src.text_ok(&p.tips_en, "tips_en", 1200)?,
        id: p.id.into_inner(),
        category,
        operator: p.operator.into_inner(),
        service_public: p.service_public.into_inner(),
        documents: p.documents.into_inner(),
        documents_en: p.documents_en.into_inner(),
        checked_on,
        sources: p.sources.into_inner(),
        keywords: p.keywords,
        deadline,
    })
}

impl Catalog {
    /// The catalogue compiled into relais, parsed once per process.
    pub fn shipped() -> Result<Catalog, CatalogError> {
        static SHIPPED: std::sync::OnceLock<Result<Catalog, CatalogError>> =
            std::sync::OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                Catalog::parse(
                    ("catalog/operators.toml", OPERATORS_TOML),
                    ("catalog/procedures.toml", PROCEDURES_TOML),
                )
            })
            .clone()
    }

    /// Reads and validates the two files (name, text).
    pub fn parse(
        operators: (&str, &str),
        procedures: (&str, &str),
    ) -> Result<Catalog, CatalogError> {
        let ops = Source {
            file: operators.0,
            text: operators.1,
        };
        let procs = Source {
            file: procedures.0,
            text: procedures.1,
        };
        let raw_ops: OperatorsFile = toml::from_str(ops.text).map_err(|e| ops.syntax(e))?;
        let raw_procs: ProceduresFile = toml::from_str(procs.text).map_err(|e| procs.syntax(e))?;
        let operators = parse_operators(ops, raw_ops)?;
        let mut procedures = Vec::new();
        let mut seen = HashSet::new();
        for p in raw_procs.procedure {
            procedures.push(parse_procedure(procs, p, &mut seen, &operators, ops.file)?);
        }
        Ok(Catalog {
            operators,
            procedures,
        })
    }

    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id == id)
    }

    /// The procedure whose French or English title (or id) is `title`,
    /// accents and case ignored.
    pub fn by_title(&self, title: &str) -> Option<&Procedure> {
        let t = fold(title);
        if t.is_empty() {
            return None;
        }
        self.procedures
            .iter()
            .find(|p| fold(&p.title) == t || fold(&p.title_en) == t || p.id == title.trim())
    }

    pub fn operator(&self, id: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.id == id)
    }
}

/// One procedure as the grouping by category and operator reads it: the
/// shipped catalogue's, or a structure's own (whose operator is free text).
#[derive(Debug, Clone, Copy)]
pub struct CoverageEntry<'a> {
    pub category: ProcedureCategory,
    /// A catalogue operator's id, or the text a structure typed.
    pub operator: &'a str,
    pub title: &'a str,
    pub title_en: &'a str,
}

/// An operator with the categories where the catalogue files its
/// procedures: the mandate form's "par organisme" shortcut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorCoverage {
    /// The catalogue operator's id, or `local:` and the folded text of a
    /// structure's own operator.
    pub key: String,
    pub short: String,
    pub short_en: String,
    /// In the order of [`ProcedureCategory::ALL`].
    pub categories: Vec<ProcedureCategory>,
}

impl OperatorCoverage {
    pub fn short_in(&self, en: bool) -> &str {
        if en {
            &self.short_en
        } else {
            &self.short
        }
    }
}

/// What the catalogue files under one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCoverage {
    pub category: ProcedureCategory,
    /// Keys of its operators, in the catalogue's order.
    pub operators: Vec<String>,
    /// (French title, English title) of its procedures, one of each
    /// operator first, then the others, in the catalogue's order.
    pub procedures: Vec<(String, String)>,
}

/// The catalogue grouped by category and by operator: the one source the
/// mandate form's examples, its "par organisme" shortcuts and the printed
/// mandate are built from, so that they say what the catalogue says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Coverage {
    /// Every category, in the order of [`ProcedureCategory::ALL`].
    pub categories: Vec<CategoryCoverage>,
    /// The operators that have procedures, in the catalogue's order
    /// (a structure's own operators after).
    pub operators: Vec<OperatorCoverage>,
}

impl Coverage {
    pub fn category(&self, c: ProcedureCategory) -> Option<&CategoryCoverage> {
        self.categories.iter().find(|g| g.category == c)
    }

    pub fn operator(&self, key: &str) -> Option<&OperatorCoverage> {
        self.operators.iter().find(|o| o.key == key)
    }

    /// The short names of the operators of `c`, in the catalogue's order.
    pub fn operator_names(&self, c: ProcedureCategory, en: bool) -> Vec<&str> {
        self.category(c)
            .map(|g| {
                g.operators
                    .iter()
                    .filter_map(|k| self.operator(k))
                    .map(|o| o.short_in(en))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Up to `n` procedure titles of `c`, as examples.
    pub fn examples(&self, c: ProcedureCategory, en: bool, n: usize) -> Vec<&str> {
        self.category(c)
            .map(|g| {
                g.procedures
                    .iter()
                    .take(n)
                    .map(|(fr, e)| if en { e.as_str() } else { fr.as_str() })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The categories ticked with those of the operators ticked (unknown
    /// codes and keys left out), in the order of [`ProcedureCategory::ALL`].
    pub fn expand(&self, categories: &[String], operators: &[String]) -> Vec<ProcedureCategory> {
        let mut wanted: HashSet<ProcedureCategory> = categories
            .iter()
            .filter_map(|c| ProcedureCategory::parse(c).ok())
            .collect();
        for key in operators {
            if let Some(o) = self.operator(key.trim()) {
                wanted.extend(o.categories.iter().copied());
            }
        }
        ProcedureCategory::ALL
            .iter()
            .copied()
            .filter(|c| wanted.contains(c))
            .collect()
    }
}

impl Catalog {
    /// The catalogue operator a text names (id, name or short name, in
    /// either language; accents and case ignored).
    pub fn operator_named(&self, text: &str) -> Option<&Operator> {
        let key = fold(text);
        if key.is_empty() {
            return None;
        }
        self.operators.iter().find(|o| {
            o.id == text.trim()
                || [&o.name, &o.name_en, &o.short, &o.short_en]
                    .iter()
                    .any(|n| fold(n) == key)
        })
    }

    /// Groups `entries` by category and by operator (see [`Coverage`]).
    pub fn coverage<'a>(&self, entries: impl IntoIterator<Item = CoverageEntry<'a>>) -> Coverage {
        let mut operators: Vec<OperatorCoverage> = Vec::new();
        // (category, operator key, titles)
        let mut seen: Vec<(ProcedureCategory, String, (String, String))> = Vec::new();
        for e in entries {
            let (key, short, short_en) = match self.operator_named(e.operator) {
                Some(o) => (o.id.clone(), o.short.clone(), o.short_en.clone()),
                None => {
                    let text = e.operator.trim().replace(',', " ");
                    (format!("local:{}", fold(&text)), text.clone(), text)
                }
            };
            if !operators.iter().any(|o| o.key == key) {
                operators.push(OperatorCoverage {
                    key: key.clone(),
                    short,
                    short_en,
                    categories: Vec::new(),
                });
            }
            if let Some(o) = operators.iter_mut().find(|o| o.key == key) {
                if !o.categories.contains(&e.category) {
                    o.categories.push(e.category);
                }
            }
            seen.push((e.category, key, (e.title.to_owned(), e.title_en.to_owned())));
        }
        // The catalogue's order of operators, a structure's own after.
        let rank = |key: &str| {
            self.operators
                .iter()
                .position(|o| o.id == key)
                .unwrap_or(usize::MAX)
        };
        operators.sort_by_key(|o| rank(&o.key));
        for o in &mut operators {
            o.categories.sort();
        }
        let categories = ProcedureCategory::ALL
            .iter()
            .map(|&category| {
                let mine: Vec<&(ProcedureCategory, String, (String, String))> =
                    seen.iter().filter(|(c, _, _)| *c == category).collect();
                let keys: Vec<String> = operators
                    .iter()
                    .filter(|o| mine.iter().any(|(_, k, _)| *k == o.key))
                    .map(|o| o.key.clone())
                    .collect();
                // One procedure of each operator first, then the others.
                let mut procedures: Vec<(String, String)> = Vec::new();
                for k in &keys {
                    if let Some((_, _, t)) = mine.iter().find(|(_, key, _)| key == k) {
                        procedures.push(t.clone());
                    }
                }
                for (_, _, t) in &mine {
                    if !procedures.contains(t) {
                        procedures.push(t.clone());
                    }
                }
                CategoryCoverage {
                    category,
                    operators: keys,
                    procedures,
                }
            })
            .collect();
        Coverage {
            categories,
            operators,
        }
    }

    /// The shipped procedures as the grouping reads them.
    pub fn coverage_entries(&self) -> impl Iterator<Item = CoverageEntry<'_>> {
        self.procedures.iter().map(|p| CoverageEntry {
            category: p.category,
            operator: &p.operator,
            title: &p.title,
            title_en: &p.title_en,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_shipped_catalogue_is_valid_and_complete() {
        let c = Catalog::shipped().unwrap_or_else(|e| panic!("{e}"));
        assert!(c.procedures.len() >= 30, "{}", c.procedures.len());
        assert!(c.operators.len() >= 15, "{}", c.operators.len());
        for p in &c.procedures {
            assert!(p.service_public.starts_with(SERVICE_PUBLIC), "{}", p.id);
            assert!(c.operator(&p.operator).is_some(), "{}", p.id);
        }
        let ft = c.procedure("ft-actualisation").unwrap();
        assert!(matches!(
            ft.deadline,
            Some(DeadlineRule::MonthlyWindow {
                opens_day: 28,
                opens_day_february: 26,
                closes_day: 15
            })
        ));
        assert_eq!(
            c.by_title("actualisation MENSUELLE france travail")
                .map(|p| p.id.as_str()),
            Some("ft-actualisation")
        );
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_field() {
        let ops = "[[operator]]\nid = \"caf\"\nname = \"CAF\"\nname_en = \"CAF\"\nshort = \"CAF\"\nshort_en = \"CAF\"\nwebsite = \"https://www.caf.fr\"\nscope = \"national\"\n";
        let proc_ok = |extra: &str| {
            format!("[[procedure]]\nid = \"x\"\ntitle = \"T\"\ntitle_en = \"T\"\ncategory = \"social\"\noperator = \"caf\"\nservice_public = \"https://www.service-public.fr/particuliers/vosdroits/F1\"\ndocuments = []\ndocuments_en = []\ntips = \"t\"\ntips_en = \"t\"\nchecked_on = 2026-11-29\nsources = [\"F1\"]\n{extra}")
        };
        assert!(Catalog::parse(("o", ops), ("p", &proc_ok(""))).is_ok());
        let e = Catalog::parse(
            ("o", ops),
            ("p", &proc_ok("").replace("\"caf\"", "\"cpam\"")),
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (6, "operator"), "{e}");
        let e = Catalog::parse(("o", ops), ("p", &proc_ok("colour = 1\n"))).unwrap_err();
        assert_eq!(e.line, 14, "{e}");
        assert!(e.message.contains("colour"), "{e}");
        let e = Catalog::parse(("o", ops), ("p", &proc_ok("deadline = { kind = \"before_end_of_rights\", earliest_months = 2, latest_months = 4 }\n"))).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (14, "deadline"), "{e}");
        let e = Catalog::parse(
            ("o", ops),
            ("p", &proc_ok("").replace("title_en = \"T\"\n", "")),
        )
        .unwrap_err();
        assert_eq!(e.field, "title_en", "{e}");
        assert!(e.to_string().starts_with("p, line "), "{e}");
    }

    #[test]
    fn the_grouping_follows_the_catalogue() {
        let c = Catalog::shipped().unwrap_or_else(|e| panic!("{e}"));
        let cov = c.coverage(c.coverage_entries());
        // Every procedure's operator is named under its category, and an
        // operator is named under a category only where it has procedures.
        for p in &c.procedures {
            let short = &c.operator(&p.operator).unwrap().short;
            assert!(
                cov.operator_names(p.category, false)
                    .contains(&short.as_str()),
                "{} ({}) under {}",
                p.id,
                short,
                p.category.as_str()
            );
        }
        for g in &cov.categories {
            for k in &g.operators {
                assert!(
                    c.procedures
                        .iter()
                        .any(|p| p.category == g.category && &p.operator == k),
                    "{k} under {}",
                    g.category.as_str()
                );
            }
        }
        // The CAF ticks what the catalogue files under the CAF: APL
        // included.
        let caf = cov.operator("caf").unwrap();
        assert_eq!(
            caf.categories,
            vec![
                ProcedureCategory::Famille,
                ProcedureCategory::Social,
                ProcedureCategory::Logement
            ]
        );
        assert_eq!(
            cov.expand(
                &["papiers".into(), "nope".into()],
                &["caf".into(), "x".into()]
            ),
            vec![
                ProcedureCategory::Papiers,
                ProcedureCategory::Famille,
                ProcedureCategory::Social,
                ProcedureCategory::Logement
            ]
        );
        // Examples: one procedure of each operator first.
        let social = cov.examples(ProcedureCategory::Social, false, 2);
        assert_eq!(
            social,
            vec![
                "Demander le RSA",
                c.procedure("ameli-compte-attestation")
                    .unwrap()
                    .title
                    .as_str()
            ]
        );
        assert!(cov
            .operator_names(ProcedureCategory::Loisirs, false)
            .is_empty());
        // A structure's own operator, named by its text or matched to the
        // catalogue's.
        let own = c.coverage([
            CoverageEntry {
                category: ProcedureCategory::Transports,
                operator: "Mairie de Démoville",
                title: "Aide communale aux transports",
                title_en: "Aide communale aux transports",
            },
            CoverageEntry {
                category: ProcedureCategory::Loisirs,
                operator: "caf",
                title: "Aide aux vacances",
                title_en: "Holiday help",
            },
        ]);
        assert_eq!(
            own.operator_names(ProcedureCategory::Transports, false),
            vec!["Mairie de Démoville"]
        );
        assert_eq!(own.operators[0].key, "caf");
        assert_eq!(own.operators[1].key, "local:mairie de demoville");
    }
}
