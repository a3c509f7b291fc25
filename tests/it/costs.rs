//! The mishap cost log (SPEC §7): `mishap-entry-invalid`,
//! `mishap-unknown-pattern` in `lint` and `check`, the `mishap_log` setting,
//! and `docgate costs` in text, JSON and Markdown.

use crate::support::*;

const LOG: &str = "docs/MISHAP_COST_LOG.md";

/// One entry of the log.
fn entry(heading: &str, cost: &str, extra: &str) -> String {
    format!(
        "#### {heading}\n\
         - **What happened**: something broke\n\
         - **Root cause**: a reason\n\
         - **Duration**: 2h\n\
         - **Estimated cost**: {cost}\n\
         - **Prevention**: a gate\n{extra}\n"
    )
}

/// A log with an introduction, a cost reference table and an entry
/// template (none of which is an entry), then `entries`.
fn log(entries: &[String]) -> String {
    let mut s = String::from(
        "# Mishap Cost Log\n\nOne priced entry per incident.\n\n\
         | cost | what it buys |\n|---|---|\n| $50 | an hour of GPUs |\n\n\
         <!-- template:\n#### [YYYY-MM-DD] - Title\n- **Estimated cost**: ~$LOW-HIGH\n-->\n\n\
         ```markdown\n#### [YYYY-MM-DD HH:MM] - Title\n- **What happened**: ...\n```\n\n",
    );
    for e in entries {
        s.push_str(e);
    }
    s
}

const KB: &str = "patterns:\n  - id: verify-deployment\n    name: Verify deployments, never assume\n    \
                  severity: HIGH\n    description: Check what runs.\n\
                  anti_patterns:\n  - id: silent-fallback\n    name: Silent fallback\n    severity: CRITICAL\n    \
                  description: Fail fast.\n  - id: train-serve-skew\n    name: Skew\n    severity: HIGH\n    \
                  description: Same features.\n";

/// The SPEC's cost forms, one entry each, with patterns of the knowledge
/// base and a post-mortem.
fn spec_entries() -> Vec<String> {
    vec![
        entry(
            "[2026-02-06 09:31] - Ray import in inference",
            "$78,947",
            "- **Pattern**: `silent-fallback`\n- **Post-mortem**: [pm](post-mortems/ray.md)\n",
        ),
        entry(
            "[2026-02-10] - Reordered list",
            "~$5-10",
            "- Pattern: train-serve-skew\n",
        ),
        entry("[2026-03-01] - GPU job rerun", "$55-90 (compute)", ""),
        entry(
            "[2026-04-02 09:41 CET] - Stale heartbeat",
            "$150-250+",
            "- **Pattern**: verify-deployment\n",
        ),
        entry(
            "[2026-04-03] - Near miss",
            "$0",
            "- **Pattern**: verify-deployment\n",
        ),
        entry(
            "[2026-04-20] - Flaky deploy",
            "$20–40",
            "- **Pattern**: silent-fallback\n",
        ),
    ]
}

/// A repository with a runbook (so there is something to check), the
/// knowledge base, a post-mortem and the cost log.
fn costs_repo(log_text: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "docs/ops/app.md",
        runbook("ops-01", &[], "How the app works."),
    )
    .write(".ai-knowledge-base.yaml", KB)
    // The post-mortem's incident loop is not these tests' (incident_loop.rs).
    .write(".docgate.yml", "rules:\n  incident-loop-gap: off\n")
    .write("docs/post-mortems/ray.md", COMPLETE_POSTMORTEM)
    .write(LOG, log_text);
    repo.commit_base("initial");
    repo
}

fn costs_json(repo: &TestRepo) -> (Run, serde_json::Value) {
    let run = repo.docgate(&["costs", "--format", "json"]);
    let json = run.json();
    (run, json)
}

#[test]
fn the_spec_forms_add_up_per_pattern_per_month_and_overall() {
    let repo = costs_repo(&log(&spec_entries()));
    let (run, json) = costs_json(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["entries"], 6);
    assert_eq!(json["left_out"], serde_json::json!([]));
    assert_eq!(
        json["total"],
        serde_json::json!({"entries": 6, "low_cents": 7_917_700, "high_cents": 7_933_700,
                           "approximate": true, "open_ended": true})
    );
    let by_pattern: Vec<(serde_json::Value, u64, u64, u64)> = json["by_pattern"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["pattern"].clone(),
                p["entries"].as_u64().unwrap(),
                p["low_cents"].as_u64().unwrap(),
                p["high_cents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_pattern,
        vec![
            ("silent-fallback".into(), 2, 7_896_700, 7_898_700),
            ("verify-deployment".into(), 2, 15_000, 25_000),
            (serde_json::Value::Null, 1, 5_500, 9_000),
            ("train-serve-skew".into(), 1, 500, 1_000),
        ]
    );
    assert_eq!(json["by_pattern"][0]["name"], "Silent fallback");
    assert_eq!(json["by_pattern"][3]["name"], "Skew");
    let months: Vec<(&str, u64)> = json["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap(),
                m["high_cents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        vec![
            ("2026-02", 7_895_700),
            ("2026-04", 29_000),
            ("2026-03", 9_000)
        ]
    );
    // The same log lints clean: the reference table and the templates are no entries.
    let run = lint(&repo);
    assert_clean(&run);
    let layers = run.json()["checked"]["layers"].clone();
    assert!(
        layers.as_array().unwrap().contains(&serde_json::json!(
            "cost log (docs/MISHAP_COST_LOG.md, 6 entries)"
        )),
        "{layers}"
    );
}

#[test]
fn costs_text_json_and_markdown_snapshots() {
    let mut entries = spec_entries();
    entries.push(entry("[2026-05-01] - Lost afternoon", "5 hours lost", ""));
    let repo = costs_repo(&log(&entries));
    for (format, name) in [
        ("text", "costs_text"),
        ("json", "costs_json"),
        ("markdown", "costs_markdown"),
    ] {
        let run = repo.docgate(&["costs", "--format", format]);
        assert_eq!(run.code, 1, "one entry is left out: {run:?}");
        insta_settings().bind(|| insta::assert_snapshot!(name, run.stdout));
    }
}

#[test]
fn an_entry_that_does_not_parse_is_left_out_and_named() {
    let mut entries = spec_entries();
    entries.push(entry("[2026-05-01] - Lost afternoon", "5 hours lost", ""));
    let repo = costs_repo(&log(&entries));
    let (run, json) = costs_json(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    // The totals are those of the six entries that read, never with a $0 for the seventh.
    assert_eq!(json["entries"], 6);
    assert_eq!(json["total"]["high_cents"], 7_933_700);
    let left = &json["left_out"][0];
    assert_eq!(left["entry"], "[2026-05-01] - Lost afternoon");
    assert_eq!(left["problems"][0]["rule"], "mishap-entry-invalid");
    assert_eq!(
        left["problems"][0]["message"],
        "`Estimated cost` of `[2026-05-01] - Lost afternoon`: no dollar amount in `5 hours lost`: \
         write the estimate as $LOW-HIGH (e.g. `~$200-400`)"
    );
    let text = repo.docgate(&["costs"]);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout
            .contains("PARTIAL: 1 of 7 entries is left out of these totals"),
        "{text:?}"
    );

    // lint reports it at the line of the field, with the rule's help.
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let f = &run.findings()[0];
    assert_eq!(f["rule"], "mishap-entry-invalid");
    assert_eq!(f["path"], LOG);
    let line = f["line"].as_u64().unwrap() as usize;
    assert_eq!(
        repo.read(LOG).lines().nth(line - 1),
        Some("- **Estimated cost**: 5 hours lost")
    );
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("#### [YYYY-MM-DD] - Title")
    );
}

#[test]
fn entry_problems_each_name_what_is_wrong() {
    let bad = [
        "#### [2026-02-30] - Bad date\n- What happened: x\n".to_string(),
        "#### Incident without a time\n\n".to_string(),
        "### [2026-03-01] - Wrong level\n\n".to_string(),
        entry("[2026-03-02] - Backwards", "$90-55", ""),
        entry(
            "[2026-03-03] - Typo",
            "$5",
            "- **Pattren**: verify-deployment\n",
        ),
        entry(
            "[2026-03-04] - Gone post-mortem",
            "$5",
            "- **Post-mortem**: docs/post-mortems/nope.md\n",
        ),
        entry("[2026-03-05] - Huge", "$99999999999999999999", ""),
    ];
    let repo = costs_repo(&log(&bad));
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let got: Vec<(String, String)> = run
        .findings()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                message(f).to_string(),
            )
        })
        .collect();
    let want = [
        "cost-log entry heading `[2026-02-30] - Bad date`: `2026-02-30` is not a calendar date",
        "cost-log entry heading `Incident without a time`: no `[time]` at the start",
        "`[2026-03-01] - Wrong level` is written as an entry but is a level-3 heading",
        "the range in `$90-55` runs backwards (90 is more than 55)",
        "unknown field `Pattren` in `[2026-03-03] - Typo` (did you mean `Pattern`?)",
        "the post-mortem `docs/post-mortems/nope.md` of `[2026-03-04] - Gone post-mortem` does not exist in the working tree",
        "docgate reads estimates up to a trillion dollars",
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for ((rule, msg), want) in got.iter().zip(want) {
        assert_eq!(rule, "mishap-entry-invalid");
        assert!(msg.contains(want), "`{msg}` lacks `{want}`");
    }
    // costs leaves all seven out, says so and totals nothing.
    let (run, json) = costs_json(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["entries"], 0);
    assert_eq!(json["left_out"].as_array().unwrap().len(), 7, "{json}");
}

#[test]
fn missing_fields_are_named_together() {
    let repo = costs_repo(&log(&[
        "#### [2026-03-01] - Thin\n- **What happened**: x\n- **Duration**:\n".to_string(),
    ]));
    let run = lint(&repo);
    let got: Vec<String> = run
        .findings()
        .iter()
        .map(|f| message(f).to_string())
        .collect();
    assert_eq!(
        got,
        vec![
            "`[2026-03-01] - Thin` lacks the fields `Root cause`, `Estimated cost` and `Prevention`: \
             every entry has `- **What happened**: ...`, Root cause, Duration, Estimated cost and Prevention",
            "the field `Duration` of `[2026-03-01] - Thin` is empty",
        ]
    );
}

#[test]
fn unknown_patterns_need_the_knowledge_base() {
    let entries = [entry(
        "[2026-03-01] - Typo in the pattern",
        "$5",
        "- **Pattern**: verify-deploymnet\n",
    )];
    let repo = costs_repo(&log(&entries));
    let run = lint(&repo);
    assert_eq!(run.rules(), vec!["mishap-unknown-pattern"], "{run:?}");
    assert_eq!(
        message(&run.findings()[0]),
        "the pattern `verify-deploymnet` of `[2026-03-01] - Typo in the pattern` is not an id in \
         the knowledge base .ai-knowledge-base.yaml (did you mean `verify-deployment`?)"
    );
    let (run, json) = costs_json(&repo);
    assert_eq!(
        run.code, 1,
        "an unknown pattern leaves the entry out: {run:?}"
    );
    assert_eq!(
        json["left_out"][0]["problems"][0]["rule"],
        "mishap-unknown-pattern"
    );

    // Turned off, the entry counts under its pattern as written.
    repo.write(
        ".docgate.yml",
        "rules: {mishap-unknown-pattern: off, incident-loop-gap: off}\n",
    );
    let (run, json) = costs_json(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["by_pattern"][0]["pattern"], "verify-deploymnet");

    // Without a knowledge base the rule does not run, and the report says so.
    repo.write(".docgate.yml", "rules:\n  incident-loop-gap: off\n")
        .remove(".ai-knowledge-base.yaml");
    let run = lint(&repo);
    assert_clean(&run);
    assert!(
        run.json()["checked"]["layers"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(
                "cost log (docs/MISHAP_COST_LOG.md, 1 entry; patterns not checked: no knowledge base .ai-knowledge-base.yaml)"
            )),
        "{run:?}"
    );
}

#[test]
fn check_reports_the_log_only_where_the_change_is_involved() {
    let bad = entry("[2026-03-01] - No amount", "unknown", "");
    let repo = costs_repo(&log(&[
        bad.clone(),
        entry(
            "[2026-03-02] - With a post-mortem",
            "$5",
            "- **Pattern**: silent-fallback\n- **Post-mortem**: [pm](post-mortems/ray.md)\n",
        ),
    ]));
    // A change elsewhere: the broken entry is not this change's.
    repo.write(
        "docs/ops/app.md",
        runbook_dated("ops-01", &[], "2026-02-01", "How the app works, v2."),
    );
    repo.commit("edit the runbook");
    let run = check(&repo);
    assert_eq!(run.rules(), Vec::<String>::new(), "{run:?}");
    assert!(
        run.json()["checked"]["layers"]
            .to_string()
            .contains("cost log (docs/MISHAP_COST_LOG.md, 2 entries)"),
        "{run:?}"
    );

    // Deleting the post-mortem an entry points at involves that entry.
    repo.remove("docs/post-mortems/ray.md");
    repo.commit("drop the post-mortem");
    let run = check(&repo);
    assert_eq!(run.rules(), vec!["mishap-entry-invalid"], "{run:?}");
    assert!(message(&run.findings()[0]).contains("`docs/post-mortems/ray.md`"));

    // Removing the pattern from the knowledge base involves its entries.
    repo.write("docs/post-mortems/ray.md", COMPLETE_POSTMORTEM);
    repo.write(
        ".ai-knowledge-base.yaml",
        "patterns:\n  - id: verify-deployment\n    name: Verify\n    severity: HIGH\n    description: Check.\n",
    );
    repo.commit("restore the post-mortem, drop a pattern");
    let run = check(&repo);
    assert_eq!(run.rules(), vec!["mishap-unknown-pattern"], "{run:?}");

    // Touching the log reports everything in it.
    repo.write(LOG, log(&[bad, entry("[2026-03-03] - New", "$5", "")]));
    repo.commit("log an incident");
    let run = check(&repo);
    assert_eq!(run.rules(), vec!["mishap-entry-invalid"], "{run:?}");
    assert_eq!(run.code, 1);
}

#[test]
fn the_mishap_log_setting_is_read() {
    let repo = TestRepo::new();
    repo.write(
        "docs/ops/app.md",
        runbook("ops-01", &[], "How the app works."),
    )
    .write(
        "ops/costs.md",
        log(&[entry("[2026-03-01] - Elsewhere", "$5", "")]),
    )
    .write(".docgate.yml", "mishap_log: ops/costs.md\n");
    repo.commit("initial");
    let (run, json) = costs_json(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["log"], "ops/costs.md");
    assert_eq!(json["total"]["high_cents"], 500);

    // Named and absent: exit 2, for costs and lint alike.
    repo.write(".docgate.yml", "mishap_log: ops/missing.md\n");
    for args in [&["costs"][..], &["lint"][..]] {
        let run = repo.docgate(args);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains("ops/missing.md"), "{run:?}");
    }
    // A folder or glob is no log.
    repo.write(".docgate.yml", "mishap_log: ops/\n");
    let run = repo.docgate(&["costs"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("`mishap_log` must be a file path"),
        "{run:?}"
    );
}

#[test]
fn costs_without_a_log_or_in_another_format_is_a_usage_error() {
    let repo = TestRepo::new();
    repo.write(
        "docs/ops/app.md",
        runbook("ops-01", &[], "How the app works."),
    );
    repo.commit("initial");
    let run = repo.docgate(&["costs"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("no cost log: docs/MISHAP_COST_LOG.md does not exist in the working tree"),
        "{run:?}"
    );
    let repo = costs_repo(&log(&spec_entries()));
    for format in ["sarif", "github"] {
        let run = repo.docgate(&["costs", "--format", format]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr.contains(&format!(
                "`docgate costs` writes text, json or markdown, not {format}"
            )),
            "{run:?}"
        );
    }
    // An LFS pointer is named, never totalled.
    repo.write(
        LOG,
        "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n",
    );
    let run = repo.docgate(&["costs"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is a Git LFS pointer"), "{run:?}");
    let run = lint(&repo);
    let json = run.json();
    let found = findings_of(&json, "mishap-entry-invalid");
    assert_eq!(found.len(), 1, "{run:?}");
    assert!(
        message(found[0]).starts_with("the cost log cannot be read, so none of its entries is checked: docs/MISHAP_COST_LOG.md is a Git LFS pointer"),
        "{run:?}"
    );
}

#[test]
fn costs_writes_output_files() {
    let repo = costs_repo(&log(&spec_entries()));
    let run = repo.docgate(&[
        "costs",
        "--output",
        "json=costs.json",
        "--output",
        "costs.md",
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "", "a plain --output replaces stdout");
    let json: serde_json::Value = serde_json::from_str(&repo.read("costs.json")).unwrap();
    assert_eq!(json["entries"], 6);
    assert!(repo.read("costs.md").starts_with("## Mishap costs\n"));
}

/// Repository text cannot break the Markdown or the Mermaid charts: quotes,
/// newlines, brackets, fences, HTML and mentions in titles and patterns.
#[test]
fn hostile_titles_and_patterns_stay_inert_in_markdown() {
    let hostile_patterns = [
        "x\"];%%{init:{'theme':'dark'}}%%",
        "```<script>alert(1)</script>",
        "@org/team|cell",
        "\"):::class",
    ];
    let mut entries: Vec<String> = hostile_patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            entry(
                &format!("[2026-0{}-01] - </details> @here <img src=x> | ```", i + 1),
                &format!("${}", (i + 1) * 100),
                &format!("- **Pattern**: {p}\n"),
            )
        })
        .collect();
    entries.push(entry("[2026-06-01] - Bad <b>cost</b> `x`", "none", ""));
    let repo = TestRepo::new();
    repo.write(
        "docs/ops/app.md",
        runbook("ops-01", &[], "How the app works."),
    )
    .write(LOG, log(&entries));
    repo.commit("initial");
    let run = repo.docgate(&["costs", "--format", "markdown"]);
    assert_eq!(run.code, 1, "{run:?}");
    let md = &run.stdout;
    for raw in ["<script>", "<img", "</details>", "<b>", "@here"] {
        assert!(!md.contains(raw), "raw `{raw}` in:\n{md}");
    }
    // A pattern id is a code span (no mention, no markup), its `|` no cell border.
    assert!(md.contains("| `@org/team\u{2223}cell` |"), "{md}");
    // Every fence opened is closed, and inside the charts only our syntax
    // and safe label characters appear.
    let mut in_chart = false;
    let mut fences = 0;
    for line in md.lines() {
        if line.starts_with("```") {
            fences += 1;
            in_chart = line == "```mermaid";
            continue;
        }
        if in_chart {
            let quoted: Vec<&str> = line.split('"').collect();
            assert!(
                quoted.len() == 1 || quoted.len() == 3 || line.contains("x-axis"),
                "{line}"
            );
            for label in quoted.iter().skip(1).step_by(2) {
                assert!(
                    label
                        .chars()
                        .all(|c| c.is_alphanumeric() || " -_./():,".contains(c)),
                    "unsafe label `{label}`"
                );
            }
            assert!(!line.contains("%%") && !line.contains('`'), "{line}");
        }
    }
    assert_eq!(fences, 4, "two charts, each closed:\n{md}");
    // Table rows keep their column count: a `|` in text is escaped.
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| line"))
    {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells == 4, "{line}");
    }
}

/// The Mermaid blocks of a Markdown text.
fn mermaid_blocks(md: &str) -> Vec<String> {
    md.split("```mermaid\n")
        .skip(1)
        .map(|rest| rest.split("\n```").next().unwrap().to_string())
        .collect()
}

/// The charts parse with Mermaid's own parser (the one GitHub's renderer
/// runs), for the SPEC forms and for hostile titles and patterns.
#[test]
fn the_charts_parse_with_the_real_mermaid_parser() {
    let repo = costs_repo(&log(&spec_entries()));
    let run = repo.docgate(&["costs", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{run:?}");
    let charts = mermaid_blocks(&run.stdout);
    assert_eq!(charts.len(), 2, "{run:?}");
    let kinds: Vec<String> = charts
        .iter()
        .map(|c| {
            crate::doc_graph::parse_with_real_parser("mermaid", c)
                .unwrap_or_else(|e| panic!("{e}\n{c}"))
        })
        .collect();
    assert_eq!(kinds, vec!["ok: pie", "ok: xychart"]);

    let hostile = TestRepo::new();
    let entries: Vec<String> = ["\"]; end", "%%{init: {}}%%", "a\\nb", "x-axis [\"q\"]"]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            entry(
                &format!("[2026-0{}-01] - \"quoted\" : 1 ]", i + 1),
                &format!("${}", (i + 1) * 100),
                &format!("- **Pattern**: {p}\n"),
            )
        })
        .collect();
    hostile
        .write(
            "docs/ops/app.md",
            runbook("ops-01", &[], "How the app works."),
        )
        .write(LOG, log(&entries));
    hostile.commit("initial");
    let run = hostile.docgate(&["costs", "--format", "markdown"]);
    let charts = mermaid_blocks(&run.stdout);
    assert_eq!(charts.len(), 2, "{run:?}");
    for c in &charts {
        crate::doc_graph::parse_with_real_parser("mermaid", c)
            .unwrap_or_else(|e| panic!("{e}\n{c}"));
    }
}
