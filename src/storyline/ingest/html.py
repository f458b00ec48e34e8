"""HTML pages: the article body via trafilatura, title/site/URL from the page,
and the publication date from everything the page says.

No page is lost to the extractor's settings: trafilatura runs in its
balanced mode with tables (news sites that lay pages out in tables lose the
whole body without them), and when that finds nothing or next to nothing a
second pass favours recall, then trafilatura's baseline extractor is tried.
Pages are parsed here with libxml2's ``huge_tree`` option, so a page with a
10 MB inline script or image, or very deep markup, is read whole instead of
being cut off where libxml2's default limits stop it.

The date evidence is gathered by :mod:`storyline.ingest.pagedates` and
weighed by :func:`storyline.annotate.published.infer_published`; the winner
is kept in ``Article.published_from``.
"""

from __future__ import annotations

import logging
from copy import deepcopy
from datetime import date, timedelta
from functools import cache

import trafilatura
from lxml import etree
from lxml.html import HTMLParser, HtmlElement, fromstring
from trafilatura.settings import Document

from storyline.annotate.published import CAPTURE_SLACK_DAYS, infer_published
from storyline.annotate.temporal import TemporalResolver
from storyline.errors import InputError
from storyline.ingest import liblog
from storyline.ingest.base import PublishedDate, source_from_url, stable_id
from storyline.ingest.decode import decode_html
from storyline.ingest.notices import notice_only
from storyline.ingest.pagedates import gather_page_dates
from storyline.model import Article, Granularity

log = logging.getLogger(__name__)

#: Fewer words than this after extraction is a menu or an error page, not news.
MIN_WORDS = 8
#: A first extraction shorter than this (in words) is retried for recall.
#: A news body is rarely shorter; a short brief loses nothing by the retry,
#: whose result is kept only if it is longer.
RETRY_BELOW_WORDS = 50

# trafilatura's own parser settings, plus huge_tree; htmldate's keeps comments.
_EXTRACT_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                             remove_comments=True, remove_pis=True, huge_tree=True)
_DATES_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                           remove_pis=True, huge_tree=True)
_EXTRACTION = {"with_metadata": True, "include_comments": False, "include_tables": True,
               "date_extraction_params": {"extensive_search": False, "original_date": True}}


def read_page(data: bytes, *, origin: str, url: str | None = None,
              content_type: str | None = None, captured: date | None = None,
              fallback: PublishedDate | None = None) -> Article:
    """One article from a page's bytes, decoded by the charset it declares.

    ``content_type`` is the HTTP header the page came with and ``captured``
    the day it was fetched (both from a WARC record), if known. Whatever
    goes wrong with one page is an InputError naming it: a page that breaks
    a library is skipped and reported, the batch goes on.
    """
    page = decode_html(data, origin, content_type)
    if page.how not in ("utf-8", "bom"):
        log.debug("%s: read as %s (%s)", origin, page.encoding, page.how)
    try:
        return parse_html(page.text, origin=origin, url=url, captured=captured,
                          fallback=fallback)
    except InputError:
        raise
    except Exception as exc:  # a library's failure on one page stays that page's
        log.debug("%s: reading failed", origin, exc_info=True)
        raise InputError(origin, f"cannot be read ({type(exc).__name__}: {exc})") from None


def parse_html(html: str, *, origin: str, url: str | None = None,
               captured: date | None = None, fallback: PublishedDate | None = None) -> Article:
    """One article from a page's text; raises InputError when it holds none."""
    with liblog.reading(origin):
        document = _extract(_parse(html, _EXTRACT_PARSER, origin), origin)
        text = (document.text or "").strip()
        title = (document.title or "").strip()
        notice = notice_only(text, MIN_WORDS, title)
        if notice:
            raise InputError(origin, f"holds only a {notice.kind} notice ({notice.name}),"
                                     " no article text")
        page_url = url or document.url
        site = (document.sitename or "").strip()
        latest = (captured or date.today()) + timedelta(days=CAPTURE_SLACK_DAYS)
        evidence = gather_page_dates(_parse(html, _DATES_PARSER, origin), url=page_url,
                                     title=title, site=site, body=text, latest=latest)
        published = infer_published(evidence, text=text, captured=captured, fallback=fallback,
                                    resolver=_resolver())
    return Article(
        id=stable_id(url=page_url, text=text),
        url=page_url,
        source=site or source_from_url(page_url),
        title=title,
        published=published.value if published else None,
        text=text,
        origin=origin,
        published_precision=published.precision if published else Granularity.DAY,
        published_from=published.source if published else None,
    )


@cache
def _resolver() -> TemporalResolver:
    """One resolver for all pages: it caches what dateparser found."""
    return TemporalResolver()


def _parse(html: str, parser: HTMLParser, origin: str) -> HtmlElement:
    """The page's tree; a page that is not HTML at all is an InputError."""
    try:
        tree = fromstring(html, parser=parser)
    except ValueError:  # a str with an XML encoding declaration: parse its bytes
        try:
            tree = fromstring(html.encode("utf-8"), parser=parser)
        except (etree.ParserError, ValueError) as exc:
            raise InputError(origin, f"cannot be parsed as HTML ({exc})") from None
    except etree.ParserError as exc:  # "Document is empty"
        raise InputError(origin, f"cannot be parsed as HTML ({exc})") from None
    return tree


def _words(document: Document | None) -> int:
    return len((document.text or "").split()) if document is not None else 0


def _extract(tree: HtmlElement, origin: str) -> Document:
    """trafilatura's best reading of the page; see the module docstring."""
    try:
        document = trafilatura.bare_extraction(tree, **_EXTRACTION)
        if _words(document) < RETRY_BELOW_WORDS:
            second = trafilatura.bare_extraction(tree, favor_recall=True, **_EXTRACTION)
            if _words(second) > _words(document):
                log.debug("%s: the recall pass found more text", origin)
                document = second
        if _words(document) < MIN_WORDS:
            _, text, _ = trafilatura.baseline(tree)  # it works on a copy
            if len(text.split()) >= MIN_WORDS:
                log.debug("%s: only the baseline extractor found text", origin)
                document = _with_text(document, tree, text)
    except Exception as exc:  # trafilatura raises many lxml/parser error types
        raise InputError(origin, f"cannot be parsed as HTML ({type(exc).__name__})") from None
    if _words(document) < MIN_WORDS:
        raise InputError(origin, "has no article text (the page is empty or all boilerplate)")
    return document


def _with_text(document: Document | None, tree: HtmlElement, text: str) -> Document:
    """The baseline's text with the page's metadata."""
    if document is None:
        document = trafilatura.extract_metadata(deepcopy(tree), extensive=False)
    document.text = text
    return document
