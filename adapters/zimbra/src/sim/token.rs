//! Zimbra auth tokens: `{ver}_{hmacHex}_{hex(data)}` with data
//! `id=36:{zimbraId};exp=13:{ms};type=6:zimbra;` (`ZimbraAuthToken.java`).
//!
//! The simulator mints and checks them with HMAC-SHA256 over the data under a
//! per-process secret; nginx (and our route lookup) only reads `id`.

use sha2::{Digest, Sha256};

/// Why a token was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token we minted.
    Invalid,
    /// Past its `exp`.
    Expired,
}

fn hmac(key: &[u8], data: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new().chain_update(&ipad).chain_update(data).finalize();
    hex::encode(Sha256::new().chain_update(&opad).chain_update(inner).finalize())
}

fn field(name: &str, value: &str) -> String {
    format!("{name}={}:{value};", value.len())
}

/// Mints a token for `zimbra_id` valid until `exp_ms`.
pub fn mint(secret: &[u8], zimbra_id: &str, exp_ms: i64) -> String {
    let data = format!("{}{}{}", field("id", zimbra_id), field("exp", &exp_ms.to_string()), field("type", "zimbra"));
    format!("0_{}_{}", hmac(secret, data.as_bytes()), hex::encode(data.as_bytes()))
}

/// The fields of a token's data part, without checking the signature (what nginx does).
pub fn fields(token: &str) -> Option<Vec<(String, String)>> {
    let mut parts = token.splitn(3, '_');
    let (_ver, _mac, data) = (parts.next()?, parts.next()?, parts.next()?);
    let data = String::from_utf8(hex::decode(data).ok()?).ok()?;
    let mut out = Vec::new();
    let mut rest = data.as_str();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let (len, after) = after.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let value = after.get(..len)?;
        out.push((name.to_owned(), value.to_owned()));
        rest = after.get(len..)?.strip_prefix(';')?;
    }
    Some(out)
}

/// Checks signature and expiry; returns the zimbraId.
pub fn check(secret: &[u8], token: &str, now_ms: i64) -> Result<String, TokenError> {
    let mut parts = token.splitn(3, '_');
    let (_ver, mac, data) = match (parts.next(), parts.next(), parts.next()) {
        (Some(v), Some(m), Some(d)) => (v, m, d),
        _ => return Err(TokenError::Invalid),
    };
    let raw = hex::decode(data).map_err(|_| TokenError::Invalid)?;
    if hmac(secret, &raw) != mac {
        return Err(TokenError::Invalid);
    }
    let f = fields(token).ok_or(TokenError::Invalid)?;
    let get = |n: &str| f.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let exp: i64 = get("exp").and_then(|e| e.parse().ok()).ok_or(TokenError::Invalid)?;
    if now_ms >= exp {
        return Err(TokenError::Expired);
    }
    get("id").ok_or(TokenError::Invalid)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mint_and_check() {
        let id = "0b7c8d0e-0000-4000-8000-000000000001";
        let t = mint(b"k", id, 2_000);
        assert!(t.starts_with("0_"));
        let f = fields(&t).unwrap();
        assert_eq!(f[0], ("id".to_owned(), id.to_owned()));
        assert_eq!(f[2], ("type".to_owned(), "zimbra".to_owned()));
        assert_eq!(check(b"k", &t, 1_000), Ok(id.to_owned()));
        assert_eq!(check(b"k", &t, 2_000), Err(TokenError::Expired));
        assert_eq!(check(b"other", &t, 1_000), Err(TokenError::Invalid));
        assert_eq!(check(b"k", "garbage", 1_000), Err(TokenError::Invalid));
    }
}
