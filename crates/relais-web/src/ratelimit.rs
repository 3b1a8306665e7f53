//! Per-address limit on sign-in attempts (in memory, per process; the
//! throttle per account and address, stored in the database, holds across
//! nodes), and the address key that throttle uses.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max: u32,
    window: Duration,
    /// Keyed like the sign-in throttle: an IPv6 client by its /64, so a
    /// client with a whole prefix gets one allowance, not one per address.
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Records an attempt; false when the address is over its allowance.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let Ok(mut hits) = self.hits.lock() else {
            return true;
        };
        if hits.len() > 10_000 {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = hits.entry(throttle_address(ip)).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.max as usize {
            return false;
        }
        q.push_back(now);
        true
    }
}

/// The client address as the sign-in throttle keys it: an IPv4 address as
/// it is (IPv4-mapped IPv6 included), an IPv6 address by its /64 network,
/// which one subscriber usually holds whole.
pub fn throttle_address(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_keys() {
        let v4: IpAddr = [192, 0, 2, 7].into();
        assert_eq!(throttle_address(v4), "192.0.2.7");
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap_or(v4);
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap_or(v4);
        assert_eq!(throttle_address(a), "2001:db8:1:2::/64");
        assert_eq!(throttle_address(a), throttle_address(b));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap_or(v4);
        assert_eq!(throttle_address(mapped), "192.0.2.7");
    }

    #[test]
    fn limits_per_address() {
        let l = RateLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!(l.allow(a) && l.allow(a) && l.allow(a));
        assert!(!l.allow(a));
        assert!(l.allow(b));
    }

    #[test]
    fn one_allowance_per_ipv6_prefix() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.allow(a));
        assert!(limiter.allow(b));
        assert!(!limiter.allow(a), "the same /64 shares one allowance");
        assert!(limiter.allow(other));
    }
}
