//! How a person or a place is reached and located: a phone number, a
//! postcode and an INSEE commune code. Each is a type that only its parser
//! builds, so that a value held by the service has passed the one rule.

use crate::validation::FieldError;

/// A phone number as typed (trimmed): digits, spaces, dots, dashes,
/// brackets and a leading `+`, with 6 to 15 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// `None` for an empty field; `field` names the field in the error.
    pub fn parse(field: &'static str, s: &str) -> Result<Option<Phone>, FieldError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let allowed = s.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')') || (c == '+' && i == 0)
        });
        let digits = phone_digits(s);
        if !allowed || digits.len() < 6 || digits.len() > 15 {
            return Err(FieldError::new(field, "invalid_phone"));
        }
        Ok(Some(Phone(s.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// What a search by phone compares: see [`phone_digits`].
    pub fn digits(&self) -> String {
        phone_digits(&self.0)
    }
}

/// The digits of a phone number, with a French `+33` turned into `0`.
pub fn phone_digits(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("33") {
        Some(rest) if s.trim_start().starts_with('+') && rest.len() == 9 => format!("0{rest}"),
        _ => digits,
    }
}

/// A French postcode: five digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    /// `None` for an empty field; `field` names the field in the error.
    pub fn parse(field: &'static str, s: &str) -> Result<Option<Postcode>, FieldError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if s.len() == 5 && s.chars().all(|c| c.is_ascii_digit()) {
            Ok(Some(Postcode(s.to_owned())))
        } else {
            Err(FieldError::new(field, "invalid_postcode"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// An INSEE commune code: five characters, digits, or `2A`/`2B` and three
/// digits for Corsica; read in upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InseeCode(String);

impl InseeCode {
    /// `None` for an empty field; `field` names the field in the error.
    pub fn parse(field: &'static str, s: &str) -> Result<Option<InseeCode>, FieldError> {
        let s = s.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Ok(None);
        }
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        let ok = s.len() == 5
            && (digits(&s) || ((s.starts_with("2A") || s.starts_with("2B")) && digits(&s[2..])));
        if ok {
            Ok(Some(InseeCode(s)))
        } else {
            Err(FieldError::new(field, "invalid_insee"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        let p = Phone::parse("phone", " +33 6 12 34 56 78 ")
            .unwrap()
            .unwrap();
        assert_eq!(p.as_str(), "+33 6 12 34 56 78");
        assert_eq!(p.digits(), "0612345678");
        assert_eq!(Phone::parse("phone", "  ").unwrap(), None);
        for bad in ["12345", "06 12 ab", "06+12345678", "1234567890123456"] {
            let e = Phone::parse("phone", bad).unwrap_err();
            assert_eq!((e.field, e.code), ("phone", "invalid_phone"), "{bad}");
        }
        assert_eq!(phone_digits("+44 20 7946 0958"), "442079460958");
    }

    #[test]
    fn postcodes_and_insee_codes() {
        assert_eq!(
            Postcode::parse("postcode", " 75011 ")
                .unwrap()
                .unwrap()
                .as_str(),
            "75011"
        );
        assert_eq!(Postcode::parse("postcode", "").unwrap(), None);
        for bad in ["7501", "750111", "2A004", "75 011"] {
            assert!(Postcode::parse("postcode", bad).is_err(), "{bad}");
        }
        assert_eq!(
            InseeCode::parse("insee_code", "2a004")
                .unwrap()
                .unwrap()
                .as_str(),
            "2A004"
        );
        assert_eq!(
            InseeCode::parse("insee_code", "75111")
                .unwrap()
                .unwrap()
                .as_str(),
            "75111"
        );
        for bad in ["2C004", "7511", "2A0X4"] {
            let e = InseeCode::parse("code_insee", bad).unwrap_err();
            assert_eq!((e.field, e.code), ("code_insee", "invalid_insee"), "{bad}");
        }
    }
}
