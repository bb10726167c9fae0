//! Rebuilding a read model from its source register, for when it missed events (its database
//! restored from an older backup) or was added after the fact.
//!
//! The source answers its current objects as events, page by page, all stamped with its outbox
//! position (the *watermark*) read before the first page. Applied like any other event (newer
//! wins), a snapshot row never undoes an event the read model already has from after the
//! watermark; events after it still reach the read model through the relay. Rows older than the
//! watermark that no snapshot page named belong to objects that are gone, and are removed. The
//! read model stays in service throughout: nothing is emptied first.

use serde_json::Value;

use crate::db::{Db, DbConnection};
use crate::error::ApiError;
use crate::events;
use crate::ApiResult;
use reference::internal::{Batch, Event, SnapshotPage, SnapshotRequest};

/// A source register's current objects of one topic, as event payloads, ordered by uuid;
/// `None` when the register has no such topic.
pub type SnapshotFn =
    fn(&mut DbConnection, &str, Option<&str>, i64) -> ApiResult<Option<Vec<(String, Value)>>>;

/// A read model's side: apply events, and remove rows older than a watermark.
#[derive(Clone, Copy)]
pub struct Sink {
    pub apply: fn(&mut DbConnection, &Batch) -> ApiResult<()>,
    pub sweep: fn(&mut DbConnection, i64) -> ApiResult<usize>,
}

/// One snapshot page, read from the source's database.
pub fn page(
    conn: &mut DbConnection,
    request: &SnapshotRequest,
    snapshot: SnapshotFn,
) -> ApiResult<SnapshotPage> {
    let watermark = events::watermark(conn)?;
    let limit = request.limit.clamp(1, 5_000);
    let objects = snapshot(conn, &request.topic, request.after.as_deref(), limit)?
        .ok_or_else(ApiError::not_found)?;
    Ok(SnapshotPage { watermark, objects })
}

/// Where a resync reads the source register.
pub enum Source {
    /// Its database, when this process has it.
    Local(Db, SnapshotFn),
    /// Its `/_internal/snapshot-{register}` endpoint.
    Remote {
        url: String,
        token: String,
        client: reqwest::Client,
    },
}

impl Source {
    pub fn remote(url: String, token: String) -> Self {
        Source::Remote {
            url,
            token,
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .pool_idle_timeout(reference::CLIENT_IDLE)
                .build()
                .unwrap_or_default(),
        }
    }

    async fn page(&self, request: &SnapshotRequest) -> anyhow::Result<SnapshotPage> {
        match self {
            Source::Local(db, snapshot) => {
                let request = request.clone();
                let snapshot = *snapshot;
                db.read(move |conn| page(conn, &request, snapshot))
                    .await
                    .map_err(|e| anyhow::anyhow!("reading the source: {e}"))
            }
            Source::Remote { url, token, client } => {
                let response = client
                    .post(url)
                    .header("Authorization", format!("Token {token}"))
                    .json(request)
                    .send()
                    .await?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "{url} answered {}",
                    response.status()
                );
                Ok(response.json().await?)
            }
        }
    }
}

/// What a resync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    pub objects: usize,
    pub removed: usize,
    pub watermark: i64,
}

/// Objects per snapshot page.
const PAGE: i64 = 1_000;

/// Rebuilds the read model in `target` from `source`'s objects of `topic`.
pub async fn resync(
    target: &Db,
    source: &Source,
    topic: &str,
    sink: Sink,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut after: Option<String> = None;
    let mut watermark: Option<i64> = None;
    loop {
        let request = SnapshotRequest {
            topic: topic.to_owned(),
            after: after.clone(),
            limit: PAGE,
        };
        let page = source.page(&request).await?;
        let stamp = *watermark.get_or_insert(page.watermark);
        let count = page.objects.len();
        after = page.objects.last().map(|(uuid, _)| uuid.clone());
        let batch = Batch {
            events: page
                .objects
                .into_iter()
                .map(|(uuid, payload)| Event {
                    id: stamp,
                    topic: topic.to_owned(),
                    uuid,
                    payload,
                })
                .collect(),
        };
        let apply = sink.apply;
        target
            .write(move |conn| apply(conn, &batch))
            .await
            .map_err(|e| anyhow::anyhow!("applying a snapshot page: {e}"))?;
        report.objects += count;
        if (count as i64) < PAGE {
            break;
        }
    }
    report.watermark = watermark.unwrap_or(0);
    let (sweep, stamp) = (sink.sweep, report.watermark);
    report.removed = target
        .write(move |conn| sweep(conn, stamp))
        .await
        .map_err(|e| anyhow::anyhow!("removing what the source no longer has: {e}"))?;
    Ok(report)
}
