"""Per-frame body features the clip-level stages (view, exercise, reps) decide on.

These are *gates*, not clinical measurements: they must work in every view, so
joint flexion comes from MediaPipe's world landmarks (3D; its depth is unreliable
in absolute terms but knee and hip flexion *changes* are robust enough to tell a
squat from a lunge), and heights come from the image, scaled by the person's leg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter

from ..pose import landmarks as L
from .context import Signals

LEGS = ("left", "right")


@dataclass
class BodyFeatures:
    """Arrays of shape (T,) unless said.

    hip_height_leg_lengths : mid-hip height above the ground (the lower ankle,
        median-smoothed over ``ground_window_s``), in leg lengths.
    leg_length_px : the person's leg (hip->knee->ankle) in pixels, the longest
        seen (90th percentile; foreshortening only ever shortens it).
    knee_flexion_deg, hip_flexion_deg : {leg: (T,)} 3D flexion from world landmarks.
    trunk_inclination_deg : (T,) unsigned 2D angle of hip-mid -> shoulder-mid to vertical.
    """

    hip_height_leg_lengths: np.ndarray
    leg_length_px: float
    leg_length_px_by_side: dict[str, float]
    knee_flexion_deg: dict[str, np.ndarray]
    hip_flexion_deg: dict[str, np.ndarray]
    trunk_inclination_deg: np.ndarray


def flexion_3d_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """180 - angle at b between b->a and b->c, for (..., 3) points (NaN propagates)."""
    u, v = a - b, c - b
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def leg_lengths_px(xy_px: np.ndarray, usable: np.ndarray) -> dict[str, float]:
    """90th percentile of hip->knee->ankle per leg over usable frames (NaN if none)."""
    out = {}
    for side in LEGS:
        leg = L.LEG[side]
        length = (np.linalg.norm(xy_px[:, leg["knee"]] - xy_px[:, leg["hip"]], axis=-1)
                  + np.linalg.norm(xy_px[:, leg["ankle"]] - xy_px[:, leg["knee"]], axis=-1))
        v = length[usable & np.isfinite(length)]
        out[side] = float(np.percentile(v, 90)) if v.size else float("nan")
    return out


def _nan_median_filter(x: np.ndarray, size: int) -> np.ndarray:
    """Running median that ignores NaN (short NaN runs take their neighbours' level)."""
    ok = np.isfinite(x)
    if not ok.any():
        return x.copy()
    idx = np.arange(len(x))
    filled = np.interp(idx, idx[ok], x[ok])
    return median_filter(filled, size=max(int(size), 1), mode="nearest")


def body_features(sig: Signals, *, ground_window_s: float) -> BodyFeatures:
    xy, world = sig.xy_px, sig.world
    usable = np.asarray(sig.usable, bool)
    legs = leg_lengths_px(xy, usable)
    finite = [v for v in legs.values() if np.isfinite(v)]
    leg_px = max(finite) if finite else float("nan")
    hip_y = (xy[:, L.LEFT_HIP, 1] + xy[:, L.RIGHT_HIP, 1]) / 2
    with np.errstate(invalid="ignore"):
        ground = np.fmax(xy[:, L.LEFT_ANKLE, 1], xy[:, L.RIGHT_ANKLE, 1])
    fs = 1.0 / np.median(np.diff(sig.t_s)) if len(sig.t_s) > 1 else 30.0
    ground = _nan_median_filter(ground, int(round(ground_window_s * fs)) | 1)
    height = (ground - hip_y) / leg_px
    height[~usable] = np.nan

    sh_w = (world[:, L.LEFT_SHOULDER] + world[:, L.RIGHT_SHOULDER]) / 2
    knee, hip = {}, {}
    for side in LEGS:
        ids = L.LEG[side]
        knee[side] = flexion_3d_deg(world[:, ids["hip"]], world[:, ids["knee"]],
                                    world[:, ids["ankle"]])
        hip[side] = flexion_3d_deg(sh_w, world[:, ids["hip"]], world[:, ids["knee"]])
    sh = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
    mid = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    seg = sh - mid
    trunk = np.degrees(np.arctan2(np.abs(seg[:, 0]), -seg[:, 1]))
    return BodyFeatures(height, float(leg_px), legs, knee, hip, trunk)
