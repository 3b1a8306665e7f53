//! Verification of the hash-chained journal.

use crate::error::ServiceError;
use crate::Services;
use relais_domain::journal::{verify_chain, ChainBreak, JournalEntry};
use std::collections::BTreeMap;

/// The result of `relais journal verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalReport {
    pub chains: usize,
    pub entries: u64,
    /// The first problem found, if any, in words naming the entry.
    pub broken: Option<String>,
}

impl Services {
    /// Checks every chain: each entry's hash, its link to the previous one,
    /// the sequence without gaps, and that the recorded head is the last
    /// entry (so that removing the latest entries is noticed too).
    pub async fn verify_journal(&self) -> Result<JournalReport, ServiceError> {
        let rows = self.store.journal_entries().await?;
        let heads = self.store.journal_heads().await?;
        let mut chains: BTreeMap<String, Vec<JournalEntry>> = BTreeMap::new();
        for r in rows {
            chains.entry(r.chain.clone()).or_default().push(r.into());
        }
        let mut entries = 0;
        for (name, chain) in &chains {
            match verify_chain(chain) {
                Ok(n) => entries += n,
                Err(b) => {
                    return Ok(JournalReport {
                        chains: chains.len(),
                        entries,
                        broken: Some(b.to_string()),
                    })
                }
            }
            let last = chain.last();
            let head = heads.iter().find(|h| &h.chain == name);
            if let (Some(last), Some(head)) = (last, head) {
                if head.seq != last.seq || head.hash != last.hash {
                    let b = ChainBreak::Gap {
                        id: last.id,
                        chain: name.clone(),
                        expected: head.seq,
                        found: last.seq,
                    };
                    return Ok(JournalReport {
                        chains: chains.len(),
                        entries,
                        broken: Some(format!(
                            "{b} (the chain's recorded head is seq {}; entries after #{} were removed or altered)",
                            head.seq, last.id
                        )),
                    });
                }
            }
        }
        for head in &heads {
            if head.seq > 0 && !chains.contains_key(&head.chain) {
                return Ok(JournalReport {
                    chains: chains.len(),
                    entries,
                    broken: Some(format!(
                        "chain {} should hold {} entries but none is left",
                        head.chain, head.seq
                    )),
                });
            }
        }
        Ok(JournalReport {
            chains: chains.len(),
            entries,
            broken: None,
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
