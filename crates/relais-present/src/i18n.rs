//! French first, English available. Every text people read lives in the
//! Fluent files under `locales/{lang}/` (pages in `main.ftl`, printed
//! documents in `documents.ftl`, places in `places.ftl`); Rust code only
//! names keys and passes values.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A value passed to a message: a text, or a number (which messages may
/// select on, e.g. for plurals).
pub type Value = FluentValue<'static>;

static FR: LazyLock<LanguageIdentifier> = LazyLock::new(|| "fr".parse().unwrap_or_default());
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| "en".parse().unwrap_or_default());

/// The interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

pub const LANG_COOKIE: &str = "relais_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| Lang::parse(tag.split('-').next().unwrap_or_default()))
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// The text for `key`; the key itself if the text is missing (a test
    /// checks that every key exists in both languages).
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(self.id(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key`, or `None` when no file defines it.
    pub fn lookup(self, key: &str) -> Option<String> {
        LOCALES.try_lookup(self.id(), key)
    }

    /// The text for `key` with values of any kind.
    pub fn t_values(self, key: &str, args: Vec<(&'static str, Value)>) -> String {
        let map: HashMap<Cow<'static, str>, Value> = args
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn t_with(self, key: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` with a number `$n`, so that the message may
    /// choose its plural form.
    pub fn t_count(self, key: &str, n: i64) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'static>> =
            HashMap::from([(Cow::Borrowed("n"), FluentValue::from(n))]);
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    /// Message for a validation code, e.g. `invalid_email`.
    pub fn field_error(self, code: &str) -> String {
        self.t(&format!("err-{code}"))
    }

    /// Message for a validation failure, naming the bound it crossed.
    pub fn field_message(self, e: &relais_domain::FieldError) -> String {
        match e.limit {
            Some(n) if matches!(e.code, "too_long" | "too_short") => {
                self.t_with(&format!("err-{}-limit", e.code), &[("n", n.to_string())])
            }
            _ => self.field_error(e.code),
        }
    }

    /// The label of a form field, for an error summary that names it:
    /// `field-{name}` when the form's label differs from the usual key,
    /// else the label key spelt with dashes (`first_name` → `first-name`).
    pub fn field_label(self, field: &str) -> Option<String> {
        [format!("field-{field}"), field.replace('_', "-")]
            .iter()
            .find_map(|k| LOCALES.try_lookup(self.id(), k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key() {
        let fr = concat!(
            include_str!("../locales/fr/main.ftl"),
            include_str!("../locales/fr/documents.ftl"),
            include_str!("../locales/fr/places.ftl")
        );
        let en = concat!(
            include_str!("../locales/en/main.ftl"),
            include_str!("../locales/en/documents.ftl"),
            include_str!("../locales/en/places.ftl")
        );
        let keys = |s: &'static str| -> Vec<&'static str> {
            s.lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
                .filter(|k| !k.is_empty() && !k.starts_with('#'))
                .collect()
        };
        let (kf, ke) = (keys(fr), keys(en));
        for list in [&kf, &ke] {
            let mut seen = std::collections::HashSet::new();
            for k in list.iter() {
                assert!(seen.insert(*k), "defined twice: {k}");
            }
        }
        for k in &kf {
            assert!(ke.contains(k), "missing in English: {k}");
        }
        for k in &ke {
            assert!(kf.contains(k), "missing in French: {k}");
        }
        assert_eq!(Lang::Fr.t("login-submit"), "Se connecter");
        assert_eq!(Lang::En.t("login-submit"), "Sign in");
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de,fr;q=0.5"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn arguments() {
        let s = Lang::En.t_with("home-title", &[("name", "Ana".into())]);
        assert_eq!(s, "Hello, Ana");
    }
}
