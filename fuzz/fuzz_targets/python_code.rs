//! The code rules' Python layer (SPEC §6) on arbitrary text: `parse_code`,
//! then import extraction, handler analysis and suppression comments, and
//! module resolution of every import found against a small fixed repository.
//!
//! Invariants: a syntax error has a line within the text and a column >= 1;
//! every import, fallback and suppression has 1 <= line <= end_line <= the
//! text's lines and a column >= 1; imports and fallbacks come in source order;
//! a relative import has level >= 1 and an absolute one a non-empty module;
//! resolution only returns files of the repository, never the importing file.
#![no_main]

use docgate::checks::code::suppress::suppressions;
use docgate::python::handlers::fallbacks;
use docgate::python::imports::imports;
use docgate::python::modules::Modules;
use docgate::python::parse_code;
use libfuzzer_sys::fuzz_target;

const FILE: &str = "inference/serve.py";
const REPO: &[&str] = &[
    "inference/__init__.py",
    "inference/serve.py",
    "inference/util/__init__.py",
    "inference/util/io.py",
    "training/train.py",
    "src/pkg/__init__.py",
    "src/pkg/core.py",
    "ray.py",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = 1 + text.matches('\n').count();
    let tree = match parse_code(text) {
        Ok(t) => t,
        Err(e) => {
            assert!(e.line >= 1 && e.line <= lines, "error line {} of {lines}", e.line);
            assert!(e.column >= 1, "{e:?}");
            return;
        }
    };
    let imps = imports(&tree, text);
    let mut last = (0, 0);
    for i in &imps {
        assert!(i.line >= 1 && i.line <= i.end_line && i.end_line <= lines, "{i:?} of {lines}");
        assert!(i.column >= 1, "{i:?}");
        assert!((i.line, i.column) >= last, "imports out of order: {imps:?}");
        last = (i.line, i.column);
        assert!(i.level >= 1 || !i.module.is_empty(), "absolute import without a module: {i:?}");
    }
    let modules = Modules::new(
        REPO.iter().map(|f| f.to_string()),
        &["".to_string(), "src".to_string()],
    );
    for i in &imps {
        let r = modules.resolve(FILE, i);
        for f in &r.files {
            assert!(REPO.contains(&f.as_str()), "resolved to {f}, not a file of the repository");
            assert_ne!(f, FILE, "an import of itself");
        }
    }
    let fbs = fallbacks(&tree, text);
    let mut last = (0, 0);
    for f in &fbs {
        assert!(f.line >= 1 && f.line <= f.end_line && f.end_line <= lines, "{f:?} of {lines}");
        assert!(f.exit_line >= 1 && f.exit_line <= lines, "{f:?}");
        assert!(f.column >= 1, "{f:?}");
        assert!((f.line, f.column) >= last, "fallbacks out of order: {fbs:?}");
        last = (f.line, f.column);
    }
    for s in suppressions(&tree, text) {
        assert!(s.line >= 1 && s.line <= lines && s.column >= 1, "{s:?}");
        assert!(s.text.starts_with("docgate:"), "{s:?}");
        assert!(s.problem.is_some() || !s.reason.is_empty(), "accepted without a reason: {s:?}");
    }
});
