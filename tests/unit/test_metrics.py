"""storyline.evaluate's ROUGE and timeline metrics against tilse 0.2.1 (Perl ROUGE-1.5.5)."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from storyline.evaluate.metrics import (
    METRIC_KEYS,
    PRF,
    TimelineScores,
    average_prf,
    average_scores,
    date_scores,
    dated_sentences,
    evaluate_timeline,
)
from storyline.evaluate.rouge import RougeCounts, porter_stem, rouge_n, rouge_tokens, smart_stopwords
from storyline.model import Granularity, SourceRef, Timeline, TimelineEntry, TimelineSentence

GOLD = {
    date(2010, 4, 20): [
        "An explosion on the Deepwater Horizon rig kills 11 workers .",
        "The rig sinks two days later in the Gulf of Mexico .",
    ],
    date(2010, 5, 2): ["BP starts drilling a relief well to stop the leak ."],
    date(2010, 7, 15): ["BP caps the leaking well after 87 days ."],
    date(2010, 9, 19): ["The ruptured well is finally sealed ."],
}
PREDICTIONS = {
    # Two dates off by one day or absent from the gold timeline, one exact.
    "different_dates": {
        date(2010, 4, 21): ["The Deepwater Horizon rig sinks after an explosion ."],
        date(2010, 5, 2): ["Drilling of a relief well begins ."],
        date(2010, 6, 1): ["Oil reaches the coast of Louisiana ."],
    },
    # Both predicted dates align to the same gold date (many-to-one).
    "many_to_one": {
        date(2010, 7, 14): ["BP caps the well ."],
        date(2010, 7, 16): ["The leaking well is capped after 87 days ."],
    },
    # Month-granularity entries, keyed by the first of the month.
    "month": {
        date(2010, 4, 1): ["An explosion sinks the Deepwater Horizon rig ."],
        date(2010, 7, 1): ["BP caps the leaking well ."],
    },
    # ROUGE-1.5.5's tokenizer: stopwords, WordNet exceptions, SEE's cut at "<", "^" as "circ".
    "awkward": {
        date(2010, 4, 20): ["Children went to the U.S.-based rig's <b>wards</b> ; 11 workers were killed ."],
        date(2010, 9, 19): ["Well-known : the well was sealed ^ finally , ruptured ."],
    },
}

# (precision, recall, F) per metric. Produced once with tilse 0.2.1 and its Perl ROUGE-1.5.5:
#   ev = tilse.evaluation.rouge.TimelineRougeEvaluator(measures={"rouge_1", "rouge_2"})
#   ev.evaluate_align_date_content_costs_many_to_one / evaluate_concat / evaluate_agreement
#   (Timeline(pred), GroundTruth([Timeline(GOLD)])) and tilse.evaluation.dates.evaluate_dates.
TILSE = {
    "different_dates": {
        "ar1": (0.375, 0.17307692307692307, 0.23684210526315785),
        "ar2": (0.2777777777777778, 0.11363636363636363, 0.16129032258064516),
        "concat_r1": (0.5833333333333334, 0.2692307692307692, 0.3684210526315789),
        "concat_r2": (0.36363636363636365, 0.16, 0.2222222222222222),
        "agree_r1": (0.16666666666666666, 0.07692307692307693, 0.10526315789473684),
        "agree_r2": (0.1111111111111111, 0.045454545454545456, 0.06451612903225805),
        "dates": (0.3333333333333333, 0.25, 0.28571428571428575),
    },
    "many_to_one": {
        "ar1": (0.5, 0.03941835191835192, 0.07307565969560932),
        "ar2": (0.25, 0.022727272727272728, 0.04166666666666667),
        "concat_r1": (0.8333333333333334, 0.19230769230769232, 0.3125),
        "concat_r2": (0.6, 0.12, 0.19999999999999998),
        "agree_r1": (0.0, 0.0, 0.0),
        "agree_r2": (0.0, 0.0, 0.0),
        "dates": (0.0, 0.0, 0.0),
    },
    "month": {
        "ar1": (0.05625, 0.0185687263556116, 0.02792057305382914),
        "ar2": (0.03888888888888889, 0.010606060606060607, 0.016666666666666666),
        "concat_r1": (1.0, 0.3076923076923077, 0.47058823529411764),
        "concat_r2": (0.5714285714285714, 0.16, 0.25),
        "agree_r1": (0.0, 0.0, 0.0),
        "agree_r2": (0.0, 0.0, 0.0),
        "dates": (0.0, 0.0, 0.0),
    },
    "awkward": {
        "ar1": (0.5714285714285714, 0.15384615384615385, 0.24242424242424246),
        "ar2": (0.0, 0.0, 0.0),
        "concat_r1": (0.5714285714285714, 0.15384615384615385, 0.24242424242424246),
        "concat_r2": (0.0, 0.0, 0.0),
        "agree_r1": (0.5714285714285714, 0.15384615384615385, 0.24242424242424246),
        "agree_r2": (0.0, 0.0, 0.0),
        "dates": (1.0, 0.5, 0.6666666666666666),
    },
}
FIELDS = ("ar1", "ar2", "concat_r1", "concat_r2", "agree_r1", "agree_r2", "dates")


def as_tuples(scores: TimelineScores) -> dict[str, tuple[float, float, float]]:
    return {f: (getattr(scores, f).precision, getattr(scores, f).recall, getattr(scores, f).f1) for f in FIELDS}


# --- ROUGE-1.5.5 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        # From ROUGE-1.5.5.pl's own `stem` sub (checked on all 65,032 Timeline17 words).
        ("agreement", "agreem"),  # ROUGE's step 4: -ement kept, then -ent removed
        ("settlement", "settlem"),
        ("adjustment", "adjust"),
        ("generalization", "gener"),
        ("relational", "relat"),
        ("hopping", "hop"),
        ("filling", "fill"),
        ("ponies", "poni"),
        ("happily", "happili"),
        ("yelling", "yell"),
    ],
)
def test_porter_stem_matches_rouge_perl(word: str, stem: str) -> None:
    assert porter_stem(word) == stem


def test_rouge_tokens_follow_rouge_155() -> None:
    # the/u/s/went are SMART stopwords; children/made are WordNet exceptions; "-" splits words.
    assert rouge_tokens(["The U.S. children went home-made."]) == ["child", "home", "make"]
    # SEE format: the text after a "<" is lost; non-ASCII letters split words; short words unstemmed.
    assert rouge_tokens(["Prices <b>rose</b>", "Café 5% &amp; dogs"]) == ["price", "caf", "5", "amp", "dog"]
    assert rouge_tokens(["oil^spill rates"]) == ["oil", "circ", "spill", "rate"]
    assert rouge_tokens([]) == []


def test_smart_stopwords_is_rouges_list() -> None:
    words = smart_stopwords()
    assert len(words) == 596  # 598 lines; "may" and "would" are listed twice
    assert {"the", "went", "u", "zero"} <= words


def test_rouge_n_counts_clip_and_cross_sentences() -> None:
    counts = rouge_n(["oil oil spill"], ["oil spill", "spill"], 1)
    assert counts == RougeCounts(hits=2, peer_count=3, model_count=3)
    # bigrams run across sentence boundaries, as in ROUGE-1.5.5
    assert rouge_n(["oil", "spill"], ["oil spill"], 2) == RougeCounts(1, 1, 1)
    assert RougeCounts(0, 0, 0).precision == 0.0


# --- timeline metrics, exact values from tilse -------------------------------------------------


@pytest.mark.parametrize("name", sorted(PREDICTIONS))
def test_scores_equal_tilse(name: str) -> None:
    got = as_tuples(evaluate_timeline(PREDICTIONS[name], GOLD))
    for field in FIELDS:
        assert got[field] == pytest.approx(TILSE[name][field], abs=1e-12), field


def test_perfect_prediction_scores_one() -> None:
    scores = evaluate_timeline(GOLD, GOLD)
    assert all(getattr(scores, f) == PRF(1.0, 1.0, 1.0) for f in FIELDS)


def test_empty_prediction_scores_zero() -> None:
    # tilse raises here (argmin of an empty sequence, division by zero); storyline scores 0.
    scores = evaluate_timeline({}, GOLD)
    assert all(getattr(scores, f) == PRF(0.0, 0.0, 0.0) for f in FIELDS)


def test_empty_gold_is_an_error() -> None:
    with pytest.raises(ValueError, match="gold timeline has no dates"):
        evaluate_timeline(GOLD, {})


def test_a_day_given_twice_counts_once() -> None:
    # A datetime and a date on the same day are one date; their sentences are joined.
    twice = {
        datetime(2010, 5, 2, 9, 30): ["BP starts drilling a relief well"],
        date(2010, 5, 2): ["to stop the leak ."],
    }
    once = {date(2010, 5, 2): ["BP starts drilling a relief well", "to stop the leak ."]}
    assert evaluate_timeline(twice, GOLD) == evaluate_timeline(once, GOLD)
    assert date_scores(twice, GOLD) == PRF.from_pr(1.0, 0.25)


def test_a_date_without_sentences_still_counts_as_a_date() -> None:
    scores = evaluate_timeline({date(2010, 5, 2): []}, GOLD)
    assert scores.dates == PRF.from_pr(1.0, 0.25)
    assert scores.ar1 == PRF(0.0, 0.0, 0.0)


def test_a_single_string_is_not_a_sentence_list() -> None:
    with pytest.raises(TypeError, match="list of str"):
        evaluate_timeline({date(2010, 5, 2): "BP drills"}, GOLD)
    with pytest.raises(TypeError, match="datetime.date"):
        evaluate_timeline({"2010-05-02": ["BP drills"]}, GOLD)


def test_dated_sentences_keys_months_by_their_first_day() -> None:
    ref = SourceRef("a1", "Title", None, None, None)
    timeline = Timeline(
        query="oil",
        method="test",
        entries=(
            TimelineEntry(date(2010, 4, 1), Granularity.MONTH, (TimelineSentence("April news .", ref),)),
            TimelineEntry(date(2010, 4, 1), Granularity.DAY, (TimelineSentence("April 1st news .", ref),)),
            TimelineEntry(date(2010, 4, 20), Granularity.DAY, (TimelineSentence("Blast .", ref),)),
        ),
    )
    assert dated_sentences(timeline) == {
        date(2010, 4, 1): ["April news .", "April 1st news ."],
        date(2010, 4, 20): ["Blast ."],
    }


# --- averaging ---------------------------------------------------------------------------------


def scores_with(ar1: PRF, dates: PRF) -> TimelineScores:
    zero = PRF(0.0, 0.0, 0.0)
    return TimelineScores(ar1, zero, zero, zero, zero, zero, dates)


def test_average_takes_f_from_averaged_precision_and_recall() -> None:
    first = scores_with(PRF.from_pr(1.0, 0.0), PRF.from_pr(0.5, 0.5))
    second = scores_with(PRF.from_pr(0.0, 1.0), PRF.from_pr(1.0, 1.0))
    averaged = average_scores([first, second])
    assert tuple(averaged) == METRIC_KEYS
    # P = R = 0.5 on average, so F = 0.5, although each timeline's own F is 0.
    assert averaged["ar1_p"] == 0.5 and averaged["ar1_r"] == 0.5 and averaged["ar1_f"] == 0.5
    assert averaged["date_f1"] == 0.75
    assert averaged["ar2_f"] == 0.0


def test_average_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        average_scores([])
    with pytest.raises(ValueError):
        average_prf([])


def test_scores_round_trip_through_dicts() -> None:
    scores = evaluate_timeline(PREDICTIONS["different_dates"], GOLD)
    assert TimelineScores.from_dict(scores.to_dict()) == scores
    assert math.isclose(scores.to_dict()["ar1"]["f1"], TILSE["different_dates"]["ar1"][2])


# --- live comparison ---------------------------------------------------------------------------


def test_against_tilse_live() -> None:
    """Runs only where tilse 0.2.1 and its Perl ROUGE work (not in the project's venv).

    bench/check_metrics_vs_tilse.py does the same on Timeline17's real timelines.
    """
    pytest.importorskip("tilse", reason="tilse is not installed here (see bench/check_metrics_vs_tilse.py)")
    from tilse.data.timelines import GroundTruth
    from tilse.data.timelines import Timeline as TilseTimeline
    from tilse.evaluation import dates as tilse_dates
    from tilse.evaluation import rouge

    try:
        evaluator = rouge.TimelineRougeEvaluator(measures={"rouge_1", "rouge_2"}, rouge_computation="original")
        evaluator.rouge.score_summary([["oil"]], {"0": [["oil"]]})
    except Exception as error:  # Perl or its XML::Parser missing
        pytest.skip(f"tilse's Perl ROUGE does not run here: {error}")

    cases = [*PREDICTIONS.values(), GOLD, {date(2009, 1, 1): GOLD[date(2010, 5, 2)]}]
    for pred in cases:
        predicted, gold = TilseTimeline(pred), GroundTruth([TilseTimeline(GOLD)])
        ours = evaluate_timeline(pred, GOLD)
        theirs = {
            "ar": evaluator.evaluate_align_date_content_costs_many_to_one(predicted, gold),
            "concat": evaluator.evaluate_concat(predicted, gold),
            "agree": evaluator.evaluate_agreement(predicted, gold),
        }
        for field, (metric, measure) in {
            "ar1": ("ar", "rouge_1"), "ar2": ("ar", "rouge_2"),
            "concat_r1": ("concat", "rouge_1"), "concat_r2": ("concat", "rouge_2"),
            "agree_r1": ("agree", "rouge_1"), "agree_r2": ("agree", "rouge_2"),
        }.items():
            expected = theirs[metric][measure]
            got = getattr(ours, field)
            assert (got.precision, got.recall, got.f1) == pytest.approx(
                (expected["precision"], expected["recall"], expected["f_score"]), abs=1e-9
            ), field
        expected_dates = tilse_dates.evaluate_dates(predicted, gold)
        assert (ours.dates.precision, ours.dates.recall, ours.dates.f1) == pytest.approx(
            (expected_dates["precision"], expected_dates["recall"], expected_dates["f_score"]), abs=1e-12
        )
