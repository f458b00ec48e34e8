"""``import storyline`` and the read-only commands stay light (issue #15).

The ingest stages import trafilatura, dateparser, datasketch, blingfire and
NumPy, the timeline methods scikit-learn and SciPy: seconds at start-up on a
small machine. They are imported where they are used, so ``storyline --help``
imports none of them and ``storyline build`` none of the ingest's. Checked in
a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

#: Imported by ingesting (reading, cleaning, annotating) only.
INGEST_ONLY = ("trafilatura", "htmldate", "dateparser", "warcio", "datasketch", "blingfire")
#: Imported by building a timeline (the methods), or by the clust method alone.
TIMELINE_ONLY = ("numpy", "scipy", "sklearn")
CLUST_ONLY = ("sklearn.metrics",)


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_imports_no_stage_library():
    loaded = loaded_after("import storyline.cli")
    assert loaded & set(INGEST_ONLY + TIMELINE_ONLY + CLUST_ONLY) == set()


def test_building_a_timeline_imports_only_what_the_method_needs(tmp_path):
    from tests.e2e.synthetic import build_store

    db = tmp_path / "small.db"
    build_store(db, 30)
    loaded = loaded_after(
        "from storyline.cli import main\n"
        f"main(['build', '--db', {str(db)!r}, '--format', 'json', '-o', {str(tmp_path / 't.json')!r}],"
        " standalone_mode=False)")
    assert json.loads((tmp_path / "t.json").read_text())["entries"]
    assert "sklearn.feature_extraction.text" in loaded  # the default method's TF-IDF
    assert loaded & set(INGEST_ONLY + CLUST_ONLY) == set()


def test_storyline_ingest_is_the_function_and_its_subpackage_still_imports():
    code = """
import storyline
import storyline.pipeline
assert storyline.ingest is storyline.pipeline.ingest
from storyline.ingest import find_files, read_inputs
from storyline import IngestReport, Store, TimelineRequest, build_timeline, ingest, render
assert ingest is storyline.ingest is storyline.pipeline.ingest
import storyline.ingest.html
assert callable(storyline.ingest) and storyline.ingest.__module__ == "storyline.pipeline"
assert sorted(storyline.__all__) == sorted(n for n in storyline.__all__ if hasattr(storyline, n))
"""
    loaded_after(code)


def test_method_names_are_listed_without_importing_the_methods():
    loaded = loaded_after("from storyline.timeline import METHODS\nassert sorted(METHODS) =="
                          " ['clust', 'datewise', 'storyline']")
    assert loaded & set(TIMELINE_ONLY) == set()
    loaded = loaded_after("from storyline.timeline import METHODS\n"
                          "from storyline.timeline.clust import Clust\n"
                          "assert METHODS['clust'] is Clust and dict(METHODS)['clust'] is Clust")
    assert "sklearn.metrics" in loaded


def test_reading_stories_and_serving_import_no_stage_library():
    """Listing stories or starting the server places no article: no words, no sparse matrices."""
    loaded = loaded_after("import storyline.stories, storyline.api")
    assert loaded & {"scipy", "sklearn", *INGEST_ONLY} == set()
