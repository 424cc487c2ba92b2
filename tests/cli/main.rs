//! Integration tests: the real binary on the fixture packs, compared whole with expected files.

mod extreme;
mod harness;
mod invalid;
mod outputs;
mod packs;
mod properties;
mod valid;
