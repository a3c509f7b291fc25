//! `docgate docs` (queries over the doc graph) and `docgate graph` (the graph
//! as text, Mermaid or DOT): snapshots of what a user sees, each diagram
//! checked by the real Mermaid parser and by Graphviz
//! (`scripts/diagrams/validate.mjs`), and hostile titles that must not break
//! either.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::support::*;

/// A doc with the given frontmatter lines between the fences.
fn doc(fields: &str) -> String {
    format!("---\n{fields}last_updated: 2026-01-15\n---\n\n# Doc\n\nBody.\n")
}

/// Five docs over three perspectives, with tags, key_files, a chain of
/// `depends_on`, one unknown dependency and one doc whose frontmatter is broken.
fn graph_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "x = 1\n")
        .write("src/risk/limits.py", "LIMIT = 1\n")
        .write(
            "docs/arch/overview.md",
            doc("id: arch-01\ntitle: System overview\nperspective: architecture\ntags: [overview]\n"),
        )
        .write(
            "docs/ops/app.md",
            doc("id: ops-01\ntitle: Running the app\nperspective: operations\ntags: [app, deploy]\n\
                 depends_on: [arch-01]\nkey_files:\n  - src/app.py\n"),
        )
        .write(
            "docs/ops/deploy.md",
            doc("id: ops-02\ntitle: Deploying\nperspective: operations\ntags: [deploy]\n\
                 depends_on: [ops-01, ops-99]\nkey_files:\n  - src/\n"),
        )
        .write(
            "docs/risk/limits.md",
            doc("id: risk-01\ntitle: Risk limits\nperspective: risk\ntags: [limits]\n\
                 depends_on: [ops-02, ops-07]\nkey_files:\n  - \"src/risk/*.py\"\n"),
        )
        .write(
            "docs/ops/broken.md",
            "---\nid: ops-07\ntitle: Broken\nperspective: operations\nlast_updated: 2026-13-40\n---\nBody.\n",
        );
    repo.commit("initial");
    repo
}

/// The stderr warning of `graph` and `docs` for `graph_repo`'s broken doc.
fn broken_doc_warning(left: &str) -> String {
    format!(
        "warning: 1 file {left}: its frontmatter cannot be read (see `docgate lint`)\n  \
         docs/ops/broken.md:5: `last_updated` must be a date written YYYY-MM-DD, found `2026-13-40`\n"
    )
}

fn validators_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/diagrams")
}

/// Run the real parser for `kind` (`mermaid`, `dot`) on `diagram`:
/// `Ok(its summary)` or `Err(its message)`. The validators must be installed
/// (`bash scripts/test-deps.sh`): a missing tool fails the test, never skips it.
pub(crate) fn parse_with_real_parser(kind: &str, diagram: &str) -> Result<String, String> {
    let dir = validators_dir();
    for module in ["mermaid", "jsdom", "@hpcc-js/wasm-graphviz"] {
        assert!(
            dir.join("node_modules")
                .join(module)
                .join("package.json")
                .is_file(),
            "{module} is not installed in scripts/diagrams: run `bash scripts/test-deps.sh` \
             (or `npm ci --prefix scripts/diagrams`)"
        );
    }
    let mut child = Command::new("node")
        .arg(dir.join("validate.mjs"))
        .arg(kind)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node` ({e}): install Node.js 20 or later"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(diagram.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    match out.status.code() {
        Some(0) => Ok(stdout),
        Some(1) => Err(stderr),
        other => panic!("validate.mjs {kind} failed ({other:?}): {stdout}\n{stderr}"),
    }
}

fn assert_parses(kind: &str, diagram: &str) -> String {
    parse_with_real_parser(kind, diagram)
        .unwrap_or_else(|e| panic!("the {kind} parser refuses the diagram: {e}\n{diagram}"))
}

#[test]
fn the_validators_refuse_a_broken_diagram() {
    // Without this, a validator that accepts anything would make every test below pass.
    let err = parse_with_real_parser("mermaid", "flowchart LR\n  n0[\"a \"quoted\" b\"]\n")
        .expect_err("an unescaped quote in a label is a Mermaid parse error");
    assert!(err.contains("Parse error"), "{err}");
    let err = parse_with_real_parser(
        "dot",
        "digraph docs {\n  n0 [label=\"a \"quoted\" b\"];\n}\n",
    )
    .expect_err("an unescaped quote in a label is a DOT syntax error");
    assert!(err.contains("syntax error"), "{err}");
}

#[test]
fn graph_as_text() {
    let repo = graph_repo();
    let run = repo.docgate(&["graph"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("graph_text", run.stdout);
    assert_eq!(run.stderr, broken_doc_warning("not shown"), "{run:?}");
}

#[test]
fn graph_as_mermaid_renders() {
    let repo = graph_repo();
    let run = repo.docgate(&["graph", "--format", "mermaid"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("graph_mermaid", run.stdout);
    assert_eq!(assert_parses("mermaid", &run.stdout), "ok: flowchart-v2");
    // The unreadable doc is named in the diagram and on stderr, never dropped silently.
    assert!(
        run.stdout
            .contains("%% not shown, its frontmatter cannot be read: docs/ops/broken.md"),
        "{run:?}"
    );
    assert!(run.stderr.contains("docs/ops/broken.md:5"), "{run:?}");

    let run = repo.docgate(&["graph", "--format", "mermaid", "--with-files"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("graph_mermaid_with_files", run.stdout);
    assert_eq!(assert_parses("mermaid", &run.stdout), "ok: flowchart-v2");
}

#[test]
fn graph_as_dot_lays_out() {
    let repo = graph_repo();
    let run = repo.docgate(&["graph", "--format", "dot"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("graph_dot", run.stdout);
    // Three perspectives, four docs and two missing targets, five edges.
    assert_eq!(
        assert_parses("dot", &run.stdout),
        "ok: 3 clusters, 6 nodes, 5 edges"
    );
    let run = repo.docgate(&["graph", "--format", "dot", "--with-files"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("graph_dot_with_files", run.stdout);
    // Plus the files src/app.py, src/, src/risk/*.py and their three edges.
    assert_eq!(
        assert_parses("dot", &run.stdout),
        "ok: 3 clusters, 9 nodes, 8 edges"
    );
}

/// Titles, ids and perspectives with everything Mermaid, DOT or HTML give a
/// meaning to: both diagrams still parse, and the text survives as labels.
#[test]
fn hostile_titles_do_not_break_the_diagrams() {
    let repo = TestRepo::new();
    let hostile = r#"Quote \" [bracket] {brace} (paren) --> arrow %% comment <b>html</b> `tick` #35; entity & amp | pipe ; semi \\N backslash-N \n newline end"#;
    repo.write(
        ".docgate.yml",
        "docs:\n  perspectives: [\"ops [\\\"on-call\\\"] <i>end</i>\", \"subgraph\"]\n",
    )
    .write(
        "docs/a.md",
        doc(&format!(
            "id: end\ntitle: \"{hostile}\"\nperspective: \"ops [\\\"on-call\\\"] <i>end</i>\"\ndepends_on: [subgraph, \"x\\\"]-->y\"]\n"
        )),
    )
    .write(
        "docs/b.md",
        doc("id: subgraph\ntitle: \"%%{init: {'theme':'dark'}}%%\"\nperspective: subgraph\nkey_files:\n  - \"src/a \\\"b\\\"/[c].py\"\n"),
    );
    repo.commit("hostile");

    let run = repo.docgate(&["graph", "--format", "mermaid", "--with-files"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(assert_parses("mermaid", &run.stdout), "ok: flowchart-v2");
    insta::assert_snapshot!("graph_mermaid_hostile", run.stdout);
    // No label carries a raw quote, `<`, a backquote or a line break.
    for line in run
        .stdout
        .lines()
        .filter(|l| l.contains("[\"") || l.contains("{{\""))
    {
        let inner = &line[line.find('"').unwrap() + 1..line.rfind('"').unwrap()];
        assert!(
            !inner.contains(['"', '<', '>', '`']),
            "unescaped label: {line}"
        );
    }

    let run = repo.docgate(&["graph", "--format", "dot", "--with-files"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        assert_parses("dot", &run.stdout),
        "ok: 2 clusters, 4 nodes, 3 edges"
    );
    insta::assert_snapshot!("graph_dot_hostile", run.stdout);
    assert!(
        run.stdout.contains(r#"\\N backslash-N"#),
        "a backslash stays literal: {}",
        run.stdout
    );

    // The text forms write control characters as escapes.
    let run = repo.docgate(&["graph"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(r"semi \N backslash-N \n newline end"),
        "{run:?}"
    );
    let run = repo.docgate(&["docs"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 2, "one doc a line: {run:?}");
}

#[test]
fn a_diagram_too_large_for_github_gets_a_warning() {
    let repo = TestRepo::new();
    let title = "A runbook title long enough to fill the diagram quickly ".repeat(2);
    for i in 0..400 {
        repo.write(
            &format!("docs/d{i:03}.md"),
            doc(&format!(
                "id: d{i:03}\ntitle: {title}{i}\nperspective: guide\n"
            )),
        );
    }
    repo.commit("many docs");
    let run = repo.docgate(&["graph", "--format", "mermaid"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.len() > 50_000, "{}", run.stdout.len());
    assert_eq!(
        run.stderr,
        format!(
            "warning: the diagram is {} characters; GitHub renders Mermaid up to 50000 and shows an error instead beyond that\n",
            run.stdout.len()
        )
    );
    let small = repo.docgate(&["graph", "--format", "dot"]);
    assert_eq!(
        small.stderr, "",
        "the limit is Mermaid's on GitHub: {small:?}"
    );
}

#[test]
fn docs_lists_every_readable_doc_and_names_the_others() {
    let repo = graph_repo();
    let run = repo.docgate(&["docs"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("docs_text", run.stdout);
    assert_eq!(run.stderr, broken_doc_warning("not queried"), "{run:?}");
    let run = repo.docgate(&["docs", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("docs_json", run.stdout);
}

/// The ids `docs --format json` answers with.
fn ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut all = vec!["docs", "--format", "json"];
    all.extend_from_slice(args);
    let run = repo.docgate(&all);
    assert_eq!(run.code, 0, "{run:?}");
    run.json()["docs"]
        .as_array()
        .expect("docs")
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn docs_filters_combine_with_and_and_repeat_with_or() {
    let repo = graph_repo();
    assert_eq!(ids(&repo, &["--tag", "deploy"]), ["ops-01", "ops-02"]);
    assert_eq!(
        ids(&repo, &["--tag", "overview", "--tag", "limits"]),
        ["arch-01", "risk-01"]
    );
    assert_eq!(
        ids(&repo, &["--perspective", "operations"]),
        ["ops-01", "ops-02"]
    );
    assert_eq!(
        ids(
            &repo,
            &["--perspective", "risk", "--perspective", "architecture"]
        ),
        ["arch-01", "risk-01"]
    );
    // Coverage as `context` finds it: exact path, folder, glob.
    assert_eq!(
        ids(&repo, &["--key-file", "src/app.py"]),
        ["ops-01", "ops-02"]
    );
    assert_eq!(
        ids(&repo, &["--key-file", "src/risk/limits.py"]),
        ["ops-02", "risk-01"]
    );
    // Relative to the current directory, like `context`.
    assert_eq!(
        ids(&repo, &["-C", "src/risk", "--key-file", "limits.py"]),
        ["ops-02", "risk-01"]
    );
    assert_eq!(
        ids(&repo, &["--key-file", "README.md"]),
        Vec::<String>::new()
    );
    // depends_on: direct, and through other docs.
    assert_eq!(ids(&repo, &["--depends-on", "arch-01"]), ["ops-01"]);
    assert_eq!(
        ids(&repo, &["--depends-on", "arch-01", "--transitive"]),
        ["ops-01", "ops-02", "risk-01"]
    );
    // A doc whose frontmatter is broken still has an id others depend on.
    assert_eq!(ids(&repo, &["--depends-on", "ops-07"]), ["risk-01"]);
    // AND across flags.
    assert_eq!(
        ids(
            &repo,
            &["--tag", "deploy", "--key-file", "src/risk/limits.py"]
        ),
        ["ops-02"]
    );
    assert_eq!(
        ids(
            &repo,
            &[
                "--depends-on",
                "arch-01",
                "--transitive",
                "--perspective",
                "risk"
            ]
        ),
        ["risk-01"]
    );
    // No match is an answer, not an error.
    let run = repo.docgate(&["docs", "--tag", "overview", "--perspective", "risk"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "no docs match\n");
    let run = repo.docgate(&["docs", "--tag", "limits"]);
    assert_eq!(
        run.stdout, "risk-01  risk  docs/risk/limits.md  Risk limits\n",
        "{run:?}"
    );
}

#[test]
fn docs_refuses_questions_that_name_nothing() {
    let repo = graph_repo();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--perspective", "operation"],
            "docgate: error: `--perspective operation` is not one of docs.perspectives (did you mean `operations`?): architecture, risk, operations, guide\n",
        ),
        (
            &["--depends-on", "ops-1"],
            "docgate: error: `--depends-on ops-1`: no doc has this id (did you mean `ops-01`?)\n",
        ),
        (
            &["--tag", "deploi"],
            "docgate: error: `--tag deploi`: no doc has this tag (did you mean `deploy`?) (not counted, their frontmatter cannot be read: docs/ops/broken.md); the tags in use are: app, deploy, limits, overview\n",
        ),
        (
            &["--format", "sarif"],
            "docgate: error: `docgate docs` writes text or json, not sarif\n",
        ),
        (
            &["--output", "docs.txt"],
            "docgate: error: `docgate docs` writes to stdout only, not to `--output docs.txt`: redirect it instead (`docgate docs ... > FILE`)\n",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["docs"];
        all.extend_from_slice(args);
        let run = repo.docgate(&all);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr, *want, "{args:?}");
    }
    // --transitive without --depends-on is a usage error.
    let run = repo.docgate(&["docs", "--transitive"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--depends-on <ID>"), "{run:?}");
}

#[test]
fn diagram_formats_are_for_graph_and_report_formats_are_not() {
    let repo = graph_repo();
    let run = repo.docgate(&["graph", "--format", "json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        "docgate: error: `docgate graph` writes text, mermaid or dot, not json (the docs as JSON: `docgate docs --format json`)\n"
    );
    for cmd in ["lint", "docs", "context"] {
        let mut args = vec![cmd, "--format", "mermaid"];
        if cmd == "context" {
            args.push("src/app.py");
        }
        let run = repo.docgate(&args);
        assert_eq!(run.code, 2, "{cmd}: {run:?}");
        assert_eq!(
            run.stderr,
            "docgate: error: --format mermaid is a diagram of the doc graph, written by `docgate graph`; \
             reports are text, json, sarif, github, markdown\n",
            "{cmd}"
        );
    }
    let run = repo.docgate(&["lint", "--output", "dot=graph.dot"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "`dot` is not a report format; the formats are text, json, sarif, github, markdown"
        ),
        "{run:?}"
    );
    assert!(!repo.path().join("graph.dot").exists());
    let run = repo.docgate(&["graph", "--format", "mermaid", "--output", "g.mmd"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!repo.path().join("g.mmd").exists());
}

#[test]
fn no_docs_is_nothing_to_query() {
    let repo = TestRepo::new();
    repo.write("README.md", "hi\n");
    repo.commit("initial");
    for cmd in ["docs", "graph"] {
        let run = repo.docgate(&[cmd]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains("nothing to check"), "{run:?}");
    }
}
