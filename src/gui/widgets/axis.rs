//! Axis labels that say different things differently: as many decimals as
//! the grid step needs (a 2 ms step reads "0.004 s", not "0.00 s"), and a
//! latency in the unit that fits its size ("0.4 µs", not "0").

/// Decimals that tell marks `step` apart (0 for a step of 1 or more).
pub fn decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 2;
    }
    // A step of 0.25 needs 2 decimals, 0.2 needs 1: round the step to 3
    // significant digits, then count what its fraction needs.
    let mut d = (-step.log10()).ceil().max(0.0) as usize;
    while d < 12 {
        let scaled = step * 10f64.powi(d as i32);
        if (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0) {
            break;
        }
        d += 1;
    }
    d.min(12)
}

/// A value on a seconds axis whose marks are `step` apart.
pub fn seconds(value: f64, step: f64) -> String {
    format!("{:.*} s", decimals(step), clean_zero(value, step))
}

/// A plain number on an axis whose marks are `step` apart.
pub fn number(value: f64, step: f64) -> String {
    format!("{:.*}", decimals(step), clean_zero(value, step))
}

/// A latency given in milliseconds, in ms, µs or ns by the size of the step
/// (so 0.0003–0.0008 ms, marks 0.0001 ms apart, reads 0.3 µs … 0.8 µs).
pub fn latency_ms(value: f64, step: f64) -> String {
    let (scale, unit) = latency_unit(step);
    let (v, s) = (value * scale, step * scale);
    format!("{:.*} {unit}", decimals(s), clean_zero(v, s))
}

/// The scale from milliseconds and the unit name for marks `step_ms` apart.
pub fn latency_unit(step_ms: f64) -> (f64, &'static str) {
    if step_ms >= 0.1 {
        (1.0, "ms")
    } else if step_ms >= 1e-4 {
        (1e3, "µs")
    } else {
        (1e6, "ns")
    }
}

/// -0.000 is 0: a mark a rounding error below zero reads "0".
fn clean_zero(value: f64, step: f64) -> f64 {
    if value.abs() < step * 1e-6 {
        0.0
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals(1.0), 0);
        assert_eq!(decimals(5.0), 0);
        assert_eq!(decimals(0.5), 1);
        assert_eq!(decimals(0.2), 1);
        assert_eq!(decimals(0.25), 2);
        assert_eq!(decimals(0.002), 3);
        assert_eq!(decimals(0.0001), 4);
        assert_eq!(decimals(f64::NAN), 2);
    }

    /// Issue 27, item 2: short runs' time labels and tiny latencies are
    /// told apart, never repeated.
    #[test]
    fn marks_of_short_runs_and_tiny_latencies_differ() {
        let times: Vec<String> = (0..6).map(|i| seconds(i as f64 * 0.002, 0.002)).collect();
        assert_eq!(times[1], "0.002 s");
        let mut unique = times.clone();
        unique.dedup();
        assert_eq!(unique.len(), times.len(), "{times:?}");
        let p99: Vec<String> = [0.0003, 0.0004, 0.0005]
            .iter()
            .map(|v| latency_ms(*v, 0.0001))
            .collect();
        assert_eq!(p99, ["0.3 µs", "0.4 µs", "0.5 µs"]);
        assert_eq!(latency_ms(1.5, 0.5), "1.5 ms");
        assert_eq!(latency_ms(0.0035, 0.0005), "3.5 µs");
        assert_eq!(latency_ms(2.0, 1.0), "2 ms");
        assert_eq!(latency_ms(0.00002, 0.00001), "20 ns");
        assert_eq!(seconds(-1e-12, 0.5), "0.0 s");
        assert_eq!(number(0.75, 0.25), "0.75");
    }
}
