"""Temporal expressions in news text, resolved to calendar dates.

Four steps, one module each (``docs/temporal.md`` tells the rules with examples):

1. :mod:`.grammar` finds candidate spans with named rules built from named
   pieces (``MONTH``, ``DAY``, ``YEAR``...), and reads each into what it
   means before anchoring (:mod:`.expressions`): a date with its own year,
   a recurring one ("June 23", "Sunday", "the third quarter"), a shift
   ("two weeks ago", "the next day") or a range.
2. :mod:`.uses` drops what is not a date in this use: names ("Theresa
   May"), habits ("every August"), counts ("2008 people") and years used
   as labels ("a 2025 bond").
3. :mod:`.tense` reads the clause's tense and cues ("will", "until",
   "ago"), which say which way a yearless date points.
4. :mod:`.anchoring` picks the reference (the publication date, or the
   last date the text resolved) and the occurrence.

:class:`TemporalResolver` runs them over an article's sentences in order.
"""

from storyline.annotate.temporal.resolver import (
    Discourse,
    ResolvedExpression,
    TemporalResolver,
    score_gold,
)

__all__ = ["Discourse", "ResolvedExpression", "TemporalResolver", "score_gold"]
