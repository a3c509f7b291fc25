//! Publishing a finished report on a pull request: the sticky comment and
//! one review with line comments. Decides nothing about findings.

use serde_json::{Value, json};

use super::api::{Api, ApiError, Identity, Method};
use crate::report::LineComment;
use crate::report::markdown::{self, MARKER};

/// What happened to the sticky comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sticky {
    Created,
    Updated,
    /// A clean pull request that never had a docgate comment.
    NotNeeded,
}

fn fingerprint_tag(fp: &str) -> String {
    format!("<!-- docgate:fp:{fp} -->")
}

/// The fingerprints in the bodies of earlier review comments.
fn fingerprints_in(body: &str) -> Vec<String> {
    body.match_indices("<!-- docgate:fp:")
        .filter_map(|(i, tag)| {
            let rest = &body[i + tag.len()..];
            let end = rest.find(" -->")?;
            let fp = &rest[..end];
            fp.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| fp.to_string())
        })
        .collect()
}

fn login(v: &Value) -> Option<&str> {
    v.pointer("/user/login").and_then(Value::as_str)
}

/// Create, update or leave the one sticky comment. `has_findings`: the report
/// has something to say; a clean report only edits an existing comment.
pub fn sticky(
    api: &Api,
    identity: &Identity,
    pr: u64,
    body: &str,
    has_findings: bool,
) -> Result<Sticky, ApiError> {
    let comments = api.list(&api.repo_path(&format!("/issues/{pr}/comments")))?;
    // Only our own comments: anyone can paste the marker into theirs.
    let ours: Vec<&Value> = comments
        .iter()
        .filter(|c| {
            identity.may_have_written(c)
                && c.get("body")
                    .and_then(Value::as_str)
                    .is_some_and(|b| b.contains(MARKER))
        })
        .collect();
    // An installation token's login is unknown: any bot's marker comment may
    // be ours. Two bots' are a guess either way; neither is edited and no
    // second one is created.
    let mut by_login: Vec<(&str, u64)> = Vec::new();
    for c in &ours {
        let l = login(c).unwrap_or("?");
        if !by_login
            .iter()
            .any(|(seen, _)| seen.eq_ignore_ascii_case(l))
        {
            by_login.push((l, c.get("id").and_then(Value::as_u64).unwrap_or(0)));
        }
    }
    if *identity == Identity::Installation && by_login.len() > 1 {
        let named: Vec<String> = by_login
            .iter()
            .map(|(l, id)| format!("{l} (#{id})"))
            .collect();
        let (last, rest) = named.split_last().expect("more than one");
        return Err(ApiError::Ambiguous(format!(
            "docgate comments by {} and {last}, and GET /user answered 403 (an installation token, whose \
             login GitHub does not tell): docgate cannot tell which is this token's and posts no second \
             one; delete the stale one, or give a token that can read GET /user",
            rest.join(", ")
        )));
    }
    let mine = ours.first();
    let (method, path, outcome) = match (
        mine.and_then(|c| c.get("id")).and_then(Value::as_u64),
        has_findings,
    ) {
        (Some(id), _) => (
            Method::Patch,
            format!("/issues/comments/{id}"),
            Sticky::Updated,
        ),
        (None, true) => (
            Method::Post,
            format!("/issues/{pr}/comments"),
            Sticky::Created,
        ),
        (None, false) => return Ok(Sticky::NotNeeded),
    };
    api.send(
        method,
        &api.repo_path(&path),
        Some(&json!({ "body": body })),
    )?;
    Ok(outcome)
}

fn review_comment_body(c: &LineComment) -> String {
    let (first, rest) = c.message.split_once('\n').unwrap_or((&c.message, ""));
    let mut body = format!(
        "**docgate** {}: {}\n",
        markdown::code(&c.rule),
        markdown::inline(first)
    );
    if !rest.is_empty() {
        body.push_str(&format!(
            "\n```text\n{}\n```\n",
            rest.replace("```", "ˋˋˋ").replace("<!--", "<\u{200B}!--")
        ));
    }
    body.push_str(&format!(
        "\n{}\n\n{}",
        markdown::escape(&c.help),
        fingerprint_tag(&c.fingerprint)
    ));
    body
}

/// Post the line comments not posted before, as one review. Returns how many
/// were posted.
pub fn review(
    api: &Api,
    identity: &Identity,
    pr: u64,
    head_sha: &str,
    comments: &[LineComment],
) -> Result<usize, ApiError> {
    if comments.is_empty() {
        return Ok(0);
    }
    let existing = api.list(&api.repo_path(&format!("/pulls/{pr}/comments")))?;
    let posted: Vec<String> = existing
        .iter()
        .filter(|c| identity.may_have_written(c))
        .filter_map(|c| c.get("body").and_then(Value::as_str))
        .flat_map(fingerprints_in)
        .collect();
    let new: Vec<&LineComment> = comments
        .iter()
        .filter(|c| !posted.contains(&c.fingerprint))
        .collect();
    if new.is_empty() {
        return Ok(0);
    }
    let body = json!({
        "commit_id": head_sha,
        "event": "COMMENT",
        "body": format!(
            "**docgate** found {} issue{} on lines this pull request adds; the docgate comment has the whole report.",
            new.len(),
            if new.len() == 1 { "" } else { "s" }
        ),
        "comments": new.iter().map(|c| json!({
            "path": c.path,
            "line": c.line,
            "side": "RIGHT",
            "body": review_comment_body(c),
        })).collect::<Vec<_>>(),
    });
    api.send(
        Method::Post,
        &api.repo_path(&format!("/pulls/{pr}/reviews")),
        Some(&body),
    )?;
    Ok(new.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_round_trip() {
        let c = LineComment {
            path: "a.py".into(),
            line: 3,
            fingerprint: "00ff00ff00ff00ff".into(),
            rule: "feature-mismatch".into(),
            message: "x\n  diff".into(),
            help: "fix".into(),
        };
        let body = review_comment_body(&c);
        assert_eq!(fingerprints_in(&body), vec!["00ff00ff00ff00ff"]);
        assert_eq!(
            fingerprints_in("<!-- docgate:fp:zz -->"),
            Vec::<String>::new()
        );
    }
}
