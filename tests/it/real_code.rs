//! The code rules (SPEC §6) over real, large Python code that is not
//! vendored: this machine's CPython standard library (without its
//! `site-packages`), and numpy and pandas from PyPI, installed by
//! `scripts/test-deps.sh` into `.cache/venv` (pinned in
//! `scripts/test-requirements.txt`). Every `.py` file is copied into one
//! repository (`stdlib/`, `site/numpy/`, `site/pandas/`, both folders source
//! roots so the imports resolve across them), every file is under
//! `silent_fallback` and under a forbidden-import rule, and `docgate lint`
//! must report findings that all point at real places: a rule of the code
//! rules, a file of the repository, a line of that file, a column of that
//! line. Parse errors are findings, and docgate's unparsable files are
//! compared with what CPython itself rejects. Not a timed test:
//! `bench/code_rules.sh` measures the same run.
use crate::support::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const CODE_RULES: [&str; 4] = [
    "forbidden-import",
    "silent-fallback",
    "suppression-invalid",
    "python-parse-error",
];

/// `no-ray` covers every file and must stay silent (nothing here imports
/// ray); `no-socket-in-http` proves that the import graph follows
/// real code: `http/client.py` imports `socket`, whose `socket.py` imports
/// the C module `_socket`.
const CONFIG: &str = "forbidden_imports:
  - id: no-ray
    paths: [\"**/*.py\"]
    modules: [ray]
    reason: test
  - id: no-socket-in-http
    paths: [\"stdlib/http/client.py\"]
    modules: [_socket]
    reason: test
silent_fallback:
  paths: [\"**/*.py\"]
python:
  source_roots: [stdlib, site]
";

const DEPS: &str =
    "run `bash scripts/test-deps.sh` (it installs numpy and pandas into .cache/venv)";

/// Valid Python (CPython compiles it) that tree-sitter-python 0.25 cannot
/// parse, so docgate reports it as `python-parse-error`, and why.
const KNOWN_UNREADABLE: &[(&str, &str)] = &[(
    "stdlib/test/test_compile.py",
    "tree-sitter-python issue 256: inside brackets, a line indented less than \
     its block (`(bar.` then `baz)` at the function's level, in \
     test_weird_attribute_position_regressions) ends the block",
)];

/// Files of CPython's own tests that are not Python on purpose (CPython
/// refuses to compile them), each for a reason tree-sitter sees too.
const DELIBERATELY_BROKEN: &[&str] = &[
    // `€ = 2`: not an identifier character (PEP 3131).
    "stdlib/test/tokenizedata/badsyntax_3131.py",
    // Latin-1 bytes without an encoding cookie (PEP 3120).
    "stdlib/test/tokenizedata/badsyntax_pep3120.py",
    // `from __future__ import *`.
    "stdlib/test/test_future_stmt/badsyntax_future8.py",
];

/// stdout of `python -c code`; `None` when it cannot run or fails.
fn python(python: &Path, code: &str) -> Option<String> {
    let out = Command::new(python).args(["-c", code]).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The standard library of the machine's `python3`.
fn stdlib() -> PathBuf {
    let dir = python(
        Path::new("python3"),
        "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
    )
    .expect("python3 runs and names its standard library (SPEC §6 real-code test)");
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("os.py").is_file(),
        "{} is not a standard library",
        dir.display()
    );
    dir
}

/// The folder of package `name` in the test venv; fails (never skips) when
/// the venv or the package is missing.
fn venv_package(name: &str) -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/venv/bin/python");
    assert!(venv.exists(), "{} is missing: {DEPS}", venv.display());
    let code = format!(
        "import importlib.util, os; s = importlib.util.find_spec('{name}'); \
         print(os.path.dirname(s.origin) if s and s.origin else '')"
    );
    let dir = python(&venv, &code).unwrap_or_default();
    assert!(
        !dir.is_empty() && Path::new(&dir).join("__init__.py").is_file(),
        "{name} is not installed in .cache/venv: {DEPS}"
    );
    PathBuf::from(dir)
}

/// Copy every `.py` file under `src` to `dest` (a folder of the repository),
/// skipping `site-packages`, `__pycache__` and symbolic links; the
/// repository paths copied.
fn copy_python(src: &Path, repo: &Path, dest: &str) -> Vec<String> {
    let mut copied = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = src.join(&rel);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry"))
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let ty = e.file_type().expect("a file type");
            let r = rel.join(&name);
            if ty.is_dir() {
                if name != "site-packages" && name != "__pycache__" {
                    stack.push(r);
                }
            } else if ty.is_file() && name.ends_with(".py") {
                let to = repo.join(dest).join(&r);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(e.path(), &to).unwrap();
                copied.push(format!("{dest}/{}", r.to_string_lossy()));
            }
        }
    }
    copied
}

/// The files of `paths` (repository paths) that CPython does not compile
/// (`compile` of the bytes, so encoding cookies count; the compiler also
/// rejects what the parser lets through, such as `from __future__ import *`).
fn rejected_by_cpython(repo: &Path, paths: &[String]) -> BTreeSet<String> {
    let list = repo.parent().unwrap().join("python-files.txt");
    std::fs::write(&list, paths.join("\n")).unwrap();
    let code = "import sys\n\
        root, listing = sys.argv[1], sys.argv[2]\n\
        for p in open(listing, encoding='utf-8').read().splitlines():\n\
        \x20   try:\n\
        \x20       compile(open(root + '/' + p, 'rb').read(), p, 'exec', dont_inherit=True)\n\
        \x20   except (SyntaxError, ValueError):\n\
        \x20       print(p)\n";
    let out = Command::new("python3")
        .args(["-W", "ignore", "-c", code, path_str(repo), path_str(&list)])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 ast.parse failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// A file's lines as docgate counts them (1-based; an empty file has line 1).
fn lines_of(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    if lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

fn corpus_of(path: &str) -> &'static str {
    if path.starts_with("site/numpy/") {
        "numpy"
    } else if path.starts_with("site/pandas/") {
        "pandas"
    } else {
        "stdlib"
    }
}

#[test]
fn the_code_rules_read_the_standard_library_numpy_and_pandas() {
    let numpy = venv_package("numpy");
    let pandas = venv_package("pandas");
    let stdlib = stdlib();

    let repo = TestRepo::new();
    let root = repo.path();
    let mut files = copy_python(&stdlib, &root, "stdlib");
    let in_stdlib = files.len();
    files.extend(copy_python(&numpy, &root, "site/numpy"));
    files.extend(copy_python(&pandas, &root, "site/pandas"));
    assert!(
        in_stdlib > 1000 && files.len() > in_stdlib + 1500,
        "too few files copied: {in_stdlib} from {}, {} in all",
        stdlib.display(),
        files.len()
    );
    repo.write(".docgate.yml", CONFIG);
    repo.commit("real code");

    let run = lint(&repo);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "findings exist: {}", run.stderr);
    let json = run.json();
    let findings = json["findings"].as_array().expect("findings");
    let summary = &json["checked"]["code"];
    assert_eq!(
        summary["python_files"].as_u64(),
        Some(files.len() as u64),
        "every file is under the rules: {summary}"
    );

    // Every finding points at a real place.
    let known: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut counts: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut parse_errors: BTreeMap<String, String> = BTreeMap::new();
    for f in findings {
        let rule = f["rule"].as_str().expect("rule");
        assert!(CODE_RULES.contains(&rule), "not a code rule: {f}");
        let path = f["path"].as_str().unwrap_or_else(|| panic!("no path: {f}"));
        assert!(known.contains(path), "not a file of the repository: {f}");
        assert!(root.join(path).is_file(), "{path} does not exist: {f}");
        let lines = texts
            .entry(path.to_string())
            .or_insert_with(|| lines_of(&std::fs::read(root.join(path)).unwrap()));
        let line = f["line"].as_u64().unwrap_or_else(|| panic!("no line: {f}")) as usize;
        assert!(
            (1..=lines.len()).contains(&line),
            "line {line} of a {}-line file: {f}",
            lines.len()
        );
        let column = f["column"]
            .as_u64()
            .unwrap_or_else(|| panic!("no column: {f}")) as usize;
        let width = lines[line - 1].trim_end_matches('\r').chars().count();
        assert!(
            (1..=width + 1).contains(&column),
            "column {column} on a line of {width} characters: {f}"
        );
        *counts
            .entry((corpus_of(path), rule.to_string()))
            .or_default() += 1;
        if rule == "python-parse-error" {
            parse_errors.insert(path.to_string(), message(f).to_string());
        }
    }

    // No file imports ray; the graph follows http.client to _socket.
    let by_rule = |id: &str| {
        findings
            .iter()
            .filter(|f| f["rule"] == "forbidden-import" && message(f).contains(id))
            .count()
    };
    assert_eq!(by_rule("`no-ray`"), 0, "nothing here imports ray");
    let client = repo.read("stdlib/http/client.py");
    let import_socket = 1 + client
        .lines()
        .position(|l| l == "import socket")
        .expect("http/client.py imports socket");
    let chain = format!("stdlib/http/client.py:{import_socket} → stdlib/socket.py:");
    assert!(
        findings.iter().any(|f| f["rule"] == "forbidden-import"
            && f["path"] == "stdlib/http/client.py"
            && f["line"] == import_socket
            && message(f).contains(&chain)
            && message(f).contains("→ _socket")),
        "no chain {chain}… → _socket in {}",
        run.stdout.chars().take(4000).collect::<String>()
    );
    // Real code has handlers that finish without raising.
    for corpus in ["stdlib", "numpy", "pandas"] {
        assert!(
            counts
                .get(&(corpus, "silent-fallback".to_string()))
                .is_some_and(|n| *n > 10),
            "too few silent fallbacks in {corpus}: {counts:?}"
        );
    }

    // Parse errors: every unparsable file is one finding, few of them, and
    // each is a file CPython does not compile either, one CPython reads
    // through its PEP 263 encoding cookie (docgate reads Python source as
    // UTF-8 only), or a known parser limitation.
    assert_eq!(
        summary["unparsable"].as_u64(),
        Some(parse_errors.len() as u64),
        "{summary}"
    );
    assert!(
        parse_errors.len() * 100 < files.len(),
        "{} of {} files unparsable: {parse_errors:#?}",
        parse_errors.len(),
        files.len()
    );
    // CPython's verdict on the files that matter here (all 3,700 would take
    // CPython 25 s).
    let mut asked: Vec<String> = parse_errors.keys().cloned().collect();
    asked.extend(
        DELIBERATELY_BROKEN
            .iter()
            .filter(|p| known.contains(**p))
            .map(|p| p.to_string()),
    );
    let cpython = rejected_by_cpython(&root, &asked);
    let mut wrong = Vec::new();
    for (p, why) in &parse_errors {
        if cpython.contains(p) {
            continue;
        }
        let utf8 = std::str::from_utf8(&std::fs::read(root.join(p)).unwrap()).is_ok();
        if !utf8 {
            // Not UTF-8, and no single-byte encoding declared (PEP 263).
            assert!(
                why.contains("not valid UTF-8 and no PEP 263")
                    || why.contains("which docgate does not decode"),
                "{p}: {why}"
            );
        } else if !KNOWN_UNREADABLE.iter().any(|(k, _)| k == p) {
            wrong.push((p, why));
        }
    }
    assert!(
        wrong.is_empty(),
        "valid Python (CPython compiles it) reported as python-parse-error: {wrong:#?}"
    );
    // Modules in a declared single-byte encoding (PEP 263) are read.
    for p in [
        "stdlib/test/encoded_modules/module_iso_8859_1.py",
        "stdlib/test/encoded_modules/module_koi8_r.py",
        "stdlib/test/test_source_encoding.py",
    ] {
        assert!(
            known.contains(p),
            "{p} is not in this CPython's standard library"
        );
        assert!(
            !parse_errors.contains_key(p),
            "{p}: {:?}",
            parse_errors.get(p)
        );
    }
    // The innermost error, not line 1 of a file wrapped in one ERROR node.
    if let Some(why) = parse_errors.get("stdlib/test/test_compile.py") {
        assert!(!why.contains("line 1, column 1"), "{why}");
    }
    for (p, why) in KNOWN_UNREADABLE {
        if known.contains(p) {
            assert!(
                parse_errors.contains_key(*p),
                "{p} is read now ({why}): remove it from KNOWN_UNREADABLE"
            );
        }
    }
    // CPython's deliberately broken files under test/ are reported (those
    // this machine's standard library has; at least one of them).
    let deliberate: Vec<&&str> = DELIBERATELY_BROKEN
        .iter()
        .filter(|p| known.contains(**p))
        .collect();
    assert!(
        !deliberate.is_empty(),
        "none of {DELIBERATELY_BROKEN:?} in {}",
        stdlib.display()
    );
    for p in deliberate {
        assert!(cpython.contains(*p), "CPython compiles {p}");
        assert!(
            parse_errors.contains_key(*p),
            "{p} is not Python, not reported: {parse_errors:#?}"
        );
    }
}
