//! Verification of the hash-chained journal, and its anchors: the chains'
//! heads written down outside the database, authenticated with a key
//! derived from the data key, so that a truncated or removed chain is
//! found later.

use crate::error::ServiceError;
use crate::Services;
use relais_domain::journal::{
    anchor_message, check_anchor, check_heads, verify_chain, ChainHead, JournalEntry,
};
use relais_store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format name written in every anchor file.
pub const ANCHOR_FORMAT: &str = "relais-journal-anchor/1";

/// The result of `relais journal verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalReport {
    pub chains: usize,
    pub entries: u64,
    /// The first problem found, if any, in words naming the entry or chain.
    pub broken: Option<String>,
    /// Why the anchor given was not accepted (altered, unknown key).
    pub anchor_refused: Option<String>,
    /// How many chains the anchor given recorded.
    pub anchored_chains: usize,
}

/// The heads of every chain at one moment, with their MAC: the content of
/// an anchor file (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalAnchor {
    pub format: String,
    /// When the heads were read (RFC 3339, UTC).
    pub created_at: String,
    /// The id of the data key the MAC was made with.
    pub key_id: String,
    pub heads: Vec<ChainHead>,
    /// HMAC-SHA256 of the canonical text (see `anchor_message`), hex.
    pub mac: String,
}

impl JournalAnchor {
    /// Reads an anchor file's text; the message says what is wrong.
    pub fn parse(text: &str) -> Result<JournalAnchor, String> {
        let a: JournalAnchor = serde_json::from_str(text)
            .map_err(|e| format!("not a journal anchor (JSON expected): {e}"))?;
        if a.format != ANCHOR_FORMAT {
            return Err(format!(
                "not a journal anchor: format {:?}, expected {ANCHOR_FORMAT:?}",
                a.format
            ));
        }
        Ok(a)
    }

    fn message(&self) -> String {
        anchor_message(&self.created_at, &self.key_id, &self.heads)
    }

    /// The anchor as written to its file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

impl Services {
    /// Checks every chain: each entry's hash, its link to the previous one,
    /// the sequence without gaps, that the recorded head is the last entry,
    /// and that every structure has its chain.
    pub async fn verify_journal(&self) -> Result<JournalReport, ServiceError> {
        self.verify_journal_with(None).await
    }

    /// [`Services::verify_journal`], and, with an anchor, that its MAC is
    /// good and that no anchored chain is missing, shorter than anchored,
    /// or holds another entry at the anchored position.
    pub async fn verify_journal_with(
        &self,
        anchor: Option<&JournalAnchor>,
    ) -> Result<JournalReport, ServiceError> {
        let mut report = JournalReport {
            chains: 0,
            entries: 0,
            broken: None,
            anchor_refused: None,
            anchored_chains: anchor.map_or(0, |a| a.heads.len()),
        };
        if let Some(a) = anchor {
            let vault = self.store.vault();
            match vault.check_anchor_mac(&a.key_id, &a.message(), &a.mac) {
                Ok(true) => {}
                Ok(false) => {
                    report.anchor_refused =
                        Some("its MAC does not match its content: the anchor was altered".into());
                    return Ok(report);
                }
                Err(StoreError::UnknownKeys(_)) => {
                    report.anchor_refused = Some(format!(
                        "it was made with data key {}, which is not configured",
                        a.key_id
                    ));
                    return Ok(report);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let structures: Vec<String> = self
            .store
            .list_structures()
            .await?
            .into_iter()
            .map(|s| s.id.to_string())
            .collect();
        let heads: Vec<ChainHead> = self
            .store
            .journal_heads()
            .await?
            .into_iter()
            .map(|h| ChainHead {
                chain: h.chain,
                seq: h.seq,
                hash: h.hash,
            })
            .collect();
        let rows = self.store.journal_entries().await?;
        let mut chains: BTreeMap<String, Vec<JournalEntry>> = BTreeMap::new();
        for r in rows {
            chains.entry(r.chain.clone()).or_default().push(r.into());
        }
        report.chains = chains.len();
        for chain in chains.values() {
            match verify_chain(chain) {
                Ok(n) => report.entries += n,
                Err(b) => {
                    report.broken = Some(b.to_string());
                    return Ok(report);
                }
            }
        }
        let checked = check_heads(&chains, &heads, &structures).and_then(|()| match anchor {
            Some(a) => check_anchor(&chains, &a.heads),
            None => Ok(()),
        });
        report.broken = checked.err().map(|b| b.to_string());
        Ok(report)
    }

    /// The current heads of every chain, authenticated with the current
    /// data key: what `relais journal anchor` and the daily anchor write.
    pub async fn journal_anchor(&self) -> Result<JournalAnchor, ServiceError> {
        let heads: Vec<ChainHead> = self
            .store
            .journal_heads()
            .await?
            .into_iter()
            .filter(|h| h.seq > 0)
            .map(|h| ChainHead {
                chain: h.chain,
                seq: h.seq,
                hash: h.hash,
            })
            .collect();
        let created_at = self
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let key_id = self.store.vault().current_id().to_owned();
        let (key_id, mac) =
            self.store
                .vault()
                .anchor_mac(&anchor_message(&created_at, &key_id, &heads))?;
        Ok(JournalAnchor {
            format: ANCHOR_FORMAT.to_owned(),
            created_at,
            key_id,
            heads,
            mac,
        })
    }

    /// Number of entries of a chain with the given action, newest first
    /// (used by tests and the account page).
    pub async fn recent_journal_actions(
        &self,
        chain: &str,
        limit: i64,
    ) -> Result<Vec<String>, ServiceError> {
        Ok(self
            .store
            .journal_recent(chain, limit)
            .await?
            .into_iter()
            .map(|r| r.action)
            .collect())
    }
}
