"""The person's own references: standing baseline rows, foot and leg length, medial side.

Everything is normalised by the person's own body (foot lengths, leg lengths) and
compared with their own standing baseline, as CLINICAL.md asks.
"""

from __future__ import annotations

import numpy as np

from ..pose.landmarks import LEFT_HIP, LEG, RIGHT_HIP
from .context import ClipContext, Signals
from .geometry import segment_length
from .profile import as_profile


def baseline_rows(sig: Signals, ctx: ClipContext) -> np.ndarray:
    """Rows of the standing baseline: ``ctx.baseline``, else the 10 % highest-hip usable rows."""
    base = np.asarray(ctx.baseline, int)
    if base.size:
        return base
    hip_y = (sig.xy_px[:, LEFT_HIP, 1] + sig.xy_px[:, RIGHT_HIP, 1]) / 2
    ok = np.flatnonzero(np.isfinite(hip_y) & np.asarray(sig.usable, bool))
    if ok.size == 0:
        ok = np.flatnonzero(np.isfinite(hip_y))
    if ok.size == 0:
        return np.zeros(0, int)
    cut = np.percentile(hip_y[ok], 10)
    return ok[hip_y[ok] <= cut]


def foot_image_length_px(xy_px: np.ndarray, rows: np.ndarray, leg: str,
                         collapse_fraction: float) -> float:
    """Heel -> foot-index length (px) of MediaPipe's landmarks over ``rows``; NaN if unseen.

    A rigid foot's image only ever shortens: turned towards the camera, or folded by the
    model onto the other foot (on one leg with the free foot held just beside it, the
    balanced mannequin's stance foot read 20-36 px for its 46 px; sls_side_knee_heel_rolled).
    Frames under ``collapse_fraction`` of the 90th percentile are left out of the median.
    """
    ids = LEG[leg]
    length = segment_length(xy_px[rows, ids["heel"]], xy_px[rows, ids["toe"]])
    length = length[np.isfinite(length)]
    if length.size == 0:
        return float("nan")
    value = float(np.median(length[length >= collapse_fraction * np.percentile(length, 90)]))
    return value if value > 0 else float("nan")


def foot_length_px(sig: Signals, ctx: ClipContext, leg: str) -> float:
    """Heel -> foot-index length of MediaPipe's own landmarks over the standing baseline.

    MediaPipe's heel sits inside the shoe (FACTS.md), so this is ~0.8 of the true foot
    length; every offset is normalised by it and compared with its own baseline.
    """
    value = ctx.foot_length_px.get(leg)
    if value:
        return float(value)
    collapse = as_profile(None).section("measurements")["foot_collapse_fraction"]
    return foot_image_length_px(sig.xy_px, baseline_rows(sig, ctx), leg, collapse)


def leg_length_px(sig: Signals, ctx: ClipContext, leg: str) -> float:
    """Hip -> knee + knee -> ankle over the standing baseline, in pixels."""
    value = ctx.leg_length_px.get(leg)
    if value:
        return float(value)
    rows = baseline_rows(sig, ctx)
    ids = LEG[leg]
    xy = sig.xy_px[rows]
    return nanmedian(segment_length(xy[:, ids["hip"]], xy[:, ids["knee"]])
                   + segment_length(xy[:, ids["knee"]], xy[:, ids["ankle"]]))


def medial_x_sign(sig: Signals, ctx: ClipContext, leg: str) -> float:
    """Image-x direction (+1/-1) from this leg towards the body midline, front view.

    From the facing: a subject facing the camera has their left on image-right, so
    the left leg's medial direction is image-left (-1); facing away it is +1. When
    the facing is not known, the other hip's side at baseline decides.
    """
    toward_right = {"camera": -1.0, "away": 1.0}.get(ctx.facing)  # medial sign of the LEFT leg
    if toward_right is None:
        rows = baseline_rows(sig, ctx)
        dx = nanmedian(sig.xy_px[rows, RIGHT_HIP, 0] - sig.xy_px[rows, LEFT_HIP, 0])
        toward_right = float(np.sign(dx)) if np.isfinite(dx) and dx != 0 else float("nan")
    return toward_right if leg == "left" else -toward_right


def nanmedian(x: np.ndarray) -> float:
    x = np.asarray(x, float)
    if x.size == 0 or np.all(np.isnan(x)):
        return float("nan")
    return float(np.nanmedian(x))


def has_evidence(sig: Signals, key: str, n_fields: int) -> bool:
    """The track carries per-frame image evidence ``key`` (T, ``n_fields``): it was made from
    the video with the person's mask (pose/evidence.py)."""
    ev = getattr(sig, "extra", {}).get(key)
    return ev is not None and np.shape(ev) == (len(sig.t_s), n_fields)


def nearest_stored(stored: np.ndarray, dist_px: np.ndarray, max_px: float) -> np.ndarray:
    """(T, F) per frame the stored part (of ``stored`` (T, K, F), K parts as the pose stage
    labelled them) nearest this leg (``dist_px`` (T, K)) within ``max_px``; NaN elsewhere.
    Matching by place undoes the pose model's left/right swaps the signals repaired."""
    n = len(stored)
    out = np.full((n, stored.shape[2]), np.nan)
    dist = np.where(np.isfinite(dist_px), dist_px, np.inf)
    pick = np.argmin(dist, axis=1)
    rows = np.arange(n)
    near = dist[rows, pick] <= max_px
    out[near] = stored[rows[near], pick[near]]
    return out
