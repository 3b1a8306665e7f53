//! The structure's own places in the field's standards: lieux de
//! médiation numérique (CSV per its Table Schema v1), data·inclusion v1
//! (structures and services, JSON) and Open Referral HSDS 3.0 (services
//! with their organisation and locations, JSON).

use super::vocab::{self, lmn_label};
use super::PlaceView;
use serde_json::{json, Value};
use uuid::Uuid;

/// The columns of the lieux de médiation numérique Table Schema, in order.
pub const LMN_COLUMNS: [&str; 32] = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
];

/// A French phone number in the standard's form (`+33` and 9 digits).
pub fn international_phone(p: &str) -> Option<String> {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    if p.trim_start().starts_with('+') {
        return (digits.len() >= 9 && digits.len() <= 13).then(|| format!("+{digits}"));
    }
    match digits.len() {
        10 if digits.starts_with('0') => Some(format!("+33{}", &digits[1..])),
        _ => None,
    }
}

fn labels(field: &str, codes: &[String]) -> String {
    codes
        .iter()
        .filter_map(|c| lmn_label(field, c))
        .collect::<Vec<_>>()
        .join("|")
}

fn summary(d: &str) -> String {
    if d.chars().count() <= 280 {
        return d.to_owned();
    }
    let mut s: String = d.chars().take(279).collect();
    s.push('…');
    s
}

/// The places as a lieux de médiation numérique CSV (RFC 4180, UTF-8;
/// text that a spreadsheet would run as a formula is defused).
pub fn lmn_csv(places: &[PlaceView]) -> Result<Vec<u8>, csv::Error> {
    use crate::spreadsheet::{csv_writer, defuse, CsvDialect};
    let mut w = csv_writer(Vec::new(), CsvDialect::Rfc4180);
    w.write_record(LMN_COLUMNS)?;
    for p in places {
        let publics: Vec<String> = p
            .publics
            .iter()
            .filter(|c| vocab::PUBLICS.iter().any(|t| t.code == c.as_str()))
            .cloned()
            .collect();
        let support: Vec<String> = p
            .publics
            .iter()
            .filter(|c| vocab::SUPPORT.iter().any(|t| t.code == c.as_str()))
            .cloned()
            .collect();
        let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        let s = |x: &Option<String>| x.clone().unwrap_or_default();
        let row: Vec<String> = vec![
            p.id.to_string(),
            p.siret
                .clone()
                .unwrap_or_else(|| "00000000000000".to_owned()),
            p.name.clone(),
            s(&p.commune),
            s(&p.postcode),
            s(&p.insee_code),
            s(&p.address),
            String::new(),
            num(p.latitude),
            num(p.longitude),
            String::new(),
            p.phone
                .as_deref()
                .and_then(international_phone)
                .unwrap_or_default(),
            s(&p.email),
            s(&p.website),
            s(&p.opening_hours),
            p.description.as_deref().map(summary).unwrap_or_default(),
            s(&p.description),
            "relais".to_owned(),
            if p.access_modes.iter().any(|a| a == "itinerant") {
                "Itinérant"
            } else {
                "Fixe"
            }
            .to_owned(),
            String::new(),
            p.updated_on.map(|d| d.to_string()).unwrap_or_default(),
            labels("services", &p.services),
            labels("publics", &publics),
            labels("publics", &support),
            labels("fees", &p.fees),
            labels("labels", &p.labels),
            String::new(),
            String::new(),
            labels("access_modes", &p.access_modes),
            labels("support_modes", &p.support_modes),
            String::new(),
            String::new(),
        ];
        w.write_record(row.iter().map(|f| defuse(f).into_owned()))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn di_thematique(service: &str) -> &'static str {
    match service {
        "demarches" => {
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"
        }
        "acces" => "numerique--acceder-a-une-connexion-internet",
        "materiel" => "numerique--acquerir-un-equipement",
        "insertion" => "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",
        "parentalite" => "famille--soutien-a-la-parentalite-et-a-leducation",
        _ => "numerique--maitriser-les-fondamentaux-du-numerique",
    }
}

fn di_reseau(label: &str) -> Option<&'static str> {
    Some(match label {
        "aidants_connect" => "aidants-connect",
        "conseillers_numeriques" => "conseillers-numeriques",
        "france_services" => "france-service",
        "emmaus_connect" | "relais_emmaus" => "emmaus",
        "croix_rouge" => "croix-rouge",
        "gen" => "grandes-ecoles-du-numerique",
        _ => return None,
    })
}

fn di_public(code: &str) -> Option<&'static str> {
    Some(match code {
        "jeunes" => "jeunes",
        "etudiants" => "etudiants",
        "familles" => "familles",
        "seniors" => "seniors",
        "femmes" => "femmes",
        "surdite" | "handicap_moteur" | "handicap_mental" | "deficience_visuelle" => {
            "personnes-en-situation-de-handicap"
        }
        _ => return None,
    })
}

fn dedup(mut v: Vec<&'static str>) -> Vec<&'static str> {
    let mut seen = Vec::new();
    v.retain(|x| {
        let new = !seen.contains(x);
        seen.push(*x);
        new
    });
    v
}

/// The places as data·inclusion v1: `{"structures": [...], "services": [...]}`,
/// one service per kind of help offered.
pub fn data_inclusion(places: &[PlaceView]) -> Value {
    let mut structures = Vec::new();
    let mut services = Vec::new();
    for p in places {
        let date = p.updated_on.map(|d| d.to_string()).unwrap_or_default();
        let reseaux = dedup(p.labels.iter().filter_map(|l| di_reseau(l)).collect());
        let description = p.description.clone().filter(|d| d.chars().count() >= 5);
        structures.push(json!({
            "source": "relais",
            "id": p.id.to_string(),
            "nom": p.name.trim_end_matches('.'),
            "date_maj": date,
            "siret": p.siret,
            "adresse": p.address,
            "code_postal": p.postcode,
            "code_insee": p.insee_code,
            "commune": p.commune,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "telephone": p.phone,
            "courriel": p.email,
            "site_web": p.website,
            "description": description,
            "horaires_accueil": p.opening_hours,
            "reseaux_porteurs": if reseaux.is_empty() { Value::Null } else { json!(reseaux) },
        }));
        let fees = if p.fees.iter().any(|f| f == "payant") {
            Some("payant")
        } else if p.fees.iter().any(|f| f.starts_with("gratuit")) {
            Some("gratuit")
        } else {
            None
        };
        let publics = dedup(p.publics.iter().filter_map(|c| di_public(c)).collect());
        let mut modes = vec!["en-presentiel"];
        if p.support_modes.iter().any(|m| m == "a_distance") {
            modes.push("a-distance");
        }
        let mobilisation = dedup(
            p.access_modes
                .iter()
                .filter_map(|a| match a.as_str() {
                    "se_presenter" | "sur_rdv" => Some("se-presenter"),
                    "telephoner" => Some("telephoner"),
                    "courriel" | "prescription" => Some("envoyer-un-courriel"),
                    _ => None,
                })
                .collect(),
        );
        for code in &p.services {
            let Some(label) = lmn_label("services", code) else {
                continue;
            };
            let kind = if code == "demarches" {
                "accompagnement"
            } else if p.support_modes.iter().any(|m| m == "atelier") {
                "atelier"
            } else {
                "accompagnement"
            };
            services.push(json!({
                "source": "relais",
                "structure_id": p.id.to_string(),
                "id": format!("{}--{}", p.id, code),
                "nom": label,
                "description": format!("{label} : {}.", p.name.trim_end_matches('.')),
                "date_maj": date,
                "type": kind,
                "thematiques": [di_thematique(code)],
                "frais": fees,
                "publics": if publics.is_empty() { json!(["tous-publics"]) } else { json!(publics) },
                "modes_accueil": modes,
                "modes_mobilisation": if mobilisation.is_empty() { Value::Null } else { json!(mobilisation) },
                "mobilisable_par": ["usagers", "professionnels"],
                "adresse": p.address,
                "code_postal": p.postcode,
                "code_insee": p.insee_code,
                "commune": p.commune,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "telephone": p.phone,
                "courriel": p.email,
                "horaires_accueil": p.opening_hours,
            }));
        }
    }
    json!({"structures": structures, "services": services})
}

fn sub_id(id: Uuid, what: &str) -> String {
    Uuid::new_v5(&id, what.as_bytes()).to_string()
}

/// The places as HSDS 3.0 services (one per place), each with its
/// organisation (the structure) and its location.
pub fn hsds(places: &[PlaceView], structure_id: Uuid, structure_name: &str) -> Value {
    let organization = |p: &PlaceView| {
        let mut org = json!({
            "id": structure_id.to_string(),
            "name": structure_name,
            "description": format!("{structure_name}: help with online procedures."),
        });
        if let Some(siret) = &p.siret {
            org["organization_identifiers"] = json!([{
                "id": sub_id(p.id, "siret"),
                "organization_id": structure_id.to_string(),
                "identifier_scheme": "FR-SIRET",
                "identifier_type": "SIRET",
                "identifier": siret,
            }]);
        }
        org
    };
    let services: Vec<Value> = places
        .iter()
        .map(|p| {
            let services: Vec<&str> = p
                .services
                .iter()
                .filter_map(|c| lmn_label("services", c))
                .collect();
            let mut schedules = Vec::new();
            if let Some(week) = p.opening_hours.as_deref().and_then(super::hours::parse) {
                const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
                for (d, spans) in week.0.iter().enumerate() {
                    for (i, (a, b)) in spans.iter().enumerate() {
                        schedules.push(json!({
                            "id": sub_id(p.id, &format!("schedule-{d}-{i}")),
                            "freq": "WEEKLY",
                            "wkst": "MO",
                            "byday": DAYS[d],
                            "opens_at": format!("{:02}:{:02}", a / 60, a % 60),
                            "closes_at": format!("{:02}:{:02}", b / 60, b % 60),
                            "timezone": 1,
                        }));
                    }
                }
            }
            let departement = p
                .insee_code
                .as_deref()
                .and_then(|c| crate::communes::Communes::shipped().by_insee(c))
                .map(|c| c.departement.name.clone())
                .unwrap_or_default();
            let mut location = json!({
                "id": sub_id(p.id, "location"),
                "location_type": "physical",
                "name": p.name,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "addresses": [{
                    "id": sub_id(p.id, "address"),
                    "location_id": sub_id(p.id, "location"),
                    "address_1": p.address.clone().unwrap_or_default(),
                    "city": p.commune.clone().unwrap_or_default(),
                    "state_province": departement,
                    "postal_code": p.postcode.clone().unwrap_or_default(),
                    "country": "FR",
                    "address_type": "physical",
                }],
                "schedules": schedules,
            });
            if p.latitude.is_none() {
                if let Some(o) = location.as_object_mut() {
                    o.remove("latitude");
                    o.remove("longitude");
                }
            }
            let mut service = json!({
                "id": p.id.to_string(),
                "organization_id": structure_id.to_string(),
                "name": p.name,
                "description": p.description.clone().unwrap_or_else(|| services.join(", ")),
                "status": "active",
                "organization": organization(p),
                "service_at_locations": [{
                    "id": sub_id(p.id, "service-at-location"),
                    "service_id": p.id.to_string(),
                    "location_id": sub_id(p.id, "location"),
                    "location": location,
                }],
                "attributes": [],
            });
            if let Some(e) = &p.email {
                service["email"] = json!(e);
            }
            if let Some(w) = &p.website {
                service["url"] = json!(w);
            }
            if let Some(ph) = &p.phone {
                service["phones"] = json!([{
                    "id": sub_id(p.id, "phone"),
                    "service_id": p.id.to_string(),
                    "number": ph,
                }]);
            }
            if p.fees.iter().any(|f| f.starts_with("gratuit"))
                && !p.fees.iter().any(|f| f == "payant")
            {
                service["cost_options"] = json!([{
                    "id": sub_id(p.id, "cost"),
                    "service_id": p.id.to_string(),
                    "option": "Gratuit",
                    "amount": 0,
                    "currency": "EUR",
                }]);
            }
            service
        })
        .collect();
    Value::Array(services)
}
