"""Shared fixtures: paths to the bundled data, a fresh store, the annotator."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.model import AnnotatedArticle, Article, Sentence, TimeMention

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples" / "news"
SHARED_DATA = ROOT.parent / "shared" / "data"
T17_RAW = SHARED_DATA / "t17-raw"


@pytest.fixture
def fresh_store(tmp_path):
    from storyline.store import Store

    with Store(tmp_path / "test.db") as store:
        yield store


@pytest.fixture(scope="session")
def annotator():
    """The real spaCy-backed annotator, loaded once for the whole run."""
    from storyline.annotate.pipeline import Annotator

    return Annotator()


@pytest.fixture
def t17_raw():
    if not T17_RAW.is_dir():
        pytest.skip("benchmark data ../shared/data/t17-raw is not present")
    return T17_RAW


def make_annotated(article_id, published, sentences, source="Wire"):
    """``sentences``: (text, [(mention text, value, granularity), ...]) pairs."""
    text = "\n".join(s for s, _ in sentences)
    article = Article(article_id, f"https://news.example/{article_id}", source,
                      f"Title {article_id}", published, text, f"{article_id}.txt")
    built, mentions, offset = [], [], 0
    for index, (sentence, found) in enumerate(sentences):
        built.append(Sentence(article_id, index, offset, offset + len(sentence), sentence))
        for phrase, value, granularity in found:
            start = offset + sentence.index(phrase)
            mentions.append(TimeMention(article_id, index, start, start + len(phrase), phrase,
                                        granularity, value))
        offset += len(sentence) + 1
    return AnnotatedArticle(article, tuple(built), (), tuple(mentions))
