"""A reprint whose original is not stored: its relative dates are marked uncertain."""

from __future__ import annotations

import json
from datetime import date

import pytest

from storyline.model import Article, Timeline
from storyline.pipeline import build_timeline, ingest_articles
from storyline.render import render
from storyline.store import Store
from storyline.timeline import TimelineRequest

pytestmark = pytest.mark.slow

BODY = (
    "Dockworkers at the port of Bayfront walked out on Monday after pay talks with the"
    " Harbour Employers Association collapsed.\n"
    "The union had first threatened a strike on February 12, 2024, when the old contract"
    " expired.\n"
    "Ships queued outside the harbour on Tuesday as cranes stood idle along the quay.\n"
)
#: The original: Bayfront Times, Wednesday 6 March 2024 ("on Monday" is 4 March).
ORIGINAL = Article("original", "https://bayfront.example/strike", "Bayfront Times",
                   "Dockworkers walk out at Bayfront port", date(2024, 3, 6), BODY, "o.txt")
#: The same text run two weeks later by another outlet, saying where it first ran:
#: read against its own day, "on Monday" becomes 18 March.
REPRINT = Article("reprint", "https://gulf.example/strike", "Gulf Courier",
                  "Dockworkers walk out at Bayfront port", date(2024, 3, 20),
                  BODY + "This story first appeared in the Bayfront Times.\n", "r.txt")


def timeline(path) -> Timeline:
    with Store(path) as store:
        return build_timeline(store, TimelineRequest(dates=10, sentences=3))


def marks(built: Timeline) -> dict[tuple[str, str], bool]:
    """(entry date, article id) -> whether its sentence there is marked uncertain."""
    return {(entry.label, s.source.article_id): s.date_uncertain
            for entry in built.entries for s in entry.sentences}


def test_a_reprint_without_its_original_has_uncertain_relative_dates(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        ingest_articles([REPRINT], store)
    found = marks(timeline(path))
    assert found[("2024-03-18", "reprint")] is True  # "on Monday", read from 20 March
    assert found[("2024-03-19", "reprint")] is True  # "on Tuesday"
    assert found[("2024-02-12", "reprint")] is False  # the year is written out
    rendered = json.loads(render(timeline(path), "json"))
    flagged = [s for e in rendered["entries"] for s in e["sentences"] if s.get("date_uncertain")]
    assert flagged and all(s["date_uncertain"] is True for s in flagged)
    assert "date uncertain" in render(timeline(path), "md")


def test_with_its_original_stored_nothing_is_marked(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        ingest_articles([ORIGINAL], store)
        ingest_articles([REPRINT], store)
        assert store.copiers(["reprint", "original"]) == {"reprint"}
    built = timeline(path)
    assert not any(s.date_uncertain for e in built.entries for s in e.sentences)
    assert ("2024-03-04", "original") in marks(built)


def test_an_article_that_is_no_reprint_is_never_marked(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        ingest_articles([ORIGINAL], store)
    built = timeline(path)
    assert built.entries and not any(s.date_uncertain for e in built.entries
                                     for s in e.sentences)
    assert all("date_uncertain" not in s for e in json.loads(render(built, "json"))["entries"]
               for s in e["sentences"])
