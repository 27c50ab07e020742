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

/// Checks a `_version: 2` message file: every key has a non-empty French and English text, and
/// both name the same `%{…}` substitutions. Returns the problems found.
pub fn check_catalogue_text(yaml: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut entries: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in yaml.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') || line.starts_with("_version") {
            continue;
        }
        if !line.starts_with(' ') {
            entries.push((line.trim_end_matches(':').to_owned(), Vec::new()));
        } else if let (Some(last), Some((lang, text))) = (entries.last_mut(), line.trim().split_once(':')) {
            last.1.push((lang.trim().to_owned(), text.trim().trim_matches('"').to_owned()));
        }
    }
    let vars = |s: &str| {
        let mut v: Vec<String> = s.split("%{").skip(1).filter_map(|p| p.split_once('}').map(|x| x.0.to_owned())).collect();
        v.sort();
        v
    };
    for (key, texts) in &entries {
        let get = |l: &str| texts.iter().find(|(lang, _)| lang == l).map(|(_, t)| t.clone());
        match (get("fr"), get("en")) {
            (Some(fr), Some(en)) if !fr.is_empty() && !en.is_empty() => {
                if vars(&fr) != vars(&en) {
                    problems.push(format!("{key}: substitutions differ"));
                }
            }
            _ => problems.push(format!("{key}: missing fr or en")),
        }
    }
    if entries.is_empty() {
        problems.push("no entries".into());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_messages_exist_in_both_languages() {
        let problems = check_catalogue_text(include_str!("../locales/core.yml"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(tr(Lang::En, "error.wrong_passphrase", &[]).split(':').next(), Some("Wrong passphrase"));
    }

    #[test]
    fn the_checker_catches_a_missing_language() {
        let bad = "_version: 2\na.b:\n  fr: \"Bonjour %{x}\"\n  en: \"Hello\"\nc.d:\n  fr: \"Seul\"\n";
        assert_eq!(check_catalogue_text(bad), ["a.b: substitutions differ", "c.d: missing fr or en"]);
    }
}
