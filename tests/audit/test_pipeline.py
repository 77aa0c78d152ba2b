"""The audit on Beam's DirectRunner answers exactly as the app's predictor and the
`predict` command do (the artwork found in each picture by default, as they do), and
its accuracy is `evaluate`'s."""

from __future__ import annotations

import csv
import json

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from artdemo.audit.pipeline import AuditConfig, ClassifyObjects, with_local_defaults
from artdemo.audit.records import InputSpec, read_records
from artdemo.imaging.decode import load_image_file
from artdemo.models.predictor import available_tasks, predict_images
from tests.audit.conftest import run_audit, subset_labels

pytestmark = pytest.mark.slow


def exact_answers(element) -> str:
    record, answers = element
    return json.dumps({"path": record.path, "answers": {
        task: {"predicted": p.predicted, "route": p.route, "probabilities": p.probabilities}
        for task, p in answers.items()}})


def classify_on_direct_runner(records, tasks, out_prefix, find_artwork="auto") -> dict[str, dict]:
    """The audit's own classification transform on the DirectRunner (two threads), exact answers by path."""
    cfg = AuditConfig(spec=InputSpec("labels"), out=str(out_prefix.parent), tasks=tasks, find_artwork=find_artwork)
    with beam.Pipeline(options=PipelineOptions(with_local_defaults([]))) as p:
        classified = p | beam.Create(records) | ClassifyObjects(cfg)
        classified["answered"] | beam.Map(exact_answers) | beam.io.WriteToText(str(out_prefix), ".jsonl")
    got = {}
    for shard in out_prefix.parent.glob(out_prefix.name + "*.jsonl"):
        for line in shard.read_text().splitlines():
            item = json.loads(line)
            got[item["path"]] = item["answers"]
    return got


def test_direct_runner_gives_predict_images_answers_to_1e_5_on_200_cache_images(tmp_path, data_root):
    records = list(read_records(InputSpec("labels", str(subset_labels(tmp_path, "medium", 200)))))
    assert len({r.path for r in records}) == len(records) == 200
    tasks = available_tasks()
    got = classify_on_direct_runner(records, tasks, tmp_path / "exact")
    assert len(got) == 200
    expected = predict_images([np.asarray(load_image_file(r.location)) for r in records], tasks)
    for record, answers in zip(records, expected):
        for task, pred in answers.items():
            mine = got[record.path][task]
            assert (mine["predicted"], mine["route"]) == (pred.predicted, pred.route), record.path
            np.testing.assert_allclose(mine["probabilities"], pred.probabilities, rtol=0, atol=1e-5,
                                       err_msg=f"{record.path} {task}")


def test_with_find_artwork_off_the_model_sees_the_whole_picture(tmp_path, data_root):
    records = list(read_records(InputSpec("labels", str(subset_labels(tmp_path, "lithograph", 8)))))
    got = classify_on_direct_runner(records, ["lithograph"], tmp_path / "whole", find_artwork="off")
    pictures = [np.asarray(load_image_file(r.location)) for r in records]
    for record, answers in zip(records, predict_images(pictures, ["lithograph"], find_artwork=False)):
        np.testing.assert_allclose(got[record.path]["lithograph"]["probabilities"],
                                   answers["lithograph"].probabilities, rtol=0, atol=1e-5)


def read_rows(out) -> list[dict]:
    rows = []
    for shard in sorted(out.glob("rows-*-of-*.csv")):
        with shard.open(newline="", encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def test_audit_rows_are_predict_rows_plus_the_museums_label(tmp_path, data_root):
    from artdemo.cli import predict_main
    from artdemo.models.answers_csv import columns

    labels = subset_labels(tmp_path, "medium", 40, absolute=True)
    out = tmp_path / "out"
    assert run_audit("--labels", labels, "--out", out) == 0
    with labels.open(newline="") as fh:
        files = [row["path"] for row in csv.DictReader(fh)]
    assert predict_main(["--task", "all", "--csv", str(tmp_path / "predict.csv"), *files]) == 0
    with (tmp_path / "predict.csv").open(newline="") as fh:
        predicted = {(r["path"], r["task"]): r for r in csv.DictReader(fh)}
    audited = read_rows(out)
    assert len(audited) == len(predicted) == 40 * len(available_tasks())
    header = (out / next(iter(sorted(p.name for p in out.glob("rows-*.csv"))))).read_text().splitlines()[0]
    assert header.split(",")[:len(columns(available_tasks()))] == columns(available_tasks())
    for row in audited:
        twin = predicted[(row["path"], row["task"])]
        assert (row["prediction"], row["route"]) == (twin["prediction"], twin["route"])
        for name, value in twin.items():
            if name.startswith("p_") and value:
                assert abs(float(row[name]) - float(value)) <= 1.01e-4  # both rounded to 4 places
        if row["task"] == "medium":
            agrees = "true" if row["museum_label"] == row["prediction"] else "false"
            assert row["museum_label"] and row["agrees"] == agrees


def test_report_accuracy_equals_evaluate_on_the_same_labels(lithograph_audit):
    from artdemo.training.evaluate import evaluate

    labels, out = lithograph_audit
    report = json.loads((out / "report.json").read_text())
    figures = report["tasks"]["lithograph"]
    truth = evaluate("lithograph", labels)
    assert figures["accuracy"] == truth["accuracy"]
    assert figures["with_museum_label"] == truth["n"] == 100
    assert figures["confusion_matrix"] == truth["confusion_matrix"]
    assert figures["balanced_accuracy"] == truth["balanced_accuracy"]
    assert figures["macro_f1"] == truth["macro_f1"]
    assert report["counters"]["objects_read"] == 100
    assert sum(figures["routes"].values()) == figures["answers"] == 100
    assert report["counters"]["answers_auto"] + report["counters"]["answers_review"] \
        + report["counters"]["answers_out_of_scope"] == 200  # two tasks
