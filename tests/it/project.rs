//! The project keeps its promises: every rule documented, the demo catches
//! the incident.

use crate::support::*;

#[test]
fn every_rule_is_documented_in_the_readme() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for rule in docgate::diagnostic::ALL {
        let row = format!("| `{}` | {} |", rule.id, rule.severity.as_str());
        assert!(
            readme.contains(&row),
            "README rule table lacks the row for {} ({row})",
            rule.id
        );
    }
    for id in docgate::diagnostic::PLANNED.iter().map(|r| r.id) {
        assert!(
            readme.contains(&format!("`{id}`")),
            "README does not mention {id}"
        );
    }
}

#[test]
fn demo_builds_a_repository_and_catches_the_incident() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let mut cmd = std::process::Command::new(docgate_bin());
    isolate(&mut cmd, tmp.path());
    let out = cmd
        .args(["demo", "--color", "never", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .contains("error[doc-not-updated]: `backend/app/services/risk/risk_limits.py` changed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("risk-01 (docs/risk/risk-limits.md)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("error[uncovered-change]: `inference/features.py`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("error[feature-mismatch]: training and inference feature lists of `intraday-ranker` differ"),
        "{stdout}"
    );
    assert!(
        stdout.contains("error[feature-not-additive]: the inference list of `intraday-ranker`"),
        "{stdout}"
    );
    // The two code incidents: the ray import through the training script,
    // and the fallback that hid the crash.
    for line in [
        "error[forbidden-import]: `from training.train import clip_outliers` brings in `ray` through the repository's modules (inference/predictor.py:15 → training/train.py:9 → ray), which `no-ray-in-inference` forbids under inference/**/*.py",
        "  --> inference/predictor.py:15:1\n",
        "error[silent-fallback]: `except Exception as exc:` can finish without raising: it returns at line 47 instead of raising",
        "  --> inference/predictor.py:45:9\n",
    ] {
        assert!(stdout.contains(line), "{line}\n---\n{stdout}");
    }
    assert!(
        stdout.contains("docgate check failed: 7 errors"),
        "{stdout}"
    );
    assert!(stdout.contains(&dir.display().to_string()), "{stdout}");
    // The knowledge reaches the change, the loop shows its gap, the costs add up.
    for line in [
        "patterns to apply (knowledge base):\n  CRITICAL anti-pattern silent-fallback: Silent fallback in model serving (covers inference/predictor.py)\n",
        "  CRITICAL anti-pattern train-serve-skew: Train/serve feature skew (covers inference/features.py, inference/predictor.py)\n    [ ] docgate feature-mismatch is clean\n",
        "warning[incident-loop-gap]: the incident loop of this post-mortem has 3 gaps",
        "  docs/post-mortems/2026-02-06-ray-in-inference.md\n    + knowledge base (silent-fallback)  + cost log (docs/MISHAP_COST_LOG.md:23)  + policy (CLAUDE.md)  + runbook (ops-01)  + gate (.docgate.yml)\n",
        "  docs/post-mortems/2026-04-02-stale-heartbeat.md\n    - knowledge base  + cost log (docs/MISHAP_COST_LOG.md:14)  - policy  + runbook (ops-05)  - gate\n",
        "Total: ~$79,102–79,207+ over 3 entries",
    ] {
        assert!(stdout.contains(line), "{line}\n---\n{stdout}");
    }

    // The repository is real and the gate fails on it the same way.
    let mut cmd = std::process::Command::new(docgate_bin());
    isolate(&mut cmd, tmp.path());
    let out = cmd
        .current_dir(&dir)
        .args(["check", "--base", "main", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["range"]["base_ref"], "main");
    // And the sample system on `main` (before the incident) is clean.
    let status = std::process::Command::new("git")
        .current_dir(&dir)
        .args(["checkout", "-q", "main"])
        .status()
        .unwrap();
    assert!(status.success());
    let mut cmd = std::process::Command::new(docgate_bin());
    isolate(&mut cmd, tmp.path());
    let out = cmd.current_dir(&dir).args(["lint"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn demo_refuses_a_non_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    let mut cmd = std::process::Command::new(docgate_bin());
    isolate(&mut cmd, tmp.path());
    let out = cmd
        .args(["demo", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("keep.txt")).unwrap(),
        "mine"
    );
}

/// Every fuzz target is declared once in fuzz/Cargo.toml, which parses (a
/// bad merge once left three targets in one `[[bin]]`, and `cargo fuzz`
/// refused to run any of them).
#[test]
fn every_fuzz_target_is_declared_once() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("fuzz/Cargo.toml does not parse: {e}"));
    let mut declared: Vec<String> = manifest["bin"]
        .as_array()
        .expect("[[bin]] entries")
        .iter()
        .map(|b| {
            let name = b["name"].as_str().unwrap();
            assert_eq!(
                b["path"].as_str(),
                Some(format!("fuzz_targets/{name}.rs").as_str()),
                "{b:?}"
            );
            name.to_string()
        })
        .collect();
    declared.sort();
    let mut files: Vec<String> = std::fs::read_dir(root.join("fuzz_targets"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    assert_eq!(declared, files);
    for name in &files {
        assert!(
            root.join("seeds").join(name).is_dir(),
            "fuzz/seeds/{name}/ is missing"
        );
    }
}
