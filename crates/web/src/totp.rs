//! Two-factor sign-in codes: time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second
//! steps, six digits, as every authenticator app reads them from an `otpauth://` link or QR
//! code) and single-use recovery codes.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::auth::random_bytes;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Recovery codes given at a time.
pub const RECOVERY_CODES: usize = 10;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (any case; spaces, hyphens and padding ignored); None if it is not base32.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.chars().filter(|c| !matches!(c, ' ' | '-' | '=')) {
        let v = ALPHABET.iter().position(|&a| a as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    Some(out)
}

/// A new secret: 160 random bits, as base32 (32 characters).
pub fn new_secret() -> String {
    base32(&random_bytes::<20>())
}

/// The time step of a moment (milliseconds since 1970).
pub fn step_at(ms: i64) -> i64 {
    ms.div_euclid(1000 * STEP_SECONDS)
}

/// The `digits`-digit code of a key at a time step (RFC 4226's dynamic truncation).
pub fn code_with(key: &[u8], step: i64, digits: u32) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(&(step as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let binary = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    binary % 10u32.pow(digits)
}

/// The six-digit code of a base32 secret at a time step, as text.
pub fn code(secret: &str, step: i64) -> Option<String> {
    let key = base32_decode(secret)?;
    Some(format!("{:06}", code_with(&key, step, 6)))
}

/// The time step, within one step of `now_step` either way (for clocks a little out), whose
/// code `entered` is; None if it is none of them. Compared in constant time.
pub fn matching_step(secret: &str, entered: &str, now_step: i64) -> Option<i64> {
    let entered: String = entered.chars().filter(|c| !c.is_whitespace()).collect();
    if entered.len() != 6 || !entered.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut found = None;
    for step in [now_step - 1, now_step, now_step + 1] {
        let want = code(secret, step)?;
        if bool::from(want.as_bytes().ct_eq(entered.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Whether text looks like a six-digit code (spaces allowed) rather than a recovery code.
pub fn looks_like_code(entered: &str) -> bool {
    let digits: String = entered.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())
}

/// New recovery codes: ten of ten base32 characters (50 bits each), shown as `xxxxx-xxxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let c = base32(&random_bytes::<7>())[..10].to_ascii_lowercase();
            format!("{}-{}", &c[..5], &c[5..])
        })
        .collect()
}

/// A recovery code's characters as compared: lower case, without spaces or hyphens (so that it
/// may be typed either way).
fn plain(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A recovery code as stored: a random 64-bit salt and the SHA-256 of the salt and the code,
/// as `salt$hash` (ASVS 2.6.2: a stolen database does not give every code in one search).
pub fn recovery_hash(code: &str) -> String {
    let salt = hex::encode(random_bytes::<8>());
    let hash = crate::auth::sha256_hex(&format!("{salt}{}", plain(code)));
    format!("{salt}${hash}")
}

/// Whether `entered` is the recovery code stored as `stored`, compared in constant time.
pub fn recovery_matches(stored: &str, entered: &str) -> bool {
    let Some((salt, hash)) = stored.split_once('$') else {
        return false;
    };
    let want = crate::auth::sha256_hex(&format!("{salt}{}", plain(entered)));
    bool::from(want.as_bytes().ct_eq(hash.as_bytes()))
}

/// The `otpauth://` link an authenticator app reads.
pub fn otpauth_uri(secret: &str, account: &str, issuer: &str) -> String {
    // Percent-encoding of everything but RFC 3986's unreserved characters.
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// The link as an inline SVG QR code, for the page (the secret is also shown as text for those
/// who cannot scan it).
pub fn qr_svg(uri: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(uri.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // Inline: drop the XML declaration; the text alternative is the key printed beside it.
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR code for your authenticator app\" ",
        1,
    )
}

/// The secret in groups of four, for typing.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vectors() {
        // RFC 6238 appendix B, SHA-1, eight digits; the key is the ASCII of "12345678901234567890".
        let key = b"12345678901234567890";
        for (t, want) in [
            (59i64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(code_with(key, t / STEP_SECONDS, 8), want, "T = {t}");
        }
        // The same as six digits, through the base32 secret an app is given.
        let secret = base32(key);
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(code(&secret, 59 / STEP_SECONDS).as_deref(), Some("287082"));
        assert_eq!(step_at(59_000), 1);
    }

    #[test]
    fn base32_round_trips() {
        for n in 0..24usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let text = base32(&bytes);
            assert_eq!(base32_decode(&text).unwrap(), bytes);
            assert_eq!(base32_decode(&grouped(&text.to_lowercase())).unwrap(), bytes);
        }
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert!(base32_decode("not base32!").is_none());
    }

    #[test]
    fn codes_match_within_one_step_and_only_as_six_digits() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let now = 1_000_000;
        for (offset, want) in [
            (-2i64, None),
            (-1, Some(now - 1)),
            (0, Some(now)),
            (1, Some(now + 1)),
            (2, None),
        ] {
            let c = code(&secret, now + offset).unwrap();
            // A code of a step two away may by chance equal one within the window.
            let near = [-1, 0, 1].iter().any(|d| code(&secret, now + d).unwrap() == c);
            if want.is_some() || !near {
                assert_eq!(matching_step(&secret, &c, now), want, "offset {offset}");
            }
        }
        let c = code(&secret, now).unwrap();
        assert_eq!(
            matching_step(&secret, &format!("{} {}", &c[..3], &c[3..]), now),
            Some(now)
        );
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
        assert!(looks_like_code("123 456") && !looks_like_code("abcde-fghij"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_either_way() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        for (k, c) in codes.iter().enumerate() {
            assert_eq!(c.len(), 11);
            let stored = recovery_hash(c);
            assert_ne!(stored, recovery_hash(c), "salted: the same code is stored differently");
            assert!(recovery_matches(&stored, c));
            assert!(recovery_matches(&stored, &c.replace('-', "").to_uppercase()));
            assert!(!recovery_matches(&stored, &codes[(k + 1) % codes.len()]));
            assert!(!recovery_matches("not a stored code", c));
        }
    }

    #[test]
    fn otpauth_link_and_qr_code() {
        let uri = otpauth_uri("JBSWY3DPEHPK3PXP", "ada@example.org", "Footprint");
        assert_eq!(
            uri,
            "otpauth://totp/Footprint:ada%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Footprint&algorithm=SHA1&digits=6&period=30"
        );
        let svg = qr_svg(&uri);
        assert!(svg.starts_with("<svg role=\"img\" aria-label="), "{svg}");
        assert!(svg.ends_with("</svg>"));
    }
}
