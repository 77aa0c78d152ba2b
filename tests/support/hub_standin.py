"""A stand-in Hugging Face Hub on 127.0.0.1, just big enough for huggingface_hub's
snapshot_download and create_commit (there is no real Hub in CI).

Implements, for model repositories only:
  GET  /api/models/{repo}/revision/{rev}        repo_info (sha, siblings); 404 + X-Error-Code
  GET  /api/models/{repo}/tree/{rev}?recursive  file listing (path, size, oid)
  HEAD/GET /{repo}/resolve/{rev}/{path}         file bytes + X-Repo-Commit, ETag, Content-Length
  POST /api/repos/create                        create (409 when it exists)
  POST /api/models/{repo}/branch/{branch}       create a branch from main
  POST /api/models/{repo}/tag/{rev}             tag a revision
  POST /api/validate-yaml                       always valid
  POST /api/models/{repo}/preupload/{rev}       every file "regular" (inline base64, no LFS/xet)
  POST /api/models/{repo}/commit/{rev}          NDJSON commit: header + file lines

Every request is recorded in `hub.requests` so tests can check that an offline
app did not touch the network. `hub.fail_with = 503` makes every call fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Repo:
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)  # sha -> files
    refs: dict[str, str] = field(default_factory=dict)  # branch or tag -> sha

    def resolve(self, rev: str) -> str | None:
        if rev in self.refs:
            return self.refs[rev]
        return rev if rev in self.commits else None


class StandinHub:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail_with: int | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "StandinHub":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- repository state, also used by tests to seed a repo directly ---
    def create_repo(self, repo_id: str) -> bool:
        with self._lock:
            if repo_id in self.repos:
                return False
            empty = hashlib.sha1(f"init {repo_id}".encode()).hexdigest()
            self.repos[repo_id] = Repo(commits={empty: {}}, refs={"main": empty})
            return True

    def commit(self, repo_id: str, branch: str, files: dict[str, bytes], message: str = "") -> str:
        """Add or replace files on a branch; returns the new commit hash."""
        with self._lock:
            repo = self.repos[repo_id]
            parent = repo.refs[branch]
            tree = dict(repo.commits[parent])
            tree.update(files)
            digest = hashlib.sha1(parent.encode() + message.encode())
            for path in sorted(tree):
                digest.update(path.encode() + git_blob_sha(tree[path]).encode())
            sha = digest.hexdigest()
            repo.commits[sha] = tree
            repo.refs[branch] = sha
            return sha


def _make_handler(hub: StandinHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None, ctype="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, obj, headers: dict | None = None):
            self._send(status, json.dumps(obj).encode(), headers)

        def _error(self, status: int, code: str, message: str):
            self._json(status, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message})

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _route(self):
            path = unquote(urlsplit(self.path).path)
            hub.requests.append((self.command, self.path))
            if hub.fail_with:
                self._body()
                return self._json(hub.fail_with, {"error": "stand-in Hub is down"})
            parts = path.strip("/").split("/")
            if parts[:1] == ["api"]:
                return self._api(parts[1:])
            if len(parts) >= 5 and parts[2] == "resolve":
                return self._resolve("/".join(parts[:2]), parts[3], "/".join(parts[4:]))
            self._error(404, "EntryNotFound", f"no route {path}")

        do_GET = do_HEAD = do_POST = _route

        def _repo_rev(self, repo_id: str, rev: str):
            repo = hub.repos.get(repo_id)
            if repo is None:
                self._error(404, "RepoNotFound", f"Repository {repo_id} not found")
                return None, None
            sha = repo.resolve(rev)
            if sha is None:
                self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
                return None, None
            return repo, sha

        def _api(self, parts: list[str]):
            if parts == ["repos", "create"]:
                payload = json.loads(self._body() or b"{}")
                repo_id = f"{payload.get('organization') or 'me'}/{payload['name']}" if "/" not in payload["name"] else payload["name"]
                if not hub.create_repo(repo_id):
                    message = "You already created this model repo"
                    return self._json(409, {"error": message, "url": f"{hub.url}/{repo_id}"},
                                      {"X-Error-Message": message})
                return self._json(200, {"url": f"{hub.url}/{repo_id}", "name": repo_id})
            if parts == ["validate-yaml"]:
                self._body()
                return self._json(200, {"errors": [], "warnings": []})
            if len(parts) < 5 or parts[0] != "models":
                return self._error(404, "EntryNotFound", "unknown api route")
            repo_id, verb, rev = "/".join(parts[1:3]), parts[3], "/".join(parts[4:])
            handler = {"revision": self._info, "tree": self._tree, "preupload": self._preupload,
                       "commit": self._commit, "branch": self._branch, "tag": self._tag}.get(verb)
            if handler is None:
                return self._error(404, "EntryNotFound", f"unknown verb {verb}")
            return handler(repo_id, rev)

        def _info(self, repo_id: str, rev: str):
            repo, sha = self._repo_rev(repo_id, rev)
            if repo:
                files = sorted(repo.commits[sha])
                self._json(200, {"id": repo_id, "modelId": repo_id, "sha": sha, "private": False,
                                 "siblings": [{"rfilename": f} for f in files], "tags": []})

        def _tree(self, repo_id: str, rev: str):
            repo, sha = self._repo_rev(repo_id, rev)
            if repo:
                tree = repo.commits[sha]
                self._json(200, [{"type": "file", "path": p, "size": len(d), "oid": git_blob_sha(d)}
                                 for p, d in sorted(tree.items())])

        def _resolve(self, repo_id: str, rev: str, file: str):
            repo, sha = self._repo_rev(repo_id, rev)
            if not repo:
                return
            data = repo.commits[sha].get(file)
            if data is None:
                return self._error(404, "EntryNotFound", f"{file} not in {repo_id}@{rev}")
            self._send(200, data, {"X-Repo-Commit": sha, "ETag": f'"{git_blob_sha(data)}"'},
                       ctype="application/octet-stream")

        def _preupload(self, repo_id: str, rev: str):
            payload = json.loads(self._body() or b"{}")
            if repo_id not in hub.repos:
                return self._error(404, "RepoNotFound", f"Repository {repo_id} not found")
            files = [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in payload["files"]]
            self._json(200, {"files": files, "commitOid": hub.repos[repo_id].resolve(rev)})

        def _commit(self, repo_id: str, rev: str):
            lines = [json.loads(line) for line in self._body().splitlines() if line.strip()]
            repo, _ = self._repo_rev(repo_id, rev)
            if not repo:
                return
            header = next((line["value"] for line in lines if line["key"] == "header"), {})
            files = {line["value"]["path"]: base64.b64decode(line["value"]["content"])
                     for line in lines if line["key"] == "file"}
            if any(line["key"] not in ("header", "file") for line in lines):
                return self._error(400, "BadRequest", "the stand-in Hub takes only regular files")
            sha = hub.commit(repo_id, rev, files, header.get("summary", ""))
            self._json(200, {"commitUrl": f"{hub.url}/{repo_id}/commit/{sha}", "commitOid": sha, "success": True})

        def _branch(self, repo_id: str, branch: str):
            self._body()
            repo, sha = self._repo_rev(repo_id, "main")
            if repo:
                if branch in repo.refs:
                    return self._error(409, "BranchExists", f"Reference already exists: {branch}")
                repo.refs[branch] = sha
                self._json(200, {})

        def _tag(self, repo_id: str, rev: str):
            payload = json.loads(self._body() or b"{}")
            repo, sha = self._repo_rev(repo_id, rev)
            if repo:
                repo.refs[payload["tag"]] = sha
                self._json(200, {})

    return Handler
