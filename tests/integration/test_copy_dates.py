"""A copy's relative dates are the original's: "on Thursday" is the day the original meant."""

from __future__ import annotations

import json

import pytest

from storyline.pipeline import ingest
from storyline.store import Store

pytestmark = pytest.mark.slow

COPIED = ("Dockworkers at the port of Bayfront walked off the job on Thursday after pay talks "
          "with the Harbour Employers Association collapsed late in the evening.")
ORIGINAL = {
    "id": "wire-1", "source": "Coast Wire", "published": "2019-06-23",  # a Sunday
    "title": "Bayfront dockworkers strike over pay",
    "text": f"{COPIED}\nThe union said its members would stay out until a new offer was made "
            f"by the employers and approved in a vote of the whole membership.",
}
COPY = {
    "id": "farm-1", "source": "Daily Aggregator", "published": "2019-07-10",  # a Wednesday
    "title": "Port strike: what we know",
    "text": f"{COPIED}\nReaders can find more stories like this one on our website every day "
            f"of the week, with updates from ports around the country and abroad.",
}


def write(path, *records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def thursday_in(store: Store, article_id: str) -> str:
    (value,) = store.conn.execute(
        "SELECT value FROM time_mentions WHERE article_id = ? AND text LIKE '%Thursday'",
        (article_id,)).fetchone()
    return value


@pytest.mark.parametrize("order", ["original first", "copy first"])
def test_a_copied_sentence_keeps_the_day_its_original_meant(tmp_path, order):
    first, second = (ORIGINAL, COPY) if order == "original first" else (COPY, ORIGINAL)
    with Store(tmp_path / "s.db") as store:
        ingest([write(tmp_path / "first.jsonl", first)], store)
        ingest([write(tmp_path / "second.jsonl", second)], store)
        assert [tuple(r) for r in store.conn.execute(
            "SELECT article_id, original_id FROM copies")] == [
            ("farm-1", "wire-1")]
        assert thursday_in(store, "wire-1") == "2019-06-20"
        assert thursday_in(store, "farm-1") == "2019-06-20"  # not 2019-07-04


def test_a_copy_alone_resolves_against_its_own_date(tmp_path):
    with Store(tmp_path / "s.db") as store:
        ingest([write(tmp_path / "copy.jsonl", COPY)], store)
        assert thursday_in(store, "farm-1") == "2019-07-04"
