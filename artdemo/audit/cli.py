"""`python -m artdemo audit`: compare a whole collection's catalogue with the models' answers.

    python -m artdemo audit --labels CSV | --moma-csv [PATH_OR_URL] | --met-cache [DATA_DIR] | --images DIR
                            --out DIR [--tasks all|TASK,...] [--find-artwork auto|off] [--limit N]
                            [Beam pipeline options: --runner ... --project ... --direct_num_workers ...]

Our options use dashes; anything else on the line goes to Beam's PipelineOptions
untouched. Without --runner it runs here on the DirectRunner with two worker
threads. Objects that fail are counted and listed in failures-*.csv; the exit code
is 0 when the pipeline finished, whatever the objects did (collections always have
some dead links), and 1 with a message when the run itself could not start.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit

from artdemo import config
from artdemo.errors import ArtdemoError
from artdemo.tasks import TASKS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m artdemo audit", allow_abbrev=False,
                                description="Audit a collection's catalogue against the models (Apache Beam). "
                                            "Unknown options go to Beam (e.g. --runner DataflowRunner).")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--labels", metavar="CSV", help="a labels CSV in the data-cache layout (path,label,...)")
    source.add_argument("--moma-csv", nargs="?", const="", metavar="PATH_OR_URL",
                        help="MoMA's Artworks.csv with image links (default: ARTDEMO_MOMA_CSV)")
    source.add_argument("--met-cache", nargs="?", const="", metavar="DATA_DIR",
                        help="the MET objects the downloader put in the data cache (default: ARTDEMO_DATA)")
    source.add_argument("--images", metavar="DIR", help="a folder of images, no museum labels")
    p.add_argument("--out", required=True, help="output folder, or a storage URL the runner can write (gs://...)")
    p.add_argument("--tasks", default="all", help="comma-separated tasks, or all (default)")
    p.add_argument("--label-task", default="", choices=[""] + list(TASKS),
                   help="the task of a labels CSV's label column (default: the file's name, e.g. medium.csv)")
    p.add_argument("--find-artwork", default="auto", choices=("auto", "off"),
                   help="crop the artwork out of a photo before classifying (default auto)")
    p.add_argument("--limit", type=int, default=0, help="audit only the first N objects")
    p.add_argument("--top", type=int, default=50, help="confident disagreements kept per task in report.json")
    p.add_argument("--min-batch", type=int, default=8)
    p.add_argument("--max-batch", type=int, default=32)
    p.add_argument("--models", default="", help="models folder the workers load (default: theirs)")
    p.add_argument("--met-rate", type=float, default=70.0,
                   help="MET requests per second for the whole job (the MET allows 80); split across workers")
    p.add_argument("--other-rate", type=float, default=10.0,
                   help="requests per second per other image host for the whole job; split across workers")
    p.add_argument("--request-workers", type=int, default=0,
                   help="worker processes sharing those rates (default: worked out from the runner's options)")
    p.add_argument("--fetch-timeout", type=float, default=20.0, help="seconds for one image download")
    p.add_argument("--no-met-refetch", action="store_true",
                   help="don't ask the MET API for objects whose cached image file is missing")
    return p


def input_spec(args: argparse.Namespace):
    from artdemo.audit.records import InputSpec

    if args.labels is not None:
        return InputSpec("labels", args.labels, args.label_task, args.limit)
    if args.moma_csv is not None:
        return InputSpec("moma", args.moma_csv or config.moma_csv_location(), limit=args.limit)
    if args.met_cache is not None:
        return InputSpec("met_cache", args.met_cache or str(config.data_dir()), limit=args.limit)
    return InputSpec("images", args.images, limit=args.limit)


def tasks_of(text: str) -> list[str]:
    if text == "all":
        from artdemo.models.predictor import available_tasks

        tasks = available_tasks()
        if not tasks:
            raise ArtdemoError("No trained models found. Train them with `python -m artdemo train all`.")
        return tasks
    tasks = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in tasks if t not in TASKS]
    if unknown or not tasks:
        raise ArtdemoError(f"Unknown task(s) {', '.join(unknown) or text!r}; choose from {', '.join(TASKS)} or all.")
    return tasks


def audit_config(args: argparse.Namespace):
    """The AuditConfig the options describe (hosts and rates fixed here, on the launcher)."""
    from artdemo.audit.images import FetchSettings
    from artdemo.audit.pipeline import AuditConfig
    from artdemo.audit.ratelimit import RateRule

    spec = input_spec(args)
    met_api = config.met_api_base()
    met_host = urlsplit(met_api).hostname or ""
    trusted = {met_host}
    if spec.kind == "moma":
        trusted.add(urlsplit(spec.location).hostname or "")  # the operator's mirror of MoMA's file and images
    fetch = FetchSettings(met_api=met_api, trusted_hosts=tuple(sorted(h for h in trusted if h)),
                          timeout=args.fetch_timeout, refetch_met=not args.no_met_refetch)
    rates = RateRule(args.met_rate, args.other_rate, args.request_workers, ("metmuseum.org", met_host))
    return AuditConfig(spec=spec, out=args.out, tasks=tasks_of(args.tasks), find_artwork=args.find_artwork,
                       top_n=args.top, min_batch=args.min_batch, max_batch=args.max_batch, fetch=fetch,
                       rates=rates, models_dir=args.models)


def main(argv: list[str] | None = None) -> int:
    args, beam_args = parser().parse_known_args(list(sys.argv[1:] if argv is None else argv))
    if args.limit < 0 or args.top < 0 or not 1 <= args.min_batch <= args.max_batch:
        raise ArtdemoError("--limit and --top can't be negative, and 1 <= --min-batch <= --max-batch.")
    from artdemo.audit.pipeline import run  # Apache Beam: imported only when an audit runs

    cfg = audit_config(args)
    say = lambda msg: print(f"artdemo audit: {msg}", file=sys.stderr)  # noqa: E731
    say(f"auditing {cfg.spec.kind} {cfg.spec.location} for {', '.join(cfg.tasks)} -> {cfg.out}")
    result = run(cfg, beam_args, log=print)
    say(f"{result.objects} objects; rows, failures and report.json are in {result.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
