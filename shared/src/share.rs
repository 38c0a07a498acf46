//! Share links: a whole scenario in a compact, versioned, URL-safe string.
//!
//! Encoding: `v1.` + base64url (no padding) of the raw-DEFLATE-compressed scenario JSON. The
//! prefix is the *link* format's version (how the bytes are packed); the scenario inside carries
//! its own `format_version`, checked by [`Scenario::validate`]. A link from a future or past format
//! is recognised as such and explained, never misread; a damaged link (truncated, edited by hand)
//! says so. Decompression is capped so a crafted link cannot expand without bound.
//!
//! ```
//! use phaseplan_model::presets::preset;
//! use phaseplan_model::share::{decode, encode};
//!
//! let s = preset("ecommerce").expect("built in").scenario;
//! let link = encode(&s);
//! assert!(link.starts_with("v1.") && link.len() < 2_000);
//! assert_eq!(decode(&link)?, s);
//! # Ok::<(), phaseplan_model::share::ShareError>(())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::scenario::Scenario;

/// The link format this crate writes and reads.
pub const LINK_VERSION: u32 = 1;

/// Largest decompressed scenario accepted from a link (a real one is a few KiB).
const MAX_JSON_BYTES: usize = 256 * 1024;
/// Largest link accepted (browsers handle URLs up to a few tens of KiB).
const MAX_LINK_CHARS: usize = 32 * 1024;

/// Why a link could not be opened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShareError {
    #[error("this link was made by a {newer} version of Phaseplan (link format {version})", newer = if *.version > LINK_VERSION { "newer" } else { "different" })]
    UnsupportedVersion { version: u32 },
    #[error("this link is damaged ({0}); ask for a fresh one")]
    Damaged(&'static str),
    #[error("this link's scenario does not fit the current model: {0}")]
    Incompatible(String),
}

/// The share string of a scenario.
pub fn encode(scenario: &Scenario) -> String {
    // Serialising a `Scenario` cannot fail: every field is plain data with string keys.
    let json = serde_json::to_vec(scenario).unwrap_or_default();
    // Level 6: within a few bytes of level 9 on scenario JSON, and several times faster, which
    // matters because the SPA re-encodes on every edit.
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 6);
    format!("v{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The scenario of a share string. Validation is left to the caller
/// ([`Scenario::validate`]), which names the field if the scenario no longer fits the model.
pub fn decode(link: &str) -> Result<Scenario, ShareError> {
    let link = link.trim();
    if link.len() > MAX_LINK_CHARS {
        return Err(ShareError::Damaged("too long"));
    }
    let (version, body) = link
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .ok_or(ShareError::Damaged("no version prefix"))?;
    let version: u32 = version
        .parse()
        .map_err(|_| ShareError::Damaged("unreadable version"))?;
    if version != LINK_VERSION {
        return Err(ShareError::UnsupportedVersion { version });
    }
    let packed = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| ShareError::Damaged("not base64url"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES)
        .map_err(|_| ShareError::Damaged("not compressed data"))?;
    serde_json::from_slice(&json).map_err(|e| ShareError::Incompatible(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::presets::presets;

    #[test]
    fn every_preset_round_trips_exactly_and_compactly() {
        for p in presets() {
            let link = encode(&p.scenario);
            assert!(link.len() < 2_000, "{}: {} chars", p.key, link.len());
            assert!(
                link[3..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "URL-safe"
            );
            assert_eq!(decode(&link).unwrap(), p.scenario, "{}", p.key);
        }
    }

    #[test]
    fn old_new_and_damaged_links_are_explained() {
        let link = encode(&presets()[0].scenario);
        let future = link.replacen("v1.", "v2.", 1);
        assert_eq!(
            decode(&future),
            Err(ShareError::UnsupportedVersion { version: 2 })
        );
        assert!(decode(&future).unwrap_err().to_string().contains("newer"));
        assert_eq!(
            decode("hello"),
            Err(ShareError::Damaged("no version prefix"))
        );
        // A link cut short anywhere is damaged, whichever layer notices first.
        for cut in [link.len() / 2, link.len() - 1, 10] {
            assert!(
                matches!(decode(&link[..cut]), Err(ShareError::Damaged(_))),
                "cut at {cut}"
            );
        }
        assert_eq!(decode("v1.***"), Err(ShareError::Damaged("not base64url")));
        // Valid packing of something that is not a scenario.
        let packed = miniz_oxide::deflate::compress_to_vec(b"{\"x\":1}", 9);
        let odd = format!("v1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(matches!(decode(&odd), Err(ShareError::Incompatible(_))));
    }

    /// A link and a scenario file written before the decision criteria became types (kept under
    /// `tests/fixtures/`): what people already shared must keep opening, with its weights and
    /// ratings as they were.
    #[test]
    fn links_and_files_of_format_1_still_open() {
        use crate::cost::catalog::ProviderId;
        use crate::decision::{Criterion, DecisionSettings};

        let s = decode(include_str!("../tests/fixtures/format-v1-share-link.txt")).unwrap();
        let w = s.decision.weights;
        assert_eq!(
            (
                w[Criterion::Availability],
                w[Criterion::LockIn],
                w[Criterion::Tco]
            ),
            (40.0, 0.0, 3.0)
        );
        let hetzner = s.decision.rating(ProviderId::Hetzner);
        assert_eq!((hetzner.availability, hetzner.lock_in), (1.0, 1.0));
        // Linode was left out of the ratings: it rates 3 on both.
        let linode = s.decision.rating(ProviderId::Linode);
        assert_eq!((linode.availability, linode.lock_in), (3.0, 3.0));
        s.validate().unwrap();

        let file: Scenario = serde_json::from_str(include_str!(
            "../tests/fixtures/format-v1-ride-hailing.json"
        ))
        .unwrap();
        assert_eq!(file.decision, DecisionSettings::default());
        file.validate().unwrap();
    }

    #[test]
    fn a_compression_bomb_is_refused() {
        let huge = vec![b' '; MAX_JSON_BYTES * 4];
        let packed = miniz_oxide::deflate::compress_to_vec(&huge, 9);
        let link = format!("v1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(link.len() < MAX_LINK_CHARS);
        assert_eq!(
            decode(&link),
            Err(ShareError::Damaged("not compressed data"))
        );
    }
}
