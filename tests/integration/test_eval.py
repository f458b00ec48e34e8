"""The evaluation protocol end to end on a tiny dataset written for the tests."""

import json
import shutil

import pytest
from click.testing import CliRunner

from storyline.cli import main
from storyline.evaluate.metrics import METRIC_KEYS
from storyline.evaluate.runner import run_eval, to_markdown

from tests.conftest import DATA

pytestmark = pytest.mark.slow
TINY = DATA / "tiny-newstls"


@pytest.fixture
def tiny(tmp_path):
    """The tiny dataset plus a topic with no articles (to be listed and skipped)."""
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root)
    empty = root / "quake"
    empty.mkdir()
    (empty / "keywords.json").write_text('["quake"]')
    (empty / "timelines.jsonl").write_text('[["2010-01-12T00:00:00", ["A quake hits ."]]]\n')
    return root


def test_eval_prints_the_eval_json_contract(tiny, tmp_path):
    result = CliRunner().invoke(main, ["eval", str(tiny), "--method", "datewise", "--format",
                                       "json", "--cache", str(tmp_path / "cache.db"), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dataset"] == "tiny" and data["method"] == "datewise" and data["timelines"] == 1
    assert set(data["metrics"]) == set(METRIC_KEYS)
    assert set(data["seconds"]) == {"preprocess", "per_timeline"}
    assert data["skipped_topics"] == ["quake"]
    assert data["metrics"]["date_f1"] > 0.5
    assert 0 < data["metrics"]["ar1_f"] <= 1


def test_a_second_method_reuses_the_cached_annotation(tiny, tmp_path):
    cache = tmp_path / "cache.db"
    first = run_eval(tiny, method="datewise", cache=cache)
    second = run_eval(tiny, method="storyline", cache=cache)
    assert first.annotated_articles == 5
    assert second.annotated_articles == 0
    assert len(second.results) == 1
    (result,) = second.results
    assert len(result.predicted.entries) <= 3  # l from the gold timeline
    assert all(len(e.sentences) == 1 for e in result.predicted.entries)  # k = round(mean)
    table = to_markdown(second)
    assert "DATEWISE (news-tls)" in table and "storyline `storyline`" in table


def test_an_unknown_dataset_folder_is_a_clear_error(tmp_path):
    (tmp_path / "nothing").mkdir()
    result = CliRunner().invoke(main, ["eval", str(tmp_path / "nothing"),
                                       "--cache", str(tmp_path / "c.db")])
    assert result.exit_code == 1
    assert result.stderr.startswith("storyline: error:")


def test_auto_length_reports_the_length_the_method_chose(tiny, tmp_path):
    result = CliRunner().invoke(main, ["eval", str(tiny), "--length", "auto", "--format", "json",
                                       "--cache", str(tmp_path / "cache.db"), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    length = data["length"]
    assert length["gold_dates"] == 3
    assert length["entries"] == sum(length["by_granularity"].values()) > 0
    assert set(data["metrics"]) == set(METRIC_KEYS)


def test_the_protocol_length_has_no_length_report(tiny, tmp_path):
    report = run_eval(tiny, method="storyline", cache=tmp_path / "cache.db")
    assert "length" not in report.to_dict()
    assert report.results[0].length is None
