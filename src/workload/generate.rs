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
/// bits all zero, within the search budget.
pub fn adversarial_keys(n: u64, lowbits: u32) -> Vec<String> {
    let mask = (1u64 << lowbits) - 1;
    let limit = ADVERSARIAL_SEARCH_BUDGET.max(mask + 1) * 4;
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
        let budget = (ADVERSARIAL_SEARCH_BUDGET >> params.adversarial_lowbits).max(1);
        adversarial_keys(params.key_space.min(budget), params.adversarial_lowbits)
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
}
