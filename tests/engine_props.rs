//! Every mode must behave exactly like a model HashMap, including under
//! sequences hostile enough to force migrations and compactions.

use std::collections::HashMap;

use adhash::bench::replay::{ReplayOptions, replay, verify_final_state};
use adhash::engine::{AdaptiveConfig, Map, Mode, new_map};
use adhash::with_map;
use adhash::workload::csv::{Limits, WorkloadReader};
use adhash::workload::generate::{GenerateParams, adversarial_keys, generate};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Put(usize, u32),
    Get(usize),
    Del(usize),
    Compact,
}

fn steps(max_len: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        4 => (0usize..300, any::<u32>()).prop_map(|(k, v)| Step::Put(k, v)),
        3 => (0usize..300).prop_map(Step::Get),
        3 => (0usize..300).prop_map(Step::Del),
        1 => Just(Step::Compact),
    ];
    prop::collection::vec(step, 1..max_len)
}

/// Keys: half plain, half colliding in the low 8 hash bits.
fn key_pool() -> Vec<String> {
    let mut keys: Vec<String> = (0..150).map(|i| format!("K{i}")).collect();
    keys.extend(adversarial_keys(150, 8));
    keys
}

/// An adaptive config that migrates (on load and probe length, back and
/// forth) and compacts as often as it can.
fn restless() -> AdaptiveConfig {
    AdaptiveConfig {
        overflow_group_share: 0.0001,
        overflow_group_min: usize::MAX,
        chaining_load_trigger: 0.02,
        max_avg_probe: 0.05,
        tombstone_trigger: 0.05,
        migrate_batch: 3,
        cooldown_ops: 64,
    }
}

fn check_against_model(
    map: &mut dyn Map,
    steps: &[Step],
    keys: &[String],
) -> Result<(), TestCaseError> {
    let mut model: HashMap<String, String> = HashMap::new();
    for s in steps {
        match *s {
            Step::Put(k, v) => {
                let key = &keys[k % keys.len()];
                map.put(key, &v.to_string());
                model.insert(key.clone(), v.to_string());
            }
            Step::Get(k) => {
                let key = &keys[k % keys.len()];
                prop_assert_eq!(map.get(key), model.get(key).map(String::as_str));
            }
            Step::Del(k) => {
                let key = &keys[k % keys.len()];
                prop_assert_eq!(map.del(key), model.remove(key).is_some());
            }
            Step::Compact => map.compact(adhash::engine::CompactionSource::Interval),
        }
        prop_assert_eq!(map.len(), model.len());
    }
    for (k, v) in &model {
        prop_assert_eq!(map.get(k), Some(v.as_str()));
    }
    let mut seen = 0;
    map.for_each(&mut |k, v| {
        seen += 1;
        assert_eq!(model.get(k).map(String::as_str), Some(v));
    });
    prop_assert_eq!(seen, model.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_mode_matches_model(steps in steps(2000), seed in 0u64..4) {
        let keys = key_pool();
        for mode in Mode::ALL {
            let mut map = new_map(mode, seed, AdaptiveConfig::default());
            check_against_model(map.as_mut(), &steps, &keys)?;
        }
    }

    #[test]
    fn restless_adaptive_matches_model(steps in steps(4000)) {
        let keys = key_pool();
        let mut map = new_map(Mode::Adaptive, 0, restless());
        check_against_model(map.as_mut(), &steps, &keys)?;
        // The same, but overflowing groups may trigger too.
        let skew_sensitive = AdaptiveConfig { overflow_group_min: 1, ..restless() };
        let mut map = new_map(Mode::Adaptive, 0, skew_sensitive);
        check_against_model(map.as_mut(), &steps, &keys)?;
    }
}

/// Run a pseudo-random mix against `map` and the model; return the events.
fn churn(map: &mut dyn Map, ops: u64) -> Vec<adhash::engine::MapEvent> {
    let keys = key_pool();
    let mut model = HashMap::new();
    let mut x: u64 = 42;
    for i in 0..ops {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let key = &keys[((x >> 16) % keys.len() as u64) as usize];
        match x % 3 {
            0 => {
                map.put(key, &i.to_string());
                model.insert(key.clone(), i.to_string());
            }
            1 => assert_eq!(map.del(key), model.remove(key).is_some()),
            _ => assert_eq!(map.get(key), model.get(key).map(String::as_str)),
        }
    }
    assert_eq!(map.len(), model.len());
    let mut events = Vec::new();
    map.take_events(&mut events);
    events
}

#[test]
fn restless_adaptive_really_migrates_and_compacts() {
    use adhash::engine::MapEvent;
    let mut map = new_map(Mode::Adaptive, 0, restless());
    let events = churn(map.as_mut(), 50_000);
    let migrations = events
        .iter()
        .filter(|e| matches!(e, MapEvent::Migration { .. }))
        .count();
    assert!(migrations >= 2, "{migrations} migrations: there and back");

    // Settle on Robin Hood and let tombstones pile up.
    let compacting = AdaptiveConfig {
        max_avg_probe: f64::INFINITY,
        ..restless()
    };
    let mut map = new_map(Mode::Adaptive, 0, compacting);
    let events = churn(map.as_mut(), 50_000);
    let compactions = events
        .iter()
        .filter(|e| matches!(e, MapEvent::Compaction { .. }))
        .count();
    assert!(compactions >= 1, "{compactions} compactions");
    assert_eq!(map.backend(), "robinhood");
}

fn workload(params: &GenerateParams) -> adhash::workload::trace::Trace {
    let mut bytes = Vec::new();
    generate(params, &mut bytes).unwrap();
    let reader = WorkloadReader::from_reader(&bytes[..], "gen", Limits::default()).unwrap();
    adhash::workload::trace::Trace::read(&mut { reader }).unwrap()
}

/// Replay `params`' workload in adaptive mode with the load trigger off, so
/// only skew (overflowing groups) can make it migrate.
fn replay_skew_only(params: GenerateParams) -> adhash::bench::replay::ReplayOutcome {
    let records = workload(&params);
    let skew_only = AdaptiveConfig {
        chaining_load_trigger: f64::INFINITY,
        ..AdaptiveConfig::default()
    };
    with_map!(Mode::Adaptive, 0, skew_only, |m| {
        replay(m, &records, ReplayOptions::default())
    })
    .unwrap()
}

#[test]
fn adversarial_workload_makes_adaptive_migrate() {
    let out = replay_skew_only(GenerateParams {
        ops: 60_000,
        read_ratio: 0.3,
        adversarial_ratio: 0.3,
        adversarial_lowbits: 6,
        ..Default::default()
    });
    assert!(out.migrations >= 1, "adaptive did not migrate");
    assert_eq!(out.final_backend, "robinhood");
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, adhash::bench::summary::EventRecord::Migration { .. })),
        "no migration event"
    );
}

#[test]
fn uniform_workload_does_not_look_skewed() {
    let out = replay_skew_only(GenerateParams {
        ops: 60_000,
        read_ratio: 0.3,
        ..Default::default()
    });
    assert_eq!(out.migrations, 0);
    assert_eq!(out.final_backend, "chaining");
}

#[test]
fn all_modes_end_in_the_same_state() {
    let records = workload(&GenerateParams {
        ops: 30_000,
        key_skew: 1.1,
        adversarial_ratio: 0.1,
        ..Default::default()
    });
    let mut sums = Vec::new();
    for mode in Mode::ALL {
        let out = with_map!(mode, 3, AdaptiveConfig::default(), |m| {
            replay(m, &records, ReplayOptions::default())
        })
        .unwrap();
        sums.push((out.final_size, out.final_checksum));
    }
    assert!(sums.windows(2).all(|w| w[0] == w[1]), "{sums:?}");
}

#[test]
fn memory_tight_is_smaller_than_fast_lookup() {
    let records = workload(&GenerateParams {
        ops: 50_000,
        key_space: 20_000,
        read_ratio: 0.5,
        ..Default::default()
    });
    let mem = |mode| {
        with_map!(mode, 0, AdaptiveConfig::default(), |m| replay(
            m,
            &records,
            ReplayOptions::default()
        ))
        .unwrap()
        .map_memory_bytes
    };
    let tight = mem(Mode::MemoryTight);
    let fast = mem(Mode::FastLookup);
    assert!(tight < fast, "memory-tight {tight} >= fast-lookup {fast}");
}

#[test]
fn verify_final_state_counts_pairs() {
    let mut m = new_map(Mode::FastInsert, 0, AdaptiveConfig::default());
    m.put("a", "1");
    m.put("b", "2");
    let (n, sum) = verify_final_state(m.as_ref()).unwrap();
    assert_eq!(n, 2);
    let mut expected = adhash::hashing::StateChecksum::default();
    expected.add("a", "1");
    expected.add("b", "2");
    assert_eq!(sum, expected);
}
