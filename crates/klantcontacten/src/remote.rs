//! Filters on a betrokkene's partij or on the address it supplied: only relatiebeheer can answer
//! them, so they are read with the other filters and asked of it before the page is read. A list
//! filtered on one partij also asks who that is, for the Logboek.

use platform::query::Filters;
use platform::ApiResult;
use reference::Resource;

use crate::Register;

/// What a list asks relatiebeheer, and what it answered.
#[derive(Default, PartialEq)]
pub struct RemoteFilters {
    /// Filters on partijen, as relatiebeheer's list names them.
    partij: Vec<(String, String)>,
    /// A filter on digitale adressen (as relatiebeheer's list names it, the value), and its
    /// name here.
    adres: Option<((&'static str, String), &'static str)>,
    /// The partijen that match, when the partij was filtered on.
    pub partij_in: Option<Vec<String>>,
    /// The betrokkenen that supplied the matching addresses, when the address was filtered on.
    pub betrokkene_in: Option<Vec<String>>,
    /// The partij a list is filtered on by reference: whose data the list shows, for the
    /// Logboek.
    shown_of: Option<uuid::Uuid>,
}

/// The members of a partij's identificator, as filters name them.
const IDENTIFICATOR: [&str; 4] = [
    "codeObjecttype",
    "codeSoortObjectId",
    "objectId",
    "codeRegister",
];

impl RemoteFilters {
    /// Reads `{partij}__partijIdentificator__{member}` and the address filter `adres` (its
    /// name here, and in relatiebeheer's digitaleadressen list).
    pub fn read(f: &Filters, partij: &str, adres: (&'static str, &'static str)) -> Self {
        let mut remote = RemoteFilters::default();
        for member in IDENTIFICATOR {
            let name = format!("{partij}__partijIdentificator__{member}");
            if let Some(value) = f.text(&name) {
                remote.on_partij(&format!("partijIdentificator__{member}"), value);
            }
        }
        let (here, there) = adres;
        remote.adres = f.text(here).map(|v| ((there, v.to_owned()), here));
        remote
    }

    /// A list filtered on this partij (by URL or uuid) shows that person's klantcontacten: the
    /// Logboek records it under the partij's BSN, which [`RemoteFilters::ask`] looks up.
    pub fn shows_partij(&mut self, partij: Option<uuid::Uuid>) {
        self.shown_of = partij;
    }

    /// Adds a filter on the partij, as relatiebeheer's partijen list names it.
    pub fn on_partij(&mut self, name: &str, value: &str) {
        self.partij.push((name.to_owned(), value.to_owned()));
    }

    /// Asks relatiebeheer (one call per filter): a filter that matches too many there is
    /// refused on its name here (`partij_name` for those on the partij).
    pub async fn ask(
        &mut self,
        register: &Register,
        origin: &str,
        partij_name: &str,
    ) -> ApiResult<()> {
        let resolver = &register.shared.resolver;
        if let Some(partij) = self.shown_of.filter(|_| register.shared.logboek.is_on()) {
            let found = resolver
                .fetch(Resource::Partijen, &[partij], origin)
                .await?;
            let bsns = found
                .values()
                .flat_map(|p| platform::bsn::numbers(Some(p)))
                .map(str::to_owned);
            platform::logboek::Processing::touches(bsns.collect::<Vec<_>>());
        }
        if !self.partij.is_empty() {
            let partijen = platform::crud::remote_search(
                resolver,
                Resource::Partijen,
                &self.partij,
                origin,
                partij_name,
            )
            .await?;
            self.partij_in = Some(platform::crud::uuids_at(&partijen, "/uuid"));
        }
        if let Some(((there, value), here)) = &self.adres {
            let filter = [((*there).to_owned(), value.clone())];
            let adressen = platform::crud::remote_search(
                resolver,
                Resource::Digitaleadressen,
                &filter,
                origin,
                here,
            )
            .await?;
            let supplied = platform::crud::uuids_at(&adressen, "/verstrektDoorBetrokkene/uuid");
            self.betrokkene_in = Some(supplied);
        }
        Ok(())
    }
}
