"""The public Python API, as the package docstring shows it."""

import pytest

import storyline
from storyline import Store, TimelineRequest, build_timeline, ingest, render

from tests.conftest import DATA

pytestmark = pytest.mark.slow


def test_the_documented_api_works(tmp_path):
    with Store(tmp_path / "story.db") as store:
        report = ingest([DATA / "strike"], store)
        assert report.added == 3 and report.undated
        timeline = build_timeline(store, TimelineRequest(dates=3, sentences=1))
    assert len(timeline.entries) == 3
    assert render(timeline, "md").startswith("# Timeline")
    assert set(storyline.__all__) >= {"Store", "ingest", "build_timeline", "render"}


def test_a_failing_batch_leaves_earlier_batches_stored(tmp_path):
    calls = {"n": 0}

    with Store(tmp_path / "story.db") as store:
        real = store.put

        def flaky(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("disk on fire")
            return real(*args, **kwargs)

        store.put = flaky
        with pytest.raises(RuntimeError):
            ingest([DATA / "strike"], store, batch_size=2)
        # the first batch of two is stored whole; nothing of the failed batch is
        assert store.count_articles() == 2
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_annotations_made_with_other_settings_are_redone(tmp_path):
    from storyline.annotate.pipeline import Annotator

    with Store(tmp_path / "story.db") as store:
        first = ingest([DATA / "strike"], store, annotator=Annotator(entities=False))
        assert first.added == 3
        assert not any(a.entities for a in store.load_annotated())
        again = ingest([DATA / "strike"], store)
        assert (again.added, again.updated, again.unchanged) == (0, 3, 0)
        assert any(a.entities for a in store.load_annotated())
        assert ingest([DATA / "strike"], store).unchanged == 3
