"""Timeline17's original layout, read as a plain folder (skips without the data)."""

import re
from datetime import date

import pytest

from storyline.ingest import Skipped, read_inputs
from storyline.model import Article

pytestmark = pytest.mark.slow


def test_a_timeline17_source_folder_reads_cleanly(t17_raw):
    folder = t17_raw / "H1N1_bbc"
    items = list(read_inputs([folder]))
    articles = [i for i in items if isinstance(i, Article)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert len(articles) > 100
    assert {s.reason for s in skipped} <= {
        "is empty", "is a reference timeline (date lines and dashes), not an article"}
    assert any("reference timeline" in s.reason for s in skipped)
    for article in articles:
        assert article.source == "bbc"
        assert article.published.isoformat() in article.origin
        assert not re.search(r"-[LR][RSC]B-| ,|``|'' | \.$", article.text, re.M), article.origin
        assert article.title == ""  # no title in the layout; the text keeps every sentence


def test_timeline17_dates_resolve_against_the_folder_date(t17_raw, annotator):
    from storyline.clean import clean_article

    path = t17_raw / "H1N1_bbc" / "InputDocs" / "2009-06-02" / "746.htm.txt"
    (article,) = [a for a in read_inputs([path]) if isinstance(a, Article)]
    assert article.published == date(2009, 6, 2)
    annotated = annotator.annotate_one(clean_article(article))
    values = {(m.text, m.label) for m in annotated.time_mentions}
    assert ("last Friday", "2009-05-29") in values
