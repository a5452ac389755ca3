//! `adhash export --format bmf|gab REPORT.json` (formats.md §9): a batch
//! report's throughput in the formats trackers that span many machines
//! read — the Bencher Metric Format and github-action-benchmark's
//! `customBiggerIsBetter` — so a CI matrix can chart adhash over time.
//! Pure: a report in, JSON text out.

use serde_json::{Map, Value, json};

use super::result::{JobResult, SuiteResult};
use super::verdict::{self, Metric};

/// A job's median ops/s and, with enough runs, the 97% interval of the
/// median (distribution-free); jobs without a figure are left out.
fn throughput(j: &JobResult) -> Option<verdict::Estimate> {
    let (figures, _) = verdict::figures(j, Metric::Wall);
    verdict::median(&figures, verdict::seed_of(&j.name))
}

/// Bencher Metric Format: `{"<job>": {"throughput": {"value",
/// "lower_value", "upper_value"}}}` (bounds only with an interval).
pub fn bmf(suite: &SuiteResult) -> String {
    let mut out = Map::new();
    for j in &suite.jobs {
        let Some(verdict::Estimate {
            value, interval, ..
        }) = throughput(j)
        else {
            continue;
        };
        let mut m = Map::new();
        m.insert("value".into(), json!(value));
        if let Some((lo, hi)) = interval {
            m.insert("lower_value".into(), json!(lo));
            m.insert("upper_value".into(), json!(hi));
        }
        out.insert(j.name.clone(), json!({ "throughput": Value::Object(m) }));
    }
    pretty(&Value::Object(out))
}

/// github-action-benchmark `customBiggerIsBetter`: `[{name, unit, value,
/// range, extra}]`, `range` the interval's larger half width ("± 12345").
pub fn gab(suite: &SuiteResult) -> String {
    let rows: Vec<Value> = suite
        .jobs
        .iter()
        .filter_map(|j| {
            let e = throughput(j)?;
            let (value, interval, runs) = (e.value, e.interval, e.runs.0);
            let mut row = json!({
                "name": j.name,
                "unit": "ops/s",
                "value": value,
                "extra": format!("{runs} run(s), median; mode {}; csv {}", j.mode, j.csv),
            });
            if let Some((lo, hi)) = interval {
                row["range"] = json!(format!("± {:.0}", (hi - value).max(value - lo)));
            }
            Some(row)
        })
        .collect();
    pretty(&Value::Array(rows))
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::result::{JobStatus, RunRecord};

    fn suite() -> SuiteResult {
        let mut ok = JobResult::planned("std-uniform", "run-csv", "std", "w.csv", 7);
        ok.status = JobStatus::Ok;
        ok.runs = (1..=7)
            .map(|i| RunRecord {
                ops_per_second: Some(f64::from(i) * 1e6),
                duration_seconds: 1.0,
                status: JobStatus::Ok,
                ops_per_cpu_second: None,
                round: None,
            })
            .collect();
        let mut one = JobResult::planned("one", "run-csv", "adaptive", "w.csv", 1);
        one.status = JobStatus::Ok;
        one.ops_per_second = Some(5.0);
        let failed = JobResult::planned("failed", "run-csv", "adaptive", "w.csv", 1);
        SuiteResult::of_jobs("s.toml", vec![ok, one, failed])
    }

    /// The Bencher Metric Format's documented shape: a map of benchmark
    /// names to measures, each with `value` and optional bounds.
    #[test]
    fn bmf_has_the_documented_shape() {
        let v: Value = serde_json::from_str(&bmf(&suite())).unwrap();
        assert_eq!(
            v,
            json!({
                "std-uniform": {"throughput": {"value": 4e6, "lower_value": 1e6, "upper_value": 7e6}},
                "one": {"throughput": {"value": 5.0}}
            })
        );
    }

    /// github-action-benchmark's custom format: a list of {name, unit,
    /// value, range?, extra?}, bigger is better.
    #[test]
    fn gab_has_the_documented_shape() {
        let v: Value = serde_json::from_str(&gab(&suite())).unwrap();
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 2, "no figure, no row");
        assert_eq!(rows[0]["name"], "std-uniform");
        assert_eq!(rows[0]["unit"], "ops/s");
        assert_eq!(rows[0]["value"], 4e6);
        assert_eq!(rows[0]["range"], "± 3000000");
        assert_eq!(rows[0]["extra"], "7 run(s), median; mode std; csv w.csv");
        assert!(rows[1].get("range").is_none());
        for r in rows {
            assert!(r["value"].is_f64() && r["name"].is_string());
        }
    }
}
