//! Queueing formulas for pools of servers: database connections, worker threads.
//!
//! - **Little's law** (Little, 1961): in any stable system, the mean number of items inside equals
//!   the arrival rate times the mean time each spends inside, `L = λ · W`. With queries arriving at
//!   λ per second and each holding a connection for `W` seconds, `λ · W` connections are busy on
//!   average — the *offered load* `A`, in Erlangs.
//! - **Erlang C** (Erlang, 1917; the M/M/c queue): with `c` servers and offered load `A < c`, the
//!   probability that an arrival finds every server busy and must wait is
//!
//!   ```text
//!   C(c, A) = (A^c / c!) · c/(c − A)  /  ( Σ_{k=0}^{c−1} A^k / k!  +  (A^c / c!) · c/(c − A) )
//!   ```
//!
//!   computed here through the numerically stable Erlang B recursion
//!   `B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1))` and `C = c·B / (c − A·(1 − B))`, which never
//!   forms `A^c` or `c!` and so works for thousands of servers. The mean wait of those who wait is
//!   `1 / (c·μ − λ)`, so the mean wait over all arrivals is `W_q = C(c, A) / (c·μ − λ)`.

/// Offered load in Erlangs by Little's law: `arrivals_per_second × seconds_held`.
pub fn offered_load(arrivals_per_second: f64, seconds_held: f64) -> f64 {
    arrivals_per_second * seconds_held
}

/// Erlang B blocking probability for `servers` and offered load `a` (Erlangs).
pub fn erlang_b(servers: u32, a: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    (1..=servers).fold(1.0, |b, k| {
        let ab = a * b;
        ab / (f64::from(k) + ab)
    })
}

/// Erlang C probability of waiting. `1.0` when the pool cannot keep up (`a ≥ servers`): the queue
/// grows without bound and everyone waits.
pub fn erlang_c(servers: u32, a: f64) -> f64 {
    let c = f64::from(servers);
    if a <= 0.0 {
        return 0.0;
    }
    if servers == 0 || a >= c {
        return 1.0;
    }
    let b = erlang_b(servers, a);
    (c * b / (c - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// Mean time an arrival waits for a free server, in the unit of `seconds_held`; infinite when the
/// pool is saturated.
pub fn mean_wait(servers: u32, arrivals_per_second: f64, seconds_held: f64) -> f64 {
    let a = offered_load(arrivals_per_second, seconds_held);
    let c = f64::from(servers);
    if a <= 0.0 {
        return 0.0;
    }
    if a >= c || seconds_held <= 0.0 {
        return f64::INFINITY;
    }
    let mu = 1.0 / seconds_held;
    erlang_c(servers, a) / (c * mu - arrivals_per_second)
}

/// The smallest pool whose probability of waiting is at most `max_wait_probability`
/// (Erlang C staffing). Bounded by `limit`; `None` if even `limit` servers are not enough.
pub fn servers_for(a: f64, max_wait_probability: f64, limit: u32) -> Option<u32> {
    if a <= 0.0 {
        return Some(0);
    }
    // Start just above the load: fewer servers than Erlangs can never keep up.
    let start = a.floor().clamp(0.0, f64::from(limit)) as u32;
    (start..=limit).find(|&c| erlang_c(c, a) <= max_wait_probability)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The textbook closed form, for small `c` only (it overflows for large ones).
    fn erlang_c_direct(c: u32, a: f64) -> f64 {
        let fact = |n: u32| (1..=n).map(f64::from).product::<f64>();
        let top = a.powi(c as i32) / fact(c) * f64::from(c) / (f64::from(c) - a);
        let sum: f64 = (0..c).map(|k| a.powi(k as i32) / fact(k)).sum();
        top / (sum + top)
    }

    #[test]
    fn erlang_c_textbook_values() {
        // M/M/3 with A = 2 Erlangs: P(wait) = 4/9.
        assert!((erlang_c(3, 2.0) - 4.0 / 9.0).abs() < 1e-12);
        // M/M/1 reduces to ρ.
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
        // M/M/2 with A = 1: P(wait) = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn recursion_agrees_with_the_closed_form() {
        for c in 1..=30 {
            for tenth in 1..(c * 10) {
                let a = f64::from(tenth) / 10.0;
                let (r, d) = (erlang_c(c, a), erlang_c_direct(c, a));
                assert!((r - d).abs() < 1e-9, "c={c} a={a}: {r} vs {d}");
            }
        }
    }

    #[test]
    fn saturation_and_large_pools() {
        assert_eq!(erlang_c(10, 10.0), 1.0);
        assert_eq!(erlang_c(10, 0.0), 0.0);
        let p = erlang_c(5_000, 4_900.0);
        assert!(p.is_finite() && (0.0..1.0).contains(&p), "{p}");
    }

    #[test]
    fn little_and_mean_wait() {
        // 200 queries/s × 5 ms = 1 Erlang busy.
        assert!((offered_load(200.0, 0.005) - 1.0).abs() < 1e-12);
        // M/M/1, λ = 0.5, service 1 s: W_q = ρ / (μ − λ) = 0.5 / 0.5 = 1 s.
        assert!((mean_wait(1, 0.5, 1.0) - 1.0).abs() < 1e-12);
        assert!(mean_wait(2, 3.0, 1.0).is_infinite());
    }

    #[test]
    fn staffing_finds_the_smallest_sufficient_pool() {
        let c = servers_for(2.0, 0.2, 100).unwrap();
        assert!(erlang_c(c, 2.0) <= 0.2);
        assert!(erlang_c(c - 1, 2.0) > 0.2);
        assert_eq!(servers_for(0.0, 0.1, 10), Some(0));
        assert_eq!(servers_for(50.0, 0.01, 20), None);
    }
}
