// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::Path;
use std::process::ExitCode;

/// One program, two commands (docs/DESIGN.md, "The package"): started as `relais` (the package's
/// /usr/bin/relais links here), it is the command-line tool and opens no window; under any other
/// name, the desktop app.
fn main() -> ExitCode {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    if Path::new(&argv0).file_name().is_some_and(|name| name == "relais") {
        return relais_cli::main();
    }
    relais_app::run();
    ExitCode::SUCCESS
}
