//! What this register asks of relatiebeheer for a filter on a betrokkene's partij or address.

use platform::ApiResult;

use crate::Register;

/// The uuids of the partijen in relatiebeheer that match `filters` (for a filter on a
/// betrokkene's partij); refused on `name` when too many match.
pub async fn partijen_matching(
    register: &Register,
    origin: &str,
    filters: &[(String, String)],
    name: &str,
) -> ApiResult<Vec<String>> {
    let partijen = platform::crud::remote_search(
        &register.shared.resolver,
        reference::Resource::Partijen,
        filters,
        origin,
        name,
    )
    .await?;
    Ok(platform::crud::uuids_at(&partijen, "/uuid"))
}

/// The uuids of the betrokkenen that supplied the digitale adressen in relatiebeheer matching
/// `filter`; refused on `name` when too many match.
pub async fn betrokkenen_with_adres(
    register: &Register,
    origin: &str,
    filter: (&str, &str),
    name: &str,
) -> ApiResult<Vec<String>> {
    let adressen = platform::crud::remote_search(
        &register.shared.resolver,
        reference::Resource::Digitaleadressen,
        &[(filter.0.to_owned(), filter.1.to_owned())],
        origin,
        name,
    )
    .await?;
    Ok(platform::crud::uuids_at(
        &adressen,
        "/verstrektDoorBetrokkene/uuid",
    ))
}
