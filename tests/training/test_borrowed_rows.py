"""The rows medium and lithograph borrow from the genre task's paintings, and the other sources they are
checked on (artdemo.training.borrowed_rows), on the shared data cache."""

from __future__ import annotations

import numpy as np

from artdemo.training import borrowed_rows as B
from artdemo.training.recipes import RECIPES
from artdemo.training.splits import split_of
from artdemo.training.taskdata import load_task
from tests.support.data import require_data


def test_medium_borrows_only_train_split_paintings_it_does_not_label_itself():
    require_data()
    medium = load_task("medium")
    borrowed = B.borrowed_rows(medium, RECIPES["medium"].borrow_paintings_as)
    genre_train = {r.path for r, s in zip(load_task("genre").rows, load_task("genre").split) if s == "train"}
    assert borrowed is not None and len(borrowed.paths) > 500
    assert set(borrowed.paths) <= genre_train  # never a held-out picture of any task
    assert {split_of(p) for p in borrowed.paths} == {"train"}
    assert not set(borrowed.paths) & set(medium.paths)
    assert set(borrowed.labels.tolist()) == {medium.classes.index("painting")}
    assert str(len(borrowed.paths)) in borrowed.description


def test_lithograph_borrows_them_as_not_lithograph_and_the_other_tasks_borrow_nothing():
    require_data()
    litho = load_task("lithograph")
    borrowed = B.borrowed_rows(litho, RECIPES["lithograph"].borrow_paintings_as)
    assert set(borrowed.labels.tolist()) == {litho.classes.index("not_lithograph")}
    for task in ("style", "genre"):
        assert B.borrowed_rows(load_task(task), RECIPES[task].borrow_paintings_as) is None
        assert B.other_sources(load_task(task), RECIPES[task].borrow_paintings_as) == []


def test_the_other_sources_are_held_out_louvre_paintings_and_wikiart_none_of_them_borrowed():
    require_data()
    medium = load_task("medium")
    borrowed = set(B.borrowed_rows(medium, "painting").paths)
    sources = {s.name: s for s in B.other_sources(medium, "painting")}
    assert set(sources) == {"louvre_held_out", "wikiart"}
    louvre = sources["louvre_held_out"].paths
    assert louvre and {split_of(p) for p in louvre} <= {"val", "test"}
    for source in sources.values():
        assert source.expected == "painting"
        assert not set(source.paths) & borrowed and not set(source.paths) & set(medium.paths)


def test_share_called_counts_the_expected_class():
    probs = np.array([[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.1, 0.9]])
    assert B.share_called(probs, ["painting", "drawing"], "painting") == 0.5
    assert B.share_called(probs, ["painting", "drawing"], "drawing") == 0.5
    assert np.isnan(B.share_called(np.zeros((0, 2)), ["painting", "drawing"], "painting"))

