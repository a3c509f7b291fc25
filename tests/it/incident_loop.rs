//! The incident loop (SPEC §7): per post-mortem, which steps exist (lint
//! shows them), and `incident-loop-gap` naming the missing ones.

use crate::support::*;

const PM: &str = "docs/post-mortems/2026-01-10-outage.md";

const KB: &str = "anti_patterns:\n  - id: silent-fallback\n    name: Silent fallback\n    severity: CRITICAL\n    \
                  description: Fail fast.\n    reference_files: [docs/post-mortems/2026-01-10-outage.md]\n";

const LOG: &str = "# Costs\n\n#### [2026-01-10 09:00] - Outage\n- **What happened**: x\n- **Root cause**: y\n\
                   - **Duration**: 1h\n- **Estimated cost**: $100\n- **Prevention**: z\n\
                   - **Post-mortem**: docs/post-mortems/2026-01-10-outage.md\n";

const POLICIES: &str = "# Agents\n\n## Key Policies\n\n1. No `silent-fallback` in serving.\n";

const CONFIG: &str = "version: 1\n# Gate from 2026-01-10-outage.md: serving code needs its runbook.\ncoverage:\n  require: [\"src/**\"]\n";

/// A repository whose one post-mortem has every step of its loop.
fn closed_loop() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x = 1\n")
        .write(
            "docs/ops/app.md",
            runbook(
                "ops-01",
                &["src/app.py"],
                "Why: docs/post-mortems/2026-01-10-outage.md.",
            ),
        )
        .write(PM, COMPLETE_POSTMORTEM)
        .write(".ai-knowledge-base.yaml", KB)
        .write("docs/MISHAP_COST_LOG.md", LOG)
        .write("CLAUDE.md", POLICIES)
        .write(".docgate.yml", CONFIG);
    repo.commit_base("a closed loop");
    repo
}

fn steps(json: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    json["incident_loop"][0]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no incident_loop: {json}"))
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["found"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn lint_shows_every_step_of_a_closed_loop() {
    let repo = closed_loop();
    let run = lint(&repo);
    assert_clean(&run);
    let json = run.json();
    assert_eq!(json["incident_loop"][0]["postmortem"], PM);
    assert_eq!(
        steps(&json),
        vec![
            ("knowledge base".to_string(), strings(&["silent-fallback"])),
            (
                "cost log".to_string(),
                strings(&["docs/MISHAP_COST_LOG.md:3"])
            ),
            ("policy".to_string(), strings(&["CLAUDE.md"])),
            ("runbook".to_string(), strings(&["ops-01"])),
            ("gate".to_string(), strings(&[".docgate.yml"])),
        ]
    );
    assert_eq!(json["incident_loop"][0]["missing"], serde_json::json!([]));
    // The text report shows the loop too.
    let text = repo.docgate(&["lint"]);
    assert!(
        text.stdout.contains(&format!(
            "  {PM}\n    + knowledge base (silent-fallback)  + cost log (docs/MISHAP_COST_LOG.md:3)  \
             + policy (CLAUDE.md)  + runbook (ops-01)  + gate (.docgate.yml)\n"
        )),
        "{text:?}"
    );
}

#[test]
fn each_missing_step_is_named() {
    let repo = closed_loop();
    // Without the knowledge-base entry the policy's mention of its id no
    // longer counts either; the config comment and the runbook go too.
    repo.write(".ai-knowledge-base.yaml", "anti_patterns: []\n")
        .write(
            ".docgate.yml",
            "version: 1\ncoverage:\n  require: [\"src/**\"]\n",
        )
        .write(
            "docs/ops/app.md",
            runbook("ops-01", &["src/app.py"], "How the app works."),
        );
    let run = lint(&repo);
    assert_eq!(run.code, 0, "a gap is a warning: {run:?}");
    assert_eq!(run.rules(), vec!["incident-loop-gap"], "{run:?}");
    let f = &run.findings()[0];
    assert_eq!(f["path"], PM);
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        message(f),
        "the incident loop of this post-mortem has 4 gaps: no knowledge-base entry mentions it; \
         the policy file names neither it nor its knowledge-base entry; no runbook mentions it; \
         no docgate config entry names it (the gate that stops a repeat). It has: cost log \
         (docs/MISHAP_COST_LOG.md:3)"
    );
    assert_eq!(
        run.json()["incident_loop"][0]["missing"],
        serde_json::json!(["knowledge base", "policy", "runbook", "gate"])
    );
    let strict = repo.docgate(&["lint", "--fail-on", "warning"]);
    assert_eq!(strict.code, 1, "{strict:?}");
}

#[test]
fn a_file_name_shared_by_two_post_mortems_is_no_mention() {
    let repo = closed_loop();
    let other = "docs/post-mortems/2025/2026-01-10-outage.md";
    repo.write(
        ".docgate.yml",
        "version: 1\npostmortems:\n  paths: [\"docs/post-mortems/**/*.md\"]\n# 2026-01-10-outage.md\n",
    )
    .write(
        other,
        COMPLETE_POSTMORTEM.replace("id: pm-2026-06-03", "id: pm-2025"),
    );
    let run = lint(&repo);
    let loops = run.json()["incident_loop"].clone();
    let gate_of = |pm: &str| {
        loops
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["postmortem"] == pm)
            .unwrap_or_else(|| panic!("{pm}: {loops}"))["steps"][4]["found"]
            .clone()
    };
    // The comment names the file name only: which of the two is unknown.
    assert_eq!(gate_of(PM), serde_json::json!([]));
    assert_eq!(gate_of(other), serde_json::json!([]));
    // The cost log names PM by path: only PM has that step.
    assert_eq!(loops[0]["postmortem"], other, "sorted by path: {loops}");
    assert_eq!(loops[0]["steps"][1]["found"], serde_json::json!([]));
    assert_eq!(
        loops[1]["steps"][1]["found"],
        serde_json::json!(["docs/MISHAP_COST_LOG.md:3"])
    );
}

#[test]
fn check_reports_new_post_mortems_and_gaps_the_change_opened() {
    let repo = closed_loop();
    // Code only: no loop is involved, none is shown.
    repo.write("src/app.py", "x = 2\n").write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-06-01",
            "Why: docs/post-mortems/2026-01-10-outage.md. Now x is 2.",
        ),
    );
    repo.commit("code and its runbook");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.rules(), Vec::<String>::new(), "{run:?}");
    assert_eq!(json["incident_loop"], serde_json::json!([]), "{run:?}");

    // A new post-mortem whose loop is open: reported.
    let new = "docs/post-mortems/2026-02-01-second.md";
    repo.write(
        new,
        COMPLETE_POSTMORTEM.replace("id: pm-2026-06-03", "id: pm-2026-02-01"),
    );
    repo.commit("a new post-mortem");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), vec!["incident-loop-gap"], "{run:?}");
    assert_eq!(run.findings()[0]["path"], new);
    assert_eq!(json["incident_loop"][0]["postmortem"], new);

    // Dropping the cost-log entry of the first post-mortem opens its loop:
    // reported, while the second post-mortem's old gaps are not this change's.
    repo.git(&["checkout", "-q", "-b", "drop-entry", "main"]);
    repo.write("src/app.py", "x = 1\n");
    repo.write("docs/MISHAP_COST_LOG.md", "# Costs\n");
    repo.commit("drop the entry");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), vec!["incident-loop-gap"], "{run:?}");
    assert_eq!(run.findings()[0]["path"], PM);
    assert!(
        message(&run.findings()[0]).contains("no cost-log entry points at it"),
        "{run:?}"
    );
}
