#!/usr/bin/env python3
"""A stand-in for the GitHub REST API, for scripts/container-smoke.sh.

Two commands, standard library only:

  github-api-stub.py event --out FILE [--kind workflow_run] --repo OWNER/NAME --pr N --base-sha SHA --head-sha SHA ...
      Write a `pull_request` (or `workflow_run`, as stage 2 of the fork-safe
      workflow receives it) event payload, what the runner puts at
      GITHUB_EVENT_PATH, with GitHub's field shapes.

  github-api-stub.py serve --port-file FILE --log FILE --repo OWNER/NAME --pr N ...
      Serve, on 127.0.0.1 only, the endpoints docgate calls while it publishes
      a report: the authenticated user, the pull request and its files, issue
      comments (list with pagination, create, edit), review comments (list) and
      reviews (list, create). Every request is logged as one JSON line (method,
      path, query, status, the kind of token, the JSON body) to --log and to
      stderr. Unknown endpoints answer 404 like GitHub and are logged too, so a
      smoke test sees what docgate asked for.

Behaviour that matches github.com and matters to a client:
  - GET /user answers 403 "Resource not accessible by integration" for an
    installation token (ghs_..., which is what GITHUB_TOKEN is in Actions) and
    the bot user only for other tokens (ghp_..., github_pat_...): the identity
    of an Actions token cannot be read from /user.
  - Comments are paginated (per_page, page, Link header), 30 a page by default.
  - Writes without an Authorization header are 401.
  - A /api/v3 prefix (GitHub Enterprise Server's API root) is accepted.

The server stops by itself after --timeout seconds (default 900), on SIGTERM,
or on SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WEB = "https://github.com"
API = "https://api.github.com"
BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def user(login: str, uid: int, kind: str = "User") -> dict:
    """A simple-user object with every field GitHub returns."""
    u = f"{API}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": f"MDQ6VXNlcnt{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": u,
        "html_url": f"{WEB}/{login}" if kind == "User" else f"{WEB}/apps/github-actions",
        "followers_url": f"{u}/followers",
        "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}",
        "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions",
        "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def bot() -> dict:
    return user(BOT_LOGIN, BOT_ID, "Bot")


def repository(full_name: str, default_branch: str) -> dict:
    owner, name = full_name.split("/", 1)
    u = f"{API}/repos/{full_name}"
    return {
        "id": 700000001,
        "node_id": "R_kgDOKbY0AQ",
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": user(owner, 1000001, "Organization"),
        "html_url": f"{WEB}/{full_name}",
        "description": "smoke-test repository",
        "fork": False,
        "url": u,
        "pulls_url": f"{u}/pulls{{/number}}",
        "issues_url": f"{u}/issues{{/number}}",
        "issue_comment_url": f"{u}/issues/comments{{/number}}",
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{WEB}/{full_name}.git",
        "default_branch": default_branch,
        "visibility": "public",
        "archived": False,
        "disabled": False,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": now(),
        "pushed_at": now(),
    }


def pull_request(a: argparse.Namespace) -> dict:
    full = a.repo
    u = f"{API}/repos/{full}/pulls/{a.pr}"
    repo = repository(full, a.base_ref)
    author = user("octocat", 583231)
    return {
        "url": u,
        "id": 1900000000 + a.pr,
        "node_id": "PR_kwDOKbY0Ac5smoke",
        "html_url": f"{WEB}/{full}/pull/{a.pr}",
        "diff_url": f"{WEB}/{full}/pull/{a.pr}.diff",
        "patch_url": f"{WEB}/{full}/pull/{a.pr}.patch",
        "issue_url": f"{API}/repos/{full}/issues/{a.pr}",
        "commits_url": f"{u}/commits",
        "review_comments_url": f"{u}/comments",
        "review_comment_url": f"{API}/repos/{full}/pulls/comments{{/number}}",
        "comments_url": f"{API}/repos/{full}/issues/{a.pr}/comments",
        "statuses_url": f"{API}/repos/{full}/statuses/{a.head_sha}",
        "number": a.pr,
        "state": "open",
        "locked": False,
        "title": "Raise the risk limit",
        "user": author,
        "body": "Smoke test pull request.",
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": "2026-01-02T00:00:00Z",
        "updated_at": now(),
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": {
            "label": f"{full.split('/')[0]}:{a.head_ref}",
            "ref": a.head_ref,
            "sha": a.head_sha,
            "user": repo["owner"],
            "repo": repo,
        },
        "base": {
            "label": f"{full.split('/')[0]}:{a.base_ref}",
            "ref": a.base_ref,
            "sha": a.base_sha,
            "user": repo["owner"],
            "repo": repo,
        },
        "_links": {
            "self": {"href": u},
            "html": {"href": f"{WEB}/{full}/pull/{a.pr}"},
            "issue": {"href": f"{API}/repos/{full}/issues/{a.pr}"},
            "comments": {"href": f"{API}/repos/{full}/issues/{a.pr}/comments"},
            "review_comments": {"href": f"{u}/comments"},
            "review_comment": {"href": f"{API}/repos/{full}/pulls/comments{{/number}}"},
            "commits": {"href": f"{u}/commits"},
            "statuses": {"href": f"{API}/repos/{full}/statuses/{a.head_sha}"},
        },
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "draft": False,
        "merged": False,
        "mergeable": True,
        "rebaseable": True,
        "mergeable_state": "clean",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 1,
        "deletions": 1,
        "changed_files": len(a.changed_file or []),
    }


def event_payload(a: argparse.Namespace) -> dict:
    pr = pull_request(a)
    if a.kind == "workflow_run":
        # As for a pull request from a fork: `pull_requests` is empty, so the
        # poster has to take the PR from the report and check it.
        run = 9000000001
        return {
            "action": "completed",
            "workflow_run": {
                "id": run,
                "name": "docgate (fork-safe)",
                "event": "pull_request",
                "status": "completed",
                "conclusion": "failure",
                "head_branch": a.head_ref,
                "head_sha": a.head_sha,
                "head_repository": pr["head"]["repo"],
                "repository": pr["base"]["repo"],
                "pull_requests": [],
                "run_number": 1,
                "run_attempt": 1,
                "html_url": f"{WEB}/{a.repo}/actions/runs/{run}",
                "url": f"{API}/repos/{a.repo}/actions/runs/{run}",
                "artifacts_url": f"{API}/repos/{a.repo}/actions/runs/{run}/artifacts",
                "created_at": now(),
                "updated_at": now(),
            },
            "workflow": {"id": 80000001, "name": "docgate (fork-safe)",
                         "path": ".github/workflows/docgate-fork-safe.yml"},
            "repository": pr["base"]["repo"],
            "sender": pr["user"],
        }
    return {
        "action": "synchronize",
        "number": a.pr,
        "pull_request": pr,
        "before": a.base_sha,
        "after": a.head_sha,
        "repository": pr["base"]["repo"],
        "organization": {"login": a.repo.split("/")[0], "id": 1000001},
        "sender": pr["user"],
    }


# ---------------------------------------------------------------------------


class State:
    def __init__(self, a: argparse.Namespace, log_file):
        self.a = a
        self.lock = threading.Lock()
        self.log_file = log_file
        self.next_id = 3000000001
        self.issue_comments: list[dict] = []
        self.review_comments: list[dict] = []
        self.reviews: list[dict] = []

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def log(self, entry: dict) -> None:
        line = json.dumps(entry, sort_keys=True)
        with self.lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()
        print(f"github-api-stub: {line}", file=sys.stderr, flush=True)


def token_kind(header: str | None) -> str:
    if not header:
        return "none"
    parts = header.split(None, 1)
    tok = parts[1] if len(parts) == 2 else ""
    scheme = parts[0].lower()
    for prefix, kind in (("ghs_", "installation"), ("ghp_", "pat"), ("github_pat_", "fine-grained-pat"),
                         ("gho_", "oauth"), ("ghu_", "user-to-server")):
        if tok.startswith(prefix):
            return f"{scheme}:{kind}"
    return f"{scheme}:other"


class Handler(BaseHTTPRequestHandler):
    server_version = "GitHub.com"
    sys_version = ""
    state: State  # set on the class by serve()

    def log_message(self, fmt, *args):  # the JSON log replaces the default one
        pass

    # -- plumbing --
    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return None, raw
        try:
            return json.loads(raw), raw
        except ValueError:
            return None, raw

    def _send(self, status: int, obj, extra_headers: dict | None = None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        self.send_header("X-RateLimit-Limit", "5000")
        self.send_header("X-RateLimit-Remaining", "4999")
        self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _error(self, status: int, message: str, doc: str = "https://docs.github.com/rest"):
        return status, {"message": message, "documentation_url": doc, "status": str(status)}, None

    def _page(self, items: list, query: dict, base_path: str):
        per_page = max(1, min(100, int(query.get("per_page", ["30"])[0])))
        page = max(1, int(query.get("page", ["1"])[0]))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        host = self.headers.get("Host", "127.0.0.1")
        base = f"http://{host}{base_path}?per_page={per_page}"
        if page < last:
            links.append(f'<{base}&page={page + 1}>; rel="next"')
            links.append(f'<{base}&page={last}>; rel="last"')
        if page > 1:
            links.append(f'<{base}&page=1>; rel="first"')
            links.append(f'<{base}&page={page - 1}>; rel="prev"')
        return 200, chunk, ({"Link": ", ".join(links)} if links else None)

    def _dispatch(self, method: str):
        st = self.state
        a = st.a
        split = urlsplit(self.path)
        path = split.path
        if path.startswith("/api/v3/"):
            path = path[len("/api/v3"):]
        query = parse_qs(split.query)
        body, raw = self._body() if method in ("POST", "PATCH", "PUT") else (None, b"")
        auth = token_kind(self.headers.get("Authorization"))
        repo = f"/repos/{a.repo}"
        parts = path.rstrip("/").split("/")

        with st.lock:
            status, obj, headers = self._route(method, path, parts, query, body, raw, auth, repo)
        st.log({
            "method": method,
            "path": path,
            "query": split.query,
            "status": status,
            "auth": auth,
            "user_agent": self.headers.get("User-Agent"),
            "accept": self.headers.get("Accept"),
            "body": body if body is not None else (raw.decode("utf-8", "replace") or None),
        })
        self._send(status, obj, headers)

    def _route(self, method, path, parts, query, body, raw, auth, repo):
        st = self.state
        a = st.a
        if method != "GET" and auth == "none":
            return self._error(401, "Requires authentication")
        if raw and body is None:
            return self._error(400, "Problems parsing JSON")

        if method == "GET" and path == "/user":
            if auth.endswith(":installation"):
                return self._error(403, "Resource not accessible by integration",
                                   "https://docs.github.com/rest/users/users#get-the-authenticated-user")
            if auth == "none":
                return self._error(401, "Requires authentication")
            return 200, bot(), None
        if method == "GET" and path == f"/users/{BOT_LOGIN}":
            return 200, bot(), None
        if method == "GET" and path == repo:
            return 200, repository(a.repo, a.base_ref), None

        pr_path = f"{repo}/pulls/{a.pr}"
        issue_path = f"{repo}/issues/{a.pr}"
        if method == "GET" and path == pr_path:
            return 200, pull_request(a), None
        if method == "GET" and path == f"{pr_path}/files":
            files = [{
                "sha": "0" * 40, "filename": f, "status": "modified", "additions": 1, "deletions": 1,
                "changes": 2, "blob_url": f"{WEB}/{a.repo}/blob/{a.head_sha}/{f}",
                "raw_url": f"{WEB}/{a.repo}/raw/{a.head_sha}/{f}",
                "contents_url": f"{API}/repos/{a.repo}/contents/{f}?ref={a.head_sha}",
            } for f in (a.changed_file or [])]
            return self._page(files, query, path)
        if method == "GET" and path == issue_path:
            pr = pull_request(a)
            return 200, {k: pr[k] for k in ("url", "id", "node_id", "number", "state", "title", "user", "body",
                                            "labels", "html_url", "created_at", "updated_at")}, None

        if path == f"{issue_path}/comments":
            if method == "GET":
                return self._page(st.issue_comments, query, path)
            if method == "POST":
                if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                    return self._error(422, "Invalid request.\n\n\"body\" wasn't supplied.")
                if len(body["body"]) > 65536:
                    return self._error(422, "Validation Failed: body is too long (maximum is 65536 characters)")
                cid = st.new_id()
                c = {
                    "url": f"{API}/repos/{a.repo}/issues/comments/{cid}",
                    "html_url": f"{WEB}/{a.repo}/pull/{a.pr}#issuecomment-{cid}",
                    "issue_url": f"{API}/repos/{a.repo}/issues/{a.pr}",
                    "id": cid,
                    "node_id": f"IC_kwDOsmoke{cid}",
                    "user": bot(),
                    "created_at": now(),
                    "updated_at": now(),
                    "author_association": "NONE",
                    "body": body["body"],
                    "reactions": {"url": "", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
                                  "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
                    "performed_via_github_app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
                }
                st.issue_comments.append(c)
                return 201, c, {"Location": c["url"]}
        if len(parts) == 7 and path.startswith(f"{repo}/issues/comments/") and method in ("PATCH", "GET"):
            cid = parts[6]
            for c in st.issue_comments:
                if str(c["id"]) == cid:
                    if method == "PATCH":
                        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                            return self._error(422, "Invalid request.\n\n\"body\" wasn't supplied.")
                        c["body"] = body["body"]
                        c["updated_at"] = now()
                    return 200, c, None
            return self._error(404, "Not Found")

        if path == f"{pr_path}/comments" and method == "GET":
            return self._page(st.review_comments, query, path)
        if path == f"{pr_path}/reviews":
            if method == "GET":
                return self._page(st.reviews, query, path)
            if method == "POST":
                if not isinstance(body, dict):
                    return self._error(422, "Unprocessable Entity")
                if body.get("event") not in (None, "COMMENT", "APPROVE", "REQUEST_CHANGES"):
                    return self._error(422, "Unprocessable Entity: invalid event")
                rid = st.new_id()
                review = {
                    "id": rid,
                    "node_id": f"PRR_kwDOsmoke{rid}",
                    "user": bot(),
                    "body": body.get("body") or "",
                    "state": {"COMMENT": "COMMENTED", "APPROVE": "APPROVED",
                              "REQUEST_CHANGES": "CHANGES_REQUESTED"}.get(body.get("event"), "PENDING"),
                    "html_url": f"{WEB}/{a.repo}/pull/{a.pr}#pullrequestreview-{rid}",
                    "pull_request_url": f"{API}/repos/{a.repo}/pulls/{a.pr}",
                    "author_association": "NONE",
                    "_links": {"html": {"href": f"{WEB}/{a.repo}/pull/{a.pr}#pullrequestreview-{rid}"},
                               "pull_request": {"href": f"{API}/repos/{a.repo}/pulls/{a.pr}"}},
                    "submitted_at": now(),
                    "commit_id": body.get("commit_id") or a.head_sha,
                }
                for rc in body.get("comments") or []:
                    if not isinstance(rc, dict) or "path" not in rc or "body" not in rc:
                        return self._error(422, "Unprocessable Entity: review comment needs path and body")
                    cid = st.new_id()
                    st.review_comments.append({
                        "url": f"{API}/repos/{a.repo}/pulls/comments/{cid}",
                        "pull_request_review_id": rid,
                        "id": cid,
                        "node_id": f"PRRC_kwDOsmoke{cid}",
                        "diff_hunk": "@@ -1,1 +1,1 @@",
                        "path": rc["path"],
                        "position": rc.get("position"),
                        "original_position": rc.get("position"),
                        "commit_id": review["commit_id"],
                        "original_commit_id": review["commit_id"],
                        "user": bot(),
                        "body": rc["body"],
                        "created_at": now(),
                        "updated_at": now(),
                        "html_url": f"{WEB}/{a.repo}/pull/{a.pr}#discussion_r{cid}",
                        "pull_request_url": f"{API}/repos/{a.repo}/pulls/{a.pr}",
                        "author_association": "NONE",
                        "_links": {"self": {"href": f"{API}/repos/{a.repo}/pulls/comments/{cid}"},
                                   "html": {"href": f"{WEB}/{a.repo}/pull/{a.pr}#discussion_r{cid}"},
                                   "pull_request": {"href": f"{API}/repos/{a.repo}/pulls/{a.pr}"}},
                        "start_line": rc.get("start_line"),
                        "original_start_line": rc.get("start_line"),
                        "start_side": rc.get("start_side"),
                        "line": rc.get("line"),
                        "original_line": rc.get("line"),
                        "side": rc.get("side", "RIGHT"),
                        "subject_type": rc.get("subject_type", "line"),
                    })
                st.reviews.append(review)
                return 200, review, None

        return self._error(404, "Not Found")

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")


def serve(a: argparse.Namespace) -> int:
    with open(a.log, "a", encoding="utf-8") as log_file:
        Handler.state = State(a, log_file)
        httpd = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
        httpd.daemon_threads = True
        port = httpd.server_address[1]
        tmp = f"{a.port_file}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{port}\n")
        os.replace(tmp, a.port_file)
        print(f"github-api-stub: listening on http://127.0.0.1:{port} for {a.repo}#{a.pr} "
              f"(stops after {a.timeout}s)", file=sys.stderr, flush=True)

        def stop(*_):
            threading.Thread(target=httpd.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        timer = threading.Timer(a.timeout, stop)
        timer.daemon = True
        timer.start()
        httpd.serve_forever(poll_interval=0.2)
        httpd.server_close()
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--repo", required=True, help="OWNER/NAME")
        sp.add_argument("--pr", type=int, required=True)
        sp.add_argument("--base-sha", required=True)
        sp.add_argument("--head-sha", required=True)
        sp.add_argument("--base-ref", default="main")
        sp.add_argument("--head-ref", default="topic")
        sp.add_argument("--changed-file", action="append", help="a file of the PR (repeatable)")

    ev = sub.add_parser("event", help="write an event payload (GITHUB_EVENT_PATH)")
    common(ev)
    ev.add_argument("--kind", choices=["pull_request", "workflow_run"], default="pull_request")
    ev.add_argument("--out", required=True)

    sv = sub.add_parser("serve", help="serve the API on 127.0.0.1")
    common(sv)
    sv.add_argument("--port", type=int, default=0, help="0 picks a free port")
    sv.add_argument("--port-file", required=True, help="where the port is written once listening")
    sv.add_argument("--log", required=True, help="JSON lines, one per request")
    sv.add_argument("--timeout", type=float, default=900.0, help="stop after this many seconds")

    a = p.parse_args()
    if a.cmd == "event":
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(event_payload(a), f, indent=2)
        return 0
    return serve(a)


if __name__ == "__main__":
    sys.exit(main())
