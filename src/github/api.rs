//! The GitHub REST calls docgate makes, through octocrab's raw request
//! methods so that status codes and rate-limit headers stay visible: bounded
//! retries for 429, secondary rate limits and 5xx, a timeout per request, and
//! one clear line per failure with the token never in it.

use std::time::Duration;

use http::HeaderMap;
use octocrab::Octocrab;
use serde_json::Value;

/// Attempts per request (the first one included).
const ATTEMPTS: u32 = 4;
/// Pages followed at most when listing.
const MAX_PAGES: u32 = 100;
pub const PER_PAGE: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    MissingToken,
    Unauthorized(String),
    /// Usually a read-only token: fork pull requests, missing `permissions:`.
    Forbidden(String),
    NotFound(String),
    Unprocessable(String),
    RateLimited(String),
    Server(String),
    Timeout(String),
    Transport(String),
    /// The sticky comment cannot be told apart safely: posting nothing.
    Ambiguous(String),
    Other(u16, String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::MissingToken => write!(
                f,
                "no GitHub token: set the action's `token` input or GITHUB_TOKEN (with `pull-requests: write`)"
            ),
            ApiError::Unauthorized(m) => write!(
                f,
                "GitHub rejected the token (401 {m}): it is invalid or expired"
            ),
            ApiError::Forbidden(m) => write!(
                f,
                "the token may not write to this pull request (403 {m}); fork pull requests get a read-only token: \
                 use the fork-safe two-stage workflow (docgate github --report-out, then docgate github post), \
                 or grant `pull-requests: write`"
            ),
            ApiError::NotFound(m) => write!(
                f,
                "GitHub answered 404 ({m}): the repository or pull request is not visible to this token"
            ),
            ApiError::Unprocessable(m) => write!(f, "GitHub refused the request (422 {m})"),
            ApiError::RateLimited(m) => write!(f, "GitHub rate limit: {m}"),
            ApiError::Server(m) => write!(f, "GitHub kept failing ({m}) after {ATTEMPTS} attempts"),
            ApiError::Timeout(m) => write!(f, "the GitHub API did not answer in time ({m})"),
            ApiError::Transport(m) => write!(f, "cannot reach the GitHub API: {m}"),
            ApiError::Ambiguous(m) => write!(f, "{m}"),
            ApiError::Other(status, m) => write!(f, "GitHub answered {status}: {m}"),
        }
    }
}

impl std::error::Error for ApiError {}

pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Result<Value, ApiError> {
        serde_json::from_str(&self.body)
            .map_err(|e| ApiError::Other(self.status, format!("the answer is not JSON: {e}")))
    }
}

pub struct Api {
    octo: Octocrab,
    runtime: tokio::runtime::Runtime,
    token: String,
    pub owner: String,
    pub repo: String,
    timeout: Duration,
    backoff: Duration,
    max_wait: Duration,
}

/// A millisecond setting from the environment; a value that is not a number
/// is an error, not a silent default.
fn env_ms(key: &str, default: u64) -> Result<Duration, ApiError> {
    match std::env::var(key) {
        Err(std::env::VarError::NotPresent) => Ok(Duration::from_millis(default)),
        Err(std::env::VarError::NotUnicode(_)) => Err(ApiError::Transport(format!(
            "{key} is not valid UTF-8, so not a number of milliseconds"
        ))),
        Ok(v) => v.trim().parse().map(Duration::from_millis).map_err(|_| {
            ApiError::Transport(format!("{key}=`{v}` is not a number of milliseconds"))
        }),
    }
}

#[derive(Clone, Copy)]
pub enum Method {
    Get,
    Post,
    Patch,
}

impl Api {
    pub fn new(
        api_url: &str,
        token: Option<&str>,
        owner: &str,
        repo: &str,
    ) -> Result<Api, ApiError> {
        let token = token.ok_or(ApiError::MissingToken)?.to_string();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::Transport(format!("cannot start the HTTP runtime: {e}")))?;
        let timeout = env_ms("DOCGATE_GITHUB_TIMEOUT_MS", 30_000)?;
        let octo = {
            let _guard = runtime.enter();
            Octocrab::builder()
                .base_uri(api_url)
                .map_err(|e| {
                    ApiError::Transport(format!("GITHUB_API_URL `{api_url}` is not a URL: {e}"))
                })?
                .personal_token(token.clone())
                // The per-request deadline in `send` is what fires. These are
                // a backstop set later, so that a slow answer is always a
                // Timeout, never a race with a transport error at the same
                // millisecond.
                .set_connect_timeout(Some(timeout * 2))
                .set_read_timeout(Some(timeout * 2))
                .build()
                .map_err(|e| ApiError::Transport(redact(&e.to_string(), &token)))?
        };
        Ok(Api {
            octo,
            runtime,
            token,
            owner: owner.to_string(),
            repo: repo.to_string(),
            timeout,
            backoff: env_ms("DOCGATE_GITHUB_BACKOFF_MS", 1_000)?,
            max_wait: Duration::from_secs(
                env_ms("DOCGATE_GITHUB_MAX_WAIT_MS", 60_000)?
                    .as_secs()
                    .max(1),
            ),
        })
    }

    fn redact(&self, s: &str) -> String {
        redact(s, &self.token)
    }

    /// One request with bounded retries. `path` is relative to the API base.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.runtime.block_on(async {
                let call = async {
                    let resp = match method {
                        Method::Get => self.octo._get(path).await,
                        Method::Post => self.octo._post(path, body).await,
                        Method::Patch => self.octo._patch(path, body).await,
                    }?;
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let body = self.octo.body_to_string(resp).await?;
                    Ok::<_, octocrab::Error>(Response {
                        status,
                        headers,
                        body,
                    })
                };
                tokio::time::timeout(self.timeout, call).await
            });
            let resp = match result {
                Err(_) => {
                    let e =
                        ApiError::Timeout(format!("{} ms per request", self.timeout.as_millis()));
                    if attempt < ATTEMPTS {
                        continue;
                    }
                    return Err(e);
                }
                Ok(Err(e)) => {
                    let msg = self.redact(&error_chain(&e));
                    if attempt < ATTEMPTS {
                        std::thread::sleep(self.backoff * attempt);
                        continue;
                    }
                    return Err(ApiError::Transport(msg));
                }
                Ok(Ok(r)) => r,
            };
            if (200..300).contains(&resp.status) {
                return Ok(resp);
            }
            // Redact before `github_message` cuts a body that is not JSON to
            // 200 characters (a cut through the token would leave a prefix
            // that no longer matches it), and after, for a token that JSON
            // escapes (`\u0067hs_…`) hid from the first pass.
            let message = self.redact(&github_message(&self.redact(&resp.body)));
            let what = format!(
                "{} {}",
                method_name(method),
                path.split('?').next().unwrap_or(path)
            );
            if let Some(wait) = rate_limit_wait(&resp) {
                if attempt >= ATTEMPTS {
                    return Err(ApiError::RateLimited(format!(
                        "{message} ({what}); still limited after {ATTEMPTS} attempts"
                    )));
                }
                if wait > self.max_wait {
                    return Err(ApiError::RateLimited(format!(
                        "{message} ({what}); the limit resets in {} s, longer than docgate waits ({} s)",
                        wait.as_secs(),
                        self.max_wait.as_secs()
                    )));
                }
                std::thread::sleep(wait);
                continue;
            }
            if resp.status >= 500 {
                if attempt < ATTEMPTS {
                    std::thread::sleep(self.backoff * attempt);
                    continue;
                }
                return Err(ApiError::Server(format!(
                    "{} {message} ({what})",
                    resp.status
                )));
            }
            // Redirects are never followed: octocrab is built without its
            // `follow-redirect` feature (`default-features = false` in
            // Cargo.toml; keep it off), so no request, and no token, goes
            // anywhere but GITHUB_API_URL. A 3xx is a failure that says where
            // it pointed.
            if (300..400).contains(&resp.status) {
                let to = resp
                    .headers
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .map(|l| {
                        let l: String = self.redact(l).chars().take(200).collect();
                        format!(" to {l}")
                    })
                    .unwrap_or_default();
                return Err(ApiError::Other(
                    resp.status,
                    format!(
                        "a redirect{to}, which docgate does not follow: GITHUB_API_URL must be the API's own address ({what})"
                    ),
                ));
            }
            let detail = format!("{message} ({what})");
            return Err(match resp.status {
                401 => ApiError::Unauthorized(detail),
                403 => ApiError::Forbidden(detail),
                404 => ApiError::NotFound(detail),
                422 => ApiError::Unprocessable(detail),
                s => ApiError::Other(s, detail),
            });
        }
    }

    /// Every item of a paginated list (`per_page=100`, page after page while
    /// the `Link` header has a `rel="next"`, however short the page). A
    /// `Link` header that cannot be followed page by page is an error: a
    /// list read in part could miss the sticky comment and post a second.
    pub fn list(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let sep = if path.contains('?') { '&' } else { '?' };
            let resp = self.send(
                Method::Get,
                &format!("{path}{sep}per_page={PER_PAGE}&page={page}"),
                None,
            )?;
            let items = match resp.json()? {
                Value::Array(items) => items,
                other => {
                    return Err(ApiError::Other(
                        resp.status,
                        format!("expected a list, got {}", kind(&other)),
                    ));
                }
            };
            all.extend(items);
            let cannot = |why: String| {
                ApiError::Other(
                    resp.status,
                    format!(
                        "the Link header of GET {path} {why}: docgate cannot read the whole list, so it posts nothing"
                    ),
                )
            };
            let next = next_link(&resp.headers).map_err(|bad| {
                cannot(format!(
                    "is not one docgate can follow (`{}`)",
                    self.redact(&bad).chars().take(200).collect::<String>()
                ))
            })?;
            let Some(next) = next else {
                return Ok(all);
            };
            // Only the page number is compared: GitHub's links name the
            // repository by id (`/repositories/123/issues/7/comments`), and
            // docgate sends every request to its own path under
            // GITHUB_API_URL, never to a URL from a header.
            let (_, query) = next.split_once('?').unwrap_or((&next, ""));
            let next_page = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .and_then(|p| p.parse::<u32>().ok());
            match next_page {
                Some(n) if n == page + 1 => {}
                Some(n) => {
                    return Err(cannot(format!(
                        "points the next page at page {n}, not page {}",
                        page + 1
                    )));
                }
                None => {
                    return Err(cannot(
                        "points the next page at a URL without a page number".to_string(),
                    ));
                }
            }
        }
        Err(ApiError::Other(
            200,
            format!("more than {MAX_PAGES} pages of {path}; stopping"),
        ))
    }

    /// Who the token acts as. An installation token (`GITHUB_TOKEN`, or a
    /// GitHub App's) cannot call `GET /user` (403) and GitHub does not tell
    /// its login: `github-actions[bot]` for `GITHUB_TOKEN`, `<app>[bot]` for
    /// an App's.
    pub fn identity(&self) -> Result<Identity, ApiError> {
        match self.send(Method::Get, "/user", None) {
            Ok(resp) => resp
                .json()?
                .get("login")
                .and_then(Value::as_str)
                .map(|l| Identity::Login(l.to_string()))
                .ok_or_else(|| ApiError::Other(200, "GET /user has no login".into())),
            Err(ApiError::Forbidden(_)) => Ok(Identity::Installation),
            Err(e) => Err(e),
        }
    }

    pub fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.repo)
    }
}

/// Who wrote a comment, as far as docgate can tell the token's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// `GET /user` answered with this login.
    Login(String),
    /// `GET /user` answered 403: an installation token, which comments as a
    /// bot account whose login GitHub does not tell.
    Installation,
}

impl Identity {
    /// Whether `comment` (an issue or review comment) may be this token's.
    pub fn may_have_written(&self, comment: &Value) -> bool {
        let user = comment.get("user");
        let login = user.and_then(|u| u.get("login")).and_then(Value::as_str);
        match self {
            // Logins are case-insensitive on GitHub.
            Identity::Login(me) => login.is_some_and(|l| l.eq_ignore_ascii_case(me)),
            Identity::Installation => {
                user.and_then(|u| u.get("type")).and_then(Value::as_str) == Some("Bot")
                    && login.is_some_and(|l| l.ends_with("[bot]"))
            }
        }
    }
}

/// The `rel="next"` target of `Link` headers (RFC 8288: `<url>; rel="next"`,
/// `rel=next`, `rel="last next"`), `None` without one; `Err` with the header
/// when it is not a list of `<url>; params`.
fn next_link(headers: &HeaderMap) -> Result<Option<String>, String> {
    let mut next = None;
    for value in headers.get_all("link") {
        let text = value
            .to_str()
            .map_err(|_| String::from_utf8_lossy(value.as_bytes()).into_owned())?;
        let mut rest = text.trim();
        while !rest.is_empty() {
            let bad = || text.to_string();
            let after = rest.strip_prefix('<').ok_or_else(bad)?;
            let (url, params) = after.split_once('>').ok_or_else(bad)?;
            // The parameters run to the next `,` outside quotes.
            let mut quoted = false;
            let end = params
                .char_indices()
                .find(|&(_, c)| {
                    if c == '"' {
                        quoted = !quoted;
                    }
                    c == ',' && !quoted
                })
                .map_or(params.len(), |(i, _)| i);
            for param in params[..end]
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let (key, val) = param.split_once('=').ok_or_else(bad)?;
                if key.trim().eq_ignore_ascii_case("rel")
                    && val
                        .trim()
                        .trim_matches('"')
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
                {
                    next = Some(url.trim().to_string());
                }
            }
            rest = params[end..].trim_start_matches(',').trim_start();
        }
    }
    Ok(next)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "an object",
        Value::String(_) => "a string",
        _ => "something else",
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Patch => "PATCH",
    }
}

/// The `message` (and validation errors) of a GitHub error body.
fn github_message(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        let short: String = body.chars().take(200).collect();
        return short.trim().to_string();
    };
    let mut msg = v
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
        let details: Vec<String> = errors
            .iter()
            .map(|e| match e {
                Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(Value::as_str)
                    .map(String::from)
                    .unwrap_or_else(|| other.to_string()),
            })
            .collect();
        if !details.is_empty() {
            msg.push_str(&format!(": {}", details.join("; ")));
        }
    }
    msg
}

/// How long to wait before retrying, when the answer is a rate limit.
fn rate_limit_wait(resp: &Response) -> Option<Duration> {
    let header = |k: &str| {
        resp.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let secondary = resp.status == 403
        && (header("retry-after").is_some()
            || header("x-ratelimit-remaining") == Some("0")
            || resp.body.to_ascii_lowercase().contains("rate limit"));
    if resp.status != 429 && !secondary {
        return None;
    }
    if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok()) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        return Some(Duration::from_secs(reset.saturating_sub(now)));
    }
    // GitHub's advice without a header: wait at least a minute.
    Some(Duration::from_secs(60))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    s
}

/// Remove the token from any text that might be shown.
pub fn redact(s: &str, token: &str) -> String {
    if token.len() < 4 {
        s.to_string()
    } else {
        s.replace(token, "***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links() {
        let link = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert("link", v.parse().unwrap());
            next_link(&h)
        };
        assert_eq!(
            link(r#"<https://x/a?page=2>; rel="next", <https://x/a?page=9>; rel="last""#),
            Ok(Some("https://x/a?page=2".into()))
        );
        assert_eq!(
            link("<https://x/a?page=2>; rel=next"),
            Ok(Some("https://x/a?page=2".into()))
        );
        assert_eq!(link(r#"<https://x/a?page=1>; rel="prev first""#), Ok(None));
        assert_eq!(
            link(r#"<https://x/a?page=3>; title="a, b"; rel="last next""#),
            Ok(Some("https://x/a?page=3".into()))
        );
        assert_eq!(link("page=2; rel=next"), Err("page=2; rel=next".into()));
        assert_eq!(next_link(&HeaderMap::new()), Ok(None));
    }

    #[test]
    fn messages_and_redaction() {
        assert_eq!(
            github_message(
                r#"{"message":"Validation Failed","errors":[{"message":"line must be part of the diff"}]}"#
            ),
            "Validation Failed: line must be part of the diff"
        );
        assert_eq!(
            redact("token ghs_secret123 leaked", "ghs_secret123"),
            "token *** leaked"
        );
    }
}
