//! The credential guard: relais never stores a person's password, so free
//! text that looks like one is stopped before it is saved.

use crate::search::fold;

/// Words that announce a secret.
const KEYWORDS: [&str; 9] = [
    "mdp",
    "mot de passe",
    "password",
    "passwd",
    "pwd",
    "code",
    "pin",
    "identifiant",
    "login",
];

fn classes(token: &str) -> (bool, bool, bool, bool) {
    (
        token.chars().any(|c| c.is_lowercase()),
        token.chars().any(|c| c.is_uppercase()),
        token.chars().any(|c| c.is_ascii_digit()),
        token.chars().any(|c| !c.is_alphanumeric()),
    )
}

/// A token that could be a password: letters and digits mixed, at least
/// four characters (phone numbers, dates and references are not).
fn secret_like(token: &str) -> bool {
    let t = token.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | '(' | ')' | '"' | '\''));
    if t.chars().count() < 4 || t.contains('@') || t.starts_with("http") {
        return false;
    }
    let (lower, upper, digit, symbol) = classes(t);
    (lower || upper) && (digit || symbol && (lower && upper))
}

/// A long random-looking string: twelve characters or more mixing lower
/// case, upper case and digits.
fn random_like(token: &str) -> bool {
    let (lower, upper, digit, _) = classes(token);
    token.chars().count() >= 12
        && lower
        && upper
        && digit
        && !token.contains('@')
        && !token.starts_with("http")
}

/// Whether `text` seems to hold a password or another secret.
pub fn looks_like_secret(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.iter().any(|w| random_like(w)) {
        return true;
    }
    // A keyword, then (within three words) a token that could be a secret.
    for (i, _) in words.iter().enumerate() {
        let window = words[i..words.len().min(i + 3)].join(" ");
        let folded = fold(&window);
        let starts_with_keyword = KEYWORDS.iter().any(|k| {
            folded == *k
                || folded.starts_with(&format!("{k} "))
                || fold(words[i]).split(' ').next() == Some(*k)
        });
        if starts_with_keyword {
            let after = &words[i + 1..words.len().min(i + 7)];
            if after.iter().any(|t| secret_like(t)) {
                return true;
            }
        }
    }
    false
}

/// The guard's decision on the free-text fields of one form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guarded {
    /// Flagged fields saved because the worker confirmed they hold no
    /// secret: each is journaled (its name, never its text).
    pub confirmed: Vec<&'static str>,
    /// Flagged fields without a confirmation: the form is refused.
    pub stopped: Vec<&'static str>,
}

impl Guarded {
    /// One `looks_like_secret` error per stopped field.
    pub fn errors(&self) -> Vec<crate::FieldError> {
        self.stopped
            .iter()
            .map(|f| crate::FieldError::new(f, "looks_like_secret"))
            .collect()
    }
}

/// Decides on a form's free-text fields (name, text) and the worker's
/// confirmation: the one place that says which fields were flagged and
/// whether they may be saved.
pub fn check(fields: &[(&'static str, &str)], confirmed: bool) -> Guarded {
    let flagged: Vec<&'static str> = fields
        .iter()
        .filter(|(_, text)| looks_like_secret(text))
        .map(|(name, _)| *name)
        .collect();
    if confirmed {
        Guarded {
            confirmed: flagged,
            stopped: Vec::new(),
        }
    } else {
        Guarded {
            confirmed: Vec::new(),
            stopped: flagged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decision_names_the_flagged_field() {
        let fields = [
            ("summary", "Dossier envoyé"),
            ("next_step", "mdp caf: Soleil2024!"),
        ];
        assert_eq!(check(&fields, true).confirmed, ["next_step"]);
        let stopped = check(&fields, false);
        assert!(stopped.confirmed.is_empty());
        assert_eq!(stopped.stopped, ["next_step"]);
        assert_eq!(stopped.errors()[0].field, "next_step");
        assert_eq!(check(&[("summary", "RAS")], true), Guarded::default());
    }

    #[test]
    fn secrets_are_caught() {
        for s in [
            "mdp caf: Soleil2024!",
            "mot de passe ameli = Marseille13",
            "Password: hunter2",
            "code pin 4521a",
            "son identifiant est jean.dupont et le code Azerty123",
            "clé: aB3dE5fG7hJ9kL",
        ] {
            assert!(looks_like_secret(s), "{s}");
        }
    }

    #[test]
    fn ordinary_notes_pass() {
        for s in [
            "Rappeler la personne jeudi à 14 h 30 au 06 12 34 56 78.",
            "Dossier D-2026-000123 envoyé à la CAF le 05/12/2026.",
            "A oublié son mot de passe : réinitialisation faite avec elle par e-mail.",
            "Code postal 69100, commune Démoville.",
            "Voir https://www.service-public.fr/particuliers/vosdroits/R1234",
            "",
        ] {
            assert!(!looks_like_secret(s), "{s}");
        }
    }
}
