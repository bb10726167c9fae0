//! Reads' records, written together: every read of a person waits until its records are in the
//! database, and the reads that arrive while one statement runs share the next. Under load that
//! is one statement for many reads instead of one each.

use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};

use super::store::{self, Commit, Entry};
use crate::db::Db;
use crate::error::ApiError;
use crate::ApiResult;

/// At most this many reads' records in one statement.
const MOST: usize = 256;

/// One read's records, and where to say they are written.
struct Pending {
    entries: Vec<Entry>,
    written: oneshot::Sender<bool>,
}

/// A register's writer of reads' records: what reads hand over, and the loop that writes it.
pub(super) struct Reads {
    sender: mpsc::UnboundedSender<Pending>,
    /// Until the loop runs ([`Reads::run`]), reads write their records themselves.
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Pending>>>,
}

impl std::fmt::Debug for Reads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reads")
    }
}

impl Reads {
    pub(super) fn new() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            sender,
            receiver: Mutex::new(Some(receiver)),
        }
    }

    /// Writes one read's records, with those of the reads around it when the loop runs.
    pub(super) async fn write(&self, db: &Db, entries: Vec<Entry>) -> ApiResult<()> {
        let running = self.receiver.lock().map(|r| r.is_none()).unwrap_or(false);
        if running {
            let (written, done) = oneshot::channel();
            match self.sender.send(Pending { entries, written }) {
                Ok(()) => {
                    return match done.await {
                        Ok(true) => Ok(()),
                        _ => Err(ApiError::DatabaseUnavailable),
                    };
                }
                // The loop is gone (the server stops): write them here.
                Err(mpsc::error::SendError(pending)) => {
                    return write_now(db, pending.entries).await;
                }
            }
        }
        write_now(db, entries).await
    }

    /// The loop: takes what reads handed over, up to [`MOST`] at once, writes it in one
    /// statement and tells each read. Runs until the server stops.
    pub(super) async fn run(&self, db: Db) {
        let Some(mut receiver) = self.receiver.lock().ok().and_then(|mut r| r.take()) else {
            return;
        };
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < MOST {
                match receiver.try_recv() {
                    Ok(pending) => batch.push(pending),
                    Err(_) => break,
                }
            }
            let entries: Vec<Entry> = batch.iter().flat_map(|p| p.entries.clone()).collect();
            let written = write_now(&db, entries).await.is_ok();
            for pending in batch {
                let _ = pending.written.send(written);
            }
        }
    }
}

async fn write_now(db: &Db, entries: Vec<Entry>) -> ApiResult<()> {
    db.autocommit(move |conn| store::insert(conn, &entries, Commit::Unforced))
        .await
}
