//! How much `relais gen` makes: the named sizes and a custom one.

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
