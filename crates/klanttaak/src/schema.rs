diesel::table! {
    internetaken (id) {
        id -> BigInt,
        uuid -> Text,
        nummer -> Nullable<Text>,
        referentienummer -> Nullable<Text>,
        gevraagde_handeling -> Text,
        klantcontact_uuid -> Text,
        toelichting -> Text,
        status -> Text,
        toegewezen_op -> Timestamp,
        afgehandeld_op -> Nullable<Timestamp>,
    }
}

diesel::table! {
    internetaak_actoren (internetaak_id, position) {
        internetaak_id -> BigInt,
        position -> Integer,
        actor_uuid -> Text,
    }
}

diesel::joinable!(internetaak_actoren -> internetaken (internetaak_id));
diesel::allow_tables_to_appear_in_same_query!(internetaken, internetaak_actoren);
