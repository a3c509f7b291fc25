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

    /// Every item of a paginated list (`per_page=100`, following `rel="next"`).
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
            let n = items.len();
            all.extend(items);
            let next = resp
                .headers
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.split(',').any(|part| part.contains("rel=\"next\"")));
            if !next || n < PER_PAGE {
                return Ok(all);
            }
        }
        Err(ApiError::Other(
            200,
            format!("more than {MAX_PAGES} pages of {path}; stopping"),
        ))
    }

    /// The login the token acts as. `GITHUB_TOKEN` cannot call `GET /user`
    /// (403): it acts as `github-actions[bot]`.
    pub fn identity(&self) -> Result<String, ApiError> {
        match self.send(Method::Get, "/user", None) {
            Ok(resp) => resp
                .json()?
                .get("login")
                .and_then(Value::as_str)
                .map(String::from)
                .ok_or_else(|| ApiError::Other(200, "GET /user has no login".into())),
            Err(ApiError::Forbidden(_)) => Ok("github-actions[bot]".to_string()),
            Err(e) => Err(e),
        }
    }

    pub fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.repo)
    }
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
