//! `relais gen`: a deterministic, realistic dataset for benchmarks.
//! Structures `gen-1` … `gen-S`, each with five agents (`agent@gen-N.test`
//! first); persons with many visits and many with one; requests spread
//! over the last 700 days with the seasons of the field, from the shipped
//! catalogue (with its deadline rules); interventions, autonomy
//! assessments, mandates, follow-ups and journal entries. Written in large
//! batches of multi-row inserts, one transaction each.

use crate::error::ServiceError;
use crate::secrets::hash_password;
use crate::Services;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relais_domain::journal::{entry_hash, journal_time, GENESIS_HASH};
use relais_domain::Mode;
use relais_domain::{PersonId, StructureId};
use relais_store::{
    AgentRow, AutonomyRow, BulkBatch, FollowUpRow, HelpRequestRow, InterventionRow, JournalHeadRow,
    JournalRow, MandateRow, PersonRow, StructureRow,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The password of every generated account.
pub const GEN_PASSWORD: &str = "gen-relais-2026";

/// Agents in each generated structure.
pub const AGENTS_PER_STRUCTURE: u32 = 5;

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenSpec {
    pub structures: u32,
    pub persons: u64,
    pub requests: u64,
    pub interventions: u64,
    pub mandates: u64,
    pub seed: u64,
}

impl GenSpec {
    /// A large département: 200 agents, 100,000 persons, 1,000,000
    /// requests, 2,000,000 interventions, 50,000 mandates.
    pub fn departement(seed: u64) -> GenSpec {
        GenSpec {
            structures: 40,
            persons: 100_000,
            requests: 1_000_000,
            interventions: 2_000_000,
            mandates: 50_000,
            seed,
        }
    }

    /// Ten times a département.
    pub fn national(seed: u64) -> GenSpec {
        GenSpec {
            structures: 400,
            persons: 1_000_000,
            requests: 10_000_000,
            interventions: 20_000_000,
            mandates: 500_000,
            seed,
        }
    }

    /// A custom size: two interventions per request, a mandate for one
    /// person in two.
    pub fn custom(structures: u32, persons: u64, requests: u64, seed: u64) -> GenSpec {
        GenSpec {
            structures,
            persons,
            requests,
            interventions: requests * 2,
            mandates: persons / 2,
            seed,
        }
    }

    pub fn check(&self) -> Result<(), relais_domain::FieldError> {
        use relais_domain::FieldError;
        if !(1..=10_000).contains(&self.structures) {
            return Err(FieldError::new("structures", "out_of_range"));
        }
        if self.persons < u64::from(self.structures) || self.persons > 100_000_000 {
            return Err(FieldError::new("persons", "out_of_range"));
        }
        if self.requests > 1_000_000_000 {
            return Err(FieldError::new("requests", "out_of_range"));
        }
        Ok(())
    }
}

/// What was generated, and where a benchmark can start.
#[derive(Debug, Clone, Default)]
pub struct GenReport {
    pub structures: u64,
    pub agents: u64,
    pub persons: u64,
    pub requests: u64,
    pub interventions: u64,
    pub mandates: u64,
    pub follow_ups: u64,
    pub journal_entries: u64,
    /// A person of `gen-1` with about 20 requests, for the person page.
    pub sample_person: Option<Uuid>,
    pub sample_person_requests: u64,
    /// That person's last name, for searches.
    pub sample_last_name: String,
}

const FIRST_NAMES: [&str; 40] = [
    "Marie",
    "Jean",
    "Fatima",
    "Mohamed",
    "Nathalie",
    "Pierre",
    "Isabelle",
    "Michel",
    "Sylvie",
    "Philippe",
    "Catherine",
    "Alain",
    "Nadia",
    "Karim",
    "Martine",
    "Bernard",
    "Aïcha",
    "Youssef",
    "Françoise",
    "Patrick",
    "Monique",
    "Daniel",
    "Sandrine",
    "Christian",
    "Valérie",
    "Éric",
    "Chantal",
    "Laurent",
    "Mamadou",
    "Aminata",
    "Hélène",
    "Gérard",
    "Sophie",
    "Thierry",
    "Léa",
    "Lucas",
    "Chloé",
    "Hugo",
    "Inès",
    "Rayan",
];

const LAST_NAMES: [&str; 60] = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefebvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Diallo",
    "Traoré",
    "Benali",
    "Haddad",
    "Nguyen",
    "Da Silva",
    "Ferreira",
    "Kaya",
    "Yilmaz",
    "Benoît",
];

/// (postcode, commune, département) of the generated persons.
const COMMUNES: [(&str, &str, &str); 16] = [
    ("69001", "Lyon 1er Arrondissement", "69"),
    ("69003", "Lyon 3e Arrondissement", "69"),
    ("69008", "Lyon 8e Arrondissement", "69"),
    ("69100", "Villeurbanne", "69"),
    ("69200", "Vénissieux", "69"),
    ("69120", "Vaulx-en-Velin", "69"),
    ("69500", "Bron", "69"),
    ("69800", "Saint-Priest", "69"),
    ("69400", "Villefranche-sur-Saône", "69"),
    ("69700", "Givors", "69"),
    ("69150", "Décines-Charpieu", "69"),
    ("69600", "Oullins-Pierre-Bénite", "69"),
    ("69300", "Caluire-et-Cuire", "69"),
    ("69140", "Rillieux-la-Pape", "69"),
    ("69230", "Saint-Genis-Laval", "69"),
    ("69190", "Saint-Fons", "69"),
];

fn pick<'a, T>(rng: &mut StdRng, weighted: &'a [(T, u32)]) -> &'a T {
    let total: u32 = weighted.iter().map(|(_, w)| *w).sum();
    let mut n = rng.gen_range(0..total.max(1));
    for (v, w) in weighted {
        if n < *w {
            return v;
        }
        n -= w;
    }
    &weighted[0].0
}

/// How busy a month is at the desk (out of 100).
fn season(month: u32) -> u32 {
    [130, 110, 120, 115, 120, 100, 70, 40, 130, 120, 110, 80][(month as usize + 11) % 12]
}

fn paris(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let naive = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
    chrono_tz::Europe::Paris
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// Days of history: just under two years, so that no file is yet due for
/// anonymisation under the default 24-month retention (an instance that
/// ran longer would have anonymised the older ones).
const HISTORY_DAYS: i64 = 700;

/// A working day of the history, busier in the busy months.
fn desk_day(rng: &mut StdRng, today: NaiveDate) -> NaiveDate {
    loop {
        let d = today - Duration::days(rng.gen_range(1..=HISTORY_DAYS));
        if d.weekday().number_from_monday() > 5 {
            continue;
        }
        if rng.gen_range(0..130) < season(d.month()) {
            return d;
        }
    }
}

/// A verification code the public page accepts, unique by construction:
/// the counter in base 31 on six characters, then four random ones.
fn mandate_code(counter: u64, rng: &mut StdRng) -> String {
    let alphabet = crate::mandates::CODE_ALPHABET;
    let base = alphabet.len() as u64;
    let mut n = counter;
    let mut code = Vec::with_capacity(10);
    for _ in 0..6 {
        code.push(alphabet[(n % base) as usize]);
        n /= base;
    }
    for _ in 0..4 {
        code.push(alphabet[rng.gen_range(0..alphabet.len())]);
    }
    String::from_utf8(code).unwrap_or_default()
}

/// Writes the journal chains as the store would, batch by batch.
struct Chains {
    heads: HashMap<String, (i64, String)>,
    pending: Vec<JournalRow>,
}

impl Chains {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        structure: Uuid,
        at: DateTime<Utc>,
        actor: Option<Uuid>,
        action: &str,
        object_type: &str,
        object_id: Uuid,
        details: String,
    ) {
        let chain = structure.to_string();
        let at = journal_time(at);
        let head = self
            .heads
            .entry(chain.clone())
            .or_insert_with(|| (0, GENESIS_HASH.to_owned()));
        let seq = head.0 + 1;
        let hash = entry_hash(
            &head.1,
            &chain,
            seq,
            at,
            actor,
            Some(structure),
            action,
            Some(object_type),
            Some(object_id),
            &details,
        );
        self.pending.push(JournalRow {
            id: 0,
            chain,
            seq,
            at,
            actor_id: actor,
            structure_id: Some(structure),
            action: action.to_owned(),
            object_type: Some(object_type.to_owned()),
            object_id: Some(object_id),
            details,
            prev_hash: head.1.clone(),
            hash: hash.clone(),
        });
        *head = (seq, hash);
    }

    fn take(&mut self, batch: &mut BulkBatch, structure: Uuid) {
        batch.journal.append(&mut self.pending);
        let chain = structure.to_string();
        if let Some((seq, hash)) = self.heads.get(&chain) {
            batch.heads.retain(|h| h.chain != chain);
            batch.heads.push(JournalHeadRow {
                chain,
                seq: *seq,
                hash: hash.clone(),
            });
        }
    }
}

impl Services {
    /// Generates `spec` into the database. `progress(done, total)` is
    /// called after every batch with counts of requests. Refuses a
    /// database that holds any structure.
    pub async fn generate(
        &self,
        spec: &GenSpec,
        progress: impl Fn(u64, u64),
    ) -> Result<GenReport, ServiceError> {
        spec.check()?;
        // Only into an empty database: generated accounts share a known
        // password and must never sit beside real data.
        if !self.store.list_structures().await?.is_empty() {
            return Err(ServiceError::Conflict(relais_domain::FieldError::new(
                "database",
                "already_generated",
            )));
        }
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let now = self.now();
        let today = self.today();
        let password_hash = hash_password(GEN_PASSWORD.to_owned()).await?;
        let catalog = self.catalog();
        let procedures: Vec<_> = catalog.procedures.iter().collect();
        // Popularity: a few procedures make most requests.
        let procedure_weights: Vec<(usize, u32)> = (0..procedures.len())
            .map(|i| (i, (400 / (i as u32 + 2)).max(3)))
            .collect();
        let operator_name = |id: &str| {
            catalog
                .operators
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.name.clone())
                .unwrap_or_else(|| id.to_owned())
        };
        let mut report = GenReport::default();
        let mut chains = Chains {
            heads: HashMap::new(),
            pending: Vec::new(),
        };

        // Structures and agents, through the ordinary writes.
        // Sizes vary; gen-1, the one benchmarks use, is the largest.
        let s_weights: Vec<u64> = (0..spec.structures)
            .map(|s| {
                if s == 0 {
                    15
                } else {
                    5 + u64::from((s * 7919) % 10)
                }
            })
            .collect();
        let w_total: u64 = s_weights.iter().sum();
        let share = |total: u64, s: usize| -> u64 {
            let before: u64 = s_weights[..s].iter().sum();
            let upto = before + s_weights[s];
            total * upto / w_total - total * before / w_total
        };
        let mut structures = Vec::new();
        for s in 0..spec.structures {
            let n = s + 1;
            let row = StructureRow {
                id: Uuid::now_v7(),
                name: format!("Structure générée {n}"),
                slug: format!("gen-{n}"),
                kind: if n % 3 == 0 {
                    "france_services"
                } else {
                    "ccas"
                }
                .into(),
                siret: None,
                commune: Some(COMMUNES[s as usize % COMMUNES.len()].1.to_owned()),
                created_at: now - Duration::days(4 * 365),
            };
            self.store
                .insert_structure(
                    &row,
                    &[
                        relais_domain::journal::JournalEvent::new("structure.create")
                            .structure(row.id)
                            .object("structure", row.id)
                            .details(json!({"via": "gen"})),
                    ],
                    now,
                )
                .await?;
            let mut agents = Vec::new();
            for a in 0..AGENTS_PER_STRUCTURE {
                let email = if a == 0 {
                    format!("agent@gen-{n}.test")
                } else {
                    format!("agent{}@gen-{n}.test", a + 1)
                };
                let agent = AgentRow {
                    id: Uuid::now_v7(),
                    email,
                    name: format!(
                        "{} {}",
                        FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())],
                        LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())]
                    ),
                    password_hash: Some(password_hash.clone()),
                    totp_secret: None,
                    totp_enabled: false,
                    totp_last_step: None,
                    failed_logins: 0,
                    locked_until: None,
                    created_at: now - Duration::days(4 * 365),
                };
                let role = if a == AGENTS_PER_STRUCTURE - 1 {
                    "supervisor"
                } else if a == AGENTS_PER_STRUCTURE - 2 {
                    "mediator"
                } else {
                    "agent"
                };
                self.store
                    .insert_agent(
                        &agent,
                        Some((StructureId(row.id), role)),
                        &[
                            relais_domain::journal::JournalEvent::new("team.member_created")
                                .structure(row.id)
                                .object("agent", agent.id)
                                .details(json!({"role": role, "via": "gen"})),
                        ],
                        now,
                    )
                    .await?;
                agents.push(agent.id);
                report.agents += 1;
            }
            if n == 1 {
                // An administrator of the instance, for whole-instance figures.
                let admin = AgentRow {
                    id: Uuid::now_v7(),
                    email: "admin@gen.test".into(),
                    name: "Admin Gen".into(),
                    password_hash: Some(password_hash.clone()),
                    totp_secret: None,
                    totp_enabled: false,
                    totp_last_step: None,
                    failed_logins: 0,
                    locked_until: None,
                    created_at: now - Duration::days(4 * 365),
                };
                self.store
                    .insert_agent(
                        &admin,
                        Some((StructureId(row.id), "admin")),
                        &[
                            relais_domain::journal::JournalEvent::new("team.member_created")
                                .structure(row.id)
                                .object("agent", admin.id)
                                .details(json!({"role": "admin", "via": "gen"})),
                        ],
                        now,
                    )
                    .await?;
                report.agents += 1;
            }
            structures.push((row, agents));
            report.structures += 1;
        }
        for h in self.store.journal_heads().await? {
            chains.heads.insert(h.chain, (h.seq, h.hash));
        }

        let mut done_requests = 0u64;
        let mut mandate_counter = 0u64;
        for (s, (structure, agents)) in structures.iter().enumerate() {
            let sid = structure.id;
            let n_persons = share(spec.persons, s).max(1);
            let n_requests = share(spec.requests, s);
            let n_interventions = share(spec.interventions, s).max(n_requests);
            let n_mandates = share(spec.mandates, s).min(n_persons);
            let agent = |rng: &mut StdRng| agents[rng.gen_range(0..agents.len())];
            let communes: Vec<_> = (0..4)
                .map(|k| COMMUNES[(s * 3 + k) % COMMUNES.len()])
                .collect();

            // Requests: days first, then persons (regulars come often).
            let regulars = (n_persons / 20).max(1);
            let mut days: Vec<(NaiveDate, u32, u32)> = (0..n_requests)
                .map(|_| {
                    (
                        desk_day(&mut rng, today),
                        rng.gen_range(9..17),
                        rng.gen_range(0..60),
                    )
                })
                .collect();
            days.sort();
            let person_of: Vec<Option<u64>> = (0..n_requests)
                .map(|_| {
                    if rng.gen_range(0..100) < 5 {
                        None
                    } else if rng.gen_range(0..100) < 30 {
                        Some(rng.gen_range(0..regulars))
                    } else {
                        Some(rng.gen_range(0..n_persons))
                    }
                })
                .collect();
            let mut first_seen: HashMap<u64, DateTime<Utc>> = HashMap::new();
            let mut count_of: HashMap<u64, u64> = HashMap::new();
            for (i, p) in person_of.iter().enumerate() {
                if let Some(p) = p {
                    let (d, h, m) = days[i];
                    first_seen
                        .entry(*p)
                        .or_insert_with(|| paris(d, h, m) - Duration::minutes(5));
                    *count_of.entry(*p).or_default() += 1;
                }
            }

            // Persons.
            let mut batch = BulkBatch::default();
            let mut person_ids = Vec::with_capacity(n_persons as usize);
            for p in 0..n_persons {
                let id = Uuid::now_v7();
                let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
                let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
                let created = first_seen.get(&p).copied().unwrap_or_else(|| {
                    paris(desk_day(&mut rng, today), 10, 0) - Duration::minutes(5)
                });
                let (postcode, commune, _) = communes[rng.gen_range(0..communes.len())];
                let creator = agent(&mut rng);
                let birth_year = if rng.gen_range(0..100) < 90 {
                    Some(i64::from(today.year()) - rng.gen_range(18..92))
                } else {
                    None
                };
                batch.persons.push(PersonRow {
                    id,
                    structure_id: sid,
                    first_name: first.to_owned(),
                    last_name: last.to_owned(),
                    usual_name: None,
                    birth_date: None,
                    birth_year,
                    phone: None,
                    email: None,
                    postcode: Some(postcode.to_owned()),
                    commune: Some(commune.to_owned()),
                    insee_code: None,
                    preferred_language: None,
                    notes: None,
                    privacy_notice_on: Some(created.date_naive()),
                    equipment: if rng.gen_bool(0.6) {
                        "smartphone"
                    } else {
                        "none"
                    }
                    .into(),
                    search_key: crate::persons::search_key(first, last, None),
                    phone_digits: String::new(),
                    merged_into: None,
                    created_by: Some(creator),
                    created_at: created,
                    updated_at: created,
                    keep_until: None,
                    keep_reason: None,
                    anonymised_at: None,
                });
                chains.push(
                    sid,
                    created,
                    Some(creator),
                    "person.create",
                    "person",
                    id,
                    json!({"via": "gen"}).to_string(),
                );
                if rng.gen_range(0..100) < 30 {
                    let first_level = *pick(
                        &mut rng,
                        &[
                            ("needs_full_guidance", 50),
                            ("autonomous_with_help", 40),
                            ("autonomous", 10),
                        ],
                    );
                    batch.assessments.push(AutonomyRow {
                        id: Uuid::now_v7(),
                        person_id: id,
                        level: first_level.into(),
                        assessed_on: created.date_naive(),
                        agent_id: Some(creator),
                        created_at: created,
                    });
                    if rng.gen_bool(0.5) {
                        let later = (created + Duration::days(rng.gen_range(30..300))).min(now);
                        let level = match (first_level, rng.gen_range(0..100)) {
                            ("needs_full_guidance", 0..=54) => "autonomous_with_help",
                            ("autonomous_with_help", 0..=39) => "autonomous",
                            ("autonomous_with_help", 40..=49) => "needs_full_guidance",
                            (l, _) => l,
                        };
                        batch.assessments.push(AutonomyRow {
                            id: Uuid::now_v7(),
                            person_id: id,
                            level: level.into(),
                            assessed_on: later.date_naive(),
                            agent_id: Some(creator),
                            created_at: later,
                        });
                    }
                }
                person_ids.push(id);
            }
            report.persons += n_persons;

            // Mandates: mostly for the regulars.
            for k in 0..n_mandates {
                let p = if k < regulars {
                    k
                } else {
                    rng.gen_range(0..n_persons)
                };
                let person = person_ids[p as usize];
                let start = first_seen
                    .get(&p)
                    .map(|t| t.date_naive())
                    .unwrap_or(today - Duration::days(200))
                    + Duration::days(rng.gen_range(0..60));
                let start = start.min(today);
                let twelve = rng.gen_bool(0.5);
                let ends = start + Duration::days(if twelve { 365 } else { 182 });
                let cats: Vec<&str> = {
                    let mut c = vec![*pick(
                        &mut rng,
                        &[
                            ("social", 30),
                            ("travail", 25),
                            ("argent", 20),
                            ("logement", 15),
                            ("famille", 10),
                        ],
                    )];
                    if rng.gen_bool(0.4) {
                        let extra = *pick(
                            &mut rng,
                            &[("papiers", 1), ("transports", 1), ("famille", 1)],
                        );
                        if !c.contains(&extra) {
                            c.push(extra);
                        }
                    }
                    c
                };
                mandate_counter += 1;
                let signed = paris(start, 10, 0);
                let revoked = rng.gen_range(0..100) < 5;
                let id = Uuid::now_v7();
                let drawn_by = agent(&mut rng);
                batch.mandates.push(MandateRow {
                    id,
                    structure_id: sid,
                    person_id: person,
                    categories: cats.join(","),
                    revoked_categories: String::new(),
                    duration: if twelve {
                        "twelve_months"
                    } else {
                        "six_months"
                    }
                    .into(),
                    starts_on: start,
                    ends_on: ends,
                    consent: "paper".into(),
                    signed_at: Some(signed),
                    verification_code: mandate_code(mandate_counter, &mut rng),
                    revocation_secret: format!("{:032x}", rng.gen::<u128>()),
                    remote_code_hash: None,
                    remote_code_expires: None,
                    remote_attempts: 0,
                    signature_svg: None,
                    scan: None,
                    scan_type: None,
                    revoked_at: revoked.then(|| (signed + Duration::days(30)).min(now)),
                    revoke_reason: revoked.then(|| "Demande de la personne".to_owned()),
                    renewed_from: None,
                    drawn_by: Some(drawn_by),
                    lang: "fr".into(),
                    created_at: signed,
                    updated_at: signed,
                });
                chains.push(
                    sid,
                    signed,
                    Some(drawn_by),
                    "mandate.create",
                    "mandate",
                    id,
                    json!({"categories": cats, "via": "gen"}).to_string(),
                );
            }
            report.mandates += n_mandates;
            chains.take(&mut batch, sid);
            self.store.bulk_load(std::mem::take(&mut batch)).await?;

            // Requests and their interventions, in time order.
            let mut extra: Vec<u32> = vec![0; n_requests as usize];
            for _ in 0..n_interventions.saturating_sub(n_requests) {
                if n_requests > 0 {
                    extra[rng.gen_range(0..n_requests as usize)] += 1;
                }
            }
            let mut counters: HashMap<i32, i64> = HashMap::new();
            for i in 0..n_requests as usize {
                let (day, hour, minute) = days[i];
                let created = paris(day, hour, minute);
                let proc = procedures[*pick(&mut rng, &procedure_weights)];
                let p = person_of[i];
                let person = p.map(|p| person_ids[p as usize]);
                let creator = agent(&mut rng);
                let year = day.year();
                let number = {
                    let c = counters.entry(year).or_insert(0);
                    *c += 1;
                    *c
                };
                let age_days = (today - day).num_days();
                let n_int = 1 + extra[i] as i64;
                let mut times = vec![created];
                for k in 1..n_int {
                    let t = created + Duration::days(k * rng.gen_range(1..10));
                    times.push(t.min(now));
                }
                let last = *times.last().unwrap_or(&created);
                use relais_domain::{BlockReason as B, Outcome as O, RequestStatus as S};
                // Older requests are closed: an outcome, or abandoned (none).
                let (status, outcome, block) = if age_days > 60 {
                    match *pick(
                        &mut rng,
                        &[
                            (Some(O::Done), 55),
                            (Some(O::RightsOpened), 15),
                            (Some(O::Blocked), 15),
                            (Some(O::Referred), 10),
                            (None, 5),
                        ],
                    ) {
                        None => (S::Abandoned, None, None),
                        Some(O::Blocked) => (
                            S::Done,
                            Some(O::Blocked),
                            Some(*pick(
                                &mut rng,
                                &[
                                    (B::DocumentsMissing, 35),
                                    (B::NoIdentity, 20),
                                    (B::OperatorUnreachable, 20),
                                    (B::TechnicalFailure, 15),
                                    (B::PersonAbsent, 10),
                                ],
                            )),
                        ),
                        o => (S::Done, o, None),
                    }
                } else {
                    match *pick(
                        &mut rng,
                        &[
                            (S::Open, 50),
                            (S::WaitingForPerson, 20),
                            (S::WaitingForOperator, 15),
                            (S::Done, 15),
                        ],
                    ) {
                        S::Done => (S::Done, Some(O::Done), None),
                        s => (s, None, None),
                    }
                };
                let closed = status.is_closed().then_some(last);
                let deadline = proc.deadline.as_ref().and_then(|rule| {
                    let ctx = relais_domain::deadline::Context {
                        today: day,
                        anchor: Some(day + Duration::days(60)),
                        departement: Some("69"),
                    };
                    rule.next_window(&ctx).map(|w| w.closes)
                });
                let id = Uuid::now_v7();
                let category = proc.category.as_str().to_owned();
                batch.requests.push(HelpRequestRow {
                    id,
                    structure_id: sid,
                    reference: relais_domain::desk::request_reference(year, number),
                    person_id: person,
                    anon_age_bracket: person.is_none().then(|| {
                        (*pick(
                            &mut rng,
                            &[("25_39", 2), ("40_59", 3), ("60_69", 2), ("70_plus", 2)],
                        ))
                        .to_owned()
                    }),
                    anon_postcode: None,
                    anon_commune: person.is_none().then(|| communes[0].1.to_owned()),
                    procedure: proc.title.clone(),
                    category: category.clone(),
                    operator: Some(operator_name(&proc.operator)),
                    channel: (*pick(
                        &mut rng,
                        &[
                            ("walk_in", 45),
                            ("appointment", 25),
                            ("phone", 15),
                            ("email", 5),
                            ("remote", 4),
                            ("home_visit", 3),
                            ("partner_referral", 3),
                        ],
                    ))
                    .to_owned(),
                    rights_at_risk: rng.gen_range(0..100) < 8,
                    deadline,
                    status: status.as_str().into(),
                    outcome: outcome.map(|o| o.as_str().to_owned()),
                    block_reason: block.map(|b| b.as_str().to_owned()),
                    submission_key: None,
                    created_by: Some(creator),
                    created_at: created,
                    updated_at: last,
                    closed_at: closed,
                });
                chains.push(
                    sid,
                    created,
                    Some(creator),
                    "help_request.create",
                    "help_request",
                    id,
                    json!({"category": category, "via": "gen"}).to_string(),
                );
                for t in &times {
                    let iid = Uuid::now_v7();
                    let by = if *t == created {
                        creator
                    } else {
                        agent(&mut rng)
                    };
                    batch.interventions.push(InterventionRow {
                        id: iid,
                        structure_id: sid,
                        help_request_id: id,
                        agent_id: Some(by),
                        occurred_at: *t,
                        duration_minutes: *pick(
                            &mut rng,
                            &[(15, 20), (30, 35), (45, 20), (60, 15), (90, 7), (120, 3)],
                        ),
                        mode: pick(
                            &mut rng,
                            &[
                                (Mode::DoneWith, 35),
                                (Mode::DoneFor, 30),
                                (Mode::Taught, 15),
                                (Mode::Informed, 15),
                                (Mode::Referred, 5),
                            ],
                        )
                        .as_str()
                        .to_owned(),
                        place: (*pick(
                            &mut rng,
                            &[("on_site", 85), ("remote", 8), ("home", 5), ("other", 2)],
                        ))
                        .to_owned(),
                        summary: None,
                        next_step: None,
                        mandate_id: None,
                        created_at: *t,
                    });
                }
                report.interventions += times.len() as u64;
                if closed.is_none() && rng.gen_bool(0.5) {
                    let due = (last + Duration::days(rng.gen_range(5..21))).date_naive();
                    // Draw first: the stream must not depend on the clock.
                    let roll = rng.gen_range(0..100);
                    let done = due < today && roll < 70;
                    batch.follow_ups.push(FollowUpRow {
                        id: Uuid::now_v7(),
                        structure_id: sid,
                        help_request_id: Some(id),
                        person_id: person,
                        assignee_id: creator,
                        due_date: due,
                        reason: "Faire le point avec la personne".into(),
                        done,
                        done_at: done.then(|| paris(due, 11, 0)),
                        created_by: Some(creator),
                        created_at: last,
                    });
                    report.follow_ups += 1;
                }
                report.requests += 1;
                done_requests += 1;
                if batch.rows() >= 40_000 {
                    chains.take(&mut batch, sid);
                    batch.counters = counters
                        .iter()
                        .map(|(y, v)| (sid, i64::from(*y), *v))
                        .collect();
                    self.store.bulk_load(std::mem::take(&mut batch)).await?;
                    progress(done_requests, spec.requests);
                }
            }
            chains.take(&mut batch, sid);
            batch.counters = counters
                .iter()
                .map(|(y, v)| (sid, i64::from(*y), *v))
                .collect();
            self.store.bulk_load(std::mem::take(&mut batch)).await?;
            progress(done_requests, spec.requests);

            if s == 0 {
                // The person closest to 20 requests, for the person page.
                if let Some((p, n)) = count_of
                    .iter()
                    .min_by_key(|(p, n)| ((**n as i64 - 20).abs(), **p))
                {
                    report.sample_person = Some(person_ids[*p as usize]);
                    report.sample_person_requests = *n;
                }
            }
        }
        if let (Some(id), Some((first, _))) = (report.sample_person, structures.first()) {
            if let Some(p) = self
                .store
                .person_by_id(StructureId(first.id), PersonId(id))
                .await?
            {
                report.sample_last_name = p.last_name;
            }
        }
        // Fresh planner statistics, as a long-running instance would have.
        self.store.analyze().await?;
        report.journal_entries = self
            .store
            .journal_heads()
            .await?
            .iter()
            .map(|h| h.seq as u64)
            .sum();
        Ok(report)
    }
}
