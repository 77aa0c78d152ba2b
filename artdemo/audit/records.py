"""What the audit reads: every input (labels CSV, MoMA's Artworks.csv, the MET objects of the
data cache, a folder of images) becomes the same plain AuditRecord.

Records are read once, by the launcher, which can see the inputs (a local CSV, a
downloaded MoMA file), and written as a JSON-lines manifest into the output folder;
the workers read the manifest. That keeps a 160,000-row catalogue out of the job
graph (Dataflow refuses graphs over 10 MB) and leaves a record of what was audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from artdemo import config
from artdemo.errors import ArtdemoError
from artdemo.tasks import TASKS, labels_from_medium

KINDS = ("labels", "moma", "met_cache", "images")
MET_CACHE_SOURCES = ("met", "mame")  # the downloader's MET sources (MAMe images are MET objects)


@dataclass
class AuditRecord:
    """One object to audit.

    `path` is what the output rows call it (the cache-relative path, the file as
    given, or the image URL), so the page can find the picture again; `location` is
    where its bytes are read (a local path, a storage URL the runner can read, or
    http(s)); empty when the catalogue has no image for it.
    """

    key: str
    path: str
    location: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # the museum's label per task
    source: str = ""
    object_id: str = ""
    title: str = ""
    page_url: str = ""
    met_object_id: str = ""  # a MET object: fetched through the API when its file is missing

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> AuditRecord:
        return cls(**json.loads(line))


@dataclass(frozen=True)
class InputSpec:
    """Which collection to audit, as the command line named it."""

    kind: str  # one of KINDS
    location: str = ""  # the CSV, the MoMA file or URL, the folder; the data cache for met_cache
    label_task: str = ""  # labels: the task of the CSV's `label` column (default: the file's name)
    limit: int = 0  # audit only the first N records (0: all)


def read_records(spec: InputSpec) -> Iterator[AuditRecord]:
    """The records of one input, in the input's order."""
    readers = {"labels": labels_records, "moma": moma_records, "met_cache": met_cache_records,
               "images": folder_records}
    if spec.kind not in readers:
        raise ArtdemoError(f"Unknown input kind {spec.kind!r}; one of {', '.join(KINDS)}.")
    records = readers[spec.kind](spec)
    for n, record in enumerate(records):
        if spec.limit and n >= spec.limit:
            return
        yield record


def label_task_of(csv_path: Path, label_task: str = "") -> str:
    """The task whose labels the CSV holds: as given, or the file's name (labels/medium.csv)."""
    task = label_task or csv_path.stem
    if task not in TASKS:
        raise ArtdemoError(f"Which task do the labels in {csv_path.name} belong to? Name it with "
                           f"--label-task ({', '.join(TASKS)}).")
    return task


def labels_records(spec: InputSpec) -> Iterator[AuditRecord]:
    """A labels CSV in the data-cache layout, read exactly as `evaluate` reads it.

    The CSV's label is the museum's answer for its task; other tasks get the label
    the medium text gives by rule, when there is one.
    """
    from artdemo.sources.datacache import read_labels_csv
    from artdemo.training.evaluate import resolve_image  # light: TensorFlow loads inside evaluate()

    csv_path = Path(spec.location)
    task = label_task_of(csv_path, spec.label_task)
    for row in read_labels_csv(csv_path):
        labels = labels_from_medium(row.medium_text)
        labels[task] = row.label
        page = row.record if row.record.startswith(("http://", "https://")) else ""
        yield AuditRecord(key=f"labels:{row.path}", path=row.path, location=str(resolve_image(row.path, csv_path)),
                          labels=labels, source=row.source, object_id="" if page else row.record,
                          title=row.original_name, page_url=page)


def moma_records(spec: InputSpec) -> Iterator[AuditRecord]:
    """MoMA's Artworks.csv (path or URL; today's or the 2017 form), one record per work.

    Works without an image link are kept: the pipeline counts them as failures
    ("no image"), so the report says how much of the collection could be seen.
    """
    from artdemo.sources import moma

    location = spec.location or config.moma_csv_location()
    catalogue = moma.read_catalogue(moma.local_copy(location), source=location)
    if catalogue.form == "sample":
        raise ArtdemoError(f"The MoMA catalogue at {location} is the 22-column sample, which has no image "
                           "links. Use MoMA's full Artworks.csv (with an ImageURL column).")
    for row in catalogue.frame.to_dict("records"):
        url = row["image_url"].strip()
        yield AuditRecord(key=f"moma:{row['object_id']}", path=url or f"moma:{row['object_id']}", location=url,
                          labels=labels_from_medium(row["medium"]), source="moma", object_id=row["object_id"],
                          title=row["title"], page_url=row["page_url"])


def met_cache_records(spec: InputSpec) -> Iterator[AuditRecord]:
    """The MET objects the downloader put in the data cache (images/met/, images/mame/),
    with every task label the cache holds for them."""
    from artdemo.sources.datacache import read_labels_csv

    root = Path(spec.location) if spec.location else config.data_dir()
    found: dict[str, AuditRecord] = {}
    for task in TASKS.values():
        csv_path = root / task.labels_csv
        if not csv_path.is_file():
            continue
        for row in read_labels_csv(csv_path):
            if row.source not in MET_CACHE_SOURCES:
                continue
            record = found.get(row.path)
            if record is None:
                record = found[row.path] = AuditRecord(
                    key=f"met:{row.path}", path=row.path, location=str(root / row.path), source=row.source,
                    object_id=Path(row.path).stem, met_object_id=Path(row.path).stem,
                    title=row.original_name, page_url=row.record)
            record.labels[task.name] = row.label
    if not found:
        raise ArtdemoError(f"There are no MET objects in the data cache at {root}. Fill it with "
                           "`python -m artdemo data fetch --source met` (or --source mame).")
    yield from found.values()


def folder_records(spec: InputSpec) -> Iterator[AuditRecord]:
    """Image files of a folder (walked as `predict` walks it), with no museum labels."""
    from artdemo.cli import expand_paths

    if not Path(spec.location).is_dir():
        raise ArtdemoError(f"There is no folder {spec.location}.")
    files = expand_paths([spec.location])
    if not files:
        raise ArtdemoError(f"No image files found in {spec.location}.")
    for path in files:
        yield AuditRecord(key=f"file:{path}", path=str(path), location=str(path.resolve()), source="file",
                          title=path.name)
