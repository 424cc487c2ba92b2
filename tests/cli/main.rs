//! Integration tests: the real binary on the fixture packs, compared whole with expected files.

mod completions;
mod crm;
mod extreme;
mod harness;
mod help;
mod hostile;
mod imports;
mod invalid;
mod layers;
mod messages;
mod outputs;
mod packs;
mod properties;
mod random;
mod reference;
mod regressions;
mod review;
mod scenario;
mod template;
mod terminal;
mod valid;
mod verify;
mod workbooks;
mod xlsx;
