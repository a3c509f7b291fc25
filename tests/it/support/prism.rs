//! GitHub in tests: a real HTTP server on 127.0.0.1, Prism serving a cut of
//! GitHub's official REST description (scripts/prism/). Prism validates every
//! request against the description: an invalid one gets 422 and an
//! `sl-violations` header naming what is wrong; an operation outside the cut
//! gets 404 (unknown path) or 405 (unknown method).
//!
//! Use it as `crate::support::prism`. Set up once with
//! `bash scripts/test-deps.sh` (or `npm ci --prefix scripts/prism`); without
//! it, starting Prism panics with that command: a test never skips.
//!
//! `Prism::shared()` is one Prism for the whole test binary (it exits with the
//! binary: see scripts/prism/exit-with-parent.cjs); `Prism::start()` is one of
//! the caller's own, killed on drop.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// The one command that installs Prism and the description.
pub const INSTALL: &str = "npm ci --prefix scripts/prism";

/// How long Prism may take to answer after it is spawned (it takes 2 s or so).
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// What Prism prints once it accepts connections.
const LISTENING: &str = "Prism is listening on";

pub struct Prism {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    pub port: u16,
    /// From spawning Prism to its first good answer.
    pub startup: Duration,
    child: Mutex<Child>,
    log: PathBuf,
    /// The spec Prism serves and its log. Removed on drop, or by Prism itself
    /// when the test binary exits (the shared instance is never dropped).
    _scratch: tempfile::TempDir,
}

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// In the order received, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics with the response if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {self:#?}"))
    }

    /// Prism's `sl-violations` header (what it found wrong with the request
    /// or with its own response, each with `location`, `severity`, `code` and
    /// `message`), or an empty list.
    pub fn violations(&self) -> Vec<serde_json::Value> {
        match self.header("sl-violations") {
            None => Vec::new(),
            Some(v) => serde_json::from_str(v)
                .unwrap_or_else(|e| panic!("sl-violations is not a JSON list ({e}): {v}")),
        }
    }

    /// What Prism found wrong with the request, as its messages. Prism says
    /// it in the `sl-violations` header when it answers with the operation's
    /// own 422 example, and in a problem+json body (`validation`) when the
    /// operation has none.
    pub fn request_violations(&self) -> Vec<String> {
        let mut found: Vec<serde_json::Value> = self
            .violations()
            .into_iter()
            .filter(|v| v["location"][0] == "request")
            .collect();
        let problem = self
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/problem+json"));
        if problem && let Some(list) = self.json()["validation"].as_array() {
            found.extend(list.iter().cloned());
        }
        found
            .iter()
            .map(|v| v["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Prism {
    /// One Prism for every test of this test binary, started on first use.
    pub fn shared() -> &'static Prism {
        static SHARED: OnceLock<Prism> = OnceLock::new();
        SHARED.get_or_init(Prism::start)
    }

    /// A Prism of the caller's own on a free port of 127.0.0.1, answering
    /// before this returns. Panics, with Prism's output, if it does not start.
    pub fn start() -> Prism {
        let dir = prism_dir();
        check_installed(&dir);
        let template = cut_spec(&dir);
        // The port is free when picked, but something else may take it
        // before Prism binds it: then try another.
        let mut last = String::new();
        for _ in 0..3 {
            match Prism::try_start(&dir, &template) {
                Ok(prism) => return prism,
                Err(log) if log.contains("EADDRINUSE") => last = log,
                Err(log) => panic!("Prism exited while starting; its output:\n{log}"),
            }
        }
        panic!("Prism found its port taken three times; its last output:\n{last}");
    }

    fn try_start(dir: &Path, template: &str) -> Result<Prism, String> {
        let port = free_port();
        let base_url = format!("http://127.0.0.1:{port}");
        let scratch = tempfile::Builder::new()
            .prefix("prism-")
            .tempdir_in(scratch_root())
            .expect("create Prism's scratch folder");
        let spec = scratch.path().join("github.json");
        fs::write(&spec, template.replace("{{BASE}}", &base_url)).expect("write Prism's spec");
        let log = scratch.path().join("prism.log");
        let out = File::create(&log).expect("create Prism's log");
        let err = out.try_clone().expect("clone Prism's log handle");

        let began = Instant::now();
        let child = Command::new("node")
            .arg("--require")
            .arg(dir.join("exit-with-parent.cjs"))
            .arg(dir.join("node_modules/@stoplight/prism-cli/dist/index.js"))
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            // Static examples only (no --dynamic); no CORS headers; no
            // --errors: requests are validated anyway, and --errors would
            // turn GitHub's own invalid examples into 500s.
            .arg("--cors=false")
            .arg(&spec)
            .current_dir(dir)
            .env_remove("NODE_OPTIONS")
            .env("FORCE_COLOR", "0")
            .env("DOCGATE_PRISM_SCRATCH", scratch.path())
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run `node` ({e}): install Node.js 20 or later, then `{INSTALL}`")
            });
        let mut prism = Prism {
            base_url,
            port,
            startup: Duration::ZERO,
            child: Mutex::new(child),
            log,
            _scratch: scratch,
        };
        // On Err, dropping `prism` reaps the child and removes its folder.
        prism.startup = prism.wait_until_ready(began)?;
        Ok(prism)
    }

    /// Polls until this Prism (not something else on the port) answers.
    fn wait_until_ready(&self, began: Instant) -> Result<Duration, String> {
        loop {
            if let Some(status) = self.child.lock().unwrap().try_wait().expect("poll Prism") {
                return Err(format!("({status})\n{}", self.log()));
            }
            if self.log().contains(LISTENING)
                && let Ok(r) = self.try_request("GET", "/user", &[], None)
                && r.status == 200
            {
                return Ok(began.elapsed());
            }
            if began.elapsed() > STARTUP_DEADLINE {
                self.kill();
                panic!(
                    "Prism did not answer on {} within {STARTUP_DEADLINE:?}; its output:\n{}",
                    self.base_url,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What Prism has printed so far: one entry per request, with the
    /// violations it found.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends `body` as JSON (when given) and reads the whole response.
    pub fn request(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Response {
        let body = body.map(|b| b.to_string());
        self.request_with(method, path, &[], body.as_deref())
    }

    /// A raw request: `headers` are added as given (Host, Connection,
    /// Content-Length, and Content-Type for a body are set unless given).
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        self.try_request(method, path, headers, body)
            .unwrap_or_else(|e| {
                panic!(
                    "{method} {}{path}: {e}\nPrism's output:\n{}",
                    self.base_url,
                    self.log()
                )
            })
    }

    fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> std::io::Result<Response> {
        http(self.port, method, path, headers, body)
    }

    fn kill(&self) {
        let mut child = self.child.lock().unwrap();
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A tiny HTTP/1.1 client: one request per connection.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !has("host") {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    if !has("connection") {
        head.push_str("Connection: close\r\n");
    }
    if !has("user-agent") {
        head.push_str("User-Agent: docgate-tests\r\n");
    }
    if let Some(body) = body {
        if !has("content-type") {
            head.push_str("Content-Type: application/json\r\n");
        }
        if !has("content-length") {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if let Some(body) = body {
        stream.write_all(body.as_bytes())?;
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> std::io::Result<Response> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| bad("headers are not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    let body = String::from_utf8(body).map_err(|_| bad("body is not UTF-8"))?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// A port that was free a moment ago. Should two Prisms still get the same
/// one, the second exits with EADDRINUSE and never prints LISTENING, so
/// `wait_until_ready` does not mistake the first for it, and `start` retries.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

fn prism_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/prism")
}

fn scratch_root() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("prism");
    fs::create_dir_all(&root).expect("create target/tmp/prism");
    root
}

/// Panics with the install command unless the pinned packages are installed.
fn check_installed(dir: &Path) {
    let pinned: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.join("package.json")).expect("read scripts/prism/package.json"),
    )
    .expect("scripts/prism/package.json is JSON");
    for (name, want) in pinned["dependencies"].as_object().expect("dependencies") {
        let installed = dir.join("node_modules").join(name).join("package.json");
        let have = fs::read_to_string(&installed)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|p| p["version"].as_str().map(str::to_string));
        match have {
            None => panic!(
                "{name} is not installed (no {}): run `{INSTALL}` (or `bash scripts/test-deps.sh`) first",
                installed.display()
            ),
            Some(have) if Some(have.as_str()) != want.as_str() => panic!(
                "{name} {have} is installed but {want} is pinned: run `{INSTALL}` (or `bash scripts/test-deps.sh`)"
            ),
            Some(_) => {}
        }
    }
}

/// The cut of GitHub's description, with `{{BASE}}` for the mock's URL: made
/// once by cut-spec.mjs, again when the script or the lockfile is newer.
fn cut_spec(dir: &Path) -> String {
    static CUT: OnceLock<String> = OnceLock::new();
    CUT.get_or_init(|| {
        let out = scratch_root().join("github-cut.json");
        let mtime = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
        let made = mtime(&out);
        let inputs = [
            dir.join("cut-spec.mjs"),
            dir.join("package-lock.json"),
            dir.join("node_modules/@octokit/openapi/package.json"),
        ];
        let stale = made.is_none_or(|made: SystemTime| {
            inputs.iter().any(|p| mtime(p).is_none_or(|m| m > made))
        });
        if stale {
            let run = Command::new("node")
                .arg(dir.join("cut-spec.mjs"))
                .arg(&out)
                .env_remove("NODE_OPTIONS")
                .output()
                .unwrap_or_else(|e| {
                    panic!("cannot run `node` ({e}): install Node.js 20 or later, then `{INSTALL}`")
                });
            assert!(
                run.status.success(),
                "scripts/prism/cut-spec.mjs failed ({}):\n{}{}",
                run.status,
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            );
        }
        single_page_lists(&fs::read_to_string(&out).expect("read the cut spec"))
    })
    .clone()
}

/// GitHub's `Link` example, as the cut has it: `rel="next"` to page 2.
const LINK_EXAMPLE: &str = r#""example": "<{{BASE}}/resource?page=2>; rel=\"next\", <{{BASE}}/resource?page=5>; rel=\"last\"""#;
/// What the mock serves instead: a one-page list's links, without a next.
const LINK_ONE_PAGE: &str = r#""example": "<{{BASE}}/resource?page=1>; rel=\"first\", <{{BASE}}/resource?page=1>; rel=\"last\"""#;

/// Prism serves the same example on every page, so GitHub's `rel="next"` to
/// page 2 would also be on page 2, a Link no GitHub list sends and that
/// docgate refuses to follow (it reads pages 1, 2, 3, ... and posts nothing
/// when the next one is not the following). Every list is one page here;
/// wiremock (tests/it/github_api.rs) scripts real pagination. The cut must hold
/// the example, or this panics: a changed description is looked at, not
/// served unadjusted.
fn single_page_lists(cut: &str) -> String {
    assert!(
        cut.contains(LINK_EXAMPLE),
        "the cut of GitHub's description no longer has the Link example {LINK_EXAMPLE}: \
         adjust tests/it/support/prism.rs"
    );
    cut.replace(LINK_EXAMPLE, LINK_ONE_PAGE)
}
