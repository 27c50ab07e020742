//! `relais-docs DIR`: the manual pages and shell completions of `relais`, generated from the very
//! clap definition the command parses (`relais_cli::args`), so they can never describe another
//! version. `make package` runs it and puts the output into the `.deb`; nothing it writes is
//! committed. The texts are those of `relais --help`: French, then English, in each line.
//!
//! DIR/man/man1/relais.1, relais-person.1, relais-person-add.1, … (one page per command, as
//! `git` does), DIR/completions/{relais.bash, _relais, relais.fish}.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Command, CommandFactory};
use clap_complete::{Shell, generate_to};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage\u{a0}: relais-docs DOSSIER / usage: relais-docs DIR");
        return ExitCode::from(2);
    };
    match write_all(&dir) {
        Ok(n) => {
            println!("{n} fichiers écrits dans / files written to {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Erreur\u{a0}: {e} / Error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(dir: &Path) -> std::io::Result<usize> {
    let man = dir.join("man/man1");
    let completions = dir.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    // The pages say the version they describe (clap's `version`, the workspace's), in their footer.
    // No page for clap's `help` subcommands (`relais person help add` is `relais person add
    // --help`): they would be a third of the pages. The completions keep them, as the command does.
    clap_mangen::generate_to(without_help_subcommands(relais_cli::args::Cli::command()), &man)?;
    let mut cmd = relais_cli::args::Cli::command();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        generate_to(shell, &mut cmd, "relais", &completions)?;
    }
    Ok(std::fs::read_dir(&man)?.count() + std::fs::read_dir(&completions)?.count())
}

fn without_help_subcommands(cmd: Command) -> Command {
    cmd.disable_help_subcommand(true).mut_subcommands(without_help_subcommands)
}
