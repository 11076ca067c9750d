//! Feature selectors for files without roles: `KEY=VALUE` on a property, or `#INDEX`.

use std::path::Path;

use serde_json::Value;

use super::{RawFeature, RawGeometry};
use crate::area::VenueError;

/// A parsed selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Features whose property `key` equals `value` (numbers and booleans compare as text).
    Property { key: String, value: String },
    /// The feature at this index, counting from 0.
    Index(usize),
}

impl Selector {
    /// Parses `KEY=VALUE`, `#INDEX` or `INDEX`; `None` when it is neither.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let digits = s.strip_prefix('#').unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return digits.parse().ok().map(Selector::Index);
        }
        let (key, value) = s.split_once('=')?;
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        Some(Selector::Property {
            key: key.to_owned(),
            value: value.trim().to_owned(),
        })
    }

    fn matches(&self, f: &RawFeature) -> bool {
        match self {
            Selector::Index(i) => f.index == *i,
            Selector::Property { key, value } => {
                property(f, key).is_some_and(|v| as_text(v).as_deref() == Some(value.as_str()))
                    || (key == "id" && f.id.as_ref().and_then(as_text).as_deref() == Some(value))
            }
        }
    }
}

/// Looks a key up: a top-level property, a dotted path into objects, or OpenStreetMap `tags`.
fn property<'a>(f: &'a RawFeature, key: &str) -> Option<&'a Value> {
    if let Some(v) = f.properties.get(key) {
        return Some(v);
    }
    let mut parts = key.split('.');
    let mut v = f.properties.get(parts.next()?);
    for part in parts {
        v = v.and_then(|o| o.get(part));
    }
    v.or_else(|| f.properties.get("tags").and_then(|t| t.get(key)))
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The indices (into `features`) of the polygon features `selector` picks.
pub(super) fn select(
    path: &Path,
    selector: &str,
    features: &[RawFeature],
) -> Result<Vec<usize>, VenueError> {
    let parsed = Selector::parse(selector).ok_or_else(|| VenueError::BadSelector {
        path: path.to_owned(),
        selector: selector.to_owned(),
    })?;
    let matched: Vec<usize> = (0..features.len())
        .filter(|&i| parsed.matches(&features[i]))
        .collect();
    let polygons: Vec<usize> = matched
        .iter()
        .copied()
        .filter(|&i| matches!(features[i].geometry, RawGeometry::Polygons(_)))
        .collect();
    if polygons.is_empty() {
        let hint = if let Some(&i) = matched.first() {
            format!(
                "it matches feature #{i}, whose geometry is {}",
                features[i].geometry.kind()
            )
        } else {
            match polygon_list(features) {
                Some(list) => format!("the file's polygon features are {list}"),
                None => "the file has no Polygon or MultiPolygon feature".into(),
            }
        };
        return Err(VenueError::NoMatch {
            path: path.to_owned(),
            selector: selector.to_owned(),
            hint,
        });
    }
    Ok(polygons)
}

/// A hint listing the file's polygon features, for choosing a boundary.
pub(super) fn boundary_hint(features: &[RawFeature]) -> String {
    match polygon_list(features) {
        Some(list) => format!(
            "no feature has role \"boundary\"; choose one with --boundary KEY=VALUE or \
             --boundary #INDEX (polygon features: {list})"
        ),
        None => "the file has no Polygon or MultiPolygon feature".into(),
    }
}

/// The file's polygon features (`#3 "Name"`, the first eight), or `None` if it has none.
fn polygon_list(features: &[RawFeature]) -> Option<String> {
    let polygons: Vec<&RawFeature> = features
        .iter()
        .filter(|f| matches!(f.geometry, RawGeometry::Polygons(_)))
        .collect();
    if polygons.is_empty() {
        return None;
    }
    let listed: Vec<String> = polygons
        .iter()
        .take(8)
        .map(|f| match (&f.location, f.name()) {
            (Some(loc), _) => format!("#{} {loc}", f.index),
            (None, Some(n)) => format!("#{} {n:?}", f.index),
            (None, None) => format!("#{}", f.index),
        })
        .collect();
    let more = if polygons.len() > listed.len() {
        format!(" and {} more", polygons.len() - listed.len())
    } else {
        String::new()
    };
    Some(format!("{}{more}", listed.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_as_property_or_index() {
        assert_eq!(Selector::parse("#3"), Some(Selector::Index(3)));
        assert_eq!(Selector::parse("12"), Some(Selector::Index(12)));
        assert_eq!(
            Selector::parse("FEATURENAM=Birrarung Marr"),
            Some(Selector::Property {
                key: "FEATURENAM".into(),
                value: "Birrarung Marr".into()
            })
        );
        assert_eq!(
            Selector::parse("a=b=c"),
            Some(Selector::Property {
                key: "a".into(),
                value: "b=c".into()
            })
        );
        assert_eq!(Selector::parse("=x"), None);
        assert_eq!(Selector::parse("Birrarung"), None);
        assert_eq!(Selector::parse("#"), None);
    }
}
