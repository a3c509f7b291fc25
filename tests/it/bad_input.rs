use crate::support::*;

// Bad input (SPEC §1.1, §2.2, §3, §4, §10): every malformed doc or config
// gives a finding with path and line, or exit 2 naming the file and line;
// never a panic, never a silent pass.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde_json::Value;

/// Where the test docs live.
const DOC: &str = "docs/ops/app.md";

/// The default size limit of docgate (`snapshot::MAX_FILE_BYTES`).
const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

// ---------------------------------------------------------------------------
// helpers

/// The one finding of `rule` on `path` at `line`; fails listing the report otherwise.
fn finding_at(run: &Run, rule: &str, path: &str, line: u64) -> Value {
    let all = run.findings();
    let hits: Vec<&Value> = all
        .iter()
        .filter(|f| f["rule"] == rule && f["path"] == path && f["line"] == line)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one {rule} finding at {path}:{line}: {run:?}"
    );
    hits[0].clone()
}

/// The report holds exactly one finding: `rule` at `path:line`, whose message
/// contains `part`. Exit 1 (it is an error).
fn assert_single(run: &Run, rule: &str, path: &str, line: u64, part: &str) -> Value {
    assert_no_panic(run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec![rule.to_string()], "{run:?}");
    let f = finding_at(run, rule, path, line);
    assert_eq!(f["severity"], "error", "{run:?}");
    let msg = message(&f);
    assert!(msg.contains(part), "message {msg:?} lacks {part:?}");
    f
}

/// Exit 2 without a crash, and stderr says `needle`.
fn assert_exit_2_saying(run: &Run, needle: &str) {
    assert_no_panic(run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains(needle), "{run:?}");
}

/// Frontmatter `lines` (each ending in `\n`) between fences, then a body.
/// Frontmatter line N is file line N + 1.
fn doc(lines: &str) -> String {
    format!("---\n{lines}---\n\n# Runbook\n\nHow the app works.\n")
}

/// [`doc`] whose frontmatter starts with `id: ops-01`, its title and its
/// perspective (lines 2 to 4), then `rest` from line 5.
fn ops_doc(rest: &str) -> String {
    doc(&format!(
        "id: ops-01\ntitle: Runbook\nperspective: operations\n{rest}"
    ))
}

/// A repository (no commits) with `src/app.py` and `content` at [`DOC`];
/// `docgate lint --format json`.
fn lint_doc(content: impl AsRef<[u8]>) -> Run {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n")
        .write(DOC, content);
    lint(&repo)
}

/// [`covered_repo`] (ops-01 at [`DOC`] covering `src/app.py`, branch
/// `feature`) where a commit replaces the doc with `content`;
/// `docgate check --base main --format json`.
fn check_doc(content: impl AsRef<[u8]>) -> Run {
    let repo = covered_repo();
    repo.write(DOC, content);
    repo.commit("edit the runbook");
    check(&repo)
}

/// A repository whose `.docgate.yml` is `config`, with a valid runbook.
fn repo_with_config(config: impl AsRef<[u8]>) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n")
        .write(
            DOC,
            runbook("ops-01", &["src/app.py"], "How the app works."),
        )
        .write(".docgate.yml", config);
    repo
}

/// Exit 2, no report on stdout, and stderr names every `locations`
/// (`.docgate.yml:LINE:COL`) and contains every `messages`.
fn assert_config_error(run: &Run, locations: &[&str], messages: &[&str]) {
    assert_no_panic(run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.trim().is_empty(), "no report expected: {run:?}");
    for loc in locations {
        assert!(run.stderr.contains(loc), "stderr lacks {loc}: {run:?}");
    }
    for msg in messages {
        assert!(run.stderr.contains(msg), "stderr lacks {msg:?}: {run:?}");
    }
}

fn nested_brackets(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

// ---------------------------------------------------------------------------
// frontmatter: invalid YAML

#[test]
fn frontmatter_unclosed_bracket_is_reported_at_the_file_line() {
    // The parser notices the open `[` of frontmatter line 3 at the `:` of
    // frontmatter line 4, which is file line 5.
    let run = lint_doc(doc("id: ops-01\n\
         title: Runbook\n\
         tags: [pre-market, go-no-go\n\
         perspective: operations\n\
         last_updated: 2026-01-15\n"));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 5, "invalid YAML");
    assert_eq!(f["column"], 12, "{run:?}");
}

#[test]
fn frontmatter_bad_indentation_in_a_changed_doc() {
    let run = check_doc(ops_doc(
        "key_files:\n  \
           - src/app.py\n \
          - src/other.py\n\
         last_updated: 2026-01-15\n",
    ));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 7, "invalid YAML");
    assert_eq!(f["column"], 2, "{run:?}");
}

#[test]
fn frontmatter_indented_key_is_reported_at_its_line() {
    let run = lint_doc(doc("id: ops-01\n\
         title: Runbook\n  \
           perspective: operations\n\
         last_updated: 2026-01-15\n"));
    assert_single(&run, "frontmatter-invalid", DOC, 4, "invalid YAML");
}

#[test]
fn frontmatter_tab_indentation_is_reported_at_its_line() {
    let run = lint_doc(ops_doc(
        "key_files:\n\
         \t- src/app.py\n\
         last_updated: 2026-01-15\n",
    ));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 6, "tab");
    assert_eq!(f["column"], 2, "{run:?}");
}

#[test]
fn text_report_shows_path_line_and_column_of_a_yaml_error() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n").write(
        DOC,
        ops_doc(
            "key_files:\n\
             \t- src/app.py\n\
             last_updated: 2026-01-15\n",
        ),
    );
    let run = repo.docgate(&["lint", "--color", "never"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("error[frontmatter-invalid]"), "{run:?}");
    assert!(run.stdout.contains("docs/ops/app.md:6:2"), "{run:?}");
}

// ---------------------------------------------------------------------------
// frontmatter: unquoted globs

#[test]
fn unquoted_double_star_glob_says_to_quote_it() {
    let run = lint_doc(ops_doc(
        "key_files:\n  \
           - **/*.py\n\
         last_updated: 2026-01-15\n",
    ));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 6, "quote");
    assert_eq!(f["column"], 5, "{run:?}");
}

#[test]
fn unquoted_single_star_glob_in_a_changed_doc_says_to_quote_it() {
    let run = check_doc(ops_doc(
        "key_files:\n  \
           - src/app.py\n  \
           - *.py\n\
         last_updated: 2026-01-15\n",
    ));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 7, "quote");
    assert_eq!(f["column"], 5, "{run:?}");
}

#[test]
fn unquoted_glob_in_a_flow_list_says_to_quote_it() {
    let run = lint_doc(ops_doc(
        "key_files: [src/app.py, *.py]\n\
         last_updated: 2026-01-15\n",
    ));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 5, "quote");
    assert_eq!(f["column"], 25, "{run:?}");
}

// ---------------------------------------------------------------------------
// frontmatter: wrong types, missing keys, bad values

#[test]
fn id_given_as_a_list() {
    let run = lint_doc(doc("id: [ops-01, ops-02]\n\
         title: Runbook\n\
         perspective: operations\n\
         last_updated: 2026-01-15\n"));
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        2,
        "`id` must be a non-empty string, found a list",
    );
}

#[test]
fn key_files_given_as_a_string() {
    let run = lint_doc(ops_doc(
        "key_files: src/app.py\n\
         last_updated: 2026-01-15\n",
    ));
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        5,
        "`key_files` must be a list, found a string",
    );
    assert_eq!(run.json()["checked"]["docs_unreadable"], 1, "{run:?}");
}

#[test]
fn tags_given_as_a_mapping() {
    let run = lint_doc(ops_doc(
        "tags: {pre-market: true}\n\
         last_updated: 2026-01-15\n",
    ));
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        5,
        "`tags` must be a list, found a mapping",
    );
}

#[test]
fn last_updated_that_is_not_a_date() {
    let run = lint_doc(ops_doc("last_updated: last week\n"));
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        5,
        "`last_updated` must be a date written YYYY-MM-DD, found `last week`",
    );
}

#[test]
fn last_updated_on_a_day_that_does_not_exist() {
    let run = lint_doc(ops_doc("last_updated: 2026-02-30\n"));
    assert_single(&run, "frontmatter-invalid", DOC, 5, "`2026-02-30`");
}

#[test]
fn last_updated_in_the_future() {
    let run = lint_doc(ops_doc("last_updated: 2999-01-01\n"));
    assert_single(&run, "frontmatter-invalid", DOC, 5, "in the future");
}

#[test]
fn missing_required_keys_are_each_reported() {
    let run = lint_doc(doc("title: Runbook\n\
         perspective: operations\n\
         key_files: [src/app.py]\n"));
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.rules(),
        vec!["frontmatter-invalid", "frontmatter-invalid"],
        "{run:?}"
    );
    let mut messages: Vec<String> = run
        .findings()
        .iter()
        .map(|f| {
            assert_eq!(f["path"], DOC, "{run:?}");
            assert_eq!(f["line"], 2, "{run:?}");
            message(f).to_string()
        })
        .collect();
    messages.sort();
    assert_eq!(
        messages,
        vec![
            "missing required key `id`",
            "missing required key `last_updated`"
        ]
    );
}

#[test]
fn id_with_capitals_and_a_space() {
    let run = lint_doc(doc("id: Ops 05\n\
         title: Runbook\n\
         perspective: operations\n\
         last_updated: 2026-01-15\n"));
    let f = assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        2,
        "id `Ops 05` must match",
    );
    assert_eq!(f["column"], 5, "{run:?}");
}

#[test]
fn unknown_perspective() {
    let run = lint_doc(doc("id: ops-01\n\
         title: Runbook\n\
         perspective: marketing\n\
         last_updated: 2026-01-15\n"));
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        4,
        "unknown perspective `marketing`",
    );
}

#[test]
fn duplicate_key_in_frontmatter() {
    let run = lint_doc(ops_doc(
        "id: ops-02\n\
         last_updated: 2026-01-15\n",
    ));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 5, "`id` is given twice");
    assert_eq!(f["column"], 1, "{run:?}");
}

// ---------------------------------------------------------------------------
// frontmatter: key_files entries

/// A doc whose second `key_files` entry (file line 7) is `entry`, as written.
fn doc_with_key_file(entry: &str) -> String {
    doc(&format!(
        "id: ops-01\n\
         title: Runbook\n\
         perspective: operations\n\
         key_files:\n  \
           - src/app.py\n  \
           - {entry}\n\
         last_updated: 2026-01-15\n"
    ))
}

#[test]
fn key_file_with_a_dotdot_segment() {
    let run = lint_doc(doc_with_key_file("src/../../secret.py"));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 7, "`..` segment");
    assert_eq!(f["column"], 5, "{run:?}");
}

#[test]
fn key_file_with_an_absolute_path() {
    let run = lint_doc(doc_with_key_file("/etc/passwd"));
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        7,
        "`/etc/passwd` is absolute",
    );
}

#[test]
fn key_file_with_a_backslash() {
    let run = lint_doc(doc_with_key_file("src\\app.py"));
    assert_single(&run, "frontmatter-invalid", DOC, 7, "backslash");
}

#[test]
fn key_file_that_is_an_empty_string() {
    let run = lint_doc(doc_with_key_file("\"\""));
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        7,
        "invalid `key_files` entry: empty",
    );
}

#[test]
fn key_file_with_leading_dot_slash_is_accepted_and_normalized() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n").write(
        DOC,
        runbook("ops-01", &["./src/app.py"], "How the app works."),
    );
    // Valid, and not stale: `./src/app.py` is `src/app.py`.
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["key_files"], 1, "{run:?}");

    repo.commit_base("initial");
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");
    let run = check(&repo);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    let f = &run.findings()[0];
    assert_eq!(f["path"], "src/app.py", "{run:?}");
    assert_eq!(f["docs"], serde_json::json!(["ops-01"]), "{run:?}");
}

// ---------------------------------------------------------------------------
// frontmatter: line endings, BOM, encodings, binary files

/// `text` at [`DOC`] is a valid doc covering `src/app.py`: `lint` is clean
/// and counts it, and its key_files are read (changing the covered file alone
/// is caught).
fn assert_reads_like_the_runbook(text: &str) {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n").write(DOC, text);
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["docs"], 1, "{run:?}");
    assert_eq!(run.json()["checked"]["key_files"], 1, "{run:?}");

    repo.commit_base("initial");
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");
    let run = check(&repo);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    assert_eq!(run.findings()[0]["docs"], serde_json::json!(["ops-01"]));
}

#[test]
fn crlf_doc_parses_like_lf() {
    let crlf = runbook("ops-01", &["src/app.py"], "How the app works.").replace('\n', "\r\n");
    assert_reads_like_the_runbook(&crlf);
}

#[test]
fn crlf_doc_with_an_error_keeps_the_line_number() {
    let text = ops_doc(
        "key_files:\n\
         \t- src/app.py\n\
         last_updated: 2026-01-15\n",
    )
    .replace('\n', "\r\n");
    let run = lint_doc(text);
    let f = assert_single(&run, "frontmatter-invalid", DOC, 6, "tab");
    assert_eq!(f["column"], 2, "{run:?}");
}

#[test]
fn crlf_doc_with_a_bad_value_keeps_the_line_number() {
    let text = ops_doc("last_updated: 2026-02-30\n").replace('\n', "\r\n");
    let run = lint_doc(text);
    let f = assert_single(&run, "frontmatter-invalid", DOC, 5, "`2026-02-30`");
    assert_eq!(f["column"], 15, "{run:?}");
}

#[test]
fn utf8_bom_before_the_fence_is_a_valid_doc() {
    let text = format!(
        "\u{feff}{}",
        runbook("ops-01", &["src/app.py"], "How the app works.")
    );
    assert_reads_like_the_runbook(&text);
}

#[test]
fn utf8_bom_doc_with_an_error_keeps_the_line_number() {
    let text = format!(
        "\u{feff}{}",
        doc("id: Ops 05\n\
             title: Runbook\n\
             perspective: operations\n\
             last_updated: 2026-01-15\n")
    );
    let run = lint_doc(text);
    assert_single(
        &run,
        "frontmatter-invalid",
        DOC,
        2,
        "id `Ops 05` must match",
    );
}

#[test]
fn non_utf8_bytes_in_the_frontmatter_name_the_line() {
    let mut bytes = b"---\nid: ops-01\ntitle: Caf".to_vec();
    bytes.push(0xE9); // Latin-1 é
    bytes.extend_from_slice(
        b" runbook\nperspective: operations\nlast_updated: 2026-01-15\n---\n\nBody.\n",
    );
    let run = lint_doc(bytes);
    assert_single(&run, "frontmatter-invalid", DOC, 3, "UTF-8");
}

#[test]
fn non_utf8_bytes_in_the_body_only_leave_the_doc_valid() {
    let mut bytes = runbook("ops-01", &["src/app.py"], "How the app works.").into_bytes();
    bytes.extend_from_slice(b"Caf\xE9 \xFF\xFE latin-1 notes.\n");
    let run = lint_doc(bytes);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["docs"], 1, "{run:?}");
    assert_eq!(run.json()["checked"]["docs_unreadable"], 0, "{run:?}");
}

#[test]
fn binary_md_that_starts_with_a_fence_is_a_finding() {
    let repo = covered_repo();
    let mut bytes = b"---\nid: x\n\x00\x01\x02\xFF\xFE\n---\n".to_vec();
    bytes.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    repo.write("docs/x.md", bytes);
    repo.commit("add a binary file named .md");
    let run = check(&repo);
    assert_single(&run, "frontmatter-invalid", "docs/x.md", 3, "NUL");
}

#[test]
fn binary_md_without_a_fence_is_not_a_doc() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n").write(
        DOC,
        runbook("ops-01", &["src/app.py"], "How the app works."),
    );
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i * 13 % 256) as u8));
    repo.write("docs/x.md", png);
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["docs"], 1, "{run:?}");
}

// ---------------------------------------------------------------------------
// non-UTF-8 file names

#[test]
fn changed_file_with_a_non_utf8_name_is_still_gated() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n")
        .write(DOC, runbook("ops-01", &["src/"], "How the app works."));
    repo.commit_base("initial");
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.py");
    std::fs::write(repo.path().join("src").join(name), "x = 1\n").unwrap();
    repo.commit("add a file with a Latin-1 name");

    let run = check(&repo);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    let f = &run.findings()[0];
    let path = f["path"].as_str().unwrap();
    assert!(
        path.starts_with("src/caf") && path.ends_with(".py"),
        "{run:?}"
    );
    assert_eq!(f["docs"], serde_json::json!(["ops-01"]), "{run:?}");
    assert_eq!(run.json()["checked"]["covered_files"], 1, "{run:?}");
}

#[test]
fn doc_with_a_non_utf8_name_is_not_silently_skipped() {
    // A doc docgate cannot see cannot say what it covers: its broken
    // frontmatter must be reported (or docgate must refuse, naming it).
    let repo = covered_repo();
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.md");
    std::fs::write(
        repo.path().join("docs").join(name),
        doc("id: Ops 05\n\
             title: Runbook\n\
             perspective: operations\n\
             last_updated: 2026-01-15\n"),
    )
    .unwrap();
    repo.commit("add a doc with a Latin-1 name");

    let run = check(&repo);
    assert_no_panic(&run);
    match run.code {
        1 => {
            let all = run.findings();
            let hit = all.iter().find(|f| {
                f["rule"] == "frontmatter-invalid"
                    && f["path"]
                        .as_str()
                        .is_some_and(|p| p.starts_with("docs/caf"))
            });
            let f = hit.unwrap_or_else(|| panic!("no finding on docs/caf?.md: {run:?}"));
            assert_eq!(f["line"], 2, "{run:?}");
        }
        2 => assert!(run.stderr.contains("docs/caf"), "{run:?}"),
        _ => panic!("the doc with a non-UTF-8 name passed silently: {run:?}"),
    }
}

// ---------------------------------------------------------------------------
// huge and unterminated input

fn huge_doc() -> Vec<u8> {
    let mut bytes = runbook("ops-01", &["src/app.py"], "How the app works.").into_bytes();
    bytes.resize(MAX_FILE_BYTES + 4096, b'x');
    bytes.push(b'\n');
    bytes
}

fn assert_too_large(run: &Run, size: usize) {
    let f = assert_single(run, "frontmatter-invalid", DOC, 1, &size.to_string());
    let msg = message(&f);
    assert!(msg.contains(&MAX_FILE_BYTES.to_string()), "{run:?}");
    assert_eq!(run.json()["checked"]["docs_unreadable"], 1, "{run:?}");
}

#[test]
fn doc_over_the_size_limit_in_lint() {
    let bytes = huge_doc();
    let size = bytes.len();
    let run = lint_doc(bytes);
    assert_too_large(&run, size);
}

#[test]
fn doc_over_the_size_limit_in_check() {
    let bytes = huge_doc();
    let size = bytes.len();
    let run = check_doc(bytes);
    assert_too_large(&run, size);
}

#[test]
fn frontmatter_that_never_closes() {
    let run = lint_doc(
        "---\nid: ops-01\ntitle: Runbook\nperspective: operations\n\
         last_updated: 2026-01-15\n\n# Runbook\n\nBody.\n",
    );
    let f = assert_single(&run, "frontmatter-invalid", DOC, 1, "never closed");
    assert_eq!(f["column"], 1, "{run:?}");
}

#[test]
fn deeply_nested_list_in_frontmatter_is_refused() {
    let run = lint_doc(doc(&format!(
        "id: ops-01\n\
         title: Runbook\n\
         perspective: operations\n\
         tags: {}\n\
         last_updated: 2026-01-15\n",
        nested_brackets(10_000)
    )));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 5, "");
    let msg = message(&f);
    assert!(
        msg.contains("recursion") || msg.contains("nesting"),
        "{run:?}"
    );
}

#[test]
fn deeply_nested_mapping_in_frontmatter_is_refused() {
    let run = lint_doc(doc(&format!(
        "id: ops-01\n\
         title: Runbook\n\
         perspective: operations\n\
         tags: {}{}\n\
         last_updated: 2026-01-15\n",
        "{a: ".repeat(10_000),
        "}".repeat(10_000)
    )));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 5, "");
    let msg = message(&f);
    assert!(
        msg.contains("recursion") || msg.contains("nesting"),
        "{run:?}"
    );
}

// ---------------------------------------------------------------------------
// check: a broken doc the change did not touch

#[test]
fn untouched_unreadable_doc_is_reported_when_code_changes() {
    let repo = covered_repo();
    repo.write(
        "docs/ops/broken.md",
        doc("id: ops-02\n\
             title: Runbook\n\
             perspective: operations\n\
             key_files:\n  \
               - **/*.py\n\
             last_updated: 2026-01-15\n"),
    );
    repo.commit("a broken runbook");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--ff-only", "feature"]);
    repo.git(&["checkout", "-q", "-b", "next"]);
    repo.write("src/other.py", "x = 2\n");
    repo.commit("change other");

    let run = check(&repo);
    assert_no_panic(&run);
    assert_eq!(run.code, 0, "a warning does not fail the gate: {run:?}");
    assert_eq!(run.rules(), vec!["frontmatter-invalid"], "{run:?}");
    let f = finding_at(&run, "frontmatter-invalid", "docs/ops/broken.md", 6);
    assert_eq!(f["severity"], "warning", "{run:?}");
    assert!(message(&f).contains("unknown"), "{run:?}");
    assert_eq!(run.json()["checked"]["docs_unreadable"], 1, "{run:?}");
}

// ---------------------------------------------------------------------------
// .docgate.yml

#[test]
fn config_unclosed_bracket() {
    let repo = repo_with_config("version: 1\ndocs:\n  roots: [docs\ncoverage:\n  enforce: true\n");
    assert_config_error(&lint(&repo), &[".docgate.yml:4:9"], &[]);
}

#[test]
fn config_tab_indentation() {
    let repo = repo_with_config("version: 1\ndocs:\n\troots: [docs]\n");
    assert_config_error(&lint(&repo), &[".docgate.yml:3:2"], &["tab"]);
}

#[test]
fn config_bad_indentation() {
    let repo = repo_with_config("coverage:\n  enforce: true\n   substantive: true\n");
    let run = lint(&repo);
    assert_config_error(&run, &[".docgate.yml:3:"], &[]);
}

#[test]
fn config_invalid_yaml_also_stops_check() {
    let repo = covered_repo();
    repo.write(".docgate.yml", "version: 1\ndocs:\n\troots: [docs]\n");
    repo.commit("broken config");
    assert_config_error(&check(&repo), &[".docgate.yml:3:2"], &["tab"]);
}

#[test]
fn config_unknown_key_suggests_the_nearest() {
    let repo = repo_with_config("coverage: {enforse: true}\n");
    assert_config_error(
        &lint(&repo),
        &[".docgate.yml:1:12"],
        &["unknown key `enforse`", "did you mean `enforce`?"],
    );
}

#[test]
fn config_bool_given_as_a_word() {
    let repo = repo_with_config("coverage:\n  enforce: yes please\n");
    assert_config_error(
        &lint(&repo),
        &[".docgate.yml:2:12"],
        &["`coverage.enforce` must be true or false"],
    );
}

#[test]
fn config_list_given_as_a_string() {
    let repo = repo_with_config("docs:\n  roots: docs\n");
    assert_config_error(
        &lint(&repo),
        &[".docgate.yml:2:10"],
        &["`docs.roots` must be a list"],
    );
}

#[test]
fn config_reports_every_problem_at_once() {
    let repo = repo_with_config(
        "version: 1\n\
         coverage:\n  \
           enforse: true\n  \
           substantive: maybe\n\
         docs:\n  \
           roots: docs\n\
         github:\n  \
           comment: loud\n",
    );
    assert_config_error(
        &lint(&repo),
        &[
            ".docgate.yml:3:3",
            ".docgate.yml:4:16",
            ".docgate.yml:6:10",
            ".docgate.yml:8:12",
        ],
        &["4 problems", "did you mean `enforce`?", "found `loud`"],
    );
}

#[test]
fn config_rule_severity_maybe() {
    let repo = repo_with_config("rules: {doc-not-updated: maybe}\n");
    assert_config_error(
        &lint(&repo),
        &[".docgate.yml:1:26"],
        &["severity of `doc-not-updated` must be error, warning, note or off, found `maybe`"],
    );
}

#[test]
fn config_that_is_a_list() {
    let repo = repo_with_config("- docs\n- coverage\n");
    assert_config_error(
        &lint(&repo),
        &[".docgate.yml:1:1"],
        &["must be a mapping, found a list"],
    );
}

#[test]
fn config_with_non_utf8_bytes_names_the_line() {
    let repo = repo_with_config(b"version: 1\ndocs:\n  index: caf\xE9.md\n");
    assert_config_error(&lint(&repo), &[".docgate.yml:3:13"], &["UTF-8"]);
}

#[test]
fn config_deeply_nested_is_refused() {
    let repo = repo_with_config(format!(
        "version: 1\ndocs:\n  roots: {}\n",
        nested_brackets(10_000)
    ));
    let run = lint(&repo);
    assert_config_error(&run, &[".docgate.yml:3:"], &[]);
    assert!(
        run.stderr.contains("recursion") || run.stderr.contains("nesting"),
        "{run:?}"
    );
}

#[test]
fn config_duplicate_key() {
    let repo = repo_with_config("coverage:\n  enforce: true\n  enforce: false\n");
    assert_config_error(
        &lint(&repo),
        &[".docgate.yml:3:3"],
        &["`enforce` is given twice"],
    );
}

#[test]
fn empty_config_means_defaults() {
    for config in ["", "# nothing configured yet\n"] {
        let repo = repo_with_config(config);
        let run = lint(&repo);
        assert_clean(&run);
        assert_eq!(run.json()["checked"]["docs"], 1, "{run:?}");

        // The defaults are active, not everything off: coverage is enforced.
        repo.commit_base("initial");
        repo.write("src/app.py", "print('v2')\n");
        repo.commit("change app");
        let run = check(&repo);
        assert_no_panic(&run);
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
        assert_eq!(run.findings()[0]["path"], "src/app.py", "{run:?}");
    }
}

// ---------------------------------------------------------------------------
// fail-open paths (issue 8): each was a silent pass

/// A near-miss of `key_files` or `depends_on` silently takes the doc's
/// coverage or links away: an error, at the key, in lint and in check.
#[test]
fn near_miss_of_key_files_or_depends_on_is_an_error() {
    for (key, near, what) in [
        ("keyfiles", "key_files", "covers no files"),
        ("key-files", "key_files", "covers no files"),
        ("key_file", "key_files", "covers no files"),
        ("depends-on", "depends_on", "links no docs"),
        ("dependson", "depends_on", "links no docs"),
    ] {
        let content = runbook("ops-01", &["src/app.py"], "How the app works.")
            .replace(
                "key_files:",
                &format!(
                    "{}:",
                    if near == "key_files" {
                        key
                    } else {
                        "key_files"
                    }
                ),
            )
            .replace(
                "perspective:",
                &if near == "depends_on" {
                    format!("{key}: [ops-02]\nperspective:")
                } else {
                    "perspective:".to_string()
                },
            );
        let line = content
            .lines()
            .position(|l| l.starts_with(&format!("{key}:")))
            .unwrap()
            + 1;
        let run = lint_doc(&content);
        let f = assert_single(
            &run,
            "frontmatter-invalid",
            DOC,
            line as u64,
            &format!(
                "unknown frontmatter key `{key}` (did you mean `{near}`?): spelled this way it {what}"
            ),
        );
        assert_eq!(f["column"], 1, "{run:?}");
    }
}

/// `keyfiles:` in an unchanged doc: the change to the file it meant to cover
/// is reported as of unknown coverage, never a clean pass.
#[test]
fn near_miss_of_key_files_makes_coverage_unknown_in_check() {
    let repo = covered_repo();
    repo.write(
        DOC,
        runbook("ops-01", &["src/app.py"], "How the app works.").replace("key_files:", "keyfiles:"),
    );
    repo.commit("typo in the runbook");
    repo.git(&["checkout", "-q", "-b", "later"]);
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change the app");
    let run = repo.docgate(&["check", "--base", "feature", "--format", "json"]);
    assert_no_panic(&run);
    let f = finding_at(&run, "frontmatter-invalid", DOC, 5);
    assert_eq!(f["severity"], "warning", "{run:?}");
    assert!(
        message(&f).contains("which files it covers is unknown"),
        "{run:?}"
    );
    // The change that introduced the typo is an error.
    let run = repo.docgate(&[
        "check", "--base", "main", "--head", "feature", "--format", "json",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let f = finding_at(&run, "frontmatter-invalid", DOC, 5);
    assert_eq!(f["severity"], "error", "{run:?}");
}

/// Frontmatter after blank lines is not frontmatter to any reader: say so at
/// the `---` line instead of dropping the doc.
#[test]
fn frontmatter_after_blank_lines_is_reported_not_skipped() {
    for (prefix, line, blank) in [
        ("\n", 2, "1 blank line:"),
        ("\n  \n\r\n", 4, "3 blank lines:"),
    ] {
        let content = format!("{prefix}{}", runbook("ops-01", &["src/app.py"], "Body."));
        let run = lint_doc(&content);
        assert_single(
            &run,
            "frontmatter-invalid",
            DOC,
            line,
            &format!(
                "the frontmatter starts on line {line}, after {blank} frontmatter is read only when `---` is the first line"
            ),
        );
    }
    // Text before the `---` is a Markdown file with a rule, not a doc.
    let repo = TestRepo::new();
    repo.write("src/app.py", "x\n")
        .write("docs/ok.md", runbook("ops-02", &["src/app.py"], "Body."))
        .write(DOC, "# Notes\n\n---\n\nmore\n");
    let run = lint(&repo);
    assert_clean(&run);
}

/// `.mdc` (and other Markdown names) with frontmatter under the roots: a
/// finding each, and "nothing to check" names them.
#[test]
fn frontmatter_in_a_file_that_is_not_a_doc_is_reported() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x\n")
        .write("docs/ok.md", runbook("ops-02", &["src/app.py"], "Body."))
        .write(
            "docs/ops/serving.mdc",
            runbook("ops-01", &["src/app.py"], "Body."),
        )
        .write(
            "docs/ops/NOTES.MD",
            runbook("ops-03", &["src/app.py"], "Body."),
        )
        .write("docs/ops/plain.mdx", "# no frontmatter\n")
        .write("docs/data.yaml", "---\nkey: value\n");
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.rules(),
        vec!["frontmatter-invalid", "frontmatter-invalid"],
        "{run:?}"
    );
    for (path, ext) in [("docs/ops/serving.mdc", "mdc"), ("docs/ops/NOTES.MD", "MD")] {
        let f = finding_at(&run, "frontmatter-invalid", path, 1);
        assert!(
            message(&f).contains(&format!(
                "{path} has YAML frontmatter, but docgate reads only `*.md` files under docs.roots as docs, so this `.{ext}` file covers nothing"
            )),
            "{run:?}"
        );
    }
    assert_eq!(run.json()["checked"]["docs_skipped"], 2, "{run:?}");

    // Only `.mdc` runbooks: exit 2, and the message says why nothing was read.
    let repo = TestRepo::new();
    repo.write("src/app.py", "x\n").write(
        "docs/ops/serving.mdc",
        runbook("ops-01", &["src/app.py"], "Body."),
    );
    for args in [&["lint"][..], &["context", "src/app.py"][..]] {
        let run = repo.docgate(args);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr.contains(
                "nothing to check: no docs under docs/; 1 file looks like a runbook there but is not read \
                 as docs (a Markdown file not named `*.md`, a symbolic link, too large): docs/ops/serving.mdc"
            ),
            "{run:?}"
        );
    }
}

fn lfs_pointer(size: u64) -> String {
    format!(
        "version https://git-lfs.github.com/spec/v1\n\
         oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n\
         size {size}\n"
    )
}

/// A Git LFS pointer is never parsed as content: a doc, the config and a
/// feature source that are pointers each give a clear finding or error.
#[test]
fn lfs_pointers_are_named_never_parsed() {
    let said = "is a Git LFS pointer (oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393, 12345 bytes), not the file";
    // A doc, in lint (working tree) and in check (git objects).
    let run = lint_doc(lfs_pointer(12345));
    let f = assert_single(&run, "frontmatter-invalid", DOC, 1, said);
    assert!(message(&f).contains(&format!("{DOC} {said}")));
    let run = check_doc(lfs_pointer(12345));
    assert_single(&run, "frontmatter-invalid", DOC, 1, said);

    // The config: exit 2 naming it.
    let repo = repo_with_config(lfs_pointer(12345));
    let run = lint(&repo);
    assert_exit_2_saying(&run, &format!(".docgate.yml {said}"));
    std::fs::write(repo.path().join("other.yml"), lfs_pointer(12345)).unwrap();
    std::fs::remove_file(repo.path().join(".docgate.yml")).unwrap();
    let run = repo.docgate(&["lint", "--config", "other.yml"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains(&format!("other.yml {said}")), "{run:?}");

    // A text feature source: not three feature names.
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        "feature_lists:\n  - id: m\n    training: {file: training/features.txt}\n    inference: {file: inference/features.txt}\n",
    )
    .write("training/features.txt", lfs_pointer(12345))
    .write("inference/features.txt", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n");
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.rules(),
        vec!["feature-source-error", "feature-source-error"],
        "{run:?}"
    );
    let f = finding_at(&run, "feature-source-error", "training/features.txt", 1);
    assert!(
        message(&f).contains(&format!("training/features.txt {said}")),
        "{run:?}"
    );
    assert_eq!(run.json()["checked"]["feature_lists"][0]["status"], "error");

    // A pointer whose size line is malformed is still a pointer, not names.
    std::fs::write(
        repo.path().join("training/features.txt"),
        "version https://git-lfs.github.com/spec/v1\nsize twelve\n",
    )
    .unwrap();
    let run = lint(&repo);
    let f = finding_at(&run, "feature-source-error", "training/features.txt", 1);
    assert!(
        message(&f).contains(
            "training/features.txt is a Git LFS pointer (without a readable oid and size)"
        ),
        "{run:?}"
    );
}

/// The uid this test process runs as (the owner of a file it creates).
fn my_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    let f = tempfile::NamedTempFile::new().unwrap();
    f.as_file().metadata().unwrap().uid()
}

/// Run docgate as a user that file permissions apply to: as root (where
/// `chmod 000` stops nothing) through util-linux's `setpriv` as `nobody`,
/// with the repository handed to that user.
fn docgate_unprivileged(repo: &TestRepo, args: &[&str]) -> Run {
    let mut cmd;
    if my_uid() == 0 {
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("running as root, this test needs util-linux's setpriv to drop privileges (apt-get install util-linux)");
        let chown = std::process::Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(repo.dir.path())
            .status()
            .expect("chown runs");
        assert!(chown.success());
        cmd = std::process::Command::new(setpriv);
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(docgate_bin());
    } else {
        cmd = std::process::Command::new(docgate_bin());
    }
    cmd.current_dir(repo.path())
        .stdin(std::process::Stdio::null());
    isolate(&mut cmd, &repo.home());
    cmd.args(args);
    Run::from(cmd.output().expect("docgate runs"))
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A tracked doc that cannot be read is not a deleted doc: its coverage must
/// not vanish. Exit 2 naming it.
#[test]
fn an_unreadable_tracked_doc_is_an_error_not_a_deletion() {
    let repo = covered_repo();
    repo.write(
        "docs/other.md",
        runbook("ops-02", &["src/other.py"], "Other."),
    );
    repo.commit("a second runbook");
    chmod(&repo.path().join("docs/ops"), 0o000);
    let run = docgate_unprivileged(&repo, &["lint"]);
    chmod(&repo.path().join("docs/ops"), 0o755);
    assert_no_panic(&run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("cannot read docs/ops/app.md")
            && run.stderr.contains("Permission denied"),
        "{run:?}"
    );
}

/// A working-tree file git cannot examine is not "unchanged": `--worktree`
/// refuses to decide instead of leaving it out.
#[test]
fn an_unreadable_working_tree_file_is_an_error_not_left_out() {
    let repo = covered_repo();
    std::fs::create_dir_all(repo.path().join("src/new")).unwrap();
    repo.write("src/new/model.py", "x = 1\n");
    // Readable but not searchable: git lists the name, cannot stat it.
    chmod(&repo.path().join("src/new"), 0o444);
    let run = docgate_unprivileged(&repo, &["check", "--worktree"]);
    chmod(&repo.path().join("src/new"), 0o755);
    assert_exit_2_saying(
        &run,
        "cannot read src/new/model.py in the working tree (permission denied?): what changed there is unknown",
    );
}

/// `--config FILE` from disk has the same size limit as a config in the
/// repository: a 9 MiB file is refused, never read.
#[test]
fn an_oversized_config_given_with_dash_dash_config_is_refused() {
    let repo = repo_with_config("version: 1\n");
    let big = format!("version: 1\n#{}\n", "x".repeat(MAX_FILE_BYTES + 1));
    std::fs::write(repo.path().join("big.yml"), big).unwrap();
    let run = repo.docgate(&["lint", "--config", "big.yml"]);
    assert_exit_2_saying(
        &run,
        "big.yml: the config is 8388622 bytes; that is not a configuration file",
    );
}

/// A doc with an invalid `key_files` entry (or `key_files` twice) may have
/// been the one covering a changed file: in check its coverage is unknown
/// (a warning), never silently "the other entries".
#[test]
fn an_unreadable_key_files_entry_makes_coverage_unknown() {
    let base = runbook("ops-01", &["src/app.py"], "How the app works.");
    for content in [
        // An entry that is not a valid glob.
        base.replace(
            r#"  - "src/app.py""#,
            "  - \"src/app.py\"\n  - \"src/core/{a,b\"",
        ),
        // An entry that is not a string.
        base.replace(r#"  - "src/app.py""#, "  - \"src/app.py\"\n  - [a, b]"),
        // `key_files` twice: which list was meant is unknown.
        base.replace("last_updated:", "key_files: [src/other.py]\nlast_updated:"),
    ] {
        let repo = covered_repo();
        repo.write(DOC, &content);
        repo.commit("a runbook with a broken key_files entry");
        repo.git(&["checkout", "-q", "-b", "later"]);
        repo.write("src/app.py", "print('v2')\n");
        repo.commit("change the app");
        let run = repo.docgate(&["check", "--base", "feature", "--format", "json"]);
        assert_no_panic(&run);
        let hits: Vec<Value> = run
            .findings()
            .into_iter()
            .filter(|f| f["rule"] == "frontmatter-invalid" && f["path"] == DOC)
            .collect();
        assert_eq!(hits.len(), 1, "{content}: {run:?}");
        assert_eq!(hits[0]["severity"], "warning", "{run:?}");
        assert!(
            message(&hits[0]).contains("which files it covers is unknown for this change"),
            "{run:?}"
        );
        assert_eq!(run.json()["checked"]["docs_unreadable"], 1, "{run:?}");
    }
}

/// A `.mdc` (or `.MD`) file under the roots that is too large or an LFS
/// pointer cannot be looked at: named, never skipped without a word.
#[test]
fn an_lfs_or_oversized_markdown_file_that_is_not_md_is_named() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x\n")
        .write("docs/ok.md", runbook("ops-02", &["src/app.py"], "Body."))
        .write(
            "docs/rules.mdc",
            "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 99\n",
        )
        .write("docs/BIG.MD", "x".repeat(MAX_FILE_BYTES + 1));
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let f = finding_at(&run, "frontmatter-invalid", "docs/rules.mdc", 1);
    assert!(
        message(&f).contains("docs/rules.mdc is a Git LFS pointer"),
        "{run:?}"
    );
    let f = finding_at(&run, "frontmatter-invalid", "docs/BIG.MD", 1);
    assert!(
        message(&f).contains(&format!(
            "docs/BIG.MD is {} bytes, over docgate's limit",
            MAX_FILE_BYTES + 1
        )),
        "{run:?}"
    );
}

/// A doc that is a symbolic link to a runbook elsewhere in the repository:
/// docgate follows no link, and says the linked runbook covers nothing here.
#[test]
fn a_doc_linked_to_a_runbook_in_the_repository_is_named() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x\n")
        .write("docs/ok.md", runbook("ops-02", &["src/app.py"], "Body."))
        .write(
            "runbooks/serving.md",
            runbook("ops-01", &["src/app.py"], "Body."),
        )
        .write("runbooks/plain.md", "# no frontmatter\n");
    std::os::unix::fs::symlink(
        "../runbooks/serving.md",
        repo.path().join("docs/serving.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../runbooks/plain.md", repo.path().join("docs/README.md")).unwrap();
    for run in [lint(&repo), {
        repo.commit("linked runbooks");
        repo.docgate(&["lint", "--format", "json"])
    }] {
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(run.rules(), vec!["frontmatter-invalid"], "{run:?}");
        let f = finding_at(&run, "frontmatter-invalid", "docs/serving.md", 1);
        assert!(
            message(&f).contains(
                "docs/serving.md is a symbolic link to runbooks/serving.md, which has YAML frontmatter; docgate follows no links"
            ),
            "{run:?}"
        );
    }
    // In a commit too (check reads git objects).
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/app.py", "y\n");
    repo.commit("change");
    let run = check(&repo);
    let f = finding_at(&run, "frontmatter-invalid", "docs/serving.md", 1);
    assert_eq!(f["severity"], "warning", "{run:?}");
}

/// An empty side (`training:`, `inference: ~`) or an empty entry in
/// `feature_lists` is a config error, never a pair that checks nothing.
#[test]
fn an_empty_feature_list_side_or_entry_is_a_config_error() {
    for (config, location, message) in [
        (
            "feature_lists:\n  - id: m\n    training:\n    inference: {file: b.txt}\n",
            ".docgate.yml:3:5",
            "`feature_lists[].training` is empty: it needs `{file: ..., symbol: ...}`",
        ),
        (
            "feature_lists:\n  - id: m\n    training: {file: a.txt}\n    inference: ~\n",
            ".docgate.yml:4:5",
            "`feature_lists[].inference` is empty",
        ),
        (
            "feature_lists:\n  - id: m\n    training: {file: a.txt}\n    inference: {file: b.txt}\n    version:\n",
            ".docgate.yml:5:5",
            "`feature_lists[].version` is empty",
        ),
        (
            "feature_lists:\n  -\n",
            ".docgate.yml:3:1",
            "an empty entry in `feature_lists`: a feature list needs `id`, `training` and `inference`",
        ),
    ] {
        let repo = repo_with_config(config);
        repo.write("a.txt", "x\n").write("b.txt", "x\n");
        let run = lint(&repo);
        assert_config_error(&run, &[location], &[message]);
    }
}

/// `vendor/lib/` covers the submodule at `vendor/lib` (a gitlink is the
/// folder): a bump needs the runbook, and the entry is not stale.
#[test]
fn a_folder_entry_covers_the_submodule_at_that_path() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x\n").write(
        DOC,
        runbook(
            "ops-01",
            &["src/app.py", "vendor/lib/"],
            "How the app works.",
        ),
    );
    repo.git(&["add", "-A"]);
    let link = |c: char| format!("160000,{},vendor/lib", c.to_string().repeat(40));
    repo.git(&["update-index", "--add", "--cacheinfo", &link('a')]);
    repo.git(&["commit", "-q", "-m", "with a submodule"]);
    let run = lint(&repo);
    assert_clean(&run);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.git(&["update-index", "--cacheinfo", &link('b')]);
    let run = repo.docgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    let f = &run.findings()[0];
    assert_eq!(f["path"], "vendor/lib", "{run:?}");
    assert!(message(f).contains("via `vendor/lib/`"), "{run:?}");
    repo.git(&["commit", "-q", "-m", "bump"]);
    let run = check(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
}

/// A sparse checkout keeps docs off disk, not out of the repository: lint
/// reads them from the index as git does, never "no docs".
#[test]
fn a_sparse_checkout_still_reads_the_docs() {
    let repo = covered_repo();
    repo.write(
        "docs/other.md",
        runbook("ops-02", &["src/other.py"], "Other."),
    );
    repo.commit("a second runbook");
    repo.git(&["sparse-checkout", "set", "src"]);
    assert!(
        !repo.path().join("docs/ops/app.md").exists(),
        "docs/ is off disk"
    );
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["docs"], 2, "{run:?}");
    let run = repo.docgate(&["context", "src/app.py", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.json()["paths"][0]["covering"][0]["id"],
        "ops-01",
        "{run:?}"
    );
}

/// A doc in conflict in the index (a merge in progress) is an error for
/// `--staged`, not a missing doc whose coverage vanished.
#[test]
fn a_doc_in_conflict_is_exit_2_for_staged() {
    let repo = covered_repo();
    repo.write(
        DOC,
        runbook_dated("ops-01", &["src/app.py"], "2026-06-01", "Feature side."),
    );
    repo.commit("feature edits the runbook");
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        DOC,
        runbook_dated("ops-01", &["src/app.py"], "2026-06-01", "Main side."),
    );
    repo.commit("main edits the runbook");
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(repo.path())
        .args(["merge", "-q", "feature"]);
    isolate(&mut cmd, &repo.home());
    let merged = cmd.output().unwrap();
    assert!(!merged.status.success(), "the merge conflicts");
    repo.write("src/app.py", "print('v2')\n");
    repo.git(&["add", "src/app.py"]);
    let run = repo.docgate(&["check", "--staged"]);
    assert_exit_2_saying(
        &run,
        "docs/ops/app.md is in conflict in the index (a merge is in progress)",
    );
}

/// Layers whose checks this version does not run are refused when set, so a
/// configured layer never silently goes unchecked; an explicit `docs.roots`
/// that does not exist is exit 2 even when it is `docs`.
#[test]
fn code_rule_settings_are_validated_never_ignored() {
    // An incomplete rule is a config error at its entry, not a no-op.
    let repo =
        repo_with_config("forbidden_imports:\n  - {paths: [\"inference/**\"], modules: [ray]}\n");
    let run = lint(&repo);
    assert_config_error(
        &run,
        &[".docgate.yml:2:5"],
        &["`forbidden_imports[]` entry lacks `id`, `reason`"],
    );
    // A rule whose globs match no Python file would check nothing: exit 2.
    let repo = repo_with_config("silent_fallback:\n  paths: [\"inference/**\"]\n");
    let run = lint(&repo);
    assert_no_panic(&run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("match no Python file")
            && run
                .stderr
                .contains("silent_fallback (line 2): paths inference/**"),
        "{run:?}"
    );
    let repo = repo_with_config("docs:\n  roots: [docs, runbooks]\n");
    std::fs::remove_dir_all(repo.path().join("docs")).unwrap();
    repo.write("runbooks/a.md", runbook("ops-01", &["src/app.py"], "Body."));
    let run = lint(&repo);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("names a file that does not exist in the working tree: docs/"),
        "{run:?}"
    );
}

/// `context` does not say "no doc covers this path" as the whole truth when
/// some docs cannot say what they cover.
#[test]
fn context_names_docs_whose_coverage_is_unknown() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x\n")
        .write("src/other.py", "y\n")
        .write("docs/ok.md", runbook("ops-02", &["src/app.py"], "Body."))
        .write("docs/broken.md", "---\nid: [unclosed\n---\nbody\n")
        .write(
            "docs/rules.mdc",
            runbook("ops-03", &["src/other.py"], "Body."),
        );
    let run = repo.docgate(&["context", "src/other.py"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(
            "  no doc covers this path that docgate can read (2 cannot say what they cover: docs/broken.md, docs/rules.mdc; see `docgate lint`)"
        ),
        "{run:?}"
    );
    let run = repo.docgate(&["context", "src/other.py", "--format", "json"]);
    assert_eq!(
        run.json()["coverage_unknown"],
        serde_json::json!(["docs/broken.md", "docs/rules.mdc"]),
        "{run:?}"
    );
}
