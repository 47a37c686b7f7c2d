"""Robust summaries of a landmark signal around one moment of a rep.

The per-rep decisions (stance, squat or not) read a landmark's position near the rep's
start, bottom or end; a landmark lost there (NaN) or thrown off to infinity by a ratio
must not decide anything, so these ignore every value that is not finite.
"""

from __future__ import annotations

import numpy as np


def time_window(t_s: np.ndarray, centre: int, half_s: float) -> slice:
    """Rows of ``t_s`` within ``half_s`` seconds of row ``centre`` (at least one)."""
    lo = int(np.searchsorted(t_s, t_s[centre] - half_s, "left"))
    hi = int(np.searchsorted(t_s, t_s[centre] + half_s, "right"))
    return slice(lo, max(hi, lo + 1))


def finite_median(x: np.ndarray) -> float:
    """Median of the finite values of ``x`` (NaN if none)."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def finite_max(x: np.ndarray) -> float:
    """Largest finite value of ``x`` (NaN if none)."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.max(x)) if x.size else float("nan")


def near_median(x: np.ndarray, t_s: np.ndarray, centre: int, half_s: float) -> float:
    """Median of ``x`` within ``half_s`` of row ``centre``, widening (x2, x4) when the
    landmark was lost there."""
    for k in (1, 2, 4):
        v = finite_median(x[time_window(t_s, centre, half_s * k)])
        if np.isfinite(v):
            return v
    return float("nan")
