//! `docgate init`: scaffolds every layer, lints clean right after, never
//! overwrites, `--dry-run` writes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;

const WRITTEN: [&str; 7] = [
    ".docgate.yml",
    "CLAUDE.md",
    ".ai-knowledge-base.yaml",
    "docs/INDEX.md",
    "docs/runbooks/example.md",
    "docs/post-mortems/TEMPLATE.md",
    "docs/MISHAP_COST_LOG.md",
];

/// Every file under `dir` (not `.git`) with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_name() == ".git" {
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else if meta.file_type().is_symlink() {
                out.insert(rel, b"<link>".to_vec());
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn init_in_an_empty_repository_then_lint_passes_with_every_layer_active() {
    let repo = TestRepo::new();
    let run = repo.docgate(&["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    for path in WRITTEN {
        assert!(
            run.stdout.contains(&format!("created          {path}\n")),
            "{path}: {run:?}"
        );
        assert!(repo.path().join(path).is_file(), "{path} not written");
    }
    assert!(run.stdout.contains("7 written, 0 skipped"), "{run:?}");
    // The runbook is dated today (the lint's future-date check passes too).
    let runbook = repo.read("docs/runbooks/example.md");
    assert!(!runbook.contains("@TODAY@"), "{runbook}");

    let lint = repo.docgate(&["lint", "--format", "json", "--fail-on", "warning"]);
    assert_eq!(lint.code, 0, "{lint:?}");
    let json = lint.json();
    assert_eq!(json["findings"], serde_json::json!([]), "{lint:?}");
    let layers: Vec<String> = json["checked"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    for layer in ["docs", "knowledge base", "policies", "cost log", "index"] {
        assert!(
            layers.iter().any(|l| l.starts_with(layer)),
            "layer {layer} not active: {layers:?}"
        );
    }
    // And after committing, as a gate on the first push.
    repo.commit("docgate init");
    let lint = repo.docgate(&["lint", "--fail-on", "warning"]);
    assert_eq!(lint.code, 0, "{lint:?}");
}

#[test]
fn init_never_overwrites_and_lists_what_it_skipped() {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", "version: 1\n# mine\n")
        .write("docs/INDEX.md", "# My index\n");
    repo.write("CLAUDE.md", "# House rules\n\nBe kind.");
    let before = tree(&repo.path());
    let run = repo.docgate(&["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("skipped          .docgate.yml: the file exists, left as it is"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("skipped          docs/INDEX.md: the file exists, left as it is"),
        "{run:?}"
    );
    assert!(run.stdout.contains("appended to      CLAUDE.md"), "{run:?}");
    assert!(run.stdout.contains("5 written, 2 skipped"), "{run:?}");
    let after = tree(&repo.path());
    assert_eq!(after[".docgate.yml"], before[".docgate.yml"]);
    assert_eq!(after["docs/INDEX.md"], before["docs/INDEX.md"]);
    // The policy file keeps its bytes and gains the section after a blank line.
    let claude = repo.read("CLAUDE.md");
    assert!(
        claude.starts_with("# House rules\n\nBe kind.\n\n## Key Policies\n\n1. "),
        "{claude}"
    );
    // A second run changes nothing at all.
    let again = repo.docgate(&["init"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again
            .stdout
            .contains("skipped          CLAUDE.md: the file has a Key Policies section already"),
        "{again:?}"
    );
    assert!(again.stdout.contains("nothing to do"), "{again:?}");
    assert_eq!(tree(&repo.path()), after);
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let repo = TestRepo::new();
    repo.write("AGENTS.md", "# Agents\n");
    let before = tree(&repo.path());
    let run = repo.docgate(&["init", "--dry-run"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(tree(&repo.path()), before);
    // AGENTS.md is the policy file when there is no CLAUDE.md (SPEC §1).
    assert!(run.stdout.contains("would append to  AGENTS.md"), "{run:?}");
    assert!(!run.stdout.contains("CLAUDE.md"), "{run:?}");
    assert!(
        run.stdout.contains("would create     .docgate.yml"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("docgate init --dry-run: nothing written; 7 to write, 0 skipped"),
        "{run:?}"
    );
    // The config init writes names the policy file it used.
    let run = repo.docgate(&["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        repo.read(".docgate.yml")
            .contains("\npolicies: AGENTS.md\n")
    );
    assert!(!repo.path().join("CLAUDE.md").exists());
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_or_folder_in_the_way_is_skipped_not_followed() {
    let repo = TestRepo::new();
    let outside = repo.dir.path().join("outside.yml");
    std::fs::write(&outside, "theirs\n").unwrap();
    std::os::unix::fs::symlink(&outside, repo.path().join(".docgate.yml")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.path().join("CLAUDE.md")).unwrap();
    std::fs::create_dir_all(repo.path().join("docs/INDEX.md")).unwrap();
    let run = repo.docgate(&["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("skipped          .docgate.yml: a symbolic link exists, left as it is"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains(
            "skipped          CLAUDE.md: a symbolic link exists; add a \"Key Policies\" section"
        ),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("skipped          docs/INDEX.md: a folder exists, left as it is"),
        "{run:?}"
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "theirs\n");
}

#[test]
fn init_refuses_report_formats_and_a_missing_repository() {
    let repo = TestRepo::new();
    let run = repo.docgate(&["init", "--format", "json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--format json is for reports"),
        "{run:?}"
    );
    assert_eq!(tree(&repo.path()), BTreeMap::new());

    let plain = tempfile::tempdir().unwrap();
    let run = Run::from(
        std::process::Command::new(docgate_bin())
            .arg("init")
            .current_dir(plain.path())
            .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(std::fs::read_dir(plain.path()).unwrap().next().is_none());
}
