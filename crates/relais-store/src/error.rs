use thiserror::Error;

/// Errors of the storage layer.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database URL: it must start with sqlite:// or postgres://")]
    UnsupportedUrl,
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
    /// A uniqueness rule was broken; the value names the constraint.
    #[error("already exists ({0})")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    /// Sealed data that does not open (altered, or the wrong key).
    #[error("encrypted data cannot be read: {0}")]
    Crypto(String),
    /// The database holds data sealed with keys this process was not given.
    #[error("the database holds data encrypted with data key(s) {} that the configuration does not give; configure RELAIS_DATA_KEY (or keep the old key in RELAIS_PREVIOUS_DATA_KEYS until `relais keys rotate` has run)", .0.join(", "))]
    UnknownKeys(Vec<String>),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                let name = db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned());
                return StoreError::Conflict(name);
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return StoreError::NotFound;
        }
        StoreError::Database(e)
    }
}
