"""The audit's small parts, without Beam's runner or the models: readers, rate rule,
report counting and the read side the page uses."""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to
import pandas as pd
import pytest

from artdemo.audit import ratelimit, results
from artdemo.audit.records import AuditRecord, InputSpec, read_records
from artdemo.audit.report import TaskSummaryFn, task_report
from artdemo.audit.rows import Answer, audit_rows, csv_line, header_line, row_columns
from artdemo.errors import ArtdemoError


def test_labels_csv_label_belongs_to_the_files_task_and_medium_text_labels_the_others(tmp_path):
    target = tmp_path / "labels" / "medium.csv"
    target.parent.mkdir()
    target.write_text("path,label,source,original_name,width,height,medium_text,record\n"
                      "images/x/a.jpg,painting,whitney,a.jpg,1,1,Lithograph,https://example.org/a\n")
    record, = read_records(InputSpec("labels", str(target)))
    assert record.labels == {"medium": "painting", "lithograph": "lithograph"}  # the CSV wins for its task
    assert record.page_url == "https://example.org/a" and record.path == "images/x/a.jpg"
    assert AuditRecord.from_json(record.to_json()) == record


def test_a_labels_csv_of_no_known_task_asks_which_task(tmp_path):
    target = tmp_path / "mine.csv"
    target.write_text("path,label\na.jpg,x\n")
    with pytest.raises(ArtdemoError, match="--label-task"):
        list(read_records(InputSpec("labels", str(target))))
    assert next(read_records(InputSpec("labels", str(target), label_task="style"))).labels == {"style": "x"}


def test_moma_rows_without_an_image_are_kept_for_the_failures_output(tmp_path):
    target = tmp_path / "Artworks.csv"
    with target.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ObjectID", "Title", "Medium", "ImageURL", "URL"])
        writer.writerow(["1", "A", "Lithograph on paper", "https://example.org/1.jpg", ""])
        writer.writerow(["2", "B", "Oil on canvas", "", ""])
    first, second = read_records(InputSpec("moma", str(target)))
    assert (first.location, first.labels["lithograph"]) == ("https://example.org/1.jpg", "lithograph")
    assert (second.location, second.labels["medium"]) == ("", "painting")
    assert len(list(read_records(InputSpec("moma", str(target), limit=1)))) == 1


def test_the_met_budget_is_split_over_worker_processes_not_threads():
    assert ratelimit.worker_processes({"runner": None, "direct_running_mode": "multi_threading",
                                       "direct_num_workers": 2}) == 1
    assert ratelimit.worker_processes({"runner": "DirectRunner", "direct_running_mode": "multi_processing",
                                       "direct_num_workers": 4}) == 4
    assert ratelimit.worker_processes({"runner": "DataflowRunner", "max_num_workers": 5,
                                       "machine_type": "n1-standard-4"}) == 20
    assert ratelimit.worker_processes({"runner": "FlinkRunner", "parallelism": 6}) == 6
    assert ratelimit.worker_processes({"runner": "SparkRunner"}) == ratelimit.UNKNOWN_RUNNER_WORKERS
    assert ratelimit.worker_processes({"runner": "SparkRunner", "request_workers": 3}) == 3
    rule = ratelimit.RateRule(met_rate=70, request_workers=20, met_hosts=("metmuseum.org", "127.0.0.1"))
    assert rule.met_per_worker == 3.5 and rule.met_per_worker * 20 < 80
    assert rule.is_met("images.metmuseum.org") and rule.is_met("127.0.0.1") and not rule.is_met("moma.org")


def answer(label: str, predicted: str, confidence: float, path: str, route: str = "auto") -> Answer:
    agrees = "" if not label else ("true" if label == predicted else "false")
    return Answer("lithograph", label, predicted, route, confidence, agrees, path)


def test_report_counts_merge_across_workers_and_keep_the_most_confident_disagreements():
    fn = TaskSummaryFn(top_n=2)
    left = [answer("lithograph", "lithograph", 0.9, "a"), answer("lithograph", "not_lithograph", 0.95, "b"),
            answer("", "lithograph", 0.5, "c", route="review")]
    right = [answer("not_lithograph", "lithograph", 0.99, "d"), answer("not_lithograph", "lithograph", 0.6, "e")]
    accs = []
    for part in (left, right):
        acc = fn.create_accumulator()
        for item in part:
            acc = fn.add_input(acc, item)
        accs.append(acc)
    figures = task_report(["lithograph", "not_lithograph"], fn.extract_output(fn.merge_accumulators(accs)))
    assert figures["answers"] == 5 and figures["with_museum_label"] == 4
    assert figures["accuracy"] == 0.25
    assert figures["confusion_matrix"] == [[1, 1], [2, 0]]
    assert figures["routes"] == {"auto": 4, "review": 1, "out_of_scope": 0}
    assert [d["path"] for d in figures["disagreements"]] == ["d", "b"]


def test_report_combiner_runs_on_beam():
    items = [("lithograph", answer("lithograph", "not_lithograph", 0.7, str(i))) for i in range(5)]
    with beam.Pipeline() as p:
        out = p | beam.Create(items) | beam.CombinePerKey(TaskSummaryFn(top_n=3)) | beam.Map(
            lambda kv: task_report(["lithograph", "not_lithograph"], kv[1])["disagreements"])
        assert_that(out | beam.Map(len), equal_to([3]))


def test_rows_carry_predicts_columns_then_the_museums_label():
    pred = SimpleNamespace(predicted="painting", confidence=0.81234, route="auto", classes=["painting", "drawing"],
                           probabilities=[0.81234, 0.18766])
    record = AuditRecord(key="k", path="images/a.jpg", labels={"medium": "drawing"}, title='A "quoted", title')
    row, = audit_rows(record, {"medium": pred})
    assert (row["museum_label"], row["agrees"], row["confidence"]) == ("drawing", "false", "0.8123")
    fields = row_columns(["medium"])
    parsed = next(csv.DictReader([header_line(fields), csv_line(row, fields)]))
    assert parsed["title"] == 'A "quoted", title'
    assert parsed["p_drawing"] == "0.1877" and list(parsed)[:5] == ["path", "task", "prediction", "confidence", "route"]


def write_audit(folder, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps({"tasks": {"medium": {"answers": len(rows), "routes": {}}}}))
    pd.DataFrame(rows[:2]).to_csv(folder / "rows-00000-of-00002.csv", index=False)
    pd.DataFrame(rows[2:]).to_csv(folder / "rows-00001-of-00002.csv", index=False)


def test_results_rank_confident_disagreements_and_queue_the_unsure(tmp_path):
    base = {"task": "medium", "museum_label": "painting", "title": "", "object_id": "", "page_url": ""}
    write_audit(tmp_path / "audit", [
        {**base, "path": "a", "prediction": "drawing", "confidence": 0.70, "route": "auto", "agrees": "false"},
        {**base, "path": "b", "prediction": "drawing", "confidence": 0.95, "route": "auto", "agrees": "false"},
        {**base, "path": "c", "prediction": "painting", "confidence": 0.40, "route": "review", "agrees": "true"},
        {**base, "path": "d", "prediction": "drawing", "confidence": 0.30, "route": "review", "agrees": "",
         "museum_label": ""},
    ])
    audit = results.open_audit(tmp_path / "audit")
    assert len(audit.rows) == 4 and audit.tasks == ["medium"]
    assert list(results.possible_errors(audit.rows)["path"]) == ["b", "a"]
    assert list(results.curator_queue(audit.rows)["path"]) == ["d", "c"]
    assert list(results.filter_rows(audit.rows, agreement="no_label")["path"]) == ["d"]
    assert list(results.filter_rows(audit.rows, route="review", agreement="agrees")["path"]) == ["c"]
    assert results.csv_bytes(results.possible_errors(audit.rows)).decode().splitlines()[1].startswith("medium,")
    assert results.image_location("https://example.org/x.jpg") == ("url", "https://example.org/x.jpg")
    assert results.image_location("images/none/x.jpg", tmp_path)[0] == "missing"


def test_a_folder_without_a_report_says_how_to_make_one(tmp_path):
    with pytest.raises(ArtdemoError, match="python -m artdemo audit"):
        results.open_audit(tmp_path)
