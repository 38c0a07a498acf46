//! Response time of the app tier: what a user waits for a request, predicted from the
//! scalability law and Little's law, and the users at which a latency objective is reached.
//!
//! The app tier of `n` instances of `v` vCPUs is taken as one M/M/c queue of `c = n·v` servers
//! (each request holds one vCPU, [`super::components`]). Crosstalk makes every server slower as
//! instances are added: the Universal Scalability Law's throughput `X(n) = λn / P(n)` with
//! `λ = v / S` and `P(n) = 1 + σ(n − 1) + κn(n − 1)` is what `c` servers deliver when each request
//! holds its vCPU for the **effective service time** `S_eff = S · P(n)` (then `c / S_eff = X(n)`).
//! So a fitted σ and κ lengthen every request, not only cap the tier.
//!
//! With requests arriving at `D` per second, Little's law gives the offered load `A = D · S_eff`
//! Erlangs; `A ≥ c` is a tier that cannot keep up (the queue, and the wait, grow without bound).
//! Below it, a request waits with the Erlang C probability `C(c, A)`, and a waiting request waits
//! an exponential time of rate `θ = c/S_eff − D` ([`super::queueing`]). Its response time is its
//! service (exponential, rate `μ = 1/S_eff`) plus that wait, so
//!
//! ```text
//! mean R   = S_eff + C/θ
//! P(R > t) = (1 − C)·e^(−μt) + C·(θ·e^(−μt) − μ·e^(−θt)) / (θ − μ)      (θ ≠ μ)
//!          = (1 − C)·e^(−μt) + C·(1 + μt)·e^(−μt)                      (θ = μ)
//! ```
//!
//! and a percentile is the `t` at which `P(R > t)` falls to `1 − q`, found by bisection. The
//! exponential service time is an assumption (M/M/c): it makes p95 three service times even on an
//! idle tier, which is pessimistic for very regular requests and optimistic for heavy-tailed ones.
//! Time spent in the database, the cache or the network is outside this figure.

use serde::{Deserialize, Serialize};

use super::queueing::erlang_c;
use crate::scenario::{LatencyObjective, LatencyPercentile};

/// The app tier's queue at one instance count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppQueue {
    /// Servers: instances × vCPUs.
    servers: u32,
    /// Effective seconds a request holds a vCPU, `S · P(n)`.
    service: f64,
}

/// Predicted response times of the app tier at one load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ResponseTime {
    /// The tier keeps up; times in milliseconds.
    Predicted {
        /// Instances the prediction is for.
        instances: u32,
        /// The effective service time `S · P(n)`.
        service_ms: f64,
        mean_ms: f64,
        p50_ms: f64,
        p90_ms: f64,
        p95_ms: f64,
        p99_ms: f64,
        /// Probability that a request waits for a free vCPU (Erlang C).
        wait_probability: f64,
    },
    /// The load reaches what the instances deliver: the queue grows without bound.
    Saturated { instances: u32 },
}

impl ResponseTime {
    /// The named percentile, milliseconds; `None` when saturated.
    pub fn percentile_ms(&self, p: LatencyPercentile) -> Option<f64> {
        match *self {
            ResponseTime::Predicted {
                p50_ms,
                p90_ms,
                p95_ms,
                p99_ms,
                ..
            } => Some(match p {
                LatencyPercentile::P50 => p50_ms,
                LatencyPercentile::P90 => p90_ms,
                LatencyPercentile::P95 => p95_ms,
                LatencyPercentile::P99 => p99_ms,
            }),
            ResponseTime::Saturated { .. } => None,
        }
    }
}

impl AppQueue {
    /// `instances` (at least 1) of `vcpu` vCPUs, each request holding a vCPU `service_seconds`
    /// on one instance alone, slowed by the USL's `σ` and `κ`.
    pub fn new(instances: u32, vcpu: u32, service_seconds: f64, sigma: f64, kappa: f64) -> Self {
        let n = f64::from(instances.max(1));
        let penalty = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0);
        AppQueue {
            servers: instances.max(1).saturating_mul(vcpu.max(1)),
            service: service_seconds * penalty,
        }
    }

    /// Requests per second the instances deliver at most, `X(n) = c / S_eff`.
    pub fn throughput(&self) -> f64 {
        f64::from(self.servers) / self.service
    }

    /// The Erlang C wait probability and the waiting rate `θ` at `arrivals` per second; `None`
    /// when the tier cannot keep up.
    fn wait(&self, arrivals: f64) -> Option<(f64, f64)> {
        let a = arrivals.max(0.0) * self.service;
        let c = f64::from(self.servers);
        if a >= c || !a.is_finite() {
            return None;
        }
        Some((
            erlang_c(self.servers, a),
            c / self.service - arrivals.max(0.0),
        ))
    }

    /// `P(R > t)` at `arrivals` per second, `t` in seconds.
    fn exceeds(&self, wait: (f64, f64), t: f64) -> f64 {
        let (pw, theta) = wait;
        let mu = 1.0 / self.service;
        let served = (-mu * t).exp();
        let waited = if (theta - mu).abs() <= 1e-9 * mu {
            (1.0 + mu * t) * served
        } else {
            (theta * served - mu * (-theta * t).exp()) / (theta - mu)
        };
        ((1.0 - pw) * served + pw * waited).clamp(0.0, 1.0)
    }

    /// The `q` quantile of the response time (seconds) at `wait`, by bisection on `P(R > t)`,
    /// which falls from 1 at `t = 0`.
    fn quantile(&self, wait: (f64, f64), q: f64) -> f64 {
        let tail = 1.0 - q;
        let mut hi = self.service.max(1.0 / wait.1);
        while self.exceeds(wait, hi) > tail && hi < 1e9 {
            hi *= 2.0;
        }
        let mut lo = 0.0;
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if self.exceeds(wait, mid) > tail {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }

    /// Response times at `arrivals` requests per second, for the `instances` it was built with.
    pub fn response(&self, instances: u32, arrivals: f64) -> ResponseTime {
        let Some(wait) = self.wait(arrivals) else {
            return ResponseTime::Saturated { instances };
        };
        let ms = |q: f64| self.quantile(wait, q) * 1_000.0;
        ResponseTime::Predicted {
            instances,
            service_ms: self.service * 1_000.0,
            mean_ms: (self.service + wait.0 / wait.1) * 1_000.0,
            p50_ms: ms(0.50),
            p90_ms: ms(0.90),
            p95_ms: ms(0.95),
            p99_ms: ms(0.99),
            wait_probability: wait.0,
        }
    }

    /// The most requests per second at which `objective` still holds: the largest `D` with
    /// `P(R > objective) ≤ 1 − q` (that probability rises with `D`), 0 when even an idle tier
    /// misses it (the service time alone is too long).
    pub fn objective_throughput(&self, objective: LatencyObjective) -> f64 {
        let t = objective.ms / 1_000.0;
        let tail = 1.0 - objective.percentile.fraction();
        let holds = |d: f64| self.wait(d).is_some_and(|w| self.exceeds(w, t) <= tail);
        if !holds(0.0) {
            return 0.0;
        }
        let (mut lo, mut hi) = (0.0, self.throughput());
        // 2⁻³⁶ of the tier's throughput: far below any figure shown.
        for _ in 0..36 {
            let mid = 0.5 * (lo + hi);
            if holds(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn p95(q: &AppQueue, d: f64) -> f64 {
        q.response(1, d)
            .percentile_ms(LatencyPercentile::P95)
            .unwrap()
    }

    #[test]
    fn one_server_is_the_m_m_1_queue() {
        // M/M/1: the response time is exponential with rate μ − λ, so its mean is 1/(μ − λ) and
        // its q quantile −ln(1 − q)/(μ − λ).
        let q = AppQueue::new(1, 1, 0.010, 0.0, 0.0);
        let ResponseTime::Predicted {
            mean_ms,
            p50_ms,
            p95_ms,
            p99_ms,
            wait_probability,
            ..
        } = q.response(1, 60.0)
        else {
            panic!("100 req/s of capacity carries 60");
        };
        let rate = 100.0 - 60.0;
        assert!((mean_ms - 1_000.0 / rate).abs() < 1e-9, "{mean_ms}");
        assert!((wait_probability - 0.6).abs() < 1e-12);
        for (got, q) in [(p50_ms, 0.5), (p95_ms, 0.95), (p99_ms, 0.99)] {
            let want = -(1.0_f64 - q).ln() / rate * 1_000.0;
            assert!((got - want).abs() < 1e-6 * want, "{q}: {got} vs {want}");
        }
    }

    #[test]
    fn an_idle_tier_answers_in_its_service_time() {
        let q = AppQueue::new(4, 2, 0.020, 0.0, 0.0);
        let r = q.response(4, 0.0);
        let ResponseTime::Predicted {
            mean_ms, p95_ms, ..
        } = r
        else {
            panic!("{r:?}");
        };
        assert!((mean_ms - 20.0).abs() < 1e-9);
        assert!((p95_ms - 20.0 * 20.0_f64.ln()).abs() < 1e-6);
    }

    #[test]
    fn latency_rises_with_load_and_saturates_at_the_usl_throughput() {
        let q = AppQueue::new(10, 2, 0.020, 0.03, 0.0005);
        // X(10) = 2/0.02 · 10 / (1 + 0.27 + 0.045).
        let x = 100.0 * 10.0 / (1.0 + 0.03 * 9.0 + 0.0005 * 90.0);
        assert!((q.throughput() - x).abs() < 1e-9);
        let mut last = 0.0;
        for share in [0.0, 0.3, 0.6, 0.9, 0.99] {
            let p = p95(&q, share * x);
            assert!(p > last, "{share}: {p} ≤ {last}");
            last = p;
        }
        assert!(matches!(
            q.response(10, x),
            ResponseTime::Saturated { instances: 10 }
        ));
    }

    #[test]
    fn crosstalk_lengthens_every_request() {
        let plain = AppQueue::new(20, 1, 0.010, 0.0, 0.0);
        let crowded = AppQueue::new(20, 1, 0.010, 0.05, 0.001);
        assert!(p95(&crowded, 0.0) > p95(&plain, 0.0) * 1.9);
    }

    #[test]
    fn the_objective_throughput_is_where_the_percentile_meets_it() {
        let q = AppQueue::new(6, 2, 0.020, 0.02, 0.0002);
        let objective = LatencyObjective {
            percentile: LatencyPercentile::P95,
            ms: 150.0,
        };
        let d = q.objective_throughput(objective);
        assert!(d > 0.0 && d < q.throughput());
        assert!((p95(&q, d) - 150.0).abs() < 0.01, "{}", p95(&q, d));
        assert!(p95(&q, d * 1.01) > 150.0);
        // An objective below the idle p95 (3 service times ≈ 60 ms) is never met.
        let strict = LatencyObjective {
            percentile: LatencyPercentile::P95,
            ms: 50.0,
        };
        assert_eq!(q.objective_throughput(strict), 0.0);
    }

    #[test]
    fn the_two_tail_formulas_agree_where_they_meet() {
        // θ = μ exactly: 2 servers of μ = 50/s with 50 req/s arriving (θ = 100 − 50).
        let q = AppQueue::new(2, 1, 0.020, 0.0, 0.0);
        let w = q.wait(50.0).unwrap();
        assert!((w.1 - 50.0).abs() < 1e-9);
        let near = q.wait(50.0 + 1e-4).unwrap();
        for t in [0.001, 0.02, 0.1] {
            assert!((q.exceeds(w, t) - q.exceeds(near, t)).abs() < 1e-5);
        }
    }
}
