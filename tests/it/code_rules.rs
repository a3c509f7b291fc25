//! The code rules (SPEC §6) end to end through the CLI: forbidden imports
//! (direct, transitive with the chain, cycles, source roots), silent
//! fallbacks, suppressions, parse errors, the scope of `check` (changed
//! lines, chains the change created) against `lint` (everywhere), and the
//! corpus under tests/fixtures/code_rules/ (each case a set of files and the
//! exact findings it must produce).
use crate::support::*;

use serde_json::Value;
use std::path::Path;

/// The config every test and corpus case uses unless it brings its own.
pub const CONFIG: &str = "forbidden_imports:\n  - id: no-ray-in-inference\n    paths: [\"inference/**/*.py\"]\n    modules: [ray]\n    reason: Ray in inference containers segfaults (post-mortem 2026-02-06)\nsilent_fallback:\n  paths: [\"inference/**/*.py\"]\n";

/// (rule, `path:line:column`) of every finding, sorted.
fn located(json: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}:{}",
                    f["path"].as_str().unwrap_or("-"),
                    f["line"].as_u64().map_or("-".into(), |l| l.to_string()),
                    f["column"].as_u64().map_or("-".into(), |c| c.to_string())
                ),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = items
        .iter()
        .map(|(r, l)| (r.to_string(), l.to_string()))
        .collect();
    v.sort();
    v
}

fn repo_with(files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", CONFIG);
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit_base("base");
    repo
}

fn lint_json(repo: &TestRepo) -> (Run, Value) {
    let run = lint(repo);
    assert_no_panic(&run);
    assert!(run.code == 0 || run.code == 1, "expected a report: {run:?}");
    let json = run.json();
    (run, json)
}

fn check_json(repo: &TestRepo, args: &[&str]) -> (Run, Value) {
    let (run, json) = repo.check_json(args);
    assert_no_panic(&run);
    (run, json)
}

#[test]
fn a_transitive_import_is_reported_with_its_chain() {
    let repo = repo_with(&[
        (
            "inference/serve.py",
            "import os\nfrom training.train import fit\n",
        ),
        (
            "training/train.py",
            "import numpy\nimport ray\n\ndef fit(): ...\n",
        ),
    ]);
    let (run, json) = lint_json(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        located(&json),
        pairs(&[("forbidden-import", "inference/serve.py:2:1")])
    );
    let m = message(&json["findings"][0]);
    assert!(
        m.contains("inference/serve.py:2 → training/train.py:2 → ray"),
        "{m}"
    );
    assert!(m.contains("no-ray-in-inference"), "{m}");
    assert!(m.contains("post-mortem 2026-02-06"), "{m}");
    assert_eq!(json["checked"]["code"]["python_files"], 2, "{json}");
    let layers = json["checked"]["layers"].to_string();
    assert!(layers.contains("forbidden imports (1)"), "{layers}");
    // Text output names the file, line and chain too.
    let text = repo.docgate(&["lint"]);
    assert!(text.stdout.contains("inference/serve.py:2:1"), "{text:?}");
}

#[test]
fn import_cycles_end_and_the_shortest_chain_is_printed() {
    let repo = repo_with(&[
        ("inference/serve.py", "import lib.a\n"),
        ("lib/__init__.py", ""),
        ("lib/a.py", "from lib import b\n"),
        ("lib/b.py", "import lib.a\nimport lib.c\n"),
        ("lib/c.py", "from . import a\nimport ray.serve\n"),
    ]);
    let (_, json) = lint_json(&repo);
    assert_eq!(
        located(&json),
        pairs(&[("forbidden-import", "inference/serve.py:1:1")])
    );
    let m = message(&json["findings"][0]);
    assert!(
        m.contains("inference/serve.py:1 → lib/a.py:1 → lib/b.py:2 → lib/c.py:2 → ray.serve"),
        "{m}"
    );
}

#[test]
fn source_roots_find_src_layout_packages() {
    let files = [
        ("inference/serve.py", "import pkg.core\n"),
        ("src/pkg/__init__.py", ""),
        ("src/pkg/core.py", "import ray\n"),
    ];
    let repo = repo_with(&files);
    let (_, json) = lint_json(&repo);
    assert_eq!(
        located(&json),
        pairs(&[("forbidden-import", "inference/serve.py:1:1")])
    );
    // With only the root as a source root, `pkg` is not a local package.
    repo.write(
        ".docgate.yml",
        format!("{CONFIG}python:\n  source_roots: [.]\n"),
    );
    repo.commit("roots");
    let (run, json) = lint_json(&repo);
    assert_eq!(located(&json), vec![], "{run:?}");
}

#[test]
fn type_checking_imports_and_rayon_are_allowed() {
    let repo = repo_with(&[(
        "inference/serve.py",
        "from typing import TYPE_CHECKING\nimport rayon\nif TYPE_CHECKING:\n    import ray\n",
    )]);
    let (run, json) = lint_json(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(located(&json), vec![]);
}

#[test]
fn silent_fallbacks_are_located_at_the_except() {
    let repo = repo_with(&[(
        "inference/predict.py",
        "import logging\nlog = logging.getLogger(__name__)\n\ndef predict(model, x):\n    try:\n        return model(x)\n    except Exception as e:\n        log.error(\"model failed: %s\", e)\n        return heuristic(x)\n\ndef strict(model, x):\n    try:\n        return model(x)\n    except Exception as e:\n        raise RuntimeError(\"model failed\") from e\n",
    )]);
    let (run, json) = lint_json(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        located(&json),
        pairs(&[("silent-fallback", "inference/predict.py:7:5")])
    );
    let f = &json["findings"][0];
    assert!(message(f).contains("`except Exception as e:`"), "{f}");
    assert!(message(f).contains("returns at line 9"), "{f}");
}

#[test]
fn suppressions_need_a_reason_and_must_suppress_something() {
    let repo = repo_with(&[
        (
            "inference/a.py",
            "try:\n    x = 1\nexcept KeyError:  # docgate: allow[silent-fallback] a missing key means the default model\n    x = 0\n",
        ),
        (
            "inference/b.py",
            "try:\n    x = 1\n# docgate: allow[silent-fallback]\nexcept KeyError:\n    x = 0\n",
        ),
        (
            "inference/c.py",
            "x = 1  # docgate: allow[silent-fallback] nothing here\n",
        ),
        ("inference/d.py", "import training.offline\n"),
        (
            "training/offline.py",
            "import ray  # docgate: allow[forbidden-import] only imported behind the offline flag\n",
        ),
        (
            "inference/e.py",
            "import ray  # docgate: allow[forbiden-import] typo\n",
        ),
    ]);
    let (_, json) = lint_json(&repo);
    assert_eq!(
        located(&json),
        pairs(&[
            // No reason: invalid, and the handler is not suppressed.
            ("suppression-invalid", "inference/b.py:3:3"),
            ("silent-fallback", "inference/b.py:4:1"),
            ("suppression-invalid", "inference/c.py:1:10"),
            ("suppression-invalid", "inference/e.py:1:15"),
            ("forbidden-import", "inference/e.py:1:1"),
        ])
    );
    let msgs: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(message)
        .collect();
    assert!(msgs.iter().any(|m| m.contains("has no reason")), "{msgs:?}");
    assert!(
        msgs.iter().any(|m| m.contains("suppresses nothing")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("did you mean `forbidden-import`?")),
        "{msgs:?}"
    );
    // The import is quoted as written, without its comment.
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("`import ray` imports `ray`")),
        "{msgs:?}"
    );
    // Both valid comments suppressed something (the chain through d.py's import).
    assert_eq!(json["checked"]["code"]["suppressed"], 2, "{json}");
}

#[test]
fn a_file_that_does_not_parse_is_a_finding_never_clean() {
    let repo = repo_with(&[
        ("inference/ok.py", "import broken_helper\n"),
        ("broken_helper.py", "def f(:\n    import ray\n"),
    ]);
    repo.write("inference/latin.py", b"x = '\xe9'\n");
    repo.commit("latin-1");
    let (run, json) = lint_json(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        located(&json),
        pairs(&[
            ("python-parse-error", "broken_helper.py:1:7"),
            ("python-parse-error", "inference/latin.py:1:6"),
        ])
    );
    let msgs: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(message)
        .collect();
    assert!(
        msgs[0].contains("nothing in it was checked for forbidden-import"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].contains("not valid UTF-8 and no PEP 263"),
        "{msgs:?}"
    );
    assert_eq!(json["checked"]["code"]["unparsable"], 2, "{json}");
}

#[test]
fn rules_whose_paths_match_nothing_are_an_error() {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        CONFIG.replace(
            "inference/**/*.py\"]\n    modules",
            "infrence/**/*.py\"]\n    modules",
        ),
    );
    repo.write("inference/serve.py", "import ray\n");
    repo.commit("typo");
    let run = lint(&repo);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("match no Python file")
            && run.stderr.contains(
                "forbidden_imports `no-ray-in-inference` (line 2): paths infrence/**/*.py"
            ),
        "{run:?}"
    );
}

#[test]
fn code_rules_alone_are_something_to_check() {
    // No docs at all: the code rules still run, and a clean tree passes.
    let repo = repo_with(&[("inference/serve.py", "import numpy\n")]);
    let (run, json) = lint_json(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["checked"]["docs"], 0);
    assert_eq!(json["checked"]["code"]["python_files"], 1, "{json}");
}

#[test]
fn check_reports_only_what_the_change_wrote() {
    let repo = repo_with(&[
        (
            "inference/serve.py",
            "import training.train\n\ntry:\n    import fast\nexcept ImportError:\n    fast = None\n",
        ),
        ("training/train.py", "import numpy\n"),
    ]);
    // lint sees the old fallback; check of an unrelated edit does not.
    let (_, json) = lint_json(&repo);
    assert_eq!(
        located(&json),
        pairs(&[("silent-fallback", "inference/serve.py:5:1")])
    );
    repo.write(
        "inference/serve.py",
        "import training.train\n\ntry:\n    import fast\nexcept ImportError:\n    fast = None\n\ndef load(path):\n    try:\n        return open(path).read()\n    except OSError:\n        return \"\"\n",
    );
    // The change adds `import ray` to a module the unchanged first line imports.
    repo.write("training/train.py", "import numpy\nimport ray\n");
    repo.commit("feature");
    let (run, json) = check_json(&repo, &["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        located(&json),
        pairs(&[
            ("forbidden-import", "inference/serve.py:1:1"),
            ("silent-fallback", "inference/serve.py:11:5"),
        ])
    );
    let chain = message(findings_of(&json, "forbidden-import")[0]).to_string();
    assert!(
        chain.contains("inference/serve.py:1 → training/train.py:2 → ray"),
        "{chain}"
    );
    // A change that only touches other lines of the file reports nothing.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write(
        "inference/serve.py",
        "import training.train\n\ntry:\n    import fast\nexcept ImportError:\n    fast = None\n\nVERSION = 2\n",
    );
    repo.commit("unrelated");
    let (run, json) = check_json(&repo, &["--base", "main"]);
    assert_eq!(located(&json), vec![], "{run:?}");
    assert_eq!(run.code, 0, "{run:?}");
    // No import on a changed line: no chain can be the change's, so only the
    // touched file is read (no import graph).
    assert_eq!(json["checked"]["code"]["python_files"], 1, "{json}");
    // A suppression added above an unchanged import needs the graph to know
    // it suppresses something.
    repo.write(
        "inference/serve.py",
        "# docgate: allow[forbidden-import] training is installed in this image\nimport training.train\n\ntry:\n    import fast\nexcept ImportError:\n    fast = None\n\nVERSION = 2\n",
    );
    repo.commit("suppress");
    let (run, json) = check_json(&repo, &["--base", "main"]);
    assert_eq!(
        located(&json),
        pairs(&[("suppression-invalid", "inference/serve.py:1:3")]),
        "{run:?}"
    );
    assert_eq!(json["checked"]["code"]["python_files"], 2, "{json}");
}

#[test]
fn declared_source_encodings_are_read() {
    let repo = repo_with(&[("inference/ok.py", "x = 1\n")]);
    repo.write(
        "inference/latin.py",
        b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\nimport ray\n",
    );
    repo.write(
        "inference/sjis.py",
        b"# coding: shift_jis\nname = '\x83e'\n",
    );
    repo.commit("encodings");
    let (_, json) = lint_json(&repo);
    assert_eq!(
        located(&json),
        pairs(&[
            ("forbidden-import", "inference/latin.py:3:1"),
            ("python-parse-error", "inference/sjis.py:2:9"),
        ])
    );
}

#[test]
fn check_scopes_staged_and_working_tree_changes_too() {
    let repo = repo_with(&[("inference/serve.py", "x = 1\n")]);
    repo.write("inference/serve.py", "x = 1\nimport ray\n");
    let (_, json) = check_json(&repo, &["--worktree"]);
    assert_eq!(
        located(&json),
        pairs(&[("forbidden-import", "inference/serve.py:2:1")])
    );
    repo.git(&["add", "-A"]);
    let (_, json) = check_json(&repo, &["--staged"]);
    assert_eq!(
        located(&json),
        pairs(&[("forbidden-import", "inference/serve.py:2:1")])
    );
    // A new file: every line is the change's.
    repo.write("inference/new.py", "try:\n    pass\nexcept:\n    pass\n");
    let (_, json) = check_json(&repo, &["--worktree"]);
    assert_eq!(
        located(&json),
        pairs(&[
            ("forbidden-import", "inference/serve.py:2:1"),
            ("silent-fallback", "inference/new.py:3:1"),
        ])
    );
}

#[test]
fn code_findings_cannot_be_waived_by_a_trailer() {
    let repo = repo_with(&[("inference/serve.py", "x = 1\n")]);
    repo.write("inference/serve.py", "import ray\n");
    repo.commit("add ray\n\nDocgate-Waive: forbidden-import: we need it");
    let (run, json) = check_json(&repo, &["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    let rules = run.sorted_rules();
    assert_eq!(rules, vec!["forbidden-import", "waiver-invalid"], "{json}");
}

// ---------------------------------------------------------------- corpus

/// One corpus case: files (a `.docgate.yml` among them or [`CONFIG`]) and
/// the findings it must produce, `rule path:line:col` with an optional
/// `~ text` the message must contain.
struct Case {
    name: String,
    files: Vec<(String, String)>,
    expect: Vec<(String, String, Option<String>)>,
}

fn read_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut files: Vec<(String, String)> = Vec::new();
    let mut expect = Vec::new();
    let mut current: Option<(String, String)> = None;
    let mut in_expect = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if let Some(header) = bare.strip_prefix("-- ").and_then(|h| h.strip_suffix(" --")) {
            if let Some(f) = current.take() {
                files.push(f);
            }
            if header == "expect" {
                in_expect = true;
            } else {
                assert!(!in_expect, "{name}: files after `-- expect --`");
                current = Some((header.to_string(), String::new()));
            }
            continue;
        }
        if in_expect {
            let bare = bare.trim();
            if bare.is_empty() || bare.starts_with('#') {
                continue;
            }
            let (head, want) = match bare.split_once(" ~ ") {
                Some((h, w)) => (h, Some(w.to_string())),
                None => (bare, None),
            };
            let (rule, at) = head
                .split_once(' ')
                .unwrap_or_else(|| panic!("{name}: bad expect line {bare:?}"));
            expect.push((rule.to_string(), at.trim().to_string(), want));
        } else if let Some((_, content)) = &mut current {
            content.push_str(line);
        }
    }
    if let Some(f) = current.take() {
        files.push(f);
    }
    assert!(in_expect, "{name}: no `-- expect --` section");
    assert!(!files.is_empty(), "{name}: no files");
    Case {
        name,
        files,
        expect,
    }
}

#[test]
fn corpus_cases_produce_exactly_their_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/code_rules");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 40, "the corpus has {} cases", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        let case = read_case(path);
        let repo = TestRepo::new();
        if !case.files.iter().any(|(p, _)| p == ".docgate.yml") {
            repo.write(".docgate.yml", CONFIG);
        }
        for (p, c) in &case.files {
            repo.write(p, c);
        }
        repo.commit("case");
        let run = lint(&repo);
        assert_no_panic(&run);
        if run.code != 0 && run.code != 1 {
            failures.push(format!("{}: exit {}: {}", case.name, run.code, run.stderr));
            continue;
        }
        let json = run.json();
        let got = located(&json);
        let mut want: Vec<(String, String)> = case
            .expect
            .iter()
            .map(|(r, a, _)| (r.clone(), a.clone()))
            .collect();
        want.sort();
        if got != want {
            failures.push(format!(
                "{}:\n  want {want:?}\n  got  {got:?}\n  {}",
                case.name, json["findings"]
            ));
            continue;
        }
        let want_code = if case.expect.is_empty() { 0 } else { 1 };
        if run.code != want_code {
            failures.push(format!(
                "{}: exit {} (want {want_code})",
                case.name, run.code
            ));
        }
        for (rule, at, text) in &case.expect {
            let Some(text) = text else { continue };
            let hit = json["findings"].as_array().unwrap().iter().any(|f| {
                f["rule"] == rule.as_str()
                    && format!(
                        "{}:{}:{}",
                        f["path"].as_str().unwrap_or("-"),
                        f["line"],
                        f["column"]
                    ) == *at
                    && message(f).contains(text.as_str())
            });
            if !hit {
                failures.push(format!(
                    "{}: no {rule} at {at} whose message contains {text:?}: {}",
                    case.name, json["findings"]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
