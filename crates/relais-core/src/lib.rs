//! The Relais core: everything a pivot worker's case file is, with no desktop around it.
//!
//! A [`vault::Vault`] is a directory holding an SQLCipher database and the age-wrapped key that
//! opens it. Unlocking it gives a [`store::Store`], through which every record of the case model
//! ([`model`]) is created, changed and read; every change writes a hash-chained audit event
//! ([`audit`]) in the same transaction. The [`dashboard`] answers "what needs me this week".
//!
//! The CLI (`relais`) and the desktop app are thin layers over this crate, so that tests and
//! benchmarks exercise the same code paths a worker does.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

rust_i18n::i18n!("locales", fallback = "fr");

// The foundation: what every room uses and which uses no room.
pub mod duration;
pub mod error;
pub mod lang;
pub mod money;
pub mod record;
pub mod secret;
pub mod time;

// The rooms, each depending only on the foundation and the rooms listed before it (a test,
// `rooms_depend_one_way`, fails on an import that points back).
pub mod case;
#[cfg(feature = "demo")]
pub mod demo;
pub mod exchange;
pub mod model;
pub mod reports;
pub mod vault;

pub use error::{Error, Result};
pub use lang::Lang;
pub use record::{Fields, Kind};
pub use vault::Vault;
pub use vault::store::Store;

#[cfg(test)]
mod rooms {
    //! The rooms depend one way: each file may name (`crate::…`) only its own room, the
    //! foundation, and the rooms listed before its own in `lib.rs`. Test code is left out.

    use std::path::Path;

    /// Rank of each room; a file may use a room of lower or equal rank, equal only when it is
    /// its own room. The foundation's files are rooms of their own, in their order of use.
    const RANKS: &[(&str, u32)] = &[
        ("lang", 0),
        ("record", 1),
        ("error", 2),
        ("time", 3),
        ("secret", 4),
        ("money", 5),
        ("duration", 5),
        ("model", 10),
        ("vault", 11),
        ("case", 12),
        ("exchange", 13),
        ("reports", 14),
        ("demo", 15),
    ];

    /// The crate root's own items and re-exports, by the room they come from.
    const ROOT_ITEMS: &[(&str, &str)] = &[
        ("_rust_i18n_translate", "lang"),
        ("Lang", "lang"),
        ("Kind", "record"),
        ("Fields", "record"),
        ("Error", "error"),
        ("Result", "error"),
        ("Store", "vault"),
        ("Vault", "vault"),
    ];

    fn rank(room: &str) -> Option<u32> {
        RANKS.iter().find(|(r, _)| *r == room).map(|(_, n)| *n)
    }

    /// The room a name after `crate::` belongs to.
    fn room_of_name(name: &str) -> Option<&'static str> {
        RANKS.iter().map(|(r, _)| *r).find(|r| *r == name).or_else(|| ROOT_ITEMS.iter().find(|(n, _)| *n == name).map(|(_, r)| *r))
    }

    /// The problems of one file's source: each `crate::X` naming a room it may not use.
    pub(super) fn problems(file_room: &str, source: &str) -> Vec<String> {
        let mut out = Vec::new();
        let own = rank(file_room).expect("a known room");
        for (n, line) in source.lines().enumerate() {
            // Tests sit at the end of each file, after this line.
            if line.starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            for part in line.split("crate::").skip(1) {
                // `crate::x::…`, or `crate::{x, y::…}`: the first name of each path.
                let names: Vec<String> = match part.strip_prefix('{') {
                    Some(group) => group.split(['}', ';']).next().unwrap_or_default().split(',').map(|p| first_name(p.trim())).collect(),
                    None => vec![first_name(part)],
                };
                for name in names {
                    match room_of_name(&name) {
                        None => out.push(format!("line {}: crate::{name} is in no room (add it to RANKS or ROOT_ITEMS)", n + 1)),
                        Some(r) if r != file_room && rank(r).expect("known") >= own => {
                            out.push(format!("line {}: {file_room} uses {r}, a room after it", n + 1))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        out
    }

    fn first_name(path: &str) -> String {
        path.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
    }

    /// Each source file of the crate but this one: its path, its room, its text.
    fn sources() -> Vec<(std::path::PathBuf, String, String)> {
        fn visit(dir: &Path, room: Option<&str>, out: &mut Vec<(std::path::PathBuf, String, String)>) {
            for entry in std::fs::read_dir(dir).expect("src dir") {
                let path = entry.expect("entry").path();
                let name = path.file_stem().and_then(|s| s.to_str()).expect("utf-8 name").to_owned();
                if path.is_dir() {
                    visit(&path, Some(room.unwrap_or(&name)), out);
                } else if path.extension().is_some_and(|e| e == "rs") && !(room.is_none() && name == "lib") {
                    let file_room = room.unwrap_or(&name).to_owned();
                    let source = std::fs::read_to_string(&path).expect("read");
                    out.push((path, file_room, source));
                }
            }
        }
        let mut out = Vec::new();
        visit(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), None, &mut out);
        out
    }

    #[test]
    fn rooms_depend_one_way() {
        let mut found = Vec::new();
        for (path, room, source) in sources() {
            assert!(rank(&room).is_some(), "{}: a file in no room (add it to RANKS)", path.display());
            found.extend(problems(&room, &source).into_iter().map(|p| format!("{}: {p}", path.display())));
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// Every connection the core opens goes through `vault::store::connect` (see why there): no
    /// other opening of a connection anywhere else in the core's sources.
    #[test]
    fn connections_are_opened_only_through_connect() {
        let found: Vec<String> = sources()
            .iter()
            .flat_map(|(path, _, source)| {
                source
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| l.contains("Connection::open"))
                    .map(move |(i, _)| format!("{}:{}", path.display(), i + 1))
            })
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|f| f.contains("vault/store.rs")), "{found:?}");
    }

    #[test]
    fn the_check_sees_an_import_that_points_back() {
        assert_eq!(problems("vault", "use crate::case::trash;\n"), ["line 1: vault uses case, a room after it"]);
        assert_eq!(problems("error", "use crate::record::Kind;\nuse crate::time;\n"), ["line 2: error uses time, a room after it"]);
        assert!(problems("vault", "use crate::vault::store;\n/// See crate::case::trash.\n#[cfg(test)]\nuse crate::demo;\n").is_empty());
        assert_eq!(problems("case", "crate::nowhere::x()").len(), 1);
        assert_eq!(problems("model", "use crate::{time, vault::store};\n"), ["line 1: model uses vault, a room after it"]);
    }
}
