"""Benchmark loaders for the Timeline17 and news-tls layouts."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import date
from pathlib import Path

import pytest

from storyline.errors import InputError
from storyline.evaluate.datasets import (
    NEWSTLS,
    TIMELINE17,
    GoldTimeline,
    detect_layout,
    load_dataset,
    newstls_articles,
    raw_article_files,
    read_timeline17_file,
)

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DASHES = "-" * 32


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def raw_tree(tmp_path: Path) -> Path:
    root = tmp_path / "t17"
    write(root / "keywords.json", json.dumps({"oil": ["oil", "spill"], "Flu": ["flu"]}))
    # Newest first, a repeated date (the later entry wins) and a date that does not exist.
    write(
        root / "oil_bbc" / "timelines" / "bbc.txt",
        "\n".join([
            "2010-04-22", "The rig sinks . ", "", "Oil leaks .", DASHES,
            "2010-04-31", "A bad date .", DASHES,
            "2010-04-20", "First telling .", DASHES,
            "2010-04-20", "An explosion on the rig .", DASHES,
            "",
        ]),
    )
    write(root / "oil_cnn" / "timelines" / "cnn.v2.txt", f"2010-05-01\nBP drills .\n{DASHES}\n")
    for day, name in [("2010-04-21", "10.htm.txt"), ("2010-04-21", "2.htm.txt"), ("2010-04-20", "7.htm.txt")]:
        write(root / "oil_bbc" / "InputDocs" / day / name, "An oil rig explodes .\n")
    write(root / "oil_cnn" / "InputDocs" / "2010-05-01" / "1.htm.txt", "")
    write(root / "Flu_reuters" / "timelines" / "r.txt", f"2009-04-27\nFlu spreads .\nTo Spain .\n{DASHES}\n")
    return root


def article_record(id_: str, time: str, sentences: list[str], text: str | None = None) -> dict:
    return {
        "id": id_,
        "time": time,
        "title": None,
        "text": " \n".join(sentences) + " \n" if text is None else text,
        "sentences": [{"raw": s, "tokens": {"keys": [], "data": []}} for s in sentences],
    }


@pytest.fixture
def newstls_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tls"
    write(root / "oil" / "keywords.json", '["oil", "spill"]')
    write(
        root / "oil" / "timelines.jsonl",
        json.dumps([["2010-04-20T00:00:00", ["Blast ."]], ["2010-04-22T00:00:00", ["Sinks .", "Leaks ."]]])
        + "\n"
        + json.dumps([["2010-05-01T00:00:00", ["Old ."]], ["2010-05-01T00:00:00", [" New . ", ""]]])
        + "\n",
    )
    records = [
        article_record("7", "2010-04-20T00:00:00+00:00", ["Rig explodes .", "Eleven die ."]),
        article_record("8", "2010-04-22T23:00:00-05:00", ["It sinks ."], text=""),
        {"id": "9", "text": "no time"},
        article_record("10", "2010-06-01T00:00:00", ["Later ."]),
    ]
    with gzip.open(root / "oil" / "articles.preprocessed.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write("\n".join(json.dumps(r) for r in records) + "\n")
    write(root / "flu" / "keywords.json", '["flu"]')
    write(root / "flu" / "timelines.jsonl", json.dumps([["2009-04-27", ["Flu ."]]]) + "\n")
    return root


# --- Timeline17 layout ---------------------------------------------------------------------------


def test_raw_layout_groups_folders_into_topics(raw_tree: Path) -> None:
    assert detect_layout(raw_tree) == TIMELINE17
    topics = load_dataset(raw_tree)
    assert [t.name for t in topics] == ["Flu", "oil"]
    flu, oil = topics
    assert oil.layout == TIMELINE17
    assert oil.keywords == ("oil", "spill")
    assert [g.name for g in oil.gold_timelines] == ["oil_bbc/bbc", "oil_cnn/cnn.v2"]
    assert all(g.topic == "oil" for g in oil.gold_timelines)
    assert not flu.has_articles and oil.has_articles
    assert flu.gold_timelines[0].entries == {date(2009, 4, 27): ["Flu spreads .", "To Spain ."]}


def test_raw_timeline_keeps_the_last_entry_per_date_and_skips_bad_dates(
    raw_tree: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        entries = read_timeline17_file(raw_tree / "oil_bbc" / "timelines" / "bbc.txt")
    assert entries == {
        date(2010, 4, 22): ["The rig sinks .", "Oil leaks ."],
        date(2010, 4, 20): ["An explosion on the rig ."],
    }
    assert "'2010-04-31' is not a valid date" in caplog.text


def test_raw_timeline_drops_an_entry_without_closing_dashes(tmp_path: Path) -> None:
    path = write(tmp_path / "t.txt", f"2010-01-01\nOne .\n{DASHES}\n2010-01-02\nTwo .\n")
    assert read_timeline17_file(path) == {date(2010, 1, 1): ["One ."]}


def test_raw_article_files_are_listed_by_day_and_number(raw_tree: Path) -> None:
    oil = load_dataset(raw_tree)[1]
    names = [f"{p.parent.name}/{p.name}" for p in raw_article_files(oil)]
    assert names == ["2010-04-20/7.htm.txt", "2010-04-21/2.htm.txt", "2010-04-21/10.htm.txt", "2010-05-01/1.htm.txt"]
    within = raw_article_files(oil, start=date(2010, 4, 21), end=date(2010, 4, 30))
    assert [p.name for p in within] == ["2.htm.txt", "10.htm.txt"]


def test_raw_topic_without_keywords_is_an_error(raw_tree: Path) -> None:
    write(raw_tree / "keywords.json", json.dumps({"oil": ["oil"]}))
    with pytest.raises(InputError, match="no keywords for topic 'Flu'"):
        load_dataset(raw_tree)
    (raw_tree / "keywords.json").unlink()
    with pytest.raises(InputError, match="E100.*keywords.json: missing"):
        load_dataset(raw_tree)


# --- news-tls layout -----------------------------------------------------------------------------


def test_newstls_layout(newstls_tree: Path) -> None:
    assert detect_layout(newstls_tree) == NEWSTLS
    flu, oil = load_dataset(newstls_tree)
    assert (flu.name, oil.name) == ("flu", "oil")
    assert oil.keywords == ("oil", "spill") and oil.layout == NEWSTLS
    assert [g.name for g in oil.gold_timelines] == ["oil/0", "oil/1"]
    assert oil.gold_timelines[0].entries == {
        date(2010, 4, 20): ["Blast ."],
        date(2010, 4, 22): ["Sinks .", "Leaks ."],
    }
    # a repeated date keeps its last entry, as news-tls's dict does
    assert oil.gold_timelines[1].entries == {date(2010, 5, 1): ["New ."]}
    assert oil.has_articles and not flu.has_articles
    assert list(newstls_articles(flu)) == []


def test_newstls_articles(newstls_tree: Path, caplog: pytest.LogCaptureFixture) -> None:
    oil = load_dataset(newstls_tree)[1]
    with caplog.at_level(logging.WARNING):
        articles = list(newstls_articles(oil))
    assert [a.id for a in articles] == ["7", "8", "10"]
    first, second, _ = articles
    assert first.published == date(2010, 4, 20)
    assert first.title == ""  # named after its lead by the clean stage
    assert first.text.startswith("Rig explodes . \nEleven die .")
    assert first.origin.endswith("articles.preprocessed.jsonl.gz:1")
    # no text: the sentences joined; the date as written, without time-zone conversion
    assert second.text == "It sinks ."
    assert second.published == date(2010, 4, 22)
    assert "record has no time" in caplog.text
    window = newstls_articles(oil, start=date(2010, 4, 21), end=date(2010, 5, 31))
    assert [a.id for a in window] == ["8"]


def test_each_layout_keeps_to_its_own_article_reader(raw_tree: Path, newstls_tree: Path) -> None:
    with pytest.raises(ValueError, match="newstls_articles"):
        raw_article_files(load_dataset(newstls_tree)[1])
    with pytest.raises(ValueError, match="raw_article_files"):
        list(newstls_articles(load_dataset(raw_tree)[1]))


def test_a_folder_of_neither_layout_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "something").mkdir()
    with pytest.raises(InputError, match="neither|no <topic>/timelines.jsonl"):
        load_dataset(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        load_dataset(tmp_path / "missing")


def test_malformed_timelines_jsonl_is_an_error(newstls_tree: Path) -> None:
    write(newstls_tree / "flu" / "timelines.jsonl", '[["2009-04-27", "not a list"]]\n')
    with pytest.raises(InputError, match=r"timelines.jsonl:1: entry"):
        load_dataset(newstls_tree)


# --- gold timeline sizes -------------------------------------------------------------------------


def test_gold_timeline_output_size_and_span() -> None:
    gold = GoldTimeline(
        "t/0",
        "t",
        {date(2010, 1, 3): ["a", "b", "c"], date(2010, 1, 1): ["a"], date(2010, 1, 2): ["a", "b"]},
    )
    assert gold.dates == [date(2010, 1, 1), date(2010, 1, 2), date(2010, 1, 3)]
    assert gold.num_dates == 3
    assert gold.sentences_per_date == 2
    assert GoldTimeline("t/1", "t", {date(2010, 1, 1): ["a"], date(2010, 1, 2): ["a", "b"]}).sentences_per_date == 2
    assert gold.span() == (date(2010, 1, 1), date(2010, 1, 3))
    assert gold.span(7) == (date(2009, 12, 25), date(2010, 1, 10))


# --- the real benchmark data ---------------------------------------------------------------------

needs_data = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"{SHARED_DATA} is not here")


@pytest.mark.slow
@needs_data
def test_timeline17_raw_has_9_topics_and_19_timelines() -> None:
    topics = load_dataset(SHARED_DATA / "t17-raw")
    assert len(topics) == 9
    assert sum(len(t.gold_timelines) for t in topics) == 19
    assert sum(len(t.article_sources) for t in topics) == 4650
    h1n1 = next(t for t in topics if t.name == "H1N1")
    assert h1n1.keywords == ("h1n1", "swine", "flu")
    bbc = next(g for g in h1n1.gold_timelines if g.name.startswith("H1N1_bbc/"))
    assert bbc.num_dates == 7  # 9 date lines, two of them repeated


@pytest.mark.slow
@needs_data
def test_timeline17_newstls_has_4_topics_with_articles() -> None:
    topics = load_dataset(SHARED_DATA / "t17-newstls")
    assert len(topics) == 9
    assert sum(len(t.gold_timelines) for t in topics) == 19
    assert sorted(t.name for t in topics if t.has_articles) == ["finan", "h1n1", "haiti", "mj"]
    mj = next(t for t in topics if t.name == "mj")
    articles = list(newstls_articles(mj))
    assert len(articles) == 121 and len({a.id for a in articles}) == 121


@pytest.mark.slow
@needs_data
def test_both_layouts_give_the_same_gold_timelines() -> None:
    raw = {g.name: g.entries for t in load_dataset(SHARED_DATA / "t17-raw") for g in t.gold_timelines}
    for topic in load_dataset(SHARED_DATA / "t17-newstls"):
        for gold in topic.gold_timelines:
            matches = [name for name, entries in raw.items() if entries == gold.entries]
            if gold.name == "mj/0":
                # the raw file's "2011-04-0" entry is skipped; news-tls fixed it to 2011-04-02
                assert not matches
                fixed = {d: s for d, s in gold.entries.items() if d != date(2011, 4, 2)}
                assert fixed == raw["MJ_bbc/bbc.co.uk"]
            else:
                assert len(matches) == 1, gold.name
