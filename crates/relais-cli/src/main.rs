//! `relais`: the command-line tool (src/lib.rs).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    relais_cli::main()
}
