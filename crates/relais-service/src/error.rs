use relais_domain::FieldError;
use relais_store::StoreError;
use thiserror::Error;

/// Errors of the use cases. The web layer maps each to an HTTP status in
/// one place; the CLI maps them to exit codes.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// No valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong e-mail, password or code; deliberately says no more.
    #[error("incorrect credentials")]
    InvalidCredentials,
    /// The account has no active membership left.
    #[error("account disabled")]
    AccountDisabled,
    /// Authenticated, but this role may not do this here.
    #[error("forbidden")]
    Forbidden,
    /// Missing, or belongs to another structure (never told apart).
    #[error("not found")]
    NotFound,
    /// One or more fields are invalid; nothing was written.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The thing already exists (e.g. a slug or an e-mail address).
    #[error("conflict on {}", .0.field)]
    Conflict(FieldError),
    /// A new person looks like persons already recorded: show them first.
    #[error("similar persons exist")]
    SimilarPersons(Vec<crate::persons::PersonHit>),
    /// The structure's policy refuses the intervention, for this reason.
    #[error("refused by the policy: {}", .0.reason.as_str())]
    PolicyRefused(Box<relais_domain::mandate::Refused>),
    /// An erasure request while mandates are in force: revoke them first.
    #[error("mandates in force")]
    ErasureBlocked(Vec<relais_domain::MandateId>),
    /// A one-time link that is unknown, used or expired.
    #[error("link expired or already used")]
    LinkExpired,
    /// The structure's stored policy no longer reads: nothing that
    /// depends on it is decided (never the default policy in its place).
    #[error(transparent)]
    PolicyUnreadable(#[from] relais_domain::mandate::UnreadablePolicy),
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            // A row that is not there (or not in the actor's structure).
            StoreError::NotFound => ServiceError::NotFound,
            other => ServiceError::Store(other),
        }
    }
}

impl From<Vec<FieldError>> for ServiceError {
    fn from(e: Vec<FieldError>) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(vec![e])
    }
}

/// How many times a change is read and applied again when the row
/// changed between its reading and its writing, before giving up.
pub(crate) const TRIES: usize = 3;

/// A change given up after [`TRIES`]: the row kept changing meanwhile.
pub(crate) fn changed_meanwhile() -> ServiceError {
    ServiceError::Conflict(FieldError::new("id", "changed_meanwhile"))
}

/// Collects field errors so that a form reports all of them at once.
#[derive(Debug, Default)]
pub(crate) struct Checks(Vec<FieldError>);

impl Checks {
    pub(crate) fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    pub(crate) fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub(crate) fn finish(self) -> Result<(), ServiceError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}
