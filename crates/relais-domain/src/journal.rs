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

/// A chain's last entry, as `journal_heads` records it or as an anchor
/// kept outside the database wrote it down.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainHead {
    pub chain: String,
    pub seq: i64,
    pub hash: String,
}

/// The text an anchor's MAC covers: a fixed first line, the time, the
/// key's id, then one line per head in chain order.
pub fn anchor_message(created_at: &str, key_id: &str, heads: &[ChainHead]) -> String {
    let mut sorted: Vec<&ChainHead> = heads.iter().collect();
    sorted.sort_by(|a, b| a.chain.cmp(&b.chain));
    let mut text = format!("relais journal anchor v1\n{created_at}\n{key_id}\n");
    for h in sorted {
        text.push_str(&format!("{} {} {}\n", h.chain, h.seq, h.hash));
    }
    text
}

/// Why the journal does not match its recorded heads, its structures or
/// an anchor. Each names the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadBreak {
    /// The recorded head is not the chain's last entry.
    HeadMismatch {
        chain: String,
        head_seq: i64,
        last_seq: i64,
    },
    /// A head is recorded for a chain that has no entry left.
    HeadWithoutEntries { chain: String, seq: i64 },
    /// Entries without a recorded head.
    EntriesWithoutHead { chain: String },
    /// A structure has no chain: its entries and head were removed.
    StructureWithoutChain { chain: String },
    /// An anchored chain has no entry left.
    MissingSinceAnchor { chain: String, anchored: i64 },
    /// An anchored chain is shorter than the anchor says.
    BehindAnchor {
        chain: String,
        anchored: i64,
        found: i64,
    },
    /// The entry at the anchored position is not the anchored one.
    RewrittenSinceAnchor { chain: String, seq: i64 },
}

impl std::fmt::Display for HeadBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeadBreak::HeadMismatch {
                chain,
                head_seq,
                last_seq,
            } => write!(
                f,
                "chain {chain} ends at seq {last_seq} but its recorded head is seq {head_seq}: \
                 entries were removed or altered"
            ),
            HeadBreak::HeadWithoutEntries { chain, seq } => write!(
                f,
                "chain {chain} should hold {seq} entries but none is left"
            ),
            HeadBreak::EntriesWithoutHead { chain } => {
                write!(f, "chain {chain} has entries but no recorded head")
            }
            HeadBreak::StructureWithoutChain { chain } => write!(
                f,
                "structure {chain} has no journal chain: its entries were removed"
            ),
            HeadBreak::MissingSinceAnchor { chain, anchored } => write!(
                f,
                "chain {chain} is missing: the anchor recorded {anchored} entries"
            ),
            HeadBreak::BehindAnchor {
                chain,
                anchored,
                found,
            } => write!(
                f,
                "chain {chain} is behind its anchor: {found} entries left where the anchor \
                 recorded {anchored} (the newest entries were removed)"
            ),
            HeadBreak::RewrittenSinceAnchor { chain, seq } => write!(
                f,
                "chain {chain} was rewritten: its entry seq {seq} is not the one anchored"
            ),
        }
    }
}

/// Checks verified chains (name → entries in order, from seq 1) against
/// the recorded heads and the structures that must have a chain (each
/// structure's creation is journaled on its own chain). Read the
/// structures, then the heads, then the entries, so that writes in between
/// are not taken for removals.
pub fn check_heads(
    chains: &std::collections::BTreeMap<String, Vec<JournalEntry>>,
    heads: &[ChainHead],
    structure_chains: &[String],
) -> Result<(), HeadBreak> {
    for (name, entries) in chains {
        let Some(last) = entries.last() else { continue };
        // Heads are read before entries: a chain may have grown since, but
        // the entry its head names must be there.
        let names_an_entry = |h: &ChainHead| {
            usize::try_from(h.seq - 1)
                .ok()
                .and_then(|i| entries.get(i))
                .is_some_and(|e| e.seq == h.seq && e.hash == h.hash)
        };
        match heads.iter().find(|h| &h.chain == name) {
            Some(h) if !names_an_entry(h) => {
                return Err(HeadBreak::HeadMismatch {
                    chain: name.clone(),
                    head_seq: h.seq,
                    last_seq: last.seq,
                })
            }
            Some(_) => {}
            None => {
                return Err(HeadBreak::EntriesWithoutHead {
                    chain: name.clone(),
                })
            }
        }
    }
    for h in heads {
        if h.seq > 0 && !chains.contains_key(&h.chain) {
            return Err(HeadBreak::HeadWithoutEntries {
                chain: h.chain.clone(),
                seq: h.seq,
            });
        }
    }
    for s in structure_chains {
        if !chains.contains_key(s) {
            return Err(HeadBreak::StructureWithoutChain { chain: s.clone() });
        }
    }
    Ok(())
}

/// Checks verified chains against an anchor's heads: every anchored chain
/// is still there, at least as long, with the anchored entry in place.
pub fn check_anchor(
    chains: &std::collections::BTreeMap<String, Vec<JournalEntry>>,
    anchored: &[ChainHead],
) -> Result<(), HeadBreak> {
    for a in anchored.iter().filter(|a| a.seq > 0) {
        let Some(entries) = chains.get(&a.chain).filter(|e| !e.is_empty()) else {
            return Err(HeadBreak::MissingSinceAnchor {
                chain: a.chain.clone(),
                anchored: a.seq,
            });
        };
        let found = entries.last().map_or(0, |e| e.seq);
        if found < a.seq {
            return Err(HeadBreak::BehindAnchor {
                chain: a.chain.clone(),
                anchored: a.seq,
                found,
            });
        }
        let same = entries
            .iter()
            .find(|e| e.seq == a.seq)
            .is_some_and(|e| e.hash == a.hash);
        if !same {
            return Err(HeadBreak::RewrittenSinceAnchor {
                chain: a.chain.clone(),
                seq: a.seq,
            });
        }
    }
    Ok(())
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

    fn chains(entries: Vec<JournalEntry>) -> std::collections::BTreeMap<String, Vec<JournalEntry>> {
        let mut m = std::collections::BTreeMap::new();
        m.insert("c".to_owned(), entries);
        m
    }

    fn head(c: &[JournalEntry], i: usize) -> ChainHead {
        ChainHead {
            chain: "c".into(),
            seq: c[i].seq,
            hash: c[i].hash.clone(),
        }
    }

    #[test]
    fn anchors_find_truncation_and_rewriting() {
        let c = chain_of(5);
        let anchor = vec![head(&c, 3)];
        assert_eq!(check_anchor(&chains(c.clone()), &anchor), Ok(()));
        assert!(matches!(
            check_anchor(&chains(c[..2].to_vec()), &anchor),
            Err(HeadBreak::BehindAnchor {
                anchored: 4,
                found: 2,
                ..
            })
        ));
        assert!(matches!(
            check_anchor(&std::collections::BTreeMap::new(), &anchor),
            Err(HeadBreak::MissingSinceAnchor { .. })
        ));
        let other = chain_of(5);
        let mut forged = anchor.clone();
        forged[0].hash = "0".repeat(64);
        assert!(matches!(
            check_anchor(&chains(other), &forged),
            Err(HeadBreak::RewrittenSinceAnchor { seq: 4, .. })
        ));
    }

    #[test]
    fn heads_and_structures_must_match_the_chains() {
        let c = chain_of(5);
        let m = chains(c.clone());
        assert_eq!(check_heads(&m, &[head(&c, 4)], &["c".into()]), Ok(()));
        // A chain that grew after its head was read is fine.
        assert_eq!(check_heads(&m, &[head(&c, 3)], &[]), Ok(()));
        let short = chains(c[..3].to_vec());
        assert!(matches!(
            check_heads(&short, &[head(&c, 4)], &[]),
            Err(HeadBreak::HeadMismatch { .. })
        ));
        let mut forged = head(&c, 4);
        forged.hash = "0".repeat(64);
        assert!(matches!(
            check_heads(&m, &[forged], &[]),
            Err(HeadBreak::HeadMismatch { .. })
        ));
        assert!(matches!(
            check_heads(&m, &[], &[]),
            Err(HeadBreak::EntriesWithoutHead { .. })
        ));
        assert!(matches!(
            check_heads(&m, &[head(&c, 4)], &["s".into()]),
            Err(HeadBreak::StructureWithoutChain { .. })
        ));
        assert_eq!(
            anchor_message("t", "k", &[head(&c, 4)]),
            format!("relais journal anchor v1\nt\nk\nc 5 {}\n", c[4].hash)
        );
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
