//! The Actions environment and the event payload: which range to check, and
//! the action inputs, each read by its type's one parser.

use std::collections::HashMap;
use std::path::PathBuf;

use std::str::FromStr;

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;

use crate::cli::FailOn;
use crate::config::CommentMode;
use crate::diagnostic::NotOneOf;

/// The inputs of the main action (`action.yml`).
pub const ACTION_INPUTS: &[&str] = &[
    "config",
    "token",
    "comment",
    "review-comments",
    "fail-on",
    "report-out",
];
/// The inputs of the post action (`post/action.yml`).
pub const POST_INPUTS: &[&str] = &["report", "token", "comment", "review-comments", "fail-on"];

/// The action inputs that choose behaviour, validated once, before any work:
/// a misspelled name or value is exit 2 naming the accepted ones, never a
/// default (`requierd` must not mean `sticky`). Each is read by its type's
/// one parser, the one the config and the CLI use.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    pub comment: Option<CommentMode>,
    pub review_comments: Option<bool>,
    pub fail_on: Option<FailOn>,
}

/// A boolean input, read by `bool`'s own parser: `true` or `false`, exactly.
struct Bool(bool);

impl FromStr for Bool {
    type Err = NotOneOf;

    fn from_str(word: &str) -> Result<Bool, NotOneOf> {
        word.parse()
            .map(Bool)
            .map_err(|_| NotOneOf(&["true", "false"]))
    }
}

/// Largest event payload read (GitHub's are far smaller).
const MAX_EVENT_BYTES: u64 = 25 * 1024 * 1024;

/// The variables `docgate github` reads, captured once.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

/// The variables docgate reads: one that is not UTF-8 is an error, never
/// unset (an `INPUT_COMMENT: off` with a stray byte must not mean `sticky`).
fn is_ours(name: &str) -> bool {
    ["GITHUB_", "INPUT_", "RUNNER_", "DOCGATE_"]
        .iter()
        .any(|p| name.starts_with(p))
        || name == "HOME"
}

impl Env {
    /// The process environment. A `GITHUB_*`, `INPUT_*`, `RUNNER_*`,
    /// `DOCGATE_*` or `HOME` variable whose name or value is not UTF-8 is an
    /// error naming the variable, never its value (it may be the token);
    /// other variables docgate does not read are left out.
    pub fn from_process() -> Result<Env> {
        Env::from_vars(std::env::vars_os())
    }

    pub(crate) fn from_vars(
        vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Result<Env> {
        let mut map = HashMap::new();
        let mut bad = Vec::new();
        for (k, v) in vars {
            match (k.into_string(), v.into_string()) {
                (Ok(k), Ok(v)) => {
                    map.insert(k, v);
                }
                (Ok(k), Err(_)) if is_ours(&k) => bad.push(k),
                (Err(k), _) if is_ours(&k.to_string_lossy()) => {
                    bad.push(k.to_string_lossy().into_owned())
                }
                _ => {}
            }
        }
        bad.sort();
        match bad.len() {
            0 => Ok(Env { vars: map }),
            1 => bail!(
                "the environment variable `{}` is not valid UTF-8; docgate reads GITHUB_*, INPUT_*, RUNNER_*, \
                 DOCGATE_* and HOME as text",
                bad[0].escape_debug()
            ),
            _ => bail!(
                "the environment variables {} are not valid UTF-8; docgate reads GITHUB_*, INPUT_*, RUNNER_*, \
                 DOCGATE_* and HOME as text",
                bad.iter()
                    .map(|k| format!("`{}`", k.escape_debug()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A variable, `None` when unset or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub fn require(&self, key: &str) -> Result<&str> {
        self.get(key)
            .ok_or_else(|| anyhow!("{key} is not set: `docgate github` runs inside GitHub Actions (or with the GITHUB_* variables set)"))
    }

    /// An action input, the way a Docker action receives it (`INPUT_FAIL-ON`).
    pub fn input(&self, name: &str) -> Option<&str> {
        self.get(&format!("INPUT_{}", name.to_ascii_uppercase()))
    }

    /// Check every `INPUT_*` variable against the inputs `action` declares
    /// (`known`) and parse the ones with a fixed set of values; all problems
    /// at once.
    pub fn inputs(&self, known: &[&str], action: &str) -> Result<Inputs> {
        let mut problems = Vec::new();
        let mut names: Vec<String> = self
            .vars
            .keys()
            .filter_map(|k| k.strip_prefix("INPUT_"))
            .map(str::to_ascii_lowercase)
            .collect();
        names.sort();
        for name in names {
            if !known.contains(&name.as_str()) {
                problems.push(format!(
                    "unknown input `{name}`{}; {action} takes {}",
                    crate::config::did_you_mean(&name, known),
                    known.join(", ")
                ));
            }
        }
        fn choice<T: FromStr<Err = NotOneOf>>(
            env: &Env,
            name: &str,
            problems: &mut Vec<String>,
        ) -> Option<T> {
            let given = env.input(name)?;
            match given.parse() {
                Ok(value) => Some(value),
                Err(NotOneOf(accepted)) => {
                    problems.push(format!(
                        "the `{name}` input must be {}, not `{given}`{}",
                        accepted.join(", "),
                        crate::config::did_you_mean(given, accepted)
                    ));
                    None
                }
            }
        }
        let inputs = Inputs {
            comment: choice(self, "comment", &mut problems),
            review_comments: choice(self, "review-comments", &mut problems).map(|Bool(b)| b),
            fail_on: choice(self, "fail-on", &mut problems),
        };
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
        Ok(inputs)
    }

    pub fn token(&self) -> Option<&str> {
        self.input("token").or_else(|| self.get("GITHUB_TOKEN"))
    }

    pub fn api_url(&self) -> &str {
        self.get("GITHUB_API_URL")
            .unwrap_or("https://api.github.com")
    }

    pub fn server_url(&self) -> &str {
        self.get("GITHUB_SERVER_URL")
            .unwrap_or("https://github.com")
    }

    pub fn repository(&self) -> Result<(String, String)> {
        let full = self.require("GITHUB_REPOSITORY")?;
        match full.split_once('/') {
            Some((o, r)) if !o.is_empty() && !r.is_empty() && !r.contains('/') => {
                Ok((o.to_string(), r.to_string()))
            }
            _ => bail!("GITHUB_REPOSITORY must be owner/name, found `{full}`"),
        }
    }

    pub fn workspace(&self) -> Option<PathBuf> {
        self.get("GITHUB_WORKSPACE").map(PathBuf::from)
    }

    pub fn event_name(&self) -> Result<&str> {
        self.require("GITHUB_EVENT_NAME")
    }

    pub fn payload(&self) -> Result<Value> {
        let path = self.require("GITHUB_EVENT_PATH")?;
        let meta = std::fs::metadata(path)
            .with_context(|| format!("cannot read the event payload {path}"))?;
        if meta.len() > MAX_EVENT_BYTES {
            bail!(
                "the event payload {path} is {} bytes; that is not a GitHub event",
                meta.len()
            );
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read the event payload {path}"))?;
        serde_json::from_slice(&bytes)
            .with_context(|| format!("the event payload {path} is not valid JSON"))
    }
}

/// What to check for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `merge-base(base, head)..head`; `pull_request` is set for PR events.
    Range {
        base: String,
        head: String,
        pull_request: Option<u64>,
    },
    /// A push that created a branch: compare with the default branch.
    NewBranch {
        head: String,
        default_branch: String,
    },
    /// A push that deleted a branch: nothing to check.
    Deleted,
    /// `workflow_dispatch`: the whole documentation system.
    Lint,
}

fn sha<'a>(v: &'a Value, pointer: &str, event: &str) -> Result<&'a str> {
    let s = v
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("the {event} event payload has no `{pointer}`"))?;
    if !is_sha(s) {
        bail!("the {event} event payload's `{pointer}` is not a commit id: `{s}`");
    }
    Ok(s)
}

pub fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_zero(s: &str) -> bool {
    s.bytes().all(|b| b == b'0')
}

pub fn target(event: &str, payload: &Value) -> Result<Target> {
    match event {
        "pull_request" | "pull_request_target" => {
            let number = payload
                .pointer("/pull_request/number")
                .or_else(|| payload.get("number"))
                .and_then(Value::as_u64)
                .ok_or_else(|| anyhow!("the {event} event payload has no pull request number"))?;
            Ok(Target::Range {
                base: sha(payload, "/pull_request/base/sha", event)?.to_string(),
                head: sha(payload, "/pull_request/head/sha", event)?.to_string(),
                pull_request: Some(number),
            })
        }
        "merge_group" => Ok(Target::Range {
            base: sha(payload, "/merge_group/base_sha", event)?.to_string(),
            head: sha(payload, "/merge_group/head_sha", event)?.to_string(),
            pull_request: None,
        }),
        "push" => {
            let before = sha(payload, "/before", event)?;
            let after = sha(payload, "/after", event)?;
            if is_zero(after) || payload.get("deleted").and_then(Value::as_bool) == Some(true) {
                return Ok(Target::Deleted);
            }
            if is_zero(before) || payload.get("created").and_then(Value::as_bool) == Some(true) {
                let default_branch = payload
                    .pointer("/repository/default_branch")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        anyhow!("the push event payload has no `/repository/default_branch`")
                    })?;
                return Ok(Target::NewBranch {
                    head: after.to_string(),
                    default_branch: default_branch.to_string(),
                });
            }
            Ok(Target::Range {
                base: before.to_string(),
                head: after.to_string(),
                pull_request: None,
            })
        }
        "workflow_dispatch" => Ok(Target::Lint),
        other => bail!(
            "docgate github does not handle the `{other}` event; use it on pull_request, pull_request_target, merge_group, push or workflow_dispatch (and `docgate github post` on workflow_run)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn targets_per_event() {
        let pr = json!({"number": 7, "pull_request": {"number": 7, "base": {"sha": A}, "head": {"sha": B}}});
        assert_eq!(
            target("pull_request", &pr).unwrap(),
            Target::Range {
                base: A.into(),
                head: B.into(),
                pull_request: Some(7)
            }
        );
        assert_eq!(
            target("pull_request_target", &pr).unwrap(),
            target("pull_request", &pr).unwrap()
        );
        let mg = json!({"merge_group": {"base_sha": A, "head_sha": B}});
        assert_eq!(
            target("merge_group", &mg).unwrap(),
            Target::Range {
                base: A.into(),
                head: B.into(),
                pull_request: None
            }
        );
        let push = json!({"before": A, "after": B, "repository": {"default_branch": "main"}});
        assert_eq!(
            target("push", &push).unwrap(),
            Target::Range {
                base: A.into(),
                head: B.into(),
                pull_request: None
            }
        );
        let new = json!({"before": Z, "after": B, "created": true, "repository": {"default_branch": "main"}});
        assert_eq!(
            target("push", &new).unwrap(),
            Target::NewBranch {
                head: B.into(),
                default_branch: "main".into()
            }
        );
        let del = json!({"before": A, "after": Z, "deleted": true, "repository": {"default_branch": "main"}});
        assert_eq!(target("push", &del).unwrap(), Target::Deleted);
        assert_eq!(
            target("workflow_dispatch", &json!({})).unwrap(),
            Target::Lint
        );
        assert!(
            target("issues", &json!({}))
                .unwrap_err()
                .to_string()
                .contains("does not handle")
        );
        let bad =
            json!({"pull_request": {"number": 1, "base": {"sha": "main"}, "head": {"sha": B}}});
        assert!(
            target("pull_request", &bad)
                .unwrap_err()
                .to_string()
                .contains("not a commit id")
        );
    }
}
