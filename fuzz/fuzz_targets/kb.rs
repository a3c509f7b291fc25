//! The knowledge-base parser (`kb::parse_bytes`) on arbitrary file bytes,
//! then the coverage index built from the entries it accepted and the
//! checks' own uses of them (`ids`, `mentions`, step references).
//!
//! Invariants: every problem is `kb-invalid`, names the file and a line that
//! exists (1..=lines) with a column >= 1, and the problems are sorted by
//! position; accepted entries have a non-empty id, name and description and
//! unique ids (across patterns, anti-patterns and decision trees); every
//! accepted `reference_files` entry is on a line that exists and compiles as
//! a glob, and a literal one covers its own path; `mentions(id)` holds for
//! every entry; every step reference is on a line that exists.
#![no_main]

use std::collections::{BTreeSet, HashSet};

use docgate::docs::CoverageIndex;
use docgate::kb::parse_bytes;
use docgate::pattern;
use libfuzzer_sys::fuzz_target;

const PATH: &str = ".ai-knowledge-base.yaml";

fuzz_target!(|data: &[u8]| {
    let (kb, problems) = parse_bytes(data, PATH);
    let lines = 1 + data.iter().filter(|&&b| b == b'\n').count();
    let mut last = (0, 0);
    for p in &problems {
        assert_eq!(p.rule.id, "kb-invalid", "{p:?}");
        assert_eq!(p.path.as_deref(), Some(PATH), "a problem without the file: {p:?}");
        let (line, col) = (p.line.expect("a line"), p.column.expect("a column"));
        assert!(line >= 1 && line <= lines, "line {line} of {lines}: {p:?}");
        assert!(col >= 1, "column 0: {p:?}");
        assert!((line, col) >= last, "problems not sorted: {problems:?}");
        last = (line, col);
        assert!(!p.message.is_empty(), "an empty message");
    }
    let mut ids = HashSet::new();
    for e in &kb.entries {
        assert!(!e.id.trim().is_empty() && !e.name.trim().is_empty() && !e.description.trim().is_empty());
        assert!(ids.insert(e.id.clone()), "id {} accepted twice", e.id);
        assert!(e.mentions(&e.id), "{} does not mention its own id", e.id);
        assert!(e.line >= 1 && e.line <= lines, "entry line {} of {lines}", e.line);
        for r in &e.reference_files {
            assert!(r.line >= 1 && r.line <= lines, "reference line {} of {lines}", r.line);
            assert!(pattern::compile(&r.glob).is_ok(), "accepted an invalid glob {:?}", r.glob);
        }
    }
    for t in &kb.decision_trees {
        assert!(ids.insert(t.id.clone()), "id {} accepted twice", t.id);
        for r in &t.refs {
            assert!(r.line >= 1 && r.line <= lines, "step line {} of {lines}", r.line);
        }
    }
    let all: BTreeSet<&str> = kb.ids();
    for e in &kb.entries {
        assert!(all.contains(e.id.as_str()));
    }
    let index = CoverageIndex::build(kb.entries.iter())
        .expect("reference_files accepted by the parser compile");
    for e in &kb.entries {
        for r in &e.reference_files {
            if pattern::is_literal(&r.glob) {
                assert!(
                    index.covering(&r.glob).iter().any(|(o, _)| o.id == e.id),
                    "`{}` does not cover its own path",
                    r.raw
                );
            } else {
                let _ = index.covering(&r.glob);
                let _ = index.covering("a/b/c/d/e/f/g/h/i/j/k.py");
            }
        }
    }
});
