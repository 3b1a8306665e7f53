//! The audit journal: append-only, hash-chained per structure. Entries hold
//! ids and action names, never personal data.

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The chain of entries that concern no structure (instance-level events
/// such as a failed sign-in for an unknown address).
pub const INSTANCE_CHAIN: &str = "instance";

/// The hash that stands before the first entry of every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is being journaled, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEvent {
    /// Action name, e.g. `auth.sign_in`, `structure.create`.
    pub action: &'static str,
    pub actor_id: Option<Uuid>,
    pub structure_id: Option<Uuid>,
    pub object_type: Option<&'static str>,
    pub object_id: Option<Uuid>,
    /// Extra facts without personal data (codes, counts, roles), as JSON.
    pub details: serde_json::Value,
}

impl JournalEvent {
    pub fn new(action: &'static str) -> Self {
        Self {
            action,
            actor_id: None,
            structure_id: None,
            object_type: None,
            object_id: None,
            details: serde_json::Value::Null,
        }
    }
    pub fn actor(mut self, id: impl Into<Uuid>) -> Self {
        self.actor_id = Some(id.into());
        self
    }
    pub fn structure(mut self, id: impl Into<Uuid>) -> Self {
        self.structure_id = Some(id.into());
        self
    }
    pub fn object(mut self, kind: &'static str, id: impl Into<Uuid>) -> Self {
        self.object_type = Some(kind);
        self.object_id = Some(id.into());
        self
    }
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
    /// The chain this event belongs to.
    pub fn chain(&self) -> String {
        self.structure_id
            .map(|s| s.to_string())
            .unwrap_or_else(|| INSTANCE_CHAIN.to_owned())
    }
}

/// A stored journal entry, as read back for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub id: i64,
    pub chain: String,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub structure_id: Option<Uuid>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<Uuid>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Timestamps are kept to the microsecond so that both engines give back
/// exactly what was hashed.
pub fn journal_time(now: DateTime<Utc>) -> DateTime<Utc> {
    now.trunc_subsecs(6)
}

/// The hash of one entry: SHA-256 over a canonical line made of the
/// previous hash and every stored field.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    chain: &str,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    structure_id: Option<Uuid>,
    action: &str,
    object_type: Option<&str>,
    object_id: Option<Uuid>,
    details: &str,
) -> String {
    let opt = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
    let line = format!(
        "{prev_hash}\n{chain}\n{seq}\n{}\n{}\n{}\n{action}\n{}\n{}\n{details}",
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        opt(actor_id),
        opt(structure_id),
        object_type.unwrap_or(""),
        opt(object_id),
    );
    hex::encode(Sha256::digest(line.as_bytes()))
}

impl JournalEntry {
    pub fn computed_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            &self.chain,
            self.seq,
            self.at,
            self.actor_id,
            self.structure_id,
            &self.action,
            self.object_type.as_deref(),
            self.object_id,
            &self.details,
        )
    }
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's stored hash is not the hash of its content.
    HashMismatch { id: i64, chain: String, seq: i64 },
    /// The entry does not point to the hash of the entry before it.
    BrokenLink { id: i64, chain: String, seq: i64 },
    /// A sequence number is missing or repeated (an entry was removed).
    Gap {
        id: i64,
        chain: String,
        expected: i64,
        found: i64,
    },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::HashMismatch { id, chain, seq } => write!(
                f,
                "journal entry #{id} (chain {chain}, seq {seq}) was altered: its content does not match its hash"
            ),
            ChainBreak::BrokenLink { id, chain, seq } => write!(
                f,
                "journal entry #{id} (chain {chain}, seq {seq}) does not follow the previous entry's hash"
            ),
            ChainBreak::Gap {
                id,
                chain,
                expected,
                found,
            } => write!(
                f,
                "journal entry #{id} (chain {chain}) has seq {found} where {expected} was expected: entries are missing"
            ),
        }
    }
}

/// Checks one chain whose entries are given in sequence order. Returns the
/// first break found.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a JournalEntry>,
) -> Result<u64, ChainBreak> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut count = 0;
    for (expected_seq, e) in (1..).zip(entries) {
        if e.seq != expected_seq {
            return Err(ChainBreak::Gap {
                id: e.id,
                chain: e.chain.clone(),
                expected: expected_seq,
                found: e.seq,
            });
        }
        if e.computed_hash() != e.hash {
            return Err(ChainBreak::HashMismatch {
                id: e.id,
                chain: e.chain.clone(),
                seq: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(ChainBreak::BrokenLink {
                id: e.id,
                chain: e.chain.clone(),
                seq: e.seq,
            });
        }
        prev = e.hash.clone();
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain_of(n: i64) -> Vec<JournalEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        let at = journal_time(Utc::now());
        (1..=n)
            .map(|seq| {
                let mut e = JournalEntry {
                    id: seq * 10,
                    chain: "c".into(),
                    seq,
                    at,
                    actor_id: None,
                    structure_id: None,
                    action: "test.action".into(),
                    object_type: None,
                    object_id: None,
                    details: "null".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.computed_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain_of(5)), Ok(5));
    }

    #[test]
    fn altered_entry_is_named() {
        let mut c = chain_of(5);
        c[2].action = "test.other".into();
        assert_eq!(
            verify_chain(&c),
            Err(ChainBreak::HashMismatch {
                id: 30,
                chain: "c".into(),
                seq: 3
            })
        );
    }

    #[test]
    fn removed_entry_is_found() {
        let mut c = chain_of(5);
        c.remove(1);
        assert!(matches!(
            verify_chain(&c),
            Err(ChainBreak::Gap { id: 30, .. })
        ));
    }

    #[test]
    fn rehashed_entry_breaks_the_link() {
        let mut c = chain_of(5);
        c[2].action = "test.other".into();
        c[2].hash = c[2].computed_hash();
        assert!(matches!(
            verify_chain(&c),
            Err(ChainBreak::BrokenLink { id: 40, .. })
        ));
    }
}
