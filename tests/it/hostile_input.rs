//! Hostile input across everything docgate reads (SPEC §1.1, §2.2, §3, §5,
//! §9, §10): the config, doc frontmatter, feature sources, Python, the
//! pre-push ref list, GitHub event payloads and uploaded reports, plus the
//! repositories themselves (empty, detached, SHA-256, submodules, symlinks
//! out of the tree, read-only). Each case asserts the exact outcome: a
//! finding (rule, path, line, message) or exit 2 naming the file (and line),
//! never a panic, never a silent pass. The frontmatter and config basics
//! are in tests/it/bad_input.rs; nothing here repeats them.
//!
//! The last section holds the cases that found bugs outside this suite's
//! files (fixed since), each marked `// was: ...` with the bug as found.

use std::io::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::gh::*;
use crate::support::*;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DOC: &str = "docs/ops/app.md";
const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

// ---------------------------------------------------------------------------
// helpers

/// The report holds exactly one finding, and it is `rule` at `path:line`
/// with `severity`, whose message contains every `parts`.
fn assert_only(run: &Run, rule: &str, severity: &str, path: &str, line: u64, parts: &[&str]) {
    assert_no_panic(run);
    let all = run.findings();
    assert_eq!(all.len(), 1, "expected exactly one finding: {run:?}");
    assert_finding(run, &all[0], rule, severity, path, line, parts);
}

fn assert_finding(
    run: &Run,
    f: &Value,
    rule: &str,
    severity: &str,
    path: &str,
    line: u64,
    parts: &[&str],
) {
    assert_eq!(f["rule"], rule, "{run:?}");
    assert_eq!(f["severity"], severity, "{run:?}");
    assert_eq!(f["path"], path, "{run:?}");
    // Line 0: a file-level finding, without a line.
    let line = if line == 0 { Value::Null } else { json!(line) };
    assert_eq!(f["line"], line, "{run:?}");
    let msg = f["message"].as_str().expect("a message");
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}\n{run:?}");
    }
}

/// One error finding: exit 1 and [`assert_only`].
fn assert_error(run: &Run, rule: &str, path: &str, line: u64, parts: &[&str]) {
    assert_eq!(run.code, 1, "{run:?}");
    assert_only(run, rule, "error", path, line, parts);
}

/// Exit 2: docgate could not do its job. Nothing on stdout, and stderr says
/// `docgate: error:` and contains every `needles`.
fn assert_exit_2(run: &Run, needles: &[&str]) {
    assert_no_panic(run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.trim().is_empty(), "no report expected: {run:?}");
    assert!(run.stderr.contains("docgate: error:"), "{run:?}");
    for n in needles {
        assert!(run.stderr.contains(n), "stderr lacks {n:?}: {run:?}");
    }
}

/// A repository with `src/app.py` and ops-01 covering it, not committed.
fn docs_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n").write(
        DOC,
        runbook("ops-01", &["src/app.py"], "How the app works."),
    );
    repo
}

/// A `.docgate.yml` with one feature-list pair `m`: `training` (a flow map)
/// against the text file `inf.txt`. The training entry is config line 3.
fn feature_config(training: &str) -> String {
    format!(
        "feature_lists:\n  - id: m\n    training: {training}\n    inference: {{file: inf.txt}}\n"
    )
}

/// A repository whose only input is feature pair `m`: the training side
/// `training` with `files`, the inference side `inf.txt` listing a and b.
fn feature_repo(training: &str, files: &[(&str, &[u8])]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", feature_config(training))
        .write("inf.txt", "a\nb\n");
    for (p, bytes) in files {
        repo.write(p, bytes);
    }
    repo
}

/// The `checked.feature_lists` entry of pair `m`.
fn pair(run: &Run) -> Value {
    run.json()["checked"]["feature_lists"][0].clone()
}

/// `training` could not be extracted: exactly one feature-source-error at
/// `path:line`, and the pair's status is `error` (never a skip).
fn assert_source_error(run: &Run, path: &str, line: u64, parts: &[&str]) {
    assert_error(run, "feature-source-error", path, line, parts);
    assert_eq!(pair(run)["status"], "error", "{run:?}");
}

/// The training side was read as exactly `a`, `b`: identical to `inf.txt`.
fn assert_reads_a_b(run: &Run) {
    assert_clean(run);
    let p = pair(run);
    assert_eq!(p["status"], "identical", "{run:?}");
    assert_eq!(p["names"], 2, "{run:?}");
}

/// `docgate <args>` in `repo` with `stdin` piped in.
fn docgate_stdin(repo: &TestRepo, args: &[&str], stdin: &[u8]) -> Run {
    let mut cmd = Command::new(docgate_bin());
    cmd.current_dir(repo.path())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    isolate(&mut cmd, &repo.home());
    let mut child = cmd.spawn().expect("docgate runs");
    let mut input = child.stdin.take().expect("piped");
    // docgate may stop reading early (a refused line); a closed pipe then is fine.
    let _ = input.write_all(stdin);
    drop(input);
    Run::from(child.wait_with_output().expect("docgate ends"))
}

/// `docgate pre-push origin /nowhere` with `lines` as git's ref list.
fn pre_push(repo: &TestRepo, lines: &[u8]) -> Run {
    docgate_stdin(repo, &["pre-push", "origin", "/nowhere"], lines)
}

fn zeros(n: usize) -> String {
    "0".repeat(n)
}

/// A YAML "billion laughs": ten levels of anchors, each aliasing the last
/// nine times, each line starting with `indent`.
fn alias_bomb(indent: &str) -> String {
    let mut s = format!("{indent}l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        s.push_str(&format!("{indent}l{i}: &a{i} [{items}]\n"));
    }
    s
}

/// `docgate github` like the action, against no server (posting is off).
fn github(repo: &TestRepo, gh: &Gh, event: &Path, extra: &[(&str, &str)]) -> Run {
    let mut env = vec![("INPUT_COMMENT", "off")];
    env.extend_from_slice(extra);
    run_github(repo, gh, "http://127.0.0.1:9", event, &env, &[])
}

/// `bytes` as the job's event payload.
fn event_file(gh: &Gh, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = gh.file("event.json");
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The report `docgate github --report-out` writes for [`pr_repo`]'s pull
/// request #7: (repo, head, report).
fn uploaded_report() -> (TestRepo, String, Value) {
    let pr = Pr::of(pr_repo());
    let out = pr.gh.file("report.json");
    let run = pr.github(
        "http://127.0.0.1:9",
        &[("GITHUB_TOKEN", "")],
        &["--report-out", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let report: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["github"]["head_sha"], pr.head.as_str(), "{report}");
    (pr.repo, pr.head, report)
}

/// `docgate github post --report <bytes>` in a workflow_run job for `head`.
fn post(
    repo: &TestRepo,
    gh: &Gh,
    api: &str,
    head: &str,
    report: &[u8],
    extra: &[(&str, &str)],
) -> Run {
    let file = gh.file("artifact.json");
    std::fs::write(&file, report).unwrap();
    let event = gh.file("run-event.json");
    std::fs::write(
        &event,
        json!({"action": "completed", "workflow_run": {"head_sha": head, "event": "pull_request"}})
            .to_string(),
    )
    .unwrap();
    let mut env = vec![("GITHUB_EVENT_NAME", "workflow_run")];
    env.extend_from_slice(extra);
    run_github(
        repo,
        gh,
        api,
        &event,
        &env,
        &["post", "--report", file.to_str().unwrap()],
    )
}

/// A refused upload: exit 2 naming the file, `refusing an invalid report`.
fn assert_refused(run: &Run, gh: &Gh, needle: &str) {
    assert_exit_2(
        run,
        &[
            &format!(
                "{}: refusing an invalid report",
                gh.file("artifact.json").display()
            ),
            needle,
        ],
    );
}

fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

/// A folder outside every repository, holding a "secret" runbook and files.
struct Outside {
    dir: tempfile::TempDir,
}

impl Outside {
    fn new() -> Outside {
        let dir = tempfile::Builder::new()
            .prefix("docgate-outside-")
            .tempdir()
            .unwrap();
        let o = Outside { dir };
        o.write(
            "evil.md",
            runbook("evil-01", &["src/app.py", "src/other.py"], "Outside."),
        );
        o.write("d/evil.md", runbook("evil-02", &["src/app.py"], "Outside."));
        o.write("features.txt", "a\nb\n");
        o.write("secret.py", "SECRET = 1\n");
        o.write(".docgate.yml", "coverage:\n  enforce: false\n");
        o
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn write(&self, p: &str, text: impl AsRef<[u8]>) {
        let full = self.path().join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

// ---------------------------------------------------------------------------
// .docgate.yml

#[test]
fn config_alias_bomb_is_refused_at_its_first_alias() {
    let repo = docs_repo();
    repo.write(".docgate.yml", format!("version: 1\n{}", alias_bomb("")));
    // `l1: &a1 [*a0, ...`: the first alias is on line 3, column 10.
    assert_exit_2(
        &lint(&repo),
        &[
            "invalid configuration in .docgate.yml",
            ".docgate.yml:3:10: YAML aliases are not supported",
        ],
    );
}

#[test]
fn config_nul_byte_is_refused_not_read_as_the_end() {
    // The YAML scanner used to stop at the NUL: the lists below vanished and
    // lint passed with "no feature lists" while training and inference differ.
    let repo = feature_repo("{file: t.txt}", &[("t.txt", b"a\nc\n")]);
    repo.write(
        ".docgate.yml",
        feature_config("{file: t.txt}").replacen("feature_lists:", "feature_lists:\0", 1),
    );
    assert_exit_2(
        &lint(&repo),
        &[".docgate.yml:1:15: a NUL byte: YAML text cannot contain one"],
    );
}

#[test]
fn config_nested_10000_levels_in_block_style_is_refused() {
    let repo = docs_repo();
    repo.write(
        ".docgate.yml",
        format!("docs:\n  roots:\n    {}docs\n", "- ".repeat(10_000)),
    );
    assert_exit_2(
        &lint(&repo),
        &[".docgate.yml:3:", "nesting deeper than 64 levels"],
    );
}

#[test]
fn config_with_a_bom_and_crlf_is_read() {
    // Without the config the change is doc-not-updated; with it (at the base
    // of the change, where a change's config must be), not enforced.
    let repo = covered_repo();
    repo.git(&["checkout", "-q", "main"]);
    repo.write(".docgate.yml", "\u{feff}coverage:\r\n  enforce: false\r\n");
    repo.commit("the config");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");
    let run = check(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["changed_files"], 1, "{run:?}");
    assert_eq!(run.json()["checked"]["covered_files"], 1, "{run:?}");
}

#[test]
fn config_duplicate_key_inside_a_feature_list() {
    let repo = feature_repo("{file: t.txt}", &[("t.txt", b"a\nb\n")]);
    repo.write(
        ".docgate.yml",
        "feature_lists:\n  - id: m\n    training: {file: t.txt}\n    training: {file: inf.txt}\n    inference: {file: inf.txt}\n",
    );
    assert_exit_2(
        &lint(&repo),
        &[".docgate.yml:4:5: `training` is given twice in `feature_lists[]`"],
    );
}

#[test]
fn config_wrong_types_in_a_feature_list_are_all_reported() {
    let repo = feature_repo("{file: t.txt}", &[("t.txt", b"a\nb\n")]);
    repo.write(
        ".docgate.yml",
        "feature_lists:\n  - id: m\n    training: {file: [t.txt]}\n    inference: {file: inf.json, pointer: 7}\n    order: 3\n    additive: \"yes\"\n",
    );
    assert_exit_2(
        &lint(&repo),
        &[
            "invalid configuration in .docgate.yml (4 problems)",
            ".docgate.yml:3:22: `feature_lists[].training.file` must be a string, found a list",
            ".docgate.yml:4:42: `feature_lists[].inference.pointer` must start with `/`",
            ".docgate.yml:5:12: `order` must be strict or set, found `3`",
            ".docgate.yml:6:15: `feature_lists[].additive` must be true or false, found a string",
        ],
    );
}

#[test]
fn config_path_with_a_nul_byte_is_invalid_at_its_line() {
    // It used to reach the file system: "cannot read t", no config line.
    let repo = feature_repo("{file: t.txt}", &[("t.txt", b"a\nb\n")]);
    repo.write(".docgate.yml", feature_config("{file: \"t\\0.txt\"}"));
    assert_exit_2(
        &lint(&repo),
        &[
            ".docgate.yml:3:22: invalid path in `feature_lists[].training.file`: `t\\0.txt` contains a NUL byte",
        ],
    );
}

#[test]
fn config_of_ten_megabytes_is_refused_by_size() {
    let repo = docs_repo();
    let mut text = b"# ".to_vec();
    text.resize(10 * MIB, b'x');
    text.push(b'\n');
    let size = text.len();
    repo.write(".docgate.yml", text);
    assert_exit_2(
        &lint(&repo),
        &[&format!(
            ".docgate.yml: the config is {size} bytes; that is not a configuration file"
        )],
    );
}

// ---------------------------------------------------------------------------
// doc frontmatter

/// Frontmatter `lines` between fences (frontmatter line N is file line N + 1).
fn doc(lines: &str) -> String {
    format!("---\n{lines}---\n\n# Runbook\n\nHow the app works.\n")
}

#[test]
fn frontmatter_alias_bomb_is_refused_at_its_first_alias() {
    let repo = docs_repo();
    repo.write(
        "docs/ops/bomb.md",
        doc(&format!(
            "id: ops-02\ntitle: Bomb\nperspective: operations\nlast_updated: 2026-01-15\nbomb:\n{}",
            alias_bomb("  ")
        )),
    );
    // `  l1: &a1 [*a0`: file line 8, column 12.
    let run = lint(&repo);
    assert_error(
        &run,
        "frontmatter-invalid",
        "docs/ops/bomb.md",
        8,
        &["invalid YAML in the frontmatter: YAML aliases are not supported"],
    );
    assert_eq!(run.findings()[0]["column"], 12, "{run:?}");
}

#[test]
fn frontmatter_nested_10000_levels_in_block_style_is_refused() {
    // `Parser::load` recursed once a level: a stack overflow before the fix.
    let repo = docs_repo();
    repo.write(
        "docs/ops/deep.md",
        doc(&format!(
            "id: ops-02\ntitle: Deep\nperspective: operations\nlast_updated: 2026-01-15\ntags:\n  {}x\n",
            "- ".repeat(10_000)
        )),
    );
    assert_error(
        &lint(&repo),
        "frontmatter-invalid",
        "docs/ops/deep.md",
        7,
        &["nesting deeper than 64 levels"],
    );
}

#[test]
fn ten_megabyte_frontmatter_in_an_untouched_doc_is_a_warning_in_check() {
    let repo = docs_repo();
    repo.write("src/other.py", "x = 1\n");
    let mut big = "---\nid: ops-02\ntitle: Big\nperspective: operations\ntags:\n".to_string();
    while big.len() < 10 * MIB {
        big.push_str("  - tag\n");
    }
    big.push_str("last_updated: 2026-01-15\n---\n\nBody.\n");
    let size = big.len();
    repo.write("docs/ops/big.md", big);
    repo.commit_base("a runbook with ten megabytes of frontmatter");
    repo.write("src/other.py", "x = 2\n");
    repo.commit("change other");

    let run = check(&repo);
    // A warning: the gate does not fail, but coverage through it is unknown.
    assert_eq!(run.code, 0, "{run:?}");
    assert_only(
        &run,
        "frontmatter-invalid",
        "warning",
        "docs/ops/big.md",
        1,
        &[
            &format!("the file is {size} bytes, over docgate's limit of 8388608 bytes"),
            "which files it covers is unknown",
        ],
    );
    assert_eq!(run.json()["checked"]["docs_unreadable"], 1, "{run:?}");
}

#[test]
fn impossible_date_written_in_a_change_is_an_error() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n").write(
        DOC,
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-02-30",
            "How the app works, v2.",
        ),
    );
    repo.commit("change app and its runbook, with a day that does not exist");
    assert_error(
        &check(&repo),
        "frontmatter-invalid",
        DOC,
        7,
        &["`last_updated` must be a date written YYYY-MM-DD, found `2026-02-30`"],
    );
}

#[test]
fn february_29_follows_the_century_rule() {
    // 1900 is not a leap year (divisible by 100), 2000 is (divisible by 400).
    let repo = docs_repo();
    repo.write(
        DOC,
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "1900-02-29",
            "How the app works.",
        ),
    );
    assert_error(
        &lint(&repo),
        "frontmatter-invalid",
        DOC,
        7,
        &["found `1900-02-29`"],
    );
    repo.write(
        DOC,
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2000-02-29",
            "How the app works.",
        ),
    );
    assert_clean(&lint(&repo));
}

#[test]
fn a_binary_md_with_an_unclosed_fence_added_in_a_change_is_a_finding() {
    // A binary file that happens to start with `---`: never a doc that
    // covers nothing, always a finding naming it.
    let repo = covered_repo();
    let mut bytes = b"---\n".to_vec();
    bytes.extend((0..64 * KIB as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    assert!(bytes.contains(&0), "binary content");
    repo.write("docs/blob.md", bytes);
    repo.commit("add a binary file named .md");
    assert_error(
        &check(&repo),
        "frontmatter-invalid",
        "docs/blob.md",
        1,
        &["never closed"],
    );
}

#[test]
fn doc_names_with_spaces_quotes_and_a_newline_are_reported_by_their_names() {
    let repo = docs_repo();
    let bad = doc("id: Bad Id\ntitle: T\nperspective: operations\nlast_updated: 2026-01-15\n");
    let names = [
        "docs/my runbook.md",
        "docs/say \"hi\".md",
        "docs/new\nline.md",
    ];
    for n in names {
        repo.write(n, &bad);
    }
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let mut paths: Vec<String> = run
        .findings()
        .iter()
        .map(|f| {
            assert_eq!(f["rule"], "frontmatter-invalid", "{run:?}");
            assert_eq!(f["line"], 2, "{run:?}");
            f["path"].as_str().unwrap().to_string()
        })
        .collect();
    paths.sort();
    let mut expected: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(paths, expected, "{run:?}");
    assert_eq!(run.json()["checked"]["docs"], 4, "{run:?}");
}

/// Frontmatter for ops-01 whose `key_files` are `entries`, written as YAML
/// double-quoted strings (so `"` and a newline are escapes).
fn runbook_quoted(entries: &[&str], body: &str) -> String {
    let mut s =
        "---\nid: ops-01\ntitle: Runbook\nperspective: operations\nkey_files:\n".to_string();
    for e in entries {
        let quoted = e
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        s.push_str(&format!("  - \"{quoted}\"\n"));
    }
    s.push_str(&format!(
        "last_updated: 2026-01-15\n---\n\n# Runbook\n\n{body}\n"
    ));
    s
}

#[test]
fn key_files_and_changed_files_with_spaces_quotes_commas_and_newlines() {
    let names = [
        "src/my app.py",
        "src/say \"hi\".py",
        "src/new\nline.py",
        "src/a,b:c%d.py",
    ];
    let repo = TestRepo::new();
    for n in names {
        repo.write(n, "x = 1\n");
    }
    repo.write(DOC, runbook_quoted(&names, "How the app works."));
    // Each literal entry names an existing file: nothing is stale.
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["key_files"], 4, "{run:?}");
    repo.commit_base("initial");
    for n in names {
        repo.write(n, "x = 2\n");
    }
    repo.commit("change them all");

    let run = check(&repo);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    let mut paths: Vec<String> = run
        .findings()
        .iter()
        .map(|f| {
            assert_eq!(f["rule"], "doc-not-updated", "{run:?}");
            assert_eq!(f["docs"], json!(["ops-01"]), "{run:?}");
            f["path"].as_str().unwrap().to_string()
        })
        .collect();
    paths.sort();
    let mut expected: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(paths, expected, "{run:?}");

    // As workflow commands: `%`, CR, LF, `:` and `,` escaped in `file=`.
    let run = repo.docgate(&["check", "--base", "main", "--format", "github"]);
    assert_eq!(run.code, 1, "{run:?}");
    for file in [
        "file=src/my app.py,",
        "file=src/say \"hi\".py,",
        "file=src/new%0Aline.py,",
        "file=src/a%2Cb%3Ac%25d.py,",
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with("::error ") && l.contains(file)),
            "no annotation with {file}: {run:?}"
        );
    }
    assert_eq!(run.stdout.lines().count(), 4, "{run:?}");
}

#[test]
fn a_file_named_with_terminal_escapes_is_written_escaped_in_the_text_report() {
    // `ESC [2K CR` erases the line on a terminal: the finding would vanish
    // from the pre-push output of the person pushing.
    let name = "src/\u{1b}[2K\rx.py";
    let repo = TestRepo::new();
    repo.write("src/app.py", "x = 1\n")
        .write(DOC, runbook("ops-01", &["src/"], "How the app works."));
    repo.commit_base("initial");
    repo.write(name, "x = 1\n");
    repo.commit("add a file with escapes in its name");

    let run = check(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    assert_eq!(run.findings()[0]["path"], name, "{run:?}");

    let run = repo.docgate(&["check", "--base", "main", "--color", "never"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stdout.contains('\r'),
        "raw control characters on the terminal: {:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  --> src/\\u{1b}[2K\\rx.py\n"),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("error[doc-not-updated]: `src/\\u{1b}[2K\\rx.py` (added) changed"),
        "{:?}",
        run.stdout
    );
}

#[test]
fn a_deleted_file_with_a_non_utf8_name_is_gated() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x = 1\n")
        .write(DOC, runbook("ops-01", &["src/"], "How the app works."));
    let name = repo
        .path()
        .join("src")
        .join(std::ffi::OsStr::from_bytes(b"caf\xE9.py"));
    std::fs::write(&name, "x = 1\n").unwrap();
    repo.commit_base("initial");
    std::fs::remove_file(&name).unwrap();
    repo.commit("delete the Latin-1 named file");

    let run = check(&repo);
    assert_error(
        &run,
        "doc-not-updated",
        "src/caf\u{fffd}.py",
        0,
        &["`src/caf\u{fffd}.py` (deleted) changed"],
    );
}

// ---------------------------------------------------------------------------
// symlinks out of the repository, submodules

#[test]
fn doc_symlinks_out_of_the_repository_are_never_read() {
    // A link's content is its target (as git stores it), which is no
    // frontmatter: neither the linked file nor the linked folder's runbooks
    // are docs of this repository, and nothing they "cover" counts.
    let outside = Outside::new();
    let repo = docs_repo();
    repo.write("src/other.py", "x = 1\n");
    symlink(
        outside.path().join("evil.md"),
        repo.path().join("docs/evil.md"),
    );
    symlink(outside.path().join("d"), repo.path().join("docs/ext"));
    symlink("/etc/passwd", repo.path().join("docs/passwd.md"));
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["docs"], 1, "{run:?}");
    assert!(!run.stdout.contains("evil-0"), "{run:?}");

    repo.commit_base("initial");
    repo.write("src/app.py", "print('v2')\n")
        .write("src/other.py", "x = 2\n");
    repo.commit("change both");
    let run = check(&repo);
    assert_error(
        &run,
        "doc-not-updated",
        "src/app.py",
        0,
        &["the doc that covers it did not: ops-01 (docs/ops/app.md)"],
    );
    assert_eq!(run.findings()[0]["docs"], json!(["ops-01"]), "{run:?}");
    assert_eq!(run.json()["checked"]["covered_files"], 1, "{run:?}");

    let run = repo.docgate(&["context", "src/other.py", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["paths"][0]["covering"], json!([]), "{run:?}");
}

#[test]
fn a_key_file_that_is_a_symlink_out_of_the_repository_is_a_file_of_the_repository() {
    // The link itself is the tracked file: it exists (not stale), and
    // pointing it elsewhere is a change to it.
    let repo = docs_repo();
    symlink("/etc/passwd", repo.path().join("src/link.py"));
    repo.write(
        DOC,
        runbook("ops-01", &["src/app.py", "src/link.py"], "How."),
    );
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(run.json()["checked"]["key_files"], 2, "{run:?}");
    repo.commit_base("initial");
    std::fs::remove_file(repo.path().join("src/link.py")).unwrap();
    symlink("/etc/hostname", repo.path().join("src/link.py"));
    repo.commit("point the link elsewhere");
    assert_error(
        &check(&repo),
        "doc-not-updated",
        "src/link.py",
        0,
        &["`src/link.py` changed, but the doc that covers it did not: ops-01"],
    );
}

/// A repository whose `vendor/lib` is a submodule (a gitlink to `commit`),
/// with ops-01 covering `src/app.py` and the folder `vendor/`.
fn submodule_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n").write(
        DOC,
        runbook("ops-01", &["src/app.py", "vendor/"], "How the app works."),
    );
    repo.git(&["add", "-A"]);
    let gitlink = format!("160000,{},vendor/lib", "a".repeat(40));
    repo.git(&["update-index", "--add", "--cacheinfo", &gitlink]);
    repo.git(&["commit", "-q", "-m", "initial, with a submodule"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo
}

/// Move the submodule to another commit (only the gitlink, like `git add vendor/lib`).
fn bump_submodule(repo: &TestRepo) {
    let gitlink = format!("160000,{},vendor/lib", "b".repeat(40));
    repo.git(&["update-index", "--cacheinfo", &gitlink]);
    repo.git(&["commit", "-q", "-m", "bump the submodule"]);
}

#[test]
fn a_submodule_bump_under_a_covered_folder_needs_its_runbook() {
    let repo = submodule_repo();
    bump_submodule(&repo);
    let run = check(&repo);
    assert_error(
        &run,
        "doc-not-updated",
        "vendor/lib",
        0,
        &[
            "`vendor/lib` changed, but the doc that covers it did not: ops-01 (docs/ops/app.md) via `vendor/`",
        ],
    );
    assert_eq!(run.json()["checked"]["changed_files"], 1, "{run:?}");
}

// ---------------------------------------------------------------------------
// feature sources (SPEC §5)

#[test]
fn text_source_with_invalid_utf8_names_the_line() {
    let repo = feature_repo("{file: t.txt}", &[("t.txt", b"a\nc\xE9\n")]);
    assert_source_error(
        &lint(&repo),
        "t.txt",
        2,
        &["not valid UTF-8 at line 2, column 2"],
    );
}

#[test]
fn data_sources_with_crlf_and_a_bom_are_read_like_lf() {
    let cases: [(&str, &str, &[u8]); 6] = [
        ("{file: t.txt}", "t.txt", b"\xEF\xBB\xBFa\r\nb\r\n"),
        (
            "{file: t.yaml, pointer: /f}",
            "t.yaml",
            b"f:\r\n  - a\r\n  - b\r\n",
        ),
        (
            "{file: t.yaml, pointer: /f}",
            "t.yaml",
            b"\xEF\xBB\xBFf: [a, b]\r\n",
        ),
        (
            "{file: t.json, pointer: /f}",
            "t.json",
            b"\xEF\xBB\xBF{\r\n  \"f\": [\"a\", \"b\"]\r\n}\r\n",
        ),
        (
            "{file: t.toml, pointer: /f}",
            "t.toml",
            b"\xEF\xBB\xBFf = [\r\n  \"a\",\r\n  \"b\",\r\n]\r\n",
        ),
        (
            "{file: t.py, symbol: F}",
            "t.py",
            b"\xEF\xBB\xBF# features\r\nF = [\r\n    \"a\",\r\n    \"b\",\r\n]\r\n",
        ),
    ];
    for (source, file, bytes) in cases {
        let repo = feature_repo(source, &[(file, bytes)]);
        assert_reads_a_b(&lint(&repo));
    }
}

#[test]
fn toml_source_with_a_duplicate_key_is_refused() {
    let repo = feature_repo(
        "{file: t.toml, pointer: /f}",
        &[("t.toml", b"f = [\"a\", \"b\"]\nf = [\"x\"]\n")],
    );
    assert_source_error(&lint(&repo), "t.toml", 2, &["invalid TOML: duplicate key"]);
}

#[test]
fn yaml_source_alias_bomb_is_refused_at_its_first_alias() {
    let text = format!("{}f: *a9\n", alias_bomb(""));
    let repo = feature_repo(
        "{file: t.yaml, pointer: /f}",
        &[("t.yaml", text.as_bytes())],
    );
    assert_source_error(
        &lint(&repo),
        "t.yaml",
        2,
        &["invalid YAML: YAML aliases are not supported"],
    );
}

#[test]
fn data_sources_nested_10000_levels_are_refused() {
    let open = "[".repeat(10_000);
    let close = "]".repeat(10_000);
    let cases = [
        (
            "{file: t.yaml, pointer: /f}",
            "t.yaml",
            format!("f:\n  {}a\n", "- ".repeat(10_000)),
            2,
            "invalid YAML: nesting deeper than 64 levels",
        ),
        (
            "{file: t.yaml, pointer: /f}",
            "t.yaml",
            format!("f: {open}{close}\n"),
            1,
            "invalid YAML: recursion limit exceeded",
        ),
        (
            "{file: t.json, pointer: /f}",
            "t.json",
            format!("{{\"f\": {open}{close}}}\n"),
            1,
            "invalid JSON: recursion limit exceeded",
        ),
        (
            "{file: t.toml, pointer: /f}",
            "t.toml",
            format!("f = {open}{close}\n"),
            1,
            "invalid TOML: cannot recurse further",
        ),
    ];
    for (source, file, text, line, message) in cases {
        let repo = feature_repo(source, &[(file, text.as_bytes())]);
        assert_source_error(&lint(&repo), file, line, &[message]);
    }
}

#[test]
fn yaml_source_with_a_nul_byte_is_refused_not_cut_short() {
    // `f: [a, b]` then a NUL: the scanner used to stop there and read a, b.
    let repo = feature_repo(
        "{file: t.yaml, pointer: /f}",
        &[("t.yaml", b"f: [a, b]\n\0g: [c]\n")],
    );
    assert_source_error(&lint(&repo), "t.yaml", 2, &["invalid YAML: a NUL byte"]);
}

#[test]
fn ten_megabyte_text_source_is_refused_by_size() {
    let mut bytes = b"a\nb\n".to_vec();
    bytes.resize(10 * MIB, b'c');
    let size = bytes.len();
    let repo = feature_repo("{file: t.txt}", &[("t.txt", &bytes)]);
    assert_source_error(
        &lint(&repo),
        "t.txt",
        1,
        &[&format!(
            "the file is {size} bytes, over docgate's limit of 8388608"
        )],
    );
}

// ---------------------------------------------------------------------------
// Python files

#[test]
fn python_source_with_invalid_utf8_names_the_line() {
    let repo = feature_repo(
        "{file: t.py, symbol: F}",
        &[("t.py", b"F = [\n    \"a\",\n    \"caf\xE9\",\n]\n")],
    );
    assert_source_error(
        &lint(&repo),
        "t.py",
        3,
        &["not valid UTF-8 at line 3, column 9"],
    );
}

#[test]
fn python_source_with_a_nul_byte_is_a_syntax_error_at_its_line() {
    // CPython refuses source with a NUL ("source code cannot contain null bytes").
    let repo = feature_repo(
        "{file: t.py, symbol: F}",
        &[("t.py", b"F = [\n    \"a\",\n    \"b\"\0,\n]\n")],
    );
    assert_source_error(&lint(&repo), "t.py", 3, &["syntax error at line 3"]);
}

#[test]
fn python_nested_10000_levels_is_refused_not_a_stack_overflow() {
    let cases = [
        (
            format!("F = {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
            1,
            "is an expression, not a string literal",
        ),
        (
            format!("F = [{}\"a\"{}]\n", "(".repeat(10_000), ")".repeat(10_000)),
            1,
            "expression nested too deeply",
        ),
        (
            format!("X = [\"a\"]\nF = {}\n", vec!["X"; 10_000].join(" + ")),
            2,
            "expression nested too deeply",
        ),
    ];
    for (text, line, message) in cases {
        let repo = feature_repo("{file: t.py, symbol: F}", &[("t.py", text.as_bytes())]);
        assert_source_error(&lint(&repo), "t.py", line, &[message]);
    }
}

// ---------------------------------------------------------------------------
// pre-push: git's ref list on stdin

#[test]
fn pre_push_ref_lines_with_crlf_are_read() {
    let (repo, main, head) = pr_repo();
    let run = pre_push(
        &repo,
        format!("refs/heads/feature {head} refs/heads/feature {main}\r\n").as_bytes(),
    );
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("error[doc-not-updated]"), "{run:?}");
    let range = format!(
        "refs/heads/feature -> refs/heads/feature ({}..{})",
        &main[..12],
        &head[..12]
    );
    assert!(run.stderr.contains(&range), "{run:?}");
}

#[test]
fn pre_push_ref_name_with_non_utf8_bytes_is_still_checked() {
    // What is checked is the pushed commit; the name only labels it.
    let (repo, main, head) = pr_repo();
    let mut line = b"refs/heads/caf\xE9 ".to_vec();
    line.extend_from_slice(format!("{head} refs/heads/caf").as_bytes());
    line.push(0xE9);
    line.extend_from_slice(format!(" {main}\n").as_bytes());
    let run = pre_push(&repo, &line);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("error[doc-not-updated]"), "{run:?}");
    assert!(
        run.stderr
            .contains("refs/heads/caf\u{fffd} -> refs/heads/caf\u{fffd}"),
        "{run:?}"
    );
    assert!(run.stderr.contains("docgate: push blocked"), "{run:?}");
}

#[test]
fn pre_push_object_id_with_a_nul_byte_is_refused_naming_the_line() {
    let (repo, main, head) = pr_repo();
    let run = pre_push(
        &repo,
        format!("refs/heads/feature {head}\0 refs/heads/feature {main}\n").as_bytes(),
    );
    assert_exit_2(
        &run,
        &[
            "line 1 of the ref list on stdin:",
            "is not an object id (40 hex digits for SHA-1, 64 for SHA-256)",
        ],
    );
}

#[test]
fn pre_push_of_a_commit_the_repository_does_not_have_is_refused() {
    let (repo, main, _) = pr_repo();
    let missing = "1234567890".repeat(4);
    let run = pre_push(
        &repo,
        format!("refs/heads/feature {missing} refs/heads/feature {main}\n").as_bytes(),
    );
    assert_no_panic(&run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "refs/heads/feature -> refs/heads/feature: error: git is pushing refs/heads/feature ({missing}), whose commit this repository cannot read"
        )),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("could not check 1 of 1 ref (see above), so the push is blocked"),
        "{run:?}"
    );
}

#[test]
fn pre_push_from_a_detached_head_checks_the_pushed_commits() {
    // `git push origin HEAD:refs/heads/topic` sends `HEAD` as the local ref.
    let (repo, _, head) = pr_repo();
    repo.git(&["checkout", "-q", "--detach"]);
    let run = pre_push(
        &repo,
        format!("HEAD {head} refs/heads/topic {}\n", zeros(40)).as_bytes(),
    );
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "HEAD -> refs/heads/topic (origin has no branches yet: 1 commit since the merge-base with main"
        ),
        "{run:?}"
    );
    assert!(run.stderr.contains("error[doc-not-updated]"), "{run:?}");
}

// ---------------------------------------------------------------------------
// GitHub event payloads

fn pr_payload(base: &str, head: &str) -> Value {
    json!({"number": 7, "pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}})
}

#[test]
fn event_payload_with_invalid_utf8_is_exit_2_naming_the_file_and_line() {
    let (repo, base, head) = pr_repo();
    let gh = Gh::new();
    let mut bytes = pr_payload(&base, &head).to_string().into_bytes();
    bytes.truncate(bytes.len() - 1);
    bytes.extend_from_slice(b", \"title\": \"caf\xE9\"}");
    let event = event_file(&gh, &bytes);
    assert_exit_2(
        &github(&repo, &gh, &event, &[]),
        &[
            &format!("the event payload {} is not valid JSON", event.display()),
            "at line 1 column",
        ],
    );
}

#[test]
fn event_payload_nested_10000_levels_is_refused() {
    let (repo, base, head) = pr_repo();
    let gh = Gh::new();
    let mut text = pr_payload(&base, &head).to_string();
    text.pop();
    text.push_str(&format!(
        ", \"labels\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
    let event = event_file(&gh, text);
    assert_exit_2(
        &github(&repo, &gh, &event, &[]),
        &[
            &format!("the event payload {} is not valid JSON", event.display()),
            "recursion limit exceeded at line 1",
        ],
    );
}

#[test]
fn event_payload_with_crlf_is_read() {
    let (repo, base, head) = pr_repo();
    let gh = Gh::new();
    let text = serde_json::to_string_pretty(&pr_payload(&base, &head))
        .unwrap()
        .replace('\n', "\r\n");
    let event = event_file(&gh, text);
    let run = github(&repo, &gh, &event, &[]);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("::error file=src/app.py,title=docgate doc-not-updated::"),
        "{run:?}"
    );
    assert!(gh.read("output.txt").contains("errors=1\n"), "{run:?}");
}

#[test]
fn event_payload_with_wrong_types_is_exit_2_naming_the_field() {
    let (repo, base, head) = pr_repo();
    let gh = Gh::new();
    let cases = [
        (
            json!({"number": "7", "pull_request": {"number": "7", "base": {"sha": base}, "head": {"sha": head}}}),
            "the pull_request event payload has no pull request number".to_string(),
        ),
        (
            json!({"number": 7, "pull_request": {"number": 7, "base": {"sha": [base]}, "head": {"sha": head}}}),
            "the pull_request event payload has no `/pull_request/base/sha`".to_string(),
        ),
        (
            json!({"number": 7, "pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": format!("{head}\0")}}}),
            "the pull_request event payload's `/pull_request/head/sha` is not a commit id"
                .to_string(),
        ),
        (
            json!({"number": 7, "pull_request": {"number": 7, "base": {"sha": "main"}, "head": {"sha": head}}}),
            "the pull_request event payload's `/pull_request/base/sha` is not a commit id: `main`"
                .to_string(),
        ),
    ];
    for (payload, needle) in cases {
        let event = event_file(&gh, payload.to_string());
        assert_exit_2(&github(&repo, &gh, &event, &[]), &[&needle]);
    }
}

// ---------------------------------------------------------------------------
// uploaded reports (`docgate github post --report FILE`)

#[test]
fn uploaded_report_nested_10000_levels_is_refused() {
    let (repo, head, report) = uploaded_report();
    let gh = Gh::new();
    let mut text = report.to_string();
    text.pop();
    text.push_str(&format!(
        ", \"x\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
    let run = post(
        &repo,
        &gh,
        "http://127.0.0.1:9",
        &head,
        text.as_bytes(),
        &[],
    );
    assert_refused(
        &run,
        &gh,
        "the file is not JSON (recursion limit exceeded at line 1",
    );
}

#[test]
fn uploaded_report_with_invalid_utf8_is_refused() {
    let (repo, head, report) = uploaded_report();
    let gh = Gh::new();
    // A Latin-1 `é` inside a message string.
    let mut bytes = report.to_string().into_bytes();
    let at = bytes
        .windows(7)
        .position(|w| w == b"changed")
        .expect("a doc-not-updated message");
    bytes[at + 5] = 0xE9;
    let run = post(&repo, &gh, "http://127.0.0.1:9", &head, &bytes, &[]);
    assert_refused(
        &run,
        &gh,
        "the file is not JSON (invalid unicode code point at line 1",
    );
}

#[test]
fn uploaded_report_with_wrong_types_is_refused_naming_the_field() {
    let (repo, head, report) = uploaded_report();
    let gh = Gh::new();
    let cases: [(&str, Value, &str); 4] = [
        (
            "/findings/0/line",
            json!("7"),
            "`findings[0].line` is not a line or column number",
        ),
        (
            "/findings/0/severity",
            json!(7),
            "`findings[0].severity` is not a string",
        ),
        ("/findings", json!({"0": {}}), "`findings` is not a list"),
        (
            "/github/pull_request",
            json!(-7),
            "`github.pull_request` is not a line or column number",
        ),
    ];
    for (pointer, value, needle) in cases {
        let mut r = report.clone();
        *r.pointer_mut(pointer).unwrap() = value;
        let run = post(
            &repo,
            &gh,
            "http://127.0.0.1:9",
            &head,
            r.to_string().as_bytes(),
            &[],
        );
        assert_refused(&run, &gh, needle);
    }
}

#[test]
fn uploaded_report_with_crlf_is_read() {
    let (repo, head, report) = uploaded_report();
    let gh = Gh::new();
    let text = serde_json::to_string_pretty(&report)
        .unwrap()
        .replace('\n', "\r\n");
    let run = post(
        &repo,
        &gh,
        "http://127.0.0.1:9",
        &head,
        text.as_bytes(),
        &[("INPUT_COMMENT", "off")],
    );
    assert_no_panic(&run);
    // The report's finding decides the exit; nothing is posted with comment: off.
    assert_eq!(run.code, 1, "{run:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn uploaded_report_with_control_characters_is_posted_escaped() {
    let server = MockServer::start().await;
    let comments = "/repos/acme/trading/issues/7/comments";
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "no"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(comments))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(comments))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let (repo, head, mut report) = tokio::task::block_in_place(uploaded_report);
    Mock::given(method("GET"))
        .and(path("/repos/acme/trading/pulls/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "number": 7, "state": "open", "head": {"sha": head, "ref": "feature"}, "base": {"ref": "main"}
        })))
        .mount(&server)
        .await;
    report["findings"][0]["message"] = json!("NUL\u{0} ESC\u{1b}[2K CR\r BEL\u{7} end");
    report["findings"][0]["path"] = json!("src/new\nline.py");
    let gh = Gh::new();
    let uri = server.uri();
    let run = tokio::task::block_in_place(|| {
        post(
            &repo,
            &gh,
            &uri,
            &head,
            report.to_string().as_bytes(),
            &[("INPUT_REVIEW-COMMENTS", "false")],
        )
    });
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    let requests = server.received_requests().await.unwrap();
    let posted = requests
        .iter()
        .find(|r| r.method.as_str() == "POST")
        .unwrap_or_else(|| panic!("nothing posted: {run:?}"));
    let body: Value = serde_json::from_slice(&posted.body).unwrap();
    let text = body["body"].as_str().unwrap();
    assert!(text.contains("NUL"), "{text}");
    for c in ['\0', '\u{1b}', '\r', '\u{7}'] {
        assert!(!text.contains(c), "{c:?} reached the comment: {text:?}");
    }
    assert!(text.contains("src/new line.py"), "{text}");
    assert_no_token(&gh, &run, &requests);
}

// ---------------------------------------------------------------------------
// repositories: empty, detached HEAD, SHA-256

#[test]
fn empty_repository() {
    let repo = TestRepo::new();
    let nothing = "nothing to check: no .docgate.yml and no docs with YAML frontmatter under docs/";
    assert_exit_2(&lint(&repo), &[nothing]);
    assert_exit_2(
        &repo.docgate(&["check", "--staged", "--format", "json"]),
        &[nothing],
    );
    for args in [&["check"][..], &["check", "--base", "main"][..]] {
        assert_exit_2(
            &repo.docgate(args),
            &[
                "the repository has no commits yet (HEAD is an unborn branch)",
                "--staged",
            ],
        );
    }
    let run = pre_push(&repo, b"");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr,
        "docgate pre-push: nothing to check (git sent no refs, and every branch is on origin)\n"
    );

    // Before the first commit, what is staged is checked against nothing.
    repo.write("src/app.py", "print('v1')\n").write(
        DOC,
        runbook("ops-01", &["src/app.py"], "How the app works."),
    );
    repo.git(&["add", "-A"]);
    let run = repo.docgate(&["check", "--staged", "--format", "json"]);
    assert_clean(&run);
    let json = run.json();
    assert_eq!(json["range"]["mode"], "staged", "{run:?}");
    assert_eq!(json["range"]["base"], Value::Null, "{run:?}");
    assert_eq!(json["checked"]["changed_files"], 2, "{run:?}");
    assert_eq!(json["checked"]["docs"], 1, "{run:?}");
    let run = repo.docgate(&["context", "src/app.py", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.json()["paths"][0]["covering"][0]["id"],
        "ops-01",
        "{run:?}"
    );
}

#[test]
fn detached_head_is_checked_against_the_default_base() {
    let (repo, main, head) = pr_repo();
    repo.git(&["checkout", "-q", "--detach"]);
    let run = repo.docgate(&["check", "--format", "json"]);
    assert_error(
        &run,
        "doc-not-updated",
        "src/app.py",
        0,
        &["`src/app.py` changed"],
    );
    let range = &run.json()["range"];
    assert_eq!(range["base_ref"], "main", "{run:?}");
    assert_eq!(range["head_ref"], "HEAD", "{run:?}");
    assert_eq!(range["base"], main.as_str(), "{run:?}");
    assert_eq!(range["head"], head.as_str(), "{run:?}");
}

/// [`pr_repo`] in a SHA-256 repository.
fn sha256_failing_change() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    repo.git(&["init", "-q", "--object-format=sha256", "-b", "main"]);
    repo.write("src/app.py", "print('v1')\n").write(
        DOC,
        runbook("ops-01", &["src/app.py"], "How the app works."),
    );
    let main = repo.commit("initial");
    assert_eq!(main.len(), 64, "a SHA-256 repository");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/app.py", "print('v2')\n");
    let head = repo.commit("change app");
    (repo, main, head)
}

#[test]
fn sha256_repository_check_lint_context_and_pre_push() {
    let (repo, main, head) = sha256_failing_change();
    let run = check(&repo);
    assert_error(
        &run,
        "doc-not-updated",
        "src/app.py",
        0,
        &["`src/app.py` changed"],
    );
    assert_eq!(run.json()["range"]["base"], main.as_str(), "{run:?}");
    assert_eq!(run.json()["range"]["head"], head.as_str(), "{run:?}");
    assert_clean(&lint(&repo));
    let run = repo.docgate(&["context", "src/app.py", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.json()["paths"][0]["covering"][0]["id"],
        "ops-01",
        "{run:?}"
    );

    repo.write("src/app.py", "print('v3')\n");
    repo.git(&["add", "src/app.py"]);
    let run = repo.docgate(&["check", "--staged", "--format", "json"]);
    assert_error(
        &run,
        "doc-not-updated",
        "src/app.py",
        0,
        &["`src/app.py` changed"],
    );

    let run = pre_push(
        &repo,
        format!("refs/heads/feature {head} refs/heads/feature {main}\n").as_bytes(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("error[doc-not-updated]"), "{run:?}");
}

#[test]
fn sha256_repository_github_event() {
    let (repo, main, head) = sha256_failing_change();
    let gh = Gh::new();
    let event = pr_event(&gh, 7, &main, &head);
    let run = github(&repo, &gh, &event, &[]);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("::error file=src/app.py,title=docgate doc-not-updated::"),
        "{run:?}"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(gh.file("docgate-report.json")).unwrap()).unwrap();
    assert_eq!(report["github"]["head_sha"], head.as_str(), "{report}");
}

// ---------------------------------------------------------------------------
// a read-only repository: docgate writes nothing to it (SPEC §10)

/// Everything docgate could write to: every entry of the work tree and of
/// `.git` (kind and mode, and the bytes of a file or the target of a link),
/// the index, every ref, and what git status says.
#[derive(PartialEq)]
struct RepoState {
    entries: std::collections::BTreeMap<PathBuf, (u32, Vec<u8>)>,
    index: Vec<u8>,
    refs: String,
    status: String,
}

impl RepoState {
    fn of(repo: &TestRepo) -> RepoState {
        use std::os::unix::fs::PermissionsExt;
        fn walk(
            dir: &Path,
            root: &Path,
            out: &mut std::collections::BTreeMap<PathBuf, (u32, Vec<u8>)>,
        ) {
            for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            {
                let p = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&p).unwrap();
                let mode = meta.permissions().mode();
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                if meta.file_type().is_symlink() {
                    let target = std::fs::read_link(&p).unwrap();
                    out.insert(rel, (mode, target.as_os_str().as_bytes().to_vec()));
                } else if meta.is_dir() {
                    out.insert(rel, (mode, Vec::new()));
                    walk(&p, root, out);
                } else {
                    out.insert(rel, (mode, std::fs::read(&p).unwrap()));
                }
            }
        }
        let root = repo.path();
        let mut entries = std::collections::BTreeMap::new();
        walk(&root, &root, &mut entries);
        RepoState {
            entries,
            index: std::fs::read(root.join(".git/index")).expect("the index"),
            refs: repo.git(&[
                "for-each-ref",
                "--format=%(refname) %(objectname) %(symref)",
            ]) + "\nHEAD: "
                + &std::fs::read_to_string(root.join(".git/HEAD")).unwrap(),
            status: repo.git(&[
                "--no-optional-locks",
                "status",
                "--porcelain=v1",
                "--untracked-files=all",
            ]),
        }
    }

    /// What differs between two states, for the failure message.
    fn diff(&self, other: &RepoState) -> Vec<String> {
        let mut out = Vec::new();
        for (p, v) in &self.entries {
            match other.entries.get(p) {
                None => out.push(format!("removed: {}", p.display())),
                Some(w) if w.0 != v.0 => {
                    out.push(format!("mode {:o} -> {:o}: {}", v.0, w.0, p.display()))
                }
                Some(w) if w.1 != v.1 => out.push(format!("changed: {}", p.display())),
                _ => {}
            }
        }
        for p in other.entries.keys() {
            if !self.entries.contains_key(p) {
                out.push(format!("added: {}", p.display()));
            }
        }
        if self.index != other.index {
            out.push("the index file changed".into());
        }
        if self.refs != other.refs {
            out.push(format!("refs: {} -> {}", self.refs, other.refs));
        }
        if self.status != other.status {
            out.push(format!("status: {:?} -> {:?}", self.status, other.status));
        }
        out
    }
}

/// Makes the repository read-only (`chmod -R a-w`: every file and folder
/// loses its write bits; links are left alone, as chmod -R does) and restores
/// every original mode when dropped, so the temp dir can be removed even
/// after a failure.
struct ReadOnly {
    modes: Vec<(PathBuf, u32)>,
}

impl ReadOnly {
    fn new(repo: &TestRepo) -> ReadOnly {
        use std::os::unix::fs::PermissionsExt;
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, u32)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let p = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&p).unwrap();
                if meta.file_type().is_symlink() {
                    continue;
                }
                out.push((p.clone(), meta.permissions().mode()));
                if meta.is_dir() {
                    walk(&p, out);
                }
            }
        }
        let root = repo.path();
        let mut modes = vec![(
            root.clone(),
            std::fs::metadata(&root).unwrap().permissions().mode(),
        )];
        walk(&root, &mut modes);
        let guard = ReadOnly { modes };
        for (p, mode) in &guard.modes {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode & !0o222))
                .unwrap_or_else(|e| panic!("chmod a-w {}: {e}", p.display()));
        }
        guard
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        for (p, mode) in &self.modes {
            // Best effort while unwinding; a failure shows in the state check.
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(*mode));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_command_writes_to_the_repository_even_when_it_is_read_only() {
    let server = MockServer::start().await;
    let comments = "/repos/acme/trading/issues/7/comments";
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "no"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(comments))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(comments))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let uri = server.uri();

    tokio::task::block_in_place(|| {
        // A branch that fails the gate, a feature-list pair, a link, and a
        // working tree busy in every way: a staged change, an unstaged one on
        // top, an untracked file, and a file rewritten with the same bytes so
        // the index's stat data is stale (a refreshing reader would rewrite it).
        let (repo, main, head) = pr_repo();
        repo.write(
            ".docgate.yml",
            feature_config("{file: training/features.py, symbol: F}"),
        )
        .write("training/features.py", "F = [\"a\", \"b\"]\n")
        .write("inf.txt", "a\nb\n");
        symlink("/etc/passwd", repo.path().join("src/link.py"));
        let _ = head;
        let head = repo.commit("a feature list and a link");
        repo.write("src/app.py", "print('v3')\n");
        repo.git(&["add", "src/app.py"]);
        repo.write("src/app.py", "print('v4')\n")
            .write("src/untracked.py", "y = 1\n");
        // Same bytes, another mtime: the index entry's stat data is stale.
        std::fs::File::options()
            .write(true)
            .open(repo.path().join("src/other.py"))
            .unwrap()
            .set_modified(
                std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000),
            )
            .unwrap();

        let gh = Gh::new();
        let event = pr_event(&gh, 7, &main, &head);
        let push_line = format!("refs/heads/feature {head} refs/heads/feature {main}\n");
        // Every command but init and install (and demo, which makes its own
        // repository), each with the exit code that shows it did its job.
        let run_all = |label: &str| {
            let expect = |run: Run, code: i32, what: &str| {
                assert_no_panic(&run);
                assert_eq!(run.code, code, "{label}: {what}: {run:?}");
            };
            expect(check(&repo), 1, "check --base main");
            expect(repo.docgate(&["check"]), 1, "check");
            expect(repo.docgate(&["check", "--staged"]), 1, "check --staged");
            expect(
                repo.docgate(&["check", "--worktree"]),
                1,
                "check --worktree",
            );
            expect(repo.docgate(&["lint", "--format", "sarif"]), 0, "lint");
            expect(
                repo.docgate(&["context", "src/app.py", "src/other.py"]),
                0,
                "context",
            );
            expect(pre_push(&repo, push_line.as_bytes()), 1, "pre-push");
            let run = run_github(&repo, &gh, &uri, &event, &[], &[]);
            assert!(
                run.stderr.contains("sticky comment created on #7"),
                "{label}: {run:?}"
            );
            expect(run, 1, "github");
        };

        let before = RepoState::of(&repo);
        run_all("writable");
        let after = RepoState::of(&repo);
        assert!(
            before == after,
            "docgate wrote to the repository: {:?}",
            before.diff(&after)
        );

        {
            let _read_only = ReadOnly::new(&repo);
            let before = RepoState::of(&repo);
            run_all("read-only");
            let after = RepoState::of(&repo);
            assert!(
                before == after,
                "docgate wrote to the read-only repository: {:?}",
                before.diff(&after)
            );
        }
        let restored = RepoState::of(&repo);
        assert!(
            before == restored,
            "permissions restored: {:?}",
            before.diff(&restored)
        );
    });
}

// ===========================================================================
// Bugs this suite found outside its own files, each fixed since (issue 8).
// Each comment names the bug as it was; the test asserts the fix.
// ===========================================================================

// was: src/lib.rs load_config (through src/snapshot.rs
// Snapshot::read, Workdir) reads a `.docgate.yml` that is a symbolic link as
// its target path ("/etc/passwd") and reports ".docgate.yml:1:1: the
// configuration must be a mapping, found a string", which tells the user
// nothing; it must say the config is a symbolic link docgate does not follow.
#[test]
fn config_that_is_a_symlink_out_of_the_repository_is_named_as_a_link() {
    let outside = Outside::new();
    for target in [
        outside.path().join(".docgate.yml"),
        PathBuf::from("/etc/passwd"),
    ] {
        let repo = docs_repo();
        symlink(&target, repo.path().join(".docgate.yml"));
        let run = lint(&repo);
        assert_exit_2(&run, &[".docgate.yml", "symbolic link"]);
        // Never read through: the outside config would turn coverage off.
        assert!(!run.stderr.contains("enforce"), "{run:?}");
    }
}

// was: src/docs.rs split_frontmatter (via parse_doc) takes a UTF-16
// file for "no frontmatter" and DocSet::load drops it silently, so what the
// runbook covers (here src/other.py) is ungated; it must be a
// frontmatter-invalid finding at line 1 saying the file is UTF-16.
#[test]
fn a_utf16_runbook_is_reported_not_silently_skipped() {
    let repo = docs_repo();
    repo.write("src/other.py", "x = 1\n");
    let text = runbook("ops-02", &["src/other.py"], "Saved by a Windows editor.");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    repo.write("docs/ops/windows.md", utf16);
    assert_error(
        &lint(&repo),
        "frontmatter-invalid",
        "docs/ops/windows.md",
        1,
        &["UTF-16"],
    );
}

// was: src/snapshot.rs Snapshot::has_files_under counts only blobs:
// a folder whose only entry is a submodule (a gitlink) "matches no file" in a
// commit (Tree: ObjectType::Commit entries are skipped) and in a working tree
// where the submodule is not checked out (Workdir: the gitlink's folder is
// absent), although the same entry just covered the submodule's change.
// A gitlink is a file of the tree for key_files.
#[test]
fn a_folder_holding_only_a_submodule_is_not_a_stale_key_file() {
    let repo = submodule_repo();
    bump_submodule(&repo);
    repo.write(
        DOC,
        runbook_dated(
            "ops-01",
            &["src/app.py", "vendor/"],
            "2026-06-01",
            "How the app works, with the new lib.",
        ),
    );
    repo.git(&["add", DOC]);
    repo.git(&["commit", "-q", "-m", "the runbook follows the bump"]);
    assert_clean(&check(&repo));
    assert_clean(&lint(&repo));
}

// was: src/snapshot.rs Snapshot::is_file / read (Workdir) join the
// path to the root and let the OS resolve every folder on the way, so
// `ext/secret.py`, where `ext` is a tracked link to a folder outside the
// repository, "exists" in lint (the outside file is found) while check,
// reading the commit, rightly says it matches no file. A path through a
// link is not in the repository.
#[test]
fn a_key_file_through_a_symlinked_folder_is_stale_in_lint_as_in_check() {
    let outside = Outside::new();
    let repo = docs_repo();
    symlink(outside.path(), repo.path().join("ext"));
    repo.write(
        DOC,
        runbook(
            "ops-01",
            &["src/app.py", "ext/secret.py"],
            "How the app works.",
        ),
    );
    repo.commit("initial");
    let run = lint(&repo);
    assert_error(
        &run,
        "stale-key-file",
        DOC,
        7,
        &["`key_files` entry `ext/secret.py` of ops-01 (docs/ops/app.md) matches no file"],
    );
}

// was: src/snapshot.rs Snapshot::read (Workdir) follows a linked
// folder on the way to the file: lint reads training/features.txt's list
// from `ext/features.txt` outside the repository (and reports a mismatch
// about its contents), while check says it does not exist.
#[test]
fn a_feature_source_through_a_symlinked_folder_is_not_read_from_outside() {
    let outside = Outside::new();
    let repo = feature_repo("{file: ext/features.txt}", &[]);
    repo.write("inf.txt", "a\nc\n");
    symlink(outside.path(), repo.path().join("ext"));
    let run = lint(&repo);
    assert_source_error(&run, ".docgate.yml", 3, &["`ext/features.txt`"]);
    assert!(!run.stdout.contains("only in training"), "{run:?}");
}

// was: src/features.rs read_text (through Snapshot::read, which
// returns a link's target as its content) reads a feature source that is a
// symbolic link as a list holding one name, the link's target path
// ("/tmp/.../features.txt"): two links to the same target would even be
// "identical". A link must be a feature-source-error naming it.
#[test]
fn a_feature_source_that_is_a_symlink_is_an_error_not_its_target_path() {
    let outside = Outside::new();
    let repo = feature_repo("{file: feat.txt}", &[]);
    symlink(
        outside.path().join("features.txt"),
        repo.path().join("feat.txt"),
    );
    let run = lint(&repo);
    assert_source_error(&run, ".docgate.yml", 3, &["`feat.txt` is a symbolic link"]);
}

// was: src/features.rs text_list keeps a NUL byte inside a name
// ("b\0"): a text source with a NUL is binary (or UTF-16), not a list of
// names, and must be a feature-source-error at its line, as a doc with a NUL
// in its frontmatter is.
#[test]
fn a_text_source_with_a_nul_byte_is_refused() {
    let repo = feature_repo("{file: t.txt}", &[("t.txt", b"a\nb\0\n")]);
    assert_source_error(&lint(&repo), "t.txt", 2, &["NUL"]);
}

// was: src/features.rs from_yaml walks the pointer with
// yaml::Node::get, which silently takes the last of two equal keys (YAML
// says keys are unique; JSON parsers disagree on which one wins, TOML
// refuses): the list docgate checks may not be the one the pipeline reads.
// A duplicate key on the pointer's path must be a feature-source-error at
// the second key, like a duplicate in the config or in frontmatter.
#[test]
fn yaml_and_json_sources_with_a_duplicate_key_are_refused() {
    let repo = feature_repo(
        "{file: t.yaml, pointer: /f}",
        &[("t.yaml", b"f: [a, b]\nf: [a, b, c]\n")],
    );
    assert_source_error(&lint(&repo), "t.yaml", 2, &["`f` is given twice"]);
    let repo = feature_repo(
        "{file: t.json, pointer: /f}",
        &[(
            "t.json",
            b"{\n  \"f\": [\"a\", \"b\"],\n  \"f\": [\"x\"]\n}\n",
        )],
    );
    assert_source_error(&lint(&repo), "t.json", 3, &["`f` is given twice"]);
}

// was: src/git/prepush.rs parse quotes the whole offending line in
// its error ("got `<line>`"): a 10 MB line on stdin comes back as 10 MB on
// the terminal. The quote must be cut to a short prefix.
#[test]
fn a_ten_megabyte_ref_line_is_refused_without_echoing_it() {
    let (repo, _, _) = pr_repo();
    let mut line = vec![b'x'; 10 * MIB];
    line.push(b'\n');
    let run = pre_push(&repo, &line);
    assert_exit_2(&run, &["line 1 of the ref list on stdin"]);
    assert!(
        run.stderr.len() < 2 * KIB,
        "stderr is {} bytes: the line was echoed back",
        run.stderr.len()
    );
}

// was: src/git/prepush.rs Repo::parse_oid accepts a 40-digit id in a
// SHA-256 repository (git2's Oid::from_str_ext takes it as a prefix and pads
// it with zeros, "no match for id (aaaa…000000)"), while a 64-digit id in a
// SHA-1 repository is refused as "not a sha1 object id". The length must
// match the repository's format.
#[test]
fn a_sha1_id_in_a_sha256_repository_is_refused_naming_the_format() {
    let (repo, _, _) = sha256_failing_change();
    let run = pre_push(
        &repo,
        format!(
            "refs/heads/feature {} refs/heads/feature {}\n",
            "a".repeat(40),
            zeros(40)
        )
        .as_bytes(),
    );
    assert_no_panic(&run);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is not a sha256 object id"), "{run:?}");
    assert!(!run.stderr.contains("000000000000000000000000)"), "{run:?}");
}
