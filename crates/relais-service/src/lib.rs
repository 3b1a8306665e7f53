//! The use cases of relais. Every action goes through here: it takes an
//! [`Actor`], checks the permission, runs one transaction together with its
//! journal entry. HTML pages, the JSON API, the CLI and background jobs all
//! call this layer; none of them talks to the store directly.
#![forbid(unsafe_code)]

mod account;
mod auth;
pub mod catalog;
mod clock;
pub mod communes;
#[cfg(feature = "demo")]
mod demo;
mod error;
mod exports;
#[cfg(feature = "demo")]
mod gen;
mod home;
pub use home::{HomeOverview, TeamOverdue, TEAM_OVERDUE_SHOWN};
mod follow_ups;
mod journal;
mod local_catalogue;
mod mandates;
pub mod notify;
mod persons;
pub mod places;
mod privacy;
pub mod referrals;
mod reminders;
mod requests;
mod secrets;
pub mod spreadsheet;
mod stats;
mod structures;
mod team;
mod tokens;
mod verification;
pub mod views;

pub use account::{AccountOverview, SessionInfo, TotpEnrolment};
pub use auth::{SessionContext, SignIn, Stage};
pub use clock::{Clock, FixedClock, SystemClock};
#[cfg(feature = "demo")]
pub use demo::{DemoAccount, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_STRUCTURE_SLUG};
pub use error::ServiceError;
pub use exports::{
    ExportCursor, InterventionExport, TerritoryCell, TerritoryCommune, TerritoryDepartement,
    TerritoryExport, DEFAULT_SUPPRESSION_THRESHOLD, EXPORT_PAGE,
};
#[cfg(feature = "demo")]
pub use gen::{GenReport, GenSpec, AGENTS_PER_STRUCTURE, GEN_PASSWORD};
pub use journal::{JournalAnchor, JournalReport};
pub use mandates::{
    check_scan, clean_signature, MandateCursor, MandateInput, MandateListQuery, MandatePage,
    MandateView, Scan, ENDING_SOON_DAYS, MAX_REMOTE_ATTEMPTS,
};
pub use persons::{AccountInput, AccountLine, PersonFile, PersonHit, PersonInput};
pub use privacy::{PurgeReport, RetentionItem, Statistics, SubjectAccess, RETENTION_NOTICE_DAYS};
pub use relais_store::vault::generate_key_hex;
pub use relais_store::{Backend, DataKey, Store, StoreError, Vault};

pub use local_catalogue::{
    ChannelInput, LocalProcedureInput, ProcedureSettingInput, SettingErrors, StructureProcedure,
};
pub use reminders::{EmailBacklog, ReminderReport};
pub use requests::{
    FollowUpInput, IntakeInput, IntakeResult, InterventionInput, ListInput, PersonChoice,
    RequestFile, RequestInput,
};
pub use stats::{
    Dashboard, DashboardQuery, GroupBy, Measure, MonthlyFigures, Period, Scope, StatRow, StatTable,
    StatsGroup, StatsReport, TABLES,
};
pub use structures::{StructureContact, StructureView};
pub use team::{InviteOutcome, LinkInfo, TeamMember};
pub use tokens::TokenView;
pub use verification::{LookupSummary, PublicMandate};

pub use relais_domain::Permission;
use relais_domain::{AgentId, Role, StructureId};
use std::sync::Arc;

/// Who is acting, in which structure and with which role. Built by the web
/// layer from a session or an API token, by the CLI for operator commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub agent_id: AgentId,
    pub name: String,
    pub email: String,
    pub structure_id: StructureId,
    pub structure_slug: String,
    pub structure_name: String,
    pub role: Role,
}

impl Actor {
    /// Whether the actor's role holds `p` (see the table in
    /// [`relais_domain::permission`]).
    pub fn can(&self, p: Permission) -> bool {
        self.role.has(p)
    }

    /// The first line of every use case: `Forbidden` unless the actor's
    /// role holds `p`.
    pub fn require(&self, p: Permission) -> Result<(), ServiceError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }
}

/// Who asks for a use case that the command line may run too: an agent
/// (session or token), or the operator of the machine, who holds every
/// permission and acts in no structure of their own. Journal entries of
/// the operator carry no actor and say `"via": "cli"`.
#[derive(Debug, Clone, Copy)]
pub enum Principal<'a> {
    Agent(&'a Actor),
    Operator,
}

impl Principal<'_> {
    /// `Forbidden` unless the agent's role holds `p`; the operator holds
    /// every permission.
    pub fn require(&self, p: Permission) -> Result<(), ServiceError> {
        match self {
            Principal::Agent(a) => a.require(p),
            Principal::Operator => Ok(()),
        }
    }

    /// The agent behind the request, if any (the journal's actor).
    pub fn agent_id(&self) -> Option<uuid::Uuid> {
        match self {
            Principal::Agent(a) => Some(a.agent_id.0),
            Principal::Operator => None,
        }
    }
}

/// Service settings that come from configuration.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Whether every account must use a TOTP second factor.
    pub require_totp: bool,
    /// A session ends after this long without activity.
    pub session_idle: chrono::Duration,
    /// A session ends this long after sign-in, whatever happens.
    pub session_absolute: chrono::Duration,
    /// How long an invitation or a password-reset link stays valid.
    pub link_validity: chrono::Duration,
    /// The name shown in authenticator apps.
    pub totp_issuer: String,
    /// The address people reach relais at (verification links, QR codes).
    pub public_url: String,
    /// Whether reminders also go to the agents by e-mail.
    pub reminder_emails: bool,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            require_totp: true,
            session_idle: chrono::Duration::minutes(30),
            session_absolute: chrono::Duration::hours(12),
            link_validity: chrono::Duration::hours(72),
            totp_issuer: "relais".into(),
            public_url: "http://127.0.0.1:8080".into(),
            reminder_emails: true,
        }
    }
}

/// The entry point of every use case.
#[derive(Clone)]
pub struct Services {
    store: Store,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
    notifier: Arc<dyn notify::Notifier>,
    catalog: Arc<catalog::Catalog>,
    /// Each structure's search candidates at a persons revision.
    search_cache: Arc<persons::SearchCache>,
}

impl Services {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: ServiceConfig) -> Self {
        secrets::warm_up();
        Self {
            store,
            clock,
            config,
            notifier: Arc::new(notify::LogNotifier),
            // Validated by the binary before it starts; an invalid shipped
            // catalogue fails the tests.
            catalog: Arc::new(catalog::Catalog::shipped().unwrap_or_default()),
            search_cache: Arc::default(),
        }
    }

    /// The procedures catalogue.
    pub fn catalog(&self) -> &catalog::Catalog {
        &self.catalog
    }

    /// Uses another notifier for the codes sent to persons.
    pub fn with_notifier(mut self, notifier: Arc<dyn notify::Notifier>) -> Self {
        self.notifier = notifier;
        self
    }

    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Whether the database answers.
    pub async fn health(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }

    /// Removes expired sessions, one-time links a week after they expired,
    /// and sign-in throttles untouched for a day; run periodically by the server. Returns how many rows went.
    pub async fn housekeeping(&self) -> Result<u64, ServiceError> {
        let now = self.now();
        let sessions = self
            .store
            .delete_expired_sessions(
                now - self.config.session_idle,
                now - self.config.session_absolute,
            )
            .await?;
        let links = self
            .store
            .delete_expired_links(now - chrono::Duration::days(7))
            .await?;
        let throttles = self
            .store
            .delete_stale_throttles(now - chrono::Duration::days(1))
            .await?;
        Ok(sessions + links + throttles)
    }
}
