"""Camera view (front / side / oblique) and facing direction, from the landmarks.

The yaw of the body to the camera (0 deg = square-on, 90 deg = side-on) is read
two ways on standing frames and averaged:

- image: the shoulder and hip lines shrink with the cosine of the yaw, so
  ``yaw = arccos(width / torso length / square-on ratio)``; the square-on ratios
  are profile settings (what MediaPipe's shoulder and hip landmarks give a person
  facing the camera);
- world: the direction of the left->right shoulder and hip lines in MediaPipe's
  world landmarks (its depth is unreliable in metres, the direction much less so).

They are weighed by how far each can be off. The world direction carries no body
build; the image estimate does: a person whose width/torso ratio is a fraction ``e``
off the square-on ratio reads ``e * cot(yaw)`` radians off, unbounded near square-on
(a 13 % narrower build reads 30 deg for 0) and small near side-on. So the image
estimate's spread is taken as ``e * cot(yaw)`` at the world yaw, the world's as a
fixed spread, and the two are averaged with inverse-variance weights.

Standing frames only: bending forward foreshortens the torso and fakes width.
Within ``front_max_yaw_deg`` of square-on is front, within ``90 - side_min_yaw_deg``
of side-on is side, and between is oblique: there a 45 deg segment would be read
more than ~4 deg off, the size of MediaPipe's side-view error (CLINICAL.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pose import landmarks as L
from .context import Signals
from .sections import ProfileSection


@dataclass(frozen=True)
class ViewSettings(ProfileSection):
    """The ``[view]`` profile section."""

    SECTION = "view"

    square_on_shoulder_ratio: float
    square_on_hip_ratio: float
    square_on_ratio_spread: float
    world_yaw_sd_deg: float
    front_max_yaw_deg: float
    side_min_yaw_deg: float


@dataclass(frozen=True)
class ViewEstimate:
    view: str  # front | side | oblique
    facing: str  # camera | away | left | right | unknown
    facing_sign: int  # +1 faces image-right, -1 image-left, 0 not a side view
    yaw_deg: float
    yaw_image_deg: float
    yaw_world_deg: float
    facing_votes: float  # > 0 towards image-right (side/oblique) or camera (front)


def _median(x: np.ndarray) -> float:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def yaw_from_image_deg(xy_px: np.ndarray, settings: ViewSettings) -> float:
    """Median body yaw (deg, 0 = square-on) from shoulder and hip widths vs torso length."""
    sh = (xy_px[:, L.LEFT_SHOULDER] + xy_px[:, L.RIGHT_SHOULDER]) / 2
    hip = (xy_px[:, L.LEFT_HIP] + xy_px[:, L.RIGHT_HIP]) / 2
    torso = np.linalg.norm(sh - hip, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_sh = np.abs(xy_px[:, L.LEFT_SHOULDER, 0] - xy_px[:, L.RIGHT_SHOULDER, 0]) / torso
        r_hip = np.abs(xy_px[:, L.LEFT_HIP, 0] - xy_px[:, L.RIGHT_HIP, 0]) / torso
    yaws = [np.degrees(np.arccos(np.clip(_median(r) / r0, 0.0, 1.0)))
            for r, r0 in ((r_sh, settings.square_on_shoulder_ratio),
                          (r_hip, settings.square_on_hip_ratio))]
    yaws = [y for y in yaws if np.isfinite(y)]
    return float(np.mean(yaws)) if yaws else float("nan")


def yaw_from_world_deg(world: np.ndarray) -> float:
    """Median body yaw (deg) from the world left->right shoulder + hip direction."""
    v = (world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER]
         + world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP])
    return _median(np.degrees(np.arctan2(np.abs(v[:, 2]), np.abs(v[:, 0]))))


def combine_yaw_deg(yaw_image_deg: float, yaw_world_deg: float,
                    settings: ViewSettings) -> float:
    """Inverse-variance mean of the two yaw estimates (deg; NaN-tolerant).

    Image spread: ``square_on_ratio_spread * cot(yaw)`` (the arccos slope), judged at
    the world yaw, which holds no build scale; world spread: ``world_yaw_sd_deg``.
    """
    yi, yw = float(yaw_image_deg), float(yaw_world_deg)
    if not np.isfinite(yw):
        return yi
    if not np.isfinite(yi):
        return yw
    tan = np.tan(np.radians(np.clip(yw, 0.0, 89.0)))
    w_image = (tan / np.degrees(settings.square_on_ratio_spread)) ** 2
    w_world = 1.0 / settings.world_yaw_sd_deg ** 2
    return float((yi * w_image + yw * w_world) / (w_image + w_world))


def facing_votes(xy_px: np.ndarray, view: str) -> float:
    """Signed evidence of the facing direction, in torso-length units.

    Front: + when the subject's left shoulder/hip are on image-right (they face
    the camera). Side/oblique: + when nose is ahead of the ears and toes ahead
    of the heels towards image-right.
    """
    sh = (xy_px[:, L.LEFT_SHOULDER] + xy_px[:, L.RIGHT_SHOULDER]) / 2
    hip = (xy_px[:, L.LEFT_HIP] + xy_px[:, L.RIGHT_HIP]) / 2
    torso = _median(np.linalg.norm(sh - hip, axis=-1))
    if not np.isfinite(torso) or torso <= 0:
        return 0.0
    if view == "front":
        dx = (xy_px[:, L.LEFT_SHOULDER, 0] - xy_px[:, L.RIGHT_SHOULDER, 0]
              + xy_px[:, L.LEFT_HIP, 0] - xy_px[:, L.RIGHT_HIP, 0])
        return _median(dx) / torso if np.isfinite(_median(dx)) else 0.0
    ears = (xy_px[:, L.LEFT_EAR, 0] + xy_px[:, L.RIGHT_EAR, 0]) / 2
    votes = [_median(xy_px[:, L.NOSE, 0] - ears),
             _median(xy_px[:, L.LEFT_FOOT_INDEX, 0] - xy_px[:, L.LEFT_HEEL, 0]),
             _median(xy_px[:, L.RIGHT_FOOT_INDEX, 0] - xy_px[:, L.RIGHT_HEEL, 0])]
    votes = [np.sign(v) for v in votes if np.isfinite(v)]
    return float(np.sum(votes)) if votes else 0.0


def estimate_view(sig: Signals, rows: np.ndarray, settings: ViewSettings) -> ViewEstimate:
    """View and facing from the standing ``rows`` of ``sig`` (all usable rows if empty)."""
    rows = np.asarray(rows, int)
    if rows.size == 0:
        rows = np.flatnonzero(sig.usable)
    xy, world = sig.xy_px[rows], sig.world[rows]
    yi, yw = yaw_from_image_deg(xy, settings), yaw_from_world_deg(world)
    yaw = combine_yaw_deg(yi, yw, settings)
    if not np.isfinite(yaw) or yaw <= settings.front_max_yaw_deg:
        view = "front"
    elif yaw >= settings.side_min_yaw_deg:
        view = "side"
    else:
        view = "oblique"
    votes = facing_votes(xy, view)
    if view == "front":
        facing = "camera" if votes > 0 else "away" if votes < 0 else "unknown"
        sign = 0
    else:
        facing = "right" if votes > 0 else "left" if votes < 0 else "unknown"
        sign = (1 if votes > 0 else -1 if votes < 0 else 0) if view == "side" else 0
    return ViewEstimate(view, facing, sign, float(yaw), float(yi), float(yw), float(votes))
