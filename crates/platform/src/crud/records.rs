//! What every write leaves behind besides its rows: the audit record, the Logboek record of the
//! persons whose data it changed, the notificatie, and the resource's own events.

use serde_json::Value;

use super::{Crud, RegisterState};
use crate::db::DbConnection;
use crate::ApiResult;

/// The collection's name (`partijen`), as the audit trail knows it.
pub(super) fn resource_name<R: Crud>(urls: &reference::ApiUrls) -> String {
    let collection = R::collection(urls);
    collection.rsplit('/').next().unwrap_or_default().to_owned()
}

/// What a write's records need besides the write: who makes it, as what processing, and who
/// outside listens.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub who: crate::audit::Who,
    pub outside: crate::outbound::Outside,
    logboek: crate::logboek::Logboek,
    processing: crate::logboek::Processing,
}

impl Recorder {
    /// Made where the request is handled, before its transaction (which runs on another
    /// thread): it takes the request's processing along.
    pub fn new<S: RegisterState>(state: &S, who: crate::audit::Who) -> Self {
        Self {
            who,
            outside: state.shared().outside,
            logboek: state.shared().logboek.clone(),
            processing: crate::logboek::Processing::current()
                .unwrap_or_else(|| crate::logboek::Processing::system("write")),
        }
    }

    /// Stores what every write leaves behind besides the row: its audit record, the Logboek
    /// record of each person with a BSN in the object before or after and, for a resource with
    /// a kanaal, its notificatie. The generic handlers call it for every write; a
    /// handler that writes several resources at once (`maak-klantcontact`) calls it for each.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        resource: &str,
        kanaal: Option<crate::outbound::Kanaal>,
        actie: crate::outbound::Actie,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> ApiResult<()> {
        crate::audit::change(conn, &self.who, resource, actie, before, after)?;
        let mut persons = crate::bsn::numbers(before);
        persons.extend(crate::bsn::numbers(after));
        self.logboek
            .record(conn, &self.processing, &persons, crate::logboek::Status::Ok)?;
        if let (Some(kanaal), Some(object)) = (kanaal, after.or(before)) {
            crate::events::notify(conn, self.outside, &kanaal, actie, object)?;
        }
        Ok(())
    }

    /// [`Recorder::record`] for a write of `R`, with the resource's own events
    /// ([`Crud::announce`]).
    pub(super) fn record_write<R: Crud>(
        &self,
        conn: &mut DbConnection,
        urls: &reference::ApiUrls,
        actie: crate::outbound::Actie,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> ApiResult<()> {
        let resource = resource_name::<R>(urls);
        self.record(conn, &resource, R::KANAAL, actie, before, after)?;
        R::announce(conn, self.outside, before, after)
    }
}
