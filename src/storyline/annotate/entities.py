"""Named entities: the recognizer where they matter, the names it found everywhere else.

spaCy's entity recognizer was most of an ingest's time (about 80 % of it on
Timeline17, issue #15). Where entities matter is known: a timeline is built
from the sentences that carry a time mention and from an article's lead
sentences (``StorylineMethod._collect``), and a reader filters the page by
the names in them. So the recognizer reads the title and those key
sentences (about a quarter of the words of a news article), and a spaCy
``PhraseMatcher`` finds the names it recognized there wherever else in the
article they occur, with the label they were given. Names that occur only
in sentences that can never reach a timeline are the ones given up; the
agreement with a full pass is measured in docs/benchmarks.md.

Each article is one batch of the recognizer: what it finds in an article
never depends on which other articles were read with it, so a serial
ingest and one spread over a cluster store the same entities.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
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


class EntityFinder:
    """Finds an article's named entities, each assigned to the sentence that holds it."""

    def __init__(self, *, model: str = SPACY_MODEL, scope: str = "key") -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown entity scope {scope!r}; expected one of {SCOPES}")
        self.model = model
        self.scope = scope
        self._open: ExitStack | None = None
        self._articles = 0

    def find(self, article_id: str, title: str, text: str, sentences: Sequence[Sentence],
             key: frozenset[int]) -> tuple[Entity, ...]:
        """The entities of one article's sentences, in text order.

        ``key`` are the indexes of the sentences the recognizer reads (with
        scope ``all`` it reads the whole text and ``key`` is not used).
        """
        nlp = load_nlp(self.model)
        self._zone(nlp)
        if self.scope == "all":
            return _assigned(nlp(text).ents, sentences, article_id)
        return self._find_key(nlp, article_id, title, sentences, key)

    def _zone(self, nlp) -> None:  # type: ignore[no-untyped-def]
        """Keep spaCy's memory flat: what it made for the last articles is freed now and then.

        Every new word adds to spaCy's vocabulary, which would grow without
        end over millions of articles; a memory zone frees what was added
        inside it. One zone spans ARTICLES_PER_ZONE articles, so that the
        tokenizer's cache still helps within it. Only plain str and int
        leave ``find``, so nothing made inside a zone is used after it.
        """
        if self._open is not None and self._articles < ARTICLES_PER_ZONE:
            self._articles += 1
            return
        if self._open is not None:
            self._open.close()
        self._open = ExitStack()
        self._open.enter_context(nlp.memory_zone())
        self._articles = 1

    def _find_key(self, nlp, article_id: str, title: str,  # type: ignore[no-untyped-def]
                  sentences: Sequence[Sentence], key: frozenset[int]) -> tuple[Entity, ...]:
        read = [s for s in sentences if s.index in key]
        docs = list(nlp.pipe([title, *(s.text for s in read)], batch_size=len(read) + 1))
        found: list[Entity] = []
        labels: dict[str, Counter[str]] = {}
        for ent in docs[0].ents:
            if ent.label_ in ENTITY_LABELS:
                labels.setdefault(ent.text, Counter())[ent.label_] += 1
        for sentence, doc in zip(read, docs[1:], strict=True):
            for ent in doc.ents:
                if ent.label_ in ENTITY_LABELS:
                    found.append(Entity(article_id, sentence.index,
                                        sentence.start + ent.start_char,
                                        sentence.start + ent.end_char, ent.text, ent.label_))
                    labels.setdefault(ent.text, Counter())[ent.label_] += 1
        rest = [s for s in sentences if s.index not in key]
        if labels and rest:
            found += _matched(nlp, labels, rest, article_id)
        found.sort(key=lambda e: (e.start, e.end))
        return tuple(found)


def _matched(nlp, labels: dict[str, Counter[str]],  # type: ignore[no-untyped-def]
             sentences: Sequence[Sentence], article_id: str) -> list[Entity]:
    """Where the recognized names occur in ``sentences``, as whole tokens.

    A name given two labels in one article keeps the one it was given most
    often (the first on a tie). Overlapping matches keep the longest name.
    """
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Span
    from spacy.util import filter_spans

    names = sorted(labels)
    matcher = PhraseMatcher(nlp.vocab)
    for number, name in enumerate(names):
        matcher.add(str(number), [nlp.make_doc(name)])
    found: list[Entity] = []
    for sentence in sentences:
        if not any(name in sentence.text for name in names):
            continue  # a substring test first: most sentences have no name at all
        doc = nlp.make_doc(sentence.text)
        spans = [Span(doc, start, end, label=match) for match, start, end in matcher(doc)]
        for span in filter_spans(spans):
            label = labels[names[int(span.label_)]].most_common(1)[0][0]
            found.append(Entity(article_id, sentence.index, sentence.start + span.start_char,
                                sentence.start + span.end_char, span.text, label))
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
