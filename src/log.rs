//! Progress and diagnostics on stderr: plain lines, or one JSON object per
//! line under `--log-json`, so stdout stays for results.

use std::io::Write;

#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub json: bool,
    pub quiet: bool,
}

impl Log {
    pub fn info(&self, msg: &str) {
        self.emit("info", msg);
    }

    pub fn warn(&self, msg: &str) {
        self.emit("warn", msg);
    }

    fn emit(&self, level: &str, msg: &str) {
        if self.quiet && level == "info" {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = if self.json {
            writeln!(err, "{}", serde_json::json!({ "level": level, "msg": msg }))
        } else if level == "info" {
            writeln!(err, "{msg}")
        } else {
            writeln!(err, "{level}: {msg}")
        };
    }
}

pub use crate::fmt::{human_bytes, thousands};
