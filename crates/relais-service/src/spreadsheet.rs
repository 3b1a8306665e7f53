//! Text bound for spreadsheets, in one place: the rule that keeps a cell
//! from being read as a formula, and the two CSV dialects relais writes
//! (through the `csv` crate). Every CSV relais produces — statistics and
//! interventions exports, the places export — goes through here.

use std::borrow::Cow;
use std::io::Write;

/// Text a spreadsheet would take for a formula (it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading apostrophe, so that
/// it stays text (OWASP "CSV injection"). Numbers written as text — a
/// phone number `+33 6 12 34 56 78`, a longitude `-1.55` — are left as
/// they are: a spreadsheet reads them as numbers, never as formulas.
pub fn defuse(text: &str) -> Cow<'_, str> {
    let mut chars = text.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => format!("'{text}").into(),
        Some('+' | '-') => {
            let rest = chars.as_str();
            let numeric = rest.chars().any(|c| c.is_ascii_digit())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ','));
            if numeric {
                text.into()
            } else {
                format!("'{text}").into()
            }
        }
        _ => text.into(),
    }
}

/// The CSV dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvDialect {
    /// The way French spreadsheets open it: `;` between fields (the byte
    /// order mark is the caller's, once per file).
    French,
    /// RFC 4180: `,`.
    Rfc4180,
}

/// A CSV writer of `dialect` into `out`: CRLF line ends, fields quoted
/// only when needed, rows of any length (one file may hold several
/// tables). Callers pass every text field through [`defuse`].
pub fn csv_writer<W: Write>(out: W, dialect: CsvDialect) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(match dialect {
            CsvDialect::French => b';',
            CsvDialect::Rfc4180 => b',',
        })
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_writer(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_are_not() {
        for formula in [
            "=1+1",
            "=HYPERLINK(\"http://x\")",
            "@SUM(A1)",
            "+A1",
            "-2+3+cmd|' /C calc'!A0",
            "\tx",
            "\rx",
            "+",
            "-",
        ] {
            assert_eq!(defuse(formula), format!("'{formula}"), "{formula}");
        }
        for plain in [
            "",
            "Dupont",
            "a=b",
            "+33612345678",
            "+33 6 12 34 56 78",
            "-1.55",
            "-3",
            "1,5",
        ] {
            assert_eq!(defuse(plain), plain, "{plain}");
        }
    }

    #[test]
    fn both_dialects_quote_only_when_needed_with_crlf() {
        for (dialect, expected) in [
            (CsvDialect::French, "a;\"b;c\";\"d\"\"e\";f,g\r\nx\r\n"),
            (CsvDialect::Rfc4180, "a;b,\"c,d\",\"e\nf\"\r\n"),
        ] {
            let mut w = csv_writer(Vec::new(), dialect);
            match dialect {
                CsvDialect::French => {
                    w.write_record(["a", "b;c", "d\"e", "f,g"]).unwrap();
                    w.write_record(["x"]).unwrap();
                }
                CsvDialect::Rfc4180 => w.write_record(["a;b", "c,d", "e\nf"]).unwrap(),
            }
            let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
            assert_eq!(out, expected);
        }
    }
}
