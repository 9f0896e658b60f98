"""The tier (STANDARD §6): the first tier whose thresholds the reported values meet."""

from __future__ import annotations

from collections.abc import Sequence

from ..rubric import Tier

__all__ = ["meets", "tier_for"]


def meets(tier: Tier, score: float, pillar_scores: Sequence[float | None], coverage: float) -> bool:
    """Whether reported *score*, pillar scores and *coverage* meet every threshold of *tier*."""
    return (
        score >= tier.min_score
        and (tier.min_pillar_score is None or all(p >= tier.min_pillar_score for p in pillar_scores if p is not None))
        and (tier.min_coverage is None or coverage >= tier.min_coverage)
    )


def tier_for(
    tiers: Sequence[Tier], score: float, pillar_scores: Sequence[float | None], coverage: float, disqualified: bool
) -> Tier:
    """The tier of a subject: the last one when disqualified, else the first whose thresholds are met."""
    if not disqualified:
        for t in tiers:
            if meets(t, score, pillar_scores, coverage):
                return t
    return tiers[-1]
