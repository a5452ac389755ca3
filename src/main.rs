//! The `adhash` binary: parse, dispatch, and turn errors into exit codes.

use clap::Parser;

fn main() {
    let cli = match adhash::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // clap prints help/version (exit 0) and flag errors (exit 2).
        Err(e) => e.exit(),
    };
    let json = cli.json || cli.log_json;
    let code = match adhash::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
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
