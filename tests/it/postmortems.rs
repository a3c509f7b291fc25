//! The post-mortem layer: published post-mortem structures run through the
//! validator with their findings asserted exactly, the template excluded, the
//! change scope of `check`, unreadable files, and the config section.

use crate::support::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/postmortems");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

/// A repository with the covered app (one runbook), `files` and `config`,
/// committed on `main`, then on branch `feature` (the policy tests use it too).
pub(crate) fn repo_with(files: &[(&str, &str)], config: Option<&str>) -> TestRepo {
    let repo = TestRepo::new();
    repo.write_covered_app();
    for (path, text) in files {
        repo.write(path, text);
    }
    // The incident loop of these post-mortems is not these tests' (they
    // close no loop; tests/it/incident_loop.rs): its rule is off, appended
    // so that the lines of a config under test stay where they are.
    let config = config.unwrap_or("version: 1\n");
    if config.contains("rules:") {
        repo.write(".docgate.yml", config);
    } else {
        let sep = if config.ends_with('\n') { "" } else { "\n" };
        repo.write(
            ".docgate.yml",
            format!("{config}{sep}rules:\n  incident-loop-gap: off\n"),
        );
    }
    repo.commit_base("initial");
    repo
}

/// `lint` of [`repo_with`].
pub(crate) fn lint_of(files: &[(&str, &str)], config: Option<&str>) -> Run {
    lint(&repo_with(files, config))
}

/// (rule, path, line, message) of every finding, in report order, but the
/// incident loop's (these post-mortems close no loop; tests/it/incident_loop.rs).
fn found(run: &Run) -> Vec<(String, String, u64, String)> {
    run.findings()
        .iter()
        .filter(|f| f["rule"] != "incident-loop-gap")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or(0),
                message(f).to_string(),
            )
        })
        .collect()
}

fn row(rule: &str, path: &str, line: u64, message: &str) -> (String, String, u64, String) {
    (rule.into(), path.into(), line, message.into())
}

fn missing(path: &str, section: &str, names: &str) -> (String, String, u64, String) {
    row(
        "postmortem-missing-section",
        path,
        1,
        &format!(
            "the post-mortem has no `{section}` section (a heading {names}, any level, any case)"
        ),
    )
}

const NO_STATUS_COLUMN: &str = "no status (the table has no Status or State column)";
const NO_DUE_COLUMN: &str = "no due date (the table has no Due, Due date, Deadline or ETA column)";

/// The Google SRE book's example post-mortem (Appendix D): "Root Causes"
/// (plural, an alias) as one paragraph, no Prevention section, and an
/// action-item table with an Owner but no status or due-date column.
#[test]
fn the_sre_book_example_postmortem() {
    let path = "docs/post-mortems/2026-03-02-catalog-search.md";
    let repo = repo_with(&[(path, &fixture("srebook-appendix-d.md"))], None);
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let item = |line, text: &str| {
        row(
            "postmortem-action-item",
            path,
            line,
            &format!("the action item `{text}` has {NO_STATUS_COLUMN} and {NO_DUE_COLUMN}"),
        )
    };
    assert_eq!(
        found(&run),
        vec![
            missing(path, "Prevention", "`Prevention`"),
            row(
                "postmortem-root-causes",
                path,
                24,
                "the Root Cause section names 1 root cause, fewer than 3 \
                 (postmortems.min_root_causes; prose without a list or sub-headings counts as one)"
            ),
            item(
                44,
                "Add a playbook section on draining to the spare cluster"
            ),
            item(
                45,
                "Close the connection on the no-match path in the query parse…"
            ),
            item(46, "Shed load per backend before connections run out"),
            item(47, "Rehearse a cascading failure in the next game day"),
            item(
                48,
                "Test that the parser answers queries of unknown terms sanely"
            ),
        ]
    );
    let json = run.json();
    assert_eq!(
        json["checked"]["layers"],
        serde_json::json!([
            "docs (docs)",
            "post-mortems (docs/post-mortems/*.md, 1 file)"
        ])
    );
    assert_eq!(json["findings"][1]["column"], 1);
    assert_eq!(json["findings"][2]["severity"], "error");
}

/// Michael Kehoe's template names its sections "Incident Timeline", "Root
/// Cause(s)" and "Action Items & Followups": not the default names, so they
/// are missing until `postmortems.aliases` lists them; then its action-item
/// table (Who and Due Date, no status) is read.
#[test]
fn michael_kehoes_template_needs_aliases() {
    let path = "docs/post-mortems/2026-04-09-stale-features.md";
    let repo = repo_with(&[(path, &fixture("kehoe.md"))], None);
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        found(&run),
        vec![
            missing(path, "Action Items", "`Action Items`"),
            missing(path, "Prevention", "`Prevention`"),
            missing(path, "Root Cause", "`Root Cause` or `Root Causes`"),
            missing(path, "Timeline", "`Timeline`"),
        ]
    );

    // `aliases` replaces the default map, so the defaults are listed again.
    let config = "postmortems:\n  aliases:\n    Timeline: [Incident Timeline]\n    \
                  Root Cause: [Root Causes, Root Cause(s)]\n    \
                  Action Items: [Action Items & Followups]\n    \
                  What Went Wrong: [What Went Badly]\n    Lessons Learned: [Lessons Learnt]\n";
    let repo = repo_with(&[(path, &fixture("kehoe.md"))], Some(config));
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        found(&run),
        vec![
            missing(path, "Prevention", "`Prevention`"),
            row(
                "postmortem-action-item",
                path,
                89,
                &format!(
                    "the action item `Fail the refresh job on any schema error` has {NO_STATUS_COLUMN}"
                )
            ),
            row(
                "postmortem-action-item",
                path,
                90,
                &format!(
                    "the action item `Alert when served features are older than 6 hours` has {NO_STATUS_COLUMN}"
                )
            ),
            row(
                "postmortem-action-item",
                path,
                91,
                &format!(
                    "the action item `Review upstream schema changes with consumers` has {NO_STATUS_COLUMN} \
                     and no due date (its Due Date cell is `end of Q2`, not a YYYY-MM-DD date)"
                )
            ),
        ]
    );
}

/// The Elastic Cloud incident report (2019-02-04): few of the default
/// sections, two root causes, and action items as list items with fields,
/// an `@name`, a task box and a `(due ...)`.
#[test]
fn the_elastic_cloud_incident_report() {
    let path = "docs/post-mortems/2026-05-12-proxy.md";
    let repo = repo_with(&[(path, &fixture("elastic-2019-02-04.md"))], None);
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        found(&run),
        vec![
            missing(
                path,
                "Lessons Learned",
                "`Lessons Learned` or `Lessons Learnt`"
            ),
            missing(path, "Prevention", "`Prevention`"),
            missing(path, "Summary", "`Summary`"),
            missing(path, "Timeline", "`Timeline`"),
            missing(path, "What Went Well", "`What Went Well`"),
            missing(
                path,
                "What Went Wrong",
                "`What Went Wrong`, `What Went Poorly` or `What Went Badly`"
            ),
            row(
                "postmortem-root-causes",
                path,
                18,
                "the Root Cause section names 2 root causes, fewer than 3 \
                 (postmortems.min_root_causes; counted as its top-level list items)"
            ),
            row(
                "postmortem-action-item",
                path,
                35,
                "the action item `Document the batch restart in the proxy runbook` has no due date \
                 (no `due:` field)"
            ),
            row(
                "postmortem-action-item",
                path,
                36,
                "the action item `Review the capacity of the routing store` has no owner (no `owner:` \
                 field or @name), no status (no `status:` field or task box) and no due date (no \
                 `due:` field)"
            ),
        ]
    );
    // The same with `min_root_causes: 2`: the root causes are enough.
    let run = lint_of(
        &[(path, &fixture("elastic-2019-02-04.md"))],
        Some("postmortems:\n  min_root_causes: 2\n"),
    );
    assert!(
        findings_of(&run.json(), "postmortem-root-causes").is_empty(),
        "{run:?}"
    );
}

/// A post-mortem with every default section (and frontmatter: it is a doc
/// too) passes; the template and a README next to it are not post-mortems.
#[test]
fn a_complete_postmortem_passes_and_the_template_is_not_one() {
    let template = "# Post-mortem: <title>\n\n## Summary\n\n<!-- what happened -->\n\n## Root Cause\n\n## Action Items\n";
    let repo = repo_with(
        &[
            (
                "docs/post-mortems/2026-06-03-bucket.md",
                &fixture("complete.md"),
            ),
            ("docs/post-mortems/TEMPLATE.md", template),
            ("docs/post-mortems/README.md", "# Post-mortems\n"),
        ],
        None,
    );
    let run = lint(&repo);
    assert_clean(&run);
    let json = run.json();
    assert_eq!(
        json["checked"]["layers"],
        serde_json::json!([
            "docs (docs)",
            "post-mortems (docs/post-mortems/*.md, 1 file)"
        ])
    );
    assert_eq!(
        json["checked"]["docs"], 2,
        "the post-mortem with frontmatter is a doc"
    );

    // Only the template: the layer is not active, and lint passes.
    let run = lint_of(&[("docs/post-mortems/TEMPLATE.md", template)], None);
    assert_clean(&run);
    assert_eq!(
        run.json()["checked"]["layers"],
        serde_json::json!(["docs (docs)"])
    );

    // With `exclude: []` the template is a post-mortem like any other.
    let run = lint_of(
        &[("docs/post-mortems/TEMPLATE.md", template)],
        Some("postmortems:\n  exclude: []\n"),
    );
    assert_eq!(
        found(&run)
            .iter()
            .map(|f| (f.0.as_str(), f.2))
            .collect::<Vec<_>>(),
        vec![
            ("postmortem-missing-section", 1),
            ("postmortem-missing-section", 1),
            ("postmortem-missing-section", 1),
            ("postmortem-missing-section", 1),
            ("postmortem-missing-section", 1),
            ("postmortem-missing-section", 1),
            ("postmortem-empty-section", 3),
            ("postmortem-empty-section", 7),
            ("postmortem-root-causes", 7),
            ("postmortem-empty-section", 9),
        ],
        "{run:?}"
    );
    assert_eq!(
        message(findings_of(&run.json(), "postmortem-empty-section")[0]),
        "the section `Summary` (heading `Summary`) has no content"
    );
}

/// `check` reports a post-mortem's findings only when the change added or
/// modified it.
#[test]
fn check_reports_only_the_postmortems_the_change_touched() {
    let path = "docs/post-mortems/2026-03-02-catalog-search.md";
    let repo = repo_with(&[(path, &fixture("srebook-appendix-d.md"))], None);
    repo.write("src/app.py", "print('v2')\n")
        .write("docs/ops/app.md", updated_runbook());
    repo.commit("change app and runbook");
    let run = check(&repo);
    assert_clean(&run);
    assert_eq!(
        run.json()["checked"]["layers"],
        serde_json::json!([
            "docs (docs)",
            "post-mortems (docs/post-mortems/*.md, 1 file)"
        ])
    );

    // Editing it: its findings are the change's.
    let text = repo
        .read(path)
        .replace("spring sale", "spring sale of 2026");
    repo.write(path, text);
    repo.commit("edit the post-mortem");
    let run = check(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        found(&run).iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        [
            "postmortem-missing-section",
            "postmortem-root-causes",
            "postmortem-action-item",
            "postmortem-action-item",
            "postmortem-action-item",
            "postmortem-action-item",
            "postmortem-action-item",
        ]
    );

    // A new post-mortem in the change is checked too.
    let repo = repo_with(&[], None);
    repo.write("docs/post-mortems/new.md", fixture("elastic-2019-02-04.md"));
    repo.commit("add a post-mortem");
    let run = check(&repo);
    assert_eq!(
        findings_of(&run.json(), "postmortem-missing-section").len(),
        6,
        "{run:?}"
    );
}

/// A post-mortem that is a Git LFS pointer or a symbolic link is named,
/// never read as a post-mortem without sections, never skipped.
#[test]
fn an_unreadable_postmortem_is_named() {
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    let repo = repo_with(&[("docs/post-mortems/a.md", pointer)], None);
    std::os::unix::fs::symlink("a.md", repo.path().join("docs/post-mortems/b.md")).unwrap();
    repo.commit("link");
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        found(&run),
        vec![
            row(
                "postmortem-missing-section",
                "docs/post-mortems/a.md",
                0,
                "docs/post-mortems/a.md is a Git LFS pointer (oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393, \
                 12345 bytes), not the file: its content is not in the git objects docgate reads, so it \
                 cannot be checked; keep docs, the config and feature sources out of Git LFS \
                 (.gitattributes), so none of its mandatory sections can be checked"
            ),
            // Under docs/, the docs layer names it too.
            row(
                "frontmatter-invalid",
                "docs/post-mortems/a.md",
                1,
                "docs/post-mortems/a.md is a Git LFS pointer (oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393, \
                 12345 bytes), not the file: its content is not in the git objects docgate reads, so it \
                 cannot be checked; keep docs, the config and feature sources out of Git LFS \
                 (.gitattributes); its frontmatter was not read"
            ),
            row(
                "postmortem-missing-section",
                "docs/post-mortems/b.md",
                0,
                "docs/post-mortems/b.md is a symbolic link (to a.md), and docgate never follows links, \
                 so none of its mandatory sections can be checked"
            ),
        ]
    );
}

/// `postmortems.paths` written in the config must match a post-mortem: a
/// configured check never checks nothing.
#[test]
fn configured_paths_matching_nothing_are_exit_2() {
    let run = lint_of(
        &[("docs/post-mortems/TEMPLATE.md", "# T\n")],
        Some("postmortems:\n  paths: [\"docs/incidents/*.md\", \"docs/post-mortems/*.md\"]\n"),
    );
    assert_no_panic(&run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            ".docgate.yml names a file that does not exist in the working tree: a post-mortem \
             matching docs/incidents/*.md, docs/post-mortems/*.md (postmortems.paths)"
        ),
        "{run:?}"
    );
    // Other paths, found.
    let run = lint_of(
        &[("docs/incidents/2026-03-02.md", &fixture("complete.md"))],
        Some("postmortems:\n  paths: [docs/incidents/]\n"),
    );
    assert_clean(&run);
    assert_eq!(
        run.json()["checked"]["layers"][1],
        "post-mortems (docs/incidents/**, 1 file)"
    );
}

/// The section is validated strictly, every problem at its line.
#[test]
fn the_postmortems_section_is_validated() {
    let config = "postmortems:\n  min_root_cause: 2\n  sections: [Summary, Root Cause, summary, \"\"]\n  \
                  aliases:\n    Root Cuase: [Causes]\n    Summary: [Root Cause]\n  \
                  paths: []\n";
    let run = lint_of(&[], Some(config));
    assert_eq!(run.code, 2, "{run:?}");
    for want in [
        ".docgate.yml:2:3: unknown key `min_root_cause` in `postmortems` (did you mean `min_root_causes`?)",
        ".docgate.yml:3:35: `postmortems.sections` lists `summary` twice (headings match case-insensitively)",
        ".docgate.yml:3:44: `postmortems.sections` entries must not be empty",
        ".docgate.yml:5:5: `postmortems.aliases`: `Root Cuase` is not one of `postmortems.sections` (did you mean `Root Cause`?)",
        ".docgate.yml:6:15: `postmortems.aliases.Summary`: `Root Cause` already names the section `Root Cause`",
        ".docgate.yml:7:10: `postmortems.paths` must name at least one glob",
    ] {
        assert!(run.stderr.contains(want), "lacks {want:?}: {run:?}");
    }
    let run = lint(&repo_with(
        &[],
        Some("postmortems:\n  min_root_causes: -1\n"),
    ));
    assert!(
        run.stderr.contains(
            ".docgate.yml:2:20: `postmortems.min_root_causes` must be a whole number (0 or more), found `-1`"
        ),
        "{run:?}"
    );
}

/// `sections` replaces the mandatory list; the default aliases of sections
/// still listed keep working, and Root Cause and Action Items are read even
/// when they are not mandatory.
#[test]
fn configured_sections_are_the_mandatory_ones() {
    let path = "docs/post-mortems/2026-05-12-proxy.md";
    let run = lint_of(
        &[(path, &fixture("elastic-2019-02-04.md"))],
        Some("postmortems:\n  sections: [Background, Impact, Lessons Learned]\n"),
    );
    assert_eq!(
        found(&run)
            .iter()
            .map(|f| (f.0.as_str(), f.2))
            .collect::<Vec<_>>(),
        vec![
            ("postmortem-missing-section", 1),
            ("postmortem-root-causes", 18),
            ("postmortem-action-item", 35),
            ("postmortem-action-item", 36),
        ],
        "{run:?}"
    );
    assert_eq!(
        message(&run.findings()[0]),
        "the post-mortem has no `Lessons Learned` section (a heading `Lessons Learned` or \
         `Lessons Learnt`, any level, any case)"
    );
}
