//! `docgate github` against scripted GitHub APIs (wiremock on 127.0.0.1).

use crate::support::gh::*;
use crate::support::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread")]
async fn pull_request_end_to_end_posts_sticky_comment_and_writes_outputs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            serde_json::json!({"message": "Resource not accessible by integration"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/trading/issues/7/comments"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/trading/issues/7/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let pr = Pr::of(pr_repo());
    let uri = server.uri();
    let (run, pr) = tokio::task::spawn_blocking(move || (pr.github(&uri, &[], &[]), pr))
        .await
        .unwrap();
    let Pr { gh, base, head, .. } = &pr;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("::error file=src/app.py,title=docgate doc-not-updated::"),
        "{run:?}"
    );
    let outputs = gh.read("output.txt");
    assert!(
        outputs.contains("errors=1\n") && outputs.contains("warnings=0\n"),
        "{outputs}"
    );
    assert!(
        outputs.contains(&format!(
            "report={}",
            gh.file("docgate-report.json").display()
        )),
        "{outputs}"
    );
    let summary = gh.read("summary.md");
    assert!(
        summary.contains("<!-- docgate:report -->") && summary.contains("doc-not-updated"),
        "{summary}"
    );
    let requests = server.received_requests().await.unwrap();
    let post = requests
        .iter()
        .find(|r| r.method.as_str() == "POST")
        .expect("a comment was posted");
    let body: serde_json::Value = serde_json::from_slice(&post.body).unwrap();
    let text = body["body"].as_str().unwrap();
    assert!(text.starts_with("<!-- docgate:report -->"), "{text}");
    assert!(text.contains("Docs to read for this change"), "{text}");
    assert!(
        text.contains(&format!("docgate check --base {base} --head {head}")),
        "{text}"
    );
    assert!(
        text.contains("https://github.example/acme/trading/blob/"),
        "{text}"
    );
    pr.assert_no_token(&run, &requests);
}

/// A Docker action gets the host's RUNNER_TEMP, which is not mounted in the
/// container: the report goes to HOME (`/github/home`) instead of failing.
#[test]
fn report_falls_back_to_home_when_runner_temp_is_not_mounted() {
    let pr = Pr::of(pr_repo());
    let home = pr.gh.root().join("github-home");
    std::fs::create_dir_all(&home).unwrap();
    let run = pr.github(
        "http://127.0.0.1:9",
        &[
            ("RUNNER_TEMP", "/home/runner/work/_temp-not-mounted"),
            ("HOME", home.to_str().unwrap()),
            ("INPUT_COMMENT", "off"),
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let report = home.join("docgate-report.json");
    assert!(report.is_file(), "{run:?}");
    assert!(
        pr.gh
            .read("output.txt")
            .contains(&format!("report={}", report.display()))
    );
}

/// The "Reproduce locally" command of every kind of Markdown body goes through
/// the real CLI against the repository the report is about, and gives the
/// same verdict.
#[test]
fn reproduce_commands_run_against_the_repository() {
    // A pull request (the job summary of `docgate github`).
    let pr = Pr::of(pr_repo());
    let run = pr.github("http://127.0.0.1:9", &[("INPUT_COMMENT", "off")], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let commands = reproduce_commands(&pr.gh.read("summary.md"));
    assert_eq!(
        commands,
        [vec![
            "check".to_string(),
            "--base".into(),
            pr.base.clone(),
            "--head".into(),
            pr.head.clone()
        ]]
    );
    let repo = &pr.repo;
    assert_eq!(run_reproduce(repo, &commands[0]).code, 1);

    // workflow_dispatch: lint.
    let g = Gh::new();
    let dispatch = g.file("dispatch.json");
    std::fs::write(&dispatch, "{}").unwrap();
    let run = run_github(
        repo,
        &g,
        "http://127.0.0.1:9",
        &dispatch,
        &[("GITHUB_EVENT_NAME", "workflow_dispatch")],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let commands = reproduce_commands(&g.read("summary.md"));
    assert_eq!(commands, [vec!["lint".to_string()]]);
    assert_eq!(run_reproduce(repo, &commands[0]).code, 0);

    // `docgate check --staged/--worktree --format markdown`.
    repo.write("src/app.py", "print('v3')\n");
    let run = repo.docgate(&["check", "--worktree", "--format", "markdown"]);
    assert_eq!(run.code, 1, "{run:?}");
    let commands = reproduce_commands(&run.stdout);
    assert_eq!(commands, [vec!["check".to_string(), "--worktree".into()]]);
    assert_eq!(run_reproduce(repo, &commands[0]).code, 1);
    repo.git(&["add", "src/app.py"]);
    let run = repo.docgate(&["check", "--staged", "--format", "markdown"]);
    assert_eq!(run.code, 1, "{run:?}");
    let commands = reproduce_commands(&run.stdout);
    assert_eq!(commands, [vec!["check".to_string(), "--staged".into()]]);
    assert_eq!(run_reproduce(repo, &commands[0]).code, 1);
}
