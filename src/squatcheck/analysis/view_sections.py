"""A clip filmed from two views: reps facing the camera, a turn, reps side-on (or turned
round: side-on facing the other way, or the back to the camera); or a recording that paused.

Clinicians screen the single-leg squat from the front (knee valgus, pelvic drop) and from
the side (knee past toes, heel lift, trunk), and people at home turn between sets in one
recording. One view for the whole clip reads the other view's reps by the wrong rules: a
front rep's knee, read as a side view's, bends 2 deg, "not a squat". So the view is read
over short windows (``estimate_view`` on each window's frames, squatting or not: front and
side stay apart while bending, only oblique readings move), and where it changes between
front and side, or the facing changes within one of them (a side view facing left, then
right: every forward distance and lean would change sign), each held for
``change_min_section_s``, the clip is cut midway between the two. Each section is then
analysed as a clip of its own: its own standing height, view, facing, baseline and reps (a
cut camera films from another distance too).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from ..pose import landmarks as L
from .context import Signals
from .view import ViewSettings, estimate_view

BODY = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
        L.LEFT_ANKLE, L.RIGHT_ANKLE]

# views and facings a part is cut on: an oblique reading shifts with the trunk's bend
SPLIT_VIEWS = {"front": ("camera", "away"), "side": ("left", "right")}


Window = tuple[float, float, tuple[str, str]]  # start s, end s, (view, facing)


def window_views(sig: Signals, settings: ViewSettings, fov_deg: float) -> list[Window]:
    """(start s, end s, (view, facing)) of each ``change_window_s`` window, stepped by half a
    window, that is four-fifths usable."""
    t = sig.t_s
    width = settings.change_window_s
    out = []
    for start in np.arange(t[0], t[-1] - width + 1e-9, width / 2):
        rows = np.flatnonzero((t >= start) & (t < start + width))
        usable = rows[sig.usable[rows]]
        if rows.size and usable.size >= 0.8 * rows.size:
            est = estimate_view(sig, usable, settings, fov_deg=fov_deg)
            out.append((float(start), float(start + width), (est.view, est.facing)))
    return out


def held_views(windows: list[Window], min_s: float) -> list[Window]:
    """Runs of overlapping windows with one front or side view and facing lasting ``min_s``
    or more."""
    runs: list[list] = []
    for start, end, view in windows:
        if runs and runs[-1][2] == view and start <= runs[-1][1]:
            runs[-1][1] = end
        else:
            runs.append([start, end, view])
    return [(s, e, v) for s, e, v in runs if v[1] in SPLIT_VIEWS.get(v[0], ()) and e - s >= min_s]


def view_cuts(sig: Signals, settings: ViewSettings, fov_deg: float) -> list[int]:
    """Row indices where a section filmed from another view begins (empty: one view)."""
    if len(sig.t_s) < 2:
        return []
    held = held_views(window_views(sig, settings, fov_deg), settings.change_min_section_s)
    width = settings.change_window_s
    return [cut_row(sig, a[1] - width, b[0] + width, settings.cut_step_ratio)
            for a, b in pairwise(held) if a[2] != b[2]]


def cut_row(sig: Signals, from_s: float, to_s: float, step_ratio: float) -> int:
    """The row that begins the new part, between ``from_s`` and ``to_s`` (the last window of
    one view and the first of the other, which may both straddle the change): at a camera's
    cut the body jumps between two frames, ``step_ratio`` times its median step or more; a
    turn in place has no such step, and is cut in the middle (any frame of the turn will
    do)."""
    rows = np.flatnonzero((sig.t_s >= from_s) & (sig.t_s <= to_s))
    middle = int(np.searchsorted(sig.t_s, (from_s + to_s) / 2))
    if rows.size < 3:
        return middle
    step = np.nanmedian(np.linalg.norm(np.diff(sig.xy_px[rows][:, BODY], axis=0), axis=-1),
                        axis=1)
    if not np.isfinite(step).any():
        return middle
    k = int(np.nanargmax(step))
    return int(rows[k + 1]) if step[k] > step_ratio * np.nanmedian(step) else middle


def sections(n_rows: int, cuts: list[int]) -> list[slice]:
    """The row slices between ``cuts`` (one slice of all rows when there are none)."""
    edges = [0, *cuts, n_rows]
    return [slice(a, b) for a, b in pairwise(edges) if b > a]


def pause_cuts(t_s: np.ndarray, max_pause_s: float) -> list[int]:
    """Row indices that begin a part after ``max_pause_s`` or more without frames (a paused
    recording, clips joined end to end): no rep can be followed across such a hole."""
    return [int(i) + 1 for i in np.flatnonzero(np.diff(t_s) >= max_pause_s)]
