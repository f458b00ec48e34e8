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

# ``storyline.ingest`` names two things: the subpackage of readers and, as an
# attribute of this package, the public ingest function. Python sets a
# subpackage as an attribute of its parent when it is first imported, which
# would replace the function if that happened later on; so the subpackage is
# imported here, first, and the name then bound to the function (an import
# of ``storyline.ingest`` afterwards finds it in sys.modules and leaves the
# attribute alone). This keeps ``import storyline`` cheap only because the
# modules imported here import their heavy libraries (the parsers, the
# annotator, scikit-learn) where they use them: tests/unit/test_imports.py.
import storyline.ingest as _readers  # noqa: F401 - before the function below, see above
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

del _readers
