//! Fault injection for the error paths no input can reach: a map that
//! loses a key (exit 3) and a worker thread that panics (exit 4). Tests set
//! `ADHASH_FAULT` to a comma-separated list of faults to see that the
//! binary reports them as formats.md §3 says.
//!
//! Debug builds only (what `cargo test` runs): `cfg!(debug_assertions)` is
//! false in a release build, so there the check compiles to `false` and
//! the variable is never read.

/// Faults a test can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The final-state check finds the first key it visits missing.
    LoseKey,
    /// Workload DNA's CSV parsing thread panics.
    ParserPanic,
    /// The batch runner thread panics.
    RunnerPanic,
}

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::LoseKey => "lose-key",
            Fault::ParserPanic => "parser-panic",
            Fault::RunnerPanic => "runner-panic",
        }
    }
}

/// Whether `fault` is asked for (never in a release build).
pub fn injected(fault: Fault) -> bool {
    cfg!(debug_assertions)
        && std::env::var("ADHASH_FAULT").is_ok_and(|v| v.split(',').any(|f| f == fault.name()))
}
