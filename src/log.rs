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

/// 1234567.8 → "1,234,568".
pub fn thousands(v: f64) -> String {
    let n = v.round() as i128;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// Bytes as a short human size ("12.3 MiB").
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-1234.0), "-1,234");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
