//! The simulator's transports, like ArduPilot SITL's: a TCP server (5760), UDP output to a
//! ground station port (14550) that also takes its replies, and a pseudo-terminal serial port.
//! Every transport feeds one uplink channel and sends what the downlink broadcasts.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{broadcast, mpsc};

/// Bytes from any ground station.
pub type Uplink = mpsc::UnboundedSender<Vec<u8>>;
/// Frames to every ground station.
pub type Downlink = broadcast::Sender<Arc<Vec<u8>>>;

/// What ArduPilot SITL prints on its TCP console before MAVLink takes over; ground stations
/// must skip it.
pub const CONSOLE_TEXT: &[u8] =
    b"Init ArduCopter V4.7.0-dev (vigil-sim)\r\n\r\nFree RAM: 1048576\r\n";

/// Listen for TCP clients at `addr`; each one receives every downlink frame and its bytes go
/// up. With `console_text`, a client first receives SITL-like console text. Returns the bound
/// address (useful with port 0).
pub async fn serve_tcp(
    addr: &str,
    uplink: Uplink,
    downlink: Downlink,
    console_text: bool,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "TCP accept failed");
                    continue;
                }
            };
            tracing::info!(%peer, "TCP client connected");
            let _ = stream.set_nodelay(true);
            let (mut rd, mut wr) = stream.into_split();
            let mut rx = downlink.subscribe();
            tokio::spawn(async move {
                if console_text && wr.write_all(CONSOLE_TEXT).await.is_err() {
                    return;
                }
                loop {
                    match rx.recv().await {
                        Ok(frame) => {
                            if wr.write_all(&frame).await.is_err() {
                                break;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!(%peer, frames = n, "TCP client too slow, frames dropped");
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    }
                }
            });
            let up = uplink.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    match rd.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if up.send(buf[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                    }
                }
                tracing::info!(%peer, "TCP client disconnected");
            });
        }
    });
    Ok(local)
}

/// Send every downlink frame to `target` over UDP, and take replies arriving on the same
/// socket as uplink bytes (SITL's `--out`).
pub async fn udp_out(
    target: &str,
    uplink: Uplink,
    downlink: Downlink,
) -> std::io::Result<SocketAddr> {
    let target: SocketAddr = tokio::net::lookup_host(target)
        .await?
        .next()
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{target}: no address"),
            )
        })?;
    let bind = if target.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = Arc::new(UdpSocket::bind(bind).await?);
    let local = socket.local_addr()?;
    let tx = socket.clone();
    let mut rx = downlink.subscribe();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(frame) => {
                    // An absent listener (connection refused) is normal for UDP output.
                    let _ = tx.send_to(&frame, target).await;
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_536];
        loop {
            match socket.recv_from(&mut buf).await {
                Ok((n, _)) => {
                    if uplink.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) => tracing::debug!(error = %e, "UDP receive"),
            }
        }
    });
    Ok(local)
}

/// Open a pseudo-terminal in raw mode, link `path` to its slave side (replacing an old link),
/// and carry the link over its master side. Returns the slave device's name.
pub fn serial_pty(path: &Path, uplink: Uplink, downlink: Downlink) -> std::io::Result<PathBuf> {
    use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

    let pty = nix::pty::openpty(None, None).map_err(std::io::Error::from)?;
    let mut attrs = tcgetattr(&pty.slave).map_err(std::io::Error::from)?;
    cfmakeraw(&mut attrs);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &attrs).map_err(std::io::Error::from)?;
    let slave_name = nix::unistd::ttyname(&pty.slave).map_err(std::io::Error::from)?;
    if std::fs::symlink_metadata(path).is_ok() {
        std::fs::remove_file(path)?;
    }
    std::os::unix::fs::symlink(&slave_name, path)?;

    let mut reader = std::fs::File::from(pty.master);
    let mut writer = reader.try_clone()?;
    // Keep the slave open so the master never reads end-of-file between clients.
    let slave = pty.slave;
    let mut rx = downlink.subscribe();
    std::thread::Builder::new()
        .name("pty-write".into())
        .spawn(move || {
            let _keep = slave;
            loop {
                match rx.blocking_recv() {
                    Ok(frame) => {
                        if writer.write_all(&frame).is_err() {
                            break;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        })?;
    std::thread::Builder::new()
        .name("pty-read".into())
        .spawn(move || {
            let mut buf = vec![0u8; 4096];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => std::thread::sleep(std::time::Duration::from_millis(10)),
                    Ok(n) => {
                        if uplink.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
                }
            }
        })?;
    Ok(slave_name)
}
