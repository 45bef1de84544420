//! Seeds for the fault tests: `MAILGATE_SEED` picks one, otherwise a fresh
//! random one; either way it is printed, so a failing run can be replayed.
//! `MAILGATE_RUNS` sets how many consecutive seeds a test runs.

/// The seed to use, printed to stderr.
pub fn seed(test: &str) -> u64 {
    let seed = std::env::var("MAILGATE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand_seed);
    eprintln!("{test}: seed {seed} (replay with MAILGATE_SEED={seed})");
    seed
}

fn rand_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish()
}

/// How many seeds a fault test runs: `MAILGATE_RUNS`, else `default`.
pub fn runs(default: u64) -> u64 {
    std::env::var("MAILGATE_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}
