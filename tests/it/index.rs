//! The master index (`docs.index`): `index-broken-link` and `index-orphan`,
//! in `lint` (everything) and in `check` (where the change is involved).

use crate::support::*;

const INDEX: &str = "# Index\n\
\n\
| I need to... | read |\n\
|---|---|\n\
| run the app | [App](ops/app.md#steps) |\n\
| learn the risks | [Risk](/docs/risk/limits.md) |\n\
| see the code | [src](../src/) and [home](https://example.com/a.md) or [top](#index) |\n\
| mail | <mailto:ops@example.com> or <ops@example.com> |\n";

/// Two runbooks linked from the index, and `src/`.
fn indexed_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write(
            "docs/risk/limits.md",
            runbook("risk-01", &[], "Risk limits."),
        )
        .write("docs/INDEX.md", INDEX);
    repo.commit_base("initial");
    repo
}

fn layers(json: &serde_json::Value) -> Vec<String> {
    json["checked"]["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_whole_index_is_clean_and_named_in_the_report() {
    let repo = indexed_repo();
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(
        layers(&run.json()),
        ["docs (docs)", "index (docs/INDEX.md, 7 links)"],
        "{run:?}"
    );
    let text = repo.docgate(&["lint"]);
    assert!(
        text.stdout
            .contains("layers: docs (docs), index (docs/INDEX.md, 7 links)"),
        "{text:?}"
    );
}

#[test]
fn lint_reports_every_broken_link_at_its_line_and_column() {
    let repo = indexed_repo();
    repo.write(
        "docs/INDEX.md",
        format!(
            "{INDEX}| gone | [Old](ops/old.md) |\n| out | [x](../../etc/passwd) |\n| empty | [nothing]() |\n\
             | bad | [b](%ff.md) |\n| space | [s](my%20doc.md) |\n"
        ),
    )
    .write("docs/my doc.md", "no frontmatter: not a doc\n");
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    let broken = findings_of(&json, "index-broken-link");
    let got: Vec<(u64, u64, &str)> = broken
        .iter()
        .map(|f| {
            assert_eq!(f["path"], "docs/INDEX.md");
            assert_eq!(f["severity"], "error");
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                message(f),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                9,
                10,
                "the link `ops/old.md` in docs/INDEX.md points to `docs/ops/old.md`, which does not exist"
            ),
            (
                10,
                9,
                "the link `../../etc/passwd` in docs/INDEX.md points outside the repository"
            ),
            (11, 11, "the link `` in docs/INDEX.md has no destination"),
            (
                12,
                9,
                "the link `%ff.md` in docs/INDEX.md has `%` escapes that do not decode to UTF-8"
            ),
        ],
        "{run:?}"
    );
    assert_eq!(run.rules().len(), 4, "{run:?}");
}

#[test]
fn every_doc_must_be_linked_and_only_docs() {
    let repo = indexed_repo();
    repo.write(
        "docs/ops/unlinked.md",
        runbook("ops-02", &[], "Nobody links me."),
    )
    // A post-mortem with frontmatter is a doc: linked or an orphan.
    .write(
        "docs/post-mortems/2026-01-01-outage.md",
        runbook("pm-01", &[], "What happened."),
    )
    // A post-mortem without frontmatter is no doc: not an orphan.
    .write("docs/post-mortems/2026-02-01-plain.md", "# Outage\n")
    // Excluded from the docs: not an orphan.
    .write("docs/drafts/wip.md", runbook("ops-03", &[], "Draft."))
    // (What the post-mortem checks say about them is not this test's.)
    .write(
        ".docgate.yml",
        "docs:\n  exclude: [\"docs/drafts/**\"]\nrules:\n  postmortem-missing-section: off\n  \
         postmortem-root-causes: off\n  incident-loop-gap: off\n",
    );
    // The index with frontmatter is a doc, and it is not its own orphan.
    repo.write(
        "docs/INDEX.md",
        format!(
            "---\nid: index\ntitle: Index\nperspective: guide\nlast_updated: 2026-01-01\n---\n{INDEX}"
        ),
    );
    let run = lint(&repo);
    assert_eq!(run.code, 0, "orphans are warnings: {run:?}");
    let json = run.json();
    let orphans: Vec<(&str, u64, u64, &str, &serde_json::Value)> =
        findings_of(&json, "index-orphan")
            .into_iter()
            .map(|f| {
                assert_eq!(f["severity"], "warning");
                (
                    f["path"].as_str().unwrap(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                    message(f),
                    &f["docs"],
                )
            })
            .collect();
    assert_eq!(
        orphans,
        [
            (
                "docs/ops/unlinked.md",
                1,
                1,
                "ops-02 (docs/ops/unlinked.md) is not linked from the index docs/INDEX.md, so a reader looking for it there does not find it",
                &serde_json::json!(["ops-02"])
            ),
            (
                "docs/post-mortems/2026-01-01-outage.md",
                1,
                1,
                "pm-01 (docs/post-mortems/2026-01-01-outage.md) is not linked from the index docs/INDEX.md, so a reader looking for it there does not find it",
                &serde_json::json!(["pm-01"])
            ),
        ],
        "{run:?}"
    );
    assert_eq!(run.rules().len(), 2, "{run:?}");
    // `--fail-on warning` makes an orphan fail the gate.
    let strict = repo.docgate(&["lint", "--format", "json", "--fail-on", "warning"]);
    assert_eq!(strict.code, 1, "{strict:?}");
}

#[test]
fn a_link_to_a_folder_does_not_link_the_docs_in_it() {
    let repo = indexed_repo();
    repo.write(
        "docs/INDEX.md",
        "# Index\n\n[Ops](ops/) and [Risk](risk/limits.md)\n",
    );
    let run = lint(&repo);
    assert_eq!(run.rules(), ["index-orphan"], "{run:?}");
    assert_eq!(run.findings()[0]["path"], "docs/ops/app.md");
}

#[test]
fn no_index_no_layer_and_no_orphans() {
    let repo = TestRepo::new();
    repo.write_covered_app();
    repo.commit("initial");
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(layers(&run.json()), ["docs (docs)"], "{run:?}");
}

#[test]
fn a_configured_index_is_read_and_must_exist() {
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write(".docgate.yml", "docs:\n  index: docs/README.md\n")
        .write("docs/README.md", "[App](ops/app.md) [Gone](ops/gone.md)\n");
    repo.commit("initial");
    let run = lint(&repo);
    assert_eq!(run.rules(), ["index-broken-link"], "{run:?}");
    assert_eq!(run.findings()[0]["path"], "docs/README.md");
    assert_eq!(
        layers(&run.json()),
        ["docs (docs)", "index (docs/README.md, 2 links)"]
    );

    repo.remove("docs/README.md");
    let run = lint(&repo);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            ".docgate.yml names a file that does not exist in the working tree: docs/README.md"
        ),
        "{run:?}"
    );
}

#[test]
fn an_index_that_cannot_be_read_is_exit_2_naming_it() {
    let repo = TestRepo::new();
    repo.write_covered_app().write(
        "docs/INDEX.md",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    repo.commit("initial");
    let run = lint(&repo);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("the index (docs.index): docs/INDEX.md is a Git LFS pointer"),
        "{run:?}"
    );
}

#[test]
fn check_reports_a_rename_that_breaks_a_link_with_the_new_path() {
    let repo = indexed_repo();
    repo.git(&["mv", "docs/ops/app.md", "docs/ops/application.md"]);
    repo.commit("rename the runbook");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.sorted_rules(),
        ["index-broken-link", "index-orphan"],
        "{run:?}"
    );
    let broken = findings_of(&json, "index-broken-link")[0];
    assert_eq!(
        message(broken),
        "the link `ops/app.md#steps` in docs/INDEX.md points to `docs/ops/app.md`, which does not exist \
         (this change renamed it to `docs/ops/application.md`)"
    );
    assert_eq!(
        (broken["line"].as_u64(), broken["column"].as_u64()),
        (Some(5), Some(17))
    );
    let orphan = findings_of(&json, "index-orphan")[0];
    assert_eq!(orphan["path"], "docs/ops/application.md");
}

#[test]
fn check_reports_a_deleted_link_target_and_a_removed_folder() {
    let repo = indexed_repo();
    repo.write(
        "docs/INDEX.md",
        format!("{INDEX}| tools | [tools](../tools/) |\n"),
    )
    .write("tools/run.sh", "echo\n");
    repo.commit("tools");
    repo.git(&["checkout", "-q", "-B", "main"]);
    repo.git(&["checkout", "-q", "-b", "delete"]);
    repo.remove("docs/risk/limits.md").remove("tools/run.sh");
    repo.commit("delete");
    let (run, json) = repo.check_json(&["--base", "main"]);
    let got: Vec<&str> = findings_of(&json, "index-broken-link")
        .into_iter()
        .map(message)
        .collect();
    assert_eq!(
        got,
        [
            "the link `/docs/risk/limits.md` in docs/INDEX.md points to `docs/risk/limits.md`, which does not exist (this change deleted it)",
            "the link `../tools/` in docs/INDEX.md points to `tools`, which does not exist (this change removed the files under it)",
        ],
        "{run:?}"
    );
    assert_eq!(run.rules().len(), 2, "{run:?}");
}

#[test]
fn check_leaves_old_problems_alone_unless_the_change_touches_the_index() {
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write("docs/ops/old.md", runbook("ops-02", &[], "Old orphan."))
        .write("docs/INDEX.md", "[App](ops/app.md) [Gone](ops/gone.md)\n");
    repo.commit_base("initial");

    // An unrelated change: the old orphan and the old broken link are not its business.
    repo.write("README.md", "hello\n");
    repo.commit("readme");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_clean(&run);

    // A new doc nobody links: an orphan of this change; the old ones stay quiet.
    repo.write("docs/ops/new.md", runbook("ops-03", &[], "New."));
    repo.commit("new doc");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), ["index-orphan"], "{run:?}");
    assert_eq!(json["findings"][0]["path"], "docs/ops/new.md");

    // Touching the index: everything in it and every orphan is the change's business.
    repo.write(
        "docs/INDEX.md",
        "[App](ops/app.md) [Gone](ops/gone.md) [New](ops/new.md)\n",
    );
    repo.commit("link the new doc");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        run.rules(),
        ["index-broken-link", "index-orphan"],
        "{run:?}"
    );
    assert_eq!(json["findings"][0]["path"], "docs/INDEX.md");
    assert_eq!(json["findings"][1]["path"], "docs/ops/old.md");
}

#[test]
fn a_file_that_gains_frontmatter_is_a_new_doc() {
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write("docs/ops/notes.md", "# Notes\n")
        .write("docs/INDEX.md", "[App](ops/app.md)\n");
    repo.commit_base("initial");
    repo.write("docs/ops/notes.md", runbook("ops-04", &[], "Notes."));
    repo.commit("notes become a runbook");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), ["index-orphan"], "{run:?}");
    assert_eq!(json["findings"][0]["path"], "docs/ops/notes.md");
}

#[test]
fn an_orphan_can_be_waived_and_its_severity_overridden() {
    let repo = indexed_repo();
    repo.write("docs/ops/new.md", runbook("ops-05", &[], "New."));
    repo.commit(
        "new doc\n\nDocgate-Waive: index-orphan(ops-05): linked from the team wiki for now",
    );
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), ["index-orphan"], "{run:?}");
    let f = &json["findings"][0];
    assert_eq!(f["severity"], "note", "{run:?}");
    assert_eq!(f["waived"]["reason"], "linked from the team wiki for now");

    let repo = indexed_repo();
    repo.write(
        ".docgate.yml",
        "rules: {index-orphan: error, index-broken-link: off}\n",
    )
    .write("docs/ops/new.md", runbook("ops-05", &[], "New."))
    .write("docs/INDEX.md", "[x](nowhere.md)\n");
    repo.commit("new doc");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    let orphans = findings_of(&json, "index-orphan");
    assert_eq!(orphans.len(), 3, "{run:?}");
    assert!(orphans.iter().all(|f| f["severity"] == "error"), "{run:?}");
    assert!(
        findings_of(&json, "index-broken-link").is_empty(),
        "{run:?}"
    );
}
