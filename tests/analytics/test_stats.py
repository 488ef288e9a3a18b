"""Intervals, lift and NPS against values computed by hand."""

from __future__ import annotations

import pytest

from bot.analytics.stats import Nps, Proportion, lift, wilson_interval


def test_wilson_interval_matches_the_textbook_value() -> None:
    # 8 of 10: p = .8, z = 1.96 -> centre .7167, half-width .2266 (Wilson 1927; Newcombe 1998 table I)
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and high == pytest.approx(0.1611, abs=1e-4)   # never below 0, unlike the normal interval
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_lift_over_holdout_with_a_normal_interval() -> None:
    # 30/100 vs 20/100: difference .10, se = sqrt(.3*.7/100 + .2*.8/100) = .060828, 1.96 se = .119223
    result = lift(Proportion(30, 100), Proportion(20, 100))
    assert result.difference == pytest.approx(0.10)
    assert result.interval == pytest.approx((0.10 - 0.119223, 0.10 + 0.119223), abs=1e-5)
    assert result.relative == pytest.approx(0.5) and result.enough_data


def test_small_groups_are_not_enough_data() -> None:
    assert not lift(Proportion(5, 12), Proportion(1, 10)).enough_data
    assert lift(Proportion(5, 12), Proportion(0, 0)).difference is None


def test_nps_is_promoters_minus_detractors_in_percent() -> None:
    assert Nps(promoters=5, passives=3, detractors=2).score == pytest.approx(30.0)
    assert Nps(0, 0, 0).score is None
