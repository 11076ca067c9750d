//! Mission, fence and rally transfer as sans-IO state machines: upload, download, clear, and an
//! upload verified by read-back.
//!
//! Each transaction is a value with its own state. It is driven by three calls: [`start`]
//! (messages to send first), [`on_message`] (a message from the vehicle; returns messages to
//! send) and [`on_tick`] (the clock moved; returns retransmissions). [`deadline`] says when the
//! next `on_tick` is due and [`outcome`] holds the result once finished. No sockets, no sleeps:
//! tests feed messages and advance a clock, a session feeds the transport.
//!
//! [`start`]: MissionUpload::start
//! [`on_message`]: MissionUpload::on_message
//! [`on_tick`]: MissionUpload::on_tick
//! [`deadline`]: MissionUpload::deadline
//! [`outcome`]: MissionUpload::outcome

use std::time::Duration;

use mavlink::dialects::ardupilotmega::{
    MISSION_ACK_DATA, MISSION_CLEAR_ALL_DATA, MISSION_COUNT_DATA, MISSION_REQUEST_DATA,
    MISSION_REQUEST_INT_DATA, MISSION_REQUEST_LIST_DATA, MavMessage, MavMissionResult,
};

use super::items::{ListKind, Mismatch, WireItem, compare_stored};
use super::rtt::RttEstimator;
use super::stored::Storage;

/// Who a transaction talks to: the vehicle's system and component id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    /// System id.
    pub system: u8,
    /// Component id (1 = the autopilot).
    pub component: u8,
}

impl Target {
    /// The autopilot of system `system`.
    pub fn autopilot(system: u8) -> Self {
        Self {
            system,
            component: 1,
        }
    }

    fn pair(self) -> (u8, u8) {
        (self.system, self.component)
    }
}

/// Timeouts and retry budgets of a transfer.
#[derive(Debug, Clone)]
pub struct TransferConfig {
    /// Timeout before the first round trip is measured (QGroundControl uses 1.5 s).
    pub initial_timeout: Duration,
    /// Lower bound of the adapted timeout.
    pub min_timeout: Duration,
    /// Upper bound of the adapted timeout, backoff included.
    pub max_timeout: Duration,
    /// Consecutive timeouts without progress before the transfer fails. Counted per step, so a
    /// long mission over a lossy radio is not failed by the sum of unrelated losses.
    pub max_retries: u32,
    /// Fail when nothing at all has been heard from the vehicle for this long (a dead link).
    pub silence_limit: Duration,
    /// Retries alone end a transfer only after this long without progress.
    pub min_stall: Duration,
    /// Items requested at once during a download (1 = strictly one by one).
    pub download_window: usize,
    /// Send `MISSION_ITEM_INT`/`MISSION_REQUEST_INT` (true) or the float `MISSION_ITEM` and
    /// `MISSION_REQUEST` of old autopilots (false). Uploads always answer in the form the
    /// vehicle asked for.
    pub use_int: bool,
    /// On an upload timeout, also send items past the last one asked for (up to
    /// [`Self::upload_burst`]). ArduPilot accepts any item whose sequence number is the one it
    /// waits for, so a lost request costs one timeout instead of the vehicle's own one-second
    /// re-request. Other autopilots answer an unexpected item with an `INVALID_SEQUENCE` NACK,
    /// which uploads ignore.
    pub send_next_on_timeout: bool,
    /// Times an upload starts again after the vehicle cancelled it as stalled.
    pub max_restarts: u32,
    /// Most items sent in one retransmission burst during an upload (see
    /// [`MissionUpload`]); 1 = only the item last asked for.
    pub upload_burst: usize,
}

impl Default for TransferConfig {
    fn default() -> Self {
        Self {
            initial_timeout: Duration::from_millis(1500),
            min_timeout: Duration::from_millis(20),
            max_timeout: Duration::from_secs(3),
            max_retries: 25,
            silence_limit: Duration::from_secs(20),
            min_stall: Duration::from_secs(5),
            download_window: 8,
            use_int: true,
            send_next_on_timeout: true,
            max_restarts: 2,
            upload_burst: 8,
        }
    }
}

/// Why a transfer failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransferError {
    /// The vehicle stopped answering.
    #[error("{kind} {stage}: no answer after {retries} retries ({waited:?} since the last answer)")]
    Timeout {
        /// Which list.
        kind: &'static str,
        /// What was being waited for.
        stage: &'static str,
        /// Retries made.
        retries: u32,
        /// Time since the vehicle was last heard in this transfer.
        waited: Duration,
    },
    /// The vehicle has no room for the list.
    #[error("{kind} upload: the vehicle has no space for {count} items (MISSION_ACK NO_SPACE)")]
    NoSpace {
        /// Which list.
        kind: &'static str,
        /// Items offered (home included).
        count: usize,
    },
    /// The vehicle refused the transfer or an item.
    #[error("{kind} {stage}: the vehicle answered MISSION_ACK {result:?} {}",
        last_seq.map_or_else(|| "before any item".to_string(), |s| format!("after item {s}")))]
    Rejected {
        /// Which list.
        kind: &'static str,
        /// Upload, download or clear.
        stage: &'static str,
        /// The vehicle's answer.
        result: MavMissionResult,
        /// The last item sent or received before the refusal.
        last_seq: Option<u16>,
    },
    /// The vehicle acknowledged an upload before asking for every item.
    #[error(
        "{kind} upload: the vehicle acknowledged after asking for {requested} of {count} items"
    )]
    IncompleteAck {
        /// Which list.
        kind: &'static str,
        /// Items the vehicle asked for.
        requested: usize,
        /// Items offered.
        count: usize,
    },
    /// A download's item count changed under it (another ground station uploaded).
    #[error("{kind} download: the count changed from {was} to {now} during the transfer")]
    CountChanged {
        /// Which list.
        kind: &'static str,
        /// The first count.
        was: usize,
        /// The new count.
        now: usize,
    },
    /// What was read back differs from what was uploaded.
    #[error("{kind} read-back differs in {} field(s); first: {}", mismatches.len(),
        mismatches.first().map(|m| m.to_string()).unwrap_or_default())]
    ReadBackMismatch {
        /// Which list.
        kind: &'static str,
        /// Every differing field.
        mismatches: Vec<Mismatch>,
    },
}

/// Counters a finished transfer reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransferStats {
    /// Messages sent, retransmissions included.
    pub sent: usize,
    /// Timeouts that led to a retransmission.
    pub timeouts: usize,
    /// Requests or items that arrived twice.
    pub duplicates: usize,
    /// Requests for an item before the highest one already requested.
    pub out_of_order: usize,
    /// `INVALID_SEQUENCE` NACKs received and ignored mid-transfer.
    pub nacks: usize,
    /// Uploads started again after the vehicle cancelled them.
    pub restarts: u32,
    /// Whether the float `MISSION_ITEM`/`MISSION_REQUEST` path was used.
    pub used_float: bool,
    /// Deprecated `MISSION_REQUEST`s received during an upload (ArduPilot's SITL asks this way).
    pub legacy_requests: usize,
    /// The smoothed round trip at the end.
    pub srtt: Option<Duration>,
}

/// State shared by the transactions: the clock bookkeeping.
#[derive(Debug, Clone)]
struct Timer {
    rtt: RttEstimator,
    deadline: Option<Duration>,
    retries: u32,
    last_heard: Duration,
    last_progress: Duration,
}

impl Timer {
    fn new(cfg: &TransferConfig) -> Self {
        Self {
            rtt: RttEstimator::new(cfg.initial_timeout, cfg.min_timeout, cfg.max_timeout),
            deadline: None,
            retries: 0,
            last_heard: Duration::ZERO,
            last_progress: Duration::ZERO,
        }
    }

    fn arm(&mut self, now: Duration) {
        self.deadline = Some(now + self.rtt.backoff_timeout(self.retries));
    }

    fn progress(&mut self, now: Duration) {
        self.retries = 0;
        self.last_heard = now;
        self.last_progress = now;
    }

    /// After a timeout: whether the budget allows another try. Retries alone do not end a
    /// transfer before `min_stall` without progress: on a fast link 25 short timeouts pass
    /// before a vehicle's own one-second re-request has had a fair chance.
    fn expired(&mut self, now: Duration, cfg: &TransferConfig) -> bool {
        self.retries += 1;
        let stalled = now.saturating_sub(self.last_progress) >= cfg.min_stall;
        (self.retries > cfg.max_retries && stalled)
            || now.saturating_sub(self.last_heard) > cfg.silence_limit
    }

    fn due(&self, now: Duration) -> bool {
        self.deadline.is_some_and(|d| now >= d)
    }
}

fn ack(target: Target, kind: ListKind, result: MavMissionResult) -> MavMessage {
    MavMessage::MISSION_ACK(MISSION_ACK_DATA {
        target_system: target.system,
        target_component: target.component,
        mavtype: result,
        mission_type: kind.mission_type(),
        opaque_id: 0,
    })
}

fn from_target(target: Target, from: (u8, u8)) -> bool {
    from.0 == target.system && (from.1 == target.component || target.component == 0)
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum UpStage {
    Count,
    Items,
    Done,
}

/// Uploads one list (mission, fence or rally) to a vehicle.
///
/// Sends `MISSION_COUNT` and answers each `MISSION_REQUEST_INT` or `MISSION_REQUEST` (ArduPilot's
/// SITL asks this way) with a `MISSION_ITEM_INT` — or a float `MISSION_ITEM` when
/// [`TransferConfig::use_int`] is off for an old autopilot — in whatever order and as often as
/// the vehicle asks. Succeeds on `MISSION_ACK ACCEPTED` after every item
/// was asked for, or — if that final acknowledgement is lost every time — finishes with
/// [`UploadReport::ack_seen`] false so that a read-back decides.
#[derive(Debug, Clone)]
pub struct MissionUpload {
    target: Target,
    kind: ListKind,
    items: Vec<WireItem>,
    cfg: TransferConfig,
    stage: UpStage,
    timer: Timer,
    /// Highest sequence number requested so far (+1), i.e. items known to be received = this - 1.
    requested: usize,
    /// Last item sent, when it was sent, and whether it was a retransmission.
    last_sent: Option<(u16, Duration, bool)>,
    count_sent_at: Option<(Duration, bool)>,
    /// Highest sequence number ever sent (speculative sends included), for Karn's rule.
    max_sent: Option<u16>,
    restarts: u32,
    /// Items in the last timeout burst, and `INVALID_SEQUENCE` NACKs received since.
    burst_len: usize,
    burst_nacks: usize,
    last_float: bool,
    stats: TransferStats,
    outcome: Option<Result<UploadReport, TransferError>>,
}

/// What a successful upload reports.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadReport {
    /// Items sent (home included).
    pub count: usize,
    /// Whether the vehicle's `MISSION_ACK ACCEPTED` arrived (false: acknowledgements were lost,
    /// every item had been asked for; only a read-back proves the upload).
    pub ack_seen: bool,
    /// Counters.
    pub stats: TransferStats,
}

impl MissionUpload {
    /// An upload of `items` (ArduPilot's home item already included for a mission).
    pub fn new(target: Target, kind: ListKind, items: Vec<WireItem>, cfg: TransferConfig) -> Self {
        let timer = Timer::new(&cfg);
        Self {
            target,
            kind,
            items,
            cfg,
            stage: UpStage::Count,
            timer,
            requested: 0,
            last_sent: None,
            count_sent_at: None,
            max_sent: None,
            restarts: 0,
            burst_len: 0,
            burst_nacks: 0,
            last_float: false,
            stats: TransferStats::default(),
            outcome: None,
        }
    }

    fn count_msg(&self) -> MavMessage {
        MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
            count: self.items.len() as u16,
            target_system: self.target.system,
            target_component: self.target.component,
            mission_type: self.kind.mission_type(),
            opaque_id: 0,
        })
    }

    fn item_msg(&self, seq: u16, float: bool) -> MavMessage {
        let it = &self.items[usize::from(seq)];
        if float {
            MavMessage::MISSION_ITEM(it.to_item_float(seq, self.target.pair(), self.kind, false))
        } else {
            MavMessage::MISSION_ITEM_INT(it.to_item_int(seq, self.target.pair(), self.kind, false))
        }
    }

    fn finish(&mut self, r: Result<UploadReport, TransferError>) {
        self.stage = UpStage::Done;
        self.timer.deadline = None;
        self.outcome = Some(r);
    }

    fn finish_ok(&mut self, ack_seen: bool) {
        self.stats.srtt = self.timer.rtt.srtt();
        let report = UploadReport {
            count: self.items.len(),
            ack_seen,
            stats: self.stats.clone(),
        };
        self.finish(Ok(report));
    }

    /// Starts the upload: the `MISSION_COUNT` to send.
    pub fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        self.timer.progress(now);
        if self.items.len() > usize::from(u16::MAX) {
            self.finish(Err(TransferError::NoSpace {
                kind: self.kind.name(),
                count: self.items.len(),
            }));
            return Vec::new();
        }
        self.count_sent_at = Some((now, false));
        self.timer.arm(now);
        self.stats.sent += 1;
        vec![self.count_msg()]
    }

    /// Feeds one message from `from` (system, component); returns what to send.
    pub fn on_message(
        &mut self,
        now: Duration,
        from: (u8, u8),
        msg: &MavMessage,
    ) -> Vec<MavMessage> {
        if self.stage == UpStage::Done || !from_target(self.target, from) {
            return Vec::new();
        }
        let kind_t = self.kind.mission_type();
        let (seq, float) = match msg {
            MavMessage::MISSION_REQUEST_INT(r) if r.mission_type == kind_t => (r.seq, false),
            // MAVLink: answer MISSION_REQUEST "as though MISSION_REQUEST_INT was received";
            // ArduPilot takes either item form, and the int form keeps 1e-7° precision.
            MavMessage::MISSION_REQUEST(r) if r.mission_type == kind_t => {
                self.stats.legacy_requests += 1;
                (r.seq, !self.cfg.use_int)
            }
            MavMessage::MISSION_ACK(a) if a.mission_type == kind_t => {
                return self.on_ack(now, a.mavtype);
            }
            _ => return Vec::new(),
        };
        self.timer.last_heard = now;
        let s = usize::from(seq);
        if s >= self.items.len() {
            tracing::debug!(
                kind = self.kind.name(),
                seq,
                "request beyond the count ignored"
            );
            return Vec::new();
        }

        // Round-trip sample (Karn: only from a first transmission answered by the next step).
        if s + 1 > self.requested {
            match (self.stage, self.last_sent, self.count_sent_at) {
                (UpStage::Count, _, Some((t, false))) if s == 0 => self.timer.rtt.sample(now - t),
                (UpStage::Items, Some((last, t, false)), _) if usize::from(last) + 1 == s => {
                    self.timer.rtt.sample(now - t)
                }
                _ => {}
            }
            self.timer.progress(now);
            self.requested = s + 1;
        } else if s + 1 == self.requested {
            self.stats.duplicates += 1;
        } else {
            self.stats.out_of_order += 1;
        }

        self.stage = UpStage::Items;
        self.burst_len = 0;
        let retrans = self.max_sent.is_some_and(|m| m >= seq);
        self.max_sent = self.max_sent.max(Some(seq));
        self.last_sent = Some((seq, now, retrans));
        self.last_float = float;
        self.stats.used_float |= float;
        self.timer.arm(now);
        self.stats.sent += 1;
        vec![self.item_msg(seq, float)]
    }

    fn on_ack(&mut self, now: Duration, result: MavMissionResult) -> Vec<MavMessage> {
        self.timer.last_heard = now;
        let kind = self.kind.name();
        match result {
            MavMissionResult::MAV_MISSION_ACCEPTED => {
                // Every item must have been sent: asked for, or sent speculatively after a lost
                // request (the vehicle takes items only in order, so it then had them all).
                let all_sent = self.items.is_empty()
                    || self
                        .max_sent
                        .is_some_and(|m| usize::from(m) + 1 == self.items.len());
                if all_sent {
                    self.requested = self.items.len();
                    self.finish_ok(true);
                } else {
                    self.finish(Err(TransferError::IncompleteAck {
                        kind,
                        requested: self.requested,
                        count: self.items.len(),
                    }));
                }
            }
            // A NACK mid-transfer: the vehicle saw an item it was not waiting for (a duplicate
            // or our speculative next item). The transfer goes on.
            MavMissionResult::MAV_MISSION_INVALID_SEQUENCE => {
                self.stats.nacks += 1;
                // Every item was asked for and the vehicle no longer waits for the last one: it
                // has finished and its ACCEPTED was lost. The read-back decides.
                if self.requested == self.items.len() && self.last_sent.is_some_and(|l| l.2) {
                    self.finish_ok(false);
                    return Vec::new();
                }
                // Every item of the last timeout burst was refused: the vehicle took them all
                // (its requests were lost) and waits for the one after the highest sent. Send
                // it now rather than after another timeout, once per burst.
                if self.burst_len > 0 {
                    self.burst_nacks += 1;
                    let next = self.max_sent.map_or(0, |m| usize::from(m) + 1);
                    // A whole burst that ended with the last item refused: the vehicle waits
                    // for none of them, it has finished and its ACCEPTED was lost.
                    if self.burst_nacks >= self.burst_len && next == self.items.len() {
                        self.finish_ok(false);
                        return Vec::new();
                    }
                    let window_end = self.requested.saturating_sub(1) + self.cfg.upload_burst;
                    if self.burst_nacks >= self.burst_len
                        && next < self.items.len()
                        && next < window_end
                    {
                        self.burst_len = 0;
                        let seq = next as u16;
                        self.max_sent = Some(seq);
                        self.last_sent = Some((seq, now, true));
                        self.timer.arm(now);
                        self.stats.sent += 1;
                        return vec![self.item_msg(seq, self.last_float)];
                    }
                }
            }
            MavMissionResult::MAV_MISSION_NO_SPACE => self.finish(Err(TransferError::NoSpace {
                kind,
                count: self.items.len(),
            })),
            // The vehicle gave up on a stalled upload (ArduPilot after 8 s without progress):
            // start again from the count, a bounded number of times.
            MavMissionResult::MAV_MISSION_OPERATION_CANCELLED
                if self.restarts < self.cfg.max_restarts && self.stage != UpStage::Done =>
            {
                tracing::debug!(kind, "upload cancelled by the vehicle, restarting");
                return self.restart(now);
            }
            other => {
                let last_seq = self.last_sent.map(|l| l.0);
                self.finish(Err(TransferError::Rejected {
                    kind,
                    stage: "upload",
                    result: other,
                    last_seq,
                }))
            }
        }
        Vec::new()
    }

    /// Starts the upload again from `MISSION_COUNT`.
    fn restart(&mut self, now: Duration) -> Vec<MavMessage> {
        self.restarts += 1;
        self.stats.restarts += 1;
        self.stage = UpStage::Count;
        self.requested = 0;
        self.last_sent = None;
        self.max_sent = None;
        self.timer.progress(now);
        self.count_sent_at = Some((now, true));
        self.timer.arm(now);
        self.stats.sent += 1;
        vec![self.count_msg()]
    }

    /// Advances the clock; returns retransmissions due.
    pub fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.stage == UpStage::Done || !self.timer.due(now) {
            return Vec::new();
        }
        // Every item has been sent and the vehicle, still answering, takes none of them: it has
        // them all and its ACCEPTED was lost. Five unanswered bursts are evidence enough; the
        // read-back decides.
        let all_sent = self
            .max_sent
            .is_some_and(|m| usize::from(m) + 1 == self.items.len());
        let heard_recently = now.saturating_sub(self.timer.last_heard) < Duration::from_secs(2);
        if self.stage == UpStage::Items && all_sent && heard_recently && self.timer.retries >= 5 {
            self.finish_ok(false);
            return Vec::new();
        }
        if self.timer.expired(now, &self.cfg) {
            let all_requested = self.requested == self.items.len() && !self.items.is_empty();
            let heard = now.saturating_sub(self.timer.last_heard) <= self.cfg.silence_limit;
            if all_requested {
                // Every item was asked for and the last one sent; only the ACK is missing.
                self.finish_ok(false);
            } else if heard && self.stage == UpStage::Items && self.restarts < self.cfg.max_restarts
            {
                // The vehicle answers but no longer takes items: it dropped the upload (its
                // cancellation lost). Start again.
                tracing::debug!(kind = self.kind.name(), "upload stalled, restarting");
                return self.restart(now);
            } else {
                let stage = if self.stage == UpStage::Count {
                    "count"
                } else {
                    "item request"
                };
                let err = TransferError::Timeout {
                    kind: self.kind.name(),
                    stage,
                    retries: self.timer.retries - 1,
                    waited: now.saturating_sub(self.timer.last_heard),
                };
                self.finish(Err(err));
            }
            return Vec::new();
        }
        self.stats.timeouts += 1;
        self.timer.arm(now);
        let mut out = Vec::new();
        match (self.stage, self.last_sent) {
            (UpStage::Items, Some(_)) => {
                // The vehicle waits for one item between the highest it asked for and the one
                // after the highest sent: it takes items in order, and its requests may have
                // been lost. Send that whole range, in order, so that whichever item it waits
                // for arrives and the ones after it follow. The range grows by one item per
                // unanswered timeout, up to `upload_burst` items.
                let low = self.requested.saturating_sub(1);
                let top = self.max_sent.map_or(low, usize::from);
                let spec = usize::from(self.cfg.send_next_on_timeout);
                let high = (top + spec)
                    .min(low + self.cfg.upload_burst.max(1) - 1)
                    .min(self.items.len() - 1)
                    .max(low);
                for q in low..=high {
                    out.push(self.item_msg(q as u16, self.last_float));
                }
                self.max_sent = self.max_sent.max(Some(high as u16));
                self.last_sent = Some((low as u16, now, true));
            }
            _ => {
                self.count_sent_at = Some((now, true));
                out.push(self.count_msg());
            }
        }
        if self.stage == UpStage::Items {
            self.burst_len = out.len();
            self.burst_nacks = 0;
        }
        self.stats.sent += out.len();
        out
    }

    /// When `on_tick` is next due, `None` once finished.
    pub fn deadline(&self) -> Option<Duration> {
        self.timer.deadline
    }

    /// The result, once finished.
    pub fn outcome(&self) -> Option<&Result<UploadReport, TransferError>> {
        self.outcome.as_ref()
    }

    /// Items the vehicle has asked for so far, and the total.
    pub fn progress(&self) -> (usize, usize) {
        (self.requested, self.items.len())
    }

    /// The items being uploaded.
    pub fn items(&self) -> &[WireItem] {
        &self.items
    }
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum DownStage {
    List,
    Items,
    Done,
}

/// What a download returns.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadReport {
    /// The items, in sequence order (ArduPilot's home at seq 0 for a mission).
    pub items: Vec<WireItem>,
    /// Whether any item came as a float `MISSION_ITEM`.
    pub via_float: bool,
    /// Counters.
    pub stats: TransferStats,
}

/// Downloads one list from a vehicle.
///
/// Sends `MISSION_REQUEST_LIST`, then requests missing items a window at a time
/// ([`TransferConfig::download_window`]), re-requesting only what has not arrived; accepts
/// `MISSION_ITEM_INT` and float `MISSION_ITEM` alike, ignores duplicates, switches to
/// `MISSION_REQUEST` when the vehicle never answers `MISSION_REQUEST_INT`, and ends with
/// `MISSION_ACK ACCEPTED`.
#[derive(Debug, Clone)]
pub struct MissionDownload {
    target: Target,
    kind: ListKind,
    cfg: TransferConfig,
    stage: DownStage,
    timer: Timer,
    slots: Vec<Option<WireItem>>,
    /// Per item: when it was last requested and whether that was a re-request.
    asked: Vec<Option<(Duration, bool)>>,
    received: usize,
    list_sent_at: Option<(Duration, bool)>,
    use_int: bool,
    stats: TransferStats,
    outcome: Option<Result<DownloadReport, TransferError>>,
}

impl MissionDownload {
    /// A download of list `kind`.
    pub fn new(target: Target, kind: ListKind, cfg: TransferConfig) -> Self {
        let timer = Timer::new(&cfg);
        let use_int = cfg.use_int;
        Self {
            target,
            kind,
            cfg,
            stage: DownStage::List,
            timer,
            slots: Vec::new(),
            asked: Vec::new(),
            received: 0,
            list_sent_at: None,
            use_int,
            stats: TransferStats::default(),
            outcome: None,
        }
    }

    /// Reuses a round-trip estimate (a read-back after an upload starts with a tuned timeout).
    pub fn with_rtt(mut self, srtt: Option<Duration>) -> Self {
        if let Some(s) = srtt {
            self.timer.rtt.sample(s);
        }
        self
    }

    fn list_msg(&self) -> MavMessage {
        MavMessage::MISSION_REQUEST_LIST(MISSION_REQUEST_LIST_DATA {
            target_system: self.target.system,
            target_component: self.target.component,
            mission_type: self.kind.mission_type(),
        })
    }

    fn request_msg(&self, seq: u16) -> MavMessage {
        if self.use_int {
            MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
                seq,
                target_system: self.target.system,
                target_component: self.target.component,
                mission_type: self.kind.mission_type(),
            })
        } else {
            MavMessage::MISSION_REQUEST(MISSION_REQUEST_DATA {
                seq,
                target_system: self.target.system,
                target_component: self.target.component,
                mission_type: self.kind.mission_type(),
            })
        }
    }

    fn finish(&mut self, r: Result<DownloadReport, TransferError>) {
        self.stage = DownStage::Done;
        self.timer.deadline = None;
        self.outcome = Some(r);
    }

    /// Starts the download: the `MISSION_REQUEST_LIST` to send.
    pub fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        self.timer.progress(now);
        self.list_sent_at = Some((now, false));
        self.timer.arm(now);
        self.stats.sent += 1;
        vec![self.list_msg()]
    }

    /// Requests the next missing items, up to the window.
    fn fill_window(&mut self, now: Duration, out: &mut Vec<MavMessage>) {
        let in_flight = (0..self.slots.len())
            .filter(|&i| self.slots[i].is_none() && self.asked[i].is_some())
            .count();
        let mut free = self.cfg.download_window.max(1).saturating_sub(in_flight);
        let mut i = 0;
        while free > 0 && i < self.slots.len() {
            if self.slots[i].is_none() && self.asked[i].is_none() {
                self.asked[i] = Some((now, false));
                out.push(self.request_msg(i as u16));
                free -= 1;
            }
            i += 1;
        }
    }

    fn complete(&mut self, out: &mut Vec<MavMessage>) {
        out.push(ack(
            self.target,
            self.kind,
            MavMissionResult::MAV_MISSION_ACCEPTED,
        ));
        self.stats.srtt = self.timer.rtt.srtt();
        let items = self.slots.iter().flatten().copied().collect();
        let report = DownloadReport {
            items,
            via_float: self.stats.used_float,
            stats: self.stats.clone(),
        };
        self.finish(Ok(report));
    }

    /// Feeds one message from `from`; returns what to send.
    pub fn on_message(
        &mut self,
        now: Duration,
        from: (u8, u8),
        msg: &MavMessage,
    ) -> Vec<MavMessage> {
        if self.stage == DownStage::Done || !from_target(self.target, from) {
            return Vec::new();
        }
        let kind_t = self.kind.mission_type();
        let mut out = Vec::new();
        match msg {
            MavMessage::MISSION_COUNT(c) if c.mission_type == kind_t => {
                self.timer.last_heard = now;
                let n = usize::from(c.count);
                if self.stage == DownStage::List {
                    if let Some((t, false)) = self.list_sent_at {
                        self.timer.rtt.sample(now - t);
                    }
                    self.timer.progress(now);
                    if n == 0 {
                        self.complete(&mut out);
                    } else {
                        self.stage = DownStage::Items;
                        self.slots = vec![None; n];
                        self.asked = vec![None; n];
                        self.fill_window(now, &mut out);
                        self.rearm_items();
                    }
                } else if n != self.slots.len() {
                    self.finish(Err(TransferError::CountChanged {
                        kind: self.kind.name(),
                        was: self.slots.len(),
                        now: n,
                    }));
                } else {
                    self.stats.duplicates += 1;
                }
            }
            MavMessage::MISSION_ITEM_INT(m) if m.mission_type == kind_t => {
                self.on_item(now, m.seq, WireItem::from_item_int(m), false, &mut out);
            }
            MavMessage::MISSION_ITEM(m) if m.mission_type == kind_t => {
                self.on_item(now, m.seq, WireItem::from_item_float(m), true, &mut out);
            }
            MavMessage::MISSION_ACK(a) if a.mission_type == kind_t => {
                self.timer.last_heard = now;
                // ACCEPTED and INVALID_SEQUENCE here are late answers to an upload just
                // finished (still in flight); only a refusal ends the download.
                if !matches!(
                    a.mavtype,
                    MavMissionResult::MAV_MISSION_ACCEPTED
                        | MavMissionResult::MAV_MISSION_INVALID_SEQUENCE
                ) {
                    let last_seq = self
                        .slots
                        .iter()
                        .rposition(Option::is_some)
                        .map(|s| s as u16);
                    self.finish(Err(TransferError::Rejected {
                        kind: self.kind.name(),
                        stage: "download",
                        result: a.mavtype,
                        last_seq,
                    }));
                }
            }
            _ => {}
        }
        self.stats.sent += out.len();
        out
    }

    fn on_item(
        &mut self,
        now: Duration,
        seq: u16,
        item: WireItem,
        float: bool,
        out: &mut Vec<MavMessage>,
    ) {
        self.timer.last_heard = now;
        let s = usize::from(seq);
        if self.stage != DownStage::Items || s >= self.slots.len() {
            return;
        }
        if self.slots[s].is_some() {
            self.stats.duplicates += 1;
            return;
        }
        if let Some((t, false)) = self.asked[s] {
            self.timer.rtt.sample(now - t);
        }
        self.stats.used_float |= float;
        self.slots[s] = Some(item);
        self.received += 1;
        self.timer.progress(now);
        if self.received == self.slots.len() {
            self.complete(out);
        } else {
            self.fill_window(now, out);
            self.rearm_items();
        }
    }

    /// Advances the clock; returns re-requests due.
    pub fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.stage == DownStage::Done || !self.timer.due(now) {
            return Vec::new();
        }
        // Each requested item has its own timeout: a lost request is asked again after one
        // timeout even while the rest of the window keeps arriving.
        let due: Vec<usize> = if self.stage == DownStage::Items {
            let rto = self.timer.rtt.backoff_timeout(self.timer.retries);
            (0..self.slots.len())
                .filter(|&i| {
                    self.slots[i].is_none() && self.asked[i].is_some_and(|(t, _)| t + rto <= now)
                })
                .collect()
        } else {
            Vec::new()
        };
        if self.stage == DownStage::Items && due.is_empty() {
            self.rearm_items();
            return Vec::new();
        }
        if self.timer.expired(now, &self.cfg) {
            let err = TransferError::Timeout {
                kind: self.kind.name(),
                stage: if self.stage == DownStage::List {
                    "count"
                } else {
                    "items"
                },
                retries: self.timer.retries - 1,
                waited: now.saturating_sub(self.timer.last_heard),
            };
            self.finish(Err(err));
            return Vec::new();
        }
        self.stats.timeouts += 1;
        let mut out = Vec::new();
        match self.stage {
            DownStage::List => {
                self.list_sent_at = Some((now, true));
                out.push(self.list_msg());
            }
            _ => {
                // Old autopilots answer only MISSION_REQUEST: switch after two silent tries.
                if self.use_int && self.received == 0 && self.timer.retries >= 2 {
                    tracing::debug!(kind = self.kind.name(), "no MISSION_ITEM_INT: falling back");
                    self.use_int = false;
                }
                for i in due {
                    self.asked[i] = Some((now, true));
                    out.push(self.request_msg(i as u16));
                }
            }
        }
        if self.stage == DownStage::Items {
            self.rearm_items();
        } else {
            self.timer.arm(now);
        }
        self.stats.sent += out.len();
        out
    }

    /// The next per-item timeout among the items asked for and not yet received.
    fn rearm_items(&mut self) {
        let rto = self.timer.rtt.backoff_timeout(self.timer.retries);
        self.timer.deadline = (0..self.slots.len())
            .filter(|&i| self.slots[i].is_none())
            .filter_map(|i| self.asked[i].map(|(t, _)| t + rto))
            .min();
    }

    /// When `on_tick` is next due, `None` once finished.
    pub fn deadline(&self) -> Option<Duration> {
        self.timer.deadline
    }

    /// The result, once finished.
    pub fn outcome(&self) -> Option<&Result<DownloadReport, TransferError>> {
        self.outcome.as_ref()
    }

    /// Items received so far, and the total (0 until the count is known).
    pub fn progress(&self) -> (usize, usize) {
        (self.received, self.slots.len())
    }
}

// ---------------------------------------------------------------------------------------------

/// Clears one list on the vehicle (`MISSION_CLEAR_ALL`, until acknowledged).
#[derive(Debug, Clone)]
pub struct MissionClear {
    target: Target,
    kind: ListKind,
    cfg: TransferConfig,
    timer: Timer,
    outcome: Option<Result<(), TransferError>>,
}

impl MissionClear {
    /// A clear of list `kind`.
    pub fn new(target: Target, kind: ListKind, cfg: TransferConfig) -> Self {
        let timer = Timer::new(&cfg);
        Self {
            target,
            kind,
            cfg,
            timer,
            outcome: None,
        }
    }

    fn msg(&self) -> MavMessage {
        MavMessage::MISSION_CLEAR_ALL(MISSION_CLEAR_ALL_DATA {
            target_system: self.target.system,
            target_component: self.target.component,
            mission_type: self.kind.mission_type(),
        })
    }

    /// Starts: the `MISSION_CLEAR_ALL` to send.
    pub fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        self.timer.progress(now);
        self.timer.arm(now);
        vec![self.msg()]
    }

    /// Feeds one message.
    pub fn on_message(
        &mut self,
        now: Duration,
        from: (u8, u8),
        msg: &MavMessage,
    ) -> Vec<MavMessage> {
        if self.outcome.is_some() || !from_target(self.target, from) {
            return Vec::new();
        }
        if let MavMessage::MISSION_ACK(a) = msg
            && a.mission_type == self.kind.mission_type()
        {
            self.timer.last_heard = now;
            self.timer.deadline = None;
            self.outcome = Some(if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED {
                Ok(())
            } else {
                Err(TransferError::Rejected {
                    kind: self.kind.name(),
                    stage: "clear",
                    result: a.mavtype,
                    last_seq: None,
                })
            });
        }
        Vec::new()
    }

    /// Advances the clock.
    pub fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.outcome.is_some() || !self.timer.due(now) {
            return Vec::new();
        }
        if self.timer.expired(now, &self.cfg) {
            self.timer.deadline = None;
            self.outcome = Some(Err(TransferError::Timeout {
                kind: self.kind.name(),
                stage: "clear",
                retries: self.timer.retries - 1,
                waited: now.saturating_sub(self.timer.last_heard),
            }));
            return Vec::new();
        }
        self.timer.arm(now);
        vec![self.msg()]
    }

    /// When `on_tick` is next due.
    pub fn deadline(&self) -> Option<Duration> {
        self.timer.deadline
    }

    /// The result, once finished.
    pub fn outcome(&self) -> Option<&Result<(), TransferError>> {
        self.outcome.as_ref()
    }
}

// ---------------------------------------------------------------------------------------------

/// What a verified upload proves.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedReport {
    /// The upload's report.
    pub upload: UploadReport,
    /// Everything read back (ArduPilot's real home at seq 0 for a mission).
    pub read_back: Vec<WireItem>,
    /// Download counters.
    pub download_stats: TransferStats,
}

#[derive(Debug, Clone)]
enum VerifyStage {
    Upload(MissionUpload),
    ReadBack(UploadReport, MissionDownload),
    Done,
}

/// An upload followed by a read-back that compares every field of every item
/// ([`compare_stored`]); succeeds only when they match. With `home_item` (ArduPilot's mission
/// list) seq 0 is not compared: the vehicle puts its real home there.
#[derive(Debug, Clone)]
pub struct VerifiedUpload {
    target: Target,
    kind: ListKind,
    cfg: TransferConfig,
    home_item: bool,
    storage: Storage,
    sent: Vec<WireItem>,
    stage: VerifyStage,
    attempts: u32,
    outcome: Option<Result<VerifiedReport, TransferError>>,
}

impl VerifiedUpload {
    /// A verified upload of `items` (home item included where the vehicle expects it).
    pub fn new(
        target: Target,
        kind: ListKind,
        items: Vec<WireItem>,
        home_item: bool,
        cfg: TransferConfig,
    ) -> Self {
        let up = MissionUpload::new(target, kind, items.clone(), cfg.clone());
        Self {
            target,
            kind,
            cfg,
            home_item,
            storage: Storage::Exact,
            sent: items,
            stage: VerifyStage::Upload(up),
            attempts: 0,
            outcome: None,
        }
    }

    /// Compares the read-back with what `storage` keeps of each item (default: exactly).
    pub fn with_storage(mut self, storage: Storage) -> Self {
        self.storage = storage;
        self
    }

    /// Starts the upload.
    pub fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        match &mut self.stage {
            VerifyStage::Upload(u) => {
                let out = u.start(now);
                self.advance(now, out)
            }
            _ => Vec::new(),
        }
    }

    /// Feeds one message.
    pub fn on_message(
        &mut self,
        now: Duration,
        from: (u8, u8),
        msg: &MavMessage,
    ) -> Vec<MavMessage> {
        let out = match &mut self.stage {
            VerifyStage::Upload(u) => u.on_message(now, from, msg),
            VerifyStage::ReadBack(_, d) => d.on_message(now, from, msg),
            VerifyStage::Done => return Vec::new(),
        };
        self.advance(now, out)
    }

    /// Advances the clock.
    pub fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        let out = match &mut self.stage {
            VerifyStage::Upload(u) => u.on_tick(now),
            VerifyStage::ReadBack(_, d) => d.on_tick(now),
            VerifyStage::Done => return Vec::new(),
        };
        self.advance(now, out)
    }

    /// Moves from upload to read-back to done as the parts finish.
    fn advance(&mut self, now: Duration, mut out: Vec<MavMessage>) -> Vec<MavMessage> {
        loop {
            let stage = std::mem::replace(&mut self.stage, VerifyStage::Done);
            self.stage = match stage {
                VerifyStage::Upload(u) => match u.outcome() {
                    None => VerifyStage::Upload(u),
                    Some(Err(e)) => {
                        self.outcome = Some(Err(e.clone()));
                        VerifyStage::Done
                    }
                    Some(Ok(rep)) => {
                        let mut d = MissionDownload::new(self.target, self.kind, self.cfg.clone())
                            .with_rtt(rep.stats.srtt);
                        out.extend(d.start(now));
                        self.stage = VerifyStage::ReadBack(rep.clone(), d);
                        continue;
                    }
                },
                VerifyStage::ReadBack(rep, d) => match d.outcome() {
                    None => VerifyStage::ReadBack(rep, d),
                    Some(Err(e)) => {
                        self.outcome = Some(Err(e.clone()));
                        VerifyStage::Done
                    }
                    Some(Ok(dl)) => {
                        let m = compare_stored(
                            &self.sent,
                            &dl.items,
                            self.kind,
                            self.storage,
                            self.home_item,
                            dl.via_float,
                        );
                        if !m.is_empty() && !rep.ack_seen && self.attempts <= self.cfg.max_restarts
                        {
                            // The upload's acknowledgement never came and the vehicle does not
                            // hold the list: it dropped the upload. Upload again.
                            tracing::debug!(
                                kind = self.kind.name(),
                                "read-back differs after a lost ACK, uploading again"
                            );
                            self.attempts += 1;
                            let mut up = MissionUpload::new(
                                self.target,
                                self.kind,
                                self.sent.clone(),
                                self.cfg.clone(),
                            );
                            out.extend(up.start(now));
                            self.stage = VerifyStage::Upload(up);
                            return out;
                        }
                        self.outcome = Some(if m.is_empty() {
                            Ok(VerifiedReport {
                                upload: rep,
                                read_back: dl.items.clone(),
                                download_stats: dl.stats.clone(),
                            })
                        } else {
                            Err(TransferError::ReadBackMismatch {
                                kind: self.kind.name(),
                                mismatches: m,
                            })
                        });
                        VerifyStage::Done
                    }
                },
                VerifyStage::Done => VerifyStage::Done,
            };
            return out;
        }
    }

    /// When `on_tick` is next due.
    pub fn deadline(&self) -> Option<Duration> {
        match &self.stage {
            VerifyStage::Upload(u) => u.deadline(),
            VerifyStage::ReadBack(_, d) => d.deadline(),
            VerifyStage::Done => None,
        }
    }

    /// The result, once finished.
    pub fn outcome(&self) -> Option<&Result<VerifiedReport, TransferError>> {
        self.outcome.as_ref()
    }

    /// `("upload" | "read-back" | "done", done items, total items)`.
    pub fn progress(&self) -> (&'static str, usize, usize) {
        match &self.stage {
            VerifyStage::Upload(u) => {
                let (a, b) = u.progress();
                ("upload", a, b)
            }
            VerifyStage::ReadBack(_, d) => {
                let (a, b) = d.progress();
                ("read-back", a, b)
            }
            VerifyStage::Done => ("done", self.sent.len(), self.sent.len()),
        }
    }
}

use super::transaction::delegate_transaction;
delegate_transaction!(MissionUpload, Result<UploadReport, TransferError>);
delegate_transaction!(MissionDownload, Result<DownloadReport, TransferError>);
delegate_transaction!(MissionClear, Result<(), TransferError>);
delegate_transaction!(VerifiedUpload, Result<VerifiedReport, TransferError>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_item_in_words_not_as_an_option() {
        let e = |last_seq| TransferError::Rejected {
            kind: "mission",
            stage: "upload",
            result: MavMissionResult::MAV_MISSION_UNSUPPORTED,
            last_seq,
        };
        assert_eq!(
            e(Some(3)).to_string(),
            "mission upload: the vehicle answered MISSION_ACK MAV_MISSION_UNSUPPORTED after item 3"
        );
        assert_eq!(
            e(None).to_string(),
            "mission upload: the vehicle answered MISSION_ACK MAV_MISSION_UNSUPPORTED before any \
             item"
        );
    }
}
