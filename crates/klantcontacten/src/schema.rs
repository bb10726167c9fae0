//! The klantcontacten tables, kept by hand to what PostgreSQL and SQLite share. Must match
//! `migrations/*/`.

diesel::table! {
    klantcontacten (id) {
        id -> BigInt,
        uuid -> Text,
        nummer -> Nullable<Text>,
        referentienummer -> Nullable<Text>,
        kanaal -> Text,
        onderwerp -> Text,
        inhoud -> Text,
        reactie -> Text,
        indicatie_contact_gelukt -> Nullable<Bool>,
        hoofd_onderwerp_type -> Text,
        verdere_actie_ondernomen -> Bool,
        taal -> Text,
        vertrouwelijk -> Bool,
        plaatsgevonden_op -> Timestamp,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    betrokkenen (id) {
        id -> BigInt,
        uuid -> Text,
        klantcontact_id -> BigInt,
        partij_uuid -> Nullable<Text>,
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
        voorletters -> Text,
        voornaam -> Text,
        voorvoegsel_achternaam -> Text,
        achternaam -> Text,
        rol -> Text,
        organisatienaam -> Text,
        initiator -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    onderwerpobjecten (id) {
        id -> BigInt,
        uuid -> Text,
        klantcontact_id -> Nullable<BigInt>,
        was_klantcontact_id -> Nullable<BigInt>,
        identificator_object_id -> Text,
        identificator_code_objecttype -> Text,
        identificator_code_register -> Text,
        identificator_code_soort_object_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bijlagen (id) {
        id -> BigInt,
        uuid -> Text,
        klantcontact_id -> Nullable<BigInt>,
        identificator_object_id -> Text,
        identificator_code_objecttype -> Text,
        identificator_code_register -> Text,
        identificator_code_soort_object_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    actoren (id) {
        id -> BigInt,
        uuid -> Text,
        naam -> Text,
        soort_actor -> Text,
        indicatie_actief -> Bool,
        identificator_object_id -> Text,
        identificator_code_objecttype -> Text,
        identificator_code_register -> Text,
        identificator_code_soort_object_id -> Text,
        identificatie_soort -> Nullable<Text>,
        functie -> Text,
        emailadres -> Text,
        telefoonnummer -> Text,
        omschrijving -> Text,
        faxnummer -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    actorklantcontacten (id) {
        id -> BigInt,
        uuid -> Text,
        actor_id -> BigInt,
        klantcontact_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(betrokkenen -> klantcontacten (klantcontact_id));
diesel::joinable!(bijlagen -> klantcontacten (klantcontact_id));
diesel::joinable!(actorklantcontacten -> klantcontacten (klantcontact_id));
diesel::joinable!(actorklantcontacten -> actoren (actor_id));
diesel::allow_tables_to_appear_in_same_query!(
    klantcontacten,
    betrokkenen,
    onderwerpobjecten,
    bijlagen,
    actoren,
    actorklantcontacten,
);
