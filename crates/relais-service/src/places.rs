//! Places people can be referred to, imported from the field's open data.
//! This part reads the national list of France Services sites (CSV,
//! ANCT); re-importing a file updates the places it changed and leaves
//! the others alone. Every rejected row is reported with its line, field
//! and reason; the rest is imported in one transaction.

use crate::error::ServiceError;
use crate::{Actor, Services};
use relais_domain::journal::JournalEvent;
use relais_domain::{FieldError, Role};
use relais_store::{PlaceRow, UpsertCounts};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// One rejected row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<Rejected>,
    /// Imported places whose INSEE code is not in the shipped list of
    /// communes (merged since the file was published).
    pub unknown_insee: u64,
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not UTF-8 text (it looks like {0}); save it as UTF-8 and try again")]
    Encoding(&'static str),
    #[error("the file lacks the column(s) {missing}; expected a comma-separated France Services list with the columns {expected}")]
    Columns { missing: String, expected: String },
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
}

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

fn insee_valid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && (s.chars().all(|c| c.is_ascii_digit())
            || (b[0] == b'2'
                && (b[1] == b'A' || b[1] == b'B')
                && s[2..].chars().all(|c| c.is_ascii_digit())))
}

/// Reads a France Services list; rows that break the rules are listed.
pub fn parse_france_services(
    bytes: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<PlaceRow>, Vec<Rejected>, u64), ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::Encoding(if bytes.iter().any(|b| *b >= 0x80) {
            "Latin-1 (ISO-8859-1 or Windows-1252)"
        } else {
            "binary data"
        })
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let missing: Vec<&str> = FS_COLUMNS
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::Columns {
            missing: missing.join(", "),
            expected: FS_COLUMNS.join(", "),
        });
    }
    let get = |r: &csv::StringRecord, name: &str| -> String {
        col(name)
            .and_then(|i| r.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let opt = |v: String| (!v.is_empty()).then_some(v);
    let communes = crate::communes::Communes::shipped();
    let mut places = Vec::new();
    let mut rejected = Vec::new();
    let mut unknown = 0;
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let r = match record {
            Ok(r) => r,
            Err(e) => {
                rejected.push(Rejected {
                    line,
                    field: "-".into(),
                    reason: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let mut reject = |field: &str, reason: &str| {
            rejected.push(Rejected {
                line,
                field: field.to_owned(),
                reason: reason.to_owned(),
            })
        };
        let id = get(&r, "id_fs");
        let name = get(&r, "lib_fs");
        let postcode = get(&r, "code_postal");
        let insee = get(&r, "insee_com");
        if id.is_empty() {
            reject("id_fs", "empty");
            continue;
        }
        if name.is_empty() {
            reject("lib_fs", "empty");
            continue;
        }
        if !postcode.is_empty()
            && (postcode.len() != 5 || !postcode.chars().all(|c| c.is_ascii_digit()))
        {
            reject("code_postal", "not a 5-digit postcode");
            continue;
        }
        if !insee.is_empty() && !insee_valid(&insee) {
            reject("insee_com", "not an INSEE code");
            continue;
        }
        let coord = |name: &str, max: f64| -> Result<Option<f64>, ()> {
            let v = get(&r, name);
            if v.is_empty() {
                return Ok(None);
            }
            match v.replace(',', ".").parse::<f64>() {
                Ok(x) if x.abs() <= max && x != 0.0 => Ok(Some(x)),
                _ => Err(()),
            }
        };
        let (Ok(latitude), Ok(longitude)) = (coord("latitude", 90.0), coord("longitude", 180.0))
        else {
            reject("latitude", "coordinates out of range");
            continue;
        };
        if !insee.is_empty() && communes.by_insee(&insee).is_none() {
            unknown += 1;
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
        .map(|(d, c)| (*d, get(&r, c)))
        .collect();
        let days_ref: Vec<(&str, &str)> = days.iter().map(|(d, h)| (*d, h.as_str())).collect();
        let mut access = vec![];
        if get(&r, "prise_rdv").eq_ignore_ascii_case("oui") {
            access.push("appointment");
        }
        match get(&r, "format_fs").as_str() {
            "Bus_équivalent" | "Itinérante" => access.push("mobile"),
            _ => access.push("on_site"),
        }
        let mut p = PlaceRow {
            id: Uuid::now_v7(),
            source: "france-services".into(),
            source_id: id,
            name,
            siret: None,
            address: opt([get(&r, "adresse"), get(&r, "complement_adresse")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")),
            postcode: opt(postcode),
            commune: opt(get(&r, "lib_com")),
            insee_code: opt(insee),
            latitude,
            longitude,
            phone: opt(get(&r, "telephone")),
            email: opt(get(&r, "mail")),
            website: None,
            opening_hours: opening_hours(&days_ref),
            services: "france_services".into(),
            labels: "france_services".into(),
            access_modes: access.join("|"),
            updated_on: None,
            content_hash: String::new(),
            imported_at: now,
        };
        p.content_hash = content_hash(&p);
        places.push(p);
    }
    Ok((places, rejected, unknown))
}

fn content_hash(p: &PlaceRow) -> String {
    let text = format!(
        "{}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}\n{}\n{}\n{:?}",
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
        p.updated_on
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A place near a commune, with its distance when both have coordinates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceHit {
    #[serde(flatten)]
    pub place: PlaceView,
    pub distance_km: Option<f64>,
}

/// A place as shown and exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceView {
    pub id: Uuid,
    pub source: String,
    pub name: String,
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
    pub services: Vec<String>,
    pub labels: Vec<String>,
    pub access_modes: Vec<String>,
}

impl From<PlaceRow> for PlaceView {
    fn from(p: PlaceRow) -> Self {
        let list = |s: &str| -> Vec<String> {
            s.split('|')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        };
        PlaceView {
            id: p.id,
            services: list(&p.services),
            labels: list(&p.labels),
            access_modes: list(&p.access_modes),
            source: p.source,
            name: p.name,
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
        }
    }
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

impl Services {
    /// Imports a France Services list (administrators of the instance, or
    /// the command line with no actor). Journaled with its counts.
    pub async fn import_france_services(
        &self,
        actor: Option<&Actor>,
        bytes: &[u8],
    ) -> Result<ImportReport, ServiceError> {
        if actor.is_some_and(|a| a.role != Role::Admin) {
            return Err(ServiceError::Forbidden);
        }
        let now = self.now();
        let (places, rejected, unknown) = parse_france_services(bytes, now).map_err(|e| {
            FieldError::new(
                "file",
                match e {
                    ImportError::Encoding(_) => "not_utf8",
                    ImportError::Columns { .. } => "missing_columns",
                    ImportError::Malformed { .. } => "malformed_file",
                },
            )
        })?;
        let rows = places.len() as u64 + rejected.len() as u64;
        let actor_id = actor.map(|a| a.agent_id.0);
        let n_rejected = rejected.len();
        let counts: UpsertCounts = self
            .store
            .upsert_places(
                &places,
                |c| {
                    let mut ev = JournalEvent::new("places.import").details(json!({
                        "source": "france-services",
                        "new": c.new,
                        "updated": c.updated,
                        "unchanged": c.unchanged,
                        "rejected": n_rejected,
                    }));
                    if let Some(a) = actor_id {
                        ev = ev.actor(a);
                    }
                    vec![ev]
                },
                now,
            )
            .await?;
        Ok(ImportReport {
            rows,
            new: counts.new,
            updated: counts.updated,
            unchanged: counts.unchanged,
            rejected,
            unknown_insee: unknown,
        })
    }

    /// Places near a commune (its INSEE code): those of its département,
    /// nearest first when coordinates allow, else those of the commune
    /// first; `q` filters on the name or the commune.
    pub async fn places_near(
        &self,
        _actor: &Actor,
        near: &str,
        q: &str,
        limit: usize,
    ) -> Result<Vec<PlaceHit>, ServiceError> {
        let near = near.trim();
        let communes = crate::communes::Communes::shipped();
        let Some(commune) = communes.by_insee(near) else {
            return Err(FieldError::new("near", "unknown_commune").into());
        };
        let dep = &commune.departement.code;
        let places = self.store.places_in(dep).await?;
        // The commune's centre: the mean of its places' coordinates.
        let here: Vec<(f64, f64)> = places
            .iter()
            .filter(|p| p.insee_code.as_deref() == Some(near))
            .filter_map(|p| Some((p.latitude?, p.longitude?)))
            .collect();
        let centre = (!here.is_empty()).then(|| {
            let n = here.len() as f64;
            (
                here.iter().map(|c| c.0).sum::<f64>() / n,
                here.iter().map(|c| c.1).sum::<f64>() / n,
            )
        });
        let folded = relais_domain::search::fold(q);
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
            .map(|p| {
                let distance = match (centre, p.latitude, p.longitude) {
                    (Some(c), Some(la), Some(lo)) => Some((km(c, (la, lo)) * 10.0).round() / 10.0),
                    _ => None,
                };
                let same = p.insee_code.as_deref() == Some(near);
                PlaceHit {
                    distance_km: if same {
                        distance.or(Some(0.0))
                    } else {
                        distance
                    },
                    place: p.into(),
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            a.distance_km
                .unwrap_or(f64::MAX)
                .total_cmp(&b.distance_km.unwrap_or(f64::MAX))
                .then_with(|| a.place.name.cmp(&b.place.name))
        });
        hits.truncate(limit);
        Ok(hits)
    }

    pub async fn place(&self, _actor: &Actor, id: Uuid) -> Result<PlaceView, ServiceError> {
        Ok(self
            .store
            .place_by_id(id)
            .await?
            .ok_or(ServiceError::NotFound)?
            .into())
    }
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
