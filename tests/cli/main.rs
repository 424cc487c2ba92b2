//! Integration tests: the real binary on the fixture packs, compared whole with expected files.

mod crm;
mod extreme;
mod harness;
mod hostile;
mod imports;
mod invalid;
mod layers;
mod outputs;
mod packs;
mod properties;
mod random;
mod reference;
mod regressions;
mod review;
mod template;
mod terminal;
mod valid;
mod workbooks;
mod xlsx;
