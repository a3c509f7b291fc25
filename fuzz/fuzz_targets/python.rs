//! The tree-sitter Python extractor (`python::Resolver`) over a fuzzed set of
//! Python files.
//!
//! Input: the entry module `pkg/features.py`, optionally followed by more
//! files, each starting at a line `#@ <path>` (so one input can hold modules
//! that import each other). The resolver is asked for `FEATURES`,
//! `MODEL_VERSION` and every name the entry module assigns at line start.
//!
//! Invariants: reading never fails, so the outer result is always `Ok`; a
//! list names files that exist and lines >= 1; an error names a line >= 1.
#![no_main]

use std::collections::HashMap;

use docgate::python::{FileText, Resolver, Value};
use libfuzzer_sys::fuzz_target;

const ENTRY: &str = "pkg/features.py";

fn files(text: &str) -> HashMap<String, String> {
    let mut files = HashMap::new();
    let mut path = ENTRY.to_string();
    let mut body = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(p) = line.strip_prefix("#@ ") {
            files.insert(std::mem::take(&mut path), std::mem::take(&mut body));
            path = p.trim().to_string();
            continue;
        }
        body.push_str(line);
    }
    files.insert(path, body);
    files.retain(|p, _| !p.is_empty());
    files
}

fn names(entry: &str) -> Vec<String> {
    let mut out = vec!["FEATURES".to_string(), "MODEL_VERSION".to_string()];
    for line in entry.lines() {
        let name: String = line
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !out.contains(&name) && out.len() < 10 {
            out.push(name);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files = files(&text);
    let symbols = names(files.get(ENTRY).map_or("", String::as_str));
    let mut read = |p: &str| -> anyhow::Result<FileText> {
        Ok(files
            .get(p)
            .cloned()
            .map_or(FileText::Missing, FileText::Text))
    };
    let mut resolver = Resolver::new(&mut read);
    for symbol in &symbols {
        let result = resolver
            .resolve(ENTRY, symbol)
            .expect("reading an in-memory file cannot fail");
        match result {
            Ok(Value::List { items, origin }) => {
                assert!(origin.line >= 1);
                for item in &items {
                    assert!(item.line >= 1, "{item:?}");
                    assert!(
                        files.contains_key(&item.file),
                        "{item:?} from a file that does not exist"
                    );
                }
            }
            Ok(Value::Scalar { origin, .. }) => assert!(origin.line >= 1),
            Err(e) => {
                assert!(e.line >= 1, "{e}");
                assert!(!e.message.is_empty());
            }
        }
    }
});
