"""Stories updated behind a server's writes, so that a POST is answered when its articles are stored.

A stories update reads every story's membership, and the sums of the
stories within reach of the new articles in time (see :mod:`.storage`):
up to seconds on a store of thousands of stories, even for one article.
A client adding one article should not wait for that. So the server
stores the articles, answers, and asks this thread for an update;
requests that arrive while one runs are served by the next one, together.
Whatever is not placed yet (the server stopped first, the update failed)
is placed by the next update of any process: an article without a story is
what an update looks for.

Readers of the stories wait (:meth:`StoryUpdates.settled`) until the
updates asked for before them are done, so a client that added articles
and then lists the stories sees them placed.
"""

from __future__ import annotations

import logging
import threading

from storyline.errors import StorylineError
from storyline.stories.storage import update_stories
from storyline.store import Store

log = logging.getLogger(__name__)

#: Seconds a reader of the stories waits for updates under way before answering anyway.
SETTLE_S = 120.0


class StoryUpdates:
    """One thread that places a store's new articles in stories, when asked."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._asked = 0
        self._done = 0
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="story-updates", daemon=True)
        self._thread.start()

    def ask(self) -> None:
        """Ask for an update; returns at once."""
        with self._changed:
            self._asked += 1
            self._changed.notify_all()

    def settled(self, timeout: float = SETTLE_S) -> bool:
        """Wait until every update asked for so far is done (False if ``timeout`` came first)."""
        with self._changed:
            wanted = self._asked
            return self._changed.wait_for(lambda: self._done >= wanted or self._stopping,
                                          timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the update under way (its transaction either commits or rolls back)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done or self._stopping)
                if self._stopping:
                    return
                serving = self._asked  # every request so far is served by this one update
            try:
                with Store(self.db, create=False) as store:
                    update_stories(store)
            except StorylineError as exc:  # a damaged or vanished store: said, and tried again later
                log.error("the stories could not be updated: %s", exc)
            except Exception:  # never let the thread die: the next request tries again
                log.exception("the stories could not be updated")
            with self._changed:
                self._done = max(self._done, serving)
                self._changed.notify_all()
