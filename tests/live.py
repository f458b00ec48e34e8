"""A real uvicorn serving storyline's app in a thread: for tests and e2e scripts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from storyline.api import create_app


@contextmanager
def live_server(db, app=None, **options) -> Iterator[str]:
    """The app on a free loopback port; yields its base URL and stops it after.

    ``app``: an app already made (to look at its state), else one for ``db``.
    """
    app = app or create_app(db, **options)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
