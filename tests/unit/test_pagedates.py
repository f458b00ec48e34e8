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


def _page_with_head(head: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        f"<html lang='en'><head><title>Court hears the appeal</title>{head}</head><body>"
        f"<h1>Court hears the appeal</h1><p>{PARAGRAPH}</p></body></html>")


def test_a_json_ld_publication_date_that_htmldate_cannot_read_is_read_by_dateutil():
    """A publisher's RFC 2822-like datePublished: htmldate reads ISO-like forms only."""
    tree = _page_with_head(
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebPage", "dateCreated": "Mon, Sep 14 2020 08:00:00 EDT"},'
        '{"@type": "NewsArticle", "datePublished": "Tue, Sep 15 2020 10:01:41 EDT"}]}</script>')
    found = gather_page_dates(tree, url=None, title="Court hears the appeal", site="x",
                              body="", latest=date(2021, 6, 1))
    assert found.metadata is not None and found.metadata.value == date(2020, 9, 15)


def test_a_publication_value_without_a_day_or_beyond_the_bound_is_not_a_date():
    for value in ("September 2020", "2020", "Tue, Sep 15 2030 10:01:41 EDT", "soon"):
        tree = _page_with_head('<script type="application/ld+json">'
                               f'{{"datePublished": "{value}"}}</script>')
        found = gather_page_dates(tree, url=None, title="Court hears the appeal", site="x",
                                  body="", latest=date(2021, 6, 1))
        assert found.metadata is None, value
