//! Finding a person again in a second: accent-insensitive, case-insensitive,
//! tolerant of one typo per word, by phone digits or birth year.

/// Folds text for matching: no accents, lower case, words separated by
/// single spaces (hyphens and apostrophes split words).
pub fn fold(s: &str) -> String {
    let ascii = deunicode::deunicode(s).to_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether two words differ by at most one edit (insertion, deletion,
/// substitution or swap of two neighbours). Works on bytes: folded words
/// are ASCII.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let mut i = 0;
    while i < la.min(lb) && a[i] == b[i] {
        i += 1;
    }
    if i == la.min(lb) {
        return true; // equal, or one extra character at the end
    }
    if la == lb {
        // substitution, or swap of neighbours
        a[i + 1..] == b[i + 1..]
            || (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..])
    } else if la > lb {
        a[i + 1..] == b[i..]
    } else {
        a[i..] == b[i + 1..]
    }
}

/// How well one query word matches one name word (higher is better).
fn word_score(q: &str, w: &str) -> u32 {
    if q == w {
        4
    } else if w.starts_with(q) {
        3
    } else if q.len() >= 4 && within_one_edit(q, w) {
        2
    } else if q.len() >= 5
        && w.len() > q.len()
        && w.is_char_boundary(q.len() + 1)
        && within_one_edit(q, &w[..q.len() + 1])
    {
        // a typo in a prefix ("lefebv" for "lefevre")
        1
    } else {
        0
    }
}

/// How well a free-text query matches a text (0 = no match): every word
/// of the query must match a word of the text, exactly, as its start, or
/// with one typo, accents and case aside. For catalogue look-ups.
pub fn text_score(query: &str, text: &str) -> u32 {
    let hay = fold(text);
    let words: Vec<&str> = hay.split(' ').filter(|w| !w.is_empty()).collect();
    let q = fold(query);
    let mut total = 0;
    for qw in q.split(' ').filter(|w| !w.is_empty()) {
        let best = words.iter().map(|w| word_score(qw, w)).max().unwrap_or(0);
        if best == 0 {
            return 0;
        }
        total += best;
    }
    total
}

/// A parsed search query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub words: Vec<String>,
    pub phone_digits: Option<String>,
    pub birth_year: Option<i32>,
}

impl Query {
    pub fn parse(q: &str) -> Query {
        let mut out = Query::default();
        let digits_only: String = q
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '+'))
            .collect();
        if digits_only.len() >= 6 && digits_only.chars().all(|c| c.is_ascii_digit()) {
            out.phone_digits = Some(crate::contact::phone_digits(q));
            return out;
        }
        for w in fold(q).split(' ').filter(|w| !w.is_empty()) {
            if w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()) {
                out.birth_year = w.parse().ok();
            } else {
                out.words.push(w.to_owned());
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phone_digits.is_none() && self.birth_year.is_none()
    }

    /// The score of a candidate (0 = no match). `name_key` is the folded
    /// names of the person; `phone` their phone digits.
    pub fn score(&self, name_key: &str, phone: &str, birth_year: Option<i32>) -> u32 {
        if self.is_empty() {
            return 0;
        }
        if let Some(p) = &self.phone_digits {
            return if !phone.is_empty() && phone.contains(p.as_str()) {
                10
            } else {
                0
            };
        }
        if let Some(y) = self.birth_year {
            if birth_year != Some(y) {
                return 0;
            }
        }
        let mut total = 1;
        for q in &self.words {
            let best = name_key
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| word_score(q, w))
                .max()
                .unwrap_or(0);
            if best == 0 {
                return 0;
            }
            total += best;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_score_matches_words_starts_and_typos() {
        let t = "Demander l'aide au logement (APL) caf logement";
        assert!(text_score("caf", t) > 0);
        assert!(text_score("APL", t) > 0);
        assert!(text_score("logemnt", t) > 0, "one typo");
        assert!(text_score("aide log", t) > 0, "word starts");
        assert_eq!(text_score("retraite", t), 0);
        assert_eq!(text_score("", t), 0);
        assert!(text_score("apl", t) > text_score("lo", t));
    }

    fn key(first: &str, last: &str) -> String {
        fold(&format!("{first} {last}"))
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Hélène  LEFÈVRE-Dupont"), "helene lefevre dupont");
        assert_eq!(fold("N'Diaye"), "n diaye");
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("lefebvre", "lefevre"));
        assert!(within_one_edit("martin", "matrin"));
        assert!(within_one_edit("dupont", "dupond"));
        assert!(!within_one_edit("dupont", "durand"));
        assert!(within_one_edit("abc", "abc"));
    }

    #[test]
    fn the_desk_examples() {
        let helene = key("Hélène", "Lefèvre");
        let q = Query::parse("helen lefebvre");
        assert!(q.score(&helene, "", None) > 0);
        assert!(Query::parse("LEFEVRE").score(&helene, "", None) > 0);
        assert!(Query::parse("hélène").score(&helene, "", None) > 0);
        assert_eq!(Query::parse("martin").score(&helene, "", None), 0);
        // Phone and birth year.
        let q = Query::parse("06 12 34 56 78");
        assert!(q.score(&helene, "0612345678", None) > 0);
        assert_eq!(q.score(&helene, "0699999999", None), 0);
        let q = Query::parse("lefevre 1961");
        assert!(q.score(&helene, "", Some(1961)) > 0);
        assert_eq!(q.score(&helene, "", Some(1962)), 0);
        // Exact beats fuzzy.
        let exact = Query::parse("lefevre").score(&helene, "", None);
        let fuzzy = Query::parse("lefebvre").score(&helene, "", None);
        assert!(exact > fuzzy);
    }
}
