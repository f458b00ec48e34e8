"""The resolver: an article's sentences in order, each expression found, read and anchored.

A :class:`Discourse` holds what one article's resolution carries from
sentence to sentence: the publication date, how the page writes numeric
dates, and the last date resolved (the anchor of "the next day").
:meth:`TemporalResolver.resolve` reads one sentence on its own, without
that memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storyline.annotate.temporal import grammar
from storyline.annotate.temporal.anchoring import Resolved, anchor, day_first
from storyline.annotate.temporal.grammar import Page
from storyline.annotate.temporal.tense import clause_tense
from storyline.model import TIMELINE_GRANULARITIES, Granularity, format_date

#: How many sentences back "the next day" may find its date: the one before
#: and the one before that; ``None`` for no limit.
ANAPHORA_REACH: int | None = 2


@dataclass(frozen=True, slots=True)
class ResolvedExpression:
    """A temporal expression found in a sentence and the date it denotes.

    ``start``/``end`` are offsets into the sentence; ``value`` is the first
    day of the month, year or other period for coarser granularities;
    ``end_value`` the last one of a range ("from March 3 to 5"), else ``None``.
    """

    start: int
    end: int
    text: str
    granularity: Granularity
    value: date
    end_value: date | None = None

    @property
    def label(self) -> str:
        return format_date(self.value, self.granularity)

    @property
    def end_label(self) -> str | None:
        return format_date(self.end_value, self.granularity) if self.end_value else None


class Discourse:
    """One article being resolved, sentence after sentence, in order."""

    def __init__(self, published: date | None, page: Page, *,
                 reach: int | None = ANAPHORA_REACH) -> None:
        if isinstance(published, datetime):
            published = published.date()
        self.published = published
        self.page = page
        self.reach = reach
        self.last: Resolved | None = None
        self._since_last = 0  # sentences read since the one that gave ``last``

    def resolve(self, sentence: str) -> list[ResolvedExpression]:
        """The sentence's temporal expressions, resolved, in text order and not overlapping."""
        self._since_last += 1
        if self.reach is not None and self._since_last > self.reach:
            self.last = None  # "the next day" does not reach back that far
        if not grammar.has_candidate(sentence):
            return []
        # The rules are written with the ASCII apostrophe; the typographic one
        # is replaced one for one, so offsets stay those of ``sentence``.
        text = sentence.replace("\u2019", "'")
        found: list[ResolvedExpression] = []
        for start, end, expression in grammar.scan(text, self.page, self.published):
            resolved = anchor(expression, self.published, self.last,
                              lambda s=start, e=end: clause_tense(text, s, e,
                                                                  possessive=_possessive(text, e)))
            if resolved is None:
                continue
            found.append(ResolvedExpression(start, end, sentence[start:end], resolved.granularity,
                                            resolved.value, resolved.end_value))
            if resolved.granularity in TIMELINE_GRANULARITIES:
                self.last = resolved
                self._since_last = 0
        return found


def _possessive(text: str, end: int) -> bool:
    return text.startswith("'s", end) or text.startswith(" 's", end)


class TemporalResolver:
    """Finds temporal expressions in news text and resolves them to dates.

    Example::

        >>> resolver = TemporalResolver()
        >>> [m.label for m in resolver.resolve("He left on Sunday.", date(2009, 5, 6))]
        ['2009-05-03']

    One resolver serves a whole run; it keeps no state between articles
    (dateparser's readings of full dates are cached for the process).
    """

    def article(self, published: date | None, *, text: str = "", url: str | None = None
                ) -> Discourse:
        """A discourse for one article: resolve its sentences with it, in order.

        ``text`` (the whole article) and ``url`` tell how the page writes
        numeric dates (:func:`~storyline.annotate.temporal.anchoring.day_first`).
        """
        return Discourse(published, Page(day_first=day_first(text, url)))

    def resolve(self, sentence: str, published: date | None) -> list[ResolvedExpression]:
        """One sentence on its own: nothing before it to anchor "the next day" on."""
        return self.article(published, text=sentence).resolve(sentence)

    def resolve_article(self, sentences: Sequence[str], published: date | None, *,
                        url: str | None = None) -> list[list[ResolvedExpression]]:
        """Each sentence's expressions, the sentences read in order as one text."""
        discourse = self.article(published, text="\n".join(sentences), url=url)
        return [discourse.resolve(sentence) for sentence in sentences]


# --------------------------------------------------------------------------
# Gold-set scoring (shared by the tests and bench/)
# --------------------------------------------------------------------------


def score_gold(
    resolver: TemporalResolver, items: Iterable[Mapping[str, Any]]
) -> tuple[int, int, list[dict[str, Any]]]:
    """Exact-match accuracy of ``resolver`` on gold items.

    Each item has ``published`` ("YYYY-MM-DD" or null), ``sentence``,
    ``expression`` (found with ``sentence.find``) and ``value`` (a date as
    :func:`~storyline.model.format_date` writes it, or null); optionally
    ``context`` (the article's sentences before this one), ``url`` and
    ``end_value`` (a range's end). An item is correct when a resolved mention
    overlapping the expression has that value (and end), or, for a null
    value, when no mention overlaps it.

    Returns ``(correct, total, failures)``; each failure is the item with
    ``got`` (the labels of the overlapping mentions) added.
    """
    correct = total = 0
    failures: list[dict[str, Any]] = []
    for item in items:
        total += 1
        sentence = item["sentence"]
        published = date.fromisoformat(item["published"]) if item.get("published") else None
        begin = sentence.find(item["expression"])
        if begin < 0:
            failures.append({**item, "got": None, "error": "expression not in sentence"})
            continue
        finish = begin + len(item["expression"])
        context = list(item.get("context") or [])
        resolved = resolver.resolve_article([*context, sentence], published,
                                            url=item.get("url"))[-1]
        labels = [_label(m) for m in resolved if m.start < finish and m.end > begin]
        expected = item.get("value")
        if expected is not None and item.get("end_value"):
            expected = f"{expected}/{item['end_value']}"
        if (expected is None and not labels) or (expected is not None and expected in labels):
            correct += 1
        else:
            failures.append({**item, "got": labels})
    return correct, total, failures


def _label(mention: ResolvedExpression) -> str:
    return f"{mention.label}/{mention.end_label}" if mention.end_value else mention.label
