//! Commands (`COMMAND_LONG` / `COMMAND_INT`) with acknowledgement, retries and progress, as a
//! sans-IO state machine, and helpers for the commands a patrol needs.
//!
//! A retry of `COMMAND_LONG` increments its `confirmation` field, so the vehicle can tell a
//! retransmission from a new command. `IN_PROGRESS` acknowledgements extend the wait without a
//! retransmission and report progress. `TEMPORARILY_REJECTED` (ArduPilot refusing to arm before
//! its EKF uses GPS) is retried after a pause within a bounded budget, and the refusal is
//! reported if the budget runs out.

use std::time::Duration;

use mavlink::dialects::ardupilotmega::{
    COMMAND_INT_DATA, COMMAND_LONG_DATA, MavCmd, MavFrame, MavMessage, MavResult,
};

use super::items::deg_to_e7;
use super::rtt::RttEstimator;
use super::transaction::delegate_transaction;
use super::transfer::Target;

/// A command and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// The command.
    pub command: MavCmd,
    /// param1..param7 (for `COMMAND_INT`, param5/6 are carried as degE7 in `x`/`y`).
    pub params: [f32; 7],
    /// Send as `COMMAND_INT` in this frame with latitude/longitude in degE7 (`x`, `y`).
    pub int: Option<(MavFrame, i32, i32)>,
}

impl Command {
    /// A `COMMAND_LONG`.
    pub fn long(command: MavCmd, params: [f32; 7]) -> Self {
        Self {
            command,
            params,
            int: None,
        }
    }

    /// Arm (`force` bypasses pre-arm checks with ArduPilot's magic 2989).
    pub fn arm(force: bool) -> Self {
        let p2 = if force { 2989.0 } else { 0.0 };
        Self::long(
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [1.0, p2, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
    }

    /// Disarm (`force` disarms in flight: the vehicle falls).
    pub fn disarm(force: bool) -> Self {
        let p2 = if force { 21196.0 } else { 0.0 };
        Self::long(
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [0.0, p2, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
    }

    /// Set a flight mode by its `custom_mode` number (see [`super::modes::mode_number`]).
    pub fn set_mode(custom_mode: u32) -> Self {
        // param1 = MAV_MODE_FLAG_CUSTOM_MODE_ENABLED; PX4 reads main/sub mode from param2/3.
        let main = ((custom_mode >> 16) & 0xff) as f32;
        let sub = ((custom_mode >> 24) & 0xff) as f32;
        let (p2, p3) = if custom_mode > 0xffff {
            (main, sub)
        } else {
            (custom_mode as f32, 0.0)
        };
        Self::long(
            MavCmd::MAV_CMD_DO_SET_MODE,
            [1.0, p2, p3, 0.0, 0.0, 0.0, 0.0],
        )
    }

    /// Take off to `alt_m` above home.
    pub fn takeoff(alt_m: f32) -> Self {
        Self::long(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, f32::NAN, f32::NAN, f32::NAN, alt_m],
        )
    }

    /// Start the uploaded mission (ArduPilot: in AUTO, armed).
    pub fn mission_start() -> Self {
        Self::long(MavCmd::MAV_CMD_MISSION_START, [0.0; 7])
    }

    /// Return to launch.
    pub fn return_to_launch() -> Self {
        Self::long(MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH, [0.0; 7])
    }

    /// Land where the vehicle is.
    pub fn land() -> Self {
        Self::long(
            MavCmd::MAV_CMD_NAV_LAND,
            [0.0, 0.0, 0.0, f32::NAN, f32::NAN, f32::NAN, 0.0],
        )
    }

    /// Make mission item `seq` the current one.
    pub fn set_current_item(seq: u16) -> Self {
        Self::long(
            MavCmd::MAV_CMD_DO_SET_MISSION_CURRENT,
            [f32::from(seq), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
    }

    /// Go to a point (`MAV_CMD_DO_REPOSITION` as `COMMAND_INT`, altitude above home, switching
    /// to guided mode), at the vehicle's default speed.
    pub fn go_to(lat_deg: f64, lon_deg: f64, alt_m: f32) -> Self {
        Self {
            command: MavCmd::MAV_CMD_DO_REPOSITION,
            params: [-1.0, 1.0, 0.0, f32::NAN, 0.0, 0.0, alt_m],
            int: Some((
                MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
                deg_to_e7(lat_deg),
                deg_to_e7(lon_deg),
            )),
        }
    }

    fn message(&self, target: Target, confirmation: u8) -> MavMessage {
        let p = self.params;
        match self.int {
            None => MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
                param1: p[0],
                param2: p[1],
                param3: p[2],
                param4: p[3],
                param5: p[4],
                param6: p[5],
                param7: p[6],
                command: self.command,
                target_system: target.system,
                target_component: target.component,
                confirmation,
            }),
            Some((frame, x, y)) => MavMessage::COMMAND_INT(COMMAND_INT_DATA {
                param1: p[0],
                param2: p[1],
                param3: p[2],
                param4: p[3],
                x,
                y,
                z: p[6],
                command: self.command,
                target_system: target.system,
                target_component: target.component,
                frame,
                current: 0,
                autocontinue: 0,
            }),
        }
    }
}

/// Timeouts and budgets of a command.
#[derive(Debug, Clone)]
pub struct CommandConfig {
    /// Wait for an acknowledgement before retransmitting.
    pub timeout: Duration,
    /// Retransmissions before giving up.
    pub max_retries: u32,
    /// How long an `IN_PROGRESS` acknowledgement extends the wait.
    pub progress_timeout: Duration,
    /// `TEMPORARILY_REJECTED` answers retried after [`Self::rejected_pause`] (0 = report the
    /// first refusal).
    pub rejected_retries: u32,
    /// Pause before retrying a temporarily rejected command.
    pub rejected_pause: Duration,
}

impl Default for CommandConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_millis(1500),
            max_retries: 3,
            progress_timeout: Duration::from_secs(10),
            rejected_retries: 0,
            rejected_pause: Duration::from_secs(2),
        }
    }
}

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError {
    /// No acknowledgement.
    #[error("{command:?}: no COMMAND_ACK after {tries} tries")]
    Timeout {
        /// The command.
        command: MavCmd,
        /// Transmissions made.
        tries: u32,
    },
    /// The vehicle refused.
    #[error("{command:?}: the vehicle answered {result:?}{}", if *temporarily { " (still refused after the retry budget)" } else { "" })]
    Refused {
        /// The command.
        command: MavCmd,
        /// Its answer.
        result: MavResult,
        /// Whether the refusal was temporary and retries ran out.
        temporarily: bool,
    },
}

/// What a successful command reports.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandReport {
    /// Transmissions made (1 = answered at once).
    pub tries: u32,
    /// `IN_PROGRESS` acknowledgements seen.
    pub progress_updates: u32,
    /// Temporary refusals retried.
    pub refusals: u32,
}

/// One command until acknowledged.
#[derive(Debug, Clone)]
pub struct CommandTransaction {
    target: Target,
    command: Command,
    cfg: CommandConfig,
    rtt: RttEstimator,
    confirmation: u8,
    tries: u32,
    refusals: u32,
    progress_updates: u32,
    progress_pct: Option<u8>,
    sent_at: Duration,
    deadline: Option<Duration>,
    /// A pause after a temporary refusal: resend at the deadline without counting a timeout.
    paused: bool,
    outcome: Option<Result<CommandReport, CommandError>>,
}

impl CommandTransaction {
    /// A transaction for `command` to `target`.
    pub fn new(target: Target, command: Command, cfg: CommandConfig) -> Self {
        let rtt = RttEstimator::new(cfg.timeout, Duration::from_millis(50), cfg.timeout * 2);
        Self {
            target,
            command,
            cfg,
            rtt,
            confirmation: 0,
            tries: 0,
            refusals: 0,
            progress_updates: 0,
            progress_pct: None,
            sent_at: Duration::ZERO,
            deadline: None,
            paused: false,
            outcome: None,
        }
    }

    fn send(&mut self, now: Duration) -> Vec<MavMessage> {
        self.tries += 1;
        self.sent_at = now;
        self.deadline = Some(now + self.rtt.timeout());
        let m = self.command.message(self.target, self.confirmation);
        self.confirmation = self.confirmation.saturating_add(1);
        vec![m]
    }

    /// Sends the command.
    pub fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        self.send(now)
    }

    /// Feeds one message.
    pub fn on_message(
        &mut self,
        now: Duration,
        from: (u8, u8),
        msg: &MavMessage,
    ) -> Vec<MavMessage> {
        let MavMessage::COMMAND_ACK(a) = msg else {
            return Vec::new();
        };
        if self.outcome.is_some()
            || from.0 != self.target.system
            || a.command != self.command.command
        {
            return Vec::new();
        }
        if self.tries == 1 && !self.paused {
            self.rtt.sample(now.saturating_sub(self.sent_at));
        }
        let command = self.command.command;
        match a.result {
            MavResult::MAV_RESULT_ACCEPTED => {
                self.deadline = None;
                self.outcome = Some(Ok(CommandReport {
                    tries: self.tries,
                    progress_updates: self.progress_updates,
                    refusals: self.refusals,
                }));
            }
            MavResult::MAV_RESULT_IN_PROGRESS => {
                self.progress_updates += 1;
                self.progress_pct = Some(a.progress);
                self.deadline = Some(now + self.cfg.progress_timeout);
            }
            MavResult::MAV_RESULT_TEMPORARILY_REJECTED
                if self.refusals < self.cfg.rejected_retries =>
            {
                self.refusals += 1;
                self.paused = true;
                self.deadline = Some(now + self.cfg.rejected_pause);
            }
            result => {
                self.deadline = None;
                self.outcome = Some(Err(CommandError::Refused {
                    command,
                    result,
                    temporarily: result == MavResult::MAV_RESULT_TEMPORARILY_REJECTED
                        && self.cfg.rejected_retries > 0,
                }));
            }
        }
        Vec::new()
    }

    /// Advances the clock; returns a retransmission when due.
    pub fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.outcome.is_some() || self.deadline.is_none_or(|d| now < d) {
            return Vec::new();
        }
        if self.paused {
            // A fresh command after a refusal: a new confirmation sequence.
            self.paused = false;
            self.confirmation = 0;
            self.tries = 0;
            return self.send(now);
        }
        if self.tries > self.cfg.max_retries {
            self.deadline = None;
            self.outcome = Some(Err(CommandError::Timeout {
                command: self.command.command,
                tries: self.tries,
            }));
            return Vec::new();
        }
        self.send(now)
    }

    /// When `on_tick` is next due.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The result, once finished.
    pub fn outcome(&self) -> Option<&Result<CommandReport, CommandError>> {
        self.outcome.as_ref()
    }

    /// The last progress percentage an `IN_PROGRESS` acknowledgement gave.
    pub fn progress(&self) -> Option<u8> {
        self.progress_pct
    }
}

delegate_transaction!(CommandTransaction, Result<CommandReport, CommandError>);
