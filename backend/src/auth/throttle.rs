//! Slowing sign-in after failures, per account name and per client address: the first
//! [`FREE_FAILURES`] failures cost nothing; after that each further failure doubles a waiting
//! time (1 s, 2 s, 4 s… up to [`MAX_WAIT`]) during which that name or address cannot try again
//! (429 with `Retry-After`). A success clears the name and the address. A name is keyed whether
//! or not an account has it, so the answer never tells which names exist.
//!
//! The counts live in this process: each replica slows the attempts it sees. With N replicas an
//! attacker gets at most N times the attempts, still exponentially slowed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before any waiting.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Entries kept at most (names and addresses); past it the oldest half is dropped, so a flood of
/// random names cannot grow memory without bound.
const MAX_ENTRIES: usize = 100_000;
/// A name or address with no failure for this long starts over.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Name(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last: Instant,
    blocked_until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct SignInThrottle {
    records: Mutex<HashMap<Key, Record>>,
}

impl SignInThrottle {
    /// How long `name` or `address` must still wait, if either must.
    pub fn wait(&self, name: &str, address: IpAddr, now: Instant) -> Option<Duration> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        [Key::Name(name.to_owned()), Key::Address(address)]
            .iter()
            .filter_map(|k| records.get(k)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Counts a failed sign-in.
    pub fn failed(&self, name: &str, address: IpAddr, now: Instant) {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if records.len() >= MAX_ENTRIES {
            let mut by_age: Vec<Instant> = records.values().map(|r| r.last).collect();
            by_age.sort_unstable();
            let cutoff = by_age[by_age.len() / 2];
            records.retain(|_, r| r.last > cutoff);
        }
        for key in [Key::Name(name.to_owned()), Key::Address(address)] {
            let r = records.entry(key).or_insert(Record {
                failures: 0,
                last: now,
                blocked_until: None,
            });
            if now.duration_since(r.last) > FORGET_AFTER {
                r.failures = 0;
            }
            r.failures += 1;
            r.last = now;
            if r.failures > FREE_FAILURES {
                let doublings = (r.failures - FREE_FAILURES - 1).min(20);
                let wait = Duration::from_secs(1u64 << doublings).min(MAX_WAIT);
                r.blocked_until = Some(now + wait);
            }
        }
    }

    /// A successful sign-in: the name and the address start over.
    pub fn succeeded(&self, name: &str, address: IpAddr) {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        records.remove(&Key::Name(name.to_owned()));
        records.remove(&Key::Address(address));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_free_ones_wait_longer_each_time() {
        let t = SignInThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let start = Instant::now();
        for _ in 0..FREE_FAILURES {
            t.failed("ada", ip, start);
            assert_eq!(t.wait("ada", ip, start), None);
        }
        t.failed("ada", ip, start);
        assert_eq!(t.wait("ada", ip, start), Some(Duration::from_secs(1)));
        t.failed("ada", ip, start);
        assert_eq!(t.wait("ada", ip, start), Some(Duration::from_secs(2)));
        // The name is slowed from any address, and the address for any name.
        assert_eq!(t.wait("ada", other, start), Some(Duration::from_secs(2)));
        assert_eq!(t.wait("grace", ip, start), Some(Duration::from_secs(2)));
        assert_eq!(t.wait("grace", other, start), None);
        // Waiting it out lets the next attempt through; the cap holds.
        assert_eq!(t.wait("ada", ip, start + Duration::from_secs(3)), None);
        for _ in 0..40 {
            t.failed("ada", ip, start);
        }
        assert_eq!(t.wait("ada", other, start), Some(MAX_WAIT));
        t.succeeded("ada", ip);
        assert_eq!(t.wait("ada", ip, start), None);
    }
}
