//! Round-trip time measurement and the retransmission timeout that follows from it.
//!
//! The estimator is TCP's (RFC 6298): a smoothed round trip and its mean deviation, sampled only
//! from exchanges that were not retransmitted (Karn's rule), so that a timeout tracks the link
//! actually in use — 20 ms on a loopback, seconds on a long-range radio.
//!
//! Two guards against a vehicle's own retransmissions, which Karn's rule cannot see (an answer
//! to our first request may really answer the vehicle's re-request a second later): a sample
//! far above the smallest round trip seen is ignored when it is isolated (none in the eight
//! samples before it); recurring ones are a slow or jittery link and count, and a new smallest sample under half the smoothed round trip restarts the estimate
//! (the first sample was such an answer).

use std::time::Duration;

/// Smoothed round-trip time and the timeout derived from it.
#[derive(Debug, Clone)]
pub struct RttEstimator {
    srtt_s: Option<f64>,
    rttvar_s: f64,
    min_s: Option<f64>,
    samples: u64,
    last_outlier: Option<u64>,
    initial: Duration,
    min: Duration,
    max: Duration,
}

impl RttEstimator {
    /// An estimator that answers `initial` until it has a sample, and never less than `min`
    /// nor more than `max`.
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        Self {
            srtt_s: None,
            rttvar_s: 0.0,
            min_s: None,
            samples: 0,
            last_outlier: None,
            initial,
            min,
            max,
        }
    }

    /// Adds one measured round trip.
    pub fn sample(&mut self, rtt: Duration) {
        let r = rtt.as_secs_f64();
        self.samples += 1;
        if let Some(m) = self.min_s
            && r > 3.0 * m + 0.020
        {
            let isolated = self.last_outlier.is_none_or(|l| self.samples - l > 8);
            self.last_outlier = Some(self.samples);
            if isolated {
                return;
            }
        }
        let new_min = self.min_s.is_none_or(|m| r < m);
        self.min_s = Some(self.min_s.map_or(r, |m| m.min(r)));
        if new_min && self.srtt_s.is_some_and(|s| r < s / 2.0) {
            self.srtt_s = None;
        }
        match self.srtt_s {
            None => {
                self.srtt_s = Some(r);
                self.rttvar_s = r / 2.0;
            }
            Some(s) => {
                self.rttvar_s = 0.75 * self.rttvar_s + 0.25 * (s - r).abs();
                self.srtt_s = Some(0.875 * s + 0.125 * r);
            }
        }
    }

    /// The smoothed round trip, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt_s.map(Duration::from_secs_f64)
    }

    /// How long to wait for an answer before asking again.
    ///
    /// `srtt + 4·rttvar`, but at least `1.25·srtt + 10 ms`: on a link with a steady delay the
    /// deviation decays to zero and a timeout equal to the round trip would fire on every
    /// slightly late answer.
    pub fn timeout(&self) -> Duration {
        let t = match self.srtt_s {
            None => return self.initial,
            Some(s) => (s + 4.0 * self.rttvar_s).max(1.25 * s + 0.010),
        };
        Duration::from_secs_f64(t).clamp(self.min, self.max)
    }

    /// The timeout after `retries` consecutive unanswered attempts. The first three retries
    /// keep the timeout (on a lossy radio a lost message is the common case, not congestion);
    /// after that it grows by a quarter per retry up to four times the timeout, and never
    /// beyond the maximum, so that a congested link is not flooded.
    pub fn backoff_timeout(&self, retries: u32) -> Duration {
        let f = 1.25_f64.powi(retries.saturating_sub(3).min(7) as i32);
        self.timeout().mul_f64(f).min(self.max.max(self.timeout()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timeout_follows_a_steady_link_and_backs_off() {
        let mut e = RttEstimator::new(
            Duration::from_millis(1500),
            Duration::from_millis(20),
            Duration::from_secs(3),
        );
        assert_eq!(e.timeout(), Duration::from_millis(1500));
        for _ in 0..50 {
            e.sample(Duration::from_millis(100));
        }
        let t = e.timeout().as_secs_f64();
        assert!((0.134..0.136).contains(&t), "{t}");
        assert_eq!(e.backoff_timeout(3), e.timeout());
        let b = e.backoff_timeout(5).as_secs_f64();
        assert!((b - t * 1.5625).abs() < 1e-6, "{b}");
        let cap = e.backoff_timeout(100).as_secs_f64();
        assert!((cap - t * 1.25_f64.powi(7)).abs() < 1e-6, "{cap}");
    }

    #[test]
    fn a_vehicle_retransmission_does_not_poison_the_estimate() {
        let mut e = RttEstimator::new(
            Duration::from_millis(1500),
            Duration::from_millis(20),
            Duration::from_secs(3),
        );
        // The first answer came from the vehicle's one-second re-request.
        e.sample(Duration::from_millis(1100));
        e.sample(Duration::from_millis(100));
        assert_eq!(e.srtt(), Some(Duration::from_millis(100)));
        // A lone late answer is ignored; another soon after means the link got slower.
        for _ in 0..9 {
            e.sample(Duration::from_millis(100));
        }
        e.sample(Duration::from_millis(1100));
        assert_eq!(e.srtt(), Some(Duration::from_millis(100)));
        e.sample(Duration::from_millis(1100));
        assert!(e.srtt().unwrap() > Duration::from_millis(200));
    }

    #[test]
    fn jittery_link_gets_a_wider_margin() {
        let mut e = RttEstimator::new(
            Duration::from_secs(1),
            Duration::from_millis(20),
            Duration::from_secs(3),
        );
        for i in 0..40 {
            e.sample(Duration::from_millis(if i % 2 == 0 { 50 } else { 250 }));
        }
        assert!(
            e.timeout() > Duration::from_millis(450),
            "{:?}",
            e.timeout()
        );
    }
}
