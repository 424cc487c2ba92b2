//! forecast-rollup as a library: load a forecast pack, check it, roll it up, review it, render
//! the outputs and place them.
//!
//! The modules are layered; each imports only from the layers below it:
//!
//! ```text
//! verify                recompute a run's rollup files from its pack and audit record
//! report, review        render / compute the 扒皮会 review (report renders review's numbers)
//! pipeline, init         a pack folder + options → a validated, rolled-up pack, or its problems;
//!                       a folder of CRM exports → a drafted pack.toml
//! rollup, rows          exact roll-up and printed values; the output columns, defined once
//! validate, scenario    checks on the loaded rows → the validated Pack; a scenario's changes
//!                       checked against it → a changed copy
//! load                  files → typed rows that remember their file and line
//! model, exact, problem the validated pack, exact decimals, problems as values
//! text                  every message in English and Chinese (`t!`)
//! ```
//!
//! The binary (`src/main.rs`) parses the command line and wires these together.

pub mod audit;
pub mod contract;
pub mod exact;
pub mod format;
pub mod gen;
pub mod init;
pub mod load;
pub mod model;
pub mod period;
pub mod pipeline;
pub mod place;
pub mod problem;
pub mod report;
pub mod review;
pub mod rollup;
pub mod scenario;
pub mod suggest;
pub mod text;
pub mod validate;
pub mod verify;
