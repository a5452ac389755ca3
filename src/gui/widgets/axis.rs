//! Axis labels that say different things differently: as many decimals as
//! the axis's marks need (marks 2 ms apart read "0.004 s", not "0.00 s"),
//! and a latency in the unit that fits its size ("0.4 µs", not "0"). Every
//! label of an axis is formatted from the axis's visible span, not the
//! mark's own grid level, so one axis never mixes "0.00 µs" with "50 ns".

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

/// The step between labelled marks on an axis spanning `span`: about a
/// quarter of it, rounded to 1, 2 or 5 times a power of ten.
pub fn label_step(span: f64) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    nice(span / 4.0)
}

/// The smallest 1, 2 or 5 times a power of ten not below `rough` (> 0).
pub fn nice(rough: f64) -> f64 {
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough * 0.999)
        .unwrap_or(10.0 * power)
}

/// Decimals for a mark `step` apart from its neighbours on an axis
/// spanning `span`: at least those of the finest marks the axis is likely
/// to label (a fifth of `label_step`), so its labels share a precision,
/// and more if this mark needs them (never a wrong digit).
fn decimals_on(step: f64, span: f64) -> usize {
    decimals(step).max(decimals(label_step(span) / 5.0))
}

/// A value on a seconds axis spanning `span` seconds (the mark `step`
/// from its neighbours).
pub fn seconds(value: f64, step: f64, span: f64) -> String {
    let d = decimals_on(step, span);
    format!("{:.*} s", d, clean_zero(value, step))
}

/// A plain number on an axis spanning `span`.
pub fn number(value: f64, step: f64, span: f64) -> String {
    let d = decimals_on(step, span);
    format!("{:.*}", d, clean_zero(value, step))
}

/// A latency given in milliseconds, in ms, µs or ns: one unit for the whole
/// axis, chosen by its span (0.0003–0.0008 ms reads 0.3 µs … 0.8 µs).
pub fn latency_ms(value: f64, step: f64, span: f64) -> String {
    let (scale, unit) = latency_unit(label_step(span));
    let d = decimals_on(step * scale, span * scale);
    format!("{:.*} {unit}", d, clean_zero(value * scale, step * scale))
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
        // A 10 ms run, marks 2 ms apart: told apart, one precision.
        let times: Vec<String> = (0..6)
            .map(|i| seconds(i as f64 * 0.002, 0.002, 0.01))
            .collect();
        assert_eq!(times[0], "0.000 s");
        assert_eq!(times[1], "0.002 s");
        let mut unique = times.clone();
        unique.dedup();
        assert_eq!(unique.len(), times.len(), "{times:?}");
        // A coarse mark and a fine one of the same axis: same unit, and
        // the same precision.
        assert_eq!(seconds(0.0, 0.01, 0.01), "0.000 s");
        // One unit for a whole latency axis, whatever grid level a mark is.
        let p99: Vec<String> = [
            (0.0, 0.0002),
            (0.00005, 0.00005),
            (0.0003, 0.0001),
            (0.0004, 0.0002),
        ]
        .iter()
        .map(|(v, step)| latency_ms(*v, *step, 0.0008))
        .collect();
        assert!(p99.iter().all(|l| l.ends_with(" µs")), "{p99:?}");
        assert_eq!(p99[2], "0.30 µs");
        assert_eq!(latency_ms(1.5, 0.5, 2.0), "1.5 ms");
        assert_eq!(latency_ms(0.00002, 0.00001, 0.00004), "20 ns");
        assert_eq!(seconds(-1e-12, 0.5, 2.0), "0.0 s");
        assert_eq!(number(0.75, 0.25, 1.0), "0.75");
        assert_eq!(label_step(0.01), 0.005);
    }
}
