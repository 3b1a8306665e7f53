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
use relais_domain::{BlockReason, Mode, Outcome, PersonId, RequestStatus, StructureId};

use relais_store::{
    AgentRow, AutonomyRow, BulkBatch, FollowUpRow, HelpRequestRow, InterventionRow, JournalHeadRow,
    JournalRow, MandateRow, PersonRow, StructureRow,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

mod spec;
pub use spec::GenSpec;

/// The password of every generated account.
pub const GEN_PASSWORD: &str = "gen-relais-2026";

/// Agents in each generated structure.
pub const AGENTS_PER_STRUCTURE: u32 = 5;

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

/// Structure sizes vary; gen-1, the one benchmarks use, is the largest.
struct Shares {
    weights: Vec<u64>,
    total: u64,
}

impl Shares {
    fn new(structures: u32) -> Shares {
        let weights: Vec<u64> = (0..structures)
            .map(|s| {
                if s == 0 {
                    15
                } else {
                    5 + u64::from((s * 7919) % 10)
                }
            })
            .collect();
        let total = weights.iter().sum();
        Shares { weights, total }
    }

    /// Structure `s`'s part of `total`; the parts add up to `total`.
    fn of(&self, total: u64, s: usize) -> u64 {
        let before: u64 = self.weights[..s].iter().sum();
        let upto = before + self.weights[s];
        total * upto / self.total - total * before / self.total
    }
}

/// When a structure's requests happen and for whom, drawn before any row:
/// a person is created just before their first visit.
struct RequestPlan {
    /// Persons `0..regulars` come often.
    regulars: u64,
    /// Day, hour and minute of each request, in time order.
    days: Vec<(NaiveDate, u32, u32)>,
    /// The person of each request (none for an anonymous one).
    person_of: Vec<Option<u64>>,
    first_seen: HashMap<u64, DateTime<Utc>>,
    count_of: HashMap<u64, u64>,
}

/// The name of an operator of the catalogue, or its id when unknown.
fn operator_name(catalog: &crate::catalog::Catalog, id: &str) -> String {
    catalog
        .operators
        .iter()
        .find(|o| o.id == id)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

/// One generation under way. Every random draw goes through `rng`, in a
/// fixed order, so that a seed always gives the same dataset: the steps
/// below must keep the order of their draws.
struct Gen<'a> {
    services: &'a Services,
    spec: &'a GenSpec,
    rng: StdRng,
    now: DateTime<Utc>,
    today: NaiveDate,
    password_hash: String,
    procedures: Vec<&'a crate::catalog::Procedure>,
    /// Popularity: a few procedures make most requests.
    procedure_weights: Vec<(usize, u32)>,
    report: GenReport,
    chains: Chains,
    done_requests: u64,
    mandate_counter: u64,
    /// The batch being written while the next one is drawn (one at a
    /// time, in order: a batch's rows may refer to the previous one's).
    loading: Option<tokio::task::JoinHandle<Result<(), relais_store::StoreError>>>,
}

/// The tables `relais gen` fills in bulk, whose secondary indexes it
/// builds after the load.
const DEFERRED_INDEXES: &[&str] = &[
    "persons",
    "autonomy_assessments",
    "mandates",
    "help_requests",
    "interventions",
    "follow_ups",
    "journal",
];

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
        let mut gen = Gen::start(self, spec).await?;
        let structures = gen.structures().await?;
        for h in self.store.journal_heads().await? {
            gen.chains.heads.insert(h.chain, (h.seq, h.hash));
        }
        let shares = Shares::new(spec.structures);
        // The rows go into tables without their secondary indexes, which
        // are built once at the end (each batch otherwise updates a dozen
        // indexes spread over the whole file).
        let deferred = self.store.drop_indexes(DEFERRED_INDEXES).await?;
        let filled = async {
            for (s, (structure, agents)) in structures.iter().enumerate() {
                gen.structure_records(s, structure.id, agents, &shares, &progress)
                    .await?;
            }
            gen.loaded().await
        }
        .await;
        // Built back even when the load failed, so the file stays whole.
        self.store.create_indexes(&deferred).await?;
        filled?;
        gen.finish(&structures).await
    }
}

impl<'a> Gen<'a> {
    async fn start(services: &'a Services, spec: &'a GenSpec) -> Result<Gen<'a>, ServiceError> {
        let rng = StdRng::seed_from_u64(spec.seed);
        let now = services.now();
        let today = services.today();
        let password_hash = hash_password(GEN_PASSWORD.to_owned()).await?;
        let procedures: Vec<_> = services.catalog().procedures.iter().collect();
        let procedure_weights: Vec<(usize, u32)> = (0..procedures.len())
            .map(|i| (i, (400 / (i as u32 + 2)).max(3)))
            .collect();
        Ok(Gen {
            services,
            spec,
            rng,
            now,
            today,
            password_hash,
            procedures,
            procedure_weights,
            report: GenReport::default(),
            chains: Chains {
                heads: HashMap::new(),
                pending: Vec::new(),
            },
            done_requests: 0,
            mandate_counter: 0,
            loading: None,
        })
    }

    /// One of the structure's agents, at random.
    fn agent(&mut self, agents: &[Uuid]) -> Uuid {
        agents[self.rng.gen_range(0..agents.len())]
    }

    /// Structures and agents, through the ordinary writes.
    async fn structures(&mut self) -> Result<Vec<(StructureRow, Vec<Uuid>)>, ServiceError> {
        let mut structures = Vec::new();
        for s in 0..self.spec.structures {
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
                created_at: self.now - Duration::days(4 * 365),
            };
            self.services
                .store
                .insert_structure(
                    &row,
                    &[
                        relais_domain::journal::JournalEvent::new("structure.create")
                            .structure(row.id)
                            .object("structure", row.id)
                            .details(json!({"via": "gen"})),
                    ],
                    self.now,
                )
                .await?;
            let mut agents = Vec::new();
            for a in 0..AGENTS_PER_STRUCTURE {
                agents.push(self.structure_agent(row.id, n, a).await?);
            }
            if n == 1 {
                self.instance_admin(row.id).await?;
            }
            structures.push((row, agents));
            self.report.structures += 1;
        }
        Ok(structures)
    }

    /// An account with the shared password, created four years ago.
    fn account(&self, email: String, name: String) -> AgentRow {
        AgentRow {
            id: Uuid::now_v7(),
            email,
            name,
            password_hash: Some(self.password_hash.clone()),
            totp_secret: None,
            totp_enabled: false,
            totp_last_step: None,
            failed_logins: 0,
            locked_until: None,
            created_at: self.now - Duration::days(4 * 365),
        }
    }

    /// Agent `a` of structure `gen-n`: agents first, then a mediator and
    /// a supervisor.
    async fn structure_agent(&mut self, sid: Uuid, n: u32, a: u32) -> Result<Uuid, ServiceError> {
        let email = if a == 0 {
            format!("agent@gen-{n}.test")
        } else {
            format!("agent{}@gen-{n}.test", a + 1)
        };
        let name = format!(
            "{} {}",
            FIRST_NAMES[self.rng.gen_range(0..FIRST_NAMES.len())],
            LAST_NAMES[self.rng.gen_range(0..LAST_NAMES.len())]
        );
        let agent = self.account(email, name);
        let role = if a == AGENTS_PER_STRUCTURE - 1 {
            "supervisor"
        } else if a == AGENTS_PER_STRUCTURE - 2 {
            "mediator"
        } else {
            "agent"
        };
        self.services
            .store
            .insert_agent(
                &agent,
                Some((StructureId(sid), role)),
                &[
                    relais_domain::journal::JournalEvent::new("team.member_created")
                        .structure(sid)
                        .object("agent", agent.id)
                        .details(json!({"role": role, "via": "gen"})),
                ],
                self.now,
            )
            .await?;
        self.report.agents += 1;
        Ok(agent.id)
    }

    /// An administrator of the instance, for whole-instance figures.
    async fn instance_admin(&mut self, sid: Uuid) -> Result<(), ServiceError> {
        let admin = self.account("admin@gen.test".into(), "Admin Gen".into());
        self.services
            .store
            .insert_agent(
                &admin,
                Some((StructureId(sid), "admin")),
                &[
                    relais_domain::journal::JournalEvent::new("team.member_created")
                        .structure(sid)
                        .object("agent", admin.id)
                        .details(json!({"role": "admin", "via": "gen"})),
                ],
                self.now,
            )
            .await?;
        self.report.agents += 1;
        Ok(())
    }

    /// A structure's persons, mandates, requests and what hangs on them.
    async fn structure_records(
        &mut self,
        s: usize,
        sid: Uuid,
        agents: &[Uuid],
        shares: &Shares,
        progress: &impl Fn(u64, u64),
    ) -> Result<(), ServiceError> {
        let n_persons = shares.of(self.spec.persons, s).max(1);
        let n_requests = shares.of(self.spec.requests, s);
        let n_interventions = shares.of(self.spec.interventions, s).max(n_requests);
        let n_mandates = shares.of(self.spec.mandates, s).min(n_persons);
        let communes: Vec<_> = (0..4)
            .map(|k| COMMUNES[(s * 3 + k) % COMMUNES.len()])
            .collect();
        let desk = Desk {
            sid,
            agents,
            communes: &communes,
        };
        let plan = self.plan_requests(n_persons, n_requests);

        let mut batch = BulkBatch::default();
        let mut person_ids = Vec::with_capacity(n_persons as usize);
        for p in 0..n_persons {
            person_ids.push(self.person(&mut batch, &desk, &plan, p));
        }
        self.report.persons += n_persons;
        for k in 0..n_mandates {
            self.mandate(&mut batch, &desk, &plan, &person_ids, k);
        }
        self.report.mandates += n_mandates;
        self.chains.take(&mut batch, sid);
        self.load(std::mem::take(&mut batch)).await?;

        self.requests(batch, &desk, &plan, &person_ids, n_interventions, progress)
            .await?;

        if s == 0 {
            // The person closest to 20 requests, for the person page.
            if let Some((p, n)) = plan
                .count_of
                .iter()
                .min_by_key(|(p, n)| ((**n as i64 - 20).abs(), **p))
            {
                self.report.sample_person = Some(person_ids[*p as usize]);
                self.report.sample_person_requests = *n;
            }
        }
        Ok(())
    }

    /// Requests: days first, then persons (regulars come often).
    fn plan_requests(&mut self, n_persons: u64, n_requests: u64) -> RequestPlan {
        let regulars = (n_persons / 20).max(1);
        let mut days: Vec<(NaiveDate, u32, u32)> = (0..n_requests)
            .map(|_| {
                (
                    desk_day(&mut self.rng, self.today),
                    self.rng.gen_range(9..17),
                    self.rng.gen_range(0..60),
                )
            })
            .collect();
        days.sort();
        let person_of: Vec<Option<u64>> = (0..n_requests)
            .map(|_| {
                if self.rng.gen_range(0..100) < 5 {
                    None
                } else if self.rng.gen_range(0..100) < 30 {
                    Some(self.rng.gen_range(0..regulars))
                } else {
                    Some(self.rng.gen_range(0..n_persons))
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
        RequestPlan {
            regulars,
            days,
            person_of,
            first_seen,
            count_of,
        }
    }

    /// Person `p` of the plan, with some autonomy assessments.
    fn person(
        &mut self,
        batch: &mut BulkBatch,
        desk: &Desk<'_>,
        plan: &RequestPlan,
        p: u64,
    ) -> Uuid {
        let (today, sid) = (self.today, desk.sid);
        let id = Uuid::now_v7();
        let first = FIRST_NAMES[self.rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[self.rng.gen_range(0..LAST_NAMES.len())];
        let created =
            plan.first_seen.get(&p).copied().unwrap_or_else(|| {
                paris(desk_day(&mut self.rng, today), 10, 0) - Duration::minutes(5)
            });
        let (postcode, commune, _) = desk.communes[self.rng.gen_range(0..desk.communes.len())];
        let creator = self.agent(desk.agents);
        let birth_year = if self.rng.gen_range(0..100) < 90 {
            Some(i64::from(today.year()) - self.rng.gen_range(18..92))
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
            equipment: if self.rng.gen_bool(0.6) {
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
        self.chains.push(
            sid,
            created,
            Some(creator),
            "person.create",
            "person",
            id,
            json!({"via": "gen"}).to_string(),
        );
        if self.rng.gen_range(0..100) < 30 {
            self.assessments(batch, id, creator, created);
        }
        id
    }

    /// A first autonomy assessment, and for one person in two a later one.
    fn assessments(
        &mut self,
        batch: &mut BulkBatch,
        person: Uuid,
        creator: Uuid,
        created: DateTime<Utc>,
    ) {
        let first_level = *pick(
            &mut self.rng,
            &[
                ("needs_full_guidance", 50),
                ("autonomous_with_help", 40),
                ("autonomous", 10),
            ],
        );
        batch.assessments.push(AutonomyRow {
            id: Uuid::now_v7(),
            person_id: person,
            level: first_level.into(),
            assessed_on: created.date_naive(),
            agent_id: Some(creator),
            created_at: created,
        });
        if self.rng.gen_bool(0.5) {
            let later = (created + Duration::days(self.rng.gen_range(30..300))).min(self.now);
            let level = match (first_level, self.rng.gen_range(0..100)) {
                ("needs_full_guidance", 0..=54) => "autonomous_with_help",
                ("autonomous_with_help", 0..=39) => "autonomous",
                ("autonomous_with_help", 40..=49) => "needs_full_guidance",
                (l, _) => l,
            };
            batch.assessments.push(AutonomyRow {
                id: Uuid::now_v7(),
                person_id: person,
                level: level.into(),
                assessed_on: later.date_naive(),
                agent_id: Some(creator),
                created_at: later,
            });
        }
    }

    /// Mandate `k`: mostly for the regulars.
    fn mandate(
        &mut self,
        batch: &mut BulkBatch,
        desk: &Desk<'_>,
        plan: &RequestPlan,
        person_ids: &[Uuid],
        k: u64,
    ) {
        let (today, sid) = (self.today, desk.sid);
        let p = if k < plan.regulars {
            k
        } else {
            self.rng.gen_range(0..person_ids.len() as u64)
        };
        let person = person_ids[p as usize];
        let start = plan
            .first_seen
            .get(&p)
            .map(|t| t.date_naive())
            .unwrap_or(today - Duration::days(200))
            + Duration::days(self.rng.gen_range(0..60));
        let start = start.min(today);
        let twelve = self.rng.gen_bool(0.5);
        let ends = start + Duration::days(if twelve { 365 } else { 182 });
        let cats = self.mandate_categories();
        self.mandate_counter += 1;
        let signed = paris(start, 10, 0);
        let revoked = self.rng.gen_range(0..100) < 5;
        let id = Uuid::now_v7();
        let drawn_by = self.agent(desk.agents);
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
            verification_code: mandate_code(self.mandate_counter, &mut self.rng),
            revocation_secret: format!("{:032x}", self.rng.gen::<u128>()),
            remote_code_hash: None,
            remote_code_expires: None,
            remote_attempts: 0,
            signature_svg: None,
            scan: None,
            scan_type: None,
            revoked_at: revoked.then(|| (signed + Duration::days(30)).min(self.now)),
            revoke_reason: revoked.then(|| "Demande de la personne".to_owned()),
            renewed_from: None,
            drawn_by: Some(drawn_by),
            lang: "fr".into(),
            created_at: signed,
            updated_at: signed,
        });
        self.chains.push(
            sid,
            signed,
            Some(drawn_by),
            "mandate.create",
            "mandate",
            id,
            json!({"categories": cats, "via": "gen"}).to_string(),
        );
    }

    /// A mandate's categories: one, sometimes two.
    fn mandate_categories(&mut self) -> Vec<&'static str> {
        let mut c = vec![*pick(
            &mut self.rng,
            &[
                ("social", 30),
                ("travail", 25),
                ("argent", 20),
                ("logement", 15),
                ("famille", 10),
            ],
        )];
        if self.rng.gen_bool(0.4) {
            let extra = *pick(
                &mut self.rng,
                &[("papiers", 1), ("transports", 1), ("famille", 1)],
            );
            if !c.contains(&extra) {
                c.push(extra);
            }
        }
        c
    }

    /// Requests and their interventions, in time order, loaded in batches.
    async fn requests(
        &mut self,
        mut batch: BulkBatch,
        desk: &Desk<'_>,
        plan: &RequestPlan,
        person_ids: &[Uuid],
        n_interventions: u64,
        progress: &impl Fn(u64, u64),
    ) -> Result<(), ServiceError> {
        let n_requests = plan.days.len() as u64;
        let mut extra: Vec<u32> = vec![0; n_requests as usize];
        for _ in 0..n_interventions.saturating_sub(n_requests) {
            if n_requests > 0 {
                extra[self.rng.gen_range(0..n_requests as usize)] += 1;
            }
        }
        let mut counters: HashMap<i32, i64> = HashMap::new();
        for (i, extra) in extra.iter().enumerate() {
            let person = plan.person_of[i].map(|p| person_ids[p as usize]);
            let n_int = 1 + *extra as i64;
            self.request(&mut batch, &mut counters, desk, plan.days[i], person, n_int);
            self.report.requests += 1;
            self.done_requests += 1;
            if batch.rows() >= 40_000 {
                self.load_requests(&mut batch, desk.sid, &counters).await?;
                progress(self.done_requests, self.spec.requests);
            }
        }
        self.load_requests(&mut batch, desk.sid, &counters).await?;
        progress(self.done_requests, self.spec.requests);
        Ok(())
    }

    /// Writes a batch of requests, with the journal and the counters of
    /// request numbers so far.
    async fn load_requests(
        &mut self,
        batch: &mut BulkBatch,
        sid: Uuid,
        counters: &HashMap<i32, i64>,
    ) -> Result<(), ServiceError> {
        self.chains.take(batch, sid);
        batch.counters = counters
            .iter()
            .map(|(y, v)| (sid, i64::from(*y), *v))
            .collect();
        self.load(std::mem::take(batch)).await
    }

    /// Writes a batch in the background once the previous one is written,
    /// so that drawing the next batch and writing this one overlap.
    async fn load(&mut self, batch: BulkBatch) -> Result<(), ServiceError> {
        self.loaded().await?;
        let store = self.services.store.clone();
        self.loading = Some(tokio::spawn(async move { store.bulk_load(batch).await }));
        Ok(())
    }

    /// Waits for the batch being written, if any.
    async fn loaded(&mut self) -> Result<(), ServiceError> {
        if let Some(h) = self.loading.take() {
            h.await
                .map_err(|e| ServiceError::Internal(format!("generator batch: {e}")))??;
        }
        Ok(())
    }

    /// One request, its interventions and perhaps a follow-up.
    fn request(
        &mut self,
        batch: &mut BulkBatch,
        counters: &mut HashMap<i32, i64>,
        desk: &Desk<'_>,
        (day, hour, minute): (NaiveDate, u32, u32),
        person: Option<Uuid>,
        n_int: i64,
    ) {
        let (now, today, sid) = (self.now, self.today, desk.sid);
        let created = paris(day, hour, minute);
        let proc = self.procedures[*pick(&mut self.rng, &self.procedure_weights)];
        let creator = self.agent(desk.agents);
        let year = day.year();
        let number = {
            let c = counters.entry(year).or_insert(0);
            *c += 1;
            *c
        };
        let age_days = (today - day).num_days();
        let mut times = vec![created];
        for k in 1..n_int {
            let t = created + Duration::days(k * self.rng.gen_range(1..10));
            times.push(t.min(now));
        }
        let last = *times.last().unwrap_or(&created);
        let (status, outcome, block) = self.closing(age_days);
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
                    &mut self.rng,
                    &[("25_39", 2), ("40_59", 3), ("60_69", 2), ("70_plus", 2)],
                ))
                .to_owned()
            }),
            anon_postcode: None,
            anon_commune: person.is_none().then(|| desk.communes[0].1.to_owned()),
            procedure: proc.title.clone(),
            category: category.clone(),
            operator: Some(operator_name(self.services.catalog(), &proc.operator)),
            channel: (*pick(
                &mut self.rng,
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
            rights_at_risk: self.rng.gen_range(0..100) < 8,
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
        self.chains.push(
            sid,
            created,
            Some(creator),
            "help_request.create",
            "help_request",
            id,
            json!({"category": category, "via": "gen"}).to_string(),
        );
        for t in &times {
            self.intervention(batch, desk, id, creator, created, *t);
        }
        self.report.interventions += times.len() as u64;
        if closed.is_none() && self.rng.gen_bool(0.5) {
            self.follow_up(batch, sid, id, person, creator, last);
        }
    }

    /// Where a request stands. Older requests are closed: an outcome, or
    /// abandoned (none).
    fn closing(&mut self, age_days: i64) -> (RequestStatus, Option<Outcome>, Option<BlockReason>) {
        use relais_domain::{BlockReason as B, Outcome as O, RequestStatus as S};
        let rng = &mut self.rng;
        if age_days > 60 {
            match *pick(
                rng,
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
                        rng,
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
                rng,
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
        }
    }

    /// An intervention at `t` on request `id`; the first by its creator.
    fn intervention(
        &mut self,
        batch: &mut BulkBatch,
        desk: &Desk<'_>,
        id: Uuid,
        creator: Uuid,
        created: DateTime<Utc>,
        t: DateTime<Utc>,
    ) {
        let iid = Uuid::now_v7();
        let by = if t == created {
            creator
        } else {
            self.agent(desk.agents)
        };
        batch.interventions.push(InterventionRow {
            id: iid,
            structure_id: desk.sid,
            help_request_id: id,
            agent_id: Some(by),
            occurred_at: t,
            duration_minutes: *pick(
                &mut self.rng,
                &[(15, 20), (30, 35), (45, 20), (60, 15), (90, 7), (120, 3)],
            ),
            mode: pick(
                &mut self.rng,
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
                &mut self.rng,
                &[("on_site", 85), ("remote", 8), ("home", 5), ("other", 2)],
            ))
            .to_owned(),
            summary: None,
            next_step: None,
            mandate_id: None,
            created_at: t,
        });
    }

    /// A follow-up of an open request, done when it fell due long ago.
    fn follow_up(
        &mut self,
        batch: &mut BulkBatch,
        sid: Uuid,
        request: Uuid,
        person: Option<Uuid>,
        creator: Uuid,
        last: DateTime<Utc>,
    ) {
        let due = (last + Duration::days(self.rng.gen_range(5..21))).date_naive();
        // Draw first: the stream must not depend on the clock.
        let roll = self.rng.gen_range(0..100);
        let done = due < self.today && roll < 70;
        batch.follow_ups.push(FollowUpRow {
            id: Uuid::now_v7(),
            structure_id: sid,
            help_request_id: Some(request),
            person_id: person,
            assignee_id: creator,
            due_date: due,
            reason: "Faire le point avec la personne".into(),
            done,
            done_at: done.then(|| paris(due, 11, 0)),
            created_by: Some(creator),
            created_at: last,
        });
        self.report.follow_ups += 1;
    }

    /// The sample person's name, fresh planner statistics and the count
    /// of journal entries.
    async fn finish(
        mut self,
        structures: &[(StructureRow, Vec<Uuid>)],
    ) -> Result<GenReport, ServiceError> {
        self.loaded().await?;
        let store = &self.services.store;
        if let (Some(id), Some((first, _))) = (self.report.sample_person, structures.first()) {
            if let Some(p) = store
                .person_by_id(StructureId(first.id), PersonId(id))
                .await?
            {
                self.report.sample_last_name = p.last_name;
            }
        }
        // Fresh planner statistics, as a long-running instance would have.
        store.analyze().await?;
        self.report.journal_entries = store
            .journal_heads()
            .await?
            .iter()
            .map(|h| h.seq as u64)
            .sum();
        Ok(self.report)
    }
}

/// The structure being filled: its id, its agents and its communes.
struct Desk<'p> {
    sid: Uuid,
    agents: &'p [Uuid],
    communes: &'p [(&'static str, &'static str, &'static str)],
}
