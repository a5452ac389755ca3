//! `generate-csv`: uniform, Zipf and adversarial workloads from a portable
//! seeded RNG (ChaCha8), so one seed gives a byte-identical file everywhere.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};

use super::csv::{Op, WorkloadWriter, write_atomic};
use crate::error::{Error, Result};
use crate::hashing::hash_key;

/// Candidate keys we are willing to hash while looking for adversarial
/// keys (about a second of XXH3). It caps how many distinct adversarial keys
/// a high `--adversarial-lowbits` can yield.
pub const ADVERSARIAL_SEARCH_BUDGET: u64 = 1 << 26;

/// Candidates `adversarial_keys` hashes at most: four times the budget.
/// `generate` asks for the keys the budget holds on average (budget >>
/// lowbits), and four times leaves room for luck.
const ADVERSARIAL_SEARCH_LIMIT: u64 = ADVERSARIAL_SEARCH_BUDGET * 4;

#[derive(Debug, Clone, PartialEq)]
pub struct GenerateParams {
    pub ops: u64,
    pub read_ratio: f64,
    pub key_skew: f64,
    pub key_space: u64,
    pub seed: u64,
    pub del_ratio: f64,
    pub adversarial_ratio: f64,
    pub adversarial_lowbits: u32,
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            ops: 100_000,
            read_ratio: 0.8,
            key_skew: 0.0,
            key_space: 10_000,
            seed: 1337,
            del_ratio: 0.2,
            adversarial_ratio: 0.0,
            adversarial_lowbits: 6,
        }
    }
}

impl GenerateParams {
    pub fn validate(&self) -> Result<()> {
        let ratio = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::bad_input(format!(
                    "--{name} must be between 0 and 1, got {v}"
                )))
            }
        };
        ratio("read-ratio", self.read_ratio)?;
        ratio("del-ratio", self.del_ratio)?;
        ratio("adversarial-ratio", self.adversarial_ratio)?;
        if self.ops == 0 {
            return Err(Error::bad_input("--ops must be at least 1"));
        }
        if self.key_space == 0 {
            return Err(Error::bad_input("--key-space must be at least 1"));
        }
        if !(self.key_skew >= 0.0 && self.key_skew.is_finite()) {
            return Err(Error::bad_input(format!(
                "--key-skew must be 0 (uniform) or a positive Zipf exponent, got {}",
                self.key_skew
            )));
        }
        if !(1..=24).contains(&self.adversarial_lowbits) {
            return Err(Error::bad_input(format!(
                "--adversarial-lowbits must be between 1 and 24, got {}",
                self.adversarial_lowbits
            )));
        }
        Ok(())
    }
}

/// The first `n` keys `A<j>` whose XXH3-64 (seed 0) has its low `lowbits`
/// bits all zero, within the search limit.
pub fn adversarial_keys(n: u64, lowbits: u32) -> Vec<String> {
    adversarial_search(n, lowbits, ADVERSARIAL_SEARCH_LIMIT)
}

/// `adversarial_keys` among the first `limit` candidates (`A0` .. `A<limit-1>`).
fn adversarial_search(n: u64, lowbits: u32, limit: u64) -> Vec<String> {
    let mask = (1u64 << lowbits) - 1;
    let mut keys = Vec::new();
    // "A" then j in decimal, incremented in place: no formatting per candidate.
    let mut buf: Vec<u8> = b"A0".to_vec();
    let mut j = 0u64;
    while (keys.len() as u64) < n && j < limit {
        if hash_key(&buf, 0) & mask == 0 {
            keys.push(String::from_utf8_lossy(&buf).into_owned());
        }
        increment_decimal(&mut buf);
        j += 1;
    }
    keys
}

/// How many adversarial keys `generate` looks for: one per key index, but
/// no more than the search budget finds on average (one candidate in
/// 2^lowbits matches), and at least one.
fn adversarial_key_count(key_space: u64, lowbits: u32) -> u64 {
    key_space.min((ADVERSARIAL_SEARCH_BUDGET >> lowbits).max(1))
}

/// Add one to the decimal number after the first byte of `buf`.
fn increment_decimal(buf: &mut Vec<u8>) {
    let mut i = buf.len() - 1;
    loop {
        if buf[i] < b'9' {
            buf[i] += 1;
            return;
        }
        buf[i] = b'0';
        if i == 1 {
            buf.insert(1, b'1');
            return;
        }
        i -= 1;
    }
}

/// Draws key indices uniformly or from a Zipf law (index 0 hottest).
enum KeyDist {
    Uniform(u64),
    Zipf(Zipf<f64>),
}

impl KeyDist {
    fn new(space: u64, skew: f64) -> Result<Self> {
        if skew == 0.0 {
            return Ok(KeyDist::Uniform(space));
        }
        Zipf::new(space as f64, skew)
            .map(KeyDist::Zipf)
            .map_err(|e| Error::bad_input(format!("invalid Zipf parameters: {e}")))
    }
    fn sample(&self, rng: &mut ChaCha8Rng) -> u64 {
        match self {
            KeyDist::Uniform(n) => rng.random_range(0..*n),
            KeyDist::Zipf(z) => (z.sample(rng) as u64).saturating_sub(1),
        }
    }
}

/// Write a workload to `out`; returns the rows written.
pub fn generate(params: &GenerateParams, out: &mut dyn std::io::Write) -> Result<u64> {
    params.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let dist = KeyDist::new(params.key_space, params.key_skew)?;
    let adversarial = if params.adversarial_ratio > 0.0 {
        let n = adversarial_key_count(params.key_space, params.adversarial_lowbits);
        adversarial_keys(n, params.adversarial_lowbits)
    } else {
        Vec::new()
    };
    let mut w = WorkloadWriter::new(out)?;
    let mut key = String::new();
    let mut value = String::new();
    for _ in 0..params.ops {
        let idx = dist.sample(&mut rng);
        key.clear();
        if !adversarial.is_empty() && rng.random_bool(params.adversarial_ratio) {
            key.push_str(&adversarial[(idx % adversarial.len() as u64) as usize]);
        } else {
            use std::fmt::Write;
            let _ = write!(key, "K{idx}");
        }
        let op = if rng.random_bool(params.read_ratio) {
            Op::Get
        } else if rng.random_bool(params.del_ratio) {
            Op::Del
        } else {
            Op::Put
        };
        value.clear();
        if op == Op::Put {
            use std::fmt::Write;
            let _ = write!(value, "{}", rng.random_range(0..1_000_000u32));
        }
        w.write(op, &key, &value)?;
    }
    w.finish()?;
    Ok(params.ops)
}

/// Generate into `path` atomically.
pub fn generate_file(params: &GenerateParams, path: &Path) -> Result<u64> {
    params.validate()?;
    let mut rows = 0;
    write_atomic(path, |w| {
        rows = generate(params, w)?;
        Ok(())
    })?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_text(p: &GenerateParams) -> String {
        let mut out = Vec::new();
        generate(p, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn same_seed_same_bytes() {
        let p = GenerateParams {
            ops: 2000,
            key_skew: 1.1,
            adversarial_ratio: 0.2,
            ..Default::default()
        };
        assert_eq!(gen_text(&p), gen_text(&p));
        let q = GenerateParams {
            seed: 7,
            ..p.clone()
        };
        assert_ne!(gen_text(&p), gen_text(&q));
    }

    #[test]
    fn decimal_counter_counts() {
        let mut b = b"A0".to_vec();
        for _ in 0..1000 {
            increment_decimal(&mut b);
        }
        assert_eq!(b, b"A1000");
    }

    #[test]
    fn adversarial_keys_collide_in_low_bits() {
        let keys = adversarial_keys(50, 8);
        assert_eq!(keys.len(), 50);
        for k in &keys {
            assert_eq!(hash_key(k.as_bytes(), 0) & 0xff, 0);
        }
    }

    #[test]
    fn op_mix_follows_ratios() {
        let p = GenerateParams {
            ops: 20_000,
            read_ratio: 0.5,
            del_ratio: 0.5,
            ..Default::default()
        };
        let text = gen_text(&p);
        let gets = text.lines().filter(|l| l.starts_with("get")).count() as f64;
        let dels = text.lines().filter(|l| l.starts_with("del")).count() as f64;
        assert!((gets / 20_000.0 - 0.5).abs() < 0.02);
        assert!((dels / 20_000.0 - 0.25).abs() < 0.02);
    }

    #[test]
    fn zipf_makes_index_zero_hottest() {
        let p = GenerateParams {
            ops: 20_000,
            key_skew: 1.2,
            key_space: 1000,
            ..Default::default()
        };
        let text = gen_text(&p);
        let k0 = text
            .lines()
            .filter(|l| l.split(',').nth(1) == Some("K0"))
            .count();
        let k500 = text
            .lines()
            .filter(|l| l.split(',').nth(1) == Some("K500"))
            .count();
        assert!(k0 > 1000 && k0 > k500 * 20, "{k0} {k500}");
    }

    #[test]
    fn bad_params_are_bad_input() {
        for p in [
            GenerateParams {
                ops: 0,
                ..Default::default()
            },
            GenerateParams {
                read_ratio: 1.5,
                ..Default::default()
            },
            GenerateParams {
                del_ratio: -0.1,
                ..Default::default()
            },
            GenerateParams {
                key_space: 0,
                ..Default::default()
            },
            GenerateParams {
                adversarial_lowbits: 40,
                ..Default::default()
            },
        ] {
            assert_eq!(p.validate().unwrap_err().exit_code(), 2);
        }
    }

    /// Adversarial keys are the first candidates `A0, A1, …` whose hash has
    /// its low bits zero, in order.
    #[test]
    fn adversarial_keys_are_the_first_matching_candidates() {
        let want: Vec<String> = (0..)
            .map(|j| format!("A{j}"))
            .filter(|k| hash_key(k.as_bytes(), 0) & 0x3f == 0)
            .take(40)
            .collect();
        assert_eq!(adversarial_keys(40, 6), want);
        assert!(adversarial_keys(0, 6).is_empty());
        let mut b = b"A9".to_vec();
        increment_decimal(&mut b);
        assert_eq!(b, b"A10");
        let mut b = b"A1999".to_vec();
        increment_decimal(&mut b);
        assert_eq!(b, b"A2000");
        let mut b = b"A0".to_vec();
        increment_decimal(&mut b);
        assert_eq!(b, b"A1");
    }

    fn rows(p: &GenerateParams) -> Vec<(String, String, String)> {
        gen_text(p)
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].to_string(), f[1].to_string(), f[2].to_string())
            })
            .collect()
    }

    /// Keys stay in the key space; every adversarial row uses one of the
    /// key space's first adversarial keys; values go with puts only.
    #[test]
    fn keys_values_and_ops_follow_the_parameters() {
        let keys_of = |p: &GenerateParams| {
            rows(p)
                .into_iter()
                .map(|r| r.1)
                .collect::<std::collections::BTreeSet<_>>()
        };
        let small = GenerateParams {
            ops: 300,
            key_space: 3,
            ..Default::default()
        };
        assert_eq!(keys_of(&small), ["K0", "K1", "K2"].map(String::from).into());
        let zipf = GenerateParams {
            key_skew: 1.5,
            ..small.clone()
        };
        assert_eq!(keys_of(&zipf), ["K0", "K1", "K2"].map(String::from).into());
        let adv = GenerateParams {
            adversarial_ratio: 1.0,
            adversarial_lowbits: 8,
            key_space: 5,
            ..small.clone()
        };
        let want: std::collections::BTreeSet<String> = adversarial_keys(5, 8).into_iter().collect();
        assert_eq!(keys_of(&adv), want);
        for (op, key, value) in rows(&GenerateParams {
            read_ratio: 0.3,
            ..small.clone()
        }) {
            assert!(key.starts_with('K'));
            match op.as_str() {
                "put" => assert!(value.parse::<u32>().is_ok_and(|v| v < 1_000_000), "{value}"),
                _ => assert_eq!(value, ""),
            }
        }
        let ops = |read_ratio, del_ratio| {
            rows(&GenerateParams {
                read_ratio,
                del_ratio,
                ..small.clone()
            })
            .into_iter()
            .map(|r| r.0)
            .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(ops(1.0, 0.5), ["get".to_string()].into());
        assert_eq!(ops(0.0, 0.0), ["put".to_string()].into());
        assert_eq!(ops(0.0, 1.0), ["del".to_string()].into());
    }

    #[test]
    fn parameters_are_checked_at_their_bounds() {
        let ok = |p: GenerateParams| p.validate().map_err(|e| e.detail);
        let d = GenerateParams::default();
        for v in [0.0, 1.0] {
            assert_eq!(
                ok(GenerateParams {
                    read_ratio: v,
                    del_ratio: v,
                    adversarial_ratio: v,
                    ..d.clone()
                }),
                Ok(())
            );
        }
        for v in [-0.01, 1.01, f64::NAN] {
            assert!(
                ok(GenerateParams {
                    read_ratio: v,
                    ..d.clone()
                })
                .unwrap_err()
                .contains("--read-ratio")
            );
            assert!(
                ok(GenerateParams {
                    del_ratio: v,
                    ..d.clone()
                })
                .unwrap_err()
                .contains("--del-ratio")
            );
            assert!(
                ok(GenerateParams {
                    adversarial_ratio: v,
                    ..d.clone()
                })
                .unwrap_err()
                .contains("--adversarial-ratio")
            );
        }
        assert!(
            ok(GenerateParams {
                ops: 0,
                ..d.clone()
            })
            .unwrap_err()
            .contains("--ops")
        );
        assert_eq!(
            ok(GenerateParams {
                ops: 1,
                key_space: 1,
                ..d.clone()
            }),
            Ok(())
        );
        assert!(
            ok(GenerateParams {
                key_space: 0,
                ..d.clone()
            })
            .unwrap_err()
            .contains("--key-space")
        );
        for v in [-0.5, f64::INFINITY, f64::NAN] {
            assert!(
                ok(GenerateParams {
                    key_skew: v,
                    ..d.clone()
                })
                .unwrap_err()
                .contains("--key-skew"),
                "{v}"
            );
        }
        for (bits, good) in [(0, false), (1, true), (24, true), (25, false)] {
            assert_eq!(
                ok(GenerateParams {
                    adversarial_lowbits: bits,
                    ..d.clone()
                })
                .is_ok(),
                good,
                "{bits}"
            );
        }
    }

    /// The file appears whole or not at all; its rows are counted.
    #[test]
    fn generate_file_writes_whole_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.csv");
        let p = GenerateParams {
            ops: 10,
            ..Default::default()
        };
        assert_eq!(generate_file(&p, &path).unwrap(), 10);
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 11);
        let bad = GenerateParams {
            ops: 0,
            ..Default::default()
        };
        assert!(generate_file(&bad, &dir.path().join("x.csv")).is_err());
        assert!(!dir.path().join("x.csv").exists());
    }

    /// The search looks at exactly `limit` candidates, and a key index
    /// gets an adversarial key only while the budget can find one.
    #[test]
    fn adversarial_search_stops_at_its_limit() {
        let matching: Vec<u64> = (0..)
            .filter(|j| hash_key(format!("A{j}").as_bytes(), 0) & 0x3f == 0)
            .take(2)
            .collect();
        let (first, second) = (matching[0], matching[1]);
        assert_eq!(adversarial_search(10, 6, second), [format!("A{first}")]);
        assert_eq!(
            adversarial_search(10, 6, second + 1),
            [format!("A{first}"), format!("A{second}")]
        );
        assert!(adversarial_search(10, 6, first).is_empty());
        assert_eq!(adversarial_key_count(20_000, 8), 20_000);
        assert_eq!(adversarial_key_count(1 << 20, 8), 1 << 18);
        assert_eq!(adversarial_key_count(1000, 24), 4);
        assert_eq!(adversarial_key_count(1000, 27), 1, "at least one");
    }
}
