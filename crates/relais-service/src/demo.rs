//! Demo data: "CCAS de Démoville" with one account per role. Idempotent.

use crate::error::ServiceError;
use crate::Services;
use relais_domain::FieldError;
use relais_store::StoreError;

pub const DEMO_STRUCTURE_SLUG: &str = "ccas-demoville";
/// The demo accounts' shared password (listed in the README).
pub const DEMO_PASSWORD: &str = "demo-relais-2026";

#[derive(Debug, Clone, Copy)]
pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub role: &'static str,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        email: "agent@demoville.test",
        name: "Camille Agent",
        role: "agent",
    },
    DemoAccount {
        email: "mediateur@demoville.test",
        name: "Sami Médiateur",
        role: "mediator",
    },
    DemoAccount {
        email: "responsable@demoville.test",
        name: "Nadia Responsable",
        role: "supervisor",
    },
    DemoAccount {
        email: "admin@demoville.test",
        name: "Alex Admin",
        role: "admin",
    },
];

/// A blank one-page PDF standing for the scan of a demo paper mandate.
const DEMO_SCAN: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A demo place: own, id, name, address, postcode, INSEE, commune, lat,
/// lon, hours, services, labels, fees, access, support.
type DemoPlace = (
    bool,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The demo structure's own place and two partner places near the demo
/// persons (Villeurbanne, Vaulx-en-Velin).
const DEMO_PLACES: [DemoPlace; 3] = [
    (
        true,
        "demo-ccas",
        "Espace numérique du CCAS de Démoville",
        "12 place de la Mairie",
        "69100",
        "69266",
        "Villeurbanne",
        45.7665,
        4.8795,
        "Mo-Fr 09:00-12:00,13:30-17:00",
        "demarches|outils|acces",
        "aidants_connect|conseillers_numeriques",
        "gratuit",
        "se_presenter|telephoner|sur_rdv",
        "individuel|a_ma_place",
    ),
    (
        false,
        "demo-mediatheque",
        "Médiathèque de Démoville – atelier numérique",
        "3 rue des Livres",
        "69100",
        "69266",
        "Villeurbanne",
        45.7710,
        4.8900,
        "Tu-Sa 10:00-18:00",
        "outils|culture|acces",
        "conseillers_numeriques",
        "gratuit",
        "se_presenter",
        "atelier|autonomie",
    ),
    (
        false,
        "demo-france-services",
        "France Services de Vaulx-sur-Rhône",
        "8 avenue de la République",
        "69120",
        "69256",
        "Vaulx-en-Velin",
        45.7780,
        4.9210,
        "Mo-Fr 08:30-12:30,13:30-17:00; Sa 09:00-12:00",
        "demarches",
        "france_services",
        "gratuit",
        "se_presenter|sur_rdv",
        "individuel",
    ),
];

impl Services {
    /// Refuses a database that is neither empty nor a demonstration one:
    /// the demo adds accounts with a published password and its server
    /// turns the second factor off. An empty database is marked as a
    /// demonstration one (journaled), so that it stays one.
    pub async fn claim_demo_database(&self) -> Result<(), ServiceError> {
        let event =
            JournalEvent::new("demo.database_marked").details(serde_json::json!({"via": "demo"}));
        if self
            .store
            .claim_demo(DEMO_STRUCTURE_SLUG, &[event], self.now())
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::Invalid(vec![FieldError::new(
                "database",
                "not_a_demo_database",
            )]))
        }
    }

    /// Creates the demo structure and accounts when they are missing;
    /// running it again changes nothing. Returns what was created. Only on
    /// an empty or demonstration database ([`Services::claim_demo_database`]).
    pub async fn ensure_demo(&self) -> Result<usize, ServiceError> {
        self.claim_demo_database().await?;
        let mut created = 0;
        if self
            .store
            .structure_by_slug(DEMO_STRUCTURE_SLUG)
            .await?
            .is_none()
        {
            match self
                .cli_add_structure("CCAS de Démoville", DEMO_STRUCTURE_SLUG, "ccas")
                .await
            {
                Ok(_) => created += 1,
                Err(ServiceError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        for a in DEMO_ACCOUNTS {
            if self.store.agent_by_email(a.email).await?.is_some() {
                continue;
            }
            match self
                .cli_add_user(a.email, a.name, DEMO_STRUCTURE_SLUG, a.role, DEMO_PASSWORD)
                .await
            {
                Ok(_) => created += 1,
                Err(ServiceError::Conflict(_))
                | Err(ServiceError::Store(StoreError::Conflict(_))) => {}
                Err(e) => return Err(e),
            }
        }
        created += self.ensure_demo_desk().await?;
        created += self.ensure_demo_places().await?;
        Ok(created)
    }

    /// The demo structure's own place and two partner places near the
    /// demo persons (Villeurbanne, Vaulx-en-Velin), when it has none.
    async fn ensure_demo_places(&self) -> Result<usize, ServiceError> {
        let Some(structure) = self.store.structure_by_slug(DEMO_STRUCTURE_SLUG).await? else {
            return Ok(0);
        };
        if !self
            .store
            .own_places(StructureId(structure.id))
            .await?
            .is_empty()
        {
            return Ok(0);
        }
        let now = self.now();
        let today = self.today();
        let mut rows = Vec::new();
        for (
            own,
            id,
            name,
            address,
            postcode,
            insee,
            commune,
            lat,
            lon,
            hours,
            services,
            labels,
            fees,
            access,
            support,
        ) in DEMO_PLACES
        {
            let mut row = relais_store::PlaceRow {
                id: Uuid::now_v7(),
                source: if own { "relais" } else { "demo" }.into(),
                source_id: id.into(),
                name: name.into(),
                address: Some(address.into()),
                postcode: Some(postcode.into()),
                commune: Some(commune.into()),
                insee_code: Some(insee.into()),
                latitude: Some(lat),
                longitude: Some(lon),
                phone: Some("04 78 00 00 00".into()),
                opening_hours: Some(hours.into()),
                services: services.into(),
                labels: labels.into(),
                fees: fees.into(),
                access_modes: access.into(),
                support_modes: support.into(),
                updated_on: Some(today),
                imported_at: now,
                structure_id: own.then_some(structure.id),
                ..relais_store::PlaceRow::default()
            };
            row.content_hash = crate::places::import::place_hash(&row);
            rows.push(row);
        }
        let n = rows.len();
        self.store
            .upsert_places(
                &rows,
                &[],
                |_, _| {
                    vec![JournalEvent::new("places.import")
                        .structure(structure.id)
                        .details(serde_json::json!({"via": "demo"}))]
                },
                now,
            )
            .await?;
        Ok(n)
    }
}

// ---- demo desk history -----------------------------------------------------

use crate::persons::search_key;
use chrono::{Datelike, Duration, TimeZone};
use relais_domain::contact::phone_digits;
use relais_domain::journal::JournalEvent;
use relais_domain::{Mode, PersonId, ProcedureCategory, Role, StructureId};
use relais_store::{
    AutonomyRow, FollowUpRow, HelpRequestRow, IntakeRows, InterventionRow, PersonAccountRow,
    PersonRow,
};
use uuid::Uuid;

/// How many persons the demo structure gets.
pub const DEMO_PERSONS: usize = 60;

const FIRST: [&str; 30] = [
    "Hélène",
    "Mohamed",
    "Françoise",
    "Karim",
    "Nathalie",
    "Jean-Pierre",
    "Aïcha",
    "Michel",
    "Fatoumata",
    "Sylvie",
    "Bernard",
    "Leïla",
    "Christophe",
    "Monique",
    "Youssef",
    "Isabelle",
    "Gérard",
    "Samira",
    "Thierry",
    "Josiane",
    "Ibrahima",
    "Chantal",
    "Patrick",
    "Nadia",
    "Kévin",
    "Odile",
    "Mamadou",
    "Brigitte",
    "Lucas",
    "Zohra",
];
const LAST: [&str; 30] = [
    "Lefèvre",
    "Benali",
    "Martin",
    "Diallo",
    "Petit",
    "Moreau",
    "Haddad",
    "Bernard",
    "Traoré",
    "Roux",
    "Garcia",
    "Mercier",
    "N'Diaye",
    "Fontaine",
    "Chevalier",
    "Boyer",
    "Bensaïd",
    "Girard",
    "Lambert",
    "Camara",
    "Rousseau",
    "Faure",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Kone",
    "Dupont",
    "Perrin",
    "Marchand",
];
const COMMUNES: [(&str, &str); 5] = [
    ("69100", "Démoville"),
    ("69100", "Démoville"),
    ("69120", "Vaulx-sur-Rhône"),
    ("69150", "Décines-les-Prés"),
    ("69200", "Vénissieux-la-Haute"),
];

/// (procedure, category, operator), filed as the catalogue files them.
const PROCEDURES: [(&str, &str, &str); 16] = [
    (
        "Déclaration trimestrielle de ressources RSA / prime d'activité",
        "social",
        "CAF",
    ),
    ("Demande de prime d'activité", "social", "CAF"),
    ("Demande d'aide au logement (APL)", "logement", "CAF"),
    (
        "Renouvellement de la complémentaire santé solidaire",
        "social",
        "CPAM",
    ),
    ("Création du compte ameli", "social", "CPAM"),
    ("Actualisation mensuelle", "travail", "France Travail"),
    (
        "Inscription comme demandeur d'emploi",
        "travail",
        "France Travail",
    ),
    ("Déclaration de revenus", "argent", "DGFiP"),
    (
        "Demande de carte d'identité (pré-demande)",
        "papiers",
        "ANTS",
    ),
    (
        "Changement d'adresse sur la carte grise",
        "transports",
        "ANTS",
    ),
    ("Renouvellement du titre de séjour", "etranger", "ANEF"),
    (
        "Demande de logement social",
        "logement",
        "Service national d'enregistrement",
    ),
    ("Demande de retraite en ligne", "travail", "Info Retraite"),
    (
        "Demande de bourse de collège",
        "famille",
        "Éducation nationale",
    ),
    ("Attestation de quotient familial", "famille", "CAF"),
    ("Demande de chèque énergie (réclamation)", "logement", "ASP"),
];

const SUMMARIES: [&str; 6] = [
    "Connexion au compte, vérification des informations, envoi de la déclaration.",
    "Récupération du mot de passe par e-mail avec la personne, puis démarche faite ensemble.",
    "Pièces justificatives scannées avec le téléphone de la personne et déposées.",
    "Explication de l'écran étape par étape ; la personne a saisi elle-même.",
    "Appel à l'organisme : dossier en cours d'instruction, rappeler dans quinze jours.",
    "Orientation vers la permanence France Services pour un rendez-vous avec un conseiller.",
];

/// A small deterministic generator, so that the demo is the same every time.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

impl Services {
    /// Gives the demo structure about 60 persons and several months of
    /// requests, interventions and follow-ups, when it has none.
    async fn ensure_demo_desk(&self) -> Result<usize, ServiceError> {
        let Some(structure) = self.store.structure_by_slug(DEMO_STRUCTURE_SLUG).await? else {
            return Ok(0);
        };
        if self.store.count_persons(StructureId(structure.id)).await? > 0 {
            return Ok(0);
        }
        let team = self.store.team_of(StructureId(structure.id)).await?;
        let agent_of = |email: &str| {
            team.iter()
                .find(|m| m.email == email)
                .and_then(|m| Some((m.agent_id, Role::parse(&m.role).ok()?)))
        };
        let workers: Vec<(Uuid, Role)> = [
            "agent@demoville.test",
            "mediateur@demoville.test",
            "responsable@demoville.test",
        ]
        .iter()
        .filter_map(|e| agent_of(e))
        .collect();
        let Some(&(main_agent, _)) = workers.first() else {
            return Ok(0);
        };
        // The demo obeys its own charter: "faire pour" only where the
        // policy lets the worker and a signed mandate covers the request.
        let policy = self.policy_of(StructureId(structure.id)).await?;
        let mut desk = DemoDesk {
            services: self,
            sid: structure.id,
            main_agent,
            workers,
            policy,
            now: self.now(),
            today: self.today(),
            rng: Lcg(2026),
            created: 0,
            mandates_made: 0,
        };
        for n in 0..DEMO_PERSONS {
            desk.person(n).await?;
        }
        Ok(desk.created)
    }
}

/// The demo desk being filled: who works there, under which policy, and
/// the seeded stream every choice is drawn from. The steps below must keep
/// the order of their draws, so that the demo stays the same.
struct DemoDesk<'a> {
    services: &'a Services,
    sid: Uuid,
    main_agent: Uuid,
    workers: Vec<(Uuid, Role)>,
    policy: relais_domain::mandate::Policy,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
    rng: Lcg,
    /// Rows written so far: requests, mandates.
    created: usize,
    mandates_made: usize,
}

/// A demo person being followed from visit to visit.
struct DemoVisitor {
    id: Uuid,
    first_visit: chrono::DateTime<chrono::Utc>,
    visits: usize,
    start_level: usize,
    /// Written with the first visit.
    new_person: Option<PersonRow>,
    /// One person in six signed a paper mandate on their first visit.
    mandate_plan: Option<DemoMandatePlan>,
    /// The mandate, once recorded.
    mandate: Option<relais_store::MandateRow>,
}

impl DemoDesk<'_> {
    /// Person `n`: their visits, and for one in three their online
    /// accounts.
    async fn person(&mut self, n: usize) -> Result<(), ServiceError> {
        let mut p = self.visitor(n);
        for v in 0..p.visits {
            self.visit(&mut p, v).await?;
        }
        if self.rng.below(3) == 0 {
            self.accounts(p.id).await?;
        }
        Ok(())
    }

    /// Person `n`'s record, when they first came and how often.
    fn visitor(&mut self, n: usize) -> DemoVisitor {
        let (now, rng) = (self.now, &mut self.rng);
        // One person in six signed a paper mandate on their first visit.
        let mandate_plan = n
            .is_multiple_of(6)
            .then(|| demo_mandate_plan(self.mandates_made));
        let first = FIRST[n % FIRST.len()];
        let last = LAST[(n * 7 + n / FIRST.len()) % LAST.len()];
        let (postcode, commune) = *rng.pick(&COMMUNES);
        let birth_year = 1940 + rng.below(65) as i32;
        let phone = (rng.below(10) < 8).then(|| {
            format!(
                "06 {:02} {:02} {:02} {:02}",
                rng.below(100),
                rng.below(100),
                rng.below(100),
                rng.below(100)
            )
        });
        let first_visit = now - Duration::days(10 + rng.below(170) as i64);
        // The last two came once, nearly two years ago: their files are
        // due for anonymisation within the month (the retention page).
        let old = n >= DEMO_PERSONS - 2;
        let first_visit = match (old, &mandate_plan) {
            (true, _) => now - Duration::days(715 - 6 * (DEMO_PERSONS - n) as i64),
            // The mandate started on the first visit.
            (false, Some(plan)) => now - Duration::days(plan.days_ago),
            (false, None) => first_visit,
        };
        let person_id = Uuid::now_v7();
        let equipment = match rng.below(5) {
            0 => "none",
            1 => "smartphone",
            2 => "smartphone,internet_at_home",
            3 => "smartphone,computer,internet_at_home",
            _ => "tablet",
        };
        let person = PersonRow {
            id: person_id,
            structure_id: self.sid,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            usual_name: None,
            birth_date: None,
            birth_year: Some(i64::from(birth_year)),
            phone_digits: phone.as_deref().map(phone_digits).unwrap_or_default(),
            phone,
            email: None,
            postcode: Some(postcode.to_owned()),
            commune: Some(commune.to_owned()),
            insee_code: None,
            preferred_language: (rng.below(8) == 0).then(|| "arabe".to_owned()),
            notes: None,
            privacy_notice_on: Some(first_visit.date_naive()),
            equipment: equipment.to_owned(),
            search_key: search_key(first, last, None),
            merged_into: None,
            created_by: Some(self.main_agent),
            created_at: first_visit,
            updated_at: first_visit,
            keep_until: None,
            keep_reason: None,
            anonymised_at: None,
        };
        // Several visits for some, one for many.
        let visits = match rng.below(10) {
            _ if old => 1,
            _ if mandate_plan.is_some() => 3 + rng.below(2),
            0..=4 => 1,
            5..=7 => 2,
            _ => 3 + rng.below(3),
        };
        DemoVisitor {
            id: person_id,
            first_visit,
            visits,
            start_level: rng.below(2),
            new_person: Some(person),
            mandate_plan,
            mandate: None,
        }
    }

    /// Visit `v` of a person: a request with one intervention, through
    /// the intake's write, and the mandate signed on the first visit.
    async fn visit(&mut self, p: &mut DemoVisitor, v: usize) -> Result<(), ServiceError> {
        use relais_domain::RequestStatus as S;
        let (now, sid, person_id) = (self.now, self.sid, p.id);
        let at = self.visit_time(p.first_visit, v);
        // Under a mandate, most visits are for what it covers.
        let covered: Vec<&(&str, &str, &str)> = match &p.mandate {
            Some(m) => PROCEDURES
                .iter()
                .filter(|(_, c, _)| m.categories.split(',').any(|x| x == *c))
                .collect(),
            None => Vec::new(),
        };
        let (procedure, category, operator) = if !covered.is_empty() && self.rng.below(4) < 3 {
            **self.rng.pick(&covered)
        } else {
            *self.rng.pick(&PROCEDURES)
        };
        let (worker, role) = *self.rng.pick(&self.workers);
        let recent = now - at < Duration::days(20);
        let (status, outcome, block) = demo_status(self.rng.below(10), recent);
        let mode = match (v, self.rng.below(10)) {
            (_, 0..=2) => Mode::DoneFor,
            (_, 3..=5) if p.mandate.is_some() => Mode::DoneFor,
            (_, 3..=5) => Mode::DoneWith,
            (x, 6..=7) if x > 0 => Mode::Taught,
            (_, 8) if status == S::Referred => Mode::Referred,
            (_, 8) => Mode::Informed,
            _ => Mode::DoneWith,
        };
        let relied_on = self.relied_on(mode, p.mandate.as_ref(), role, category, at);
        let mode = match (mode, relied_on) {
            (Mode::DoneFor, None) => Mode::DoneWith,
            (m, _) => m,
        };
        let request_id = Uuid::now_v7();
        let deadline = (self.rng.below(5) == 0).then(|| (at + Duration::days(15)).date_naive());
        let request = HelpRequestRow {
            id: request_id,
            structure_id: sid,
            reference: String::new(),
            person_id: Some(person_id),
            anon_age_bracket: None,
            anon_postcode: None,
            anon_commune: None,
            procedure: procedure.to_owned(),
            category: category.to_owned(),
            operator: Some(operator.to_owned()),
            channel: [
                "walk_in",
                "walk_in",
                "walk_in",
                "appointment",
                "phone",
                "partner_referral",
            ][self.rng.below(6)]
            .to_owned(),
            rights_at_risk: self.rng.below(6) == 0,
            deadline,
            status: status.as_str().to_owned(),
            outcome: outcome.map(|o| o.as_str().to_owned()),
            block_reason: block.map(|b| b.as_str().to_owned()),
            submission_key: None,
            created_by: Some(worker),
            created_at: at,
            updated_at: at,
            closed_at: status.is_closed().then_some(at),
        };
        let intervention = InterventionRow {
            id: Uuid::now_v7(),
            structure_id: sid,
            help_request_id: request_id,
            agent_id: Some(worker),
            occurred_at: at,
            duration_minutes: [15, 30, 30, 45, 60, 90][self.rng.below(6)],
            mode: mode.as_str().to_owned(),
            place: if self.rng.below(12) == 0 {
                "home"
            } else {
                "on_site"
            }
            .to_owned(),
            summary: Some(SUMMARIES[self.rng.below(SUMMARIES.len())].to_owned()),
            next_step: None,
            mandate_id: relied_on,
            created_at: at,
        };
        let follow_up = self.follow_up(status, request_id, person_id, worker, at);
        let levels = ["needs_full_guidance", "autonomous_with_help", "autonomous"];
        let autonomy = (v == 0 || v + 1 == p.visits).then(|| AutonomyRow {
            id: Uuid::now_v7(),
            person_id,
            level: levels[(p.start_level + v.min(1) * (1 + self.rng.below(2))).min(2)].to_owned(),
            assessed_on: at.date_naive(),
            agent_id: Some(worker),
            created_at: at,
        });
        let events = visit_events(sid, p, request_id, intervention.id, relied_on);
        let rows = IntakeRows {
            reference_year: at.with_timezone(&chrono_tz::Europe::Paris).year(),
            new_person: p.new_person.take(),
            autonomy,
            request,
            intervention: Some(intervention),
            follow_up,
        };
        self.services
            .store
            .insert_intake(&rows, &events, now)
            .await?;
        self.created += 1;
        if v == 0 {
            self.signed_mandate(p, at).await?;
        }
        Ok(())
    }

    /// A follow-up of an open request: some overdue, some today, some
    /// ahead.
    fn follow_up(
        &mut self,
        status: relais_domain::RequestStatus,
        request_id: Uuid,
        person_id: Uuid,
        worker: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Option<FollowUpRow> {
        use relais_domain::RequestStatus as S;
        (!status.is_closed()).then(|| FollowUpRow {
            id: Uuid::now_v7(),
            structure_id: self.sid,
            help_request_id: Some(request_id),
            person_id: Some(person_id),
            assignee_id: self.main_agent,
            // some overdue, some today, some ahead
            due_date: self.today + Duration::days([-3, -1, 0, 0, 2, 7][self.rng.below(6)]),
            reason: if status == S::WaitingForOperator {
                "Relancer l'organisme"
            } else {
                "Rappeler la personne"
            }
            .to_owned(),
            done: false,
            done_at: None,
            created_by: Some(worker),
            created_at: at,
        })
    }

    /// When visit `v` happened: within desk hours, Paris time, not in the
    /// future.
    fn visit_time(
        &mut self,
        first_visit: chrono::DateTime<chrono::Utc>,
        v: usize,
    ) -> chrono::DateTime<chrono::Utc> {
        let (now, rng) = (self.now, &mut self.rng);
        let at = first_visit + Duration::days((v as i64) * (12 + rng.below(25) as i64));
        let at = if at > now {
            now - Duration::hours(2)
        } else {
            at
        };
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(
                at.year(),
                at.month(),
                at.day(),
                9 + rng.below(8) as u32,
                [0, 15, 30, 45][rng.below(4)],
                0,
            )
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or(at)
    }

    /// The mandate relied on for "faire pour", judged as the desk judges
    /// it; none when refused (the request is then done with the person).
    fn relied_on(
        &self,
        mode: Mode,
        mandate: Option<&relais_store::MandateRow>,
        role: Role,
        category: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Option<Uuid> {
        if !matches!(mode, Mode::DoneFor) {
            return None;
        }
        let facts: Vec<relais_store::MandateFactsRow> = mandate
            .into_iter()
            .map(crate::mandates::facts_row)
            .collect();
        let judging = crate::mandates::Judging {
            policy: self.policy.clone(),
            role,
            mode: Mode::DoneFor,
            day: at.with_timezone(&chrono_tz::Europe::Paris).date_naive(),
            wanted: None,
            anonymous: false,
        };
        ProcedureCategory::parse(category)
            .ok()
            .and_then(|c| judging.decide(c, &facts).ok())
            .and_then(|(m, _)| m)
    }

    /// The mandate of a person who signed one on their first visit: signed
    /// that morning, recorded once the person exists.
    async fn signed_mandate(
        &mut self,
        p: &mut DemoVisitor,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ServiceError> {
        let Some(plan) = &p.mandate_plan else {
            return Ok(());
        };
        let row = demo_mandate(
            plan,
            self.mandates_made,
            self.sid,
            p.id,
            self.main_agent,
            at.with_timezone(&chrono_tz::Europe::Paris).date_naive(),
            self.now,
        );
        self.services
            .store
            .insert_mandate(
                &row,
                &[JournalEvent::new("mandate.create")
                    .structure(self.sid)
                    .object("mandate", row.id)
                    .details(serde_json::json!({"via": "demo"}))],
                self.now,
            )
            .await?;
        self.mandates_made += 1;
        self.created += 1;
        p.mandate = Some(row);
        Ok(())
    }

    /// A person's online accounts, as the desk records them.
    async fn accounts(&mut self, person_id: Uuid) -> Result<(), ServiceError> {
        let now = self.now;
        let accounts: Vec<PersonAccountRow> = [
            ("email", "yes", "no", "own_email"),
            ("ameli", "yes", "no", "own_email"),
            ("caf", "unknown", "unknown", "unknown"),
        ]
        .iter()
        .map(|(k, h, c, r)| PersonAccountRow {
            person_id,
            kind: (*k).to_owned(),
            has_account: (*h).to_owned(),
            can_sign_in: (*c).to_owned(),
            recovery: (*r).to_owned(),
            updated_at: now,
        })
        .collect();
        self.services
            .store
            .set_accounts(
                PersonId(person_id),
                &accounts,
                &[JournalEvent::new("person.accounts_update")
                    .structure(self.sid)
                    .object("person", person_id)
                    .details(serde_json::json!({"via": "demo"}))],
                now,
            )
            .await?;
        Ok(())
    }
}

/// Where a demo request stands, from a roll of ten: recent ones may still
/// be open.
fn demo_status(
    roll: usize,
    recent: bool,
) -> (
    relais_domain::RequestStatus,
    Option<relais_domain::Outcome>,
    Option<relais_domain::BlockReason>,
) {
    use relais_domain::{BlockReason as B, Outcome as O, RequestStatus as S};
    match roll {
        0..=4 => (S::Done, Some(O::Done), None),
        5 => (S::Done, Some(O::RightsOpened), None),
        6 if recent => (S::WaitingForOperator, None, None),
        6 => (S::Done, Some(O::Blocked), Some(B::OperatorUnreachable)),
        7 if recent => (S::WaitingForPerson, None, None),
        7 => (S::Abandoned, Some(O::Blocked), Some(B::PersonAbsent)),
        8 => (S::Referred, Some(O::Referred), None),
        _ if recent => (S::Open, None, None),
        _ => (S::Done, Some(O::Blocked), Some(B::DocumentsMissing)),
    }
}

/// The journal of a visit: the person on their first, the request, the
/// intervention, and the mandate relied on.
fn visit_events(
    sid: Uuid,
    p: &DemoVisitor,
    request_id: Uuid,
    intervention_id: Uuid,
    relied_on: Option<Uuid>,
) -> Vec<JournalEvent> {
    let mut events = Vec::new();
    if p.new_person.is_some() {
        events.push(
            JournalEvent::new("person.create")
                .structure(sid)
                .object("person", p.id)
                .details(serde_json::json!({"via": "demo"})),
        );
    }
    events.push(
        JournalEvent::new("help_request.create")
            .structure(sid)
            .object("help_request", request_id)
            .details(serde_json::json!({"via": "demo"})),
    );
    events.push(
        JournalEvent::new("intervention.create")
            .structure(sid)
            .object("intervention", intervention_id)
            .details(serde_json::json!({"via": "demo"})),
    );
    if let Some(m) = relied_on {
        events.push(
            JournalEvent::new("mandate.use")
                .structure(sid)
                .object("mandate", m)
                .details(serde_json::json!({
                    "intervention": intervention_id.to_string(),
                    "via": "demo"
                })),
        );
    }
    events
}

/// A demo mandate: its length, how long ago it started (some end within
/// 30 days) and its categories.
struct DemoMandatePlan {
    duration: &'static str,
    days_ago: i64,
    categories: &'static str,
}

fn demo_mandate_plan(i: usize) -> DemoMandatePlan {
    let (duration, days_ago, categories) = match i % 3 {
        0 => ("six_months", 170, "social,travail"),
        1 => ("twelve_months", 100, "social,argent,logement"),
        _ => ("one_month", 20, "papiers"),
    };
    DemoMandatePlan {
        duration,
        days_ago,
        categories,
    }
}

/// The `i`-th demo mandate, a paper one signed at 8:30 on `starts_on`.
fn demo_mandate(
    plan: &DemoMandatePlan,
    i: usize,
    sid: Uuid,
    person_id: Uuid,
    drawn_by: Uuid,
    starts_on: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> relais_store::MandateRow {
    let d = relais_domain::mandate::MandateDuration::parse(plan.duration)
        .unwrap_or(relais_domain::mandate::MandateDuration::OneMonth);
    let code: String = format!("DEMO{:06}", i)
        .chars()
        .map(|c| match c {
            '0' => 'Q',
            '1' => 'R',
            'O' => 'P',
            c => c,
        })
        .collect();
    let signed = chrono_tz::Europe::Paris
        .from_local_datetime(&starts_on.and_hms_opt(8, 30, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(now);
    relais_store::MandateRow {
        id: Uuid::now_v7(),
        structure_id: sid,
        person_id,
        categories: plan.categories.to_owned(),
        revoked_categories: String::new(),
        duration: plan.duration.to_owned(),
        starts_on,
        ends_on: d.end_date(starts_on),
        consent: "paper".to_owned(),
        signed_at: Some(signed),
        verification_code: code,
        revocation_secret: format!("DEMQ-{:04}-SECR", i),
        remote_code_hash: None,
        remote_code_expires: None,
        remote_attempts: 0,
        signature_svg: None,
        // The policy requires a scan to activate a paper mandate: the
        // demo's stand in for the signed papers.
        scan: Some(DEMO_SCAN.to_vec()),
        scan_type: Some("application/pdf".to_owned()),
        revoked_at: None,
        revoke_reason: None,
        renewed_from: None,
        drawn_by: Some(drawn_by),
        lang: "fr".to_owned(),
        created_at: signed,
        updated_at: signed,
    }
}
