"""The audit pipeline: manifest -> fetch, decode and find the artwork -> RunInference ->
compare with the museum -> sharded rows, failures and report.json.

    manifest.jsonl -> FetchAndDecode -+-> RunInference(ArtdemoModelHandler) -> Compare -+-> rows-*.csv
                                      |        '- failed batches -.                      '-> TaskSummaryFn
                                      '- fetch / decode / no image -+-> failures-*.csv          -> report.json

Nothing is fatal per object: a failure becomes a row of the failures output with its
stage and reason, and a Beam counter. The counters are printed at the end and
written into report.json.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, replace

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import Metrics, MetricsFilter
from apache_beam.ml.inference.base import KeyedModelHandler, RunInference
from apache_beam.options.pipeline_options import PipelineOptions

from artdemo.audit import images, ratelimit
from artdemo.audit.handler import MAX_BATCH, MIN_BATCH, ArtdemoModelHandler
from artdemo.audit.images import FetchSettings
from artdemo.audit.ratelimit import RateRule
from artdemo.audit.records import AuditRecord, InputSpec, read_records
from artdemo.audit.report import TOP_N, TaskSummaryFn, assemble
from artdemo.audit.rows import (FAILURE_COLUMNS, answers_of, audit_rows, csv_line, failure_row, header_line,
                                row_columns)
from artdemo.errors import ArtdemoError

NAMESPACE = "artdemo_audit"
COUNTERS = ("objects_read", "failed_fetches", "failed_decodes", "objects_without_image", "failed_inferences",
            "answers_auto", "answers_review", "answers_out_of_scope", "find_artwork_errors")
FAILURES = "failures"
ANSWERS = "answers"
LOCAL_DEFAULTS = ["--runner=DirectRunner", "--direct_num_workers=2", "--direct_running_mode=multi_threading"]


@dataclass
class AuditConfig:
    """One audit, as the command line describes it."""

    spec: InputSpec
    out: str  # a folder or a storage URL the runner can write
    tasks: list[str]
    find_artwork: str = "auto"
    top_n: int = TOP_N
    min_batch: int = MIN_BATCH
    max_batch: int = MAX_BATCH
    fetch: FetchSettings = field(default_factory=FetchSettings)
    rates: RateRule = field(default_factory=RateRule)
    models_dir: str = ""  # where workers find the models (default: their ARTDEMO_MODELS or the repo's)
    num_shards: int = 0  # 0: the runner decides


@dataclass
class AuditResult:
    out: str
    objects: int
    counters: dict[str, int]
    report: dict


def output_path(out: str, name: str) -> str:
    return FileSystems.join(out, name)


class FetchAndDecode(beam.DoFn):
    """Record -> (record, RGB picture of the artwork), or a failure row on the side."""

    def __init__(self, fetch: FetchSettings, rates: RateRule, find_artwork: str) -> None:
        self.fetch, self.rates, self.find_mode = fetch, rates, find_artwork
        self.counters = {name: Metrics.counter(NAMESPACE, name) for name in COUNTERS}

    def setup(self) -> None:
        ratelimit.configure(self.rates)
        self.find = images.artwork_finder(self.find_mode)

    def process(self, record: AuditRecord):
        self.counters["objects_read"].inc()
        try:
            data = images.image_bytes(record, self.fetch)
            rgb = images.decode_rgb(data)
        except Exception as err:  # never stop the run for one object; say why it failed
            stage = getattr(err, "stage", "fetch")
            counter = {"no_image": "objects_without_image", "decode": "failed_decodes"}.get(stage, "failed_fetches")
            self.counters[counter].inc()
            reason = str(err) if isinstance(err, ArtdemoError) else f"{type(err).__name__}: {err}"
            yield beam.pvalue.TaggedOutput(FAILURES, failure_row(record, stage, reason))
            return
        if self.find is not None:
            try:
                rgb = self.find(rgb)
            except Exception:  # the whole picture is still a fair thing to classify
                self.counters["find_artwork_errors"].inc()
        yield record, rgb


class Compare(beam.DoFn):
    """(record, answers) -> output rows, and (task, Answer) for the report."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        self.routes = {}

    def process(self, element):
        record, answers = element
        for row in audit_rows(record, answers):
            route = row["route"]
            if route not in self.routes:
                self.routes[route] = Metrics.counter(NAMESPACE, f"answers_{route}")
            self.routes[route].inc()
            yield csv_line(row, self.fields)
        for answer in answers_of(record, answers):
            yield beam.pvalue.TaggedOutput(ANSWERS, (answer.task, answer))


def _failed_batch(failed):
    """RunInference's dead letters: (batch of (record, picture), error) -> failure rows. Beam hands
    the error over as (type, repr, traceback lines); the repr is what a person can read."""
    batch, error = failed
    text = str(error[1]) if isinstance(error, tuple) and len(error) > 1 else f"{type(error).__name__}: {error}"
    for record, _ in batch:
        Metrics.counter(NAMESPACE, "failed_inferences").inc()
        yield failure_row(record, "inference", text)


def _write_report(summaries: list, out: str, classes: dict[str, list[str]], meta: dict) -> None:
    write_json(output_path(out, "report.json"), assemble(summaries, classes, meta))


def write_json(path: str, data: dict) -> None:
    with FileSystems.create(path, mime_type="application/json") as handle:
        handle.write(json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))


def read_json(path: str) -> dict:
    with FileSystems.open(path) as handle:
        return json.loads(handle.read().decode("utf-8"))


class ClassifyObjects(beam.PTransform):
    """Records -> {"answered": (record, {task: Prediction}), "failures": failure rows}.

    The heart of the audit, apart from its outputs, so a test can feed it records
    and look at the exact answers."""

    def __init__(self, cfg: AuditConfig) -> None:
        super().__init__()
        self.cfg = cfg

    def expand(self, records):
        cfg = self.cfg
        pictures = records | "FetchAndDecode" >> beam.ParDo(
            FetchAndDecode(cfg.fetch, cfg.rates, cfg.find_artwork)).with_outputs(FAILURES, main="pictures")
        handler = KeyedModelHandler(ArtdemoModelHandler(cfg.tasks, min_batch_size=cfg.min_batch,
                                                        max_batch_size=cfg.max_batch, models_dir=cfg.models_dir))
        answered, dead = pictures.pictures | "RunInference" >> RunInference(handler).with_exception_handling()
        failed = dead.failed_inferences | "FailedBatches" >> beam.FlatMap(_failed_batch)
        failures = (pictures[FAILURES], failed) | "AllFailures" >> beam.Flatten()
        return {"answered": answered, "failures": failures}


def build(p: beam.Pipeline, cfg: AuditConfig, classes: dict[str, list[str]], meta: dict) -> None:
    """Add the audit's transforms to `p` (reading the manifest already written into cfg.out)."""
    fields = row_columns(cfg.tasks)
    shards = {"num_shards": cfg.num_shards} if cfg.num_shards else {}
    records = (p
               | "ReadManifest" >> beam.io.ReadFromText(output_path(cfg.out, "manifest.jsonl"))
               | "Parse" >> beam.Map(AuditRecord.from_json)
               | "Spread" >> beam.Reshuffle())
    classified = records | "Classify" >> ClassifyObjects(cfg)
    (classified["failures"]
     | "FailureLines" >> beam.Map(csv_line, FAILURE_COLUMNS)
     | "WriteFailures" >> beam.io.WriteToText(output_path(cfg.out, "failures"), file_name_suffix=".csv",
                                              header=header_line(FAILURE_COLUMNS), **shards))
    compared = classified["answered"] | "Compare" >> beam.ParDo(Compare(fields)).with_outputs(ANSWERS, main="rows")
    compared.rows | "WriteRows" >> beam.io.WriteToText(output_path(cfg.out, "rows"), file_name_suffix=".csv",
                                                       header=header_line(fields), **shards)
    (compared[ANSWERS]
     | "SummarisePerTask" >> beam.CombinePerKey(TaskSummaryFn(cfg.top_n))
     | "AllTasks" >> beam.combiners.ToList()
     | "WriteReport" >> beam.Map(_write_report, cfg.out, classes, meta))


def write_manifest(cfg: AuditConfig) -> int:
    """Read the input on the launcher and write it as manifest.jsonl; the number of records."""
    count = 0
    with FileSystems.create(output_path(cfg.out, "manifest.jsonl"), mime_type="text/plain") as handle:
        for record in read_records(cfg.spec):
            handle.write(record.to_json().encode("utf-8") + b"\n")
            count += 1
    if not count:
        raise ArtdemoError(f"The input {cfg.spec.location or cfg.spec.kind} has no objects to audit.")
    return count


def prepare_output(out: str) -> None:
    """Create the folder, and remove the shards of an earlier run (a run with fewer
    shards would otherwise leave some of the old ones beside the new)."""
    if "://" not in out and not FileSystems.exists(out):
        FileSystems.mkdirs(out)
    for prefix in ("rows", "failures"):
        found = FileSystems.match([output_path(out, f"{prefix}-*-of-*.csv")])[0].metadata_list
        if found:
            FileSystems.delete([m.path for m in found])


def with_local_defaults(pipeline_args: list[str]) -> list[str]:
    """Beam's options as given; without --runner, the DirectRunner on two worker threads."""
    if any(a == "--runner" or a.startswith("--runner=") for a in pipeline_args):
        return list(pipeline_args)
    given = {a.split("=")[0] for a in pipeline_args}
    return [a for a in LOCAL_DEFAULTS if a.split("=")[0] not in given] + list(pipeline_args)


def model_classes(tasks: list[str]) -> dict[str, list[str]]:
    """Each task's classes, from its card (fails early, with how to train, when a model is missing)."""
    from artdemo.models.predictor import load_model  # the heads only; TensorFlow waits for the workers

    return {task: list(load_model(task)[0].classes) for task in tasks}


def run(cfg: AuditConfig, pipeline_args: list[str] | None = None, log=print) -> AuditResult:
    """Run the audit to the end; counters are printed through `log` and added to report.json."""
    options = PipelineOptions(with_local_defaults(pipeline_args or []))
    rates = cfg.rates
    if not rates.request_workers or rates.request_workers < 1:
        rates = RateRule(rates.met_rate, rates.other_rate, ratelimit.worker_processes(options.get_all_options()),
                         rates.met_hosts)
    cfg = replace(cfg, rates=rates)
    classes = model_classes(cfg.tasks)
    prepare_output(cfg.out)
    objects = write_manifest(cfg)
    meta = {"version": 1, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "input": asdict(cfg.spec), "objects": objects, "find_artwork": cfg.find_artwork,
            "runner": options.get_all_options().get("runner"),
            "rate_rule": {"met_rate_total": rates.met_rate, "other_rate_total": rates.other_rate,
                          "request_workers": rates.request_workers, "met_per_worker": rates.met_per_worker},
            "files": {"rows": "rows-*-of-*.csv", "failures": "failures-*-of-*.csv", "manifest": "manifest.jsonl"}}
    pipeline = beam.Pipeline(options=options)
    build(pipeline, cfg, classes, meta)
    try:
        result = pipeline.run()
        result.wait_until_finish()
    finally:
        ratelimit.reset()
    counters = counter_values(result)
    report_path = output_path(cfg.out, "report.json")
    report = read_json(report_path)
    report["counters"] = counters
    write_json(report_path, report)
    for name, value in counters.items():
        log(f"{name:>24}: {value}")
    return AuditResult(cfg.out, objects, counters, report)


def counter_values(result) -> dict[str, int]:
    """The audit's counters summed over steps (committed where the runner has them)."""
    totals = {name: 0 for name in COUNTERS}
    for counter in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + int(value or 0)
    return totals
