//! The `github:` section of the config: the sticky comment and the review,
//! owned by the GitHub layer.

use crate::config::node::{Validator, describe};
use crate::diagnostic;
use crate::yaml::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentMode {
    Sticky,
    Off,
    Required,
}

impl CommentMode {
    pub const NAMES: &'static [&'static str] = &["sticky", "off", "required"];
}

/// The one parser of a comment mode: `github.comment` and the `comment` input.
impl std::str::FromStr for CommentMode {
    type Err = diagnostic::NotOneOf;

    fn from_str(word: &str) -> Result<CommentMode, diagnostic::NotOneOf> {
        match word {
            "sticky" => Ok(CommentMode::Sticky),
            "off" => Ok(CommentMode::Off),
            "required" => Ok(CommentMode::Required),
            _ => Err(diagnostic::NotOneOf(CommentMode::NAMES)),
        }
    }
}

#[derive(Debug)]
pub struct GithubConfig {
    pub comment: CommentMode,
    pub review_comments: bool,
}

/// `github:` validated; the defaults when absent.
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> GithubConfig {
    let mut github = GithubConfig {
        comment: CommentMode::Sticky,
        review_comments: true,
    };
    let Some(node) = node else {
        return github;
    };
    v.map(node, "github", &["comment", "review_comments"]);
    if let Some(n) = node.get("comment") {
        match n.as_str().map(str::parse::<CommentMode>) {
            Some(Ok(mode)) => github.comment = mode,
            _ => v.err(
                n,
                format!(
                    "`github.comment` must be {}, found {}",
                    diagnostic::NotOneOf(CommentMode::NAMES).or_list(),
                    describe(n)
                ),
            ),
        }
    }
    if let Some(n) = node.get("review_comments") {
        github.review_comments = v.bool(n, "github.review_comments").unwrap_or(true);
    }
    github
}
