//! The two languages every user-facing string exists in: French first (the default), English.

use std::fmt;
use std::str::FromStr;

/// A language of the interface. French is the default: the users work in Quebec.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Français (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The ISO 639-1 code, also the locale name of the message catalogue.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Picks the label in this language from a French/English pair.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-ca" | "fr_ca" | "français" | "francais" => Ok(Lang::Fr),
            "en" | "en-ca" | "en_ca" | "english" => Ok(Lang::En),
            _ => Err("fr | en".to_owned()),
        }
    }
}

/// Translates a message key of the core's catalogue (`locales/core.yml`, read by rust-i18n at
/// build time) into `lang`. `args` are `%{name}` substitutions. A key missing from the
/// catalogue comes back as itself; the tests check every key has both languages.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    substitute(rust_i18n::t!(key, locale = lang.code()).into_owned(), args)
}

/// Replaces each `%{name}` of `text` with its value.
pub fn substitute(mut text: String, args: &[(&str, &str)]) -> String {
    for (name, value) in args {
        text = text.replace(&format!("%{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_in_the_language_asked() {
        assert_eq!(tr(Lang::En, "error.wrong_passphrase", &[]).split(':').next(), Some("Wrong passphrase"));
        assert!(tr(Lang::Fr, "error.wrong_passphrase", &[]).starts_with("Phrase de passe incorrecte"));
        assert_eq!(tr(Lang::Fr, "error.not_found", &[("kind", "personne"), ("hint", "x")]).split(" :").next(), Some("Introuvable"));
        assert!(tr(Lang::En, "error.not_found", &[("kind", "person"), ("hint", "x")]).contains("Not found: person."));
    }
}
