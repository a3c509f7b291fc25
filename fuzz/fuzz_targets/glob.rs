//! The `key_files` pattern pipeline: `pattern::normalize`, then docgate's
//! fast matcher (`pattern::Matcher`) and the coverage index, differentially
//! against globset (`pattern::compile`), the reference semantics.
//!
//! Input: the first line is the pattern as written in a doc; every other
//! line is a repository path to match.
//!
//! Invariants: a pattern globset compiles also builds a `Matcher`; the
//! matcher and the coverage index agree with globset on every path (the
//! index also covers the folder of a folder entry itself: a submodule).
#![no_main]

use docgate::docs::{CoverageIndex, Doc, KeyFile};
use docgate::pattern::{self, Matcher};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let raw = lines.next().unwrap_or("");
    let Ok(glob) = pattern::normalize(raw) else {
        return;
    };
    let Ok(reference) = pattern::compile(&glob) else {
        return;
    };
    let reference = reference.compile_matcher();
    let fast = Matcher::new(&glob).expect("globset compiled it");
    let doc = Doc {
        path: "docs/a.md".into(),
        id: Some("a".into()),
        id_line: 1,
        title: Some("a".into()),
        perspective: None,
        tags: Vec::new(),
        depends_on: Vec::new(),
        key_files: vec![KeyFile {
            raw: raw.to_string(),
            glob: glob.clone(),
            line: 1,
            col: 1,
        }],
        last_updated: None,
        last_updated_line: 1,
        coverage_known: true,
        body_fingerprint: 0,
        raw_fingerprint: 0,
        problems: Vec::new(),
        head_text: String::new(),
    };
    let index = CoverageIndex::build([&doc]).expect("globset compiled it");
    // A folder entry (`dir/`, `dir/**`) also covers `dir` itself: a submodule
    // (gitlink) at that path is what the folder entry means.
    let folder = glob.strip_suffix("/**").filter(|d| pattern::is_literal(d));
    for path in lines.take(64) {
        let want = reference.is_match(path);
        assert_eq!(
            fast.is_match(path),
            want,
            "Matcher: glob {glob:?} path {path:?}"
        );
        assert_eq!(
            !index.covering(path).is_empty(),
            want || folder == Some(path),
            "CoverageIndex: glob {glob:?} path {path:?}"
        );
    }
});
