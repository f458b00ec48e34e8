"""Named entities: the recognizer where they matter, the names it found everywhere else.

spaCy's entity recognizer was most of an ingest's time (about 80 % of it on
Timeline17, issue #15). Where entities matter is known: a timeline is built
from the sentences that carry a time mention and from an article's lead
sentences (``StorylineMethod._collect``), and a reader filters the page by
the names in them. So the recognizer reads the title and those key
sentences (about a quarter of the words of a news article), and the names
it recognized there are found, as whole words, wherever else in the
article they occur, with the label they were given (``_matched``). Names that occur only
in sentences that can never reach a timeline are the ones given up; the
agreement with a full pass is measured in docs/benchmarks.md.

The recognizer reads the key sentences of several articles in one batch
(faster), but what it finds in a sentence never depends on the sentences
read with it, so a serial ingest and one spread over a cluster store the
same entities.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache

from storyline.annotate.sentences import SPACY_MODEL
from storyline.errors import ModelError
from storyline.model import Entity, Sentence

log = logging.getLogger(__name__)

#: Entity labels kept: names of things. Dates, numbers and amounts are left
#: to the temporal resolver or are not entities a reader filters by.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)
#: Leading sentences that can enter a timeline without a time mention (as
#: the ``storyline`` method's ``lead_sentences``).
LEAD_SENTENCES = 3
#: ``key``: the recognizer on the title and key sentences, names matched
#: elsewhere; ``all``: the recognizer on the whole text (slower, for comparison).
SCOPES = ("key", "all")
#: Articles between two releases of what spaCy allocated (see ``EntityFinder._zone``).
ARTICLES_PER_ZONE = 256
#: Sentences per batch of the recognizer (64 was fastest of 32 to 1,000 on Timeline17).
RECOGNIZER_BATCH = 64
#: Texts (titles, key sentences) whose recognized names a process keeps: a
#: wire story's sentences, rerun word for word by other outlets, are
#: recognized once. What the recognizer finds in a text depends on nothing
#: else, so the names are the same.
RECOGNIZED_KEPT = 20_000
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


@cache
def load_nlp(model: str = SPACY_MODEL):  # -> spacy.Language
    """The entity recognizer's spaCy pipeline, loaded once per process.

    spaCy is imported here, lazily: it is slow to import and annotating
    without entities does not need it. Its matrix products go to numpy's
    BLAS rather than the bundled BLIS: about 30 % faster on this kind of
    machine, with the same entities (measured on 3,000 Timeline17 sentences).
    BLAS gets one thread: the recognizer's matrices are small, and threads
    that spin waiting for each other cost more than they bring, worst of
    all beside other workers (parallel work is spread over processes).
    """
    import spacy
    from thinc.api import NumpyOps, set_current_ops
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    set_current_ops(NumpyOps(use_blis=False))
    try:
        return spacy.load(model, exclude=list(_UNUSED_COMPONENTS))
    except OSError as exc:
        raise ModelError(
            f"the spaCy model {model!r} is not installed ({exc}); run `make install`, "
            f"which installs it from requirements-model.txt"
        ) from None


def key_sentences(count: int, mentioned: Iterable[int],
                  lead: int = LEAD_SENTENCES) -> frozenset[int]:
    """Indexes of the sentences that can enter a timeline: the lead and those with a date."""
    return frozenset(range(min(lead, count))) | frozenset(i for i in mentioned if 0 <= i < count)


@dataclass(frozen=True, slots=True)
class EntityInput:
    """What the recognizer needs of one article: its title, text and annotated sentences.

    ``key`` are the indexes of the sentences the recognizer reads (with
    scope ``all`` it reads the whole text and ``key`` is not used).
    """

    article_id: str
    title: str
    text: str
    sentences: Sequence[Sentence]
    key: frozenset[int]


class EntityFinder:
    """Finds articles' named entities, each assigned to the sentence that holds it."""

    def __init__(self, *, model: str = SPACY_MODEL, scope: str = "key") -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown entity scope {scope!r}; expected one of {SCOPES}")
        self.model = model
        self.scope = scope
        self._open: ExitStack | None = None
        self._articles = 0
        #: text -> the names recognized in it, least recently used first.
        self._recognized: OrderedDict[str, Recognized] = OrderedDict()

    def find(self, article_id: str, title: str, text: str, sentences: Sequence[Sentence],
             key: frozenset[int]) -> tuple[Entity, ...]:
        """The entities of one article's sentences, in text order."""
        return self.find_many([EntityInput(article_id, title, text, sentences, key)])[0]

    def find_many(self, inputs: Sequence[EntityInput]) -> list[tuple[Entity, ...]]:
        """The entities of each article's sentences, in text order, one tuple per input.

        The recognizer reads the key sentences of all the articles in
        batches of RECOGNIZER_BATCH: about 30 % faster than one batch per
        article. What it finds in a sentence does not depend on the batch
        (checked on 5,707 Timeline17 sentences: the same entities in
        batches of 1, one article's sentences, 64 and 256; and by
        ``test_entities_do_not_depend_on_the_articles_read_with_them``), so
        a serial ingest and a cluster's still store the same entities.
        """
        nlp = load_nlp(self.model)
        self._zone(nlp, len(inputs))
        if self.scope == "all":
            return [_assigned(doc.ents, item.sentences, item.article_id)
                    for item, doc in zip(inputs, nlp.pipe([i.text for i in inputs],
                                                          batch_size=RECOGNIZER_BATCH),
                                         strict=True)]
        read = [[s for s in item.sentences if s.index in item.key] for item in inputs]
        texts = [text for item, chosen in zip(inputs, read, strict=True)
                 for text in (item.title, *(s.text for s in chosen))]
        names = iter(self._recognize(nlp, texts))
        found: list[tuple[Entity, ...]] = []
        for item, chosen in zip(inputs, read, strict=True):
            title = next(names)
            sentence_names = [next(names) for _ in chosen]
            found.append(_recognized(item, title, list(zip(chosen, sentence_names, strict=True))))
        return found

    def _recognize(self, nlp,  # type: ignore[no-untyped-def]
                   texts: Sequence[str]) -> list[Recognized]:
        """The names the recognizer finds in each text; texts seen lately are not read again."""
        kept = self._recognized
        unread = list(dict.fromkeys(text for text in texts if text not in kept))
        for text, doc in zip(unread, nlp.pipe(unread, batch_size=RECOGNIZER_BATCH),
                             strict=True):
            kept[text] = tuple((ent.start_char, ent.end_char, ent.text, ent.label_)
                               for ent in doc.ents)
        found = []
        for text in texts:
            kept.move_to_end(text)
            found.append(kept[text])
        while len(kept) > RECOGNIZED_KEPT:
            kept.popitem(last=False)
        return found

    def _zone(self, nlp, articles: int) -> None:  # type: ignore[no-untyped-def]
        """Keep spaCy's memory flat: what it made for the last articles is freed now and then.

        Every new word adds to spaCy's vocabulary, which would grow without
        end over millions of articles; a memory zone frees what was added
        inside it. One zone spans about ARTICLES_PER_ZONE articles, so that
        the tokenizer's cache still helps within it. Only plain str and int
        leave ``find_many``, so nothing made inside a zone is used after it.
        """
        if self._open is not None and self._articles < ARTICLES_PER_ZONE:
            self._articles += articles
            return
        if self._open is not None:
            self._open.close()
        self._open = ExitStack()
        self._open.enter_context(nlp.memory_zone())
        self._articles = articles


#: What the recognizer found in one text: (start, end, text, label) of each name.
Recognized = tuple[tuple[int, int, str, str], ...]


def _recognized(item: EntityInput, title: Recognized,
                read: Sequence[tuple[Sentence, Recognized]]) -> tuple[Entity, ...]:
    """One article's entities: the recognizer's in its key sentences, matched in the rest.

    ``title`` is what the recognizer found in the title, ``read`` the
    (sentence, what it found there) pairs of the key sentences.
    """
    found: list[Entity] = []
    labels: dict[str, Counter[str]] = {}
    for _, _, text, label in title:
        if label in ENTITY_LABELS:
            labels.setdefault(text, Counter())[label] += 1
    for sentence, names in read:
        for start, end, text, label in names:
            if label in ENTITY_LABELS:
                found.append(Entity(item.article_id, sentence.index, sentence.start + start,
                                    sentence.start + end, text, label))
                labels.setdefault(text, Counter())[label] += 1
    rest = [s for s in item.sentences if s.index not in item.key]
    if labels and rest:
        found += _matched(labels, rest, item.article_id)
    found.sort(key=lambda e: (e.start, e.end))
    return tuple(found)


def _matched(labels: dict[str, Counter[str]], sentences: Sequence[Sentence],
             article_id: str) -> list[Entity]:
    """Where the recognized names occur in ``sentences``, as whole words.

    A name given two labels in one article keeps the one it was given most
    often (the first on a tie). Matches never overlap: reading left to
    right, the longest name that starts at a place is taken, and the search
    goes on after it. One regular expression of all the names, longest
    first, with word boundaries on both sides: what spaCy's PhraseMatcher
    found before (whole tokens), without tokenizing every sentence, which
    cost a quarter of the entity time. On 596 Timeline17 articles the two
    find the same 26,237 names; this finds 25 more, where spaCy's
    tokenizer keeps a name inside a longer token ("U.S." in "U.S.-British").
    """
    names = sorted(labels, key=lambda name: (-len(name), name))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
    chosen = {name: labels[name].most_common(1)[0][0] for name in names}
    found: list[Entity] = []
    for sentence in sentences:
        for match in pattern.finditer(sentence.text):
            found.append(Entity(article_id, sentence.index, sentence.start + match.start(),
                                sentence.start + match.end(), match.group(), chosen[match.group()]))
    return found


def _assigned(ents, sentences: Sequence[Sentence],  # type: ignore[no-untyped-def]
              article_id: str) -> tuple[Entity, ...]:
    """The entities of a whole-text pass, each in the sentence that holds all of it.

    The recognizer does not see our sentence boundaries, so an entity that
    runs across one (rare: line breaks already stop it) is dropped rather
    than given to either sentence.
    """
    starts = [sentence.start for sentence in sentences]
    found: list[Entity] = []
    for ent in ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        index = bisect_right(starts, ent.start_char) - 1
        if index >= 0 and ent.end_char <= sentences[index].end:
            found.append(Entity(article_id, index, ent.start_char, ent.end_char, ent.text,
                                ent.label_))
    return tuple(found)
