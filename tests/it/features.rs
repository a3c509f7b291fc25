//! Feature lists (SPEC §5) end to end through the CLI: every source kind,
//! every Python form docgate resolves or refuses, `order`, shared sources,
//! duplicates, additivity against the merge-base, the mismatch report, and a
//! corpus of real-world declaration shapes under tests/fixtures/features/.
use crate::support::*;

use serde_json::Value;
use std::path::Path;

// ---------------------------------------------------------------- helpers

/// A `.docgate.yml` with one pair `m`; `training` and `inference` are YAML
/// flow maps (`{file: ..., symbol: ...}`), `extra` more keys of the pair.
fn config(training: &str, inference: &str, extra: &str) -> String {
    let mut s = format!(
        "feature_lists:\n  - id: m\n    training:  {training}\n    inference: {inference}\n"
    );
    for line in extra.lines() {
        s.push_str(&format!("    {line}\n"));
    }
    s
}

const PY_TRAINING: &str = "{file: training/features.py, symbol: TRAINING_FEATURES}";
const PY_INFERENCE: &str = "{file: inference/features.py, symbol: INFERENCE_FEATURES}";
const EXPECTED: &str = "{file: expected/features.txt}";

/// A Python module binding `symbol` to `names`, one name a line: the list
/// starts at line `preamble.lines().count() + 1`.
fn py_list(preamble: &str, symbol: &str, names: &[&str]) -> String {
    let mut s = preamble.to_string();
    s.push_str(&format!("{symbol} = [\n"));
    for n in names {
        s.push_str(&format!("    \"{n}\",\n"));
    }
    s.push_str("]\n");
    s
}

fn text_list(names: &[&str]) -> String {
    names.iter().map(|n| format!("{n}\n")).collect()
}

/// `docgate lint --format json`: the run and its report.
fn lint(repo: &TestRepo) -> (Run, Value) {
    let run = repo.docgate(&["lint", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "expected a report: {run:?}");
    let json = run.json();
    (run, json)
}

fn findings(json: &Value) -> &Vec<Value> {
    json["findings"].as_array().expect("findings")
}

/// The one finding of a report, asserting there is exactly one.
fn only<'a>(run: &Run, json: &'a Value) -> &'a Value {
    let all = findings(json);
    assert_eq!(all.len(), 1, "expected exactly one finding: {run:?}");
    &all[0]
}

/// The one finding of `rule` at `path`, asserting there is exactly one.
fn one_at<'a>(run: &Run, json: &'a Value, rule: &str, path: &str) -> &'a Value {
    let all = at(json, rule, path);
    assert_eq!(all.len(), 1, "{run:?}");
    all[0]
}

/// The findings of `rule` at `path`.
fn at<'a>(json: &'a Value, rule: &str, path: &str) -> Vec<&'a Value> {
    findings(json)
        .iter()
        .filter(|f| f["rule"] == rule && f["path"] == path)
        .collect()
}

/// Assert a finding's rule, path, line and that its message contains `parts`.
fn assert_finding(f: &Value, rule: &str, path: &str, line: u64, parts: &[&str], run: &Run) {
    assert_eq!(f["rule"], rule, "{run:?}");
    assert_eq!(f["path"], path, "{run:?}");
    assert_eq!(f["line"], line, "{run:?}");
    for p in parts {
        assert!(
            message(f).contains(p),
            "message lacks {p:?}: {}\n{run:?}",
            message(f)
        );
    }
}

/// The `checked.feature_lists` entry of pair `id`.
fn list<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["checked"]["feature_lists"]
        .as_array()
        .expect("checked.feature_lists")
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("no feature list `{id}` in {}", json["checked"]))
}

fn assert_status(json: &Value, id: &str, status: &str, shared: bool, names: u64) {
    let l = list(json, id);
    assert_eq!(l["status"], status, "{l}");
    assert_eq!(l["shared_source"], shared, "{l}");
    assert_eq!(l["names"], names, "{l}");
}

/// A passing report without findings whose pair `m` is identical.
fn assert_identical(run: &Run, json: &Value, shared: bool, names: u64) {
    assert_eq!(run.code, 0, "{run:?}");
    assert!(findings(json).is_empty(), "{run:?}");
    assert_status(json, "m", "identical", shared, names);
}

/// Through the CLI: `source` (a flow map of the config, files already in
/// `repo`) yields exactly `expected`, in order. It is paired with a text
/// file listing `expected`; the pair must be identical, and changing the
/// last expected name must make it a mismatch (the check is not vacuous).
fn assert_extracts(repo: &TestRepo, source: &str, expected: &[&str]) {
    repo.write(".docgate.yml", config(source, EXPECTED, ""));
    repo.write("expected/features.txt", text_list(expected));
    let (run, json) = lint(repo);
    assert_eq!(run.code, 0, "{source} should yield {expected:?}: {run:?}");
    assert!(findings(&json).is_empty(), "{run:?}");
    assert_eq!(list(&json, "m")["status"], "identical", "{run:?}");
    assert_eq!(list(&json, "m")["names"], expected.len() as u64, "{run:?}");

    let last = *expected.last().expect("expected names");
    let changed = format!("{last}_CHANGED");
    let mut other: Vec<&str> = expected.to_vec();
    *other.last_mut().unwrap() = &changed;
    repo.write("expected/features.txt", text_list(&other));
    let (run, json) = lint(repo);
    assert_eq!(run.code, 1, "{run:?}");
    let f = only(&run, &json);
    assert_finding(
        f,
        "feature-mismatch",
        "expected/features.txt",
        1,
        &[
            &format!("only in training:  `{last}`"),
            &format!("only in inference: `{changed}`"),
        ],
        &run,
    );
    assert_eq!(list(&json, "m")["status"], "mismatch");
}

/// A fresh repository holding `files`, then `assert_extracts`.
fn assert_resolves(files: &[(&str, &str)], source: &str, expected: &[&str]) {
    let repo = TestRepo::new();
    for (path, text) in files {
        repo.write(path, text);
    }
    assert_extracts(&repo, source, expected);
}

/// `source` cannot be extracted: `lint` reports exactly one
/// `feature-source-error` at `path:line` whose message contains `part`,
/// fails, and the pair's status is `error` (never a skip).
fn assert_refused(files: &[(&str, &str)], source: &str, path: &str, line: u64, part: &str) {
    let repo = TestRepo::new();
    for (p, text) in files {
        repo.write(p, text);
    }
    repo.write(".docgate.yml", config(source, EXPECTED, ""));
    repo.write("expected/features.txt", "a\nb\n");
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{source}: {run:?}");
    let f = only(&run, &json);
    assert_finding(f, "feature-source-error", path, line, &[part], &run);
    assert_eq!(f["severity"], "error", "{run:?}");
    assert_eq!(list(&json, "m")["status"], "error", "{run:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A repository holding a copy of tests/fixtures/features/<name>.
fn fixture_repo(name: &str) -> TestRepo {
    let repo = TestRepo::new();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/features")
        .join(name);
    assert!(from.is_dir(), "no fixture {}", from.display());
    copy_tree(&from, &repo.path());
    repo
}

// ------------------------------------------------- 1. every source kind

const NAMES: [&str; 3] = ["user_age", "item_price", "ctr_7d"];
const CHANGED: [&str; 3] = ["user_age", "item_price", "ctr_30d"];

/// Training is Python; the inference side is `inference_file` of the kind
/// under test, `render(names)` its text; a mismatch is reported at `line`.
fn source_kind_end_to_end(
    inference: &str,
    inference_file: &str,
    render: fn(&[&str]) -> String,
    line: u64,
    described: &str,
) {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", config(PY_TRAINING, inference, ""))
        .write(
            "training/features.py",
            py_list("", "TRAINING_FEATURES", &NAMES),
        )
        .write(inference_file, render(&NAMES));
    repo.commit("lists");
    let (run, json) = lint(&repo);
    assert_identical(&run, &json, false, 3);

    repo.write(inference_file, render(&CHANGED));
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let f = only(&run, &json);
    assert_finding(
        f,
        "feature-mismatch",
        inference_file,
        line,
        &[
            "training and inference feature lists of `m` differ (strict order)",
            "training:  training/features.py:1 TRAINING_FEATURES (3 names)",
            &format!("inference: {described} (3 names)"),
            "only in training:  `ctr_7d`",
            "only in inference: `ctr_30d`",
            "first difference at index 2: training has `ctr_7d`, inference has `ctr_30d`",
        ],
        &run,
    );
    assert_eq!(f["severity"], "error");
    assert_eq!(json["summary"]["errors"], 1);
    assert_status(&json, "m", "mismatch", false, 3);
}

#[test]
fn python_source_end_to_end() {
    source_kind_end_to_end(
        PY_INFERENCE,
        "inference/features.py",
        |n| py_list("\"\"\"Serving features.\"\"\"\n\n", "INFERENCE_FEATURES", n),
        3,
        "inference/features.py:3 INFERENCE_FEATURES",
    );
}

#[test]
fn yaml_source_end_to_end() {
    source_kind_end_to_end(
        "{file: inference/config.yaml, pointer: /model_options/features}",
        "inference/config.yaml",
        |n| {
            let mut s = "model_name: ranker\nmodel_options:\n  learning_rate: 0.1\n  features:\n"
                .to_string();
            for x in n {
                s.push_str(&format!("    - {x}\n"));
            }
            s.push_str("serving:\n  replicas: 2\n");
            s
        },
        // The block sequence starts at its first item.
        5,
        "inference/config.yaml:5 /model_options/features",
    );
}

#[test]
fn json_source_end_to_end() {
    source_kind_end_to_end(
        "{file: inference/features.json, pointer: /features}",
        "inference/features.json",
        |n| {
            let items: Vec<String> = n.iter().map(|x| format!("    \"{x}\"")).collect();
            format!(
                "{{\n  \"model\": \"ranker\",\n  \"features\": [\n{}\n  ],\n  \"version\": 3\n}}\n",
                items.join(",\n")
            )
        },
        3,
        "inference/features.json:3 /features",
    );
}

#[test]
fn toml_source_end_to_end() {
    source_kind_end_to_end(
        "{file: inference/model.toml, pointer: /model/features}",
        "inference/model.toml",
        |n| {
            let mut s =
                "title = \"ranker\"\n\n[model]\nname = \"ranker\"\nfeatures = [\n".to_string();
            for x in n {
                s.push_str(&format!("  \"{x}\",\n"));
            }
            s.push_str("]\n\n[serving]\nreplicas = 2\n");
            s
        },
        5,
        "inference/model.toml:5 /model/features",
    );
}

#[test]
fn text_source_end_to_end() {
    source_kind_end_to_end(
        "{file: inference/features.txt}",
        "inference/features.txt",
        |n| {
            format!(
                "# Serving features, one a line.\n\n  {}  \n# the price, in USD\n{}   # inline comment\n\n{}\n\n",
                n[0], n[1], n[2]
            )
        },
        1,
        "inference/features.txt:1",
    );
}

#[test]
fn text_source_names_exactly() {
    // Blank lines, comment lines, inline comments and surrounding spaces are
    // not names; the names keep their inner characters.
    let repo = TestRepo::new();
    repo.write(
        "training/features.txt",
        "# header\n\n   dense:age   \n\t# indented comment\nprice usd # trailing\n#\nctr_7d\n",
    );
    assert_extracts(
        &repo,
        "{file: training/features.txt}",
        &["dense:age", "price usd", "ctr_7d"],
    );
}

#[test]
fn data_sources_with_a_pointer_to_the_whole_document_or_an_index() {
    assert_resolves(
        &[("model/features.json", "[\"a\", \"b\"]\n")],
        "{file: model/features.json, pointer: \"\"}",
        &["a", "b"],
    );
    assert_resolves(
        &[("model/features.yaml", "- a\n- b\n- c\n")],
        "{file: model/features.yaml, pointer: \"\"}",
        &["a", "b", "c"],
    );
    // `~1` is `/`, `~0` is `~`; a number indexes a list.
    assert_resolves(
        &[(
            "model/c.json",
            "{\"a/b\": {\"x~y\": [[\"zero\"], [\"one\", \"two\"]]}}\n",
        )],
        "{file: model/c.json, pointer: /a~1b/x~0y/1}",
        &["one", "two"],
    );
    assert_resolves(
        &[(
            "pyproject.toml",
            "[tool.ranker]\nfeatures = ['a', \"b\", '''c''']\n",
        )],
        "{file: pyproject.toml, pointer: /tool/ranker/features}",
        &["a", "b", "c"],
    );
}

// --------------------------------------------------- 2. Python forms

#[test]
fn python_escapes_are_decoded_like_python() {
    let repo = TestRepo::new();
    repo.write(
        "training/features.py",
        r#"TRAINING_FEATURES = [
    "a\tb",
    "caf\u00e9",
    'x\\y',
    r"raw\d",
    "\x41\101",
    "it\'s",
]
"#,
    )
    .write(
        "inference/features.yaml",
        "features:\n  - \"a\\tb\"\n  - café\n  - 'x\\y'\n  - 'raw\\d'\n  - AA\n  - \"it's\"\n",
    )
    .write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            "{file: inference/features.yaml, pointer: /features}",
            "",
        ),
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_status(&json, "m", "identical", false, 6);

    // Not vacuous: a literal backslash-t is not a tab.
    repo.write(
        "inference/features.yaml",
        "features:\n  - 'a\\tb'\n  - café\n  - 'x\\y'\n  - 'raw\\d'\n  - AA\n  - \"it's\"\n",
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(
        only(&run, &json),
        "feature-mismatch",
        "inference/features.yaml",
        2,
        &["only in inference: `a\\tb`", "only in training:  `a\tb`"],
        &run,
    );
}

#[test]
fn python_implicit_concatenation() {
    assert_resolves(
        &[(
            "training/features.py",
            "X = [\n    \"dense_\" \"age\",\n    'bucket_' \"lat\" 'itude',\n    (\"paren\" \"thesized\"),\n]\n",
        )],
        "{file: training/features.py, symbol: X}",
        &["dense_age", "bucket_latitude", "parenthesized"],
    );
}

#[test]
fn python_comments_and_trailing_commas_inside_brackets() {
    assert_resolves(
        &[(
            "training/features.py",
            "X = [  # the model's inputs\n    # user\n    \"age\",  # years\n    \"country\",\n    # item\n    \"price\",\n    # \"commented_out\",\n]\nT = (\"a\", \"b\",)  # tuple\nONE = (\"solo\",)\n",
        )],
        "{file: training/features.py, symbol: X}",
        &["age", "country", "price"],
    );
    assert_resolves(
        &[(
            "training/features.py",
            "T = (\n    \"a\",\n    \"b\",  # b\n)\n",
        )],
        "{file: training/features.py, symbol: T}",
        &["a", "b"],
    );
    assert_resolves(
        &[("training/features.py", "ONE = (\"solo\",)\n")],
        "{file: training/features.py, symbol: ONE}",
        &["solo"],
    );
}

#[test]
fn python_plus() {
    assert_resolves(
        &[(
            "training/features.py",
            "DENSE = [\"a\", \"b\"]\nSPARSE = (\"c\",)\nX = DENSE + [\"x\"] + list(SPARSE) + (\n    [\"d\"]\n)\n",
        )],
        "{file: training/features.py, symbol: X}",
        &["a", "b", "x", "c", "d"],
    );
}

#[test]
fn python_plus_equals() {
    assert_resolves(
        &[(
            "training/features.py",
            "X = [\"a\"]\nX += [\"b\", \"c\"]\nX += (\"d\",)\nMORE = [\"e\"]\nX += MORE\n",
        )],
        "{file: training/features.py, symbol: X}",
        &["a", "b", "c", "d", "e"],
    );
}

#[test]
fn python_star_unpacking_in_a_list() {
    assert_resolves(
        &[(
            "training/features.py",
            "A = [\"a\", \"b\"]\nB = (\"c\",)\nX = [*A, \"x\", *B, *[\"y\"]]\n",
        )],
        "{file: training/features.py, symbol: X}",
        &["a", "b", "x", "c", "y"],
    );
}

#[test]
fn python_list_and_tuple_copies() {
    let files = [(
        "training/features.py",
        "A = (\"a\", \"b\")\nL = list(A)\nT = tuple([\"c\", \"d\"])\nLT = list(tuple(A + (\"e\",)))\n",
    )];
    assert_resolves(
        &files,
        "{file: training/features.py, symbol: L}",
        &["a", "b"],
    );
    assert_resolves(
        &files,
        "{file: training/features.py, symbol: T}",
        &["c", "d"],
    );
    assert_resolves(
        &files,
        "{file: training/features.py, symbol: LT}",
        &["a", "b", "e"],
    );
}

#[test]
fn python_annotated_assignments() {
    assert_resolves(
        &[(
            "training/features.py",
            "from typing import Final\n\nX: Final[list[str]] = [\n    \"a\",\n    \"b\",\n]\nY: tuple[str, ...] = (\"c\",)\nDECLARED: list[str]\n",
        )],
        "{file: training/features.py, symbol: X}",
        &["a", "b"],
    );
    assert_resolves(
        &[(
            "training/features.py",
            "from typing import Final\nY: \"tuple[str, ...]\" = (\"c\", \"d\")\n",
        )],
        "{file: training/features.py, symbol: Y}",
        &["c", "d"],
    );
}

#[test]
fn python_last_binding_wins() {
    let files = [(
        "training/features.py",
        "X = [\"old\"]\nKEEP = X + [\"k\"]\nX = [\"new\", \"newer\"]\n",
    )];
    assert_resolves(
        &files,
        "{file: training/features.py, symbol: X}",
        &["new", "newer"],
    );
    // A name built before the rebinding keeps the old value, like Python.
    assert_resolves(
        &files,
        "{file: training/features.py, symbol: KEEP}",
        &["old", "k"],
    );
    // Chained assignment binds every target.
    assert_resolves(
        &[(
            "training/features.py",
            "A = B = [\"a\", \"b\"]\nB = B + [\"c\"]\n",
        )],
        "{file: training/features.py, symbol: A}",
        &["a", "b"],
    );
}

#[test]
fn python_absolute_import() {
    assert_resolves(
        &[
            ("pkg/__init__.py", ""),
            ("pkg/mod.py", "NAME = [\n    \"a\",\n    \"b\",\n]\n"),
            (
                "serving/features.py",
                "from pkg.mod import NAME\n\nX = NAME + [\"c\"]\n",
            ),
        ],
        "{file: serving/features.py, symbol: X}",
        &["a", "b", "c"],
    );
    // The imported name itself, under its own name.
    assert_resolves(
        &[
            ("pkg/__init__.py", ""),
            ("pkg/mod.py", "NAME = [\"a\", \"b\"]\n"),
            ("serving/features.py", "from pkg.mod import NAME\n"),
        ],
        "{file: serving/features.py, symbol: NAME}",
        &["a", "b"],
    );
}

#[test]
fn python_relative_import_with_alias() {
    assert_resolves(
        &[
            ("inference/__init__.py", ""),
            ("inference/mod.py", "NAME = [\"a\", \"b\"]\n"),
            (
                "inference/features.py",
                "from .mod import NAME as ALIAS\n\nX = [*ALIAS, \"c\"]\n",
            ),
        ],
        "{file: inference/features.py, symbol: X}",
        &["a", "b", "c"],
    );
    // `..` climbs one package.
    assert_resolves(
        &[
            ("app/common.py", "BASE = [\"a\"]\n"),
            (
                "app/serving/features.py",
                "from ..common import BASE as B\nX = B + [\"b\"]\n",
            ),
        ],
        "{file: app/serving/features.py, symbol: X}",
        &["a", "b"],
    );
}

#[test]
fn python_import_chain_across_three_files() {
    let repo = TestRepo::new();
    repo.write("pkg/__init__.py", "")
        .write("pkg/base.py", "BASE = [\n    \"a\",\n    \"b\",\n]\n")
        .write(
            "pkg/middle.py",
            "from pkg.base import BASE\n\nMIDDLE = BASE + [\n    \"c\",\n]\n",
        )
        .write(
            "training/features.py",
            "from pkg.middle import MIDDLE as M\n\nX = M + [\"d\"]\n",
        );
    assert_extracts(
        &repo,
        "{file: training/features.py, symbol: X}",
        &["a", "b", "c", "d"],
    );
    // Every name keeps the file and line it was written at: a name repeated
    // at the end of the chain is reported against its first definition.
    repo.write(
        "training/features.py",
        "from pkg.middle import MIDDLE as M\n\nX = M + [\"d\",\n    \"a\"]\n",
    )
    .write("expected/features.txt", "a\nb\nc\nd\na\n");
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let dups = one_at(&run, &json, "feature-duplicate", "training/features.py");
    assert_finding(
        dups,
        "feature-duplicate",
        "training/features.py",
        4,
        &["names `a` twice: pkg/base.py:2 and training/features.py:4"],
        &run,
    );
}

// ------------------------------------------------------- 3. refusals

const X_SOURCE: &str = "{file: training/features.py, symbol: X}";

#[test]
fn refuses_a_comprehension() {
    assert_refused(
        &[(
            "training/features.py",
            "RAW = [\"a\", \"b\"]\n\nX = [f\"{name}_xf\" for name in RAW]\n",
        )],
        X_SOURCE,
        "training/features.py",
        3,
        "a comprehension",
    );
}

#[test]
fn refuses_a_call() {
    assert_refused(
        &[(
            "training/features.py",
            "import json\n\nX = json.load(open(\"features.json\"))\n",
        )],
        X_SOURCE,
        "training/features.py",
        3,
        "is a call to `json.load`, which docgate cannot evaluate statically",
    );
    assert_refused(
        &[("training/features.py", "X = sorted([\"b\", \"a\"])\n")],
        X_SOURCE,
        "training/features.py",
        1,
        "a call to `sorted`",
    );
    // `list` shadowed by a module-level definition is not the builtin.
    assert_refused(
        &[(
            "training/features.py",
            "def list(x):\n    return [\"evil\"]\n\nA = [\"a\"]\nX = list(A)\n",
        )],
        X_SOURCE,
        "training/features.py",
        5,
        "a call to `list`",
    );
}

#[test]
fn refuses_an_f_string() {
    assert_refused(
        &[(
            "training/features.py",
            "PREFIX = \"user\"\nX = [\n    \"a\",\n    f\"{PREFIX}_age\",\n]\n",
        )],
        X_SOURCE,
        "training/features.py",
        4,
        "is an f-string with a replacement field",
    );
}

#[test]
fn refuses_a_conditional_expression() {
    assert_refused(
        &[(
            "training/features.py",
            "import os\nUSE_V2 = os.environ.get(\"V2\")\nX = [\"a\", \"b\"] if USE_V2 else [\"a\"]\n",
        )],
        X_SOURCE,
        "training/features.py",
        3,
        "a conditional expression",
    );
}

#[test]
fn refuses_append_at_module_level() {
    assert_refused(
        &[(
            "training/features.py",
            "X = [\"a\", \"b\"]\n\nX.append(\"c\")\n",
        )],
        X_SOURCE,
        "training/features.py",
        3,
        "`X` is changed by `.append()` at line 3",
    );
    // A list built from the changed one inherits the refusal.
    assert_refused(
        &[(
            "training/features.py",
            "A = [\"a\"]\nA.extend([\"b\"])\nX = A + [\"c\"]\n",
        )],
        X_SOURCE,
        "training/features.py",
        2,
        "`.extend()`",
    );
    assert_refused(
        &[("training/features.py", "X = [\"a\", \"b\"]\nX[0] = \"z\"\n")],
        X_SOURCE,
        "training/features.py",
        2,
        "changed in place at line 2",
    );
}

#[test]
fn refuses_a_binding_inside_if() {
    assert_refused(
        &[(
            "training/features.py",
            "import os\n\nX = [\"a\"]\nif os.environ.get(\"V2\"):\n    X = [\"a\", \"b\"]\n",
        )],
        X_SOURCE,
        "training/features.py",
        5,
        "bound inside a module-level `if` block",
    );
    assert_refused(
        &[(
            "training/features.py",
            "try:\n    import numpy\nexcept ImportError:\n    X = [\"a\"]\n",
        )],
        X_SOURCE,
        "training/features.py",
        4,
        "bound inside a module-level `try` block",
    );
}

#[test]
fn refuses_a_file_with_a_syntax_error() {
    // The list itself is fine, but Python could not import the module.
    assert_refused(
        &[(
            "training/features.py",
            "X = [\"a\", \"b\"]\n\n\ndef broken(:\n    pass\n",
        )],
        X_SOURCE,
        "training/features.py",
        4,
        "syntax error at line 4",
    );
}

#[test]
fn refuses_a_missing_file() {
    // A file that does not exist is reported at the config entry naming it
    // (line 3 of the generated .docgate.yml): an annotation needs a real file.
    assert_refused(
        &[],
        X_SOURCE,
        ".docgate.yml",
        3,
        "`training/features.py` does not exist",
    );
    assert_refused(
        &[],
        "{file: model/features.json, pointer: /features}",
        ".docgate.yml",
        3,
        "`model/features.json` does not exist",
    );
    // An import that names no file of the repository.
    assert_refused(
        &[(
            "training/features.py",
            "\nfrom shared.columns import BASE\nX = BASE + [\"c\"]\n",
        )],
        X_SOURCE,
        "training/features.py",
        2,
        "cannot find module `shared.columns` in the repository",
    );
}

#[test]
fn refuses_a_missing_symbol() {
    assert_refused(
        &[(
            "training/features.py",
            "FEATURES = [\"a\"]\n\ndef X():\n    return FEATURES\n",
        )],
        "{file: training/features.py, symbol: TRAINING_FEATURES}",
        // Reported at the config entry that names the symbol.
        ".docgate.yml",
        3,
        "`TRAINING_FEATURES` is not bound at module level in training/features.py",
    );
    // A name imported from a module that does not define it: the error is
    // at the import (file and line of the same statement), naming the module.
    assert_refused(
        &[
            ("pkg/mod.py", "OTHER = [\"a\"]\n"),
            ("training/features.py", "\n\nfrom pkg.mod import X\n"),
        ],
        X_SOURCE,
        "training/features.py",
        3,
        "`X` is not bound at module level in pkg/mod.py",
    );
}

#[test]
fn refuses_a_pointer_to_a_missing_key() {
    assert_refused(
        &[(
            "configs/model.yaml",
            "model_name: ranker\nmodel_options:\n  learning_rate: 0.1\n  feature: [a, b]\n",
        )],
        "{file: configs/model.yaml, pointer: /model_options/features}",
        "configs/model.yaml",
        3,
        "`/model_options/features` does not exist (pointer /model_options/features)",
    );
    assert_refused(
        &[(
            "model/features.json",
            "{\n  \"model\": {\n    \"names\": [\"a\"]\n  }\n}\n",
        )],
        "{file: model/features.json, pointer: /model/features}",
        "model/features.json",
        2,
        "`/model/features` does not exist",
    );
    assert_refused(
        &[(
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.model]\nlr = 0.1\n",
        )],
        "{file: pyproject.toml, pointer: /tool/model/features}",
        "pyproject.toml",
        4,
        "`/tool/model/features` does not exist",
    );
}

#[test]
fn refuses_a_pointer_to_something_that_is_not_a_list() {
    assert_refused(
        &[(
            "configs/model.yaml",
            "model_options:\n  features:\n    age: int\n    price: float\n",
        )],
        "{file: configs/model.yaml, pointer: /model_options/features}",
        "configs/model.yaml",
        3,
        "`/model_options/features` is a mapping, not a list of strings",
    );
    assert_refused(
        &[("configs/model.yaml", "model_options:\n  features: age\n")],
        "{file: configs/model.yaml, pointer: /model_options/features}",
        "configs/model.yaml",
        2,
        "configs/model.yaml /model_options/features is a single value, not a list of feature names",
    );
    assert_refused(
        &[(
            "model/features.json",
            "{\n  \"features\": {\"age\": 1}\n}\n",
        )],
        "{file: model/features.json, pointer: /features}",
        "model/features.json",
        2,
        "`/features` is a mapping, not a list of strings",
    );
    assert_refused(
        &[("training/features.py", "X = \"age,price\"\n")],
        X_SOURCE,
        "training/features.py",
        1,
        "is a single value, not a list of feature names",
    );
}

#[test]
fn refuses_a_non_string_entry() {
    assert_refused(
        &[(
            "configs/model.yaml",
            "features:\n  - age\n  - 42\n  - price\n",
        )],
        "{file: configs/model.yaml, pointer: /features}",
        "configs/model.yaml",
        3,
        "an entry of /features is a number, not a string",
    );
    assert_refused(
        &[("configs/model.yaml", "features:\n  - age\n  - true\n")],
        "{file: configs/model.yaml, pointer: /features}",
        "configs/model.yaml",
        3,
        "an entry of /features is a boolean, not a string",
    );
    assert_refused(
        &[(
            "model/features.json",
            "{\n  \"features\": [\n    \"age\",\n    7,\n    \"price\"\n  ]\n}\n",
        )],
        "{file: model/features.json, pointer: /features}",
        "model/features.json",
        4,
        "an entry of /features is a number, not a string",
    );
    assert_refused(
        &[(
            "model/features.json",
            "{\"features\": [\"age\",\n  null]}\n",
        )],
        "{file: model/features.json, pointer: /features}",
        "model/features.json",
        2,
        "an entry of /features is null, not a string",
    );
    assert_refused(
        &[(
            "pyproject.toml",
            "[model]\nfeatures = [\n  \"age\",\n  3,\n]\n",
        )],
        "{file: pyproject.toml, pointer: /model/features}",
        "pyproject.toml",
        4,
        "an entry of /model/features is not a string",
    );
    assert_refused(
        &[("training/features.py", "X = [\n    \"age\",\n    42,\n]\n")],
        X_SOURCE,
        "training/features.py",
        3,
        "element `42` is a number, not a string literal",
    );
}

#[test]
fn refuses_invalid_json_and_toml_with_the_line() {
    assert_refused(
        &[(
            "model/features.json",
            "{\n  \"features\": [\n    \"age\",\n    \"price\",\n  ]\n}\n",
        )],
        "{file: model/features.json, pointer: /features}",
        "model/features.json",
        5,
        "invalid JSON",
    );
    assert_refused(
        &[(
            "pyproject.toml",
            "[model]\nname = \"x\"\nfeatures = [\n  \"age\",\n  price,\n]\n",
        )],
        "{file: pyproject.toml, pointer: /model/features}",
        "pyproject.toml",
        5,
        "invalid TOML",
    );
    assert_refused(
        &[(
            "configs/model.yaml",
            "model_options:\n  features: [age, price\n  lr: 0.1\n",
        )],
        "{file: configs/model.yaml, pointer: /model_options/features}",
        "configs/model.yaml",
        3,
        "invalid YAML",
    );
}

#[test]
fn both_sides_failing_report_both() {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", config(PY_TRAINING, PY_INFERENCE, ""))
        .write(
            "training/features.py",
            "TRAINING_FEATURES = [f for f in \"ab\"]\n",
        )
        .write("inference/features.py", "\nINFERENCE_FEATURES = load()\n");
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.rules(),
        vec!["feature-source-error", "feature-source-error"],
        "{run:?}"
    );
    assert_finding(
        at(&json, "feature-source-error", "training/features.py")[0],
        "feature-source-error",
        "training/features.py",
        1,
        &["comprehension"],
        &run,
    );
    assert_finding(
        at(&json, "feature-source-error", "inference/features.py")[0],
        "feature-source-error",
        "inference/features.py",
        2,
        &["a call to `load`"],
        &run,
    );
    assert_status(&json, "m", "error", false, 0);
}

#[test]
fn lint_reports_a_model_version_that_cannot_be_read() {
    // SPEC §5 / README: `feature-source-error` covers a list *or model
    // version* that cannot be extracted, and `lint` reports everything. A
    // misconfigured version must not wait for the day a list shrinks.
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            PY_INFERENCE,
            "version: {file: training/features.py, symbol: MODEL_VERSON}",
        ),
    )
    .write(
        "training/features.py",
        py_list("MODEL_VERSION = \"3\"\n", "TRAINING_FEATURES", &NAMES),
    )
    .write(
        "inference/features.py",
        py_list("", "INFERENCE_FEATURES", &NAMES),
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(
        only(&run, &json),
        "feature-source-error",
        // At the config entry that names the (misspelled) symbol.
        ".docgate.yml",
        5,
        &["`MODEL_VERSON` is not bound at module level in training/features.py"],
        &run,
    );
}

// ------------------------------- 3b. lists changed after they are bound
//
// A literal list that the module changes afterwards is not the list Python
// builds: every statement that may change (or rebind) a list docgate reads is
// a `feature-source-error` at that statement, wherever it is in the module.

/// `training/features.py` is `py`: it binds `FEATURES` to a literal and then
/// changes it (Python, run, builds a different list). The inference side
/// lists `inference`, which the literal alone matches: docgate used to say
/// `identical` and pass. Now exactly one `feature-source-error` at
/// `training/features.py:line` whose message contains `parts`, and the pair's
/// status is `error`.
fn assert_changed(py: &str, inference: &[&str], line: u64, parts: &[&str]) {
    let repo = TestRepo::new();
    repo.write("training/features.py", py)
        .write("inference/features.txt", text_list(inference))
        .write(
            ".docgate.yml",
            config(
                "{file: training/features.py, symbol: FEATURES}",
                "{file: inference/features.txt}",
                "",
            ),
        );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{py}: {run:?}");
    let f = only(&run, &json);
    assert_finding(
        f,
        "feature-source-error",
        "training/features.py",
        line,
        parts,
        &run,
    );
    assert_eq!(f["severity"], "error", "{run:?}");
    assert_eq!(list(&json, "m")["status"], "error", "{run:?}");
}

const ABC: [&str; 3] = ["a", "b", "c"];

#[test]
fn a_list_changed_inside_a_module_level_for_loop_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nfor _f in [\"c\"]:\n    FEATURES.remove(_f)\n",
        &ABC,
        3,
        &["`FEATURES` is changed in place at training/features.py:3 \
             (`FEATURES.remove(_f)` inside a module-level `for` block): \
             docgate reads lists statically, so the list Python builds may differ"],
    );
}

#[test]
fn a_list_changed_inside_a_module_level_if_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nif True:\n    FEATURES.pop()\n",
        &ABC,
        3,
        &[
            "changed in place at training/features.py:3 (`FEATURES.pop()` inside a module-level `if` block)",
        ],
    );
}

#[test]
fn a_list_changed_inside_a_function_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n\n\ndef _d():\n    FEATURES.pop()\n\n\n_d()\n",
        &ABC,
        5,
        &[
            "`FEATURES` is changed in place at training/features.py:5 (`FEATURES.pop()` inside function `_d`)",
        ],
    );
}

#[test]
fn a_list_changed_by_a_call_whose_result_is_assigned_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n_ = FEATURES.pop()\n",
        &ABC,
        2,
        &["changed in place at training/features.py:2 (`FEATURES.pop()` at module level)"],
    );
}

#[test]
fn a_list_changed_inside_a_call_argument_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nprint(FEATURES.pop())\n",
        &ABC,
        2,
        &["changed in place at training/features.py:2 (`FEATURES.pop()` at module level)"],
    );
}

#[test]
fn a_list_changed_through_an_unbound_list_method_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nlist.remove(FEATURES, \"c\")\n",
        &ABC,
        2,
        &[
            "changed in place at training/features.py:2 (`list.remove(FEATURES, \"c\")` at module level)",
        ],
    );
}

#[test]
fn a_list_rebound_by_a_walrus_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n(FEATURES := [\"a\", \"b\"])\n",
        &ABC,
        2,
        &[
            "`FEATURES` is rebound at training/features.py:2 (`FEATURES := [\"a\", \"b\"]` at module level)",
        ],
    );
}

#[test]
fn a_list_changed_through_a_dunder_method_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nFEATURES.__delitem__(2)\n",
        &ABC,
        2,
        &["changed in place at training/features.py:2 (`FEATURES.__delitem__(2)` at module level)"],
    );
}

#[test]
fn a_list_item_deleted_inside_try_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\ntry:\n    del FEATURES[2]\nexcept IndexError:\n    pass\n",
        &ABC,
        3,
        &[
            "changed in place at training/features.py:3 (`del FEATURES[2]` inside a module-level `try` block)",
        ],
    );
}

#[test]
fn a_list_rebound_through_globals_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nglobals()[\"FEATURES\"] = [\"a\", \"b\"]\n",
        &ABC,
        2,
        &[
            "`FEATURES` may be rebound or changed at training/features.py:2 \
             (`globals()[\"FEATURES\"] = [\"a\", \"b\"]` at module level: \
             `globals()` reaches every name of the module by its string)",
        ],
    );
}

#[test]
fn a_change_of_an_alias_is_a_change_of_the_list() {
    // `FEATURES = BASE` binds the same list object: changing BASE changes
    // FEATURES (it used to be read as a copy).
    assert_changed(
        "BASE = [\"a\", \"b\", \"c\"]\nFEATURES = BASE\nBASE.remove(\"c\")\n",
        &ABC,
        3,
        &["`FEATURES` is changed in place at training/features.py:3 \
             (`BASE.remove(\"c\")` at module level; `FEATURES` and `BASE` are the same list: \
             `FEATURES = BASE` at line 2)"],
    );
    // `+=` on a list changes it in place: the alias sees the new names.
    assert_changed(
        "BASE = [\"a\", \"b\"]\nFEATURES = BASE\nBASE += [\"c\"]\n",
        &["a", "b"],
        3,
        &[
            "changed in place at training/features.py:3 (`BASE += [\"c\"]` at module level; `FEATURES` and `BASE` are the same list",
        ],
    );
}

#[test]
fn a_global_declaration_followed_by_an_assignment_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n\n\ndef _reset():\n    global FEATURES\n    FEATURES = [\"a\", \"b\"]\n\n\n_reset()\n",
        &ABC,
        6,
        &[
            "`FEATURES` is rebound at training/features.py:6 (`FEATURES = [\"a\", \"b\"]` inside function `_reset`, which declares `global FEATURES`)",
        ],
    );
}

#[test]
fn a_list_changed_through_a_parameter_of_a_local_function_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n\n\ndef drop_last(cols):\n    cols.pop()\n\n\ndrop_last(FEATURES)\n",
        &ABC,
        5,
        &[
            "`FEATURES` is changed in place at training/features.py:5 (`cols.pop()` inside function `drop_last`; `FEATURES` and `cols` are the same list: `drop_last(FEATURES)` at line 8)",
        ],
    );
}

#[test]
fn a_list_changed_inside_a_lambda_or_a_comprehension_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n_drop = lambda: FEATURES.pop()\n_drop()\n",
        &ABC,
        2,
        &["changed in place at training/features.py:2 (`FEATURES.pop()` inside a lambda)"],
    );
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n_ = [FEATURES.remove(f) for f in [\"c\"]]\n",
        &ABC,
        2,
        &[
            "changed in place at training/features.py:2 (`FEATURES.remove(f)` inside a comprehension)",
        ],
    );
}

#[test]
fn a_list_changed_through_a_container_or_an_attribute_is_refused() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nfor cols in (FEATURES,):\n    cols.pop()\n",
        &ABC,
        3,
        &[
            "changed in place at training/features.py:3 (`cols.pop()` inside a module-level `for` block; `FEATURES` and `cols` are the same list: `for cols in (FEATURES,):` at line 2)",
        ],
    );
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nGROUPS = {\"all\": FEATURES}\nGROUPS[\"all\"].pop()\n",
        &ABC,
        3,
        &[
            "changed in place at training/features.py:3 (`GROUPS[\"all\"].pop()` at module level; `GROUPS[\"all\"]` may be `FEATURES`)",
        ],
    );
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n\n\nclass Model:\n    def __init__(self):\n        self.columns = FEATURES\n\n    def prune(self):\n        self.columns.pop()\n\n\nModel().prune()\n",
        &ABC,
        9,
        &[
            "changed in place at training/features.py:9 (`self.columns.pop()` inside function `prune`; `self.columns` may be `FEATURES`)",
        ],
    );
}

#[test]
fn passing_a_list_to_a_function_is_a_read_but_not_to_one_that_shuffles_it() {
    // Handing the list to code docgate does not read (print, pandas, a
    // model's fit) is how feature lists are used: a read.
    let reads = "import pandas as pd\n\nFEATURES = [\"a\", \"b\", \"c\"]\n\n\ndef frame(df):\n    \
                 return df[FEATURES].reindex(columns=FEATURES)\n\n\n\
                 print(FEATURES, len(FEATURES), FEATURES.index(\"a\"), FEATURES.count(\"b\"))\n\
                 for name in FEATURES:\n    print(name.upper())\n\
                 COPY = FEATURES.copy()\nCOPY.sort()\n";
    let repo = TestRepo::new();
    repo.write("training/features.py", reads)
        .write("inference/features.txt", text_list(&ABC))
        .write(
            ".docgate.yml",
            config(
                "{file: training/features.py, symbol: FEATURES}",
                "{file: inference/features.txt}",
                "",
            ),
        );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(list(&json, "m")["status"], "identical", "{run:?}");
    // Functions known to change their first argument in place are changes.
    assert_changed(
        &format!("{reads}\nimport random\nrandom.shuffle(FEATURES)\n"),
        &ABC,
        17,
        &[
            "changed in place at training/features.py:17 (`random.shuffle(FEATURES)` at module level)",
        ],
    );
}

#[test]
fn writes_to_the_module_namespace_and_exec_are_refused() {
    assert_changed(
        "import sys\n\nFEATURES = [\"a\", \"b\", \"c\"]\nsetattr(sys.modules[__name__], \"FEATURES\", [\"a\", \"b\"])\n",
        &ABC,
        4,
        &[
            "`FEATURES` may be rebound or changed at training/features.py:4 (`setattr(sys.modules[__name__], \"FEATURES\", [\"a\", \"b\"])` at module level: `sys.modules` reaches the module's names by string)",
        ],
    );
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\nexec(\"FEATURES.pop()\")\n",
        &ABC,
        2,
        &[
            "`FEATURES` may be rebound or changed at training/features.py:2 (`exec(\"FEATURES.pop()\")` at module level: `exec` runs code docgate does not read)",
        ],
    );
}

#[test]
fn a_method_docgate_does_not_know_is_a_possible_change() {
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\ngetattr(FEATURES, \"pop\")()\n",
        &ABC,
        2,
        &[
            "changed in place at training/features.py:2 (`getattr(FEATURES, \"pop\")` at module level)",
        ],
    );
    assert_changed(
        "FEATURES = [\"a\", \"b\", \"c\"]\n\n\ndef _f():\n    return FEATURES.trim()\n",
        &ABC,
        5,
        &[
            "`FEATURES` may be changed at training/features.py:5 (`FEATURES.trim()` inside function `_f`; \
           `.trim` is not a list method docgate knows to leave the list unchanged)",
        ],
    );
}

#[test]
fn a_copy_is_not_changed_later_but_is_changed_before() {
    // A copy taken before the source changes keeps the names it copied.
    let repo = TestRepo::new();
    repo.write(
        "training/features.py",
        "BASE = [\"a\", \"b\", \"c\"]\nFEATURES = list(BASE)\nBASE.remove(\"c\")\nOTHER = BASE[:]\nTHIRD = [*BASE] + []\n",
    )
    .write("inference/features.txt", text_list(&ABC))
    .write(
        ".docgate.yml",
        config(
            "{file: training/features.py, symbol: FEATURES}",
            "{file: inference/features.txt}",
            "",
        ),
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(list(&json, "m")["status"], "identical", "{run:?}");
    // A function that may run before the copy changes what is copied.
    assert_changed(
        "BASE = [\"a\", \"b\", \"c\"]\n\n\ndef _trim():\n    BASE.pop()\n\n\n_trim()\nFEATURES = list(BASE)\n",
        &ABC,
        5,
        &[
            "`BASE` is changed in place at training/features.py:5 (`BASE.pop()` inside function `_trim`)",
        ],
    );
}

#[test]
fn a_list_changed_in_the_module_it_is_imported_from_is_refused() {
    let repo = TestRepo::new();
    repo.write("shared/__init__.py", "")
        .write(
            "shared/columns.py",
            "BASE = [\"a\", \"b\", \"c\"]\n\n\ndef _trim():\n    BASE.pop()\n",
        )
        .write(
            "training/features.py",
            "from shared.columns import BASE\n\nFEATURES = BASE\n",
        )
        .write("inference/features.txt", text_list(&ABC))
        .write(
            ".docgate.yml",
            config(
                "{file: training/features.py, symbol: FEATURES}",
                "{file: inference/features.txt}",
                "",
            ),
        );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(
        only(&run, &json),
        "feature-source-error",
        "shared/columns.py",
        5,
        &[
            "`BASE` is changed in place at shared/columns.py:5 (`BASE.pop()` inside function `_trim`)",
        ],
        &run,
    );
    assert_eq!(list(&json, "m")["status"], "error", "{run:?}");
}

// ------------------------------------------- 3c. imports and string escapes

#[test]
fn an_import_that_matches_files_under_two_roots_is_ambiguous() {
    // `serving/shared/columns.py` and `shared/columns.py` are both
    // `shared.columns`, depending on which folder is on sys.path: docgate
    // does not guess.
    let files = [
        ("shared/columns.py", "BASE = [\"a\", \"b\"]\n"),
        ("serving/shared/columns.py", "BASE = [\"x\", \"y\"]\n"),
        (
            "serving/features.py",
            "\nfrom shared.columns import BASE\nX = BASE + [\"c\"]\n",
        ),
    ];
    assert_refused(
        &files,
        "{file: serving/features.py, symbol: X}",
        "serving/features.py",
        2,
        "module `shared.columns` is more than one file of the repository: \
         serving/shared/columns.py, shared/columns.py",
    );
    // In one folder a package beats a module of the same name, as in
    // Python's import system: `pkg/mod/__init__.py`, not `pkg/mod.py`.
    assert_resolves(
        &[
            ("pkg/__init__.py", ""),
            ("pkg/mod.py", "NAME = [\"module\"]\n"),
            ("pkg/mod/__init__.py", "NAME = [\"package\"]\n"),
            (
                "serving/features.py",
                "from pkg.mod import NAME\nX = NAME\n",
            ),
        ],
        "{file: serving/features.py, symbol: X}",
        &["package"],
    );
}

#[test]
fn truncated_escapes_are_errors_at_their_line() {
    let cases = [
        (
            "X = [\n    \"a\",\n    \"b\\x4\",\n]\n",
            3,
            "truncated \\xXX escape",
        ),
        ("X = [\"a\\x+1\"]\n", 1, "truncated \\xXX escape"),
        ("X = [\n    \"\\u00e\",\n]\n", 2, "truncated \\uXXXX escape"),
        ("X = [\"\\U0001F60\"]\n", 1, "truncated \\UXXXXXXXX escape"),
        (
            "X = [\n    \"\"\"a\nb\\N{EM DASH\"\"\",\n]\n",
            3,
            "malformed \\N character escape",
        ),
    ];
    for (py, line, part) in cases {
        assert_refused(
            &[("training/features.py", py)],
            X_SOURCE,
            "training/features.py",
            line,
            part,
        );
    }
}

// ------------------------------------------------------------ 4. order

#[test]
fn order_set_ignores_order_but_not_missing_names() {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(PY_TRAINING, PY_INFERENCE, "order: set"),
    )
    .write(
        "training/features.py",
        py_list("", "TRAINING_FEATURES", &["a", "b", "c"]),
    )
    .write(
        "inference/features.py",
        py_list("", "INFERENCE_FEATURES", &["c", "a", "b"]),
    );
    let (run, json) = lint(&repo);
    assert_identical(&run, &json, false, 3);

    repo.write(
        "inference/features.py",
        py_list("# serving\n", "INFERENCE_FEATURES", &["c", "a"]),
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let f = only(&run, &json);
    assert_finding(
        f,
        "feature-mismatch",
        "inference/features.py",
        2,
        &[
            "feature lists of `m` differ (set order)",
            "only in training:  `b`",
            "only in inference: (none)",
        ],
        &run,
    );
    assert!(!message(f).contains("first difference"), "{run:?}");
}

#[test]
fn order_strict_reports_the_first_differing_index() {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", config(PY_TRAINING, PY_INFERENCE, ""))
        .write(
            "training/features.py",
            py_list("", "TRAINING_FEATURES", &["a", "b", "c", "d"]),
        )
        .write(
            "inference/features.py",
            py_list("", "INFERENCE_FEATURES", &["a", "b", "d", "c"]),
        );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(
        only(&run, &json),
        "feature-mismatch",
        "inference/features.py",
        1,
        &[
            "differ (strict order)",
            "only in training:  (none)",
            "only in inference: (none)",
            "first difference at index 2: training has `c`, inference has `d`",
            "diff (- training only, + inference only):",
        ],
        &run,
    );

    // Same prefix, one list longer: the difference is at the shorter end.
    repo.write(
        "inference/features.py",
        py_list("", "INFERENCE_FEATURES", &["a", "b", "c", "d", "e"]),
    );
    let (run, json) = lint(&repo);
    assert_finding(
        only(&run, &json),
        "feature-mismatch",
        "inference/features.py",
        1,
        &[
            "only in inference: `e`",
            "first difference at index 4: training has (end of list), inference has `e`",
        ],
        &run,
    );
    // Strict is the default; `order: strict` says the same.
    repo.write(
        ".docgate.yml",
        config(PY_TRAINING, PY_INFERENCE, "order: strict"),
    );
    let (run, _) = lint(&repo);
    assert_eq!(run.rules(), vec!["feature-mismatch"], "{run:?}");
}

// ------------------------------------------- 5. shared source of truth

fn shared_repo(inference: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", config(PY_TRAINING, PY_INFERENCE, ""))
        .write("training/__init__.py", "")
        .write(
            "training/features.py",
            py_list("MODEL_VERSION = \"1\"\n", "TRAINING_FEATURES", &NAMES),
        )
        .write("inference/features.py", inference);
    repo
}

fn assert_shared(repo: &TestRepo) {
    let (run, json) = lint(repo);
    assert_identical(&run, &json, true, 3);
    let text = repo.docgate(&["lint", "--color", "never"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout
            .contains("feature lists: m (identical, one source of truth)"),
        "{text:?}"
    );
}

#[test]
fn inference_importing_the_training_list_is_one_source_of_truth() {
    assert_shared(&shared_repo(
        "from training.features import TRAINING_FEATURES as INFERENCE_FEATURES\n",
    ));
    assert_shared(&shared_repo(
        "\"\"\"Serving.\"\"\"\nfrom training.features import TRAINING_FEATURES\n\nINFERENCE_FEATURES = TRAINING_FEATURES\n",
    ));
    // A copy is the same definition.
    assert_shared(&shared_repo(
        "from training.features import TRAINING_FEATURES\nINFERENCE_FEATURES = list(TRAINING_FEATURES)\n",
    ));
}

#[test]
fn two_identical_definitions_are_not_one_source_of_truth() {
    let repo = shared_repo(&py_list("", "INFERENCE_FEATURES", &NAMES));
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_status(&json, "m", "identical", false, 3);
    let text = repo.docgate(&["lint", "--color", "never"]);
    assert!(
        text.stdout
            .contains("feature lists: m (identical, two definitions)"),
        "{text:?}"
    );
    assert!(!text.stdout.contains("one source of truth"), "{text:?}");
    // Extending the imported list is a second definition, and a mismatch.
    let repo = shared_repo(
        "from training.features import TRAINING_FEATURES\n\nINFERENCE_FEATURES = TRAINING_FEATURES + [\"extra\"]\n",
    );
    let (run, json) = lint(&repo);
    assert_finding(
        only(&run, &json),
        "feature-mismatch",
        "inference/features.py",
        3,
        &["only in inference: `extra`"],
        &run,
    );
    assert_status(&json, "m", "mismatch", false, 3);
}

// ---------------------------------------------------------- 6. duplicates

#[test]
fn duplicate_names_are_reported_at_the_second_occurrence() {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", config(PY_TRAINING, PY_INFERENCE, ""))
        .write(
            "training/features.py",
            py_list("", "TRAINING_FEATURES", &["a", "b", "c"]),
        )
        .write(
            "inference/features.py",
            py_list("", "INFERENCE_FEATURES", &["a", "b", "c", "b"]),
        );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let dups = one_at(&run, &json, "feature-duplicate", "inference/features.py");
    assert_finding(
        dups,
        "feature-duplicate",
        "inference/features.py",
        5,
        &[
            "the inference list of `m` names `b` twice: inference/features.py:3 and inference/features.py:5",
        ],
        &run,
    );
    assert_eq!(dups["severity"], "error");
    assert_eq!(
        at(&json, "feature-mismatch", "inference/features.py").len(),
        1,
        "{run:?}"
    );
    assert_eq!(findings(&json).len(), 2, "{run:?}");
}

#[test]
fn duplicates_in_data_sources_and_on_both_sides() {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(
            "{file: training/features.yaml, pointer: /features}",
            "{file: inference/features.txt}",
            "",
        ),
    )
    .write(
        "training/features.yaml",
        "features:\n  - age\n  - price\n  - age\n",
    )
    .write("inference/features.txt", "# serving\nage\nprice\n\nage\n");
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.rules()
            .iter()
            .filter(|r| *r == "feature-duplicate")
            .count(),
        2,
        "{run:?}"
    );
    assert!(
        !run.rules().contains(&"feature-mismatch".to_string()),
        "{run:?}"
    );
    assert_finding(
        at(&json, "feature-duplicate", "training/features.yaml")[0],
        "feature-duplicate",
        "training/features.yaml",
        4,
        &[
            "the training list of `m` names `age` twice: training/features.yaml:2 and training/features.yaml:4",
        ],
        &run,
    );
    assert_finding(
        at(&json, "feature-duplicate", "inference/features.txt")[0],
        "feature-duplicate",
        "inference/features.txt",
        5,
        &[
            "the inference list of `m` names `age` twice: inference/features.txt:2 and inference/features.txt:5",
        ],
        &run,
    );
}

#[test]
fn a_duplicate_in_a_shared_list_is_reported_once() {
    let repo =
        shared_repo("from training.features import TRAINING_FEATURES as INFERENCE_FEATURES\n");
    repo.write(
        "training/features.py",
        py_list(
            "MODEL_VERSION = \"1\"\n",
            "TRAINING_FEATURES",
            &["a", "b", "a"],
        ),
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(
        only(&run, &json),
        "feature-duplicate",
        "training/features.py",
        5,
        &["names `a` twice: training/features.py:3 and training/features.py:5"],
        &run,
    );
}

// ----------------------------------------------------- 7. additivity

const BASE: [&str; 3] = ["a", "b", "c"];

fn training_py(version: &str, names: &[&str]) -> String {
    // The list statement is at line 3.
    py_list(
        &format!("MODEL_VERSION = \"{version}\"\n\n"),
        "TRAINING_FEATURES",
        names,
    )
}

fn inference_py(names: &[&str]) -> String {
    // The list statement is at line 1.
    py_list("", "INFERENCE_FEATURES", names)
}

/// `main` with both lists at `BASE` and MODEL_VERSION 1, then branch
/// `feature` checked out.
fn additive_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            PY_INFERENCE,
            "order: strict\nadditive: true\nversion: {file: training/features.py, symbol: MODEL_VERSION}",
        ),
    )
    .write("training/features.py", training_py("1", &BASE))
    .write("inference/features.py", inference_py(&BASE))
    .write("README.md", "# project\n");
    repo.commit_base("lists at the base");
    repo
}

/// Change both lists to `names` (MODEL_VERSION `version`), commit, check.
fn change_both(repo: &TestRepo, names: &[&str], version: &str) -> (Run, Value) {
    repo.write("training/features.py", training_py(version, names))
        .write("inference/features.py", inference_py(names));
    repo.commit("change the lists");
    repo.check_json(&["--base", "main"])
}

/// The two `feature-not-additive` findings of a change to both lists, each
/// containing `what`, with the expected severity.
/// `severity` "note": allowed by a model-version change, the rule of its own
/// `feature-version-bump`.
fn assert_not_additive(run: &Run, json: &Value, what: &str, severity: &str) {
    let rule = match severity {
        "note" => "feature-version-bump",
        _ => "feature-not-additive",
    };
    assert_eq!(run.rules(), vec![rule, rule], "{run:?}");
    let t = at(json, rule, "training/features.py");
    let i = at(json, rule, "inference/features.py");
    assert_eq!((t.len(), i.len()), (1, 1), "{run:?}");
    assert_finding(
        t[0],
        rule,
        "training/features.py",
        3,
        &[
            "the training list of `m` is not additive against the base: ",
            what,
            "(training/features.py:3 TRAINING_FEATURES)",
        ],
        run,
    );
    assert_finding(
        i[0],
        rule,
        "inference/features.py",
        1,
        &[
            "the inference list of `m` is not additive against the base: ",
            what,
            "(inference/features.py:1 INFERENCE_FEATURES)",
        ],
        run,
    );
    assert_eq!(t[0]["severity"], severity, "{run:?}");
    assert_eq!(i[0]["severity"], severity, "{run:?}");
}

#[test]
fn appending_is_additive() {
    let repo = additive_repo();
    let (run, json) = change_both(&repo, &["a", "b", "c", "d", "e"], "1");
    assert_identical(&run, &json, false, 5);
}

#[test]
fn removing_a_name_is_not_additive() {
    let repo = additive_repo();
    let (run, json) = change_both(&repo, &["a", "c"], "1");
    assert_eq!(run.code, 1, "{run:?}");
    assert_not_additive(&run, &json, "removed `b`", "error");
    let t = at(&json, "feature-not-additive", "training/features.py")[0];
    assert!(
        message(t).contains(
            "the model version (training/features.py MODEL_VERSION) is still 1: bump it to break compatibility"
        ),
        "{run:?}"
    );
    // The lists still agree with each other.
    assert_status(&json, "m", "identical", false, 2);
    assert_eq!(json["summary"]["errors"], 2);
}

#[test]
fn reordering_is_not_additive() {
    let repo = additive_repo();
    let (run, json) = change_both(&repo, &["a", "c", "b"], "1");
    assert_eq!(run.code, 1, "{run:?}");
    assert_not_additive(
        &run,
        &json,
        "reordered: `b` was at index 1, is now at 2",
        "error",
    );
    assert!(
        !message(at(&json, "feature-not-additive", "training/features.py")[0]).contains("removed"),
        "{run:?}"
    );
}

#[test]
fn renaming_is_not_additive() {
    let repo = additive_repo();
    let (run, json) = change_both(&repo, &["a", "b_v2", "c"], "1");
    assert_eq!(run.code, 1, "{run:?}");
    assert_not_additive(&run, &json, "removed `b`", "error");
}

#[test]
fn inserting_in_the_middle_is_not_additive() {
    let repo = additive_repo();
    let (run, json) = change_both(&repo, &["a", "x", "b", "c"], "1");
    assert_eq!(run.code, 1, "{run:?}");
    assert_not_additive(
        &run,
        &json,
        "inserted `x` at index 1 instead of appending",
        "error",
    );
}

#[test]
fn a_model_version_change_turns_it_into_a_note() {
    for (names, what) in [
        (&["a", "c"][..], "removed `b`"),
        (&["a", "c", "b"][..], "reordered: `b` was at index 1"),
        (&["a", "b_v2", "c"][..], "removed `b`"),
        (&["x", "a", "b", "c"][..], "inserted `x` at index 0"),
    ] {
        let repo = additive_repo();
        let (run, json) = change_both(&repo, names, "2026.12");
        assert_eq!(run.code, 0, "{names:?}: {run:?}");
        assert_not_additive(&run, &json, what, "note");
        for f in findings(&json) {
            assert!(
                message(f).contains("; allowed: the model version moved from 1 to 2026.12"),
                "{run:?}"
            );
        }
        assert_eq!(json["summary"]["errors"], 0, "{run:?}");
        assert_eq!(json["summary"]["notes"], 2, "{run:?}");
        assert_status(&json, "m", "identical", false, names.len() as u64);
    }
}

#[test]
fn a_version_bump_does_not_excuse_a_mismatch() {
    let repo = additive_repo();
    repo.write("training/features.py", training_py("2", &["a", "c"]))
        .write("inference/features.py", inference_py(&["a", "b"]));
    repo.commit("drop b in training only");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        at(&json, "feature-mismatch", "inference/features.py").len(),
        1,
        "{run:?}"
    );
    let notes: Vec<&Value> = findings(&json)
        .iter()
        .filter(|f| f["rule"] == "feature-not-additive")
        .collect();
    assert!(notes.iter().all(|f| f["severity"] == "note"), "{run:?}");
    assert_eq!(json["summary"]["errors"], 1, "{run:?}");
}

#[test]
fn a_pair_the_change_did_not_touch_is_not_involved() {
    let repo = TestRepo::new();
    let mut cfg = config(PY_TRAINING, PY_INFERENCE, "");
    cfg.push_str(
        "  - id: legacy\n    training:  {file: legacy/train.txt}\n    inference: {file: legacy/serve.txt}\n",
    );
    repo.write(".docgate.yml", &cfg)
        .write("training/features.py", training_py("1", &BASE))
        .write("inference/features.py", inference_py(&BASE))
        // Mismatched from the start, and not removable by this change.
        .write("legacy/train.txt", "a\nb\n")
        .write("legacy/serve.txt", "a\n")
        .write("README.md", "# project\n");
    repo.commit_base("base");
    repo.write(
        "training/features.py",
        training_py("1", &["a", "b", "c", "d"]),
    )
    .write("inference/features.py", inference_py(&["a", "b", "c", "d"]));
    repo.commit("append d");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_identical(&run, &json, false, 4);
    assert_status(&json, "legacy", "not involved", false, 0);
    let text = repo.docgate(&["check", "--base", "main", "--color", "never"]);
    assert!(
        text.stdout
            .contains("feature lists: m (identical, two definitions), legacy (not involved)"),
        "{text:?}"
    );

    // A change touching nothing of either pair involves neither.
    repo.write("README.md", "# project, renamed\n");
    repo.commit("docs");
    let (run, json) = repo.check_json(&["--base", "HEAD~1"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_status(&json, "m", "not involved", false, 0);
    assert_status(&json, "legacy", "not involved", false, 0);

    // lint looks at every pair.
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(
        only(&run, &json),
        "feature-mismatch",
        "legacy/serve.txt",
        1,
        &["only in training:  `b`"],
        &run,
    );

    // Changing .docgate.yml involves every pair.
    repo.write(".docgate.yml", format!("{cfg}# touched\n"));
    repo.commit("touch config");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["feature-mismatch"], "{run:?}");
    assert_status(&json, "legacy", "mismatch", false, 2);
}

#[test]
fn a_change_to_an_imported_module_involves_the_pair() {
    // Both sides share one definition built from an imported module; the
    // change touches only that module. The shared list is checked once.
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            PY_INFERENCE,
            "version: {file: training/features.py, symbol: MODEL_VERSION}",
        ),
    )
    .write("common/base.py", "BASE = [\"a\", \"b\"]\n")
    .write(
        "training/features.py",
        "from common.base import BASE\n\nMODEL_VERSION = 1\nTRAINING_FEATURES = BASE + [\"c\"]\n",
    )
    .write(
        "inference/features.py",
        "from training.features import TRAINING_FEATURES as INFERENCE_FEATURES\n",
    );
    repo.commit_base("base");
    repo.write("common/base.py", "BASE = [\"b\"]\n");
    repo.commit("drop a from the shared base");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(
        only(&run, &json),
        "feature-not-additive",
        "training/features.py",
        4,
        &[
            "the training list of `m` is not additive against the base: removed `a`",
            "is still 1: bump it",
        ],
        &run,
    );
    assert_status(&json, "m", "identical", true, 2);
}

#[test]
fn a_list_new_in_the_change_has_nothing_to_stay_compatible_with() {
    let repo = TestRepo::new();
    repo.write("README.md", "# project\n");
    repo.commit_base("base without feature lists");
    repo.write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            PY_INFERENCE,
            "version: {file: training/features.py, symbol: MODEL_VERSION}",
        ),
    )
    .write("training/features.py", training_py("1", &BASE))
    .write("inference/features.py", inference_py(&BASE));
    repo.commit("add the lists");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_identical(&run, &json, false, 3);
}

/// A list whose file moves in the change (the config follows it) is not a new
/// list: it is compared with the base list at its old path.
#[test]
fn a_moved_list_is_compared_with_the_base_list_at_its_old_path() {
    for (training, inference) in [
        // git pairs the rename (same content but for one name).
        (
            "{file: ml/training/features.py, symbol: TRAINING_FEATURES}",
            PY_INFERENCE,
        ),
        // Both files move and shrink: not paired by git; the base config says
        // where the list was.
        (
            "{file: ml/training/features.py, symbol: TRAINING_FEATURES}",
            "{file: ml/inference/features.py, symbol: INFERENCE_FEATURES}",
        ),
    ] {
        let repo = additive_repo();
        let names = ["a", "c"];
        std::fs::remove_file(repo.path().join("training/features.py")).unwrap();
        repo.write("ml/training/features.py", training_py("1", &names));
        let inference_file = inference.split(['{', ',', ' ']).nth(2).unwrap();
        if inference_file != "inference/features.py" {
            std::fs::remove_file(repo.path().join("inference/features.py")).unwrap();
        }
        repo.write(inference_file, inference_py(&names));
        repo.write(
            ".docgate.yml",
            config(
                training,
                inference,
                "order: strict\nadditive: true\nversion: {file: ml/training/features.py, symbol: MODEL_VERSION}",
            ),
        );
        repo.commit("move the lists and drop b");
        let (run, json) = repo.check_json(&["--base", "main"]);
        assert_eq!(run.code, 1, "{training}: {run:?}");
        let t = one_at(
            &run,
            &json,
            "feature-not-additive",
            "ml/training/features.py",
        );
        assert_finding(
            t,
            "feature-not-additive",
            "ml/training/features.py",
            3,
            &[
                "the training list of `m` is not additive against the base: removed `b`",
                "the model version (training/features.py MODEL_VERSION) is still 1",
            ],
            &run,
        );
        let i = one_at(&run, &json, "feature-not-additive", inference_file);
        assert_eq!(t["severity"], "error");
        assert_eq!(i["severity"], "error");
    }
}

/// The same move with a model-version bump: allowed, as in place.
#[test]
fn a_moved_list_with_a_version_bump_is_a_note() {
    let repo = additive_repo();
    std::fs::remove_file(repo.path().join("training/features.py")).unwrap();
    repo.write("ml/training/features.py", training_py("2", &["a", "c"]))
        .write("inference/features.py", inference_py(&["a", "c"]))
        .write(
            ".docgate.yml",
            config(
                "{file: ml/training/features.py, symbol: TRAINING_FEATURES}",
                PY_INFERENCE,
                "order: strict\nadditive: true\nversion: {file: ml/training/features.py, symbol: MODEL_VERSION}",
            ),
        );
    repo.commit("move, drop b, bump the model");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let t = one_at(
        &run,
        &json,
        "feature-version-bump",
        "ml/training/features.py",
    );
    assert_eq!(t["severity"], "note");
    assert!(
        message(t).contains("allowed: the model version moved from 1 to 2"),
        "{run:?}"
    );
}

/// A base list that was a single string cannot show that the list only grew:
/// a warning, never a silent skip.
#[test]
fn a_base_list_that_was_a_single_value_is_a_warning() {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", config(PY_TRAINING, PY_INFERENCE, ""))
        .write("training/features.py", "TRAINING_FEATURES = \"a\"\n")
        .write("inference/features.py", inference_py(&["a"]));
    repo.commit_base("base with a single string");
    repo.write(
        "training/features.py",
        py_list("", "TRAINING_FEATURES", &["a", "b"]),
    )
    .write("inference/features.py", inference_py(&["a", "b"]));
    repo.commit("a list");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let f = only(&run, &json);
    assert_finding(
        f,
        "feature-additivity-unknown",
        "training/features.py",
        1,
        &[
            "cannot check that the training list of `m` only grew: at the base, \
             training/features.py TRAINING_FEATURES (training/features.py:1) is a single value",
        ],
        &run,
    );
    assert_eq!(f["severity"], "warning", "{run:?}");
    let (run, _) = repo.check_json(&["--base", "main", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn a_base_list_that_cannot_be_extracted_is_a_warning() {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            PY_INFERENCE,
            "version: {file: training/features.py, symbol: MODEL_VERSION}",
        ),
    )
    .write(
        "training/features.py",
        "MODEL_VERSION = \"1\"\nRAW = [\"a\", \"b\"]\nTRAINING_FEATURES = [n for n in RAW]\n",
    )
    .write("inference/features.py", inference_py(&["a", "b"]));
    repo.commit_base("base with a dynamic list");
    repo.write("training/features.py", training_py("1", &["a", "b"]));
    repo.commit("make the training list a literal");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let f = only(&run, &json);
    assert_finding(
        f,
        "feature-additivity-unknown",
        "training/features.py",
        3,
        &[
            "cannot check that the training list of `m` only grew: at the base, ",
            "a comprehension",
        ],
        &run,
    );
    assert_eq!(f["severity"], "warning", "{run:?}");
    assert_status(&json, "m", "identical", false, 2);
    // --fail-on warning makes it block.
    let (run, _) = repo.check_json(&["--base", "main", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn a_model_version_that_cannot_be_read_at_head_is_a_source_error() {
    let repo = additive_repo();
    // The version is now computed: it cannot excuse the removal.
    repo.write(
        "training/features.py",
        py_list(
            "import os\nMODEL_VERSION = os.environ[\"MODEL_VERSION\"]\n\n",
            "TRAINING_FEATURES",
            &["a", "c"],
        ),
    )
    .write("inference/features.py", inference_py(&["a", "c"]));
    repo.commit("computed version");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    let errors: Vec<&Value> = at(&json, "feature-source-error", "training/features.py");
    assert_eq!(errors.len(), 1, "reported once: {run:?}");
    for e in &errors {
        assert_finding(
            e,
            "feature-source-error",
            "training/features.py",
            2,
            &["the model version cannot be read: ", "a subscript"],
            &run,
        );
    }
    let not_additive: Vec<&Value> = findings(&json)
        .iter()
        .filter(|f| f["rule"] == "feature-not-additive")
        .collect();
    assert_eq!(not_additive.len(), 2, "{run:?}");
    assert!(
        not_additive.iter().all(|f| f["severity"] == "error"),
        "{run:?}"
    );
}

#[test]
fn a_model_version_new_in_the_change_does_not_excuse_a_removal() {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            PY_INFERENCE,
            "version: {file: training/features.py, symbol: MODEL_VERSION}",
        ),
    )
    .write(
        "training/features.py",
        py_list("# no version yet\n\n", "TRAINING_FEATURES", &BASE),
    )
    .write("inference/features.py", inference_py(&BASE));
    repo.commit_base("base");
    let (run, json) = change_both(&repo, &["a", "b"], "2");
    assert_eq!(run.code, 1, "{run:?}");
    assert_not_additive(&run, &json, "removed `c`", "error");
    let t = at(&json, "feature-not-additive", "training/features.py")[0];
    assert!(
        message(t).contains(
                        "; the model version (training/features.py MODEL_VERSION) could not be read at the base (.docgate.yml:5: `MODEL_VERSION` is not bound at module level in training/features.py)"
        ),
        "{run:?}"
    );
}

#[test]
fn a_model_version_unreadable_at_the_base_is_not_said_to_be_missing() {
    // The version existed at the base but was computed there. The removal
    // is still not excused (the move cannot be proven), but the message
    // must not claim the version "did not exist at the base".
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(
            PY_TRAINING,
            PY_INFERENCE,
            "version: {file: training/features.py, symbol: MODEL_VERSION}",
        ),
    )
    .write(
        "training/features.py",
        py_list(
            "MODEL_VERSION = read_version()\n\n",
            "TRAINING_FEATURES",
            &BASE,
        ),
    )
    .write("inference/features.py", inference_py(&BASE));
    repo.commit_base("base");
    let (run, json) = change_both(&repo, &["a", "b"], "2");
    assert_eq!(run.code, 1, "{run:?}");
    assert_not_additive(&run, &json, "removed `c`", "error");
    for f in findings(&json) {
        assert!(
            !message(f).contains("did not exist at the base"),
            "the base version existed (as a call): {run:?}"
        );
    }
}

#[test]
fn additive_false_skips_additivity() {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        config(PY_TRAINING, PY_INFERENCE, "additive: false"),
    )
    .write("training/features.py", training_py("1", &BASE))
    .write("inference/features.py", inference_py(&BASE));
    repo.commit_base("base");
    let (run, json) = change_both(&repo, &["c", "a"], "1");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(findings(&json).is_empty(), "{run:?}");
}

// ------------------------------------------------- 8. mismatch snapshot

#[test]
fn mismatch_text_report() {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", config(PY_TRAINING, PY_INFERENCE, ""))
        .write(
            "training/features.py",
            py_list(
                "MODEL_VERSION = \"4\"\n\n",
                "TRAINING_FEATURES",
                &[
                    "user_age",
                    "user_country",
                    "item_price",
                    "item_category",
                    "ctr_7d",
                ],
            ),
        )
        .write(
            "inference/features.py",
            py_list(
                "",
                "INFERENCE_FEATURES",
                &[
                    "user_age",
                    "user_country",
                    "item_price",
                    "item_category",
                    "ctr_7d",
                ],
            ),
        );
    repo.commit_base("base");
    repo.write(
        "inference/features.py",
        py_list(
            "\"\"\"Features the server sends to the model.\"\"\"\n\n",
            "INFERENCE_FEATURES",
            &[
                "user_age",
                "item_price",
                "user_country",
                "ctr_7d",
                "ctr_30d",
            ],
        ),
    );
    repo.commit("serving: new ctr window");
    let run = repo.docgate(&["check", "--base", "main", "--color", "never"]);
    assert_eq!(run.code, 1, "{run:?}");
    insta_settings().bind(|| insta::assert_snapshot!("feature_mismatch_text", run.stdout));
}

// -------------------------------------------------------- 9. corpus

#[test]
fn corpus_tf_keras_dense_bucket_vocab_keys() {
    let repo = fixture_repo("tfx_preprocessing");
    let dense = ["trip_miles", "fare", "trip_seconds"];
    let bucket = [
        "pickup_latitude",
        "pickup_longitude",
        "dropoff_latitude",
        "dropoff_longitude",
    ];
    let vocab = ["payment_type", "company"];
    let all: Vec<&str> = dense.iter().chain(&bucket).chain(&vocab).copied().collect();
    assert_extracts(
        &repo,
        "{file: trainer/features.py, symbol: ALL_FEATURES}",
        &all,
    );
    assert_extracts(
        &repo,
        "{file: trainer/features.py, symbol: BUCKET_FEATURES}",
        &bucket,
    );
    // The comprehension next to it is refused, with its line.
    repo.write(
        ".docgate.yml",
        config(
            "{file: trainer/features.py, symbol: TRANSFORMED_FEATURES}",
            EXPECTED,
            "",
        ),
    );
    let (run, json) = lint(&repo);
    assert_finding(
        only(&run, &json),
        "feature-source-error",
        "trainer/features.py",
        51,
        &["a comprehension"],
        &run,
    );
}

#[test]
fn corpus_sklearn_column_transformer() {
    let repo = fixture_repo("sklearn_column_transformer");
    assert_extracts(
        &repo,
        "{file: churn/preprocessing.py, symbol: FEATURES}",
        &[
            "tenure_months",
            "monthly_charges",
            "total_charges",
            "num_support_tickets",
            "contract_type",
            "payment_method",
            "internet_service",
            "senior_citizen",
        ],
    );
    assert_extracts(
        &repo,
        "{file: churn/preprocessing.py, symbol: CATEGORICAL_FEATURES}",
        &[
            "contract_type",
            "payment_method",
            "internet_service",
            "senior_citizen",
        ],
    );
}

#[test]
fn corpus_yaml_model_options() {
    let repo = fixture_repo("yaml_model_options");
    assert_extracts(
        &repo,
        "{file: configs/model.yaml, pointer: /model_options/features}",
        &[
            "user_age_days",
            "user_country",
            "item_price_usd",
            "item_category",
            "ctr_7d",
        ],
    );
    assert_extracts(
        &repo,
        "{file: configs/model.yaml, pointer: /model_options/categorical_features}",
        &["user_country", "item_category"],
    );
}

#[test]
fn corpus_json_saved_next_to_the_model() {
    let repo = fixture_repo("json_next_to_model");
    let names = [
        "Pclass",
        "Sex",
        "Age",
        "SibSp",
        "Parch",
        "Fare",
        "Embarked_C",
        "Embarked_Q",
        "Embarked_S",
    ];
    assert_extracts(
        &repo,
        "{file: model/feature_names.json, pointer: \"\"}",
        &names,
    );
    assert_extracts(
        &repo,
        "{file: model/metadata.json, pointer: /features}",
        &names,
    );
    // The two files agree with each other.
    repo.write(
        ".docgate.yml",
        config(
            "{file: model/metadata.json, pointer: /features}",
            "{file: model/feature_names.json, pointer: \"\"}",
            "",
        ),
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_status(&json, "m", "identical", false, 9);
}

#[test]
fn corpus_feast_feature_references() {
    let repo = fixture_repo("feast_feature_refs");
    assert_extracts(
        &repo,
        "{file: feature_repo/features.py, symbol: FEATURE_REFS}",
        &[
            "driver_hourly_stats:conv_rate",
            "driver_hourly_stats:acc_rate",
            "driver_hourly_stats:avg_daily_trips",
            "transformed_conv_rate:conv_rate_plus_val1",
            "transformed_conv_rate:conv_rate_plus_val2",
        ],
    );
}

#[test]
fn corpus_src_layout_package_reexport() {
    let repo = fixture_repo("src_layout_reexport");
    let names = ["bm25", "doc_length", "query_length", "click_rate_28d"];
    assert_extracts(
        &repo,
        "{file: src/ranker/serving/predict.py, symbol: INPUT_COLUMNS}",
        &names,
    );
    // Serving copies the training tuple through a package re-export: one
    // source of truth.
    repo.write(
        ".docgate.yml",
        config(
            "{file: src/ranker/features/schema.py, symbol: FEATURE_COLUMNS}",
            "{file: src/ranker/serving/predict.py, symbol: INPUT_COLUMNS}",
            "",
        ),
    );
    let (run, json) = lint(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_status(&json, "m", "identical", true, 4);
}

#[test]
fn corpus_pyproject_toml_table() {
    let repo = fixture_repo("pyproject_toml");
    assert_extracts(
        &repo,
        "{file: pyproject.toml, pointer: /tool/fraud/model/features}",
        &[
            "amount_usd",
            "merchant_category",
            "card_present",
            "hour_of_day",
        ],
    );
}

/// With `--config` naming a file of the repository (the action's `config`
/// input), a moved list is compared with the base list of that file, and an
/// edit of that file involves the pair; outside the repository, whether a
/// list is new cannot be known: a warning, never a silent skip.
#[test]
fn a_moved_list_under_a_config_given_with_dash_dash_config() {
    let make = |config_path: &str| {
        let repo = TestRepo::new();
        repo.write(
            config_path,
            config(
                PY_TRAINING,
                "{file: inference/features.py, symbol: INFERENCE_FEATURES}",
                "order: strict\nadditive: true",
            ),
        )
        .write("training/features.py", training_py("1", &BASE))
        .write("inference/features.py", inference_py(&BASE));
        repo.commit_base("lists at the base");
        // Both files move and shrink: git pairs neither rename.
        for f in ["training/features.py", "inference/features.py"] {
            std::fs::remove_file(repo.path().join(f)).unwrap();
        }
        repo.write("ml/t.py", "TRAINING_FEATURES = ['a']\n")
            .write("ml/i.py", "INFERENCE_FEATURES = ['a']\n")
            .write(
                config_path,
                config(
                    "{file: ml/t.py, symbol: TRAINING_FEATURES}",
                    "{file: ml/i.py, symbol: INFERENCE_FEATURES}",
                    "order: strict\nadditive: true",
                ),
            );
        repo.commit("move the lists and drop b and c");
        repo
    };
    let repo = make("ci/docgate.yml");
    let (run, json) = repo.check_json(&["--base", "main", "--config", "ci/docgate.yml"]);
    assert_eq!(run.code, 1, "{run:?}");
    let t = one_at(&run, &json, "feature-not-additive", "ml/t.py");
    assert!(message(t).contains("removed `b`, `c`"), "{run:?}");

    // The same config outside the repository: no base version to ask.
    let outside = tempfile::tempdir().unwrap();
    let cfg = outside.path().join("docgate.yml");
    std::fs::copy(repo.path().join("ci/docgate.yml"), &cfg).unwrap();
    let (run, json) = repo.check_json(&["--base", "main", "--config", cfg.to_str().unwrap()]);
    assert_eq!(run.code, 0, "warnings only: {run:?}");
    let w = one_at(&run, &json, "feature-additivity-unknown", "ml/t.py");
    assert_eq!(w["severity"], "warning");
    assert!(
        message(w).contains("is outside the repository, so it has no base version"),
        "{run:?}"
    );
}

/// Re-pointing a pair in the `--config` file involves the pair in check.
#[test]
fn editing_the_dash_dash_config_file_involves_the_pair() {
    let repo = TestRepo::new();
    repo.write("ci/docgate.yml", config(PY_TRAINING, PY_INFERENCE, ""))
        .write("training/features.py", training_py("1", &BASE))
        .write("inference/features.py", inference_py(&BASE))
        .write("old/features.py", py_list("", "OLD", &["x"]));
    repo.commit_base("base");
    repo.write(
        "ci/docgate.yml",
        config("{file: old/features.py, symbol: OLD}", PY_INFERENCE, ""),
    );
    repo.commit("point training at an old file");
    let (run, json) = repo.check_json(&["--base", "main", "--config", "ci/docgate.yml"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(list(&json, "m")["status"], "mismatch", "{run:?}");
}
