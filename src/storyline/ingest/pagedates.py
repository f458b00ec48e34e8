"""What a web page says about its own date, gathered as separate evidence.

Each piece is read from the page alone and kept apart, so that the rules in
:mod:`storyline.annotate.published` can weigh them against each other (and
name the winner) instead of taking the first date one search happens on:

- ``metadata``: htmldate's reading of the publisher's date markup only. It
  is given a copy of the page's ``<meta>`` tags, JSON-LD scripts and
  ``datePublished`` microdata and nothing else, so a "today is ..." widget
  or a sidebar's dates cannot stand in for the publisher's word. Where
  htmldate finds no date there, schema.org's ``datePublished`` (JSON-LD or
  microdata) is read by dateutil: htmldate reads ISO-like forms only, and
  publishers also write RFC 2822-like ones ("Tue, Sep 15 2020 10:01:41 EDT").
- ``url``: a date in the page's URL (:func:`storyline.ingest.base.date_from_url`).
- ``dateline``: the first full date (a month, and the day and year in
  digits) in the text printed right after the headline, or at the top of
  the body when no headline element is found; read by dateparser, in the
  page's declared language when it has one (dateparser knows some 200
  locales).
- ``search``: htmldate's full search of the page (``original_date=True``,
  ``extensive_search=True``), the best single guess when the page has no
  markup.

htmldate is given no URL in the first and last, so the URL is weighed once.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import warnings
from collections import deque
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

import htmldate
from dateparser.search import search_dates
from dateutil import parser as dateutil_parser
from lxml import etree, html as lxml_html
from lxml.html import HtmlElement

from storyline.annotate.published import PageDates
from storyline.ingest.base import date_from_url
from storyline.model import Granularity, PublishedDate

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How much text after the headline is searched for a dateline, in characters.
DATELINE_CHARS = 200
#: htmldate's own lower bound; dates before it are template noise.
EARLIEST = date(1995, 1, 1)

# htmldate's output: the date, the time, and the zone when it knows one.
_MOMENT = "%Y-%m-%dT%H:%M:%S%z"
_METADATA_XPATH = (
    "//meta"
    ' | //script[@type="application/ld+json" or @type="application/settings+json"]'
    ' | //*[@itemprop="datePublished"]'
)
_VISIBLE_TEXT_AFTER = (
    "following::text()[not(ancestor::script) and not(ancestor::style)"
    " and not(ancestor::noscript) and not(ancestor::template)]"
)
#: schema.org's properties for when a work was published, the first one stated wins.
_SCHEMA_PUBLISHED = ("datePublished", "dateCreated")
_SCHEMA_MICRODATA_XPATH = '//*[@itemprop="datePublished"]'
_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMBER = re.compile(r"\d+")
_DATELINE_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": True,
    "PREFER_DATES_FROM": "past",
}


def gather_page_dates(tree: HtmlElement, *, url: str | None, title: str, site: str,
                      body: str, latest: date) -> PageDates:
    """Every date the page states about itself; ``latest`` bounds them all.

    ``tree`` is the page parsed with its comments kept (as htmldate parses);
    it is not changed. A title that is only the site's name is no headline:
    the date after it is the masthead's, not the article's. A library that
    fails on one piece of evidence costs that piece, never the article.
    """
    headline = title if _words(title) != _words(site) else ""
    moment = (_safely(lambda: _htmldate(_metadata_only(tree), extensive=False, latest=latest))
              or _safely(lambda: _schema_published(tree, latest)))
    found = _safely(lambda: _htmldate(tree, extensive=True, latest=latest))
    return PageDates(
        metadata=moment and PublishedDate(moment.date(), Granularity.DAY, "metadata"),
        metadata_moment=moment if moment and moment.tzinfo else None,
        url=date_from_url(url),
        dateline=_safely(lambda: _dateline(
            _text_after_headline(tree, headline) or body[:DATELINE_CHARS].splitlines(),
            _language(tree), latest)),
        search=found and PublishedDate(found.date(), Granularity.DAY, "page-text"),
    )


def _safely(gather: Callable[[], T]) -> T | None:
    """What ``gather`` finds, or None if the library under it fails."""
    try:
        return gather()
    except Exception as exc:  # htmldate and dateparser raise many types on odd pages
        log.debug("a date could not be read: %s: %s", type(exc).__name__, exc)
        return None


def _htmldate(tree: HtmlElement, *, extensive: bool, latest: date) -> datetime | None:
    """htmldate's original date of the page, with its time and zone when it has them."""
    found = htmldate.find_date(tree, extensive_search=extensive, original_date=True, url="",
                               max_date=latest.isoformat(), outputformat=_MOMENT)
    if not found:
        return None
    try:
        return datetime.strptime(found, _MOMENT if found[-5] in "+-" else _MOMENT[:-2])
    except ValueError:
        return datetime.fromisoformat(found[:10])


def _schema_published(tree: HtmlElement, latest: date) -> datetime | None:
    """schema.org's publication moment of the page (JSON-LD, then microdata), by dateutil.

    Only a full date counts: a value that leaves the day or the month out
    ("2020", "September 2020") would be completed by dateutil from its
    default, so each value is read with two different defaults and kept
    only when both readings give the same day.
    """
    values = [value for script in tree.xpath('//script[@type="application/ld+json"]')
              for value in _json_ld_values(script.text_content())]
    for element in tree.xpath(_SCHEMA_MICRODATA_XPATH):
        values.append(element.get("content") or element.get("datetime") or "")
    for value in values:
        moment = _full_moment(value)
        if moment is not None and EARLIEST <= moment.date() <= latest:
            return moment
    return None


def _json_ld_values(script: str) -> list[str]:
    """The publication values a JSON-LD script states, ``datePublished`` before ``dateCreated``."""
    try:
        data = json.loads(script, strict=False)
    except ValueError:
        return []
    found: dict[str, list[str]] = {key: [] for key in _SCHEMA_PUBLISHED}
    pending = deque([data])
    while pending:  # JSON-LD nests: lists, "@graph", an Article inside a WebPage
        node = pending.popleft()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in found and isinstance(value, str):
                    found[key].append(value)
                elif isinstance(value, (dict, list)):
                    pending.append(value)
    return [value for key in _SCHEMA_PUBLISHED for value in found[key]]


def _full_moment(value: str) -> datetime | None:
    """``value`` as a moment when it states a year, a month and a day; else None."""
    value = value.strip()
    if not value or not _YEAR.search(value):
        return None
    with warnings.catch_warnings():  # "EDT", "GST": the zone is dropped, the day kept
        warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
        try:
            one = dateutil_parser.parse(value, default=datetime(2000, 1, 1))
            other = dateutil_parser.parse(value, default=datetime(2001, 2, 2))
        except (ValueError, OverflowError):
            return None
    return one if one.date() == other.date() else None


def _metadata_only(tree: HtmlElement) -> HtmlElement:
    """A page holding copies of the page's date markup and nothing else."""
    root = lxml_html.Element("html")
    head = etree.SubElement(root, "head")
    for element in tree.xpath(_METADATA_XPATH):
        duplicate = copy.copy(element)
        duplicate.tail = None
        head.append(duplicate)
    etree.SubElement(root, "body")
    return root


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _text_after_headline(tree: HtmlElement, title: str) -> list[str]:
    """The visible text after the heading that holds the title, one piece per
    text node (empty if no heading holds it)."""
    wanted = _words(title)
    if not wanted:
        return []
    for heading in tree.iter("h1", "h2"):
        words = _words(heading.text_content())
        if words and (words == wanted or (len(words) >= 12 and (words in wanted or wanted in words))):
            pieces: list[str] = []
            size = 0
            for piece in heading.xpath(_VISIBLE_TEXT_AFTER):
                # Cut to what is left of the budget: a dateline opens the
                # text, and searching a 100,000-character paragraph for
                # dates takes dateparser minutes.
                piece = " ".join(piece.split())[:DATELINE_CHARS - size]
                if piece:
                    pieces.append(piece)
                    size += len(piece) + 1
                    if size >= DATELINE_CHARS:
                        break
            return pieces
    return []


def _language(tree: HtmlElement) -> str | None:
    """The page's declared language, as dateparser names it (``en``, ``fr``).

    From ``<html lang>``, else the ``content-language`` header in a meta
    tag, else Open Graph's ``og:locale`` (``it_IT``).
    """
    declared = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    declared += tree.xpath("//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')"
                           " = 'content-language']/@content")
    declared += tree.xpath("//meta[@property = 'og:locale']/@content")
    for value in declared:
        primary = (value or "").strip().replace("_", "-").split("-")[0].split(",")[0].lower()
        if primary.isalpha() and 2 <= len(primary) <= 3:
            return primary
    return None


def _dateline(pieces: list[str], language: str | None, latest: date) -> PublishedDate | None:
    """The first full date in the pieces of text: day and year in digits, and a month.

    Each piece (a text node of the page) is searched on its own: run
    together, "9 March 2021" and the "The two cottages" after it read as
    March 2, and requiring the day in digits keeps that reading out too.
    """
    for piece in pieces:
        if not _YEAR.search(piece):
            continue
        try:
            found = search_dates(piece, languages=[language] if language else None,
                                 settings=_DATELINE_SETTINGS)
        except ValueError:  # a language dateparser does not know: let it detect one
            found = search_dates(piece, settings=_DATELINE_SETTINGS)
        for phrase, moment in found or ():
            day = moment.date()
            if (_YEAR.search(phrase) and len(_NUMBER.findall(phrase)) >= 2
                    and EARLIEST <= day <= latest):
                return PublishedDate(day, Granularity.DAY, "dateline")
    return None
