"""The pieces of the scale-out path that need no cluster and no spaCy model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storyline.annotate.entities import EntityFinder, key_sentences
from storyline.annotate.pipeline import Annotator
from storyline.stories.features import article_terms
from storyline.errors import ClusterError
from storyline.ingest import InputFile, Skipped
from storyline.model import Article
from storyline.scale.dask import _absolute, _batched, dask_engine
from storyline.scale.work import (
    ArticleKey,
    Failed,
    Prepared,
    article_keys,
    prepare,
    prepare_pairs,
    read_files,
)
from storyline.store import content_hash


def article(text: str = "Dockworkers walked out on Monday.", **changes) -> Article:
    fields = {"id": "a1", "url": None, "source": "Wire", "title": "Strike",
              "published": date(2023, 10, 23), "text": text, "origin": "feed.jsonl:1"}
    return Article(**(fields | changes))


def test_key_sentences_are_the_lead_and_the_dated_ones():
    assert key_sentences(10, [7, 3]) == {0, 1, 2, 3, 7}
    assert key_sentences(2, []) == {0, 1}
    assert key_sentences(5, [9], lead=1) == {0}  # a mention outside the article is ignored


def test_an_unknown_entity_scope_fails_fast():
    with pytest.raises(ValueError, match="scope"):
        EntityFinder(scope="everything")


def test_prepare_without_entities_annotates_and_fingerprints():
    done = prepare(article(), "d1", Annotator(entities=False))
    assert isinstance(done, Prepared) and done.digest == "d1"
    assert [s.text for s in done.annotated.sentences] == ["Dockworkers walked out on Monday."]
    assert len(done.fingerprints) == len(done.annotated.sentences)
    assert done.story_terms is None  # terms without who the article is about: not made


@pytest.mark.slow
def test_prepare_with_entities_makes_the_story_terms_next_to_the_text():
    done = prepare(article(text="Dockworkers in Rotterdam walked out on Monday."), "d1",
                   Annotator())
    annotated = done.annotated
    assert done.story_terms == article_terms(
        annotated.article.title, annotated.article.text,
        [(e.text, e.label) for e in annotated.entities])
    assert "@rotterdam" in done.story_terms


class Broken(Annotator):
    """Fails on the article whose id is ``bad``, as a strange text would."""

    def _annotate_text(self, text, article):
        if article.id == "bad":
            raise OverflowError("date value out of range")
        return super()._annotate_text(text, article)


def test_a_failure_in_prepare_stays_with_its_article():
    failed = prepare(article(id="bad"), "d1", Broken(entities=False))
    assert failed == Failed("feed.jsonl:1", "annotated", "OverflowError: date value out of range")
    assert failed.skipped() == Skipped(
        "feed.jsonl:1", "could not be annotated (OverflowError: date value out of range)")


def test_articles_prepared_together_come_out_as_each_alone():
    pairs = [(article(id="a1"), "d1"), (article(id="bad", origin="feed.jsonl:2"), "d2"),
             (article(id="a3", text="Talks resume on Friday."), "d3")]
    together = prepare_pairs(pairs, Broken(entities=False))
    assert together == [prepare(a, d, Broken(entities=False)) for a, d in pairs]
    assert [type(item) for item in together] == [Prepared, Failed, Prepared]
    assert together[2].annotated.article.id == "a3"


def test_an_annotator_travels_as_its_settings():
    import pickle

    copy = pickle.loads(pickle.dumps(Annotator(entities=False, entity_scope="all")))
    assert (copy.entities, copy.entity_scope) == (False, "all")
    assert copy.signature == Annotator(entities=False, entity_scope="all").signature


def test_read_files_and_keys_keep_input_order_and_skips(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "One."}\n{"id": "y"}\n'
                                      '{"id": "z", "text": "Two.", "published": "2023-01-02"}\n')
    read = read_files([InputFile(tmp_path / "a.jsonl"), Skipped("gone.txt", "does not exist")],
                      None)
    keys = article_keys(read, "sig")
    assert [type(k).__name__ for k in keys] == ["ArticleKey", "Skipped", "ArticleKey", "Skipped"]
    first = keys[0]
    assert first == ArticleKey("x", content_hash(read[0], "sig"), "a.jsonl:1", True)
    assert keys[2].undated is False


def test_files_are_sent_by_absolute_path_with_the_same_label(tmp_path, monkeypatch):
    (tmp_path / "feed" / "2024-03-04").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    item = InputFile(Path("feed/2024-03-04/a.txt"), Path("feed"))
    sent = _absolute(item)
    assert sent.path.is_absolute() and sent.label == item.label == "feed/2024-03-04/a.txt"
    assert _absolute(Skipped("x", "y")) == Skipped("x", "y")


def test_batched_keeps_order_and_the_last_short_batch():
    assert list(_batched(range(5), 2)) == [(0, 1), (2, 3), (4,)]


def test_an_engine_needs_a_scheduler_or_workers_but_not_both():
    for options in ({}, {"scheduler": "tcp://127.0.0.1:1", "workers": 2}):
        with pytest.raises(ClusterError, match="either"):
            with dask_engine(**options):
                pass


def test_an_unreachable_scheduler_is_one_clear_error():
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        with dask_engine(scheduler="tcp://127.0.0.1:9", timeout=2):
            pass


class _Done:
    """A task that already ran."""

    def __init__(self, value) -> None:  # noqa: ANN001 - any result
        self.value = value

    def done(self) -> bool:
        return True

    def result(self):  # noqa: ANN201 - any result
        return self.value

    def release(self) -> None:
        pass


class _RunsAtOnce:
    """A client of one worker thread that runs each task as it is submitted, noting it."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def nthreads(self) -> dict[str, int]:
        return {"worker": 1}

    def scatter(self, value, **_):  # noqa: ANN001, ANN201 - as Client.scatter
        return value

    def submit(self, func, *args, pure: bool = True):  # noqa: ANN001, ANN201
        args = [a.value if isinstance(a, _Done) else a for a in args]
        if func.__name__ == "read_files":
            self.events.append(("read", len(args[0])))
        elif func.__name__ == "prepare_read":
            self.events.append(("annotate", len(args[1])))
        return _Done(func(*args))


def test_files_of_many_articles_are_read_only_as_the_writer_takes_their_articles(tmp_path):
    """The window counts tasks; an archive's task holds many articles, so reading more
    files waits while the articles out being annotated reach the bound, and only
    READS_PER_THREAD chunks are ever read ahead of the writer's answers."""
    from storyline.scale import DaskEngine
    from storyline.scale.dask import READS_PER_THREAD

    for number in range(6):
        lines = [f'{{"id": "f{number}a{i}", "title": "Strike day {i}", "text": "Dockworkers'
                 f' walked out on Monday at pier {i}.", "published": "2023-10-23"}}'
                 for i in range(5)]
        (tmp_path / f"feed{number}.jsonl").write_text("\n".join(lines) + "\n")
    client = _RunsAtOnce()
    engine = DaskEngine(client, window=12, held=2)
    results = []
    for done in engine.prepare_files(
            [InputFile(path) for path in sorted(tmp_path.glob("*.jsonl"))], published=None,
            annotator=Annotator(entities=False), signature="s", wanted=lambda *_: True,
            on_skipped=print, on_undated=print):
        client.events.append(("written", 1))
        results.append(done.annotated.article.id)
    assert results == [f"f{n}a{i}" for n in range(6) for i in range(5)]
    out = 0  # articles sent to be annotated and not yet written
    for position, (event, count) in enumerate(client.events):
        if event == "read":
            assert out < 2, client.events[:position + 1]
        out += count if event == "annotate" else -count if event == "written" else 0
    assert [event for event, _ in client.events[:READS_PER_THREAD + 1]] == [
        "read"] * READS_PER_THREAD + ["annotate"]
    # One file a chunk until a chunk shows 5 articles a file: then 3 files (16 // 5).
    assert [files for event, files in client.events if event == "read"] == [1, 1, 1, 3]


def test_files_of_one_article_go_many_to_a_task(tmp_path):
    """Web pages (one article a file) go FILES_PER_TASK to a task once the first chunk is read."""
    from storyline.scale import DaskEngine
    from storyline.scale.dask import FILES_PER_TASK, READS_PER_THREAD

    count = READS_PER_THREAD + 2 * FILES_PER_TASK + 5
    for number in range(count):
        (tmp_path / f"page{number:03}.txt").write_text(
            f"Strike day {number}\n\nDockworkers walked out on Monday at pier {number}.\n")
    client = _RunsAtOnce()
    engine = DaskEngine(client)
    done = list(engine.prepare_files(
        [InputFile(path) for path in sorted(tmp_path.glob("*.txt"))], published=None,
        annotator=Annotator(entities=False), signature="s", wanted=lambda *_: True,
        on_skipped=print, on_undated=print))
    assert len(done) == count and all(isinstance(item, Prepared) for item in done)
    assert [files for event, files in client.events if event == "read"] == [
        1] * READS_PER_THREAD + [FILES_PER_TASK, FILES_PER_TASK, 5]


def test_a_task_holds_about_files_per_task_articles_and_an_empty_chunk_changes_nothing():
    from storyline.scale import DaskEngine

    engine = DaskEngine(client=None, files_per_task=16)
    assert engine._next_size(files=16, articles=16, size=1) == 16  # web pages
    assert engine._next_size(files=16, articles=8, size=1) == 16  # some pages empty
    assert engine._next_size(files=3, articles=15, size=16) == 3
    assert engine._next_size(files=1, articles=5000, size=16) == 1  # an archive
    assert engine._next_size(files=2, articles=0, size=4) == 4  # nothing read: no news
    assert engine._next_size(files=0, articles=0, size=4) == 4
