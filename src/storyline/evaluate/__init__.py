"""Evaluation: tilse-compatible timeline metrics and the benchmark datasets' loaders."""

from storyline.evaluate.datasets import (
    GoldTimeline,
    Topic,
    load_dataset,
    newstls_articles,
    raw_article_files,
)
from storyline.evaluate.metrics import (
    METRIC_KEYS,
    PRF,
    TimelineScores,
    average_scores,
    dated_sentences,
    evaluate_timeline,
)

__all__ = [
    "METRIC_KEYS",
    "PRF",
    "GoldTimeline",
    "TimelineScores",
    "Topic",
    "average_scores",
    "dated_sentences",
    "evaluate_timeline",
    "load_dataset",
    "newstls_articles",
    "raw_article_files",
]
