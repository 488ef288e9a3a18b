"""Small, exact statistics: proportions with 95% intervals, lift over a holdout, NPS."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
# Below this many people in either group a comparison says "not enough data yet" instead of a number.
MIN_SAMPLE = 30


@dataclass(frozen=True)
class Proportion:
    successes: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.successes / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.successes, self.total)


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (sound for small samples and rates near 0 or 1)."""
    if total <= 0:
        return None
    if not 0 <= successes <= total:
        raise ValueError(f"successes must be between 0 and {total}, got {successes}")
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Lift:
    """Treated minus holdout conversion, with the normal-approximation 95% interval of the difference."""

    treated: Proportion
    holdout: Proportion
    difference: float | None
    interval: tuple[float, float] | None
    relative: float | None
    enough_data: bool


def lift(treated: Proportion, holdout: Proportion, min_sample: int = MIN_SAMPLE, z: float = Z95) -> Lift:
    enough = treated.total >= min_sample and holdout.total >= min_sample
    if not treated.total or not holdout.total:
        return Lift(treated, holdout, None, None, None, False)
    p1, p0 = treated.successes / treated.total, holdout.successes / holdout.total
    difference = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / treated.total + p0 * (1 - p0) / holdout.total)
    interval = (difference - z * se, difference + z * se)
    relative = difference / p0 if p0 else None
    return Lift(treated, holdout, difference, interval, relative, enough)


@dataclass(frozen=True)
class Nps:
    promoters: int
    passives: int
    detractors: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        """% promoters (9-10) minus % detractors (0-6), from -100 to 100."""
        if not self.answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.answers
