//! The key a data subject's id is encrypted with before it is written in the Logboek.
//!
//! AES-SIV (RFC 5297) is deterministic: the same BSN gives the same encrypted id, so the
//! Logboek can be searched for one person (the register encrypts the BSN it is asked about)
//! without ever holding a BSN, and whoever has the key can still read the id back. The kind of
//! id (`bsn`) is bound in as associated data, so ids of different kinds never coincide.

use aes_siv::siv::Aes256Siv;
use aes_siv::KeyInit;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

/// 512 bits: AES-256-SIV's two keys.
const KEY_BYTES: usize = 64;

/// The key, kept out of `Debug` output.
#[derive(Clone)]
pub struct SubjectKey([u8; KEY_BYTES]);

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubjectKey(…)")
    }
}

impl SubjectKey {
    /// A key as configured: 64 bytes in base64.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("the Logboek key is no base64"))?;
        let key: [u8; KEY_BYTES] = bytes.try_into().map_err(|b: Vec<u8>| {
            anyhow::anyhow!(
                "the Logboek key has {} bytes; it needs {KEY_BYTES} (make one with `klantinteracties logboek sleutel`)",
                b.len()
            )
        })?;
        Ok(Self(key))
    }

    /// A new random key.
    pub fn generate() -> anyhow::Result<Self> {
        let mut key = [0u8; KEY_BYTES];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        Ok(Self(key))
    }

    /// The key as it is configured.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> Aes256Siv {
        // The array has the cipher's key length, so this cannot fail.
        Aes256Siv::new(&self.0.into())
    }

    /// The encrypted id of a person known by an id of this kind (`bsn`): URL-safe base64.
    pub fn encrypt(&self, kind: &str, id: &str) -> String {
        match self
            .cipher()
            .encrypt([kind.as_bytes()], id.trim().as_bytes())
        {
            Ok(sealed) => URL_SAFE_NO_PAD.encode(sealed),
            // Only for more associated data than AES-SIV takes; we give one.
            Err(_) => String::new(),
        }
    }

    /// The id an encrypted id stands for; `None` when it was not made with this key and kind.
    pub fn decrypt(&self, kind: &str, encrypted: &str) -> Option<String> {
        let sealed = URL_SAFE_NO_PAD.decode(encrypted).ok()?;
        let opened = self.cipher().decrypt([kind.as_bytes()], &sealed).ok()?;
        String::from_utf8(opened).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bsn_gives_the_same_id_which_reads_back_only_with_the_key() {
        let key = SubjectKey::generate().unwrap();
        let id = key.encrypt("bsn", "999993653");
        assert_eq!(id, key.encrypt("bsn", " 999993653 "));
        assert!(!id.contains("999993653"));
        assert_ne!(id, key.encrypt("bsn", "999990019"));
        assert_ne!(id, key.encrypt("vnummer", "999993653"));
        assert_eq!(key.decrypt("bsn", &id).as_deref(), Some("999993653"));
        let other = SubjectKey::generate().unwrap();
        assert_ne!(id, other.encrypt("bsn", "999993653"));
        assert_eq!(other.decrypt("bsn", &id), None);
    }

    #[test]
    fn a_configured_key_is_64_bytes_of_base64() {
        let key = SubjectKey::generate().unwrap();
        let again = SubjectKey::parse(&key.to_base64()).unwrap();
        assert_eq!(key.encrypt("bsn", "1"), again.encrypt("bsn", "1"));
        assert!(SubjectKey::parse("c2hvcnQ=").is_err());
        assert!(SubjectKey::parse("not base64!").is_err());
        assert_eq!(format!("{key:?}"), "SubjectKey(…)");
    }
}
