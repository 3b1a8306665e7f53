//! Structures: the organisations that use relais.

use crate::validation::{bounded_text, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of organisation a structure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StructureKind {
    /// Centre communal or intercommunal d'action sociale.
    Ccas,
    ConseilDepartemental,
    FranceServices,
    Association,
    Other,
}

impl StructureKind {
    pub const ALL: [StructureKind; 5] = [
        StructureKind::Ccas,
        StructureKind::ConseilDepartemental,
        StructureKind::FranceServices,
        StructureKind::Association,
        StructureKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StructureKind::Ccas => "ccas",
            StructureKind::ConseilDepartemental => "conseil_departemental",
            StructureKind::FranceServices => "france_services",
            StructureKind::Association => "association",
            StructureKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "ccas" | "cias" => Ok(StructureKind::Ccas),
            "conseil_departemental" => Ok(StructureKind::ConseilDepartemental),
            "france_services" => Ok(StructureKind::FranceServices),
            "association" => Ok(StructureKind::Association),
            "other" => Ok(StructureKind::Other),
            "" => Err(FieldError::new("kind", "required")),
            _ => Err(FieldError::new("kind", "invalid_choice")),
        }
    }
}

impl fmt::Display for StructureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A structure's name, 2 to 120 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureName(String);

impl StructureName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        bounded_text("name", s, 2, 120).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The short name used in URLs and on the command line: lowercase ASCII
/// letters, digits and dashes, 2 to 60 characters, no dash at either end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(FieldError::new("slug", "required"));
        }
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok_chars || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(FieldError::new("slug", "invalid_slug"));
        }
        if s.len() < 2 || s.len() > 60 {
            return Err(FieldError::new("slug", "invalid_slug"));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A French establishment number: 14 digits passing the Luhn check (La
/// Poste's establishments are the documented exception to the check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Siret(String);

impl Siret {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 14 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new("siret", "invalid_siret"));
        }
        let la_poste = digits.starts_with("356000000");
        if !la_poste && !luhn(&digits) {
            return Err(FieldError::new("siret", "invalid_siret"));
        }
        Ok(Self(digits))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("ccas-demoville").is_ok());
        assert!(Slug::parse("gen-1").is_ok());
        assert!(Slug::parse("Bad Slug").is_err());
        assert!(Slug::parse("-x").is_err());
        assert!(Slug::parse("a").is_err());
        assert!(Slug::parse("a--b").is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for k in StructureKind::ALL {
            assert_eq!(StructureKind::parse(k.as_str()), Ok(k));
        }
        assert!(StructureKind::parse("mairie").is_err());
    }

    #[test]
    fn siret() {
        // SIRET of a real public body (INSEE head office) passes Luhn.
        assert!(Siret::parse("120 027 016 00019").is_ok());
        assert!(Siret::parse("12002701600018").is_err());
        assert!(Siret::parse("1234").is_err());
    }
}
