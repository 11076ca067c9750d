//! Link impairment for one direction, seeded: loss, latency with jitter, duplication,
//! reordering, bit flips and a bandwidth cap such as a 57600-baud radio. Sans-IO: frames go in
//! with a time and come out when due.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a link does to the frames it carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Impairment {
    /// Probability that a frame is lost, 0 to 1.
    pub loss: f64,
    /// Mean one-way latency, milliseconds.
    pub latency_ms: f64,
    /// Latency jitter (uniform ±), milliseconds.
    pub jitter_ms: f64,
    /// Probability that a frame arrives twice.
    pub duplicate: f64,
    /// Probability that a frame is held back and overtaken by later ones.
    pub reorder: f64,
    /// Probability that one bit of a frame is flipped (the receiver's CRC then drops it).
    pub bit_flip: f64,
    /// Line rate in baud (10 bits a byte on the wire), or None for no cap.
    pub baud: Option<u32>,
    /// Largest backlog waiting for airtime, bytes; more is dropped as a radio's buffer would.
    pub buffer_bytes: usize,
}

impl Default for Impairment {
    fn default() -> Self {
        Self {
            loss: 0.0,
            latency_ms: 0.0,
            jitter_ms: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            bit_flip: 0.0,
            baud: None,
            buffer_bytes: 4096,
        }
    }
}

impl Impairment {
    /// A perfect link.
    pub fn none() -> Self {
        Self::default()
    }

    /// True when the link changes nothing.
    pub fn is_perfect(&self) -> bool {
        *self
            == Self {
                buffer_bytes: self.buffer_bytes,
                ..Self::default()
            }
    }
}

/// Counters for one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Frames offered.
    pub sent: u64,
    /// Frames delivered (duplicates counted).
    pub delivered: u64,
    /// Frames lost at random.
    pub lost: u64,
    /// Frames dropped because the bandwidth backlog was full.
    pub overflowed: u64,
    /// Extra copies delivered.
    pub duplicated: u64,
    /// Frames held back to be overtaken.
    pub reordered: u64,
    /// Frames with a flipped bit.
    pub corrupted: u64,
}

/// One direction of an impaired link.
#[derive(Debug)]
pub struct ImpairedLink {
    cfg: Impairment,
    rng: ChaCha8Rng,
    busy_until_us: u64,
    last_arrival_us: u64,
    order: u64,
    queue: BinaryHeap<Reverse<(u64, u64, Vec<u8>)>>,
    stats: LinkStats,
}

impl ImpairedLink {
    /// A link with impairment `cfg`, its randomness seeded with `seed`.
    pub fn new(cfg: Impairment, seed: u64) -> Self {
        Self {
            cfg,
            rng: ChaCha8Rng::seed_from_u64(seed),
            busy_until_us: 0,
            last_arrival_us: 0,
            order: 0,
            queue: BinaryHeap::new(),
            stats: LinkStats::default(),
        }
    }

    /// The impairment.
    pub fn impairment(&self) -> &Impairment {
        &self.cfg
    }

    /// Counters so far.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    fn push(&mut self, at_us: u64, bytes: Vec<u8>) {
        self.order += 1;
        self.queue.push(Reverse((at_us, self.order, bytes)));
    }

    /// Offer a frame at `now_us`.
    pub fn send(&mut self, now_us: u64, bytes: &[u8]) {
        self.stats.sent += 1;
        let c = self.cfg;

        // Airtime on a rate-limited link, with a bounded backlog.
        let mut depart_us = now_us;
        if let Some(baud) = c.baud.filter(|&b| b > 0) {
            let start = self.busy_until_us.max(now_us);
            let backlog_bytes = (start - now_us) as f64 * f64::from(baud) / 10.0 / 1e6;
            if backlog_bytes > c.buffer_bytes as f64 {
                self.stats.overflowed += 1;
                return;
            }
            let airtime_us = (bytes.len() as f64 * 10.0 / f64::from(baud) * 1e6).ceil() as u64;
            self.busy_until_us = start + airtime_us;
            depart_us = self.busy_until_us;
        }
        if c.loss > 0.0 && self.rng.random::<f64>() < c.loss {
            self.stats.lost += 1;
            return;
        }

        let mut frame = bytes.to_vec();
        if c.bit_flip > 0.0 && !frame.is_empty() && self.rng.random::<f64>() < c.bit_flip {
            let bit = self.rng.random_range(0..frame.len() * 8);
            frame[bit / 8] ^= 1 << (bit % 8);
            self.stats.corrupted += 1;
        }

        let jitter = if c.jitter_ms > 0.0 {
            self.rng.random_range(-c.jitter_ms..=c.jitter_ms)
        } else {
            0.0
        };
        let delay_us = ((c.latency_ms + jitter).max(0.0) * 1000.0) as u64;
        let mut arrival = depart_us + delay_us;
        if c.reorder > 0.0 && self.rng.random::<f64>() < c.reorder {
            // Held back long enough for the next few frames to overtake it.
            arrival += ((c.latency_ms.max(10.0) + 20.0) * 1000.0) as u64;
            self.stats.reordered += 1;
        } else {
            // Jitter alone keeps a link's order, as a serial radio does.
            arrival = arrival.max(self.last_arrival_us);
            self.last_arrival_us = arrival;
        }
        if c.duplicate > 0.0 && self.rng.random::<f64>() < c.duplicate {
            self.stats.duplicated += 1;
            let again = arrival + self.rng.random_range(0..=2_000);
            self.push(again, frame.clone());
        }
        self.push(arrival, frame);
    }

    /// Frames due by `now_us`, in arrival order.
    pub fn poll(&mut self, now_us: u64) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(Reverse((at, _, _))) = self.queue.peek() {
            if *at > now_us {
                break;
            }
            if let Some(Reverse((_, _, bytes))) = self.queue.pop() {
                out.push(bytes);
            }
        }
        self.stats.delivered += out.len() as u64;
        out
    }

    /// When the next frame is due, if any is in flight.
    pub fn next_delivery_us(&self) -> Option<u64> {
        self.queue.peek().map(|Reverse((at, _, _))| *at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_link_delivers_at_once_in_order() {
        let mut l = ImpairedLink::new(Impairment::none(), 1);
        l.send(0, &[1]);
        l.send(0, &[2]);
        assert_eq!(l.poll(0), vec![vec![1], vec![2]]);
    }

    #[test]
    fn baud_cap_spaces_frames_by_airtime() {
        let cfg = Impairment {
            baud: Some(57_600),
            ..Impairment::none()
        };
        let mut l = ImpairedLink::new(cfg, 1);
        let frame = vec![0u8; 72]; // 720 bits: 12.5 ms at 57600 baud
        l.send(0, &frame);
        l.send(0, &frame);
        assert_eq!(l.next_delivery_us(), Some(12_500));
        assert_eq!(l.poll(12_499).len(), 0);
        assert_eq!(l.poll(12_500).len(), 1);
        assert_eq!(l.poll(25_000).len(), 1);
    }

    #[test]
    fn loss_rate_is_near_the_setting_and_seeded() {
        let cfg = Impairment {
            loss: 0.3,
            ..Impairment::none()
        };
        let run = |seed| {
            let mut l = ImpairedLink::new(cfg, seed);
            for i in 0..10_000u64 {
                l.send(i, &[0]);
            }
            l.stats().lost
        };
        let lost = run(5);
        assert_eq!(lost, run(5));
        assert!((2800..3200).contains(&lost), "{lost}");
    }

    #[test]
    fn latency_and_duplication() {
        let cfg = Impairment {
            latency_ms: 50.0,
            duplicate: 1.0,
            ..Impairment::none()
        };
        let mut l = ImpairedLink::new(cfg, 3);
        l.send(1_000, &[7]);
        assert!(l.poll(50_999).is_empty());
        assert_eq!(l.poll(60_000), vec![vec![7], vec![7]]);
    }
}
