//! The GitHub mock validates: Prism, serving the cut of GitHub's REST
//! description, accepts the requests docgate will send and rejects invalid
//! ones with 422. These tests prove the harness (tests/it/support/prism.rs), not
//! docgate.

use crate::support::prism::Prism;
use serde_json::json;

const COMMENTS: &str = "/repos/octo-org/docs/issues/7/comments";
const COMMENT: &str = "/repos/octo-org/docs/issues/comments/42";
const REVIEWS: &str = "/repos/octo-org/docs/pulls/7/reviews";

#[test]
fn listens_on_loopback_only() {
    let gh = Prism::shared();
    assert!(
        gh.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        gh.base_url
    );
    assert!(gh.startup.as_secs() < 60);
}

#[test]
fn get_authenticated_user() {
    let r = Prism::shared().request("GET", "/user", None);
    assert_eq!(r.status, 200, "{r:#?}");
    assert_eq!(r.json()["login"], "octocat");
}

#[test]
fn valid_issue_comment_is_created() {
    let gh = Prism::shared();
    let r = gh.request(
        "POST",
        COMMENTS,
        Some(&json!({"body": "docgate: 2 findings"})),
    );
    assert_eq!(r.status, 201, "{r:#?}");
    assert!(r.request_violations().is_empty(), "{r:#?}");
    assert!(r.json()["id"].is_u64(), "{r:#?}");
    // Headers that point at GitHub point at the mock instead.
    let location = r.header("Location").expect("a Location header");
    assert!(location.starts_with(&gh.base_url), "{location}");
}

#[test]
fn issue_comment_without_body_is_422() {
    let r = Prism::shared().request("POST", COMMENTS, Some(&json!({"text": "no body"})));
    assert_eq!(r.status, 422, "{r:#?}");
    assert_eq!(
        r.request_violations(),
        ["Request body must have required property 'body'"],
        "{r:#?}"
    );
}

#[test]
fn issue_comment_that_is_not_json_is_422() {
    let r = Prism::shared().request_with(
        "POST",
        COMMENTS,
        &[("Content-Type", "text/plain")],
        Some("docgate: 2 findings"),
    );
    assert_eq!(r.status, 422, "{r:#?}");
    assert_eq!(
        r.request_violations(),
        ["Supported content types: application/json"]
    );
}

#[test]
fn patch_comment() {
    let gh = Prism::shared();
    let r = gh.request(
        "PATCH",
        COMMENT,
        Some(&json!({"body": "docgate: all clear"})),
    );
    assert_eq!(r.status, 200, "{r:#?}");
    assert!(r.json()["body"].is_string());

    let r = gh.request("PATCH", COMMENT, Some(&json!({"body": 5})));
    assert_eq!(r.status, 422, "{r:#?}");
    assert_eq!(
        r.request_violations(),
        ["Request body property body must be string"]
    );
}

#[test]
fn list_comments_second_page() {
    let gh = Prism::shared();
    let r = gh.request("GET", &format!("{COMMENTS}?per_page=100&page=2"), None);
    assert_eq!(r.status, 200, "{r:#?}");
    assert!(r.json().is_array(), "{r:#?}");
    // Every list is one page (tests/it/support/prism.rs: Prism serves one Link
    // example on every page, and a static `rel="next"` would be a list that
    // never ends): the links of a one-page list, at the mock.
    let link = r.header("Link").expect("a Link header");
    assert_eq!(
        link,
        format!(
            "<{0}/resource?page=1>; rel=\"first\", <{0}/resource?page=1>; rel=\"last\"",
            gh.base_url
        )
    );

    let r = gh.request("GET", &format!("{COMMENTS}?per_page=all"), None);
    assert_eq!(r.status, 422, "{r:#?}");
    assert_eq!(
        r.request_violations(),
        ["Request query parameter per_page must be integer"]
    );
}

#[test]
fn pull_request_and_its_review_comments() {
    let gh = Prism::shared();
    let r = gh.request("GET", "/repos/octo-org/docs/pulls/7", None);
    assert_eq!(r.status, 200, "{r:#?}");
    assert!(r.json()["head"]["sha"].is_string());
    // GitHub's own example fails GitHub's own schema: Prism says so in a
    // header (and would answer 500 with --errors, which is why it is off).
    assert!(r.request_violations().is_empty(), "{r:#?}");

    let r = gh.request(
        "GET",
        "/repos/octo-org/docs/pulls/7/comments?per_page=100",
        None,
    );
    assert_eq!(r.status, 200, "{r:#?}");
    assert!(r.json()[0]["path"].is_string());
}

#[test]
fn review_with_line_comments() {
    let gh = Prism::shared();
    let review = |side: &str| {
        json!({
            "commit_id": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
            "event": "COMMENT",
            "body": "docgate found 1 problem",
            "comments": [
                {"path": "docs/guide.md", "line": 12, "side": side, "body": "stale reference"}
            ]
        })
    };
    let r = gh.request("POST", REVIEWS, Some(&review("RIGHT")));
    assert_eq!(r.status, 200, "{r:#?}");
    assert!(r.request_violations().is_empty(), "{r:#?}");
    assert!(r.json()["id"].is_u64());

    let r = gh.request("POST", REVIEWS, Some(&review("MIDDLE")));
    assert_eq!(r.status, 422, "{r:#?}");
    assert_eq!(
        r.request_violations(),
        [
            "Request body property comments.0.side must be equal to one of the allowed values: LEFT, RIGHT"
        ]
    );

    let r = gh.request(
        "POST",
        REVIEWS,
        Some(&json!({"event": "COMMENT", "comments": [{"path": "a.md", "line": 1}]})),
    );
    assert_eq!(r.status, 422, "{r:#?}");
    assert_eq!(
        r.request_violations(),
        ["Request body property comments.0 must have required property 'body'"]
    );
}

#[test]
fn githubs_recommended_accept_header_is_served() {
    let gh = Prism::shared();
    for accept in [
        "application/vnd.github+json",
        "application/vnd.github.v3+json",
    ] {
        let r = gh.request_with("GET", "/user", &[("Accept", accept)], None);
        assert_eq!(r.status, 200, "{accept}: {r:#?}");
    }
}

#[test]
fn operations_outside_the_cut_are_refused() {
    let gh = Prism::shared();
    let r = gh.request("GET", "/repos/octo-org/docs/issues/7", None);
    assert_eq!(r.status, 404, "{r:#?}");
    let r = gh.request("DELETE", COMMENT, None);
    assert_eq!(r.status, 405, "{r:#?}");
}

#[test]
fn own_instance_is_killed_on_drop() {
    let gh = Prism::start();
    assert_ne!(gh.port, Prism::shared().port);
    assert_eq!(gh.request("GET", "/user", None).status, 200);
    assert!(gh.log().contains("/user"), "{}", gh.log());
    let port = gh.port;
    drop(gh);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "Prism still answers on {port} after drop"
    );
}
