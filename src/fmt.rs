//! How numbers read in reports, tables and terminals: thousands
//! separators, sizes, and significant digits. One home, so the GUI and the
//! reports never disagree on how a figure is written.

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

/// `v` with `digits` significant digits, in plain notation:
/// 0.000183456 → "0.000183", 12.345 → "12.3", 1234.6 → "1235".
/// A non-zero value never prints as zero.
pub fn significant(v: f64, digits: u32) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    // Rounding can carry into a new digit (0.0009996 → "0.001000"); trim it.
    let rounded: f64 = s.parse().unwrap_or(v);
    if rounded != 0.0 && rounded.abs().log10().floor() as i32 > magnitude && decimals > 0 {
        let decimals = decimals - 1;
        return format!("{v:.decimals$}");
    }
    s
}

/// User text (a key, a name) fit to show: control characters and escape
/// sequences removed, cut to `max` characters with `…` marking the cut.
pub fn shown_text(s: &str, max: usize) -> String {
    let clean = crate::log::printable(s).replace(['\n', '\t'], " ");
    if clean.chars().count() <= max {
        clean
    } else {
        let cut: String = clean.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A multi-line message quoting user text (a parser's error with its
/// source line and caret): each control character becomes `?`, so the
/// caret still points at the right column and no escape reaches a
/// terminal; lines are cut to `max_line` characters and the message to 20
/// lines.
pub fn shown_block(s: &str, max_line: usize) -> String {
    let lines: Vec<String> = s
        .lines()
        .take(20)
        .map(|line| {
            let clean: String = line
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            shown_text(&clean, max_line)
        })
        .collect();
    lines.join("\n")
}

/// A latency in milliseconds with three significant digits, or "-".
pub fn latency_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| significant(x, 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_block_keeps_lines_and_columns() {
        let msg = "error at column 9\n  |\nx = \u{2}\u{1b}[31m\"y\"\n  |     ^";
        let shown = shown_block(msg, 200);
        assert_eq!(shown.lines().count(), 4);
        assert_eq!(shown.lines().nth(2), Some("x = ??[31m\"y\""));
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'));
        let long = format!("{}\nnext", "k".repeat(5000));
        let shown = shown_block(&long, 100);
        assert_eq!(shown.lines().next().unwrap().chars().count(), 100);
        assert_eq!(shown.lines().nth(1), Some("next"));
        assert_eq!(shown_block(&"l\n".repeat(100), 10).lines().count(), 20);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-1234.0), "-1,234");
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(significant(0.000183456, 3), "0.000183");
        assert_eq!(significant(0.0004, 3), "0.000400");
        assert_eq!(significant(12.345, 3), "12.3");
        assert_eq!(significant(1234.6, 3), "1235");
        assert_eq!(significant(0.0009996, 3), "0.00100");
        assert_eq!(significant(0.0, 3), "0");
        assert_ne!(significant(0.0000001, 3), "0.000");
        assert_eq!(latency_ms(None), "-");
    }

    #[test]
    fn user_text_is_cleaned_and_cut() {
        assert_eq!(shown_text("K1", 10), "K1");
        assert_eq!(shown_text("\u{1b}[31mred\nkey", 20), "red key");
        assert_eq!(
            shown_text(&"x".repeat(100), 10),
            format!("{}…", "x".repeat(9))
        );
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
