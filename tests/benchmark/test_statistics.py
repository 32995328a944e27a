"""Peer statistics, against numbers worked out by hand, and the minimum group size."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmark.statistics import (
    median_or_none,
    peer_summary,
    percentile_rank,
    quartiles,
    ranks_with_ties,
)

D = Decimal


def ds(*values):
    return [D(str(v)) for v in values]


def test_quartiles_of_an_odd_group():
    # sorted 10 20 30 40 50: positions (n-1)*p = 1, 2, 3
    assert quartiles(ds(50, 10, 40, 20, 30)) == (D("20.0"), D("30.0"), D("40.0"))


def test_quartiles_of_an_even_group_interpolate():
    # sorted 10 20 30 40 50 60: positions 1.25, 2.5, 3.75 -> 22.5, 35, 47.5
    assert quartiles(ds(60, 10, 50, 20, 40, 30)) == (D("22.5"), D("35.0"), D("47.5"))


def test_the_median_of_an_even_group_is_the_mean_of_the_middle_two():
    assert median_or_none(ds(10, 20, 30, 41, 50, 60), min_size=5) == D("35.5")


def test_percentile_counts_lower_scores_and_half_of_the_ties():
    others = ds(10, 20, 30, 30, 50)
    assert percentile_rank(D(30), others) == 60  # (2 below + 2/2 equal) / 5
    assert percentile_rank(D(5), others) == 0
    assert percentile_rank(D(55), others) == 100


def test_a_group_of_four_others_is_not_shown_and_of_five_is():
    assert peer_summary(D(40), ds(10, 20, 30, 50), min_size=5) is None
    shown = peer_summary(D(40), ds(10, 20, 30, 50, 60), min_size=5)
    assert shown.size == 5
    assert (shown.lower_quartile, shown.median, shown.upper_quartile) == (
        D("20.0"),
        D("30.0"),
        D("50.0"),
    )
    assert shown.percentile == 60


def test_ranks_with_ties_share_a_rank_and_skip_the_next():
    assert ranks_with_ties(ds(90, 80, 80, 70, 95)) == [2, 3, 3, 5, 1]


scores = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)


@given(
    own=scores, others=st.lists(scores, max_size=12), min_size=st.integers(min_value=1, max_value=8)
)
def test_no_statistic_is_ever_shown_over_fewer_than_the_minimum(own, others, min_size):
    summary = peer_summary(own, others, min_size=min_size)
    median = median_or_none(others, min_size=min_size)
    if len(others) < min_size:
        assert summary is None
        assert median is None
    if summary is not None:
        assert summary.size == len(others) >= min_size
        assert summary.lower_quartile <= summary.median <= summary.upper_quartile
        assert min(others) <= summary.lower_quartile and summary.upper_quartile <= max(others)
        assert 0 <= summary.percentile <= 100


@pytest.mark.parametrize("bad", [[], ds(5)])
def test_quartiles_refuse_too_few_values(bad):
    with pytest.raises(ValueError):
        quartiles(bad)


@given(values=st.lists(scores, max_size=15), min_size=st.integers(min_value=1, max_value=8))
def test_the_fast_group_summaries_equal_the_one_by_one_summaries(values, min_size):
    from benchmark.statistics import peer_summaries

    fast = peer_summaries(values, min_size=min_size)
    for index, value in enumerate(values):
        others = values[:index] + values[index + 1 :]
        assert fast[index] == peer_summary(value, others, min_size=min_size)
