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

/// The label of a record's field (`birth_date` → « Date de naissance »), for every program:
/// people read labels, never keys. One list for the app and the rest: the app's catalogue
/// (`ui/src/locales/*.json`, section `field`), read in at build time. A name it does not hold
/// comes back as itself.
pub fn field_label(lang: Lang, name: &str) -> String {
    app_label(lang, "field", name).unwrap_or_else(|| name.to_owned())
}

/// A text of the app's catalogue (`ui/src/locales/*.json`, read in at build time), by section
/// and key, for what the CLI shows in the same words as the app (field labels, the
/// safe-contact flags). `None` when the catalogue does not hold it.
pub fn app_label(lang: Lang, section: &str, key: &str) -> Option<String> {
    use std::sync::OnceLock;
    static CATALOGUES: OnceLock<[serde_json::Value; 2]> = OnceLock::new();
    let catalogues = CATALOGUES.get_or_init(|| {
        let read = |json: &str| -> serde_json::Value { serde_json::from_str(json).expect("the app's catalogue is JSON") };
        [read(include_str!("../../../ui/src/locales/fr.json")), read(include_str!("../../../ui/src/locales/en.json"))]
    });
    catalogues[usize::from(lang == Lang::En)][section][key].as_str().map(str::to_owned)
}

/// Whether a person may be phoned, texted, left a voice message, in the app's words
/// (« Ne pas appeler · Texto possible · Message vocal : à vérifier »).
pub fn safe_contact_words(lang: Lang, call: Option<bool>, text: Option<bool>, message: Option<bool>) -> String {
    let flag = |v: Option<bool>, key: &str| {
        let which = match v {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        app_label(lang, "safe", &format!("{key}_{which}")).unwrap_or_default()
    };
    [flag(call, "call"), flag(text, "text"), flag(message, "message")].join(" · ")
}

/// Translates a message key of the core's catalogue (`locales/core.yml`, read by rust-i18n at
/// build time) into `lang`. `args` are `%{name}` substitutions. A key missing from the
/// catalogue comes back as itself; the tests check every key has both languages.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    finish(rust_i18n::t!(key, locale = lang.code()).into_owned(), lang, args)
}

/// A message from a catalogue, ready to show: French typography applied to the text as written
/// in the catalogue (not to the values put in it, such as a path), then the `%{name}` values.
/// Every catalogue (the core's, the CLI's, the app's) goes through here.
pub fn finish(template: String, lang: Lang, args: &[(&str, &str)]) -> String {
    substitute(plurals(&punctuate(&template, lang), lang, args), args)
}

/// `%{n|dossier|dossiers}` in a catalogue: the first form for one, the second for more, by the
/// value of `n` and the language's rule (French: 0 and 1 take the singular; English: 1 only),
/// rather than "dossier(s)".
pub fn plurals(text: &str, lang: Lang, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("%{") {
        let Some(len) = rest[start..].find('}') else { break };
        let inner = &rest[start + 2..start + len];
        let mut parts = inner.splitn(3, '|');
        let (name, one, other) = (parts.next().unwrap_or_default(), parts.next(), parts.next());
        out.push_str(&rest[..start]);
        match (one, other) {
            (Some(one), Some(other)) => {
                let n = args.iter().find(|(k, _)| *k == name).and_then(|(_, v)| v.parse::<i64>().ok()).unwrap_or(0);
                let singular = match lang {
                    Lang::Fr => n.abs() < 2,
                    Lang::En => n.abs() == 1,
                };
                out.push_str(if singular { one } else { other });
            }
            _ => out.push_str(&rest[start..start + len + 1]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// French typography for « : ; ? ! »: a non-breaking space (U+00A0) before a colon, a narrow
/// one (U+202F) before the others, in place of a plain space or none, and non-breaking spaces
/// inside « guillemets »; a time (14:30) keeps its colon as it is. English text is returned as it is. (The catalogues are written with plain
/// spaces, which editors and diffs show.)
pub fn punctuate(text: &str, lang: Lang) -> String {
    if lang != Lang::Fr {
        return text.to_owned();
    }
    const NBSP: char = '\u{a0}';
    const NNBSP: char = '\u{202f}';
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // Inside guillemets: « x », the spaces do not break either.
        if c == ' ' && (out.ends_with('«') || chars.peek() == Some(&'»')) {
            out.push(NBSP);
            continue;
        }
        if matches!(c, ':' | ';' | '?' | '!') {
            let prev = out.chars().last();
            let in_time = c == ':' && prev.is_some_and(|p| p.is_ascii_digit()) && chars.peek().is_some_and(char::is_ascii_digit);
            // A colon inside a word or a name (`age1…:`, `C:\`, `https:`) is not punctuation.
            let glued = prev.is_some_and(|p| !p.is_whitespace()) && chars.peek().is_some_and(|n| !n.is_whitespace());
            if !in_time && !glued {
                while out.ends_with(' ') {
                    out.pop();
                }
                // After a word or a closing mark, not at the start nor after another space.
                if out.chars().last().is_some_and(|p| p != NBSP && p != NNBSP) {
                    out.push(if c == ':' { NBSP } else { NNBSP });
                }
            }
        }
        out.push(c);
    }
    out
}

/// A whole number as people read it: « 10 000 » in French (a non-breaking space groups the
/// thousands), "10,000" in English.
pub fn number(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = lang.pick("\u{a0}", ",");
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(sep);
        }
        grouped.push(d);
    }
    grouped
}

/// A file's size as people read it: « 820 ko », « 1,4 Mo » in French (decimal comma, a
/// non-breaking space before the unit), "820 kB", "1.4 MB" in English. Decimal units (a
/// megabyte is a million bytes), as file managers show them.
pub fn file_size(bytes: u64, lang: Lang) -> String {
    let (value, unit) = match bytes {
        0..1_000 => return format!("{bytes}{}{}", lang.pick("\u{a0}", " "), lang.pick("o", "B")),
        1_000..1_000_000 => (bytes as f64 / 1e3, lang.pick("ko", "kB")),
        1_000_000..1_000_000_000 => (bytes as f64 / 1e6, lang.pick("Mo", "MB")),
        _ => (bytes as f64 / 1e9, lang.pick("Go", "GB")),
    };
    let text = if value < 10.0 { format!("{value:.1}") } else { format!("{value:.0}") };
    let text = if lang == Lang::Fr { text.replace('.', ",") } else { text };
    format!("{text}{}{unit}", lang.pick("\u{a0}", " "))
}

/// Replaces each `%{name}` of `text` with its value.
pub fn substitute(mut text: String, args: &[(&str, &str)]) -> String {
    for (name, value) in args {
        text = text.replace(&format!("%{{{name}}}"), value);
    }
    text
}

/// A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is a formula (or becomes one) in Excel, LibreOffice and Google Sheets, so it
/// gets a leading `'`, which they show as text (OWASP, "CSV injection").
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Whether `c` reorders or hides the text around it when shown: bidi marks, overrides and
/// isolates (U+202E makes « facture\u{202e}fdp.exe » read « factureexe.pdf »), zero-width
/// characters, line and paragraph separators. Not the no-break spaces French typography uses
/// (U+00A0, U+202F).
pub fn reorders_or_hides(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_by_their_label() {
        assert_eq!(file_size(820, Lang::Fr), "820\u{a0}o");
        assert_eq!((number(0, Lang::Fr), number(999, Lang::En)), ("0".to_owned(), "999".to_owned()));
        assert_eq!((number(10_000, Lang::Fr), number(1_234_567, Lang::En)), ("10\u{a0}000".to_owned(), "1,234,567".to_owned()));
        assert_eq!(file_size(1_450_000, Lang::Fr), "1,4\u{a0}Mo");
        assert_eq!(file_size(1_450_000, Lang::En), "1.4 MB");
        assert_eq!(file_size(20_000_000, Lang::Fr), "20\u{a0}Mo");
        assert_eq!(field_label(Lang::Fr, "birth_date"), "Date de naissance");
        assert_eq!(field_label(Lang::En, "birth_date"), "Date of birth");
        assert_eq!(field_label(Lang::Fr, "no_such_field"), "no_such_field");
    }

    #[test]
    fn plurals_follow_each_languages_rule() {
        let t = "%{n} %{n|dossier effacé|dossiers effacés}, %{e} %{e|événement|événements}";
        let fr = |n: &str, e: &str| finish(t.to_owned(), Lang::Fr, &[("n", n), ("e", e)]);
        assert_eq!(fr("0", "1"), "0 dossier effacé, 1 événement");
        assert_eq!(fr("2", "12"), "2 dossiers effacés, 12 événements");
        let en = |n: &str| finish("%{n} %{n|case|cases}".to_owned(), Lang::En, &[("n", n)]);
        assert_eq!((en("0"), en("1"), en("3")), ("0 cases".into(), "1 case".into(), "3 cases".into()));
        // A plain value is left to `substitute`.
        assert_eq!(finish("%{path} : ok".to_owned(), Lang::Fr, &[("path", "/x")]), "/x\u{a0}: ok");
    }

    #[test]
    fn formulas_are_written_as_text() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("Portable volé", "Portable volé"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe);
        }
    }

    #[test]
    fn messages_come_in_the_language_asked() {
        assert_eq!(tr(Lang::En, "error.wrong_passphrase", &[]).split(':').next(), Some("Wrong passphrase"));
        assert!(tr(Lang::Fr, "error.wrong_passphrase", &[]).starts_with("Phrase de passe incorrecte"));
        assert_eq!(tr(Lang::Fr, "error.not_found", &[("kind", "personne"), ("hint", "x")]).split("\u{a0}:").next(), Some("Introuvable"));
        assert!(tr(Lang::En, "error.not_found", &[("kind", "person"), ("hint", "x")]).contains("Not found: person."));
    }

    #[test]
    fn french_messages_get_their_spaces_and_only_the_text_written_in_the_catalogue() {
        assert_eq!(punctuate("Erreur : rien ; vraiment ? oui !", Lang::Fr), "Erreur\u{a0}: rien\u{202f}; vraiment\u{202f}? oui\u{202f}!");
        assert_eq!(punctuate("Statut: actif", Lang::Fr), "Statut\u{a0}: actif");
        assert_eq!(punctuate("le catalogue « needs » ici", Lang::Fr), "le catalogue «\u{a0}needs\u{a0}» ici");
        assert_eq!(
            punctuate("à 14:30, https://x, C:\\dossier", Lang::Fr),
            "à 14:30, https://x, C:\\dossier",
            "times and names keep their colon"
        );
        assert_eq!(punctuate("Status : active", Lang::En), "Status : active", "English as written");
        // The values go in after: a path holding « : » is shown as it is.
        assert_eq!(finish("Écrit dans %{path} : ok".into(), Lang::Fr, &[("path", "/tmp/a : b")]), "Écrit dans /tmp/a : b\u{a0}: ok");
        assert!(tr(Lang::Fr, "error.wrong_passphrase", &[]).contains("\u{a0}:"), "every French message gets them");
    }
}
