//! Places people can be referred to: imported from the field's open data
//! (France Services sites, lieux de médiation numérique, data·inclusion)
//! or recorded by the structure itself. Re-importing a file updates the
//! places it changed and leaves the others alone. Every rejected row is
//! reported with its line, field and reason; the rest is imported in one
//! transaction.

pub mod export;
pub mod hours;
pub mod import;
pub mod vocab;

use crate::error::ServiceError;
use crate::{Actor, Permission, Principal, Services};
pub use import::{Format, ImportError, Notes, Parsed, Rejected};
use relais_domain::desk::{optional_long_text, optional_text};
use relais_domain::journal::JournalEvent;
use relais_domain::validation::bounded_text;
use relais_domain::FieldError;
use relais_domain::{InseeCode, Phone, PlaceId, Postcode, StructureId};
use relais_store::{PlaceOfferRow, PlaceRow};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

const FS_COLUMNS: [&str; 12] = [
    "id_fs",
    "lib_fs",
    "adresse",
    "insee_com",
    "code_postal",
    "lib_com",
    "latitude",
    "longitude",
    "h_lundi",
    "h_mardi",
    "h_mercredi",
    "h_jeudi",
];

/// `09:00 - 12:00 / 13:30 - 17:00` → `09:00-12:00,13:30-17:00`.
fn day_hours(s: &str) -> Option<String> {
    let spans: Vec<String> = s
        .split('/')
        .map(|span| span.replace(' ', ""))
        .filter(|span| !span.is_empty())
        .collect();
    let valid = |t: &str| {
        let b = t.as_bytes();
        b.len() == 5
            && b[2] == b':'
            && t[..2].parse::<u8>().is_ok_and(|h| h < 25)
            && t[3..].parse::<u8>().is_ok_and(|m| m < 60)
    };
    if spans.is_empty()
        || !spans
            .iter()
            .all(|s| s.split_once('-').is_some_and(|(a, b)| valid(a) && valid(b)))
    {
        return None;
    }
    Some(spans.join(","))
}

/// The week in OpenStreetMap `opening_hours` syntax, days with the same
/// hours grouped: `Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00`.
pub fn opening_hours(days: &[(&str, &str)]) -> Option<String> {
    let mut parts: Vec<(String, String, String)> = Vec::new();
    for (day, raw) in days {
        let Some(h) = day_hours(raw) else {
            continue;
        };
        match parts.last_mut() {
            Some((_, last, hours)) if *hours == h && follows(last, day) => {
                *last = (*day).to_owned()
            }
            _ => parts.push(((*day).to_owned(), (*day).to_owned(), h)),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(
        parts
            .into_iter()
            .map(|(a, b, h)| {
                if a == b {
                    format!("{a} {h}")
                } else {
                    format!("{a}-{b} {h}")
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

const WEEK: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

fn follows(prev: &str, day: &str) -> bool {
    let i = WEEK.iter().position(|d| *d == prev);
    let j = WEEK.iter().position(|d| *d == day);
    matches!((i, j), (Some(i), Some(j)) if j == i + 1)
}

/// Reads a France Services list; rows that break the rules are listed.
pub(crate) fn france_services(
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Parsed, ImportError> {
    let first_line = text.lines().next().unwrap_or("");
    if !first_line.contains(',') && first_line.contains(';') {
        return Err(ImportError::Separator { found: ';' });
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let cols = FsColumns(
        reader
            .headers()
            .map_err(|e| ImportError::Malformed {
                line: 1,
                message: e.to_string(),
            })?
            .clone(),
    );
    let missing: Vec<&str> = FS_COLUMNS
        .iter()
        .copied()
        .filter(|c| cols.col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::Columns {
            missing: missing.join(", "),
            expected: format!(
                "a comma-separated France Services list with the columns {}",
                FS_COLUMNS.join(", ")
            ),
        });
    }
    let communes = crate::communes::Communes::shipped();
    let mut places = Vec::new();
    let mut rejected = Vec::new();
    let mut unknown = 0;
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let place = match record {
            Ok(r) => fs_place(&cols, &r, communes, &mut unknown, now),
            Err(e) => Err(("-", "unreadable", format!("unreadable row: {e}"))),
        };
        match place {
            Ok(p) => places.push(p),
            Err((field, code, reason)) => rejected.push(Rejected {
                unit: "line",
                line,
                field: field.to_owned(),
                code,
                reason,
            }),
        }
    }
    Ok(Parsed {
        rows: places.len() as u64 + rejected.len() as u64,
        places,
        rejected,
        notes: Notes {
            unknown_insee: unknown,
            ..Notes::default()
        },
        ..Parsed::default()
    })
}

/// The header of a France Services list: its columns, found by name.
struct FsColumns(csv::StringRecord);

impl FsColumns {
    fn col(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|h| h.trim() == name)
    }

    /// The trimmed value of a column, empty when the column is absent.
    fn get(&self, r: &csv::StringRecord, name: &str) -> String {
        self.col(name)
            .and_then(|i| r.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }
}

/// One row of a France Services list as a place, or why it is rejected
/// (field, code, reason). Counts the INSEE codes not in the shipped list.
fn fs_place(
    cols: &FsColumns,
    r: &csv::StringRecord,
    communes: &crate::communes::Communes,
    unknown: &mut u64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PlaceRow, (&'static str, &'static str, String)> {
    let opt = |v: String| (!v.is_empty()).then_some(v);
    let id = cols.get(r, "id_fs");
    let name = cols.get(r, "lib_fs");
    let postcode = cols.get(r, "code_postal");
    let insee = cols.get(r, "insee_com");
    if id.is_empty() {
        return Err(("id_fs", "empty", "empty".to_owned()));
    }
    if name.is_empty() {
        return Err(("lib_fs", "empty", "empty".to_owned()));
    }
    if Postcode::parse("code_postal", &postcode).is_err() {
        return Err((
            "code_postal",
            "not_postcode",
            "not a 5-digit postcode".to_owned(),
        ));
    }
    if InseeCode::parse("insee_com", &insee).is_err() {
        return Err(("insee_com", "not_insee", "not an INSEE code".to_owned()));
    }
    let coord = |name: &str, max: f64| -> Result<Option<f64>, ()> {
        let v = cols.get(r, name);
        if v.is_empty() {
            return Ok(None);
        }
        match v.replace(',', ".").parse::<f64>() {
            Ok(x) if x.abs() <= max && x != 0.0 => Ok(Some(x)),
            _ => Err(()),
        }
    };
    let (Ok(latitude), Ok(longitude)) = (coord("latitude", 90.0), coord("longitude", 180.0)) else {
        return Err((
            "latitude",
            "coordinates",
            "coordinates out of range".to_owned(),
        ));
    };
    if !insee.is_empty() && communes.by_insee(&insee).is_none() {
        *unknown += 1;
    }
    let days: Vec<(&str, String)> = [
        ("Mo", "h_lundi"),
        ("Tu", "h_mardi"),
        ("We", "h_mercredi"),
        ("Th", "h_jeudi"),
        ("Fr", "h_vendredi"),
        ("Sa", "h_samedi"),
    ]
    .iter()
    .map(|(d, c)| (*d, cols.get(r, c)))
    .collect();
    let days_ref: Vec<(&str, &str)> = days.iter().map(|(d, h)| (*d, h.as_str())).collect();
    let mut access = vec!["se_presenter"];
    if cols.get(r, "prise_rdv").eq_ignore_ascii_case("oui") {
        access.push("sur_rdv");
    }
    if matches!(
        cols.get(r, "format_fs").as_str(),
        "Bus_équivalent" | "Itinérante"
    ) {
        access.push("itinerant");
    }
    Ok(PlaceRow {
        id: Uuid::now_v7(),
        source: "france-services".into(),
        source_id: id,
        name,
        siret: None,
        address: opt([cols.get(r, "adresse"), cols.get(r, "complement_adresse")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")),
        postcode: opt(postcode),
        commune: opt(cols.get(r, "lib_com")),
        insee_code: opt(insee),
        latitude,
        longitude,
        phone: opt(cols.get(r, "telephone")),
        email: opt(cols.get(r, "mail")),
        website: None,
        opening_hours: opening_hours(&days_ref),
        services: "demarches".into(),
        labels: "france_services".into(),
        access_modes: access.join("|"),
        updated_on: None,
        content_hash: String::new(),
        imported_at: now,
        fees: "gratuit".into(),
        support_modes: "individuel".into(),
        ..PlaceRow::default()
    })
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub format: String,
    /// Rows or items read, rejected ones included.
    pub rows: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<Rejected>,
    /// data·inclusion services (published apart from their structures).
    pub services: Option<OfferCounts>,
    pub notes: Notes,
}

/// What an import did to data·inclusion services.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OfferCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A place near a commune, with its distance when both have coordinates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceHit {
    #[serde(flatten)]
    pub place: PlaceView,
    pub distance_km: Option<f64>,
    /// Whether it is open at the time of the search (`None`: unknown).
    pub open_now: Option<bool>,
}

/// A place as shown and exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceView {
    pub id: Uuid,
    pub source: String,
    pub name: String,
    pub siret: Option<String>,
    pub rna: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
    pub insee_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub opening_hours: Option<String>,
    pub description: Option<String>,
    pub services: Vec<String>,
    pub publics: Vec<String>,
    pub fees: Vec<String>,
    pub labels: Vec<String>,
    pub access_modes: Vec<String>,
    pub support_modes: Vec<String>,
    /// The source's last update, when it gave a real one.
    pub updated_on: Option<chrono::NaiveDate>,
    /// Set on the structure's own places.
    pub own: bool,
}

fn list(s: &str) -> Vec<String> {
    s.split('|')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

impl From<PlaceRow> for PlaceView {
    fn from(p: PlaceRow) -> Self {
        PlaceView {
            id: p.id,
            services: list(&p.services),
            labels: list(&p.labels),
            access_modes: list(&p.access_modes),
            publics: list(&p.publics),
            fees: list(&p.fees),
            support_modes: list(&p.support_modes),
            own: p.structure_id.is_some(),
            source: p.source,
            name: p.name,
            siret: p.siret,
            rna: p.rna,
            address: p.address,
            postcode: p.postcode,
            commune: p.commune,
            insee_code: p.insee_code,
            latitude: p.latitude,
            longitude: p.longitude,
            phone: p.phone,
            email: p.email,
            website: p.website,
            opening_hours: p.opening_hours,
            description: p.description,
            updated_on: p.updated_on,
        }
    }
}

/// A service a source publishes for a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferView {
    pub name: String,
    pub description: Option<String>,
    pub services: Vec<String>,
    pub fees: Vec<String>,
    pub publics: Vec<String>,
    pub link: Option<String>,
}

impl From<PlaceOfferRow> for OfferView {
    fn from(o: PlaceOfferRow) -> Self {
        OfferView {
            services: list(&o.services),
            fees: list(&o.fees),
            publics: list(&o.publics),
            name: o.name,
            description: o.description,
            link: o.link,
        }
    }
}

/// A place with the services its source publishes apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceDetail {
    #[serde(flatten)]
    pub place: PlaceView,
    pub offers: Vec<OfferView>,
}

/// A search for places near a commune.
#[derive(Debug, Clone, Default)]
pub struct PlaceQuery {
    /// The commune's INSEE code.
    pub near: String,
    pub q: String,
    pub service: String,
    pub public: String,
    pub fee: String,
    pub label: String,
    pub open_now: bool,
    pub limit: usize,
}

fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    6371.0 * 2.0 * h.sqrt().asin()
}

/// Checks a filter against its vocabulary (empty: no filter).
fn filter_code(
    c: &mut crate::error::Checks,
    field: &'static str,
    vocabulary: &str,
    value: &str,
) -> String {
    let v = value.trim();
    if !v.is_empty() && !vocab::known(vocabulary, v) {
        c.push(FieldError::new(field, "unknown_code"));
    }
    v.to_owned()
}

impl Services {
    /// Imports a file of places (administrators of the instance, or the
    /// operator at the command line). Journaled with its counts.
    pub async fn import_places(
        &self,
        by: Principal<'_>,
        format: Format,
        bytes: &[u8],
    ) -> Result<ImportReport, ServiceError> {
        by.require(Permission::ImportPlaces)?;
        let parsed = import::parse(format, bytes, self.now())
            .map_err(|e| FieldError::new("file", e.code()))?;
        self.save_import(by, format, parsed).await
    }

    /// Saves a file already read by [`import::parse`] (the command line
    /// reads it first, to word a refused file itself).
    pub async fn save_import(
        &self,
        by: Principal<'_>,
        format: Format,
        parsed: Parsed,
    ) -> Result<ImportReport, ServiceError> {
        by.require(Permission::ImportPlaces)?;
        let now = self.now();
        let actor_id = by.agent_id();
        let n_rejected = parsed.rejected.len();
        let (counts, offer_counts) = self
            .store
            .upsert_places(
                &parsed.places,
                &parsed.offers,
                |c, o| {
                    let mut details = json!({
                        "source": format.as_str(),
                        "new": c.new,
                        "updated": c.updated,
                        "unchanged": c.unchanged,
                        "rejected": n_rejected,
                    });
                    if !parsed.offers.is_empty() {
                        details["services"] = json!({
                            "new": o.new,
                            "updated": o.updated,
                            "unchanged": o.unchanged,
                        });
                    }
                    let mut ev = JournalEvent::new("places.import").details(details);
                    if let Some(a) = actor_id {
                        ev = ev.actor(a);
                    }
                    vec![ev]
                },
                now,
            )
            .await?;
        let services = (!parsed.offers.is_empty()).then_some(OfferCounts {
            new: offer_counts.new,
            updated: offer_counts.updated,
            unchanged: offer_counts.unchanged,
        });
        Ok(ImportReport {
            format: format.as_str().into(),
            rows: parsed.rows,
            new: counts.new,
            updated: counts.updated,
            unchanged: counts.unchanged,
            rejected: parsed.rejected,
            services,
            notes: parsed.notes,
        })
    }

    /// Places near a commune (its INSEE code): those of its département,
    /// nearest first when coordinates allow, else those of the commune
    /// first; filtered by service, public, fee, label, opening now, and
    /// `q` on the name or the commune.
    pub async fn places_near(
        &self,
        actor: &Actor,
        query: &PlaceQuery,
    ) -> Result<Vec<PlaceHit>, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        let mut c = crate::error::Checks::default();
        let near = query.near.trim();
        let communes = crate::communes::Communes::shipped();
        let commune = communes.by_insee(near);
        if near.is_empty() {
            c.push(FieldError::new("near", "required"));
        } else if commune.is_none() {
            c.push(FieldError::new("near", "unknown_commune"));
        }
        let service = filter_code(&mut c, "service", "services", &query.service);
        let public = filter_code(&mut c, "public", "publics", &query.public);
        let fee = filter_code(&mut c, "fee", "fees", &query.fee);
        let label = filter_code(&mut c, "label", "labels", &query.label);
        c.finish()?;
        let Some(commune) = commune else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let places = self.store.places_in(&commune.departement.code).await?;
        // The commune's centre: the mean of its places' coordinates, else
        // of those of its postcodes.
        let mean = |pred: &dyn Fn(&PlaceRow) -> bool| {
            let here: Vec<(f64, f64)> = places
                .iter()
                .filter(|p| pred(p))
                .filter_map(|p| Some((p.latitude?, p.longitude?)))
                .collect();
            (!here.is_empty()).then(|| {
                let n = here.len() as f64;
                (
                    here.iter().map(|c| c.0).sum::<f64>() / n,
                    here.iter().map(|c| c.1).sum::<f64>() / n,
                )
            })
        };
        let centre = mean(&|p| p.insee_code.as_deref() == Some(near)).or_else(|| {
            mean(&|p| {
                p.postcode
                    .as_ref()
                    .is_some_and(|pc| commune.postcodes.contains(pc))
            })
        });
        let local = self.now().with_timezone(&chrono_tz::Europe::Paris);
        use chrono::{Datelike, Timelike};
        let (weekday, minute) = (
            local.weekday().num_days_from_monday() as usize,
            (local.hour() * 60 + local.minute()) as u16,
        );
        let has = |set: &str, code: &str| code.is_empty() || set.split('|').any(|x| x == code);
        let folded = relais_domain::search::fold(&query.q);
        let mut hits: Vec<PlaceHit> = places
            .into_iter()
            .filter(|p| {
                folded.is_empty()
                    || relais_domain::search::fold(&format!(
                        "{} {}",
                        p.name,
                        p.commune.clone().unwrap_or_default()
                    ))
                    .contains(&folded)
            })
            .filter(|p| {
                has(&p.services, &service)
                    && has(&p.publics, &public)
                    && has(&p.fees, &fee)
                    && has(&p.labels, &label)
            })
            .map(|p| {
                let distance = match (centre, p.latitude, p.longitude) {
                    (Some(c), Some(la), Some(lo)) => Some((km(c, (la, lo)) * 10.0).round() / 10.0),
                    _ => None,
                };
                let same = p.insee_code.as_deref() == Some(near);
                let open_now = hours::is_open(p.opening_hours.as_deref(), weekday, minute);
                PlaceHit {
                    distance_km: if same {
                        distance.or(Some(0.0))
                    } else {
                        distance
                    },
                    open_now,
                    place: p.into(),
                }
            })
            .filter(|h| !query.open_now || h.open_now == Some(true))
            .collect();
        hits.sort_by(|a, b| {
            a.distance_km
                .unwrap_or(f64::MAX)
                .total_cmp(&b.distance_km.unwrap_or(f64::MAX))
                .then_with(|| a.place.name.cmp(&b.place.name))
        });
        hits.truncate(query.limit.clamp(1, 200));
        Ok(hits)
    }

    pub async fn place(&self, actor: &Actor, id: PlaceId) -> Result<PlaceDetail, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        let row = self
            .store
            .place_by_id(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let offers = self
            .store
            .offers_of(&row.source, &row.source_id)
            .await?
            .into_iter()
            .map(OfferView::from)
            .collect();
        Ok(PlaceDetail {
            place: row.into(),
            offers,
        })
    }

    /// The structure's own places, to manage them.
    pub async fn own_places(&self, actor: &Actor) -> Result<Vec<PlaceView>, ServiceError> {
        actor.require(Permission::ManagePlaces)?;
        self.places_of(actor.structure_id).await
    }

    async fn places_of(&self, structure: StructureId) -> Result<Vec<PlaceView>, ServiceError> {
        Ok(self
            .store
            .own_places(structure)
            .await?
            .into_iter()
            .map(PlaceView::from)
            .collect())
    }

    /// Records or changes one of the structure's own places (supervisors
    /// and administrators). Journaled.
    pub async fn save_own_place(
        &self,
        actor: &Actor,
        id: Option<PlaceId>,
        input: &OwnPlaceInput,
    ) -> Result<PlaceId, ServiceError> {
        actor.require(Permission::ManagePlaces)?;
        let now = self.now();
        let existing = match id {
            Some(id) => {
                let row = self
                    .store
                    .place_by_id(id)
                    .await?
                    .filter(|p| p.structure_id == Some(actor.structure_id.0))
                    .ok_or(ServiceError::NotFound)?;
                Some(row)
            }
            None => None,
        };
        let mut row = input.validate()?;
        row.structure_id = Some(actor.structure_id.0);
        row.source = "relais".into();
        row.updated_on = Some(now.with_timezone(&chrono_tz::Europe::Paris).date_naive());
        row.imported_at = now;
        match existing {
            Some(e) => {
                row.id = e.id;
                row.source_id = e.source_id;
            }
            None => {
                row.id = Uuid::now_v7();
                row.source_id = row.id.to_string();
            }
        }
        row.content_hash = import::place_hash(&row);
        let ev = JournalEvent::new(if id.is_some() {
            "place.update"
        } else {
            "place.create"
        })
        .actor(actor.agent_id)
        .structure(actor.structure_id)
        .object("place", row.id);
        self.store.save_own_place(&row, &[ev], now).await?;
        Ok(PlaceId(row.id))
    }
}

/// A file of the structure's own places, ready to download.
#[derive(Debug, Clone)]
pub struct PlacesFile {
    pub content_type: &'static str,
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl Services {
    /// The structure's own places as `lmn` (CSV), `data-inclusion` (v1
    /// JSON) or `hsds` (3.0 JSON). Journaled.
    pub async fn export_own_places(
        &self,
        actor: &Actor,
        format: &str,
    ) -> Result<PlacesFile, ServiceError> {
        // Places are public: every role exports its structure's.
        actor.require(Permission::ReferToPlaces)?;
        let places = self.places_of(actor.structure_id).await?;
        let structure = self
            .store
            .structure_by_id(actor.structure_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let json_bytes = |v: serde_json::Value| {
            serde_json::to_vec_pretty(&v).map_err(|e| ServiceError::Internal(e.to_string()))
        };
        let file = match format {
            "lmn" => PlacesFile {
                content_type: "text/csv; charset=utf-8",
                filename: format!("{}-lieux-mediation-numerique.csv", structure.slug),
                bytes: export::lmn_csv(&places)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            },
            "data-inclusion" => PlacesFile {
                content_type: "application/json",
                filename: format!("{}-data-inclusion-v1.json", structure.slug),
                bytes: json_bytes(export::data_inclusion(&places))?,
            },
            "hsds" => PlacesFile {
                content_type: "application/json",
                filename: format!("{}-hsds-3.0.json", structure.slug),
                bytes: json_bytes(export::hsds(&places, structure.id, &structure.name))?,
            },
            _ => return Err(FieldError::new("format", "unknown_format").into()),
        };
        self.store
            .journal_only(
                &[JournalEvent::new("places.export")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(json!({"format": format, "places": places.len()}))],
                self.now(),
            )
            .await?;
        Ok(file)
    }
}

/// One of the structure's own places, as typed in the form or the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OwnPlaceInput {
    pub name: String,
    pub siret: String,
    pub address: String,
    pub postcode: String,
    pub commune: String,
    pub insee_code: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub opening_hours: String,
    pub description: String,
    pub services: Vec<String>,
    pub publics: Vec<String>,
    pub fees: Vec<String>,
    pub labels: Vec<String>,
    pub access_modes: Vec<String>,
    pub support_modes: Vec<String>,
}

impl OwnPlaceInput {
    /// Every free text goes through the domain's text rule: trimmed,
    /// bounded, no control characters.
    fn validate(&self) -> Result<PlaceRow, ServiceError> {
        let mut c = crate::error::Checks::default();
        let opt = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let text = |c: &mut crate::error::Checks, field: &'static str, s: &str, max: usize| {
            c.take(optional_text(field, s, max)).flatten()
        };
        let name = c.take(bounded_text("name", &self.name, 3, 150));
        let siret = opt(&self.siret);
        if siret
            .as_ref()
            .is_some_and(|s| s.len() != 14 || !s.chars().all(|c| c.is_ascii_digit()))
        {
            c.push(FieldError::new("siret", "invalid_siret"));
        }
        let address = c.take(bounded_text("address", &self.address, 1, 250));
        let postcode = self.postcode.trim();
        if !matches!(Postcode::parse("postcode", postcode), Ok(Some(_))) {
            c.push(FieldError::new("postcode", "invalid_postcode"));
        }
        let commune = text(&mut c, "commune", &self.commune, 100);
        let (insee, commune) = own_locality(&mut c, postcode, opt(&self.insee_code), commune);
        let email = text(&mut c, "email", &self.email, 254);
        if email
            .as_ref()
            .is_some_and(|e| !e.contains('@') || e.contains(' '))
        {
            c.push(FieldError::new("email", "invalid_email"));
        }
        let website = text(&mut c, "website", &self.website, 500);
        if website
            .as_ref()
            .is_some_and(|w| !(w.starts_with("https://") || w.starts_with("http://")))
        {
            c.push(FieldError::new("website", "invalid_url"));
        }
        let phone = c
            .take(Phone::parse("phone", &self.phone))
            .flatten()
            .map(Phone::into_string);
        let hours = text(&mut c, "opening_hours", &self.opening_hours, 500);
        if hours.as_ref().is_some_and(|h| hours::parse(h).is_none()) {
            c.push(FieldError::new("opening_hours", "invalid_hours"));
        }
        let description = c
            .take(optional_long_text("description", &self.description, 2000))
            .flatten();
        let mut codes = |field: &'static str, values: &[String]| -> String {
            let mut out: Vec<&str> = Vec::new();
            for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                if !vocab::known(field, v) {
                    c.push(FieldError::new(field, "unknown_code"));
                } else if !out.contains(&v) {
                    out.push(v);
                }
            }
            out.join("|")
        };
        let services = codes("services", &self.services);
        let publics = codes("publics", &self.publics);
        let fees = codes("fees", &self.fees);
        let labels = codes("labels", &self.labels);
        let access_modes = codes("access_modes", &self.access_modes);
        let support_modes = codes("support_modes", &self.support_modes);
        if services.is_empty() {
            c.push(FieldError::new("services", "required"));
        }
        c.finish()?;
        let (Some(name), Some(address)) = (name, address) else {
            return Err(ServiceError::Internal("checked above".into()));
        };
        Ok(PlaceRow {
            name,
            siret,
            address: Some(address),
            postcode: Some(postcode.to_owned()),
            commune,
            insee_code: insee,
            phone,
            email,
            website,
            opening_hours: hours,
            description,
            services,
            publics,
            fees,
            labels,
            access_modes,
            support_modes,
            ..PlaceRow::default()
        })
    }
}

/// The INSEE code and commune of an own place: the commune named by its
/// code, or the code designated by the postcode. Errors go to `c`.
fn own_locality(
    c: &mut crate::error::Checks,
    postcode: &str,
    mut insee: Option<String>,
    mut commune: Option<String>,
) -> (Option<String>, Option<String>) {
    let communes = crate::communes::Communes::shipped();
    match &insee {
        Some(code) => match communes.by_insee(code) {
            Some(found) => {
                commune = commune.or(Some(found.name.clone()));
            }
            None => c.push(FieldError::new("insee_code", "unknown_commune")),
        },
        None => {
            if let Some(found) = communes.designated_by(postcode) {
                insee = Some(found.insee_code.clone());
                commune = commune.or(Some(found.name.clone()));
            } else {
                c.push(FieldError::new("insee_code", "required"));
            }
        }
    }
    (insee, commune)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_become_opening_hours() {
        assert_eq!(
            opening_hours(&[
                ("Mo", "13:30 - 17:00"),
                ("Tu", "09:00 - 12:00 / 13:30 - 17:00"),
                ("We", "09:00 - 12:00 / 13:30 - 17:00"),
                ("Th", "09:00 - 12:00 / 13:30 - 17:00"),
                ("Fr", "09:00 - 12:00 / 13:30 - 16:00"),
                ("Sa", ""),
            ])
            .as_deref(),
            Some("Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00")
        );
        assert_eq!(opening_hours(&[("Mo", "sur rendez-vous")]), None);
    }
}
