//! The door between the registers: the endpoints each serves the others under `/_internal`
//! (service token only, not routed by the Ingress), what they take and answer, and the events
//! the registers tell each other. Both sides of every call and every event use these types.

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::Register;

/// Where the internal endpoints are.
pub const INTERNAL_PATH: &str = "/_internal";

/// An internal endpoint; each register serves each, at `/{endpoint}-{register}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Another register's events delivered to this one ([`Batch`]).
    Events,
    /// Full objects, for `expand` ([`ObjectsRequest`]).
    Objects,
    /// Which referenced objects exist ([`ExistsRequest`]).
    Exists,
    /// The current objects as events, for a resync ([`SnapshotRequest`]).
    Snapshot,
}

impl Endpoint {
    pub const ALL: [Endpoint; 4] = [
        Endpoint::Events,
        Endpoint::Objects,
        Endpoint::Exists,
        Endpoint::Snapshot,
    ];

    /// The endpoint's path under [`INTERNAL_PATH`] (`/objects-relatiebeheer`).
    pub fn path(self, register: Register) -> &'static str {
        use Endpoint::*;
        use Register::*;
        match (self, register) {
            (Events, Relatiebeheer) => "/events-relatiebeheer",
            (Events, Klantcontacten) => "/events-klantcontacten",
            (Events, Klanttaak) => "/events-klanttaak",
            (Objects, Relatiebeheer) => "/objects-relatiebeheer",
            (Objects, Klantcontacten) => "/objects-klantcontacten",
            (Objects, Klanttaak) => "/objects-klanttaak",
            (Exists, Relatiebeheer) => "/exists-relatiebeheer",
            (Exists, Klantcontacten) => "/exists-klantcontacten",
            (Exists, Klanttaak) => "/exists-klanttaak",
            (Snapshot, Relatiebeheer) => "/snapshot-relatiebeheer",
            (Snapshot, Klantcontacten) => "/snapshot-klantcontacten",
            (Snapshot, Klanttaak) => "/snapshot-klanttaak",
        }
    }
}

/// One object of a register, named by its resource's path and its uuid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    pub resource: String,
    pub uuid: Uuid,
}

/// What `exists` takes: the objects a write refers to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExistsRequest {
    pub objects: Vec<ObjectRef>,
}

/// What it answers: those of them it does not have.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExistsResponse {
    pub missing: Vec<ObjectRef>,
}

/// What `objects` takes: full objects of one resource, by uuid.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectsRequest {
    pub resource: String,
    pub uuids: Vec<Uuid>,
}

/// What it answers: the objects that exist, as their own detail GET shows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectsResponse {
    pub results: Vec<Value>,
}

/// What `snapshot` takes: a page of the current objects of one topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotRequest {
    pub topic: String,
    /// The last uuid of the previous page.
    pub after: Option<String>,
    pub limit: i64,
}

/// What it answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotPage {
    /// The source's outbox position when the page was read.
    pub watermark: i64,
    /// Objects as (uuid, event payload), by uuid; fewer than asked for on the last page.
    pub objects: Vec<(String, Value)>,
}

/// One event as delivered to `events`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: i64,
    pub topic: String,
    pub uuid: String,
    pub payload: Value,
}

/// A batch of events, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    pub events: Vec<Event>,
}

/// What an event of one topic says; emitted by the register that owns the objects, read by
/// those that keep a read model of them or follow their deletes. A member left out reads as
/// empty (`false`, `""`, none), as events written by earlier versions may lack one.
pub trait Topic: Serialize + DeserializeOwned {
    const TOPIC: &'static str;

    /// Whether the object is gone.
    fn deleted(&self) -> bool;
}

impl Batch {
    /// The events of topic `T`, read as `T` in place (an event that does not read is skipped:
    /// the emitting side writes these same types).
    pub fn of<T: Topic>(&self) -> impl Iterator<Item = (&Event, T)> {
        self.events
            .iter()
            .filter(|e| e.topic == T::TOPIC)
            .filter_map(|e| Some((e, T::deserialize(&e.payload).ok()?)))
    }

    /// The uuids of the objects of topic `T` this batch deletes.
    pub fn deleted<T: Topic>(&self) -> impl Iterator<Item = &str> {
        self.of::<T>()
            .filter(|(_, event)| event.deleted())
            .map(|(e, _)| e.uuid.as_str())
    }
}

/// A betrokkene (klantcontacten) as relatiebeheer keeps it: which partij it was, and when it
/// is gone whether the one-off addresses it supplied go with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BetrokkeneEvent {
    pub was_partij: Option<String>,
    pub had_klantcontact: String,
    pub rol: String,
    pub deleted: bool,
    /// Deleted by an onderwerpobject's cascade: its addresses that belong to no partij go too.
    pub one_off_adressen_deleted: bool,
}

/// A digitaal adres (relatiebeheer) as klantcontacten keeps it: which betrokkene supplied it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DigitaalAdresEvent {
    pub verstrekt_door_betrokkene: Option<String>,
    pub deleted: bool,
}

/// An internetaak (klanttaak) as klantcontacten keeps it, for `leiddeTotInterneTaken`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InternetaakEvent {
    pub aanleidinggevend_klantcontact: String,
    /// As the API writes datetimes.
    pub toegewezen_op: String,
    pub deleted: bool,
}

/// A deleted partij (relatiebeheer): its betrokkenen go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartijEvent {
    pub deleted: bool,
}

/// A deleted klantcontact: its internetaken go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KlantcontactEvent {
    pub deleted: bool,
}

/// A deleted actor: the tasks assigned to it lose it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActorEvent {
    pub deleted: bool,
}

macro_rules! topics {
    ($($event:ty => $topic:literal),* $(,)?) => {
        $(impl Topic for $event {
            const TOPIC: &'static str = $topic;

            fn deleted(&self) -> bool {
                self.deleted
            }
        })*
    };
}

topics! {
    BetrokkeneEvent => "betrokkene",
    DigitaalAdresEvent => "digitaaladres",
    InternetaakEvent => "internetaak",
    PartijEvent => "partij",
    KlantcontactEvent => "klantcontact",
    ActorEvent => "actor",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_of_every_register_has_its_own_path() {
        let mut paths: Vec<&str> = Endpoint::ALL
            .into_iter()
            .flat_map(|e| Register::ALL.map(|r| e.path(r)))
            .collect();
        for path in &paths {
            assert!(path.starts_with('/') && path.contains('-'), "{path}");
        }
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), 12);
    }

    #[test]
    fn events_read_back_as_written_and_older_payloads_still_read() {
        let event = BetrokkeneEvent {
            was_partij: Some("p".into()),
            had_klantcontact: "k".into(),
            rol: "klant".into(),
            deleted: false,
            one_off_adressen_deleted: false,
        };
        let batch = Batch {
            events: vec![
                Event {
                    id: 1,
                    topic: "betrokkene".into(),
                    uuid: "b".into(),
                    payload: serde_json::to_value(&event).unwrap(),
                },
                Event {
                    id: 2,
                    topic: "digitaaladres".into(),
                    uuid: "a".into(),
                    payload: serde_json::json!({"deleted": true}),
                },
            ],
        };
        let read: Vec<BetrokkeneEvent> = batch.of::<BetrokkeneEvent>().map(|(_, e)| e).collect();
        assert_eq!(read, [event]);
        assert_eq!(
            batch.deleted::<DigitaalAdresEvent>().collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(batch.deleted::<BetrokkeneEvent>().count(), 0);
    }
}
