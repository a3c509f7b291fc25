//! `docgate check --format sarif` validates against the official SARIF 2.1.0
//! schema (shared/data/sarif/sarif-schema-2.1.0.json) with `check-jsonschema`.
//! Without the validator or the schema the test fails with how to get them:
//! it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;
use serde_json::Value;

const INSTALL: &str = "pip install check-jsonschema";

/// The schema in `shared/` beside the repository (where CI lays it), else in
/// the workplace's `/work/shared`.
fn schema() -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared/data/sarif/sarif-schema-2.1.0.json");
    let workplace = PathBuf::from("/work/shared/data/sarif/sarif-schema-2.1.0.json");
    [beside.clone(), workplace]
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "the SARIF 2.1.0 schema is missing at {}: it ships in shared/data/sarif/ beside the repository",
                beside.display()
            )
        })
}

/// `check-jsonschema --schemafile <SARIF schema> <files>`; panics with its
/// output when a file is invalid, or with the install command when the
/// validator is missing.
fn validate(files: &[PathBuf]) {
    let schema = schema();
    let out = match Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(&schema)
        .args(files)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "check-jsonschema is not installed (needed to validate SARIF against the official schema): run `{INSTALL}`"
        ),
        Err(e) => panic!("cannot run check-jsonschema ({e}); install it with `{INSTALL}`"),
    };
    // 127: a shim (pyenv, asdf) found no installed check-jsonschema.
    assert!(
        out.status.code() != Some(127),
        "check-jsonschema is not installed ({}): run `{INSTALL}`",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    assert!(
        out.status.success(),
        "SARIF does not validate against {}:\n{}{}",
        schema.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `main`: ops-01, ops-02 and ops-03 cover src/app.py, src/other.py and
/// src/more.py. `feature` changes all three files: ops-01 is updated but with
/// an invalid date (frontmatter-invalid, with line and column), ops-02 is not
/// updated but a commit trailer waives that (a suppressed doc-not-updated),
/// ops-03 is not updated (doc-not-updated, a location without a region).
fn findings_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write("src/more.py", "y = 1\n")
        .write(
            "docs/ops/other.md",
            runbook("ops-02", &["src/other.py"], "How the other part works."),
        )
        .write(
            "docs/ops/more.md",
            runbook("ops-03", &["src/more.py"], "More."),
        );
    repo.commit_base("initial");
    repo.write("src/app.py", "print('v2')\n").write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-13-45",
            "How the app works now.",
        ),
    );
    repo.commit("change app, break ops-01's date");
    repo.write("src/other.py", "x = 2\n");
    repo.commit(
        "hotfix other\n\nDocgate-Waive: doc-not-updated(ops-02): hotfix, docs follow in the next PR",
    );
    repo.write("src/more.py", "y = 2\n");
    repo.commit("change more");
    repo
}

fn sarif_of(repo: &TestRepo, args: &[&str], file: &Path) -> (Run, Value) {
    let run = repo.docgate(args);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    std::fs::write(file, &run.stdout).unwrap();
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("SARIF is not JSON ({e}): {run:?}"));
    (run, v)
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let repo = findings_repo();
    let out = repo.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();

    // A check with findings of several shapes.
    let check = out.join("check.sarif");
    let (run, sarif) = sarif_of(
        &repo,
        &["check", "--base", "main", "--format", "sarif"],
        &check,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rule descriptors");
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["doc-not-updated", "doc-not-updated", "frontmatter-invalid"],
        "{run:?}"
    );
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at its rule");
        assert!(
            rules[i]["help"]["text"]
                .as_str()
                .is_some_and(|h| !h.is_empty())
        );
        assert!(
            r["partialFingerprints"]["docgate/v1"]
                .as_str()
                .is_some_and(|f| f.len() == 16)
        );
    }
    let fm = results
        .iter()
        .find(|r| r["ruleId"] == "frontmatter-invalid")
        .unwrap();
    let region = &fm["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 7, "{fm}");
    assert_eq!(region["startColumn"], 15, "{fm}");
    let waived: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(waived.len(), 1, "{results:?}");
    assert_eq!(waived[0]["suppressions"][0]["kind"], "external");
    let unwaived = results
        .iter()
        .find(|r| r["ruleId"] == "doc-not-updated" && r.get("suppressions").is_none())
        .expect("the unwaived doc-not-updated");
    assert!(
        unwaived["locations"][0]["physicalLocation"]
            .get("region")
            .is_none(),
        "no line, no region: {unwaived}"
    );

    // A clean check and the whole-repository lint.
    let clean = out.join("clean.sarif");
    let (run, sarif) = sarif_of(
        &repo,
        &["check", "--base", "HEAD", "--format", "sarif"],
        &clean,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    let lint = out.join("lint.sarif");
    let (run, _) = sarif_of(&repo, &["lint", "--format", "sarif"], &lint);
    assert_eq!(run.code, 1, "{run:?}");

    validate(&[check, clean, lint]);
}
