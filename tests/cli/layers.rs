//! The architecture, checked: every module of the library imports only from layers below it,
//! so the module graph has no cycle. The table is the one the README's architecture section
//! draws; a new module must be placed in it.

use crate::harness::{root, rust_files};
use std::collections::BTreeSet;

/// Top-level modules of `src/lib.rs` and their layer: a module may use only lower layers.
const LAYERS: &[(&str, u32)] = &[
    ("text", 0),
    ("problem", 1),
    ("exact", 1),
    ("place", 1),
    ("gen", 1),
    ("period", 1),
    ("suggest", 1),
    ("format", 2),
    ("model", 2),
    ("load", 3),
    ("validate", 4),
    ("scenario", 4),
    ("rollup", 5),
    ("audit", 6),
    ("contract", 6),
    ("pipeline", 6),
    ("init", 6),
    ("review", 7),
    ("report", 8),
    ("verify", 9),
];

fn layer(module: &str) -> Option<u32> {
    // `t!`, the bilingual message macro, is exported at the crate's root by `text`.
    let module = if module == "t" { "text" } else { module };
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

/// `crate::X` paths in a file's code (unit tests at its end excluded: they may build whole
/// pipelines).
fn imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let name: String = code[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

#[test]
fn every_module_imports_only_from_the_layers_below_it() {
    let src = root().join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<&str> =
        lib.lines().filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';')).collect();
    for m in &declared {
        assert!(
            layer(m).is_some(),
            "src/lib.rs declares {m}: place it in LAYERS and the README map"
        );
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy();
        let top = top.trim_end_matches(".rs");
        // The binary (main.rs, cli.rs, config.rs) sits above everything.
        let Some(own) = layer(top) else { continue };
        checked += 1;
        for used in imports(&std::fs::read_to_string(f).unwrap()) {
            if used == top || (used == "t" && top == "text") {
                continue;
            }
            match layer(&used) {
                Some(l) if l < own => {}
                _ => wrong.push(format!("{} (layer {own}) uses crate::{used}", rel.display())),
            }
        }
    }
    assert!(checked > 30, "only {checked} files checked");
    assert!(wrong.is_empty(), "imports that point up or sideways:\n{}", wrong.join("\n"));
}

#[test]
fn the_layer_check_sees_an_upward_import() {
    let found = imports("use crate::report::grouped;\nfn f() { crate::exact::Exact::ONE; }\n");
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["exact", "report"]);
    assert!(layer("review") < layer("report"));
}
