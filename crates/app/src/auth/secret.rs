//! Random secrets (session cookies, API tokens) and the hashes stored in their place.

use sha2::{Digest, Sha256};

/// The prefix of API tokens, so that they are recognisable in configs and secret scanners.
pub const TOKEN_PREFIX: &str = "boss_";

/// 256 random bits, hex encoded.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex::encode(bytes)
}

/// A new API token secret.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_hex())
}

/// What the database keeps of a secret. The secrets are 256 random bits, so a fast hash is
/// enough: there is nothing to brute-force.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_token();
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert_ne!(a, new_token());
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), a);
    }
}
