//! A register's journal of reads' records: a read appends its records to a file in the data
//! dir before its answer goes out, and a task of the register stores them in the database
//! shortly after, many reads' in one statement.
//!
//! An append is one `write` to the file, no disk flush: the records are in the operating
//! system's page cache before the answer goes out, so a crash of the register (kill -9, OOM)
//! loses none; they are stored when it starts again, from the journal it left. A crash of the
//! machine may lose the last moment's, as a commit without flush may. Every record has its own
//! id, so one stored before the crash is stored once.
//!
//! Each process of a register takes a journal of its own and locks it; a journal left by a
//! process that stopped (its lock gone) is stored by the next one to start on that data dir.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tokio::sync::Notify;

use super::store::Entry;

/// At most this much of a journal is read at once.
const CHUNK: u64 = 4 << 20;

#[derive(Debug)]
pub(super) struct Journal {
    path: PathBuf,
    /// Open for appending and reading, locked by this process.
    file: File,
    /// Held while appending, and while emptying the file once all is stored.
    appending: Mutex<()>,
    /// Where the records not yet stored start; held by the one storing them.
    stored: tokio::sync::Mutex<u64>,
    /// Told on every append.
    pub(super) appended: Notify,
    /// Journals of processes that stopped before storing them, with their locks.
    left: Mutex<Vec<(PathBuf, File)>>,
}

/// Records read from a journal, and where they end in it.
pub(super) struct Batch {
    pub(super) entries: Vec<Entry>,
    end: u64,
}

impl Journal {
    /// Takes the register's journal in `dir`: the first not locked by another process of it.
    pub(super) fn open(dir: &Path, register: &str) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let own = (0..64)
            .map(|n| match n {
                0 => dir.join(format!("logboek-{register}.journal")),
                n => dir.join(format!("logboek-{register}-{n}.journal")),
            })
            .find_map(|path| lock(&path).transpose().map(|file| (path, file)));
        let Some((path, file)) = own else {
            return Err(io::Error::other("every journal of the register is in use"));
        };
        let file = file?;
        end_cut_line(&file)?;
        let mut left = Vec::new();
        for found in std::fs::read_dir(dir)? {
            let found = found?.path();
            let name = found.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ours = name == format!("logboek-{register}.journal")
                || (name.starts_with(&format!("logboek-{register}-"))
                    && name.ends_with(".journal"));
            if ours && found != path {
                if let Some(leftover) = lock(&found)? {
                    left.push((found, leftover));
                }
            }
        }
        Ok(Self {
            path,
            file,
            appending: Mutex::new(()),
            stored: tokio::sync::Mutex::new(0),
            appended: Notify::new(),
            left: Mutex::new(left),
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one read's records, in one write.
    pub(super) fn append(&self, entries: &[Entry]) -> io::Result<()> {
        let mut lines = Vec::with_capacity(entries.len() * 512);
        for entry in entries {
            serde_json::to_writer(&mut lines, entry)?;
            lines.push(b'\n');
        }
        {
            let _appending = self.appending.lock().map_err(|_| poisoned())?;
            (&self.file).write_all(&lines)?;
        }
        self.appended.notify_one();
        Ok(())
    }

    /// Stores what the journals hold, batch by batch, with `store`; one caller at a time.
    pub(super) async fn store_all<F, Fut>(&self, store: F) -> crate::ApiResult<()>
    where
        F: Fn(Vec<Entry>) -> Fut,
        Fut: std::future::Future<Output = crate::ApiResult<()>>,
    {
        let mut stored = self.stored.lock().await;
        let left = std::mem::take(&mut *self.left.lock().map_err(|_| failed(poisoned()))?);
        let mut left = left.into_iter();
        while let Some((path, file)) = left.next() {
            if let Err(error) = store_left(&path, &file, &store).await {
                // Kept, with those after it, for the next time.
                if let Ok(mut kept) = self.left.lock() {
                    kept.push((path, file));
                    kept.extend(left);
                }
                return Err(error);
            }
        }
        loop {
            let Some(batch) = read_from(&self.file, *stored).map_err(failed)? else {
                // All is stored: the file starts over, unless a read appended meanwhile.
                let _appending = self.appending.lock().map_err(|_| failed(poisoned()))?;
                if self.file.metadata().map_err(failed)?.len() == *stored {
                    self.file.set_len(0).map_err(failed)?;
                    *stored = 0;
                }
                return Ok(());
            };
            store(batch.entries).await?;
            *stored = batch.end;
        }
    }
}

/// Stores a journal another process left, then removes it.
async fn store_left<F, Fut>(path: &Path, file: &File, store: &F) -> crate::ApiResult<()>
where
    F: Fn(Vec<Entry>) -> Fut,
    Fut: std::future::Future<Output = crate::ApiResult<()>>,
{
    let mut from = 0;
    while let Some(batch) = read_from(file, from).map_err(failed)? {
        store(batch.entries).await?;
        from = batch.end;
    }
    std::fs::remove_file(path).map_err(failed)
}

/// Opens a journal and locks it; `None` when another process holds it.
fn lock(path: &Path) -> io::Result<Option<File>> {
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(error)) => Err(error),
    }
}

/// Ends a line a crash cut short, so that what is appended next starts a line of its own.
fn end_cut_line(file: &File) -> io::Result<()> {
    let len = file.metadata()?.len();
    let mut last = [0];
    if len > 0 && file.read_exact_at(&mut last, len - 1).is_ok() && last[0] != b'\n' {
        (&*file).write_all(b"\n")?;
    }
    Ok(())
}

/// The whole lines of records from `from` on (up to [`CHUNK`]); `None` when there are none. A
/// line that is no record (the end of a write a crash cut short) is skipped.
fn read_from(file: &File, from: u64) -> io::Result<Option<Batch>> {
    let len = file.metadata()?.len();
    if len <= from {
        return Ok(None);
    }
    let mut bytes = vec![0; (len - from).min(CHUNK) as usize];
    file.read_exact_at(&mut bytes, from)?;
    let Some(last) = bytes.iter().rposition(|b| *b == b'\n') else {
        return Ok(None);
    };
    bytes.truncate(last + 1);
    let entries = bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(|line| match serde_json::from_slice(line) {
            Ok(entry) => Some(entry),
            Err(error) => {
                tracing::warn!(%error, "a line of the logboek journal is no record; skipped");
                None
            }
        })
        .collect();
    Ok(Some(Batch {
        entries,
        end: from + bytes.len() as u64,
    }))
}

fn failed(error: io::Error) -> crate::error::ApiError {
    crate::error::ApiError::Internal(error.into())
}

fn poisoned() -> io::Error {
    io::Error::other("the logboek journal's lock is poisoned")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32) -> Entry {
        let at = time::macros::datetime!(2026-12-09 10:00);
        Entry {
            record_id: format!("r{n}"),
            trace_id: "t".into(),
            operation_id: format!("o{n}"),
            parent_operation_id: None,
            foreign_trace_id: None,
            foreign_operation_id: None,
            foreign_entity: None,
            status_code: 1,
            name: "GET /partijen".into(),
            start_time: at,
            end_time: at,
            processing_activity_id: None,
            data_subject_id: "s".into(),
            application: "a".into(),
            caller: "c".into(),
        }
    }

    async fn stored(journal: &Journal) -> Vec<String> {
        let seen = Mutex::new(Vec::new());
        journal
            .store_all(|entries| {
                seen.lock()
                    .unwrap()
                    .extend(entries.into_iter().map(|e| e.record_id));
                async { Ok(()) }
            })
            .await
            .unwrap();
        seen.into_inner().unwrap()
    }

    #[tokio::test]
    async fn records_are_stored_once_and_the_file_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path(), "relatiebeheer").unwrap();
        journal.append(&[entry(1), entry(2)]).unwrap();
        journal.append(&[entry(3)]).unwrap();
        assert_eq!(stored(&journal).await, ["r1", "r2", "r3"]);
        assert_eq!(std::fs::metadata(journal.path()).unwrap().len(), 0);
        assert!(stored(&journal).await.is_empty());
        journal.append(&[entry(4)]).unwrap();
        assert_eq!(stored(&journal).await, ["r4"]);
    }

    #[tokio::test]
    async fn a_failed_store_keeps_the_records_for_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path(), "klanttaak").unwrap();
        journal.append(&[entry(1)]).unwrap();
        let failed = journal
            .store_all(|_| async { Err(crate::error::ApiError::DatabaseUnavailable) })
            .await;
        assert!(failed.is_err());
        assert_eq!(stored(&journal).await, ["r1"]);
    }

    #[tokio::test]
    async fn a_journal_left_behind_is_stored_by_the_next_process_and_a_cut_line_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let first = Journal::open(dir.path(), "klantcontacten").unwrap();
        first.append(&[entry(1)]).unwrap();
        // A second process of the register, while the first runs: a journal of its own.
        let second = Journal::open(dir.path(), "klantcontacten").unwrap();
        assert_ne!(first.path(), second.path());
        second.append(&[entry(2)]).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(second.path())
            .unwrap()
            .write_all(b"{\"record_id\":\"r3\",\"tra")
            .unwrap();
        let (first_path, second_path) = (first.path().to_owned(), second.path().to_owned());
        drop(first);
        drop(second);
        // Both stopped without storing: the next to start stores both journals.
        let next = Journal::open(dir.path(), "klantcontacten").unwrap();
        let mut all = stored(&next).await;
        all.sort();
        assert_eq!(all, ["r1", "r2"]);
        assert!(first_path.exists() != second_path.exists());
        // A line cut short in its own journal does not take the next record with it.
        let own = next.path().to_owned();
        drop(next);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&own)
            .unwrap()
            .write_all(b"{\"record_id\":\"r4\",\"tra")
            .unwrap();
        let again = Journal::open(dir.path(), "klantcontacten").unwrap();
        again.append(&[entry(5)]).unwrap();
        assert_eq!(stored(&again).await, ["r5"]);
        // Another register's journal is not this one's.
        let other = Journal::open(dir.path(), "klanttaak").unwrap();
        assert!(stored(&other).await.is_empty());
    }
}
