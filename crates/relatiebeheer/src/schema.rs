//! The relatiebeheer tables, kept by hand to the subset PostgreSQL and SQLite share (uuids as
//! text, moments as UTC timestamps). Must match `migrations/*/`.

diesel::table! {
    partijen (id) {
        id -> BigInt,
        uuid -> Text,
        nummer -> Nullable<Text>,
        interne_notitie -> Text,
        soort_partij -> Text,
        indicatie_geheimhouding -> Nullable<Bool>,
        voorkeurstaal -> Text,
        indicatie_actief -> Bool,
        voorkeurs_digitaal_adres_id -> Nullable<BigInt>,
        voorkeurs_rekeningnummer_id -> Nullable<BigInt>,
        bezoekadres_nummeraanduiding_id -> Text,
        bezoekadres_straatnaam -> Text,
        bezoekadres_huisnummer -> Nullable<Integer>,
        bezoekadres_huisnummertoevoeging -> Text,
        bezoekadres_postcode -> Text,
        bezoekadres_stad -> Text,
        bezoekadres_adresregel1 -> Text,
        bezoekadres_adresregel2 -> Text,
        bezoekadres_adresregel3 -> Text,
        bezoekadres_land -> Text,
        correspondentieadres_nummeraanduiding_id -> Text,
        correspondentieadres_straatnaam -> Text,
        correspondentieadres_huisnummer -> Nullable<Integer>,
        correspondentieadres_huisnummertoevoeging -> Text,
        correspondentieadres_postcode -> Text,
        correspondentieadres_stad -> Text,
        correspondentieadres_adresregel1 -> Text,
        correspondentieadres_adresregel2 -> Text,
        correspondentieadres_adresregel3 -> Text,
        correspondentieadres_land -> Text,
        identificatie_soort -> Nullable<Text>,
        contactpersoon_uuid -> Nullable<Text>,
        werkte_voor_partij_id -> Nullable<BigInt>,
        voorletters -> Text,
        voornaam -> Text,
        voorvoegsel_achternaam -> Text,
        achternaam -> Text,
        naam -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    partij_identificatoren (id) {
        id -> BigInt,
        uuid -> Text,
        partij_id -> Nullable<BigInt>,
        andere_partij_identificator -> Text,
        code_objecttype -> Text,
        code_soort_object_id -> Text,
        object_id -> Text,
        code_register -> Text,
        sub_identificator_van_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    digitale_adressen (id) {
        id -> BigInt,
        uuid -> Text,
        partij_id -> Nullable<BigInt>,
        betrokkene_uuid -> Nullable<Text>,
        adres -> Text,
        soort_digitaal_adres -> Text,
        is_standaard_adres -> Bool,
        omschrijving -> Text,
        referentie -> Text,
        verificatie_datum -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rekeningnummers (id) {
        id -> BigInt,
        uuid -> Text,
        partij_id -> Nullable<BigInt>,
        iban -> Text,
        bic -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    vertegenwoordigingen (id) {
        id -> BigInt,
        uuid -> Text,
        vertegenwoordigende_partij_id -> BigInt,
        vertegenwoordigde_partij_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    categorieen (id) {
        id -> BigInt,
        uuid -> Text,
        naam -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    categorie_relaties (id) {
        id -> BigInt,
        uuid -> Text,
        partij_id -> Nullable<BigInt>,
        categorie_id -> Nullable<BigInt>,
        begin_datum -> Nullable<Date>,
        eind_datum -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contactgegevens_personen (id) {
        id -> BigInt,
        uuid -> Text,
        geboortedatum -> Date,
        overlijdensdatum -> Nullable<Date>,
        geslachtsnaam -> Text,
        geslacht -> Text,
        voorvoegsel -> Text,
        voornamen -> Text,
        adres_nummeraanduiding_id -> Text,
        adres_straatnaam -> Text,
        adres_huisnummer -> Nullable<Integer>,
        adres_huisnummertoevoeging -> Text,
        adres_postcode -> Text,
        adres_stad -> Text,
        adres_adresregel1 -> Text,
        adres_adresregel2 -> Text,
        adres_adresregel3 -> Text,
        adres_land -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contactgegevens_organisaties (id) {
        id -> BigInt,
        uuid -> Text,
        handelsnaam -> Text,
        oprichtingsdatum -> Nullable<Date>,
        opheffingsdatum -> Nullable<Date>,
        adres_nummeraanduiding_id -> Text,
        adres_straatnaam -> Text,
        adres_huisnummer -> Nullable<Integer>,
        adres_huisnummertoevoeging -> Text,
        adres_postcode -> Text,
        adres_stad -> Text,
        adres_adresregel1 -> Text,
        adres_adresregel2 -> Text,
        adres_adresregel3 -> Text,
        adres_land -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(partij_identificatoren -> partijen (partij_id));
diesel::joinable!(digitale_adressen -> partijen (partij_id));
diesel::joinable!(rekeningnummers -> partijen (partij_id));
diesel::joinable!(categorie_relaties -> categorieen (categorie_id));
diesel::allow_tables_to_appear_in_same_query!(
    partijen,
    partij_identificatoren,
    digitale_adressen,
    rekeningnummers,
    vertegenwoordigingen,
    categorieen,
    categorie_relaties,
);
