"""Shared fixtures: paths to the bundled data, a fresh store, the annotator."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples" / "news"
SHARED_DATA = ROOT.parent / "shared" / "data"
T17_RAW = SHARED_DATA / "t17-raw"


@pytest.fixture
def fresh_store(tmp_path):
    from storyline.store import Store

    with Store(tmp_path / "test.db") as store:
        yield store


@pytest.fixture(scope="session")
def annotator():
    """The real spaCy-backed annotator, loaded once for the whole run."""
    from storyline.annotate.pipeline import Annotator

    return Annotator()


@pytest.fixture
def t17_raw():
    if not T17_RAW.is_dir():
        pytest.skip("benchmark data ../shared/data/t17-raw is not present")
    return T17_RAW
