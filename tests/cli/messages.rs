//! Every message in both languages, checked two ways:
//!
//! - **The catalogue.** Every `t!(English, 中文)` in `src/` is read out of the source and
//!   written to `MESSAGES.md` (the one list a reviewer or translator reads), which must be
//!   current (`BLESS=1 cargo test` rewrites it). Each Chinese sentence must be Chinese, each
//!   English one must not be Chinese, and a sentence that is the same in both must be
//!   language-neutral (values and punctuation only).
//! - **The real output.** Every invalid pack of the corpus is checked with `--lang zh`: each line
//!   the user reads says its message in Chinese (compared whole with `stderr.zh.txt`), with the
//!   same places and the same count as in English.

use crate::harness::*;
use std::path::Path;

/// One message: its file, and its two sentences as written in the source.
#[derive(Debug)]
struct Message {
    file: String,
    en: String,
    zh: String,
}

/// A Rust string literal starting at `s[i]` (the opening quote): its text (escapes read) and
/// the index after its closing quote.
fn literal(s: &[char], mut i: usize) -> (String, usize) {
    assert_eq!(s[i], '"');
    i += 1;
    let mut out = String::new();
    while s[i] != '"' {
        if s[i] == '\\' {
            i += 1;
            match s[i] {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '\n' => {
                    // A line continuation: the line break and the next line's indent go.
                    while s[i + 1].is_whitespace() {
                        i += 1;
                    }
                }
                c => out.push(c),
            }
        } else {
            out.push(s[i]);
        }
        i += 1;
    }
    (out, i + 1)
}

/// The first string literal at or after `i`.
fn next_literal(s: &[char], mut i: usize) -> (String, usize) {
    while s[i] != '"' {
        i += 1;
    }
    literal(s, i)
}

/// The index of the parenthesis that closes the one opened at `s[i]`, skipping strings.
fn closing(s: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    loop {
        match s[i] {
            '"' => {
                i = literal(s, i).1;
                continue;
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Every `t!` of a file's code (its unit tests left out), in order.
fn messages_of(path: &Path, rel: &str) -> Vec<Message> {
    let text = std::fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(&text);
    let s: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 3 <= s.len() {
        let at_macro = s[i] == 't'
            && s[i + 1] == '!'
            && s[i + 2] == '('
            && (i == 0 || !(s[i - 1].is_alphanumeric() || s[i - 1] == '_' || s[i - 1] == ':'));
        // `macro_rules! t` and the macro's own documentation are not messages.
        let in_comment = {
            let line_start = s[..i].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
            s[line_start..i].iter().collect::<String>().trim_start().starts_with("//")
        };
        if !at_macro || in_comment {
            i += 1;
            continue;
        }
        let mut j = i + 3;
        while s[j].is_whitespace() {
            j += 1;
        }
        let (en, zh) = if s[j] == '(' {
            // `t!((en, en_args…), (zh, zh_args…))`
            let first_end = closing(&s, j);
            let (en, _) = next_literal(&s, j);
            let mut k = first_end + 1;
            while s[k] != '(' {
                k += 1;
            }
            let (zh, _) = next_literal(&s, k);
            (en, zh)
        } else {
            let (en, after) = literal(&s, j);
            let (zh, _) = next_literal(&s, after);
            (en, zh)
        };
        out.push(Message { file: rel.to_string(), en, zh });
        i = j;
    }
    out
}

fn all_messages() -> Vec<Message> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let rel = f.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
            messages_of(f, &rel)
        })
        .collect()
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// The sentence without its values: `{…}` placeholders and `"…"` quotations removed.
fn words(sentence: &str) -> String {
    let mut out = String::new();
    let (mut brace, mut quote) = (0, false);
    for c in sentence.chars() {
        match c {
            '{' => brace += 1,
            '}' if brace > 0 => brace -= 1,
            '"' | '“' | '”' if brace == 0 => quote = !quote,
            _ if brace == 0 && !quote => out.push(c),
            _ => {}
        }
    }
    out
}

/// Words of English in a sentence: runs of three or more ASCII letters that are not a name
/// from the data contract (column and key names read the same in both languages).
fn english_words(sentence: &str) -> Vec<String> {
    const NAMES: &[&str] =
        &["name", "parent_id", "level", "ids", "csv", "xlsx", "toml", "pack", "org", "rep_id"];
    words(sentence)
        .split(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
        .filter(|w| w.len() >= 3 && !NAMES.contains(&w.to_ascii_lowercase().as_str()))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_message_has_both_languages_and_the_catalogue_is_current() {
    let messages = all_messages();
    assert!(messages.len() > 300, "only {} messages found: is the reader broken?", messages.len());
    let mut wrong = Vec::new();
    for m in &messages {
        let Message { file, en, zh } = m;
        if en.trim().is_empty() || zh.trim().is_empty() {
            wrong.push(format!("{file}: an empty sentence: {en:?} / {zh:?}"));
        } else if en == zh {
            // Language-neutral: a value, a column name and an arrow.
            if !english_words(en).is_empty() {
                wrong.push(format!("{file}: the same English in both: {en:?}"));
            }
        } else if english_words(en).is_empty() && !words(zh).chars().any(is_han) {
            // Neutral too, with each language's punctuation (`：` for `: `).
        } else {
            if !words(zh).chars().any(is_han) {
                wrong.push(format!("{file}: the Chinese is not Chinese: {zh:?}"));
            }
            if words(en).chars().any(|c| matches!(c, '，' | '。' | '；' | '：' | '（' | '）'))
            {
                wrong.push(format!("{file}: the English has Chinese punctuation: {en:?}"));
            }
            // (An English whose words are all values, like a plural, has a `{}` for them.)
            if !words(en).chars().any(|c| c.is_ascii_alphabetic()) && !en.contains('{') {
                wrong.push(format!("{file}: the English has no English: {en:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} messages:\n{}", wrong.len(), wrong.join("\n"));

    let mut md = String::from(
        "# Messages\n\n\
         Every sentence forecast-rollup prints, in English and Chinese, as the source writes them \
         (`t!` in `src/`). `{…}` is a value filled in when the message is printed. Generated by \
         `BLESS=1 cargo test` (tests/cli/messages.rs); do not edit by hand.\n",
    );
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let mut last = "";
    for m in &messages {
        if m.file != last {
            md.push_str(&format!("\n## {}\n\n| English | 中文 |\n|---|---|\n", m.file));
            last = &m.file;
        }
        md.push_str(&format!("| {} | {} |\n", cell(&m.en), cell(&m.zh)));
    }
    assert_file(&root().join("MESSAGES.md"), md.as_bytes());
}

#[test]
fn the_reader_of_the_catalogue_sees_both_forms_of_the_macro() {
    let dir = tmp();
    let f = dir.path().join("x.rs");
    std::fs::write(
        &f,
        "fn a() { let x = format!(\"no\"); t!(\"one {}\", \"一 {}\", 1); }\n\
         // t!(\"a comment\", \"注释\")\n\
         fn b() { t!((\"{} rows\", plural(n, \"row\", \"rows\")), (\"{} 行\", n)); }\n\
         fn c() { t!(\"long \\\n    line\", \"长行\"); }\n",
    )
    .unwrap();
    let got: Vec<(String, String)> =
        messages_of(&f, "x.rs").into_iter().map(|m| (m.en, m.zh)).collect();
    assert_eq!(
        got,
        [
            ("one {}".to_string(), "一 {}".to_string()),
            ("{} rows".to_string(), "{} 行".to_string()),
            ("long line".to_string(), "长行".to_string()),
        ]
    );
    assert_eq!(english_words("{column} ← {shown}"), Vec::<String>::new());
    assert_eq!(english_words("rename {x} to {y}"), ["rename"]);
}

/// The message of a problem line, without its place (`path:line: `) and quoted values.
fn message_part(line: &str) -> String {
    let rest = match line.find(": ") {
        Some(i) if !line.starts_with("  ") => &line[i + 2..],
        _ => line,
    };
    words(rest)
}

#[test]
fn every_invalid_pack_speaks_chinese_with_lang_zh() {
    let mut failures = Vec::new();
    for case in &corpus("invalid") {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let extra = args_of(case);
        let run = |lang: &str| {
            let mut args = vec!["check", ".", "--lang", lang];
            args.extend(extra.iter().map(String::as_str));
            run_in(case, &args)
        };
        let (zh, en) = (run("zh"), run("en"));
        let (zh_text, en_text) = (text(&zh.stderr), text(&en.stderr));
        let result = std::panic::catch_unwind(|| {
            assert_eq!(zh.status.code(), en.status.code(), "{name}: exit codes");
            assert_eq!(
                zh_text.lines().count(),
                en_text.lines().count(),
                "{name}: as many lines in both languages"
            );
            for (z, e) in zh_text.lines().zip(en_text.lines()) {
                // The same place, for an editor to jump to.
                let place = |l: &str| l.split(": ").next().unwrap_or("").to_string();
                if !e.starts_with("  ") && e.contains(": ") {
                    assert_eq!(place(z), place(e), "{name}: the place of\n{z}\n{e}");
                }
                assert!(
                    message_part(z).chars().any(is_han),
                    "{name}: a line with no Chinese:\n{z}"
                );
            }
            assert_file(&case.join("expected").join("stderr.zh.txt"), &zh.stderr);
        });
        if let Err(e) = result {
            failures.push(format!("{name}:\n{}", panic_text(e.as_ref())));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n\n"));
}
