"""HTML pages: the article body via trafilatura, title/date/site from the page.

trafilatura already drops navigation, share bars, newsletter and "Related
news" blocks; what survives inside the article body is left to the clean
stage's line patterns.
"""

from __future__ import annotations

import logging
from datetime import date

import trafilatura

from storyline.errors import InputError
from storyline.ingest.base import (
    PublishedDate,
    date_from_url,
    source_from_url,
    stable_id,
)
from storyline.model import Article, Granularity

log = logging.getLogger(__name__)

#: Fewer words than this after extraction is a menu or an error page, not news.
MIN_WORDS = 8


def parse_html(html: str, *, origin: str, url: str | None = None,
               fallback: PublishedDate | None = None) -> Article:
    """One article from a page; dates: the page's metadata, its URL, then ``fallback``."""
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises many lxml/parser error types
        raise InputError(origin, f"cannot be parsed as HTML ({type(exc).__name__})") from None
    if document is None or len((document.text or "").split()) < MIN_WORDS:
        raise InputError(origin, "has no article text (the page is empty or all boilerplate)")
    page_url = url or document.url
    title = (document.title or "").strip()
    text = document.text.strip()
    date = _metadata_date(document.date) or date_from_url(page_url) or fallback
    article = Article(
        id=stable_id(url=page_url, text=text),
        url=page_url,
        source=(document.sitename or "").strip() or source_from_url(page_url),
        title=title,
        published=date.value if date else None,
        text=text,
        origin=origin,
        published_precision=date.precision if date else Granularity.DAY,
    )
    return article


def _metadata_date(value: str | None) -> PublishedDate | None:
    if not value:
        return None
    try:
        return PublishedDate(date.fromisoformat(value[:10]))
    except ValueError:
        log.debug("ignoring unreadable page date %r", value)
        return None
