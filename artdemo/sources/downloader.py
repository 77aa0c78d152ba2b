"""`python -m artdemo data fetch`: fill a data cache from the MET, MoMA or the MAMe index.

    python -m artdemo data fetch --source met  [--limit N] [--mediums lithograph,etching] [--dest DIR]
    python -m artdemo data fetch --source moma [--limit N] [--mediums lithograph] [--dest DIR]
    python -m artdemo data fetch --source mame [--limit N] [--mediums Lithograph,Etching] [--dest DIR]

It writes the layout the app reads (images/<source>/<id>.jpg, re-encoded after
the safe decoder, longest side at most 512 px; rows in labels/<task>.csv for
every task label the medium text gives by rule). Runs resume: images already
saved are not fetched again, rows already written are not written again, and
rows are written whole (artdemo.sources.labels), so stopping a run at any moment
loses nothing. All MET requests share the MET client's rate limiter.

Exit 0 means the cache holds --limit objects of the selection. When the
selection runs out first (objects skipped because they came without a
public-domain image, or failed), the run says how many it has and exits 1:
skipped objects are not always skipped for good (a struggling MET can answer
without an image for a while), so running the same command again may finish it.

- met: searches the MET for each medium word (default "lithograph") with
  hasImages=true and takes public-domain objects with an image.
- moma: works of ARTDEMO_MOMA_CSV with an image link whose Medium contains
  one of the words (default: all works with an image).
- mame: the MET objects of museum/mame/MAMe_dataset.csv (in the data cache)
  with the chosen MAMe mediums (default: all 29); the image file name is the
  MET object id, and MAMe's expert medium is the medium text.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from artdemo import config
from artdemo.sources import met
from artdemo.sources import moma
from artdemo.errors import ArtdemoError, OfflineError
from artdemo.imaging.decode import decode_image
from artdemo.sources.labels import LabelStore
from artdemo.tasks import labels_from_medium

MAX_SIDE = 512
MAX_FAILURES_IN_A_ROW = 10
MOMA_LIMITER = met.RateLimiter(10.0)  # MoMA's image host: gentle
MET_MUSEUM = "Metropolitan Museum of Art"


class Shortfall(ArtdemoError):
    """The selection ran out before the run had `limit` objects in the cache."""

    def __init__(self, message: str, tally: Tally) -> None:
        super().__init__(message)
        self.tally = tally


@dataclass
class Candidate:
    object_id: str
    medium_text: str | None = None  # known before fetching (MoMA, MAMe)
    original_name: str = ""
    moma_row: dict | None = None


@dataclass
class Tally:
    added: int = 0
    present: int = 0
    skipped: int = 0  # no image, not public domain, no label
    failed: int = 0
    failures_in_a_row: int = 0
    last_error: str = ""
    rows: int = 0

    @property
    def done(self) -> int:
        return self.added + self.present


@dataclass
class Fetcher:
    source: str
    dest: Path
    store: LabelStore = field(init=False)
    catalogue: moma.Catalogue | None = None

    def __post_init__(self) -> None:
        self.store = LabelStore(self.dest)

    def process(self, cand: Candidate) -> str:
        """Fetch one object if needed; returns "added", "present" or "skipped"."""
        rel = f"images/{self.source}/{_safe_id(cand.object_id)}.jpg"
        image_file = self.dest / rel
        medium = cand.medium_text if cand.medium_text is not None else self.store.known_medium(rel)
        if medium is not None and image_file.is_file() and self._complete(rel, medium):
            return "present"
        meta = self._metadata(cand)
        if meta is None:
            return "skipped"
        medium_text, image_url, record = meta
        labels = labels_from_medium(medium_text)
        if not labels:
            return "skipped"
        if image_file.is_file():
            with Image.open(image_file) as im:
                size = im.size
        else:
            size = save_image(self._image_bytes(image_url), image_file)
        written = 0
        for task, label in labels.items():
            written += self.store.append(task, {
                "path": rel, "label": label, "source": self.source,
                "original_name": cand.original_name or f"{cand.object_id}.jpg",
                "width": size[0], "height": size[1], "medium_text": medium_text, "record": record,
            })
        return "added" if written else "present"

    def _complete(self, rel: str, medium: str) -> bool:
        labels = labels_from_medium(medium)
        return bool(labels) and all(self.store.has(task, rel) for task in labels)

    def _metadata(self, cand: Candidate) -> tuple[str, str, str] | None:
        """(medium text, image URL, record) or None when the object has no usable image."""
        if cand.moma_row is not None:
            row = cand.moma_row
            return row["medium"], row["image_url"], row["page_url"]
        obj = met.to_art_object(met.get_client().object_json(cand.object_id))
        if not obj.image_url or not obj.public_domain:
            return None
        medium = cand.medium_text if cand.medium_text is not None else obj.medium
        return medium, obj.image_url, obj.page_url

    def _image_bytes(self, url: str) -> bytes:
        if self.source == "moma":
            MOMA_LIMITER.acquire()
            return moma.fetch_image(url, self.catalogue.source if self.catalogue else None)
        return met.get_client().fetch_image(url)


def save_image(data: bytes, target: Path) -> tuple[int, int]:
    """Decode safely, shrink to MAX_SIDE, write JPEG atomically; returns (width, height)."""
    image = decode_image(data)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    image.save(partial, "JPEG", quality=90)
    os.replace(partial, target)
    return image.size


def _safe_id(object_id: str) -> str:
    cleaned = "".join(ch for ch in str(object_id) if ch.isalnum() or ch in "-_")
    if not cleaned:
        raise ArtdemoError(f"Object id {object_id!r} can't be used as a file name.")
    return cleaned


# -- candidates ---------------------------------------------------------------
def met_candidates(mediums: list[str]) -> Iterator[Candidate]:
    seen: set[int] = set()
    for word in mediums or ["lithograph"]:
        for object_id in met.get_client().candidate_ids(word):
            if object_id not in seen:
                seen.add(object_id)
                yield Candidate(str(object_id))


def moma_candidates(catalogue: moma.Catalogue, mediums: list[str]) -> Iterator[Candidate]:
    frame = catalogue.with_images()
    if frame.empty:
        raise ArtdemoError(moma._no_images_message(catalogue))
    words = [m.lower() for m in mediums]
    for row in frame.to_dict("records"):
        if not words or any(w in row["medium"].lower() for w in words):
            yield Candidate(row["object_id"], row["medium"], f"moma_{row['object_id']}.jpg", row)


def mame_candidates(mediums: list[str], index: Path | None = None) -> Iterator[Candidate]:
    index = index or config.data_dir() / "museum" / "mame" / "MAMe_dataset.csv"
    if not index.is_file():
        raise ArtdemoError(f"The MAMe index isn't at {index}; set ARTDEMO_DATA to a data cache that has it.")
    with index.open(newline="", encoding="utf-8") as fh:
        rows = [
            {**r, "Medium": r["Medium"].strip()} for r in csv.DictReader(fh)
            if r.get("Museum", "").strip() == MET_MUSEUM
        ]
    known = sorted({r["Medium"] for r in rows})
    chosen = {m.lower() for m in mediums} if mediums else {m.lower() for m in known}
    unknown = chosen - {m.lower() for m in known}
    if unknown:
        raise ArtdemoError(
            f"MAMe has no medium {', '.join(sorted(unknown))!s} at the MET. Choose from: {', '.join(known)}."
        )
    for row in rows:
        if row["Medium"].lower() in chosen:
            yield Candidate(Path(row["Image file"]).stem, row["Medium"], f"mame_{row['Image file']}")


# -- the run ------------------------------------------------------------------
def run(source: str, dest: Path, limit: int, mediums: list[str], out=None) -> Tally:
    """Fetch until `limit` objects of the selection are in the cache (existing ones count).

    Returns the tally only when it got there (`tally.done >= limit`); raises Shortfall
    when the candidates ran out first, so a short run is never reported as done."""
    if config.offline():
        raise OfflineError(
            "Fetching data needs the network, but the app is in offline mode (ARTDEMO_OFFLINE=1). "
            "Unset ARTDEMO_OFFLINE and try again; the local cache still works meanwhile."
        )
    fetcher = Fetcher(source, dest)
    if source == "moma":
        fetcher.catalogue = moma.load_catalogue()
        candidates = moma_candidates(fetcher.catalogue, mediums)
    elif source == "mame":
        candidates = mame_candidates(mediums)
    else:
        candidates = met_candidates(mediums)
    tally, progress = Tally(), Progress(limit, source, out or sys.stderr)
    for cand in candidates:
        if tally.done >= limit:
            break
        try:
            outcome = fetcher.process(cand)
            tally.failures_in_a_row = 0
        except OfflineError:
            raise
        except met.NotFoundError:
            outcome = "skipped"  # listed, but the MET no longer has it
        except ArtdemoError as err:
            outcome = "failed"
            tally.failures_in_a_row += 1
            tally.last_error = str(err)
            if tally.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                progress.finish(tally)
                raise ArtdemoError(
                    f"{MAX_FAILURES_IN_A_ROW} objects in a row failed; the last said: {err} "
                    "Run the same command later: it resumes where it stopped."
                ) from err
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        progress.show(tally)
    progress.finish(tally)
    if tally.done < limit:
        raise Shortfall(
            f"The selection ran out with {tally.done} of the {limit} objects wanted "
            f"({tally.added} new this run; {tally.skipped} skipped: no public-domain image or no label; "
            f"{tally.failed} failed). Run the same command again later: it retries the skipped and failed "
            "ones (a struggling museum server sometimes answers without the image). Or ask for fewer "
            "with --limit, or choose more --mediums.", tally)
    return tally


class Progress:
    """A plain-text progress bar on stderr (redrawn in place on a terminal)."""

    def __init__(self, total: int, source: str, out) -> None:
        self.total, self.source, self.out = max(1, total), source, out
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self._last_step = -1
        self._printed = ""

    def line(self, tally: Tally) -> str:
        filled = int(20 * min(tally.done, self.total) / self.total)
        return (f"{self.source} [{'#' * filled}{'.' * (20 - filled)}] {tally.done}/{self.total}"
                f"  new {tally.added}, already there {tally.present}, skipped {tally.skipped}, "
                f"failed {tally.failed}")

    def show(self, tally: Tally) -> None:
        step = tally.done * 10 // self.total
        if self.tty:
            self.out.write("\r" + self.line(tally))
        elif step != self._last_step:
            self._printed = self.line(tally)
            self.out.write(self._printed + "\n")
            self._last_step = step
        self.out.flush()

    def finish(self, tally: Tally) -> None:
        if self.tty:
            self.out.write("\r" + self.line(tally) + "\n")
        elif self.line(tally) != self._printed:
            self.out.write(self.line(tally) + "\n")
        if tally.last_error:
            self.out.write(f"last failure: {tally.last_error}\n")
        self.out.flush()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m artdemo data", description="Fill the data cache.")
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="download images and labels into the data cache")
    fetch.add_argument("--source", choices=("met", "moma", "mame"), required=True)
    fetch.add_argument("--limit", type=int, default=100, help="objects wanted in the cache (default 100)")
    fetch.add_argument("--mediums", default="", help="comma-separated medium words or MAMe mediums")
    fetch.add_argument("--dest", type=Path, default=None, help="data cache folder (default ARTDEMO_DATA)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    dest = (args.dest or config.data_dir()).expanduser().resolve()
    mediums = [m.strip() for m in args.mediums.split(",") if m.strip()]
    if args.limit <= 0:
        print("artdemo: --limit must be a positive number.", file=sys.stderr)
        return 2
    try:
        dest.mkdir(parents=True, exist_ok=True)
        if not os.access(dest, os.W_OK):
            raise ArtdemoError(f"We can't write to {dest}; choose another folder with --dest.")
        tally = run(args.source, dest, args.limit, mediums)
    except ArtdemoError as err:
        print(f"artdemo: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"artdemo: couldn't write to {dest}: {err.strerror or err}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nartdemo: stopped. Run the same command again to resume.", file=sys.stderr)
        return 130
    print(f"{tally.added} new objects in {dest} ({tally.done} of {args.limit} wanted).")
    return 0
