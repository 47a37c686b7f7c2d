"""Short dropouts: find NaN runs and bridge the short ones by linear interpolation.

A landmark that vanishes for a few frames (occlusion, motion blur) is still where
its neighbours say; a long gap is left NaN, because guessing across it would
invent motion (Sports2D/Pose2Sim interpolate gaps up to 10 frames, ~0.33 s at 30 fps).
"""

from __future__ import annotations

import numpy as np


def nan_runs(missing: np.ndarray) -> list[tuple[int, int]]:
    """Half-open ``[start, stop)`` index runs where ``missing`` is True.

    missing : (T,) bool -> list of (start, stop)

    >>> nan_runs(np.array([False, True, True, False, True]))
    [(1, 3), (4, 5)]
    """
    m = np.asarray(missing, bool).astype(np.int8)
    if m.size == 0:
        return []
    edges = np.diff(np.concatenate([[0], m, [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def finite_runs(x: np.ndarray) -> list[tuple[int, int]]:
    """Half-open runs where ``x`` (T,) is finite."""
    return nan_runs(np.isfinite(np.asarray(x, float)))


def fill_gaps(x: np.ndarray, t_s: np.ndarray, *, max_gap_s: float) -> np.ndarray:
    """Linearly bridge interior NaN runs no longer than ``max_gap_s``, per column.

    Runs touching either end of the clip are left NaN (there is nothing to
    interpolate towards). The gap length is measured between the two finite
    neighbours, so it works with uneven frame timing.

    x : (T, ...) ; t_s : (T,) -> (T, ...) copy
    """
    x = np.array(x, float, copy=True)
    flat = x.reshape(len(x), -1)
    t_s = np.asarray(t_s, float)
    for col in range(flat.shape[1]):
        v = flat[:, col]
        for start, stop in nan_runs(np.isnan(v)):
            if start == 0 or stop == len(v):
                continue
            t0, t1 = t_s[start - 1], t_s[stop]
            if t1 - t0 > max_gap_s:
                continue
            w = (t_s[start:stop] - t0) / (t1 - t0)
            v[start:stop] = v[start - 1] + w * (v[stop] - v[start - 1])
    return flat.reshape(x.shape)
