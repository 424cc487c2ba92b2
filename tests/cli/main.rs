//! Integration tests: the real binary on the fixture packs, compared whole with expected files.

mod harness;
mod packs;
mod invalid;
mod outputs;
mod properties;
