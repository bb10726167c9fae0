//! Building and parsing the URLs of the registers' resources.

use uuid::Uuid;

/// The three registers. Every resource belongs to exactly one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Register {
    Relatiebeheer,
    Klantcontacten,
    Klanttaak,
}

impl Register {
    pub const ALL: [Register; 3] = [
        Register::Relatiebeheer,
        Register::Klantcontacten,
        Register::Klanttaak,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Register::Relatiebeheer => "relatiebeheer",
            Register::Klantcontacten => "klantcontacten",
            Register::Klanttaak => "klanttaak",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Every resource of the Klantinteracties API, with the path segment it is served under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Partijen,
    PartijIdentificatoren,
    Digitaleadressen,
    Rekeningnummers,
    Vertegenwoordigingen,
    Categorieen,
    CategorieRelaties,
    Klantcontacten,
    Betrokkenen,
    Onderwerpobjecten,
    Bijlagen,
    Actoren,
    Actorklantcontacten,
    Internetaken,
}

impl Resource {
    pub const ALL: [Resource; 14] = [
        Resource::Partijen,
        Resource::PartijIdentificatoren,
        Resource::Digitaleadressen,
        Resource::Rekeningnummers,
        Resource::Vertegenwoordigingen,
        Resource::Categorieen,
        Resource::CategorieRelaties,
        Resource::Klantcontacten,
        Resource::Betrokkenen,
        Resource::Onderwerpobjecten,
        Resource::Bijlagen,
        Resource::Actoren,
        Resource::Actorklantcontacten,
        Resource::Internetaken,
    ];

    /// The resource whose collection path is `path` (`partijen`).
    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.path() == path)
    }

    pub fn path(self) -> &'static str {
        match self {
            Resource::Partijen => "partijen",
            Resource::PartijIdentificatoren => "partij-identificatoren",
            Resource::Digitaleadressen => "digitaleadressen",
            Resource::Rekeningnummers => "rekeningnummers",
            Resource::Vertegenwoordigingen => "vertegenwoordigingen",
            Resource::Categorieen => "categorieen",
            Resource::CategorieRelaties => "categorie-relaties",
            Resource::Klantcontacten => "klantcontacten",
            Resource::Betrokkenen => "betrokkenen",
            Resource::Onderwerpobjecten => "onderwerpobjecten",
            Resource::Bijlagen => "bijlagen",
            Resource::Actoren => "actoren",
            Resource::Actorklantcontacten => "actorklantcontacten",
            Resource::Internetaken => "internetaken",
        }
    }

    pub fn register(self) -> Register {
        match self {
            Resource::Partijen
            | Resource::PartijIdentificatoren
            | Resource::Digitaleadressen
            | Resource::Rekeningnummers
            | Resource::Vertegenwoordigingen
            | Resource::Categorieen
            | Resource::CategorieRelaties => Register::Relatiebeheer,
            Resource::Klantcontacten
            | Resource::Betrokkenen
            | Resource::Onderwerpobjecten
            | Resource::Bijlagen
            | Resource::Actoren
            | Resource::Actorklantcontacten => Register::Klantcontacten,
            Resource::Internetaken => Register::Klanttaak,
        }
    }
}

/// The path prefix of the Klantinteracties API.
pub const API_PATH: &str = "/klantinteracties/api/v1";

/// Absolute URLs for one request.
///
/// `origin` is what the client reached us on (`https://host[:port][/subpath]`, no trailing
/// slash): either the configured public base URL of the deployment or, without one, the
/// request's own scheme and host. Every register is assumed to be reachable under the same
/// origin, as behind the one Ingress that routes paths to registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUrls {
    origin: String,
}

impl ApiUrls {
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.trim_end_matches('/').to_owned(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `…/klantinteracties/api/v1`
    pub fn api_root(&self) -> String {
        format!("{}{}", self.origin, API_PATH)
    }

    /// The list URL of a resource: `…/klantinteracties/api/v1/partijen`.
    pub fn collection(&self, resource: Resource) -> String {
        format!("{}{}/{}", self.origin, API_PATH, resource.path())
    }

    /// The detail URL of one object: `…/klantinteracties/api/v1/partijen/{uuid}`.
    pub fn object(&self, resource: Resource, uuid: Uuid) -> String {
        format!("{}{}/{}/{}", self.origin, API_PATH, resource.path(), uuid)
    }

    /// Any other absolute path under the origin (`/ref/fouten/…`, `/contactgegevens/api/v1`).
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.origin, path)
    }
}

/// The uuid a reference URL points at: its last path segment, as the `…__url` filters read it.
/// The host and the rest of the path are not checked; `None` when the segment is no uuid.
pub fn uuid_from_url(url: &url::Url) -> Option<Uuid> {
    let last = url.path().trim_end_matches('/').rsplit('/').next()?;
    Uuid::parse_str(last).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_urls_are_absolute_and_have_no_trailing_slash() {
        let urls = ApiUrls::new("https://example.nl/sub/");
        let id = Uuid::nil();
        assert_eq!(
            urls.object(Resource::PartijIdentificatoren, id),
            "https://example.nl/sub/klantinteracties/api/v1/partij-identificatoren/00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(
            urls.collection(Resource::Partijen),
            "https://example.nl/sub/klantinteracties/api/v1/partijen"
        );
    }

    #[test]
    fn the_uuid_of_a_url_is_its_last_segment() {
        let id = Uuid::new_v4();
        let url = url::Url::parse(&format!("http://elsewhere/x/partijen/{id}")).unwrap();
        assert_eq!(uuid_from_url(&url), Some(id));
        let url = url::Url::parse("http://elsewhere/x/not-a-uuid").unwrap();
        assert_eq!(uuid_from_url(&url), None);
    }

    #[test]
    fn every_resource_belongs_to_a_register() {
        assert_eq!(Resource::Partijen.register(), Register::Relatiebeheer);
        assert_eq!(Resource::Betrokkenen.register(), Register::Klantcontacten);
        assert_eq!(Resource::Internetaken.register(), Register::Klanttaak);
        assert_eq!(Register::from_name("klanttaak"), Some(Register::Klanttaak));
    }
}
