//! The `adhash` binary: parse, dispatch, and turn errors into exit codes.

use clap::FromArgMatches;

fn main() {
    let parsed = adhash::cli::command()
        .try_get_matches()
        .and_then(|m| adhash::cli::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            // Under --json a flag error is the JSON envelope (formats.md §3), one
            // line on stderr like every other error; help and version are
            // not errors.
            // `args_os`: an argument may be any bytes (a path), never a panic.
            let wants_json = std::env::args_os().any(|a| a == "--json" || a == "--log-json");
            let is_error = !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
            if wants_json && is_error {
                let text = e.to_string();
                let detail = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string();
                let err = adhash::error::Error::bad_input(detail)
                    .with_hint("see `adhash --help` for the flags");
                adhash::errln!("{}", err.envelope());
                std::process::exit(err.exit_code());
            }
            // clap prints help/version (exit 0) and flag errors (exit 2).
            e.exit()
        }
    };
    let json = cli.json || cli.log_json;
    let code = match adhash::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            adhash::log::file_record("ERROR", &err.detail);
            if json {
                adhash::errln!("{}", err.envelope());
            } else {
                adhash::errln!("error: {}", err.detail);
                if let Some(hint) = &err.hint {
                    adhash::errln!("hint: {hint}");
                }
            }
            err.exit_code()
        }
    };
    std::process::exit(code);
}
