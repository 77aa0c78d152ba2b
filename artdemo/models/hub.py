"""The models on the Hugging Face Hub: publish `models/`, pull a pinned revision,
and decide which models folder the app uses.

`ARTDEMO_HF_REPO=owner/name@revision` makes the app use that repository at that
revision (a commit hash or a tag pins it; a branch such as the default `main`
follows it). Whenever the Hub cannot be used (offline, unreachable, missing
revision, no cards) the app falls back to the bundled `models/` and says why,
in `ModelsLocation.origin`, instead of failing.

Endpoints come from `HF_ENDPOINT` read at call time (huggingface_hub reads it
once at import), so tests can point it at a stand-in Hub on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from artdemo import config
from artdemo.errors import ArtdemoError, OfflineError

DEFAULT_REVISION = "main"
_REPO_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_REV_RE = re.compile(r"^[\w.\-/]+$")
_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ModelsLocation:
    """Where the app reads models from, and why, in words a person understands."""

    path: Path
    origin: str
    repo: str | None = None
    revision: str | None = None
    commit: str | None = None

    @property
    def from_hub(self) -> bool:
        return self.repo is not None


def parse_repo_spec(spec: str) -> tuple[str, str]:
    """`owner/name` or `owner/name@revision` -> (repo_id, revision)."""
    spec = spec.strip()
    repo, _, revision = spec.partition("@")
    if not _REPO_RE.match(repo) or not _REV_RE.match(revision or DEFAULT_REVISION) or ".." in revision:
        raise ArtdemoError(
            f"{spec!r} is not a Hub model repository. Use owner/name, optionally pinned as owner/name@revision "
            "(a commit hash or a tag)."
        )
    return repo, (revision.strip() or DEFAULT_REVISION)


def hub_offline() -> str | None:
    """Why the Hub must not be contacted, or None when it may be."""
    if config.offline():
        return "ARTDEMO_OFFLINE=1"
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return "HF_HUB_OFFLINE=1"
    return None


def hub_cache_dir() -> Path:
    return config.cache_dir() / "hub"


def _endpoint() -> str | None:
    return os.environ.get("HF_ENDPOINT") or None


def download_snapshot(repo: str, revision: str, local_only: bool = False) -> Path:
    """The repository's files at `revision`, from the cache or the Hub (raises the hub's own errors)."""
    from huggingface_hub import snapshot_download

    path = snapshot_download(
        repo,
        revision=revision,
        cache_dir=hub_cache_dir(),
        endpoint=_endpoint(),
        local_files_only=local_only,
        etag_timeout=_TIMEOUT_S,
        max_workers=4,
    )
    return Path(path)


def _has_cards(path: Path) -> bool:
    return any(path.glob("*/card.json"))


def _reason(err: Exception) -> str:
    """One line from a huggingface_hub / network error, without the traceback noise."""
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    if isinstance(err, RevisionNotFoundError):
        return "that revision does not exist in the repository"
    if isinstance(err, RepositoryNotFoundError):
        return "the repository does not exist or is private (set HF_TOKEN for a private one)"
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text[:200]}"


def _bundled(why: str) -> ModelsLocation:
    return ModelsLocation(path=config.models_dir(), origin=f"bundled models/ {why}")


def _resolve_commit(repo: str, revision: str) -> str:
    """The commit hash a revision names now (a 40-hex revision is already one)."""
    if re.fullmatch(r"[0-9a-f]{40}", revision):
        return revision
    from huggingface_hub import HfApi

    info = HfApi(endpoint=_endpoint()).repo_info(repo, revision=revision, timeout=_TIMEOUT_S)
    return info.sha


def _hub_location(repo: str, revision: str) -> ModelsLocation:
    """Download (or reuse the cache of) repo@revision; raises when neither works."""
    label = f"{repo}@{revision}"
    offline_why = hub_offline()
    note = ""
    if offline_why:
        path = download_snapshot(repo, revision, local_only=True)
        note = f" (cached copy; offline: {offline_why})"
    else:
        try:
            commit = _resolve_commit(repo, revision)
        except Exception as err:
            if not _is_connection_error(err):
                raise
            try:
                path = download_snapshot(repo, revision, local_only=True)
            except Exception:
                raise err from None  # not cached: the unreachable Hub is the reason to report
            note = f" (cached copy; the Hub could not be reached: {_reason(err)})"
        else:
            path = download_snapshot(repo, commit)
            _remember_ref(repo, revision, commit)
    if not _has_cards(path):
        raise ArtdemoError(f"the Hub repository {label} holds no model cards (*/card.json)")
    return ModelsLocation(path=path, origin=f"Hugging Face Hub {label}{note}", repo=repo, revision=revision,
                          commit=path.name)


def _remember_ref(repo: str, revision: str, commit: str) -> None:
    """Record revision -> commit in the cache (refs/<revision>, huggingface_hub's layout),
    so that the same setting still works from the cache when the Hub is unreachable."""
    if revision == commit:
        return
    from huggingface_hub.file_download import repo_folder_name

    ref = hub_cache_dir() / repo_folder_name(repo_id=repo, repo_type="model") / "refs" / revision
    ref.parent.mkdir(parents=True, exist_ok=True)
    tmp = ref.with_name(f"{ref.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # two writers never share one
    tmp.write_text(commit)
    tmp.replace(ref)


def _is_connection_error(err: Exception) -> bool:
    """The Hub is unreachable or down (network failure, 5xx, 429), as opposed to answering 'no'."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    if isinstance(err, HfHubHTTPError):
        status = getattr(err.response, "status_code", None)
        return status is not None and (status >= 500 or status == 429)
    return isinstance(err, httpx2.TransportError)


def resolve_models_dir() -> ModelsLocation:
    """The models folder to use now: the Hub snapshot named by ARTDEMO_HF_REPO, else the bundled one."""
    spec = config.hf_repo()
    if not spec:
        return _bundled("(ARTDEMO_HF_REPO not set)")
    try:
        repo, revision = parse_repo_spec(spec)
    except ArtdemoError as err:
        return _bundled(f"— ARTDEMO_HF_REPO is not usable: {err}")
    try:
        return _hub_location(repo, revision)
    except ArtdemoError as err:
        return _bundled(f"— {err}")
    except Exception as err:  # any Hub or network failure means: use what ships with the app
        offline_why = hub_offline()
        if offline_why:
            return _bundled(f"(offline: {offline_why}, and no cached copy of {repo}@{revision})")
        what = "could not be reached" if _is_connection_error(err) else "copy could not be used"
        return _bundled(f"— the Hub {what}: {_reason(err)} (wanted {repo}@{revision})")


# --- push -------------------------------------------------------------------------------------------


def _files_to_push(models_root: Path) -> list[Path]:
    """Every file under models/ except hidden files and caches."""
    files = []
    for path in sorted(models_root.rglob("*")):
        rel = path.relative_to(models_root)
        if path.is_file() and not any(part.startswith((".", "__")) for part in rel.parts):
            files.append(path)
    return files


def push(repo: str, revision: str = DEFAULT_REVISION, models_root: Path | None = None,
         message: str = "Publish artdemo models", tag: str | None = None, private: bool = False) -> str:
    """Publish models/ with a generated README.md; returns the new commit hash (to pin)."""
    from huggingface_hub import CommitOperationAdd, HfApi

    from artdemo.models.cards import available_cards
    from artdemo.models.hub_card import LICENSE_TEXT, readme

    if hub_offline():
        raise OfflineError(f"Cannot publish while offline ({hub_offline()}).")
    root = Path(models_root) if models_root else config.models_dir()
    cards = available_cards(root)
    if not cards:
        raise ArtdemoError(f"No trained models in {root}: train them first with `python -m artdemo train all`.")
    ops = [CommitOperationAdd(path_in_repo=str(p.relative_to(root)).replace(os.sep, "/"), path_or_fileobj=str(p))
           for p in _files_to_push(root)]
    ops.append(CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=readme(cards, repo).encode()))
    ops.append(CommitOperationAdd(path_in_repo="LICENSE.md", path_or_fileobj=LICENSE_TEXT.encode()))
    api = HfApi(endpoint=_endpoint())
    try:
        api.create_repo(repo, repo_type="model", exist_ok=True, private=private)
        if revision != DEFAULT_REVISION:
            api.create_branch(repo, branch=revision, exist_ok=True)
        info = api.create_commit(repo, operations=ops, commit_message=message, revision=revision)
        if tag:
            api.create_tag(repo, tag=tag, revision=info.oid)
    except Exception as err:
        raise ArtdemoError(f"Publishing to {repo} failed: {_push_reason(err)}") from err
    return info.oid


def _push_reason(err: Exception) -> str:
    status = getattr(getattr(err, "response", None), "status_code", None)
    if status in (401, 403):
        return f"the Hub refused the upload ({status}); log in with `hf auth login` or set HF_TOKEN to a token with write access."
    return _reason(err)


# --- command line -----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m artdemo models", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    p_push = sub.add_parser("push", help="publish models/ with a Hub model card")
    p_push.add_argument("--repo", required=True, help="owner/name")
    p_push.add_argument("--revision", default=DEFAULT_REVISION, help="branch to commit to (default main)")
    p_push.add_argument("--tag", help="also tag the new commit (a tag is a stable pin)")
    p_push.add_argument("--models", type=Path, help="models folder (default: the bundled models/)")
    p_push.add_argument("--message", default="Publish artdemo models")
    p_push.add_argument("--private", action="store_true")
    p_pull = sub.add_parser("pull", help="download a revision into the cache (or --to a folder)")
    p_pull.add_argument("--repo", required=True, help="owner/name or owner/name@revision")
    p_pull.add_argument("--revision", help="commit hash, tag or branch (default main)")
    p_pull.add_argument("--to", type=Path, help="copy the files into this folder as well")
    sub.add_parser("where", help="say which models folder the app would use now")
    return parser


def _pull(args: argparse.Namespace) -> int:
    repo, revision = parse_repo_spec(args.repo)
    revision = args.revision or revision
    if hub_offline():
        raise OfflineError(f"Cannot pull {repo}@{revision} while offline ({hub_offline()}).")
    try:
        path = download_snapshot(repo, revision)
    except Exception as err:
        raise ArtdemoError(f"Pulling {repo}@{revision} failed: {_reason(err)}") from err
    if not _has_cards(path):
        raise ArtdemoError(f"{repo}@{revision} holds no model cards (*/card.json); is it an artdemo models repository?")
    if args.to:
        import shutil

        shutil.copytree(path, args.to, dirs_exist_ok=True)
        print(f"copied to {args.to}")
    print(f"pulled {repo}@{revision} (commit {path.name}) into {path}")
    print(f"pin it with: ARTDEMO_HF_REPO={repo}@{path.name}")
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.action == "push":
        commit = push(parse_repo_spec(args.repo)[0], args.revision, args.models, args.message, args.tag, args.private)
        print(f"published to {args.repo} on {args.revision}: commit {commit}")
        print(f"pin it with: ARTDEMO_HF_REPO={args.repo}@{args.tag or commit}")
        return 0
    if args.action == "pull":
        return _pull(args)
    location = resolve_models_dir()
    print(f"{location.path}\n{location.origin}")
    return 0
