//! The shape every protocol state machine shares, so that one driver (a session, a test's
//! simulated link) runs any of them.

use std::time::Duration;

use super::MavMessage;

/// A protocol exchange with a vehicle, sans IO: fed messages and the clock, it returns messages
/// to send; once finished, [`Transaction::outcome`] holds its result.
///
/// `now` is any monotonic clock (a session uses time since it started; tests use a simulated
/// clock). `from` is the sender's (system id, component id).
pub trait Transaction {
    /// The result: `Result<Report, Error>`.
    type Output;

    /// Starts the exchange: the first messages to send.
    fn start(&mut self, now: Duration) -> Vec<MavMessage>;

    /// Feeds one received message; returns what to send in answer.
    fn on_message(&mut self, now: Duration, from: (u8, u8), msg: &MavMessage) -> Vec<MavMessage>;

    /// The clock moved; returns retransmissions that are due.
    fn on_tick(&mut self, now: Duration) -> Vec<MavMessage>;

    /// When `on_tick` is next due (`None` when finished or waiting for nothing).
    fn deadline(&self) -> Option<Duration>;

    /// The result, once finished.
    fn outcome(&self) -> Option<&Self::Output>;

    /// Whether the exchange has finished.
    fn is_done(&self) -> bool {
        self.outcome().is_some()
    }
}

/// Implements [`Transaction`] for a type by delegating to its inherent methods of the same names.
macro_rules! delegate_transaction {
    ($t:ty, $out:ty) => {
        impl $crate::link::transaction::Transaction for $t {
            type Output = $out;
            fn start(&mut self, now: std::time::Duration) -> Vec<$crate::link::MavMessage> {
                <$t>::start(self, now)
            }
            fn on_message(
                &mut self,
                now: std::time::Duration,
                from: (u8, u8),
                msg: &$crate::link::MavMessage,
            ) -> Vec<$crate::link::MavMessage> {
                <$t>::on_message(self, now, from, msg)
            }
            fn on_tick(&mut self, now: std::time::Duration) -> Vec<$crate::link::MavMessage> {
                <$t>::on_tick(self, now)
            }
            fn deadline(&self) -> Option<std::time::Duration> {
                <$t>::deadline(self)
            }
            fn outcome(&self) -> Option<&Self::Output> {
                <$t>::outcome(self)
            }
        }
    };
}
pub(crate) use delegate_transaction;
