//! The thermal pipeline: radiometric frames, palettes, hotspots and geo-referencing.
