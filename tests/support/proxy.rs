//! A TCP proxy between the registers and their database, to take the database away as a
//! network would: drop every connection and refuse new ones, or hold them open and forward
//! nothing, then let everything through again.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forwards both ways.
    Pass,
    /// Closes every connection, and every new one at once.
    Drop,
    /// Keeps connections open but forwards nothing (a black hole).
    Stall,
}

pub struct Proxy {
    /// `127.0.0.1:port`, to put in a database URL instead of the server's address.
    pub address: String,
    mode: Arc<watch::Sender<Mode>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free port and forwards to `upstream` (`127.0.0.1:5432`).
    pub async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let mode = Arc::new(watch::channel(Mode::Pass).0);
        let upstream = upstream.to_owned();
        let modes = Arc::clone(&mode);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mode = modes.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if *mode.borrow() == Mode::Drop {
                        return;
                    }
                    if let Ok(server) = TcpStream::connect(&upstream).await {
                        connection(client, server, mode).await;
                    }
                });
            }
        });
        Proxy {
            address,
            mode,
            task,
        }
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Forwards one connection until either side closes or the proxy drops it.
async fn connection(client: TcpStream, server: TcpStream, mode: watch::Receiver<Mode>) {
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::select! {
        () = pipe(client_read, server_write, mode.clone()) => {}
        () = pipe(server_read, client_write, mode.clone()) => {}
        () = dropped(mode) => {}
    }
}

async fn dropped(mut mode: watch::Receiver<Mode>) {
    let _ = mode.wait_for(|m| *m == Mode::Drop).await;
}

/// One direction: what is read is written on, except while stalled (then it waits).
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut mode: watch::Receiver<Mode>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if mode.wait_for(|m| *m != Mode::Stall).await.is_err() {
            return;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}
