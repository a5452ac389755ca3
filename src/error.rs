//! The error type every command returns, and how it maps to an exit code and
//! to the JSON envelope (formats.md §3).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    BadInput,
    Invariant,
    Policy,
    IO,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::BadInput => 2,
            ErrorKind::Invariant => 3,
            ErrorKind::Policy => 4,
            ErrorKind::IO => 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub detail: String,
    pub hint: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Error {
            kind,
            detail: shown(detail.into()),
            hint: None,
        }
    }
    pub fn bad_input(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadInput, detail)
    }
    pub fn invariant(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invariant, detail)
    }
    pub fn policy(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Policy, detail)
    }
    pub fn io(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::IO, detail)
    }
    /// An I/O error on `path`, worded as "<what> <path>: <os error>".
    pub fn io_at(what: &str, path: &std::path::Path, err: &std::io::Error) -> Self {
        Self::io(format!("{what} {}: {err}", path.display()))
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(shown(hint.into()));
        self
    }
    /// Prefix the detail with where it happened ("while reading x.csv: ...").
    pub fn context(mut self, ctx: impl std::fmt::Display) -> Self {
        self.detail = shown(format!("{ctx}: {}", self.detail));
        self
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
    /// The one-line JSON envelope printed under `--json` / `--log-json`.
    pub fn envelope(&self) -> serde_json::Value {
        serde_json::json!({
            "error": self.kind,
            "detail": self.detail,
            "hint": self.hint.clone().unwrap_or_default(),
            // As the original's JSON log spells a level.
            "level": "ERROR",
        })
    }
}

/// Messages quote user data (paths, names, file content), and are shown on
/// terminals and in Mission Control: every control character but the
/// newline becomes `?`, as `ls` shows such names, so none can drive a
/// terminal and the text keeps its columns.
fn shown(s: String) -> String {
    if s.chars().any(|c| c.is_control() && c != '\n') {
        s.chars()
            .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
            .collect()
    } else {
        s
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_spec() {
        assert_eq!(Error::bad_input("x").exit_code(), 2);
        assert_eq!(Error::invariant("x").exit_code(), 3);
        assert_eq!(Error::policy("x").exit_code(), 4);
        assert_eq!(Error::io("x").exit_code(), 5);
    }

    #[test]
    fn messages_never_carry_control_characters() {
        let e = Error::bad_input("report /r\t\u{1b}[31m.md: no\nsuch")
            .context("spec a\u{7}.toml")
            .with_hint("try\t\u{0}x");
        assert_eq!(e.detail, "spec a?.toml: report /r??[31m.md: no\nsuch");
        assert_eq!(e.hint.as_deref(), Some("try??x"));
    }

    #[test]
    fn envelope_names_kind() {
        let e = Error::io("cannot open f").with_hint("check the path");
        let v = e.envelope();
        assert_eq!(v["error"], "IO");
        assert_eq!(v["hint"], "check the path");
    }
}
