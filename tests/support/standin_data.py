"""What the stand-in server serves besides the recorded MET answers, generated at run time.

Nothing here is committed as data: JPEGs are drawn with Pillow, and the MoMA
CSVs are built from the first rows of the shared sample (artist names joined
from Artists.csv).
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
from pathlib import Path

from PIL import Image, ImageDraw

_TODAY_COLUMNS = (
    "Title", "Artist", "ConstituentID", "ArtistBio", "Nationality", "BeginDate", "EndDate",
    "Gender", "Date", "Medium", "Dimensions", "CreditLine", "AccessionNumber", "Classification",
    "Department", "DateAcquired", "Cataloged", "ObjectID", "URL", "ImageURL", "OnView",
)


def generated_jpeg(key: str, size: tuple[int, int] | None = None) -> bytes:
    """A small, deterministic JPEG for a path: gradient plus a few shapes."""
    seed = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16)
    rng = random.Random(seed)
    width, height = size or (rng.randint(120, 320), rng.randint(120, 320))
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randint(0, width - 20), rng.randint(0, height - 20)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.rectangle([x, y, x + rng.randint(10, width // 2), y + rng.randint(10, height // 2)], fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def moma_csv(data_root: Path, form: str, rows: int, base_url: str) -> bytes:
    """Artworks.csv in one of its three forms, from the first `rows` rows of the shared sample."""
    moma = data_root / "museum" / "moma"
    with (moma / "Artworks_sample.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        sample_columns = list(reader.fieldnames or [])
        records = [row for _, row in zip(range(rows), reader)]
    out = io.StringIO()
    if form == "sample":
        writer = csv.DictWriter(out, sample_columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return out.getvalue().encode("utf-8")
    artists = _artist_names(moma / "Artists.csv")
    image_column = "ImageURL" if form == "today" else "ThumbnailURL"
    columns = [c if c != "ImageURL" else image_column for c in _TODAY_COLUMNS]
    if form == "2017":
        columns.remove("OnView")
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for index, row in enumerate(records):
        ids = re.findall(r"\d+", row.get("ConstituentID", ""))
        row = dict(row, Artist=", ".join(artists.get(i, "") for i in ids), OnView="")
        row[image_column] = "" if index % 3 == 2 else f"{base_url}/images/moma/{row['ObjectID']}.jpg"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _artist_names(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["ConstituentID"]: row["DisplayName"] for row in csv.DictReader(fh)}
