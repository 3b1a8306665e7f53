//! The official list of French communes (COG), shipped as compact tables
//! in `catalog/` (built by `scripts/communes.py`; source and edition in
//! their first line): communes and Paris, Lyon and Marseille
//! arrondissements with their postcodes, département and région. Parsed
//! once, on first use; searched by postcode, INSEE code or name.

use relais_domain::search::fold;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const COMMUNES_TSV: &str = include_str!("../../../catalog/communes.tsv");
const DEPARTEMENTS_TSV: &str = include_str!("../../../catalog/departements.tsv");
const REGIONS_TSV: &str = include_str!("../../../catalog/regions.tsv");

/// A département or a région.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: String,
    pub name: String,
}

/// One commune (or municipal arrondissement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commune {
    /// The INSEE code (COG), e.g. `69381`.
    pub insee_code: String,
    pub name: String,
    /// `commune` or `arrondissement` (Paris, Lyon, Marseille).
    pub kind: &'static str,
    pub postcodes: Vec<String>,
    pub departement: Area,
    pub region: Area,
    pub population: u64,
    #[serde(skip)]
    folded: String,
}

/// The whole list, with its source line.
#[derive(Debug, Default)]
pub struct Communes {
    pub source: String,
    pub communes: Vec<Commune>,
    by_postcode: HashMap<String, Vec<usize>>,
    by_insee: HashMap<String, usize>,
    departements: HashMap<String, String>,
}

fn rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

impl Communes {
    /// The shipped list (parsed once).
    pub fn shipped() -> &'static Communes {
        static LIST: OnceLock<Communes> = OnceLock::new();
        LIST.get_or_init(|| Communes::parse(COMMUNES_TSV, DEPARTEMENTS_TSV, REGIONS_TSV))
    }

    fn parse(communes: &str, departements: &str, regions: &str) -> Communes {
        let regions: HashMap<&str, &str> = rows(regions)
            .filter_map(|r| Some((*r.first()?, *r.get(1)?)))
            .collect();
        let departements: HashMap<&str, &str> = rows(departements)
            .filter_map(|r| Some((*r.first()?, *r.get(1)?)))
            .collect();
        let source = communes
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches('#')
            .trim()
            .to_owned();
        let mut list = Communes {
            source,
            departements: departements
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Communes::default()
        };
        for r in rows(communes) {
            let [insee, name, kind, dep, reg, postcodes, population] = r[..] else {
                continue;
            };
            let i = list.communes.len();
            let c = Commune {
                insee_code: insee.to_owned(),
                name: name.to_owned(),
                kind: if kind == "a" {
                    "arrondissement"
                } else {
                    "commune"
                },
                postcodes: postcodes
                    .split(' ')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                departement: Area {
                    code: dep.to_owned(),
                    name: departements
                        .get(dep)
                        .copied()
                        .unwrap_or_default()
                        .to_owned(),
                },
                region: Area {
                    code: reg.to_owned(),
                    name: regions.get(reg).copied().unwrap_or_default().to_owned(),
                },
                population: population.parse().unwrap_or(0),
                folded: fold(name),
            };
            for p in &c.postcodes {
                list.by_postcode.entry(p.clone()).or_default().push(i);
            }
            list.by_insee.insert(c.insee_code.clone(), i);
            list.communes.push(c);
        }
        list
    }

    /// A département's name by its code (`69`, `2A`, `974`).
    pub fn departement(&self, code: &str) -> Option<&str> {
        self.departements.get(code.trim()).map(String::as_str)
    }

    pub fn by_insee(&self, code: &str) -> Option<&Commune> {
        self.by_insee.get(code.trim()).map(|i| &self.communes[*i])
    }

    /// The communes of a postcode, the most specific first (an
    /// arrondissement before its city).
    pub fn by_postcode(&self, postcode: &str) -> Vec<&Commune> {
        let mut found: Vec<&Commune> = self
            .by_postcode
            .get(postcode.trim())
            .map(|ix| ix.iter().map(|i| &self.communes[*i]).collect())
            .unwrap_or_default();
        found.sort_by_key(|c| (c.postcodes.len(), std::cmp::Reverse(c.population)));
        found
    }

    /// The one commune a postcode designates: its only commune, or a
    /// city's arrondissement (Paris, Lyon, Marseille) before the city.
    pub fn designated_by(&self, postcode: &str) -> Option<&Commune> {
        let list = self.by_postcode(postcode);
        let first = list.first().copied()?;
        let sure = list.len() == 1
            || (first.kind == "arrondissement"
                && list.iter().filter(|c| c.kind == "commune").count() <= 1);
        sure.then_some(first)
    }

    /// The commune a value typed in a "commune" field designates: a
    /// postcode first (what people type), then an INSEE code, then the
    /// best match of a name.
    pub fn resolve(&self, typed: &str) -> Option<&Commune> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        self.designated_by(typed)
            .or_else(|| self.by_insee(typed))
            .or_else(|| self.search(typed, 1).into_iter().next())
    }

    /// What to type for a commune so that [`Communes::resolve`] finds it
    /// again: its postcode when that names it alone, else its INSEE code
    /// (unless that is another commune's postcode), else its name.
    pub fn typed_form(&self, insee: &str) -> Option<String> {
        let c = self.by_insee(insee)?;
        let postcode = c.postcodes.iter().find(|pc| {
            self.designated_by(pc)
                .is_some_and(|d| d.insee_code == c.insee_code)
        });
        Some(match postcode {
            Some(pc) => pc.clone(),
            None if self.designated_by(&c.insee_code).is_none() => c.insee_code.clone(),
            None => c.name.clone(),
        })
    }

    /// Search by postcode (5 digits), INSEE code, or name (accents, case,
    /// hyphens and apostrophes forgiven): exact names first, then names
    /// that start with the query, then names that contain it; larger
    /// communes first within each.
    pub fn search(&self, q: &str, limit: usize) -> Vec<&Commune> {
        let q = q.trim();
        if q.is_empty() {
            return Vec::new();
        }
        let digits = q.chars().filter(char::is_ascii_digit).count();
        if q.len() == 5 && q.chars().all(|c| c.is_ascii_alphanumeric()) && digits >= 3 {
            let mut found = self.by_postcode(q);
            if let Some(c) = self.by_insee(q) {
                if !found.iter().any(|f| f.insee_code == c.insee_code) {
                    found.push(c);
                }
            }
            if !found.is_empty() || q.chars().all(|c| c.is_ascii_digit()) {
                found.truncate(limit);
                return found;
            }
        }
        let folded = fold(q);
        if folded.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, &Commune)> = self
            .communes
            .iter()
            .filter_map(|c| {
                let rank = if c.folded == folded {
                    0
                } else if c.folded.starts_with(&folded) {
                    1
                } else if c.folded.contains(&folded) {
                    2
                } else {
                    return None;
                };
                Some((rank, c))
            })
            .collect();
        hits.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| b.1.population.cmp(&a.1.population))
                .then_with(|| a.1.name.cmp(&b.1.name))
        });
        hits.into_iter().take(limit).map(|(_, c)| c).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_commune_is_found_again() {
        let c = Communes::shipped();
        // 69100 is Villeurbanne's postcode and Irigny's INSEE code.
        assert_eq!(
            c.resolve("69100").map(|c| c.name.as_str()),
            Some("Villeurbanne")
        );
        assert_eq!(c.typed_form("69266").as_deref(), Some("69100"));
        assert_eq!(c.typed_form("69100").as_deref(), Some("69540"));
        for insee in [
            "69266", "69100", "69381", "42218", "2A004", "13056", "98818",
        ] {
            let typed = c.typed_form(insee).unwrap();
            assert_eq!(
                c.resolve(&typed).map(|x| x.insee_code.as_str()),
                Some(insee),
                "{typed}"
            );
        }
        assert!(c.resolve("nulle-part-sur-terre").is_none());
        assert!(c.resolve("  ").is_none());
    }

    #[test]
    fn the_shipped_list_is_complete() {
        let c = Communes::shipped();
        assert_eq!(c.communes.len(), 35_014);
        assert!(c.source.contains("COG"), "{}", c.source);
        assert_eq!(
            c.designated_by("69001").map(|c| c.insee_code.as_str()),
            Some("69381")
        );
        assert_eq!(
            c.designated_by("42000").map(|c| c.insee_code.as_str()),
            Some("42218")
        );
        let lyon1 = c.search("69001", 10);
        assert_eq!(lyon1[0].insee_code, "69381");
        assert_eq!(lyon1[0].name, "Lyon 1er Arrondissement");
        assert_eq!(lyon1[0].departement.name, "Rhône");
        assert_eq!(lyon1[0].region.name, "Auvergne-Rhône-Alpes");
        let se = c.search("saint-etienne", 5);
        assert_eq!(se[0].insee_code, "42218");
        assert_eq!(se[0].name, "Saint-Étienne");
        assert_eq!(c.search("SAINT ETIENNE", 1)[0].insee_code, "42218");
        // Corsica's postcodes and codes start with 20 and 2A/2B.
        assert!(c
            .search("2A004", 1)
            .first()
            .is_some_and(|c| c.name == "Ajaccio"));
        assert!(c.search("20000", 3).iter().any(|c| c.name == "Ajaccio"));
        assert!(c.search("99999", 5).is_empty());
        assert!(c.search("   ", 5).is_empty());
    }
}
