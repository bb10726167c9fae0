//! Value rules every register shares: address groups, phone numbers, e-mail addresses and the
//! deprecated `nummer`. The rules and messages are the ones clients learned from the reference.

use crate::input::{Field, Mode, Presence, Reader, Text};
use serde::Serialize;

/// A postal address group (`bezoekadres`, `correspondentieadres`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Adres {
    pub nummeraanduiding_id: String,
    pub straatnaam: String,
    pub huisnummer: Option<i32>,
    pub huisnummertoevoeging: String,
    pub postcode: String,
    pub stad: String,
    pub adresregel1: String,
    pub adresregel2: String,
    pub adresregel3: String,
    pub land: String,
}

/// ISO 3166-1 alpha-2 country codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code)
}

fn is_postcode(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 7
        && (b'1'..=b'9').contains(&b[0])
        && b[1..4].iter().all(u8::is_ascii_digit)
        && b[4] == b' '
        && b[5..7].iter().all(u8::is_ascii_uppercase)
}

/// Reads an address group. Members left out are empty: a write replaces the whole group, as
/// the reference does; `null` clears it.
pub fn read_adres(reader: &mut Reader<'_>, name: &str) -> Field<Adres> {
    let object = match reader.object(name, Presence::Nullable) {
        Field::Set(object) => object,
        Field::Null => return Field::Set(Adres::default()),
        Field::Absent => return Field::Absent,
    };
    let mut group = Reader::nested(object, Mode::Patch, format!("{name}."));
    let text = |group: &mut Reader<'_>, member: &str, max: usize| {
        group
            .text(member, Text::optional(max))
            .into_set()
            .unwrap_or_default()
    };
    let nummeraanduiding_id = text(&mut group, "nummeraanduidingId", 16);
    let is_bag_id =
        nummeraanduiding_id.len() == 16 && nummeraanduiding_id.bytes().all(|b| b.is_ascii_digit());
    if !nummeraanduiding_id.is_empty() && !is_bag_id {
        group.error(
            "nummeraanduidingId",
            "invalid",
            "Ongeldige nummeraanduiding BAG-ID",
        );
    }
    let straatnaam = text(&mut group, "straatnaam", 255);
    let huisnummer = group
        .integer("huisnummer", 1, 99_999, Presence::Nullable)
        .into_set()
        .and_then(|n| i32::try_from(n).ok());
    let huisnummertoevoeging = text(&mut group, "huisnummertoevoeging", 20);
    let postcode = text(&mut group, "postcode", 7);
    if !postcode.is_empty() && !is_postcode(&postcode) {
        group.error(
            "postcode",
            "invalid",
            format!("Ongeldige postcode {postcode}"),
        );
    }
    let stad = text(&mut group, "stad", 255);
    let adresregel1 = text(&mut group, "adresregel1", 80);
    let adresregel2 = text(&mut group, "adresregel2", 80);
    let adresregel3 = text(&mut group, "adresregel3", 80);
    let land = text(&mut group, "land", 2);
    if !land.is_empty() {
        if land.chars().count() < 2 {
            group.error(
                "land",
                "min_length",
                "Zorg ervoor dat dit veld minimaal 2 karakters bevat.",
            );
        } else if !is_country(&land) {
            let upper = land.to_ascii_uppercase();
            let reason = if is_country(&upper) {
                format!("Ongeldige landcode, de code moet uit hoofdletters bestaan. Bedoelde u {upper}?")
            } else {
                format!("Ongeldige landcode: {land}")
            };
            group.error("land", "invalid", reason);
        }
    }
    let valid = group.is_valid();
    reader.absorb(group);
    if !valid {
        return Field::Absent;
    }
    Field::Set(Adres {
        nummeraanduiding_id,
        straatnaam,
        huisnummer,
        huisnummertoevoeging,
        postcode,
        stad,
        adresregel1,
        adresregel2,
        adresregel3,
        land,
    })
}

/// Dutch and international phone numbers without spaces or dashes; service numbers (0800,
/// 0900, 14xxx) are refused. `Err` holds the message.
pub fn check_telefoonnummer(number: &str) -> Result<(), &'static str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let shape = if let Some(rest) = number.strip_prefix("00") {
        digits(rest) && (7..=13).contains(&rest.len())
    } else if let Some(rest) = number.strip_prefix('+') {
        digits(rest) && (9..=15).contains(&rest.len())
    } else if let Some(rest) = number.strip_prefix('0') {
        digits(rest) && rest.len() == 9 && !rest.starts_with('0')
    } else {
        false
    };
    let service = ["0800", "0900", "1400", "140"]
        .iter()
        .any(|prefix| number.starts_with(prefix));
    if service {
        Err("Het opgegeven telefoonnummer is ongeldig, telefoonnummers beginnend met 0800, 0900, 1400 of 140xx zijn niet toegestaan.")
    } else if !shape {
        Err("Het opgegeven telefoonnummer is ongeldig.")
    } else {
        Ok(())
    }
}

/// An e-mail address as the reference accepts it: RFC 5322 syntax, and a domain that is a
/// dotted name with a real top-level part (or `localhost`).
pub fn is_email(address: &str) -> bool {
    if address.len() > 254 || !email_address::EmailAddress::is_valid(address) {
        return false;
    }
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    if domain == "localhost" || (domain.starts_with('[') && domain.ends_with(']')) {
        return true;
    }
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())) || tld.starts_with("xn--")
}

/// The deprecated `nummer`: an integer literal of at most ten characters; `""` means none.
pub fn read_nummer(reader: &mut Reader<'_>) -> Field<Option<String>> {
    read_number_text(reader, "nummer")
}

/// A number kept as text (`nummer`, `referentienummer`): an integer literal of at most ten
/// characters; `""` and `null` mean none.
pub fn read_number_text(reader: &mut Reader<'_>, name: &str) -> Field<Option<String>> {
    match reader.nullable_text(name, Text::optional(10)) {
        Field::Set(text) if text.is_empty() => Field::Set(None),
        Field::Set(text) => {
            let digits = text.strip_prefix('-').unwrap_or(&text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                reader.error(name, "invalid", "Een geldig getal is vereist.");
                Field::Absent
            } else {
                Field::Set(Some(text))
            }
        }
        Field::Null => Field::Set(None),
        Field::Absent => Field::Absent,
    }
}

/// A free-text object identificator group (`onderwerpobjectidentificator`,
/// `bijlageidentificator`, `actoridentificator`): four optional members of at most 200 characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectIdentificator {
    pub object_id: String,
    pub code_objecttype: String,
    pub code_register: String,
    pub code_soort_object_id: String,
}

/// Reads such a group; like address groups, a write replaces it whole and `null` clears it.
pub fn read_object_identificator(
    reader: &mut Reader<'_>,
    name: &str,
) -> Field<ObjectIdentificator> {
    let object = match reader.object(name, Presence::Nullable) {
        Field::Set(object) => object,
        Field::Null => return Field::Set(ObjectIdentificator::default()),
        Field::Absent => return Field::Absent,
    };
    let mut group = Reader::nested(object, Mode::Patch, format!("{name}."));
    let mut text = |member: &str| {
        group
            .text(member, Text::optional(200))
            .into_set()
            .unwrap_or_default()
    };
    let value = ObjectIdentificator {
        object_id: text("objectId"),
        code_objecttype: text("codeObjecttype"),
        code_register: text("codeRegister"),
        code_soort_object_id: text("codeSoortObjectId"),
    };
    let valid = group.is_valid();
    reader.absorb(group);
    if valid {
        Field::Set(value)
    } else {
        Field::Absent
    }
}

/// `voornaam voorvoegsel achternaam`, skipping empty parts (the derived `volledigeNaam`).
pub fn volledige_naam(voornaam: &str, voorvoegsel: &str, achternaam: &str) -> String {
    [voornaam, voorvoegsel, achternaam]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ten columns of an address group in a table, as a diesel struct that converts to and from
/// [`Adres`]: `adres_columns!(Name, table, nummeraanduiding_col, …, land_col)`.
#[macro_export]
macro_rules! adres_columns {
    ($name:ident, $table:ident, $nummeraanduiding:ident, $straat:ident, $huisnummer:ident, $toevoeging:ident,
     $postcode:ident, $stad:ident, $r1:ident, $r2:ident, $r3:ident, $land:ident) => {
        /// The columns of one address group.
        #[derive(
            Debug,
            Clone,
            Default,
            diesel::Queryable,
            diesel::Selectable,
            diesel::Insertable,
            diesel::AsChangeset,
        )]
        #[diesel(table_name = $table, treat_none_as_null = true)]
        pub struct $name {
            #[diesel(column_name = $nummeraanduiding)]
            pub nummeraanduiding_id: String,
            #[diesel(column_name = $straat)]
            pub straatnaam: String,
            #[diesel(column_name = $huisnummer)]
            pub huisnummer: Option<i32>,
            #[diesel(column_name = $toevoeging)]
            pub huisnummertoevoeging: String,
            #[diesel(column_name = $postcode)]
            pub postcode: String,
            #[diesel(column_name = $stad)]
            pub stad: String,
            #[diesel(column_name = $r1)]
            pub adresregel1: String,
            #[diesel(column_name = $r2)]
            pub adresregel2: String,
            #[diesel(column_name = $r3)]
            pub adresregel3: String,
            #[diesel(column_name = $land)]
            pub land: String,
        }

        impl From<&$name> for $crate::values::Adres {
            fn from(c: &$name) -> $crate::values::Adres {
                $crate::values::Adres {
                    nummeraanduiding_id: c.nummeraanduiding_id.clone(),
                    straatnaam: c.straatnaam.clone(),
                    huisnummer: c.huisnummer,
                    huisnummertoevoeging: c.huisnummertoevoeging.clone(),
                    postcode: c.postcode.clone(),
                    stad: c.stad.clone(),
                    adresregel1: c.adresregel1.clone(),
                    adresregel2: c.adresregel2.clone(),
                    adresregel3: c.adresregel3.clone(),
                    land: c.land.clone(),
                }
            }
        }

        impl From<$crate::values::Adres> for $name {
            fn from(a: $crate::values::Adres) -> $name {
                $name {
                    nummeraanduiding_id: a.nummeraanduiding_id,
                    straatnaam: a.straatnaam,
                    huisnummer: a.huisnummer,
                    huisnummertoevoeging: a.huisnummertoevoeging,
                    postcode: a.postcode,
                    stad: a.stad,
                    adresregel1: a.adresregel1,
                    adresregel2: a.adresregel2,
                    adresregel3: a.adresregel3,
                    land: a.land,
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_follow_the_reference_rules() {
        for good in [
            "0612345678",
            "0201234567",
            "+31612345678",
            "+441134960000",
            "0031612345678",
            "00311234567",
            "0881234567",
        ] {
            assert_eq!(check_telefoonnummer(good), Ok(()), "{good}");
        }
        for bad in [
            "020 753 0523",
            "+311234",
            "316123456789",
            "0800123456",
            "0900123456",
            "061234567",
        ] {
            assert!(check_telefoonnummer(bad).is_err(), "{bad}");
        }
        assert!(check_telefoonnummer("0900123456")
            .unwrap_err()
            .contains("0800, 0900"));
    }

    #[test]
    fn e_mail_addresses_need_a_real_domain() {
        assert!(is_email("s.devries@example.nl"));
        assert!(is_email("info@bakkerijvandenberg.example.nl"));
        assert!(!is_email("invalid"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a@@example.nl"));
    }

    #[test]
    fn postcodes_and_countries() {
        assert!(is_postcode("1015 CJ"));
        assert!(!is_postcode("1015CJ"));
        assert!(!is_postcode("0015 CJ"));
        assert!(!is_postcode("1015 cj"));
        assert!(is_country("NL"));
        assert!(!is_country("nl"));
        assert!(!is_country("XX"));
    }
}
