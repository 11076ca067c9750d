//! Typed errors of venue import: each names the file, the feature, the field, the value and
//! what was expected.

use std::fmt;
use std::path::PathBuf;

/// Which feature of a venue file an error is about: its index in the file and its name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureRef {
    /// Position in the file (GeoJSON feature index, KML placemark order, `.plan` fence order);
    /// `None` when the problem is with the file as a whole.
    pub index: Option<usize>,
    /// The feature's name, when it has one.
    pub name: Option<String>,
    /// A short path to the element when it is not a plain feature (`geoFence.circles[1]`).
    pub location: Option<String>,
}

impl FeatureRef {
    /// The file as a whole.
    pub fn file() -> Self {
        Self::default()
    }

    /// Feature number `index`, with its name when known.
    pub fn feature(index: usize, name: Option<&str>) -> Self {
        Self {
            index: Some(index),
            name: name.map(str::to_owned),
            location: None,
        }
    }

    /// An element named by a path inside the file.
    pub fn at(location: impl Into<String>) -> Self {
        Self {
            index: None,
            name: None,
            location: Some(location.into()),
        }
    }
}

impl fmt::Display for FeatureRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.location, self.index) {
            (Some(loc), _) => write!(f, "{loc}")?,
            (None, Some(i)) => write!(f, "feature #{i}")?,
            (None, None) => write!(f, "file")?,
        }
        if let Some(name) = self
            .name
            .as_ref()
            .filter(|n| self.location.as_ref() != Some(n))
        {
            write!(f, " ({name:?})")?;
        }
        Ok(())
    }
}

/// Why a venue file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VenueError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is larger than a venue file can sensibly be.
    #[error("{path}: file is {size_bytes} bytes; expected at most {limit_bytes} bytes")]
    TooLarge {
        path: PathBuf,
        size_bytes: u64,
        limit_bytes: u64,
    },

    /// The file's extension names no format Vigil reads.
    #[error(
        "{path}: unknown venue format {extension:?}; expected .geojson, .json, .kml, .kmz or .plan"
    )]
    UnknownFormat { path: PathBuf, extension: String },

    /// The file is not well-formed JSON.
    #[error("{path}:{line}:{column}: malformed JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// The file is not well-formed KML or KMZ.
    #[error("{path}: malformed {format}: {message}")]
    Kml {
        path: PathBuf,
        format: &'static str,
        message: String,
    },

    /// A field holds a value Vigil cannot use.
    #[error("{path}: {feature}: field `{field}` is {value}; expected {expected}")]
    Invalid {
        path: PathBuf,
        feature: Box<FeatureRef>,
        field: String,
        value: String,
        expected: String,
    },

    /// A selector given on the command line is not of a form Vigil understands.
    #[error("{path}: selector {selector:?} is malformed; expected KEY=VALUE, #INDEX or INDEX")]
    BadSelector { path: PathBuf, selector: String },

    /// A selector matched no feature.
    #[error("{path}: selector {selector:?} matches no polygon feature; {hint}")]
    NoMatch {
        path: PathBuf,
        selector: String,
        hint: String,
    },

    /// The file gives no boundary and none was selected.
    #[error("{path}: no boundary: {hint}")]
    NoBoundary { path: PathBuf, hint: String },
}

impl VenueError {
    /// A field error on `feature` of `path`.
    pub(crate) fn invalid(
        path: &std::path::Path,
        feature: &FeatureRef,
        field: impl Into<String>,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            path: path.to_owned(),
            feature: Box::new(feature.clone()),
            field: field.into(),
            value: value.into(),
            expected: expected.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_field_message_names_file_feature_field_value_and_expectation() {
        let e = VenueError::invalid(
            std::path::Path::new("v.geojson"),
            &FeatureRef::feature(3, Some("Gate A")),
            "properties.hfov_deg",
            "-5",
            "a number in (0, 360]",
        );
        assert_eq!(
            e.to_string(),
            "v.geojson: feature #3 (\"Gate A\"): field `properties.hfov_deg` is -5; \
             expected a number in (0, 360]"
        );
    }
}
