//! The read models the registers keep of each other's objects: which register keeps which,
//! fed by which topic of whose outbox. The relays are wired from this table, and `resync`
//! rebuilds one from its source.

use platform::db::Db;
use platform::register::RegisterState;
use platform::resync::{self, Report, Sink, SnapshotFn, Source};
use reference::internal::{
    ActorEvent, BetrokkeneEvent, DigitaalAdresEvent, Endpoint, InternetaakEvent, KlantcontactEvent,
    PartijEvent, Topic, INTERNAL_PATH,
};
use reference::Register;

use crate::Settings;

pub struct ReadModel {
    /// What an operator calls it (`klantinteracties resync NAME`).
    pub name: &'static str,
    /// The register that keeps it.
    pub holder: Register,
    /// The register whose events feed it.
    pub source: Register,
    pub topic: &'static str,
    pub sink: Sink,
    pub snapshot: SnapshotFn,
}

pub const READ_MODELS: [ReadModel; 3] = [
    // `partij.betrokkenen` and the `betrokkenen` expand in relatiebeheer.
    ReadModel {
        name: "betrokkenen",
        holder: Register::Relatiebeheer,
        source: Register::Klantcontacten,
        topic: BetrokkeneEvent::TOPIC,
        sink: Sink {
            apply: relatiebeheer::apply_events,
            sweep: relatiebeheer::sweep_read_model,
        },
        snapshot: <klantcontacten::Register as RegisterState>::snapshot,
    },
    // `betrokkene.digitaleAdressen` in klantcontacten.
    ReadModel {
        name: "digitaleadressen",
        holder: Register::Klantcontacten,
        source: Register::Relatiebeheer,
        topic: DigitaalAdresEvent::TOPIC,
        sink: Sink {
            apply: klantcontacten::apply_events,
            sweep: klantcontacten::sweep_adressen,
        },
        snapshot: <relatiebeheer::Register as RegisterState>::snapshot,
    },
    // `klantcontact.leiddeTotInterneTaken` and its filter in klantcontacten.
    ReadModel {
        name: "internetaken",
        holder: Register::Klantcontacten,
        source: Register::Klanttaak,
        topic: InternetaakEvent::TOPIC,
        sink: Sink {
            apply: klantcontacten::apply_events,
            sweep: klantcontacten::sweep_internetaken,
        },
        snapshot: <klanttaak::Register as RegisterState>::snapshot,
    },
];

/// Deletions that cascade across registers (BEHAVIOUR section 5): (source, holder, topic).
/// A partij takes its betrokkenen along, a klantcontact its internetaken, an actor its task
/// assignments; a betrokkene's addresses lose their `verstrektDoorBetrokkene` (that one rides
/// on the `betrokkene` topic relatiebeheer already receives for its read model).
pub const CASCADES: [(Register, Register, &str); 3] = [
    (
        Register::Relatiebeheer,
        Register::Klantcontacten,
        PartijEvent::TOPIC,
    ),
    (
        Register::Klantcontacten,
        Register::Klanttaak,
        KlantcontactEvent::TOPIC,
    ),
    (
        Register::Klantcontacten,
        Register::Klanttaak,
        ActorEvent::TOPIC,
    ),
];

/// The topics `holder` wants from `source`'s outbox.
pub fn topics(source: Register, holder: Register) -> Vec<&'static str> {
    READ_MODELS
        .iter()
        .filter(|m| m.source == source && m.holder == holder)
        .map(|m| m.topic)
        .chain(
            CASCADES
                .iter()
                .filter(|(s, h, _)| *s == source && *h == holder)
                .map(|(_, _, topic)| *topic),
        )
        .collect()
}

/// Rebuilds the read model called `name` in this installation's database of its holder, from
/// its source's database when these settings name it, else from the source's peer URL.
pub async fn resync(settings: &Settings, name: &str) -> anyhow::Result<Report> {
    let model = READ_MODELS.iter().find(|m| m.name == name).ok_or_else(|| {
        let names: Vec<&str> = READ_MODELS.iter().map(|m| m.name).collect();
        anyhow::anyhow!("no read model {name:?}; there are: {}", names.join(", "))
    })?;
    let served = settings.registers()?;
    anyhow::ensure!(
        served.contains(&model.holder),
        "the {name} read model is kept by {}, which these settings do not serve",
        model.holder.name()
    );
    let target = Db::connect(&settings.database_url(model.holder), 1);
    let source = if served.contains(&model.source) {
        Source::Local(
            Db::connect(&settings.database_url(model.source), 1),
            model.snapshot,
        )
    } else {
        let peer = settings
            .peer(model.source)
            .ok_or_else(|| anyhow::anyhow!("no peer URL configured for {}", model.source.name()))?;
        let token = settings.service_token.clone().ok_or_else(|| {
            anyhow::anyhow!("a service token is needed to read {}", model.source.name())
        })?;
        let url = format!(
            "{}{INTERNAL_PATH}{}",
            peer.trim_end_matches('/'),
            Endpoint::Snapshot.path(model.source)
        );
        Source::remote(url, token)
    };
    resync::resync(&target, &source, model.topic, model.sink).await
}
