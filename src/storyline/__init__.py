"""storyline: a dated, sourced timeline from a pile of news articles.

The public Python API::

    from storyline import Store, ingest, build_timeline, TimelineRequest, render

    with Store("story.db") as store:
        ingest(["articles/"], store)
        timeline = build_timeline(store, TimelineRequest(dates=10, sentences=2))
    markdown = render(timeline, "md")
"""

from storyline.errors import StorylineError
from storyline.model import (
    AnnotatedArticle,
    Article,
    Granularity,
    Timeline,
    TimelineEntry,
)
from storyline.pipeline import IngestReport, build_timeline, ingest
from storyline.render import render
from storyline.store import Store
from storyline.timeline import TimelineRequest

__all__ = [
    "AnnotatedArticle",
    "Article",
    "Granularity",
    "IngestReport",
    "Store",
    "StorylineError",
    "Timeline",
    "TimelineEntry",
    "TimelineRequest",
    "build_timeline",
    "ingest",
    "render",
]
__version__ = "0.1.0"
