// Regression tests for what fuzzing found (fuzz/RESULTS.md): each input in
// tests/fixtures/fuzz/<target>-<name> runs through the same entry point as its
// fuzz target (fuzz/fuzz_targets/<target>.rs), in process, and the outcome is
// asserted exactly.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use docgate::config::Config;
use docgate::docs::{CoverageIndex, parse_doc};
use docgate::pattern::{self, Matcher};
use docgate::python::{FileText, Item, PyError, Resolver, Value};
use docgate::snapshot::Read;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Run `f` on a thread with the main thread's 8 MiB stack (docgate resolves
/// feature lists on its main thread); fail if it takes longer than `limit`
/// (a hang) or dies (a panic or a stack overflow aborts the whole test run).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || tx.send(f()).expect("the test is waiting"))
        .expect("spawn");
    rx.recv_timeout(limit)
        .unwrap_or_else(|e| panic!("no answer within {limit:?}: {e}"))
}

// ---------------------------------------------------------------------------
// config (fuzz target `config`): positions of YAML errors at the end of input

/// `{` and nothing else: the error is at the end of the one line, not on a
/// line 2 the file does not have (yaml-rust2 counts one line past the end).
#[test]
fn config_eof_line() {
    let err = Config::from_bytes(&fixture("config-eof-line"), ".docgate.yml").unwrap_err();
    assert_eq!(
        err.errors,
        vec![(
            1,
            2,
            "while parsing a node, did not find expected node content".to_string()
        )]
    );
}

/// BOM, CRLF and an unclosed flow sequence running to the end of the 5-line
/// file: line 5, column 8 (after `exclude`), where yaml-rust2 said line 6.
#[test]
fn config_crlf_eof_line() {
    let err = Config::from_bytes(&fixture("config-crlf-eof-line"), ".docgate.yml").unwrap_err();
    assert_eq!(
        err.errors,
        vec![(
            5,
            8,
            "while parsing a flow sequence, expected ',' or ']'".to_string()
        )]
    );
}

// ---------------------------------------------------------------------------
// frontmatter (fuzz target `frontmatter`): lone carriage returns

/// YAML breaks lines at a lone `\r`; docgate, git and GitHub break at `\n`.
/// The error is on line 3 (the closing fence, where the unclosed `[` ends),
/// not on line 4, past the fence (yaml-rust2 breaks lines at a lone `\r`),
/// and the snippet is that line.
#[test]
fn frontmatter_lone_cr_line() {
    let doc = parse_doc(
        "docs/a.md",
        &Read::Bytes(fixture("frontmatter-lone-cr-line")),
        &Config::defaults(),
    )
    .expect("a file that opens with --- is a doc");
    let found: Vec<_> = doc
        .problems
        .iter()
        .map(|d| {
            (
                d.rule.id,
                d.path.as_deref(),
                d.line,
                d.column,
                d.message.as_str(),
                d.source_line.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![(
            "frontmatter-invalid",
            Some("docs/a.md"),
            Some(3),
            Some(1),
            "invalid YAML in the frontmatter: while parsing a flow sequence, expected ',' or ']'",
            Some("---"),
        )]
    );
    assert!(!doc.coverage_known);
}

// ---------------------------------------------------------------------------
// glob (fuzz target `glob`): docgate's fast matcher against globset

/// Fuzz input format: the pattern, then one path a line.
fn glob_case(name: &str) -> (String, Vec<String>) {
    let text = String::from_utf8(fixture(name)).expect("UTF-8 fixture");
    let mut lines = text.lines().map(str::to_string);
    let pattern = lines.next().expect("a pattern line");
    (pattern, lines.collect())
}

fn covers(glob: &str, path: &str) -> bool {
    let doc = parse_doc(
        "docs/a.md",
        &Read::Bytes(
            format!(
                "---\nid: a\ntitle: A\nperspective: guide\nkey_files: [\"{glob}\"]\nlast_updated: 2026-01-01\n---\nbody\n"
            )
            .into_bytes(),
        ),
        &Config::defaults(),
    )
    .expect("a doc");
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    !CoverageIndex::build([&doc])
        .expect("index")
        .covering(path)
        .is_empty()
}

/// `?` is one byte in globset (`(?-u)[^/]`); the fast matcher took it as one
/// character, so `x/é?.md` covered `x/éé.md` while `{x}/é?.md` (globset) did
/// not. Both now agree with globset.
#[test]
fn glob_question_byte() {
    let (pattern, paths) = glob_case("glob-question-byte");
    assert_eq!(
        (pattern.as_str(), paths.as_slice()),
        ("x/é?.md", &["x/éé.md".to_string()][..])
    );
    let reference = pattern::compile(&pattern).unwrap().compile_matcher();
    assert!(!reference.is_match("x/éé.md"));
    assert!(!Matcher::new(&pattern).unwrap().is_match("x/éé.md"));
    assert!(!covers("x/é?.md", "x/éé.md"));
    assert!(!covers("{x}/é?.md", "x/éé.md"));
    // One byte after `é` still matches, through either matcher.
    assert!(covers("x/é?.md", "x/éa.md"));
    assert!(covers("{x}/é?.md", "x/éa.md"));
}

/// A `*` in the path (a legal file name) was taken as the literal match of
/// the pattern's `*` before its wildcard meaning, so `*a` did not match
/// `**a`: a changed file escaped the doc that covers it.
#[test]
fn glob_star_in_path() {
    let (pattern, paths) = glob_case("glob-star-in-path");
    assert_eq!(
        (pattern.as_str(), paths.as_slice()),
        ("*a", &["**a".to_string()][..])
    );
    assert!(
        pattern::compile("*a")
            .unwrap()
            .compile_matcher()
            .is_match("**a")
    );
    assert!(Matcher::new("*a").unwrap().is_match("**a"));
    assert!(covers("*a", "**a"));
    assert!(covers("src/*a*", "src/x*a*y"));
    assert!(!covers("src/*a", "src/**b"));
}

/// Twelve `**` segments against a 41-segment path: the fast matcher's
/// backtracking tried every split (over a minute, found by the `glob` target's
/// harness); now one pass a segment, and the answers are globset's.
#[test]
fn glob_doublestar_backtracking() {
    let (pattern, paths) = glob_case("glob-doublestar-backtracking");
    assert_eq!(pattern, format!("{}z", "**/".repeat(12)));
    assert_eq!(paths, vec![format!("{}y", "a/".repeat(40))]);
    let answers = within(Duration::from_secs(10), move || {
        let fast = Matcher::new(&pattern).unwrap();
        let reference = pattern::compile(&pattern).unwrap().compile_matcher();
        let deep_z = format!("{}z", "a/".repeat(40));
        [
            (fast.is_match(&paths[0]), reference.is_match(&paths[0])),
            (fast.is_match(&deep_z), reference.is_match(&deep_z)),
            (fast.is_match("z"), reference.is_match("z")),
        ]
    });
    assert_eq!(answers, [(false, false), (true, true), (true, true)]);
}

// ---------------------------------------------------------------------------
// python (fuzz target `python`): nesting across modules

/// Fuzz input format: `pkg/features.py`, then more files, each after a line
/// `#@ <path>`.
fn python_files(name: &str) -> HashMap<String, String> {
    let text = String::from_utf8(fixture(name)).expect("UTF-8 fixture");
    let mut files = HashMap::new();
    let mut path = "pkg/features.py".to_string();
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
    files
}

fn resolve_features(name: &'static str) -> Result<Value, PyError> {
    within(Duration::from_secs(60), move || {
        let files = python_files(name);
        let mut read = |p: &str| -> anyhow::Result<FileText> {
            Ok(files
                .get(p)
                .cloned()
                .map_or(FileText::Missing, FileText::Text))
        };
        let mut resolver = Resolver::new(&mut read);
        resolver
            .resolve("pkg/features.py", "FEATURES")
            .expect("in-memory files are always readable")
    })
}

/// `pkg/features.py` and 400 modules, each `from pkg.m<i+1> import X` then
/// `Y = X`: every module's
/// body evaluated the next one on the same stack, past the 32-module import
/// limit (which only counted names already resolved), until the stack
/// overflowed (1,000 modules abort the debug binary, 400 the fuzz build).
#[test]
fn python_import_chain_overflow() {
    assert_eq!(python_files("python-import-chain-overflow").len(), 401);
    assert_eq!(
        resolve_features("python-import-chain-overflow"),
        Err(PyError {
            file: "pkg/m32.py".into(),
            line: 1,
            message: "imports nested deeper than 32 modules".into(),
        })
    );
}

/// 20 modules (under the import limit), each using the next one's name at
/// the bottom of an expression 195 levels deep: the 200-level expression limit
/// was per module, so the stack held 20 x 195 levels. The limit now counts
/// the whole chain: each `Y` is too deep, and `FEATURES` itself resolves.
#[test]
fn python_nesting_across_imports() {
    assert_eq!(python_files("python-nesting-across-imports").len(), 21);
    match resolve_features("python-nesting-across-imports") {
        Ok(Value::List { items, origin }) => {
            assert_eq!(
                items,
                vec![Item {
                    value: "a".into(),
                    file: "pkg/m20.py".into(),
                    line: 1,
                }]
            );
            assert_eq!(
                (origin.file.as_str(), origin.line, origin.symbol.as_str()),
                ("pkg/features.py", 2, "FEATURES")
            );
        }
        other => panic!("FEATURES did not resolve: {other:?}"),
    }
}
