//! The two languages every user-facing string exists in: French first (the default), English.

use std::fmt;
use std::str::FromStr;

/// A language of the interface. French is the default: the users work in Quebec.
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

/// Translates a message key of the core's catalogue (`locales/`) into `lang`.
///
/// `args` are `%{name}` substitutions.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = crate::_rust_i18n_translate(lang.code(), key).into_owned();
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
}
