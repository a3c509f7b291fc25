//! Contract: every request `docgate github` sends validates against GitHub's
//! own OpenAPI description (Prism on 127.0.0.1 answers 422 otherwise, and
//! `comment: required` turns any refused request into exit 2).

use crate::support::gh::*;
use crate::support::*;

/// A PR whose runbook edit has an invalid date on an added line (a review
/// comment) and whose code change lacks its runbook (the sticky comment).
fn pr_with_line_finding() -> (TestRepo, String, String) {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.write(
        "docs/ops/other.md",
        runbook_dated("ops-02", &["src/other.py"], "2026-13-01", "New runbook."),
    );
    let head = repo.commit("change app, add a runbook");
    let base = repo.git(&["rev-parse", "main"]);
    (repo, base, head)
}

#[test]
fn pull_request_run_sends_only_valid_requests() {
    let mock = prism::Prism::shared();
    let pr = Pr::of(pr_with_line_finding());
    let run = pr.github(&mock.base_url, &[("INPUT_COMMENT", "required")], &[]);
    assert_eq!(
        run.code,
        1,
        "the findings decide the exit; a refused request would be 2: {run:?}\n{}",
        mock.log()
    );
    // octocat is Prism's example identity; its example comment has no marker,
    // so docgate creates the sticky comment, then posts one review.
    assert!(
        run.stderr.contains("sticky comment created on #7"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("1 new review comment(s) on #7"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("warning:"), "{run:?}");
    let log = mock.log();
    for call in [
        "GET /user",
        "GET /repos/acme/trading/issues/7/comments",
        "POST /repos/acme/trading/issues/7/comments",
        "GET /repos/acme/trading/pulls/7/comments",
        "POST /repos/acme/trading/pulls/7/reviews",
    ] {
        let (verb, path) = call.split_once(' ').unwrap();
        // Prism logs each request as `[HTTP SERVER] get /path ...`.
        let seen = log
            .lines()
            .any(|l| l.contains(&format!("[HTTP SERVER] {} {path} ", verb.to_lowercase())));
        assert!(seen, "Prism never saw {call}:\n{log}");
    }
}
