//! Connection strings and the byte transports behind them, on tokio: UDP (listen or send),
//! TCP (client that reconnects, or server), serial ports (pseudo-terminals included) and tlog
//! replay.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnAddr {
    /// `udpin:ADDR:PORT`: listen, answer whoever sent last.
    UdpIn(SocketAddr),
    /// `udpout:HOST:PORT`: send to a fixed address.
    UdpOut(String),
    /// `tcp:HOST:PORT` (or `tcpout:`): a client that reconnects.
    Tcp(String),
    /// `tcpin:ADDR:PORT`: a server taking one client at a time.
    TcpIn(SocketAddr),
    /// `serial:/dev/ttyX:BAUD`.
    Serial {
        /// Device path.
        path: String,
        /// Baud rate.
        baud: u32,
    },
    /// `file:PATH.tlog`: replay a log (writes are dropped).
    File(PathBuf),
}

/// A connection string that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "connection string {input:?}: {reason} (expected udpin:ADDR:PORT, udpout:HOST:PORT, tcp:HOST:PORT, tcpin:ADDR:PORT, serial:/dev/ttyX:BAUD or file:PATH.tlog)"
)]
pub struct ConnAddrError {
    /// What was given.
    pub input: String,
    /// What was wrong.
    pub reason: String,
}

impl FromStr for ConnAddr {
    type Err = ConnAddrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| ConnAddrError {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let (scheme, rest) = s.split_once(':').ok_or_else(|| err("no scheme"))?;
        let host_port = |rest: &str| -> Result<String, ConnAddrError> {
            let (host, port) = rest.rsplit_once(':').ok_or_else(|| err("no port"))?;
            if host.is_empty() {
                return Err(err("no host"));
            }
            port.parse::<u16>()
                .map_err(|_| err(&format!("port {port:?} is not a number 0..65535")))?;
            Ok(rest.to_string())
        };
        let sock = |rest: &str| -> Result<SocketAddr, ConnAddrError> {
            let hp = host_port(rest)?;
            hp.parse()
                .map_err(|_| err(&format!("{hp:?} is not an IP address and port")))
        };
        match scheme {
            "udpin" | "udp" => Ok(Self::UdpIn(sock(rest)?)),
            "udpout" => Ok(Self::UdpOut(host_port(rest)?)),
            "tcp" | "tcpout" => Ok(Self::Tcp(host_port(rest)?)),
            "tcpin" => Ok(Self::TcpIn(sock(rest)?)),
            "serial" => {
                let (path, baud) = rest.rsplit_once(':').ok_or_else(|| err("no baud rate"))?;
                let baud = baud
                    .parse()
                    .map_err(|_| err(&format!("baud rate {baud:?} is not a number")))?;
                if path.is_empty() {
                    return Err(err("no device path"));
                }
                Ok(Self::Serial {
                    path: path.to_string(),
                    baud,
                })
            }
            "file" if !rest.is_empty() => Ok(Self::File(PathBuf::from(rest))),
            "file" => Err(err("no path")),
            other => Err(err(&format!("unknown scheme {other:?}"))),
        }
    }
}

/// What a transport reports.
#[derive(Debug)]
pub enum TransportEvent {
    /// Bytes received.
    Bytes(Vec<u8>),
    /// Connected (TCP, serial) or first datagram (UDP).
    Up(String),
    /// Connection lost; a reconnecting transport says so and tries again.
    Down(String),
    /// The transport ended for good (a replayed file is finished).
    Closed,
}

/// A running transport: events out, bytes in.
#[derive(Debug)]
pub struct Transport {
    /// Events (bytes, up, down).
    pub events: mpsc::Receiver<TransportEvent>,
    /// Bytes to send.
    pub send: mpsc::Sender<Vec<u8>>,
}

/// Pause between reconnection attempts.
const RECONNECT: Duration = Duration::from_millis(500);

/// Opens `addr` and runs it on the current tokio runtime.
pub async fn open(addr: &ConnAddr) -> std::io::Result<Transport> {
    let (ev_tx, events) = mpsc::channel(1024);
    let (send, mut out_rx) = mpsc::channel::<Vec<u8>>(1024);
    match addr.clone() {
        ConnAddr::UdpIn(a) => {
            let sock = tokio::net::UdpSocket::bind(a).await?;
            tokio::spawn(async move {
                let mut peer: Option<SocketAddr> = None;
                let mut buf = vec![0u8; 65_536];
                loop {
                    tokio::select! {
                        r = sock.recv_from(&mut buf) => match r {
                            Ok((n, from)) => {
                                if peer != Some(from) {
                                    peer = Some(from);
                                    let _ = ev_tx.send(TransportEvent::Up(from.to_string())).await;
                                }
                                if ev_tx.send(TransportEvent::Bytes(buf[..n].to_vec())).await.is_err() { break; }
                            }
                            Err(e) => tracing::debug!(error = %e, "udp receive"),
                        },
                        m = out_rx.recv() => match m {
                            Some(bytes) => if let Some(p) = peer { let _ = sock.send_to(&bytes, p).await; },
                            None => break,
                        },
                    }
                }
            });
        }
        ConnAddr::UdpOut(hp) => {
            let sock = tokio::net::UdpSocket::bind("0.0.0.0:0").await?;
            sock.connect(&hp).await?;
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65_536];
                let _ = ev_tx.send(TransportEvent::Up(hp)).await;
                loop {
                    tokio::select! {
                        r = sock.recv(&mut buf) => match r {
                            Ok(n) => if ev_tx.send(TransportEvent::Bytes(buf[..n].to_vec())).await.is_err() { break; },
                            // ICMP port unreachable while the peer is not up yet.
                            Err(e) => tracing::debug!(error = %e, "udp receive"),
                        },
                        m = out_rx.recv() => match m {
                            Some(bytes) => { let _ = sock.send(&bytes).await; }
                            None => break,
                        },
                    }
                }
            });
        }
        ConnAddr::Tcp(hp) => {
            tokio::spawn(async move {
                // The last connection failure reported, so that a refused port is said once.
                let mut failed: Option<String> = None;
                loop {
                    match tokio::net::TcpStream::connect(&hp).await {
                        Ok(stream) => {
                            failed = None;
                            let _ = stream.set_nodelay(true);
                            let _ = ev_tx.send(TransportEvent::Up(hp.clone())).await;
                            let why = pump_tcp(stream, &ev_tx, &mut out_rx).await;
                            if ev_tx.send(TransportEvent::Down(why)).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, addr = %hp, "tcp connect");
                            let why = format!("cannot connect to {hp}: {e}");
                            if failed.as_ref() != Some(&why) {
                                failed = Some(why.clone());
                                if ev_tx.send(TransportEvent::Down(why)).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                    if ev_tx.is_closed() {
                        return;
                    }
                    tokio::time::sleep(RECONNECT).await;
                }
            });
        }
        ConnAddr::TcpIn(a) => {
            let listener = tokio::net::TcpListener::bind(a).await?;
            tokio::spawn(async move {
                loop {
                    let Ok((stream, from)) = listener.accept().await else {
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let _ = ev_tx.send(TransportEvent::Up(from.to_string())).await;
                    let why = pump_tcp(stream, &ev_tx, &mut out_rx).await;
                    if ev_tx.send(TransportEvent::Down(why)).await.is_err() {
                        return;
                    }
                }
            });
        }
        ConnAddr::Serial { path, baud } => spawn_serial(path, baud, ev_tx, out_rx),
        ConnAddr::File(path) => {
            let data = tokio::fs::read(&path).await?;
            tokio::spawn(async move {
                let _ = ev_tx
                    .send(TransportEvent::Up(path.display().to_string()))
                    .await;
                for rec in super::tlog::TlogReader::new(&data) {
                    if ev_tx
                        .send(TransportEvent::Bytes(rec.frame.to_vec()))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                let _ = ev_tx.send(TransportEvent::Closed).await;
                // Writes to a replay go nowhere.
                while out_rx.recv().await.is_some() {}
            });
        }
    }
    Ok(Transport { events, send })
}

async fn pump_tcp(
    stream: tokio::net::TcpStream,
    ev_tx: &mpsc::Sender<TransportEvent>,
    out_rx: &mut mpsc::Receiver<Vec<u8>>,
) -> String {
    let (mut rd, mut wr) = stream.into_split();
    let mut buf = vec![0u8; 16_384];
    loop {
        tokio::select! {
            r = rd.read(&mut buf) => match r {
                Ok(0) => return "closed by peer".into(),
                Ok(n) => if ev_tx.send(TransportEvent::Bytes(buf[..n].to_vec())).await.is_err() {
                    return "link closed".into();
                },
                Err(e) => return e.to_string(),
            },
            m = out_rx.recv() => match m {
                Some(bytes) => if let Err(e) = wr.write_all(&bytes).await { return e.to_string(); },
                None => return "link closed".into(),
            },
        }
    }
}

/// Serial ports are blocking: a reader thread and a writer thread, reopened on errors
/// (a USB radio unplugged and plugged back).
fn spawn_serial(
    path: String,
    baud: u32,
    ev_tx: mpsc::Sender<TransportEvent>,
    mut out_rx: mpsc::Receiver<Vec<u8>>,
) {
    let (w_tx, w_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(b) = out_rx.recv().await {
            if w_tx.send(b).is_err() {
                break;
            }
        }
    });
    let w_rx = std::sync::Arc::new(std::sync::Mutex::new(w_rx));
    std::thread::spawn(move || {
        // The last open failure reported, so that a missing port is said once.
        let mut failed: Option<String> = None;
        loop {
            if ev_tx.is_closed() {
                return;
            }
            let port = serialport::new(&path, baud)
                .timeout(Duration::from_millis(100))
                .open();
            let mut port = match port {
                Ok(p) => p,
                Err(e) => {
                    tracing::debug!(error = %e, path, "serial open");
                    let why = format!("cannot open {path}: {e}");
                    if failed.as_ref() != Some(&why) {
                        failed = Some(why.clone());
                        if ev_tx.blocking_send(TransportEvent::Down(why)).is_err() {
                            return;
                        }
                    }
                    std::thread::sleep(RECONNECT);
                    continue;
                }
            };
            failed = None;
            let _ = ev_tx.blocking_send(TransportEvent::Up(path.clone()));
            let writer = port.try_clone().ok().map(|mut wport| {
                let w_rx = w_rx.clone();
                std::thread::spawn(move || {
                    loop {
                        let msg = {
                            let Ok(rx) = w_rx.lock() else { return };
                            rx.recv_timeout(Duration::from_millis(200))
                        };
                        match msg {
                            Ok(bytes) => {
                                if wport.write_all(&bytes).is_err() {
                                    return;
                                }
                            }
                            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                            Err(_) => return,
                        }
                    }
                })
            });
            let mut buf = vec![0u8; 4096];
            let why = loop {
                match std::io::Read::read(&mut port, &mut buf) {
                    Ok(0) => {}
                    Ok(n) => {
                        if ev_tx
                            .blocking_send(TransportEvent::Bytes(buf[..n].to_vec()))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(e) => break e.to_string(),
                }
            };
            drop(port);
            drop(writer);
            if ev_tx.blocking_send(TransportEvent::Down(why)).is_err() {
                return;
            }
            std::thread::sleep(RECONNECT);
        }
    });
}

use std::io::Write as _;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_parse_or_say_why_not() {
        assert_eq!(
            "udpin:0.0.0.0:14550".parse::<ConnAddr>().unwrap(),
            ConnAddr::UdpIn("0.0.0.0:14550".parse().unwrap())
        );
        assert_eq!(
            "tcp:127.0.0.1:5760".parse::<ConnAddr>().unwrap(),
            ConnAddr::Tcp("127.0.0.1:5760".into())
        );
        assert_eq!(
            "serial:/dev/ttyUSB0:57600".parse::<ConnAddr>().unwrap(),
            ConnAddr::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 57_600
            }
        );
        assert_eq!(
            "udpout:localhost:14550".parse::<ConnAddr>().unwrap(),
            ConnAddr::UdpOut("localhost:14550".into())
        );
        assert_eq!(
            "file:flight.tlog".parse::<ConnAddr>().unwrap(),
            ConnAddr::File("flight.tlog".into())
        );
        let e = "tcp:127.0.0.1:57600x".parse::<ConnAddr>().unwrap_err();
        assert!(e.to_string().contains("port \"57600x\""), "{e}");
        let e = "ftp:host:1".parse::<ConnAddr>().unwrap_err();
        assert!(e.to_string().contains("unknown scheme \"ftp\""), "{e}");
        assert!("udpin:nohost:1".parse::<ConnAddr>().is_err());
        assert!("serial:/dev/ttyS0".parse::<ConnAddr>().is_err());
    }
}
