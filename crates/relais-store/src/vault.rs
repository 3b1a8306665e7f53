//! Encryption at rest of free-text fields and documents.
//!
//! Each value is sealed with XChaCha20-Poly1305 under the current data key;
//! the associated data names the table, the column and the row id, so that
//! a sealed value copied into another row or column no longer opens. A
//! sealed text reads `rlx1:<key id>:<base64 of nonce and ciphertext>`; a
//! sealed document is the same envelope as bytes. A stored value without
//! the envelope is refused, never read as plaintext: whoever can write to
//! the database cannot slip a note or a second-factor secret past the
//! encryption.

use crate::error::StoreError;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use thiserror::Error;
use uuid::Uuid;
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &str = "rlx1:";
const NONCE_LEN: usize = 24;

/// Why a configured key was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("a data key must be 64 hexadecimal characters (32 bytes); got {0} characters")]
    Length(usize),
    #[error("a data key must be written in hexadecimal (0-9, a-f)")]
    NotHex,
    #[error("the same data key is given twice")]
    Duplicate,
}

/// One data key and its public identifier.
#[derive(Clone)]
pub struct DataKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl DataKey {
    /// Reads a key written as 64 hexadecimal characters. Its identifier is
    /// derived from the key, so that a database tells which key it needs.
    pub fn parse_hex(text: &str) -> Result<DataKey, KeyError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(KeyError::Length(text.chars().count()));
        }
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text, &mut key[..]).map_err(|_| KeyError::NotHex)?;
        let digest = Sha256::new()
            .chain_update(b"relais data key id\0")
            .chain_update(&key[..])
            .finalize();
        Ok(DataKey {
            id: hex::encode(&digest[..4]),
            key,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.key).into())
    }
}

/// The error for a value stored without the envelope in an encrypted
/// column: written behind relais's back (relais seals every value it
/// writes there), so it is refused rather than read as plaintext.
fn not_sealed(place: &str) -> StoreError {
    tracing::error!(
        column = place,
        "a value without encryption envelope was refused"
    );
    StoreError::Crypto(format!("{place}: a value is not encrypted"))
}

/// A fresh random key, in hexadecimal, for `relais keys generate`.
pub fn generate_key_hex() -> String {
    let mut key = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(&mut key[..]);
    hex::encode(&key[..])
}

/// The keys a process holds: the current one seals, every one opens.
#[derive(Clone, Debug)]
pub struct Vault {
    current: DataKey,
    previous: Vec<DataKey>,
}

impl Vault {
    pub fn new(current: DataKey, previous: Vec<DataKey>) -> Result<Vault, KeyError> {
        let mut ids = vec![current.id.clone()];
        for k in &previous {
            if ids.contains(&k.id) {
                return Err(KeyError::Duplicate);
            }
            ids.push(k.id.clone());
        }
        Ok(Vault { current, previous })
    }

    /// The well-known key of demonstration mode. It protects nothing: a
    /// server holding real data must be given its own key.
    pub fn demo() -> Vault {
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&Sha256::digest(b"relais demonstration key - not a secret"));
        Vault {
            current: DataKey {
                id: "demo".into(),
                key,
            },
            previous: Vec::new(),
        }
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    pub fn is_demo(&self) -> bool {
        self.current.id == "demo"
    }

    /// Whether a value sealed under `id` can be opened.
    pub fn knows(&self, id: &str) -> bool {
        self.key(id).is_some()
    }

    fn key(&self, id: &str) -> Option<&DataKey> {
        std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|k| k.id == id)
    }

    /// The key that authenticates journal anchors, derived from a data key
    /// (HMAC-SHA256 of a fixed label under the data key): the data key
    /// itself never leaves the vault.
    fn anchor_key(key: &DataKey) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&key.key[..])
            .map_err(|_| StoreError::Crypto("anchor key".into()))?;
        mac.update(b"relais journal anchor key v1");
        Ok(Zeroizing::new(mac.finalize().into_bytes().to_vec()))
    }

    /// Authenticates a journal anchor's text with the current key: returns
    /// the key's id and the MAC in hexadecimal.
    pub fn anchor_mac(&self, message: &str) -> Result<(String, String), StoreError> {
        let key = Self::anchor_key(&self.current)?;
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&key)
            .map_err(|_| StoreError::Crypto("anchor key".into()))?;
        mac.update(message.as_bytes());
        Ok((
            self.current.id.clone(),
            hex::encode(mac.finalize().into_bytes()),
        ))
    }

    /// Whether `mac_hex` authenticates `message` under the key `key_id`
    /// (the current key or a previous one); an unknown key is an error.
    pub fn check_anchor_mac(
        &self,
        key_id: &str,
        message: &str,
        mac_hex: &str,
    ) -> Result<bool, StoreError> {
        let key = self
            .key(key_id)
            .ok_or_else(|| StoreError::UnknownKeys(vec![key_id.to_owned()]))?;
        let Ok(expected) = hex::decode(mac_hex) else {
            return Ok(false);
        };
        let key = Self::anchor_key(key)?;
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&key)
            .map_err(|_| StoreError::Crypto("anchor key".into()))?;
        mac.update(message.as_bytes());
        Ok(mac.verify_slice(&expected).is_ok())
    }

    fn aad(place: &str, row: Uuid) -> Vec<u8> {
        let mut aad = Vec::with_capacity(place.len() + 17);
        aad.extend_from_slice(place.as_bytes());
        aad.push(0);
        aad.extend_from_slice(row.as_bytes());
        aad
    }

    fn seal_raw(&self, place: &str, row: Uuid, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = Self::aad(place, row);
        let ct = self
            .current
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Crypto("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn open_raw(
        &self,
        id: &str,
        place: &str,
        row: Uuid,
        body: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let key = self
            .key(id)
            .ok_or_else(|| StoreError::UnknownKeys(vec![id.to_owned()]))?;
        if body.len() < NONCE_LEN {
            return Err(StoreError::Crypto(format!(
                "{place}: sealed value too short"
            )));
        }
        let (nonce, ct) = body.split_at(NONCE_LEN);
        let aad = Self::aad(place, row);
        key.cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| StoreError::Crypto(format!("{place}: a sealed value does not open")))
    }

    /// Seals a text for the column `place` ("table.column") of row `row`.
    pub fn seal(&self, place: &str, row: Uuid, plain: &str) -> Result<String, StoreError> {
        let body = self.seal_raw(place, row, plain.as_bytes())?;
        Ok(format!("{PREFIX}{}:{}", self.current.id, B64.encode(body)))
    }

    /// Opens a text sealed by [`Vault::seal`]. A text without the envelope
    /// is an error (its content is not shown in the message).
    pub fn open(&self, place: &str, row: Uuid, stored: &str) -> Result<String, StoreError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Err(not_sealed(place));
        };
        let (id, b64) = rest
            .split_once(':')
            .ok_or_else(|| StoreError::Crypto(format!("{place}: malformed envelope")))?;
        let body = B64
            .decode(b64)
            .map_err(|_| StoreError::Crypto(format!("{place}: malformed envelope")))?;
        let plain = self.open_raw(id, place, row, &body)?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto(format!("{place}: not text")))
    }

    /// Seals a document (bytes).
    pub fn seal_bytes(&self, place: &str, row: Uuid, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut out = format!("{PREFIX}{}:", self.current.id).into_bytes();
        out.extend(self.seal_raw(place, row, plain)?);
        Ok(out)
    }

    /// Opens a document sealed by [`Vault::seal_bytes`]; bytes without the
    /// envelope are an error.
    pub fn open_bytes(&self, place: &str, row: Uuid, stored: &[u8]) -> Result<Vec<u8>, StoreError> {
        let Some(rest) = stored.strip_prefix(PREFIX.as_bytes()) else {
            return Err(not_sealed(place));
        };
        let colon = rest
            .iter()
            .position(|b| *b == b':')
            .ok_or_else(|| StoreError::Crypto(format!("{place}: malformed envelope")))?;
        let id = std::str::from_utf8(&rest[..colon])
            .map_err(|_| StoreError::Crypto(format!("{place}: malformed envelope")))?;
        self.open_raw(id, place, row, &rest[colon + 1..])
    }

    /// The key id a stored value was sealed with; `None` for a value
    /// without the envelope.
    pub fn key_id_of(stored: &[u8]) -> Option<String> {
        let rest = stored.strip_prefix(PREFIX.as_bytes())?;
        let colon = rest.iter().position(|b| *b == b':')?;
        std::str::from_utf8(&rest[..colon]).ok().map(str::to_owned)
    }

    pub fn seal_opt(
        &self,
        place: &str,
        row: Uuid,
        v: &mut Option<String>,
    ) -> Result<(), StoreError> {
        if let Some(t) = v.as_mut() {
            *t = self.seal(place, row, t)?;
        }
        Ok(())
    }

    pub fn open_opt(
        &self,
        place: &str,
        row: Uuid,
        v: &mut Option<String>,
    ) -> Result<(), StoreError> {
        if let Some(t) = v.as_mut() {
            *t = self.open(place, row, t)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn key(c: char) -> DataKey {
        DataKey::parse_hex(&c.to_string().repeat(64)).unwrap()
    }

    #[test]
    fn sealed_text_opens_only_in_its_place() {
        let v = Vault::new(key('a'), vec![]).unwrap();
        let row = Uuid::now_v7();
        let sealed = v.seal("persons.notes", row, "mdp caf").unwrap();
        assert!(sealed.starts_with("rlx1:"));
        assert!(!sealed.contains("mdp"));
        assert_eq!(v.open("persons.notes", row, &sealed).unwrap(), "mdp caf");
        assert!(v.open("persons.notes", Uuid::now_v7(), &sealed).is_err());
        assert!(v.open("interventions.summary", row, &sealed).is_err());
        assert!(matches!(
            v.open("persons.notes", row, "plain"),
            Err(StoreError::Crypto(_))
        ));
        assert!(matches!(
            v.open_bytes("mandates.scan", row, b"%PDF"),
            Err(StoreError::Crypto(_))
        ));
    }

    #[test]
    fn previous_keys_open_and_unknown_keys_are_named() {
        let old = Vault::new(key('a'), vec![]).unwrap();
        let row = Uuid::now_v7();
        let sealed = old.seal_bytes("mandates.scan", row, b"%PDF").unwrap();
        let rotated = Vault::new(key('b'), vec![key('a')]).unwrap();
        assert_eq!(
            rotated.open_bytes("mandates.scan", row, &sealed).unwrap(),
            b"%PDF"
        );
        let new_only = Vault::new(key('b'), vec![]).unwrap();
        assert!(matches!(
            new_only.open_bytes("mandates.scan", row, &sealed),
            Err(StoreError::UnknownKeys(_))
        ));
        assert_eq!(Vault::key_id_of(&sealed).as_deref(), Some(key('a').id()));
    }

    #[test]
    fn anchor_macs_open_under_known_keys_only() {
        let old = Vault::new(key('a'), vec![]).unwrap();
        let (id, mac) = old.anchor_mac("heads").unwrap();
        assert_eq!(id, key('a').id());
        let rotated = Vault::new(key('b'), vec![key('a')]).unwrap();
        assert!(rotated.check_anchor_mac(&id, "heads", &mac).unwrap());
        assert!(!rotated.check_anchor_mac(&id, "heads!", &mac).unwrap());
        assert!(!rotated.check_anchor_mac(&id, "heads", "zz").unwrap());
        let other = Vault::new(key('c'), vec![]).unwrap();
        assert!(other.check_anchor_mac(&id, "heads", &mac).is_err());
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert_eq!(DataKey::parse_hex("abc").unwrap_err(), KeyError::Length(3));
        assert_eq!(
            DataKey::parse_hex(&"z".repeat(64)).unwrap_err(),
            KeyError::NotHex
        );
        assert_eq!(
            Vault::new(key('a'), vec![key('a')]).unwrap_err(),
            KeyError::Duplicate
        );
    }
}
