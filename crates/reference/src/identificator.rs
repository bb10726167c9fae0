//! The four-part external identificator of a partij: which register (BRP, HR), which kind of
//! object, which kind of number, and the number itself. The combination rules and the number
//! formats are the standard's, not ours; the messages are the ones clients already know.

use serde::Serialize;

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

code_enum!(
    /// `codeObjecttype`
    CodeObjecttype {
        NatuurlijkPersoon = "natuurlijk_persoon",
        NietNatuurlijkPersoon = "niet_natuurlijk_persoon",
        Vestiging = "vestiging",
    }
);

code_enum!(
    /// `codeSoortObjectId`
    CodeSoortObjectId {
        Bsn = "bsn",
        Vestigingsnummer = "vestigingsnummer",
        KvkNummer = "kvk_nummer",
        Rsin = "rsin",
    }
);

code_enum!(
    /// `codeRegister`
    CodeRegister {
        Brp = "brp",
        Hr = "hr",
    }
);

impl CodeRegister {
    /// The object types a register knows.
    pub fn objecttypes(self) -> &'static [CodeObjecttype] {
        match self {
            CodeRegister::Brp => &[CodeObjecttype::NatuurlijkPersoon],
            CodeRegister::Hr => &[
                CodeObjecttype::NietNatuurlijkPersoon,
                CodeObjecttype::Vestiging,
            ],
        }
    }
}

impl CodeObjecttype {
    /// The kinds of number an object type is identified by.
    pub fn soorten(self) -> &'static [CodeSoortObjectId] {
        match self {
            CodeObjecttype::NatuurlijkPersoon => &[CodeSoortObjectId::Bsn],
            CodeObjecttype::NietNatuurlijkPersoon => {
                &[CodeSoortObjectId::Rsin, CodeSoortObjectId::KvkNummer]
            }
            CodeObjecttype::Vestiging => &[CodeSoortObjectId::Vestigingsnummer],
        }
    }
}

/// A complete identificator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identificator {
    pub code_objecttype: CodeObjecttype,
    pub code_soort_object_id: CodeSoortObjectId,
    pub object_id: String,
    pub code_register: CodeRegister,
}

/// Which of the rules an identificator broke; the API names the field after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentificatorError {
    /// The object type does not belong to the register.
    Objecttype(String),
    /// The kind of number does not belong to the object type.
    SoortObjectId(String),
    /// The number itself is malformed.
    ObjectId(String),
}

fn allowed_list<T: Copy>(items: &[T], text: impl Fn(T) -> &'static str) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("'{}'", text(*i))).collect();
    format!("[{}]", quoted.join(", "))
}

impl Identificator {
    /// Checks the register ⇒ objecttype ⇒ soort hierarchy, then the number's format, in the order
    /// the standard's reference implementation reports them (the first broken rule only).
    pub fn validate(&self) -> Result<(), IdentificatorError> {
        let objecttypes = self.code_register.objecttypes();
        if !objecttypes.contains(&self.code_objecttype) {
            return Err(IdentificatorError::Objecttype(format!(
                "voor `codeRegister` {} zijn alleen deze waarden toegestaan: {}",
                self.code_register.as_str(),
                allowed_list(objecttypes, CodeObjecttype::as_str)
            )));
        }
        let soorten = self.code_objecttype.soorten();
        if !soorten.contains(&self.code_soort_object_id) {
            return Err(IdentificatorError::SoortObjectId(format!(
                "voor `codeObjecttype` {} zijn alleen deze waarden toegestaan: {}",
                self.code_objecttype.as_str(),
                allowed_list(soorten, CodeSoortObjectId::as_str)
            )));
        }
        validate_object_id(self.code_soort_object_id, &self.object_id).map_err(|reason| {
            IdentificatorError::ObjectId(format!("Deze waarde is ongeldig, reden: {reason}"))
        })
    }
}

/// The format of a number of the given kind. An empty number is not checked: the reference
/// accepts it, and clients have stored such identificatoren.
pub fn validate_object_id(soort: CodeSoortObjectId, object_id: &str) -> Result<(), &'static str> {
    if object_id.is_empty() {
        return Ok(());
    }
    match soort {
        CodeSoortObjectId::Bsn => elfproef(object_id, "Onjuist BSN nummer"),
        CodeSoortObjectId::Rsin => elfproef(object_id, "Onjuist RSIN nummer"),
        CodeSoortObjectId::KvkNummer => digits_of_length(object_id, 8),
        CodeSoortObjectId::Vestigingsnummer => digits_of_length(object_id, 12),
    }
}

fn digits_of_length(value: &str, length: usize) -> Result<(), &'static str> {
    if value.chars().count() != length {
        return Err(match length {
            8 => "Waarde moet 8 tekens lang zijn",
            12 => "Waarde moet 12 tekens lang zijn",
            _ => "Waarde heeft niet de juiste lengte",
        });
    }
    if !value.chars().all(|c| c.is_ascii_digit()) {
        return Err("Voer een numerieke waarde in");
    }
    Ok(())
}

/// The Dutch "11-proef" for BSN and RSIN: weights 9…2 for the first eight digits and −1 for the
/// last; the number is valid when the weighted sum is divisible by 11.
fn elfproef(value: &str, wrong: &'static str) -> Result<(), &'static str> {
    digits_of_length(value, 9).map_err(|e| {
        if e == "Voer een numerieke waarde in" {
            e
        } else {
            "Waarde moet 9 tekens lang zijn"
        }
    })?;
    let sum: i64 = value
        .bytes()
        .map(|b| i64::from(b - b'0'))
        .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(digit, weight)| digit * weight)
        .sum();
    if sum % 11 == 0 {
        Ok(())
    } else {
        Err(wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bsn(object_id: &str) -> Identificator {
        Identificator {
            code_objecttype: CodeObjecttype::NatuurlijkPersoon,
            code_soort_object_id: CodeSoortObjectId::Bsn,
            object_id: object_id.into(),
            code_register: CodeRegister::Brp,
        }
    }

    #[test]
    fn the_elfproef_accepts_the_numbers_clients_use_and_rejects_the_rest() {
        for good in [
            "296648875",
            "123456782",
            "111222333",
            "999958653",
            "000000000",
        ] {
            assert_eq!(bsn(good).validate(), Ok(()), "{good}");
        }
        let reason = |id: &str| match bsn(id).validate() {
            Err(IdentificatorError::ObjectId(r)) => r,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason("123456789"),
            "Deze waarde is ongeldig, reden: Onjuist BSN nummer"
        );
        assert!(reason("12").ends_with("Waarde moet 9 tekens lang zijn"));
        assert!(reason("123TEST12").ends_with("Voer een numerieke waarde in"));
    }

    #[test]
    fn the_register_decides_the_objecttype_and_the_objecttype_the_soort() {
        let mut id = bsn("296648875");
        id.code_objecttype = CodeObjecttype::NietNatuurlijkPersoon;
        assert_eq!(
            id.validate(),
            Err(IdentificatorError::Objecttype(
                "voor `codeRegister` brp zijn alleen deze waarden toegestaan: ['natuurlijk_persoon']".into()
            ))
        );
        let mut id = bsn("12345678");
        id.code_soort_object_id = CodeSoortObjectId::KvkNummer;
        assert_eq!(
            id.validate(),
            Err(IdentificatorError::SoortObjectId(
                "voor `codeObjecttype` natuurlijk_persoon zijn alleen deze waarden toegestaan: ['bsn']".into()
            ))
        );
    }

    #[test]
    fn kvk_and_vestigingsnummers_are_only_digits_of_their_length() {
        assert_eq!(
            validate_object_id(CodeSoortObjectId::KvkNummer, "12345678"),
            Ok(())
        );
        assert!(validate_object_id(CodeSoortObjectId::KvkNummer, "1234567").is_err());
        assert!(validate_object_id(CodeSoortObjectId::KvkNummer, "1234567a").is_err());
        assert_eq!(
            validate_object_id(CodeSoortObjectId::Vestigingsnummer, "000064995278"),
            Ok(())
        );
        assert!(validate_object_id(CodeSoortObjectId::Vestigingsnummer, "64995278").is_err());
        assert_eq!(validate_object_id(CodeSoortObjectId::Bsn, ""), Ok(()));
    }
}
