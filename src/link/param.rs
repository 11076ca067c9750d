//! Parameters as sans-IO state machines: read all, get one, set one with verification.
//!
//! Reading all requests the list once, then asks for each missing index by itself
//! (`PARAM_REQUEST_READ`), a window at a time, until every index has arrived. Setting sends
//! `PARAM_SET` until the vehicle echoes the parameter, then compares the echoed value with the
//! one asked for: a vehicle that clamps or refuses a value is reported, not trusted.

use std::collections::BTreeMap;
use std::time::Duration;

use mavlink::dialects::ardupilotmega::{
    MavMessage, MavParamType, PARAM_REQUEST_LIST_DATA, PARAM_REQUEST_READ_DATA, PARAM_SET_DATA,
    PARAM_VALUE_DATA,
};

use super::transaction::delegate_transaction;
use super::transfer::Target;

/// Timeouts and budgets of parameter exchanges.
#[derive(Debug, Clone)]
pub struct ParamConfig {
    /// Wait for an answer (or, during a list, for the next value) before asking again.
    pub timeout: Duration,
    /// Consecutive timeouts without progress before giving up.
    pub max_retries: u32,
    /// Missing indices asked for at once when filling the gaps of a list.
    pub window: usize,
}

impl Default for ParamConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_millis(1000),
            max_retries: 5,
            window: 10,
        }
    }
}

/// Why a parameter exchange failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// No answer.
    #[error("parameter {what}: no answer after {retries} retries")]
    Timeout {
        /// The parameter, or "list".
        what: String,
        /// Retries made.
        retries: u32,
    },
    /// The vehicle kept a different value from the one set.
    #[error("parameter {name}: set to {asked} but the vehicle holds {held}")]
    NotSet {
        /// Parameter name.
        name: String,
        /// The value sent.
        asked: f32,
        /// The value the vehicle reports.
        held: f32,
    },
}

/// One parameter as the vehicle reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamValue {
    /// Name (up to 16 characters).
    pub name: String,
    /// Value (integers are carried in a float, as ArduPilot does).
    pub value: f32,
    /// Type.
    pub kind: MavParamType,
    /// Index in the vehicle's list.
    pub index: u16,
}

fn name_of(p: &PARAM_VALUE_DATA) -> String {
    let raw: &[u8] = &p.param_id[..];
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

fn value_of(p: &PARAM_VALUE_DATA) -> ParamValue {
    ParamValue {
        name: name_of(p),
        value: p.param_value,
        kind: p.param_type,
        index: p.param_index,
    }
}

fn read_msg(target: Target, name: &str, index: i16) -> MavMessage {
    MavMessage::PARAM_REQUEST_READ(PARAM_REQUEST_READ_DATA {
        param_index: index,
        target_system: target.system,
        target_component: target.component,
        param_id: name.into(),
    })
}

// ---------------------------------------------------------------------------------------------

/// Reads every parameter.
#[derive(Debug, Clone)]
pub struct ParamReadAll {
    target: Target,
    cfg: ParamConfig,
    values: BTreeMap<u16, ParamValue>,
    count: Option<u16>,
    deadline: Option<Duration>,
    retries: u32,
    outcome: Option<Result<Vec<ParamValue>, ParamError>>,
}

impl ParamReadAll {
    /// A full read from `target`.
    pub fn new(target: Target, cfg: ParamConfig) -> Self {
        Self {
            target,
            cfg,
            values: BTreeMap::new(),
            count: None,
            deadline: None,
            retries: 0,
            outcome: None,
        }
    }

    /// Sends `PARAM_REQUEST_LIST`.
    pub fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        self.deadline = Some(now + self.cfg.timeout);
        vec![MavMessage::PARAM_REQUEST_LIST(PARAM_REQUEST_LIST_DATA {
            target_system: self.target.system,
            target_component: self.target.component,
        })]
    }

    fn check_done(&mut self) {
        if let Some(n) = self.count
            && self.values.len() >= usize::from(n)
        {
            self.deadline = None;
            self.outcome = Some(Ok(self.values.values().cloned().collect()));
        }
    }

    /// Feeds one message.
    pub fn on_message(
        &mut self,
        now: Duration,
        from: (u8, u8),
        msg: &MavMessage,
    ) -> Vec<MavMessage> {
        if self.outcome.is_some() || from.0 != self.target.system {
            return Vec::new();
        }
        if let MavMessage::PARAM_VALUE(p) = msg {
            self.count = Some(p.param_count);
            if p.param_index < p.param_count
                && self.values.insert(p.param_index, value_of(p)).is_none()
            {
                self.retries = 0;
            }
            // The list streams: wait a timeout after the last value before filling gaps.
            self.deadline = Some(now + self.cfg.timeout);
            self.check_done();
        }
        Vec::new()
    }

    /// Advances the clock; asks for missing indices.
    pub fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.outcome.is_some() || self.deadline.is_none_or(|d| now < d) {
            return Vec::new();
        }
        self.retries += 1;
        if self.retries > self.cfg.max_retries {
            self.deadline = None;
            self.outcome = Some(Err(ParamError::Timeout {
                what: "list".into(),
                retries: self.retries - 1,
            }));
            return Vec::new();
        }
        self.deadline = Some(now + self.cfg.timeout);
        match self.count {
            None => self.start(now),
            Some(n) => (0..n)
                .filter(|i| !self.values.contains_key(i))
                .take(self.cfg.window)
                .map(|i| read_msg(self.target, "", i as i16))
                .collect(),
        }
    }

    /// When `on_tick` is next due.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// All parameters in index order, once finished.
    pub fn outcome(&self) -> Option<&Result<Vec<ParamValue>, ParamError>> {
        self.outcome.as_ref()
    }

    /// Values received so far and the vehicle's count (0 until known).
    pub fn progress(&self) -> (usize, usize) {
        (self.values.len(), usize::from(self.count.unwrap_or(0)))
    }
}

// ---------------------------------------------------------------------------------------------

/// Reads one parameter by name, or sets it and verifies the echoed value.
#[derive(Debug, Clone)]
pub struct ParamExchange {
    target: Target,
    cfg: ParamConfig,
    name: String,
    set: Option<(f32, MavParamType)>,
    deadline: Option<Duration>,
    retries: u32,
    outcome: Option<Result<ParamValue, ParamError>>,
}

impl ParamExchange {
    /// Reads parameter `name`.
    pub fn get(target: Target, name: &str, cfg: ParamConfig) -> Self {
        Self {
            target,
            cfg,
            name: name.to_string(),
            set: None,
            deadline: None,
            retries: 0,
            outcome: None,
        }
    }

    /// Sets parameter `name` to `value` and checks the vehicle's echo.
    pub fn set(
        target: Target,
        name: &str,
        value: f32,
        kind: MavParamType,
        cfg: ParamConfig,
    ) -> Self {
        Self {
            set: Some((value, kind)),
            ..Self::get(target, name, cfg)
        }
    }

    fn msg(&self) -> MavMessage {
        match self.set {
            None => read_msg(self.target, &self.name, -1),
            Some((value, kind)) => MavMessage::PARAM_SET(PARAM_SET_DATA {
                param_value: value,
                target_system: self.target.system,
                target_component: self.target.component,
                param_id: self.name.as_str().into(),
                param_type: kind,
            }),
        }
    }

    /// Sends the request.
    pub fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        self.deadline = Some(now + self.cfg.timeout);
        vec![self.msg()]
    }

    /// Feeds one message.
    pub fn on_message(
        &mut self,
        _now: Duration,
        from: (u8, u8),
        msg: &MavMessage,
    ) -> Vec<MavMessage> {
        if self.outcome.is_some() || from.0 != self.target.system {
            return Vec::new();
        }
        let MavMessage::PARAM_VALUE(p) = msg else {
            return Vec::new();
        };
        let v = value_of(p);
        if v.name != self.name {
            return Vec::new();
        }
        self.deadline = None;
        self.outcome = Some(match self.set {
            Some((asked, _)) if (asked - v.value).abs() > asked.abs().max(1.0) * 1e-6 => {
                Err(ParamError::NotSet {
                    name: v.name,
                    asked,
                    held: v.value,
                })
            }
            _ => Ok(v),
        });
        Vec::new()
    }

    /// Advances the clock; resends when due.
    pub fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.outcome.is_some() || self.deadline.is_none_or(|d| now < d) {
            return Vec::new();
        }
        self.retries += 1;
        if self.retries > self.cfg.max_retries {
            self.deadline = None;
            self.outcome = Some(Err(ParamError::Timeout {
                what: self.name.clone(),
                retries: self.retries - 1,
            }));
            return Vec::new();
        }
        self.deadline = Some(now + self.cfg.timeout);
        vec![self.msg()]
    }

    /// When `on_tick` is next due.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The value held by the vehicle, once finished.
    pub fn outcome(&self) -> Option<&Result<ParamValue, ParamError>> {
        self.outcome.as_ref()
    }
}

delegate_transaction!(ParamReadAll, Result<Vec<ParamValue>, ParamError>);
delegate_transaction!(ParamExchange, Result<ParamValue, ParamError>);
