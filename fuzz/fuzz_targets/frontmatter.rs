//! The doc frontmatter parser (`docs::parse_doc`) on arbitrary file bytes,
//! then the coverage index built from what it accepted.
//!
//! Invariants: a file whose first non-blank line is `---` is always a doc
//! or a finding (never skipped without a word); a doc without problems has an id, a title and a
//! date; every problem names the file and a line that exists; every
//! `key_files` entry it accepted covers its own literal path.
#![no_main]

use std::sync::LazyLock;

use docgate::config::Config;
use docgate::docs::{CoverageIndex, parse_doc};
use docgate::pattern;
use docgate::snapshot::Read;
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(Config::defaults);
const PATH: &str = "docs/fuzz.md";

/// SPEC §1.1: a file whose first non-blank line is `---` is meant as a doc:
/// read (`---` on line 1) or reported (later), never skipped; so is UTF-16.
fn meant_as_doc(bytes: &[u8]) -> bool {
    if [&b"\xFF\xFE"[..], b"\xFE\xFF", b"-\0-\0-\0", b"\0-\0-\0-"]
        .iter()
        .any(|p| bytes.starts_with(p))
    {
        return true;
    }
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for line in b.split(|&c| c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let end = line
            .iter()
            .rposition(|&c| c != b' ' && c != b'\t')
            .map_or(0, |i| i + 1);
        if &line[..end] == b"---" {
            return true;
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            return false;
        }
    }
    false
}

fuzz_target!(|data: &[u8]| {
    let doc = parse_doc(PATH, &Read::Bytes(data.to_vec()), &CONFIG);
    let Some(doc) = doc else {
        assert!(
            !meant_as_doc(data),
            "a file whose first non-blank line is `---` was skipped"
        );
        return;
    };
    assert!(
        meant_as_doc(data),
        "a file whose first non-blank line is not `---` was read as a doc"
    );
    if doc.problems.is_empty() {
        assert!(doc.id.is_some(), "a doc without problems has no id");
        assert!(doc.title.is_some(), "a doc without problems has no title");
        assert!(
            doc.last_updated.is_some(),
            "a doc without problems has no last_updated"
        );
    }
    let lines = 1 + data.iter().filter(|&&b| b == b'\n').count();
    for p in &doc.problems {
        assert_eq!(
            p.path.as_deref(),
            Some(PATH),
            "a problem without the file: {p:?}"
        );
        if let Some(line) = p.line {
            assert!(line >= 1 && line <= lines, "line {line} of {lines}: {p:?}");
        }
        if let Some(col) = p.column {
            assert!(col >= 1, "column 0: {p:?}");
        }
    }
    for kf in &doc.key_files {
        assert!(
            kf.line >= 1 && kf.line <= lines,
            "key_files line {} of {lines}",
            kf.line
        );
        assert!(
            pattern::compile(&kf.glob).is_ok(),
            "accepted an invalid glob {:?}",
            kf.glob
        );
    }
    let index = CoverageIndex::build([&doc]).expect("key_files accepted by parse_doc compile");
    for kf in &doc.key_files {
        if pattern::is_literal(&kf.glob) {
            assert!(
                !index.covering(&kf.glob).is_empty(),
                "`{}` does not cover its own path",
                kf.raw
            );
        } else {
            // Exercise the matcher on the glob text itself and a deep path.
            let _ = index.covering(&kf.glob);
            let _ = index.covering("a/b/c/d/e/f/g/h/i/j/k.py");
        }
    }
});
