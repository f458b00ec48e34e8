"""Story detection in memory: joining, starting, time decay, repair, stable ids; B-cubed."""

from datetime import date, timedelta

import numpy as np
import pytest

from storyline.errors import ConfigError
from storyline.evaluate.clusters import bcubed
from storyline.stories.features import article_terms, entity_key, words
from storyline.stories.terms import StoredTerms
from storyline.stories.tracker import Item, StoredStory, StoryParams, StoryTracker

DAY = date(2020, 3, 1)

FLOOD = ("River flood levee breach evacuation rain water homes town mayor sandbags "
         "rescue boats overflow")
STRIKE = ("Port strike union dockers wages pay talks harbour cranes containers walkout "
          "picket employers")
QUAKE = ("Earthquake magnitude tremor aftershock collapsed buildings rescue rubble "
         "epicentre seismic quake")


def item(article_id, topic_words, day=DAY, extra="", entities=()):
    return Item(article_id, day, article_terms(f"{topic_words.split()[0]} news",
                                               f"{topic_words} {extra}", entities))


def feed():
    """Three stories, six articles each, over three weeks, each article with its own filler."""
    items = []
    for n in range(6):
        day = DAY + timedelta(days=3 * n)
        items.append(item(f"flood-{n}", FLOOD, day, f"alpha{n} bravo{n}"))
        items.append(item(f"strike-{n}", STRIKE, day, f"charlie{n} delta{n}"))
        items.append(item(f"quake-{n}", QUAKE, day, f"echo{n} foxtrot{n}"))
    return items


def stories_of(tracker):
    return {article_id: story_id for article_id, story_id in tracker.story_of.items()}


def gold_of(items):
    return {i.article_id: i.article_id.split("-")[0] for i in items}


def test_words_drop_stop_words_numbers_and_possessives():
    assert words("The mayor's 2019 plan is in the river's way") == ["mayor", "plan", "river",
                                                                    "way"]
    assert entity_key("the White House's") == "white house"


def test_stop_words_are_scikit_learns_without_importing_it():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from storyline.stories.features import _stop_words

    assert _stop_words() == ENGLISH_STOP_WORDS and "the" in _stop_words()


def test_entities_count_and_only_story_labels():
    terms = article_terms("Flood", "water", [("Anna Smith", "PERSON"), ("2019", "DATE")])
    assert "@anna smith" in terms and "@2019" not in terms


def test_a_mixed_feed_becomes_its_stories():
    items = feed()
    tracker = StoryTracker()
    tracker.add(items)
    tracker.repair()
    assert bcubed(stories_of(tracker), gold_of(items)).f1 == 1.0
    assert len(tracker.stories) == 3


def test_incremental_equals_one_shot_and_ids_stay():
    items = feed()
    one_shot = StoryTracker()
    one_shot.add(items)
    one_shot.repair()
    incremental = StoryTracker()
    first = incremental.add(items[:6])
    incremental.repair(first.touched)
    ids_before = dict(incremental.story_of)
    for start in range(6, len(items), 4):
        changes = incremental.add(items[start:start + 4])
        incremental.repair(changes.touched)
    assert bcubed(stories_of(incremental), stories_of(one_shot)).f1 == 1.0
    # the first articles keep the ids their stories had
    assert {a: incremental.story_of[a] for a in ids_before} == ids_before


def test_another_order_gives_the_same_stories():
    items = feed()
    forward, backward = StoryTracker(), StoryTracker()
    forward.add(items)
    forward.repair()
    for one in reversed(items):
        backward.repair(backward.add([one]).touched)
    assert bcubed(stories_of(backward), stories_of(forward)).f1 == 1.0


def test_time_apart_starts_a_new_story():
    params = StoryParams(half_life_days=10)
    tracker = StoryTracker(params)
    tracker.add([item("flood-0", FLOOD), item("flood-1", FLOOD, extra="other words")])
    tracker.add([item("flood-2", FLOOD, DAY + timedelta(days=365))])
    assert tracker.story_of["flood-0"] == tracker.story_of["flood-1"]
    assert tracker.story_of["flood-2"] != tracker.story_of["flood-0"]


def test_repair_merges_stories_that_grew_together():
    # Coverage of one eruption in two vocabularies: each article alone is too
    # far from the other kind to join it, but the two stories' centroids are
    # close enough to merge; the older story keeps its id.
    left = "volcano eruption lava ash cloud village"
    right = "volcano flights cancelled airport ash airlines"
    tracker = StoryTracker(StoryParams(join=0.6, merge=0.2))
    tracker.add([item("a-0", left), item("a-1", left, extra="lava flows"),
                 item("b-0", right, DAY + timedelta(days=1)), item("c-0", QUAKE),
                 item("d-0", STRIKE)])
    assert tracker.story_of["a-0"] != tracker.story_of["b-0"]
    first = tracker.story_of["a-0"]
    repaired = tracker.repair()
    assert tracker.story_of["a-0"] == tracker.story_of["b-0"] == first
    assert repaired.merged and repaired.merged[0][1] == first
    assert tracker.story_of["c-0"] != first and tracker.story_of["d-0"] != first


def test_a_story_that_drifted_splits():
    # A flood story, a bridging article, then strike coverage that joins the
    # story through it: the repair splits the strike coverage off.
    tracker = StoryTracker()
    tracker.add([item("flood-0", FLOOD), item("mixed-0", f"{FLOOD} {STRIKE}")])
    tracker.add([item(f"strike-{n}", STRIKE) for n in range(5)])
    assert len(set(tracker.story_of.values())) == 1
    tracker.repair()
    strike = tracker.story_of["strike-0"]
    assert all(tracker.story_of[f"strike-{n}"] == strike for n in range(5))
    assert tracker.story_of["flood-0"] != strike
    assert tracker.story_of["flood-0"] == "1"  # the half with the first article keeps the id


def test_bad_thresholds_are_refused():
    with pytest.raises(ConfigError):
        StoryParams(join=0)
    with pytest.raises(ConfigError):
        StoryParams(half_life_days=-1)


def test_bcubed_punishes_merging_and_splitting():
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    assert bcubed(gold, gold).f1 == 1.0
    merged = bcubed({k: 0 for k in gold}, gold)
    assert merged.recall == 1.0 and merged.precision == 0.5
    split = bcubed({k: k for k in gold}, gold)
    assert split.precision == 1.0 and split.recall == 0.5
    assert bcubed({}, gold).items == 0


def test_bcubed_of_one_held_out_class_still_sees_the_other_classes_in_its_clusters():
    gold = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    merged = {"a1": 0, "a2": 0, "b1": 0, "b2": 1}
    held = bcubed(merged, gold, over=["a1", "a2"])
    # each A item shares its cluster with one B item: 2 of its 3 are A
    assert held.items == 2 and held.precision == pytest.approx(2 / 3) and held.recall == 1.0
    assert bcubed(merged, gold, over=list(gold)) == bcubed(merged, gold)


def test_a_members_own_score_is_its_cosine_with_the_rest_of_its_story():
    """The repair's fit of a member to its own story, from dot products, equals the cosine
    of its compared vector with the story's sum less its own full vector."""
    import math

    tracker = StoryTracker()
    tracker.add(feed())
    members = sorted(tracker.story_of)
    compared = tracker._member_rows(members, shared=True)
    scores = tracker._own_scores(members, compared)
    for row, article_id in enumerate(members):
        story = tracker.stories[tracker.story_of[article_id]]
        item = tracker.items[article_id]
        full = tracker._vector_of(item)
        rest = {t: w - full.get(t, 0.0) for t, w in story.total.items()}
        norm = math.sqrt(sum(w * w for w in rest.values()))
        shared = tracker._vector_of(item, shared=True)
        expected = (sum(w * rest.get(t, 0.0) for t, w in shared.items()) / norm
                    if story.size > 1 and norm > 0 else 0.0)
        assert scores[row] == pytest.approx(expected, abs=1e-9), article_id
    assert max(scores) > 0.3


def test_article_vectors_are_unit_tf_idf_over_their_heaviest_terms():
    """Vectors made for many articles at once are what the definition gives one by one:
    raw weight times ln((N + 1) / (df + 0.5)), terms of weight 0 or less dropped (and,
    for the compared vector, terms no other article has), the heaviest kept (ties by
    term), unit length."""
    import math

    params = StoryParams(article_terms=6)
    tracker = StoryTracker(params)
    items = feed()
    tracker.add(items)
    documents = tracker.documents + 1

    def expected(item, shared):
        weights = {t: w * math.log(documents / (tracker.df[t] + 0.5))
                   for t, w in item.terms.items()}
        kept = {t: w for t, w in weights.items() if w > 0 and (not shared or tracker.df[t] >= 2)}
        top = sorted(kept, key=lambda t: (-kept[t], t))[:params.article_terms]
        norm = math.sqrt(sum(kept[t] ** 2 for t in top))
        return {t: kept[t] / norm for t in top}

    tracker._vectors.clear()
    tracker._arrays.clear()
    tracker._idf[:] = math.nan
    for shared in (True, False):
        for one in items:
            made = tracker._vector_of(one, shared=shared)
            want = expected(one, shared)
            assert made.keys() == want.keys(), one.article_id
            assert all(made[t] == pytest.approx(want[t]) for t in want)
    assert any(t.startswith("alpha") for t in tracker._vector_of(items[0]))  # its own filler
    assert not any(t.startswith("alpha") for t in tracker._vector_of(items[0], shared=True))


def test_a_terms_frequency_is_read_again_once_counted_again():
    tracker = StoryTracker()
    tracker.count(["levee", "rain"])
    column = tracker._column("levee")
    tracker._grow()
    assert tracker._dfs_at(np.array([column])).tolist() == [1.0]
    tracker.count(["levee"])
    assert tracker._dfs_at(np.array([column])).tolist() == [2.0]
    tracker.count(["levee"], -1)
    tracker.count(["levee"], -1)
    assert tracker._dfs_at(np.array([column])).tolist() == [0.0]


class _Memory:
    """A store as the tracker's source sees it: placed articles, frequencies, stories' sums."""

    def __init__(self, tracker):
        self.held = {a: tracker.items[a] for a in tracker.story_of}
        self.df = dict(tracker.df)
        self.sums = {s: dict(story.total) for s, story in tracker.stories.items()}
        self.counts = {s: dict(story.names) if story.names is not None else None
                       for s, story in tracker.stories.items()}
        self.stored = [StoredStory(s, frozenset(story.members), None, story.start, story.end,
                                   story.checked, story.summed, unread=True)
                       for s, story in tracker.stories.items()]
        self.documents = tracker.documents
        self.sums_read: list[str] = []

    def items(self, article_ids):
        return [self.held[a] for a in article_ids if a in self.held]

    def frequencies(self, terms):
        return {t: self.df[t] for t in terms if t in self.df}

    def totals(self, story_ids):
        self.sums_read += list(story_ids)
        return {s: self.sums[s] for s in story_ids}

    def names(self, story_ids):
        return {s: self.counts[s] for s in story_ids}


class _StoredMemory(_Memory):
    """The same store, keeping terms as a store does: vocabulary ids and weights."""

    def __init__(self, tracker):
        super().__init__(tracker)
        self.ids: dict[str, int] = {}
        self.described = 0

    def as_stored(self, item):
        ids = [self.ids.setdefault(t, 5 + 3 * len(self.ids)) for t in item.terms]  # not columns
        return Item(item.article_id, item.published, StoredTerms(
            np.array(ids, dtype=np.int64), np.array(list(item.terms.values())), self))

    def items(self, article_ids):
        return [self.as_stored(item) for item in super().items(article_ids)]

    def describe(self, ids):
        self.described += len(ids)
        words = dict(zip(self.ids.values(), self.ids, strict=True))
        return [(i, words[i], self.df.get(words[i], 0)) for i in ids]

    def terms(self, ids):
        return [term for _, term, _ in self.describe(ids)]


def test_stored_terms_give_the_stories_and_sums_that_words_give():
    """Terms read as vocabulary ids (as from a store) are weighed, compared and
    summed as the same terms given as words, to the last bit."""
    held = StoryTracker()
    held.add(feed())
    held.repair()
    results = []
    for memory in (_Memory(held), _StoredMemory(held)):
        tracker = StoryTracker(source=memory, new_id=lambda: f"new-{len(tracker.stories)}")
        tracker.restore_stories(memory.stored, memory.documents)
        new = [item("flood-new", FLOOD, DAY + timedelta(days=16), "golf"),
               item("quake-new", QUAKE, DAY + timedelta(days=17), "hotel india")]
        if isinstance(memory, _StoredMemory):
            new = [memory.as_stored(i) for i in new]
        tracker.repair(tracker.add(new).touched)
        tracker.repair()  # every story: every member's vector made again
        results.append((dict(tracker.story_of), {s: dict(story.total) for s, story in
                                                 tracker.stories.items()}))
    assert results[0] == results[1]
    assert memory.described  # the ids were read as ids


def test_stored_terms_read_as_the_words_they_stand_for():
    memory = _StoredMemory(StoryTracker())
    words = item("flood-0", FLOOD).terms
    stored = memory.as_stored(Item("flood-0", DAY, words)).terms
    assert isinstance(stored, StoredTerms)
    assert list(stored.items()) == list(words.items()) and len(stored) == len(words)
    with pytest.raises(ValueError, match="3 term ids but 2 weights"):
        StoredTerms(np.arange(3), np.ones(2), memory)


def test_terms_of_two_vocabularies_are_refused():
    tracker = StoryTracker()
    one, other = _StoredMemory(tracker), _StoredMemory(tracker)
    tracker.add([one.as_stored(item("flood-0", FLOOD))])
    with pytest.raises(ValueError, match="two vocabularies"):
        tracker.add([other.as_stored(item("flood-1", FLOOD))])


def _two_years_of_floods():
    """The mixed feed, then the same coverage five years later: its stories twice, far apart."""
    early = feed()
    late = [Item(f"late-{i.article_id}", i.published + timedelta(days=1900), i.terms)
            for i in early]
    return early, late


def test_an_update_reads_only_the_sums_of_stories_within_reach_in_time():
    early, late = _two_years_of_floods()
    held = StoryTracker()
    held.add(early + late)
    held.repair()
    assert len(set(held.story_of.values())) == 6  # 5 years apart: beyond reach
    assert 1900 > held.reach_days
    memory = _Memory(held)
    restored = StoryTracker(source=memory, new_id=lambda: f"new-{len(memory.sums_read)}")
    restored.restore_stories(memory.stored, memory.documents)
    new = item("late-new", FLOOD, DAY + timedelta(days=1920), "charlie")
    restored.repair(restored.add([new]).touched)
    assert restored.story_of["late-new"] == held.story_of["late-flood-0"]
    assert memory.sums_read and not {held.story_of[i.article_id] for i in early} & set(
        memory.sums_read)
    # ... and it places the article as a tracker holding every sum does
    held.repair(held.add([new]).touched)
    assert held.story_of["late-new"] == restored.story_of["late-new"]


def test_a_small_story_merged_into_a_big_one_is_looked_at_without_the_big_ones_members():
    # As in test_repair_merges_stories_that_grew_together: the flights article
    # is too far from the eruption story to join it, but its story merges.
    tracker = StoryTracker(StoryParams(join=0.8, merge=0.2))
    left = "volcano eruption lava ash cloud village"
    right = "volcano flights cancelled airport ash airlines"
    big = [item(f"a-{n}", left) for n in range(12)]
    others = [item(f"{kind}-{n}", words, extra=f"{kind}{n}")
              for n in range(6) for kind, words in (("quake", QUAKE), ("strike", STRIKE))]
    tracker.add(big + others)
    tracker.repair()
    assert len({tracker.story_of[i.article_id] for i in big}) == 1
    looked_at: list[str] = []
    real = tracker._member_rows
    tracker._member_rows = lambda ids, shared: looked_at.extend(ids) or real(ids, shared=shared)
    changes = tracker.add([item("b-0", right, DAY + timedelta(days=1))])
    assert tracker.story_of["b-0"] != tracker.story_of["a-0"]
    repaired = tracker.repair(changes.touched)
    assert repaired.merged and tracker.story_of["b-0"] == tracker.story_of["a-0"]
    assert "b-0" in looked_at and not {f"a-{n}" for n in range(12)} & set(looked_at)


SHORTAGE = ("sandbags shortage warehouse volunteers donations council depot supplies "
            "lorries")


def _three_running_stories(days=20):
    """Floods, strikes and quakes reported every other day: three stories of ``days`` articles."""
    return [item(f"{name}-{k}", topic, DAY + timedelta(days=2 * k), f"{name}x{k} {name}y{k}")
            for k in range(days)
            for name, topic in (("flood", FLOOD), ("strike", STRIKE), ("quake", QUAKE))]


def _side_of_the_flood(first_day):
    # The sandbag shortage: its own words and a few of the flood's, too few
    # for either article to join the flood story, or for the two to merge.
    return [item(f"side-{k}", SHORTAGE, first_day + timedelta(days=2 * k),
                 f"kilo{k} levee rain") for k in range(2)]


@pytest.mark.parametrize("adopt_ratio, taken_in", [(0.1, True), (0.05, False), (0.0, False)])
def test_a_much_smaller_story_within_a_bigger_one_is_taken_into_it(adopt_ratio, taken_in):
    tracker = StoryTracker(StoryParams(adopt_ratio=adopt_ratio))
    tracker.add(_three_running_stories() + _side_of_the_flood(DAY + timedelta(days=10)))
    flood, side = tracker.story_of["flood-0"], tracker.story_of["side-0"]
    assert side != flood and tracker.story_of["side-1"] == side  # on arrival: apart
    changes = tracker.repair()
    # Two articles are at most a tenth of the flood's twenty; not at most a twentieth.
    assert (tracker.story_of["side-0"] == tracker.story_of["side-1"] == flood) is taken_in
    assert ((side, flood) in changes.merged) is taken_in
    # ...and nothing else is: the three stories stay three.
    assert len({tracker.story_of[f"{name}-{k}"] for k in range(20)
                for name in ("flood", "strike", "quake")}) == 3


def test_a_smaller_story_that_outlasts_a_bigger_one_is_not_taken_into_it():
    # The same shortage, reported from the flood's last day on: taking it in
    # would stretch the flood story past its end.
    tracker = StoryTracker()
    tracker.add(_three_running_stories() + _side_of_the_flood(DAY + timedelta(days=38)))
    tracker.repair()
    assert tracker.story_of["side-0"] == tracker.story_of["side-1"] != tracker.story_of[
        "flood-0"]


@pytest.mark.parametrize("day, adopted", [(10, True), (60, False)])
def test_a_lone_article_is_adopted_by_the_story_running_on_its_day(day, adopted):
    # One article on the shortage, while the flood runs or after it ended;
    # its words come back years later (so they count), beyond any story's reach.
    tracker = StoryTracker()
    lone = item("side-0", SHORTAGE, DAY + timedelta(days=day), "kilo0 levee rain")
    echo = item("echo-0", SHORTAGE, DAY + timedelta(days=3000), "kilo0")
    tracker.add(_three_running_stories() + [lone, echo])
    assert tracker.story_of["side-0"] != tracker.story_of["flood-0"]  # on arrival: alone
    tracker.repair()
    assert (tracker.story_of["side-0"] == tracker.story_of["flood-0"]) is adopted
    assert tracker.stories[tracker.story_of["flood-0"]].end == DAY + timedelta(days=38)


def test_bad_adopt_ratio_is_refused():
    with pytest.raises(ConfigError):
        StoryParams(adopt_ratio=1.0)
    with pytest.raises(ConfigError):
        StoryParams(adopt_ratio=-0.1)


CAMPAIGN = "campaign rally voters polls debate"
MORENO = "governor moreno pipeline schools veterans farm tariffs border".split()
HARLAN = "senator harlan healthcare pensions miners coal unions rail".split()


def _candidate(name, pool, person, k):
    """One day of a candidate's campaign: the campaign's words, three of the
    candidate's own issues, the candidate's name and party."""
    own = " ".join(pool[(k + j) % len(pool)] for j in range(3))
    return Item(f"{name}-{k}", DAY + timedelta(days=k),
                article_terms(f"{pool[1]} {pool[k % len(pool)]}", f"{CAMPAIGN} {own}",
                              [(person, "PERSON"), ("Republican", "NORP")]))


def _two_campaigns(bob_is_about="Bob Harlan", alice_is_about="Alice Moreno"):
    """Two candidates' campaigns, 24 days each, beside floods and strikes (so
    that the campaign's words are not in every article and still count)."""
    items = []
    for k in range(24):
        items.append(_candidate("alice", MORENO, alice_is_about, k))
        items.append(_candidate("bob", HARLAN, bob_is_about, k))
        items.append(item(f"flood-{k}", FLOOD, DAY + timedelta(days=k), f"x{k % 5}"))
        items.append(item(f"strike-{k}", STRIKE, DAY + timedelta(days=k), f"y{k % 5}"))
    return items


@pytest.mark.parametrize("subject_articles, alice_is_about, bob_is_about, one_story", [
    (20, "Alice Moreno", "Bob Harlan", False),   # two people's coverage: kept apart
    (1000, "Alice Moreno", "Bob Harlan", True),  # no story big enough to have a subject
    (20, "Alice Moreno", "Alice Moreno", True),  # both about Alice: one story on arrival
    # one man as two outlets spell him: one story
    (20, "Muammar Gaddafi", "Moammar Gadhafi", True),
])
def test_two_stories_about_different_people_are_kept_apart(subject_articles, alice_is_about,
                                                            bob_is_about, one_story):
    tracker = StoryTracker(StoryParams(subject_articles=subject_articles))
    tracker.add(_two_campaigns(bob_is_about, alice_is_about))
    alice, bob = tracker.story_of["alice-0"], tracker.story_of["bob-0"]
    if bob_is_about != alice_is_about:
        assert alice != bob  # on arrival: each candidate's story
        # ...whose centroids reach ``merge``: the words alone would make them one.
        assert tracker._similarity(tracker.stories[alice],
                                   tracker.stories[bob]) >= tracker.params.merge
    tracker.repair()
    assert (tracker.story_of["alice-0"] == tracker.story_of["bob-0"]) is one_story
    assert len({tracker.story_of[f"alice-{k}"] for k in range(24)}) == 1
    assert len({tracker.story_of[f"bob-{k}"] for k in range(24)}) == 1


def test_the_name_counts_follow_the_members_through_repairs():
    items = _two_campaigns() + _three_running_stories() + _side_of_the_flood(
        DAY + timedelta(days=10))
    tracker = StoryTracker()
    for first in range(0, len(items), 25):
        tracker.repair(tracker.add(items[first:first + 25]).touched)
    # Counted when first needed (the candidates' stories were compared), then kept.
    assert tracker.stories[tracker.story_of["alice-0"]].names is not None
    for story in tracker.stories.values():
        if story.names is None:
            continue
        counted = {}
        for article_id in story.members:
            for term in tracker.items[article_id].terms:
                if term.startswith("@"):
                    counted[term] = counted.get(term, 0) + 1
        assert story.names == counted, story.id


def test_bad_subject_thresholds_are_refused():
    with pytest.raises(ConfigError):
        StoryParams(subject_share=0.0)
    with pytest.raises(ConfigError):
        StoryParams(subject_rare=1.0)
