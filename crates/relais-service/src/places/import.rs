//! Reading the field's place files: the national list of France Services
//! sites (CSV), "lieux de médiation numérique" (CSV per the standard's
//! Table Schema, or the JSON arrays of the real exports, v1 `|` or older
//! v0 `;` wording) and data·inclusion (JSON, v1 structures and services,
//! or v0 as found in the real files). A rejected row is reported with its
//! line (CSV) or item (JSON), field and reason; quirks are read on purpose:
//! epoch placeholder dates are unknown dates, the `00000000000000` pivot
//! is no SIRET, a missing INSEE code is taken from the postcode when the
//! postcode names one commune, empty strings are nothing.

use super::vocab::{map, Mapped};
use crate::communes::Communes;
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::{InseeCode, Postcode};
use relais_store::{PlaceOfferRow, PlaceRow};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The formats `relais import places --format` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Lmn,
    DataInclusion,
    FranceServices,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim() {
            "lmn" => Some(Format::Lmn),
            "data-inclusion" => Some(Format::DataInclusion),
            "france-services" => Some(Format::FranceServices),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Lmn => "lmn",
            Format::DataInclusion => "data-inclusion",
            Format::FranceServices => "france-services",
        }
    }
}

/// One rejected row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// `line` (CSV, the header is line 1) or `item` (JSON, from 1).
    pub unit: &'static str,
    pub line: u64,
    pub field: String,
    /// A stable code (`empty`, `not_insee`, `not_postcode`, `coordinates`,
    /// `not_date`, `duplicate`, `unreadable`, `not_object`, `not_siret`).
    pub code: &'static str,
    pub reason: String,
}

/// What was read on purpose and is worth telling.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Notes {
    /// Imported places whose INSEE code is not in the shipped list of
    /// communes (merged since the file was published).
    pub unknown_insee: u64,
    /// INSEE codes taken from the postcode (and the commune's name).
    pub insee_completed: u64,
    /// Dates 1970-01-01 or 1969-12-31, read as unknown.
    pub placeholder_dates: u64,
    /// Pivots `00000000000000`, read as no SIRET.
    pub placeholder_pivots: u64,
    /// Opening hours kept as written, beyond the syntax relais reads.
    pub unread_hours: u64,
    /// Coordinates 0, 0 (a placeholder), read as unknown.
    pub placeholder_coordinates: u64,
    /// Terms no vocabulary knows: (field, term) → rows.
    pub unknown_terms: BTreeMap<String, u64>,
}

/// A file read: the places and services to save, the rows rejected.
/// The rows to save stay inside the service.
#[derive(Debug, Default)]
pub struct Parsed {
    pub(crate) places: Vec<PlaceRow>,
    pub(crate) offers: Vec<PlaceOfferRow>,
    pub rejected: Vec<Rejected>,
    pub notes: Notes,
    /// Rows (or items) read, rejected ones included.
    pub rows: u64,
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not UTF-8 text (it looks like {0}); save it as UTF-8 and try again")]
    Encoding(&'static str),
    #[error("the file lacks the column(s) {missing}; expected {expected}")]
    Columns { missing: String, expected: String },
    #[error("the columns are separated by {found:?}; expected a comma-separated file")]
    Separator { found: char },
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
    #[error("{0}")]
    Shape(String),
}

impl ImportError {
    /// The code of the API's and the forms' message.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Encoding(_) => "not_utf8",
            ImportError::Columns { .. } => "missing_columns",
            ImportError::Separator { .. } => "wrong_separator",
            ImportError::Malformed { .. } => "malformed_file",
            ImportError::Shape(_) => "wrong_format",
        }
    }
}

/// Reads a file of the given format.
pub fn parse(format: Format, bytes: &[u8], now: DateTime<Utc>) -> Result<Parsed, ImportError> {
    let text = utf8(bytes)?;
    let mut p = match format {
        Format::FranceServices => super::france_services(text, now)?,
        Format::Lmn => lmn(text, now)?,
        Format::DataInclusion => data_inclusion(text, now)?,
    };
    for place in &mut p.places {
        place.content_hash = place_hash(place);
    }
    for o in &mut p.offers {
        o.content_hash = offer_hash(o);
    }
    Ok(p)
}

pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::Encoding(if bytes.iter().any(|b| *b >= 0x80) {
            "Latin-1 (ISO-8859-1 or Windows-1252)"
        } else {
            "binary data"
        })
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

pub(crate) fn place_hash(p: &PlaceRow) -> String {
    let text = format!(
        "{}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}\n{}\n{}\n{:?}\n{:?}\n{}\n{}\n{}\n{:?}",
        p.name,
        p.siret,
        p.address,
        p.postcode,
        p.commune,
        p.insee_code,
        p.latitude,
        p.longitude,
        p.phone,
        p.email,
        p.website,
        p.opening_hours,
        p.services,
        p.labels,
        p.access_modes,
        p.updated_on,
        p.rna,
        p.publics,
        p.fees,
        p.support_modes,
        p.description,
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn offer_hash(o: &PlaceOfferRow) -> String {
    let text = format!(
        "{}\n{}\n{:?}\n{}\n{}\n{}\n{}\n{}\n{:?}",
        o.structure_ref,
        o.name,
        o.description,
        o.kinds,
        o.thematiques,
        o.services,
        o.fees,
        o.publics,
        o.link
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A row as text fields: empty strings and nulls are absent.
type Fields = HashMap<String, String>;

fn fields_of(obj: &serde_json::Map<String, Value>) -> Fields {
    obj.iter()
        .filter_map(|(k, v)| {
            let s = match v {
                Value::Null => return None,
                Value::String(s) => s.trim().to_owned(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(|x| match x {
                        Value::String(s) => Some(s.trim().to_owned()),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    })
                    .collect::<Vec<_>>()
                    .join("|"),
                other => other.to_string(),
            };
            (!s.is_empty()).then(|| (k.clone(), s))
        })
        .collect()
}

/// Postcode, commune name, INSEE code.
type Locality = (Option<String>, Option<String>, Option<String>);

/// What the row-level readers share.
struct Ctx<'a> {
    communes: &'a Communes,
    notes: Notes,
    seen: HashMap<String, u64>,
}

struct RowError(&'static str, &'static str, String);

fn reject(field: &'static str, code: &'static str, reason: impl Into<String>) -> RowError {
    RowError(field, code, reason.into())
}

impl Ctx<'_> {
    fn terms(&mut self, field: &str, raws: &[Option<&String>], out: &mut Vec<&'static str>) {
        for raw in raws.iter().flatten() {
            for term in raw
                .split(['|', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                match map(field, term) {
                    Mapped::Code(c) => {
                        if !out.contains(&c) {
                            out.push(c)
                        }
                    }
                    Mapped::Nothing => {}
                    Mapped::Unknown => {
                        let short: String = term.chars().take(60).collect();
                        *self
                            .notes
                            .unknown_terms
                            .entry(format!("{field}: {short}"))
                            .or_default() += 1;
                    }
                }
            }
        }
    }

    fn date(&mut self, raw: Option<&String>) -> Result<Option<NaiveDate>, RowError> {
        let Some(raw) = raw else { return Ok(None) };
        let head = raw.get(..10).unwrap_or(raw);
        let d = NaiveDate::parse_from_str(head, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(head, "%d/%m/%Y"))
            .map_err(|_| reject("date_maj", "not_date", "not a date (YYYY-MM-DD)"))?;
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1);
        if Some(d) == epoch || Some(d) == epoch.and_then(|e| e.pred_opt()) {
            self.notes.placeholder_dates += 1;
            return Ok(None);
        }
        Ok(Some(d))
    }

    /// Postcode, commune, INSEE code (completed when missing), checked.
    fn locality(
        &mut self,
        postcode: Option<&String>,
        commune: Option<&String>,
        insee: Option<&String>,
        insee_field: &'static str,
    ) -> Result<Locality, RowError> {
        if let Some(pc) = postcode {
            if !matches!(Postcode::parse("code_postal", pc), Ok(Some(_))) {
                return Err(reject(
                    "code_postal",
                    "not_postcode",
                    "not a 5-digit postcode",
                ));
            }
        }
        let insee = match insee.map(|code| InseeCode::parse(insee_field, code)) {
            Some(Err(_)) | Some(Ok(None)) => {
                return Err(reject(insee_field, "not_insee", "not an INSEE code"))
            }
            Some(Ok(Some(code))) => Some(code.into_string()),
            None => {
                let found = postcode.and_then(|pc| {
                    let list = self.communes.by_postcode(pc);
                    let by_name = commune.and_then(|name| {
                        let n = relais_domain::search::fold(name);
                        list.iter()
                            .find(|c| relais_domain::search::fold(&c.name) == n)
                            .copied()
                    });
                    by_name.or_else(|| self.communes.designated_by(pc))
                });
                found.map(|c| {
                    self.notes.insee_completed += 1;
                    c.insee_code.clone()
                })
            }
        };
        if let Some(code) = &insee {
            if self.communes.by_insee(code).is_none() {
                self.notes.unknown_insee += 1;
            }
        }
        Ok((postcode.cloned(), commune.cloned(), insee))
    }

    fn coordinates(
        &mut self,
        lat: Option<&String>,
        lon: Option<&String>,
    ) -> Result<(Option<f64>, Option<f64>), RowError> {
        let zero = |v: Option<&String>| v.and_then(|x| x.parse::<f64>().ok()) == Some(0.0);
        if zero(lat) && zero(lon) {
            self.notes.placeholder_coordinates += 1;
            return Ok((None, None));
        }
        let read = |v: Option<&String>, max: f64| -> Result<Option<f64>, ()> {
            match v {
                None => Ok(None),
                Some(v) => match v.replace(',', ".").parse::<f64>() {
                    Ok(x) if x.abs() <= max && x != 0.0 => Ok(Some(x)),
                    _ => Err(()),
                },
            }
        };
        match (read(lat, 90.0), read(lon, 180.0)) {
            (Ok(a), Ok(b)) if a.is_some() == b.is_some() => Ok((a, b)),
            (Ok(_), Ok(_)) => Err(reject(
                "latitude",
                "coordinates",
                "a latitude without longitude, or the reverse",
            )),
            (Err(()), _) => Err(reject("latitude", "coordinates", "out of range")),
            (_, Err(())) => Err(reject("longitude", "coordinates", "out of range")),
        }
    }

    fn hours(&mut self, raw: Option<&String>) -> Option<String> {
        let h = raw?.trim().to_owned();
        if super::hours::parse(&h).is_none() {
            self.notes.unread_hours += 1;
        }
        Some(h)
    }

    /// Refuses a second row with the same id in one file.
    fn unique(&mut self, id: &str, at: u64, unit: &str) -> Result<(), RowError> {
        if let Some(first) = self.seen.get(id) {
            return Err(reject(
                "id",
                "duplicate",
                format!("the same id as {unit} {first}"),
            ));
        }
        self.seen.insert(id.to_owned(), at);
        Ok(())
    }
}

/// Adds the codes of the terms a vocabulary knows; the others are the
/// source's own (data·inclusion themes outside digital help) and say
/// nothing more about what relais searches.
fn known_codes(field: &str, raw: Option<&String>, out: &mut Vec<&'static str>) {
    for t in raw.into_iter().flat_map(|r| r.split('|')) {
        if let Mapped::Code(c) = map(field, t) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
}

fn first_of(v: Option<&String>) -> Option<String> {
    v.and_then(|s| {
        s.split(['|', ';'])
            .map(str::trim)
            .find(|x| !x.is_empty())
            .map(str::to_owned)
    })
}

fn join(list: Vec<&str>) -> String {
    list.join("|")
}

fn address(a: Option<&String>, b: Option<&String>) -> Option<String> {
    let parts: Vec<&str> = [a, b].into_iter().flatten().map(String::as_str).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn json_error(e: serde_json::Error, what: &str) -> ImportError {
    ImportError::Malformed {
        line: e.line() as u64,
        message: if e.is_eof() {
            format!("the file ends too early: it looks truncated ({what})")
        } else {
            format!("not valid JSON: {e}")
        },
    }
}

/// A whole JSON document (the object form of data·inclusion).
fn json_items(text: &str, what: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| json_error(e, what))
}

/// Hands each item of a JSON array to `f`, one at a time: a large file is
/// read without building its whole tree.
struct Items<'f>(&'f mut dyn FnMut(Value));

impl<'de> serde::de::DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Items<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            (self.0)(v);
        }
        Ok(())
    }
}

fn each_item(text: &str, what: &str, mut f: impl FnMut(Value)) -> Result<(), ImportError> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    Items(&mut f)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| json_error(e, what))
}

// ---- lieux de médiation numérique ------------------------------------------

const LMN_REQUIRED: [&str; 6] = ["id", "nom", "commune", "code_postal", "adresse", "date_maj"];

fn lmn(text: &str, now: DateTime<Utc>) -> Result<Parsed, ImportError> {
    let trimmed = text.trim_start();
    let mut ctx = Ctx {
        communes: Communes::shipped(),
        notes: Notes::default(),
        seen: HashMap::new(),
    };
    let mut out = Parsed::default();
    let mut handle = |fields: Fields, at: u64, unit: &'static str, out: &mut Parsed| {
        out.rows += 1;
        match lmn_row(&mut ctx, &fields, at, unit, now) {
            Ok(p) => out.places.push(p),
            Err(RowError(field, code, reason)) => out.rejected.push(Rejected {
                unit,
                line: at,
                field: field.into(),
                code,
                reason,
            }),
        }
    };
    if trimmed.starts_with('{') {
        return Err(ImportError::Shape(
            "expected a JSON array of places (the lieux de médiation numérique export), \
             found an object"
                .into(),
        ));
    }
    if trimmed.starts_with('[') {
        let mut at = 0;
        each_item(text, "expected a JSON array of places", |item| {
            at += 1;
            match item {
                Value::Object(o) => handle(fields_of(&o), at, "item", &mut out),
                _ => {
                    out.rows += 1;
                    out.rejected.push(Rejected {
                        unit: "item",
                        line: at,
                        field: "-".into(),
                        code: "not_object",
                        reason: "not an object".into(),
                    })
                }
            }
        })?;
    } else {
        let first_line = text.lines().next().unwrap_or("");
        if !first_line.contains(',') {
            if let Some(sep) = [';', '\t', '|']
                .into_iter()
                .find(|c| first_line.contains(*c))
            {
                return Err(ImportError::Separator { found: sep });
            }
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| ImportError::Malformed {
                line: 1,
                message: e.to_string(),
            })?
            .clone();
        let names: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
        let missing: Vec<&str> = LMN_REQUIRED
            .iter()
            .copied()
            .filter(|c| !names.iter().any(|n| n == c))
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::Columns {
                missing: missing.join(", "),
                expected: format!(
                    "a lieux de médiation numérique CSV (Table Schema v1) with the columns {}",
                    LMN_REQUIRED.join(", ")
                ),
            });
        }
        for (i, record) in reader.records().enumerate() {
            let line = record
                .as_ref()
                .ok()
                .and_then(|r| r.position())
                .map_or(i as u64 + 2, |p| p.line());
            match record {
                Ok(r) => {
                    let fields: Fields = names
                        .iter()
                        .zip(r.iter())
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(k, v)| (k.clone(), v.trim().to_owned()))
                        .collect();
                    handle(fields, line, "line", &mut out);
                }
                Err(e) => {
                    out.rows += 1;
                    out.rejected.push(Rejected {
                        unit: "line",
                        line,
                        field: "-".into(),
                        code: "unreadable",
                        reason: format!("unreadable row: {e}"),
                    })
                }
            }
        }
    }
    out.notes = ctx.notes;
    Ok(out)
}

fn lmn_row(
    ctx: &mut Ctx<'_>,
    f: &Fields,
    at: u64,
    unit: &str,
    now: DateTime<Utc>,
) -> Result<PlaceRow, RowError> {
    let g = |k: &str| f.get(k);
    let id = g("id").ok_or(reject("id", "empty", "empty"))?;
    let name = g("nom").ok_or(reject("nom", "empty", "empty"))?;
    let origin = g("source").map_or("lmn", String::as_str);
    let source_id = format!("{origin}/{id}");
    let (postcode, commune, insee) = ctx.locality(
        g("code_postal"),
        g("commune"),
        g("code_insee"),
        "code_insee",
    )?;
    let (latitude, longitude) = ctx.coordinates(g("latitude"), g("longitude"))?;
    let updated_on = ctx.date(g("date_maj"))?;
    let siret = match g("pivot").map(String::as_str) {
        Some("00000000000000") => {
            ctx.notes.placeholder_pivots += 1;
            None
        }
        Some(p) if p.len() == 14 && p.chars().all(|c| c.is_ascii_digit()) => Some(p.to_owned()),
        _ => None,
    };
    ctx.unique(&source_id, at, unit)?;
    let mut services = Vec::new();
    ctx.terms("services", &[g("services")], &mut services);
    let mut publics = Vec::new();
    ctx.terms(
        "publics",
        &[
            g("publics_specifiquement_adresses"),
            g("prise_en_charge_specifique"),
            g("publics_accueillis"),
        ],
        &mut publics,
    );
    let mut fees = Vec::new();
    ctx.terms(
        "fees",
        &[g("frais_a_charge"), g("conditions_acces")],
        &mut fees,
    );
    let mut labels = Vec::new();
    ctx.terms(
        "labels",
        &[g("dispositif_programmes_nationaux"), g("labels_nationaux")],
        &mut labels,
    );
    let mut access = Vec::new();
    ctx.terms("access_modes", &[g("modalites_acces")], &mut access);
    if g("prise_rdv").is_some() && !access.contains(&"rdv_en_ligne") {
        access.push("rdv_en_ligne");
    }
    if g("itinerance").is_some_and(|v| v.contains("Itinérant")) {
        access.push("itinerant");
    }
    let mut support = Vec::new();
    ctx.terms(
        "support_modes",
        &[g("modalites_accompagnement")],
        &mut support,
    );
    Ok(PlaceRow {
        id: Uuid::now_v7(),
        source: "lmn".into(),
        source_id,
        name: name.clone(),
        siret,
        address: address(g("adresse"), g("complement_adresse")),
        postcode,
        commune,
        insee_code: insee,
        latitude,
        longitude,
        phone: g("telephone").cloned(),
        email: first_of(g("courriels").or(g("courriel"))),
        website: first_of(g("site_web")),
        opening_hours: ctx.hours(g("horaires")),
        services: join(services),
        labels: join(labels),
        access_modes: join(access),
        updated_on,
        content_hash: String::new(),
        imported_at: now,
        rna: None,
        publics: join(publics),
        fees: join(fees),
        support_modes: join(support),
        description: g("presentation_resume")
            .or(g("presentation_detail"))
            .cloned(),
        structure_id: None,
    })
}

// ---- data·inclusion ----------------------------------------------------------

fn data_inclusion(text: &str, now: DateTime<Utc>) -> Result<Parsed, ImportError> {
    let what = "expected a JSON array of data·inclusion structures or services";
    let mut ctx = Ctx {
        communes: Communes::shipped(),
        notes: Notes::default(),
        seen: HashMap::new(),
    };
    let mut out = Parsed::default();
    let mut at = 0;
    let mut handle = |item: Value, out: &mut Parsed| {
        at += 1;
        out.rows += 1;
        let Value::Object(o) = item else {
            out.rejected.push(Rejected {
                unit: "item",
                line: at,
                field: "-".into(),
                code: "not_object",
                reason: "not an object".into(),
            });
            return;
        };
        let f = fields_of(&o);
        let r = if o.contains_key("structure_id") {
            di_service(&mut ctx, &f, at, now).map(|s| out.offers.push(s))
        } else {
            di_structure(&mut ctx, &f, at, now).map(|p| out.places.push(p))
        };
        if let Err(RowError(field, code, reason)) = r {
            out.rejected.push(Rejected {
                unit: "item",
                line: at,
                field: field.into(),
                code,
                reason,
            });
        }
    };
    if text.trim_start().starts_with('[') {
        each_item(text, what, |item| handle(item, &mut out))?;
    } else {
        // The object form: {"structures": [...], "services": [...]}.
        let v = json_items(text, what)?;
        let Value::Object(mut o) = v else {
            return Err(ImportError::Shape(format!(
                "{what}, or an object with \"structures\" and \"services\" arrays"
            )));
        };
        if !o.contains_key("structures") && !o.contains_key("services") {
            return Err(ImportError::Shape(format!(
                "{what}, or an object with \"structures\" and \"services\" arrays"
            )));
        }
        for key in ["structures", "services"] {
            match o.remove(key) {
                Some(Value::Array(a)) => a.into_iter().for_each(|x| handle(x, &mut out)),
                None => {}
                Some(_) => {
                    return Err(ImportError::Shape(format!(
                        "\"{key}\" must be an array of data·inclusion {key}"
                    )))
                }
            }
        }
    }
    out.notes = ctx.notes;
    Ok(out)
}

fn di_structure(
    ctx: &mut Ctx<'_>,
    f: &Fields,
    at: u64,
    now: DateTime<Utc>,
) -> Result<PlaceRow, RowError> {
    let g = |k: &str| f.get(k);
    let id = g("id").ok_or(reject("id", "empty", "empty"))?;
    let name = g("nom").ok_or(reject("nom", "empty", "empty"))?;
    let origin = g("source").ok_or(reject("source", "empty", "empty"))?;
    let source_id = format!("{origin}/{id}");
    let (postcode, commune, insee) = ctx.locality(
        g("code_postal"),
        g("commune"),
        g("code_insee"),
        "code_insee",
    )?;
    let (latitude, longitude) = ctx.coordinates(g("latitude"), g("longitude"))?;
    let updated_on = ctx.date(g("date_maj"))?;
    let siret = match g("siret") {
        Some(s) if s.len() == 14 && s.chars().all(|c| c.is_ascii_digit()) => {
            if s == "00000000000000" {
                ctx.notes.placeholder_pivots += 1;
                None
            } else {
                Some(s.clone())
            }
        }
        Some(_) => return Err(reject("siret", "not_siret", "not a 14-digit SIRET")),
        None => None,
    };
    let rna = g("rna")
        .filter(|r| r.len() == 10 && r.starts_with('W'))
        .cloned();
    ctx.unique(&source_id, at, "item")?;
    let mut services = Vec::new();
    ctx.terms("services", &[g("services")], &mut services);
    // Themes outside digital help are data·inclusion's own; they say no
    // more about what relais searches.
    known_codes("services", g("thematiques"), &mut services);
    let mut publics = Vec::new();
    ctx.terms("publics", &[g("publics_accueillis")], &mut publics);
    let mut fees = Vec::new();
    ctx.terms("fees", &[g("conditions_acces")], &mut fees);
    let mut labels = Vec::new();
    ctx.terms(
        "labels",
        &[g("labels_nationaux"), g("labels_nat")],
        &mut labels,
    );
    known_codes("labels", g("reseaux_porteurs"), &mut labels);
    let mut support = Vec::new();
    ctx.terms(
        "support_modes",
        &[g("modalites_accompagnement")],
        &mut support,
    );
    Ok(PlaceRow {
        id: Uuid::now_v7(),
        source: "data-inclusion".into(),
        source_id,
        name: name.clone(),
        siret,
        address: address(g("adresse"), g("complement_adresse")),
        postcode,
        commune,
        insee_code: insee,
        latitude,
        longitude,
        phone: g("telephone").cloned(),
        email: g("courriel").cloned(),
        website: g("site_web").cloned(),
        opening_hours: ctx.hours(g("horaires_accueil").or(g("horaires_ouverture"))),
        services: join(services),
        labels: join(labels),
        access_modes: String::new(),
        updated_on,
        content_hash: String::new(),
        imported_at: now,
        rna,
        publics: join(publics),
        fees: join(fees),
        support_modes: join(support),
        description: g("description")
            .or(g("presentation_resume"))
            .or(g("presentation_detail"))
            .cloned(),
        structure_id: None,
    })
}

fn di_service(
    ctx: &mut Ctx<'_>,
    f: &Fields,
    at: u64,
    now: DateTime<Utc>,
) -> Result<PlaceOfferRow, RowError> {
    let g = |k: &str| f.get(k);
    let id = g("id").ok_or(reject("id", "empty", "empty"))?;
    let name = g("nom").ok_or(reject("nom", "empty", "empty"))?;
    let origin = g("source").ok_or(reject("source", "empty", "empty"))?;
    let structure = g("structure_id").ok_or(reject("structure_id", "empty", "empty"))?;
    let source_id = format!("{origin}/{id}");
    ctx.unique(&format!("service {source_id}"), at, "item")?;
    let mut services = Vec::new();
    known_codes("services", g("thematiques"), &mut services);
    let mut fees = Vec::new();
    ctx.terms("fees", &[g("frais")], &mut fees);
    let mut publics = Vec::new();
    // v0 `profils` and v1 `publics`: data·inclusion's own publics; those
    // the lieux standard does not single out are not recorded.
    known_codes("publics", g("profils"), &mut publics);
    known_codes("publics", g("publics"), &mut publics);
    Ok(PlaceOfferRow {
        id: Uuid::now_v7(),
        source: "data-inclusion".into(),
        source_id,
        structure_ref: format!("{origin}/{structure}"),
        name: name.clone(),
        description: g("description").or(g("presentation_resume")).cloned(),
        kinds: g("types").or(g("type")).cloned().unwrap_or_default(),
        thematiques: g("thematiques").cloned().unwrap_or_default(),
        services: join(services),
        fees: join(fees),
        publics: join(publics),
        link: g("lien_mobilisation")
            .or(g("prise_rdv"))
            .filter(|l| l.starts_with("http"))
            .cloned(),
        content_hash: String::new(),
        imported_at: now,
    })
}
