//! A validation failure names the field and a stable message code; the
//! interface turns the code into French or English text.

use std::fmt;

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Name of the field as the forms and the JSON API spell it.
    pub field: &'static str,
    /// Stable message code, e.g. `required`, `too_long`, `invalid_email`.
    pub code: &'static str,
    /// The bound that was crossed (`too_long`: the most characters
    /// allowed; `too_short`: the fewest), for the message.
    pub limit: Option<usize>,
}

impl FieldError {
    pub const fn new(field: &'static str, code: &'static str) -> Self {
        Self {
            field,
            code,
            limit: None,
        }
    }

    /// The same error, naming the bound that was crossed.
    pub const fn with_limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.code)
    }
}

impl std::error::Error for FieldError {}

/// Trims the input and checks its length in characters.
pub fn bounded_text(
    field: &'static str,
    input: &str,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    let trimmed = input.trim();
    let len = trimmed.chars().count();
    if len == 0 && min > 0 {
        return Err(FieldError::new(field, "required"));
    }
    if len < min {
        return Err(FieldError::new(field, "too_short").with_limit(min));
    }
    if len > max {
        return Err(FieldError::new(field, "too_long").with_limit(max));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, "invalid_characters"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_and_checks() {
        assert_eq!(bounded_text("name", "  Ana ", 1, 10), Ok("Ana".into()));
        assert_eq!(
            bounded_text("name", "   ", 1, 10),
            Err(FieldError::new("name", "required"))
        );
        assert_eq!(
            bounded_text("name", "abcdefghijk", 1, 10),
            Err(FieldError::new("name", "too_long").with_limit(10))
        );
        assert_eq!(
            bounded_text("name", "a\u{0}b", 1, 10),
            Err(FieldError::new("name", "invalid_characters"))
        );
    }
}
