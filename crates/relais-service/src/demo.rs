//! Demo data: "CCAS de Démoville" with one account per role. Idempotent.

use crate::error::ServiceError;
use crate::Services;
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

impl Services {
    /// Creates the demo structure and accounts when they are missing;
    /// running it again changes nothing. Returns what was created.
    pub async fn ensure_demo(&self) -> Result<usize, ServiceError> {
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
        Ok(created)
    }
}
