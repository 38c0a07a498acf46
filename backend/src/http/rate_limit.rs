//! A per-client rate limit for the POST routes (the ones that cost CPU): at most
//! `rate_limit_per_minute` a minute per client, as a GCRA (generic cell rate algorithm) with a
//! burst of the whole minute's allowance, so a person clicking around never notices it and a
//! script hammering the API gets 429 with `Retry-After`.
//!
//! The client is the peer address, or — when the peer is one of `trusted_proxies` — the
//! right-most address in `X-Forwarded-For` that is not itself a trusted proxy (the left-most
//! entries are whatever the client chose to send, so they cannot be trusted).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

#[derive(Debug)]
pub struct RateLimit {
    per_minute: u32,
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    trusted_proxies: Vec<ipnet::IpNet>,
}

impl RateLimit {
    /// `per_minute` 0 turns the limit off.
    pub fn new(per_minute: u32, trusted_proxies: Vec<ipnet::IpNet>) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        RateLimit {
            per_minute,
            limiter,
            trusted_proxies,
        }
    }

    /// Forgets clients whose allowance is full again, so memory follows the active clients,
    /// not every address ever seen. Called once a minute.
    pub fn forget_idle(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&ip))
    }

    /// The client a request comes from (see the module docs).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .collect();
        forwarded
            .iter()
            .rev()
            .find(|ip| !self.trusted(**ip))
            .copied()
            .unwrap_or(peer)
    }

    /// Takes one request of `client`'s allowance, or says how long until it has one.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let Some(l) = &self.limiter else {
            return Ok(());
        };
        l.check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The middleware: writes only (POST, PUT, DELETE) — evaluations, bundles and saves cost CPU or
/// disk; reads are cheap and a page makes many.
pub async fn limit(State(rl): State<Arc<RateLimit>>, req: Request, next: Next) -> Response {
    let writes = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if !writes || rl.limiter.is_none() {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let client = rl.client(peer, req.headers());
    match rl.check(client) {
        Ok(()) => next.run(req).await,
        Err(retry_after) => AppError::TooManyRequests {
            per_minute: rl.per_minute,
            retry_after,
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let rl = RateLimit::new(10, vec!["10.0.0.0/8".parse().unwrap()]);
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let outsider: IpAddr = "203.0.113.9".parse().unwrap();
        // An untrusted peer cannot pick its own key by sending the header.
        assert_eq!(rl.client(outsider, &headers("198.51.100.1")), outsider);
        // Behind the proxy: the right-most address the proxy did not add itself…
        assert_eq!(
            rl.client(proxy, &headers("1.1.1.1, 198.51.100.7, 10.0.0.5")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // …and without the header, the proxy itself.
        assert_eq!(rl.client(proxy, &HeaderMap::new()), proxy);
    }

    #[test]
    fn a_client_past_its_allowance_waits_and_others_do_not() {
        let rl = RateLimit::new(3, Vec::new());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(rl.check(a).is_ok());
        }
        let wait = rl.check(a).unwrap_err();
        // One request's worth of a 3-a-minute allowance: about 20 s.
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(rl.check(b).is_ok());
        assert!(RateLimit::new(0, Vec::new()).check(a).is_ok());
    }
}
