"""The page's own dates: what is searched for a dateline, and what it finds."""

from datetime import date

import lxml.html

from storyline.ingest.pagedates import DATELINE_CHARS, gather_page_dates

PARAGRAPH = ("The court heard the appeal in São Paulo, Zoë Brandt of the Labour Ministry "
             "told reporters after a long day. ")


def _page(first_line: str, paragraph: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        f"<html lang='en'><head><title>Court hears the appeal</title></head><body>"
        f"<h1>Court hears the appeal</h1><p>{first_line}</p><p>{paragraph}</p></body></html>")


def test_a_dateline_after_the_headline_gives_the_publication_date():
    tree = _page("LONDON, 12 March 2021 —", PARAGRAPH)
    found = gather_page_dates(tree, url=None, title="Court hears the appeal", site="x",
                              body="", latest=date(2021, 6, 1))
    assert found.dateline is not None and found.dateline.value == date(2021, 3, 12)


def test_only_the_opening_of_the_text_is_searched_for_a_dateline(monkeypatch):
    """A 100,000-character paragraph was searched whole: dateparser took minutes on it."""
    from storyline.ingest import pagedates

    searched: list[str] = []
    real = pagedates.search_dates
    monkeypatch.setattr(pagedates, "search_dates",
                        lambda text, **kw: searched.append(text) or real(text, **kw))
    tree = _page("Filed today.", (PARAGRAPH + "It began in 2019. ") * 800)
    gather_page_dates(tree, url=None, title="Court hears the appeal", site="x",
                      body="", latest=date(2021, 6, 1))
    assert searched and sum(len(text) for text in searched) <= DATELINE_CHARS
