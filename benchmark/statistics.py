"""Peer statistics: pure functions over lists of scores.

A municipality sees where it stands among the *other* submitted scans of its group: their
median and quartiles and its own percentile — never a minimum, a maximum or a single other
municipality's value, and nothing at all for a group of fewer than the minimum group size
(settings.MIN_GROUP_SIZE, 5), because a smaller group could be traced back to its members.

Quartiles are those of Python's statistics.quantiles with method="inclusive" (the same as
numpy's default and Excel's QUARTILE.INC): positions interpolate linearly between sorted values.
"""

import bisect
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class PeerSummary:
    size: int  # how many other municipalities the figures are over
    lower_quartile: Decimal
    median: Decimal
    upper_quartile: Decimal
    percentile: int  # of the own score among the others, 0–100


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    if len(values) < 2:
        raise ValueError("quartiles need at least two values")
    q1, q2, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return tuple(Decimal(q).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP) for q in (q1, q2, q3))


def percentile_rank(own: Decimal, others: list[Decimal]) -> int:
    """The share of the others that scored lower, counting a tie as half: 50 means the middle."""
    below = sum(1 for value in others if value < own)
    equal = sum(1 for value in others if value == own)
    return int(
        (Decimal(100) * (below + Decimal(equal) / 2) / len(others)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    )


def peer_summary(own: Decimal, others: list[Decimal], *, min_size: int) -> PeerSummary | None:
    """The comparison with a group, or None when it has fewer than ``min_size`` others."""
    if len(others) < max(min_size, 2):
        return None
    lower, median, upper = quartiles(others)
    return PeerSummary(
        size=len(others),
        lower_quartile=lower,
        median=median,
        upper_quartile=upper,
        percentile=percentile_rank(own, others),
    )


def median_or_none(values: list[Decimal], *, min_size: int) -> Decimal | None:
    """A median for trend lines, only over a large enough group."""
    if len(values) < max(min_size, 1):
        return None
    return Decimal(statistics.median(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def ranks_with_ties(scores: list[Decimal]) -> list[int]:
    """Competition ranks ("1, 2, 2, 4"): equal scores share a rank, the next rank skips."""
    ordered = sorted(scores, reverse=True)
    first_position = {}
    for position, score in enumerate(ordered, start=1):
        first_position.setdefault(score, position)
    return [first_position[score] for score in scores]


def peer_summaries(values: list[Decimal], *, min_size: int) -> list[PeerSummary | None]:
    """``peer_summary`` for every member of a group against the others, at the cost of one
    sort: what recomputing a whole edition needs (342 municipalities, about 20 dimensions)."""
    size = len(values) - 1  # the others of each member
    if size < max(min_size, 2):
        return [None] * len(values)
    ordered = sorted(values)

    def other(k: int, j: int) -> Decimal:  # the j-th lowest of the others of the k-th lowest
        return ordered[j] if j < k else ordered[j + 1]

    summaries = []
    for value in values:
        k = bisect.bisect_left(ordered, value)
        quarters = []
        for i in (1, 2, 3):  # statistics.quantiles(method="inclusive"), without the copy
            j, delta = divmod(i * (size - 1), 4)
            upper = other(k, j + 1) if delta else other(k, j)
            quarters.append((other(k, j) * (4 - delta) + upper * delta) / 4)
        below = k
        equal = bisect.bisect_right(ordered, value) - k - 1
        percentile = (Decimal(100) * (below + Decimal(equal) / 2) / size).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        lower, median, upper_q = (q.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP) for q in quarters)
        summaries.append(PeerSummary(size, lower, median, upper_q, int(percentile)))
    return summaries
