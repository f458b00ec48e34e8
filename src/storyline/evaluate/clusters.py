"""B-cubed precision, recall and F1 of a clustering against a reference (Bagga & Baldwin 1998).

For each item: precision is the share of its cluster that shares its
reference class, recall the share of its class that shares its cluster;
both are averaged over items and F1 is their harmonic mean. Unlike
purity, B-cubed punishes both merging two stories and splitting one
(Amigó et al. 2009 show it is the one common clustering metric that
satisfies all their formal constraints).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BCubed:
    precision: float
    recall: float
    items: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "items": self.items}


def bcubed(predicted: Mapping[Hashable, Hashable], reference: Mapping[Hashable, Hashable],
           *, over: Iterable[Hashable] | None = None) -> BCubed:
    """B-cubed of ``predicted`` (item -> cluster) against ``reference`` (item -> class).

    Only items in both mappings count; an item missing from ``predicted``
    should be given a cluster of its own by the caller if it is to count.
    ``over`` averages the items' scores over these items only, their
    clusters and classes still being what all items make them: the score
    of one held-out class within a whole clustering. (Cutting the mappings
    down to that class instead would make every precision 1.)
    """
    items = [item for item in reference if item in predicted]
    if over is None:
        scored = items
    else:
        wanted = set(over)
        scored = [item for item in items if item in wanted]
    if not scored:
        return BCubed(0.0, 0.0, 0)
    pairs = Counter((predicted[i], reference[i]) for i in items)
    clusters = Counter(predicted[i] for i in items)
    classes = Counter(reference[i] for i in items)
    precision = recall = 0.0
    for item in scored:
        cluster, klass = predicted[item], reference[item]
        shared = pairs[(cluster, klass)]
        precision += shared / clusters[cluster]
        recall += shared / classes[klass]
    return BCubed(precision / len(scored), recall / len(scored), len(scored))
