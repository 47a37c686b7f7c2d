"""Is the person framed so the analysis can work? Checked per frame before the set.

Plain-language problems, most important first, from one frame's landmarks:
nobody visible, feet out of frame, too close, too far, camera too oblique, and from the
front a body turned from the camera (its feet pointing aside: the analysis would set the
knee angles aside, analysis/turned_body.py).
A set starts once framing has been fine for ``ready_s`` without a break.

The limits come from the profile's ``[live_setup]`` section (units and reasons
there). "Oblique" is judged from how wide the shoulders and hips look against
the torso's length: near 0 from the side, about 0.5-0.8 from the front; the
band between is the oblique view from which CLINICAL.md says neither side nor
front findings hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.perspective import focal_length_px
from ..analysis.turned_body import toes_turn_deg
from ..pose import landmarks as L

FEET = [L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX,
        L.RIGHT_FOOT_INDEX]
TORSO = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]

NOBODY = "Step into view: nobody is visible."
FEET_OUT = "Feet out of frame: tilt the camera down or step back so both feet show."
TOO_CLOSE = "Too close: step back so there is space above your head and below your feet."
TOO_FAR = "Too far: step closer so your body fills more of the picture."
OBLIQUE = "Camera too oblique: turn so the camera sees you straight from the side or the front."
TURNED = ("Turned from the camera: face it squarely, your feet pointing at it (from the front "
          "the knee's angle needs that).")


@dataclass(frozen=True)
class FramingLimits:
    """See ``[live_setup]`` in the default profile for units and sources."""

    min_visibility: float
    edge_margin_fraction: float
    min_body_height_fraction: float
    max_body_height_fraction: float
    oblique_width_low: float
    oblique_width_high: float
    ready_s: float
    # from [knee_valgus], [measurements] and [reps]: the analysis's own turned-body limit
    turned_max_feet_deg: float = 12.0
    toe_ahead_leg_lengths: float = 0.23
    camera_fov_deg: float = 50.0
    free_foot_elevation_front_leg_lengths: float = 0.06

    @classmethod
    def from_profile(cls, profile=None) -> FramingLimits:
        from ..analysis.profile import as_profile

        prof = as_profile(profile)
        sections = [prof.section(n) for n in ("live_setup", "knee_valgus", "measurements",
                                              "reps")]
        return cls(**{name: next(s[name] for s in sections if name in s)
                      for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Framing:
    """One frame's verdict: ``problems`` in order of importance (empty = fine)."""

    problems: tuple[str, ...]
    body_height_fraction: float | None = None
    width_ratio: float | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_framing(landmarks: np.ndarray | None, image_size: tuple[int, int],
                  limits: FramingLimits) -> Framing:
    """Framing problems in one frame.

    Parameters
    ----------
    landmarks : ndarray of shape (33, 5) or None
        Normalised x, y, z, visibility, presence of the subject (None: nobody found).
    image_size : (width, height) in pixels
    """
    if landmarks is None or not np.isfinite(landmarks[:, :2]).all():
        return Framing((NOBODY,))
    w, h = image_size
    xy = landmarks[:, :2]
    vis = landmarks[:, 3]
    if (vis[TORSO] < limits.min_visibility).all():
        return Framing((NOBODY,))
    problems = []
    m = limits.edge_margin_fraction
    feet = xy[FEET]
    feet_inside = ((feet > m) & (feet < 1 - m)).all(axis=1)
    if not feet_inside.all() or (vis[FEET] < limits.min_visibility).sum() > 2:
        problems.append(FEET_OUT)
    top = min(xy[L.NOSE, 1], xy[[L.LEFT_EAR, L.RIGHT_EAR], 1].min())
    bottom = xy[FEET, 1].max()
    height = float(bottom - top) * 1.1  # nose/ears to soles: add the top of the head
    head_cut = top < m
    if height > limits.max_body_height_fraction or (head_cut and FEET_OUT in problems):
        problems.append(TOO_CLOSE)
    elif height < limits.min_body_height_fraction:
        problems.append(TOO_FAR)
    px = xy * np.array([w, h], float)
    shoulders = np.linalg.norm(px[L.LEFT_SHOULDER] - px[L.RIGHT_SHOULDER])
    hips = np.linalg.norm(px[L.LEFT_HIP] - px[L.RIGHT_HIP])
    torso = np.linalg.norm(px[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(0)
                           - px[[L.LEFT_HIP, L.RIGHT_HIP]].mean(0))
    ratio = float((shoulders + hips) / 2 / max(torso, 1e-6))
    if limits.oblique_width_low < ratio < limits.oblique_width_high:
        problems.append(OBLIQUE)
    elif ratio >= limits.oblique_width_high and FEET_OUT not in problems:
        turn = _feet_turn_deg(px, (w, h), limits)
        if abs(turn) > limits.turned_max_feet_deg:
            problems.append(TURNED)
    return Framing(tuple(problems), height, ratio)


def _feet_turn_deg(px: np.ndarray, image_size: tuple[int, int],
                   limits: FramingLimits) -> float:
    """From the front, the turn (deg) the toes show beside their ankles in this frame, as
    the analysis reads it standing (analysis/turned_body.py; the person assumed to face
    the camera; NaN on one foot): past the analysis's limit its knee angles would be set
    aside."""
    legs = [L.LEG[side] for side in ("left", "right")]
    side = np.mean([px[leg["toe"], 0] - px[leg["ankle"], 0] for leg in legs])
    from_centre = np.mean([px[leg["toe"], 0] for leg in legs]) - image_size[0] / 2
    leg_px = np.mean([np.linalg.norm(px[leg["knee"]] - px[leg["hip"]])
                      + np.linalg.norm(px[leg["ankle"]] - px[leg["knee"]]) for leg in legs])
    rise = abs(px[legs[0]["ankle"], 1] - px[legs[1]["ankle"], 1])
    if rise > limits.free_foot_elevation_front_leg_lengths * leg_px:
        return float("nan")  # on one leg: the free foot's toe hangs anywhere
    fov = limits.camera_fov_deg
    focal = focal_length_px(image_size, fov) if fov else np.inf
    return toes_turn_deg(float(side), float(from_centre), float(leg_px),
                         limits.toe_ahead_leg_lengths, focal, 1.0)


class SetupGate:
    """Holds the set back until framing has been fine for ``ready_s`` in a row."""

    def __init__(self, limits: FramingLimits):
        self.limits = limits
        self.ok_since: float | None = None
        self.ready = False
        self.ready_at_s: float | None = None
        self.last = Framing((NOBODY,))

    def update(self, t_s: float, framing: Framing) -> bool:
        """Feed one frame's framing; returns True once the set may start (and stays True)."""
        self.last = framing
        if self.ready:
            return True
        if not framing.ok:
            self.ok_since = None
            return False
        self.ok_since = t_s if self.ok_since is None else self.ok_since
        if t_s - self.ok_since >= self.limits.ready_s:
            self.ready, self.ready_at_s = True, t_s
        return self.ready

    def progress_at(self, t_s: float) -> float:
        """0..1: how far through the ``ready_s`` countdown (for the setup screen)."""
        if self.ready:
            return 1.0
        if self.ok_since is None or self.limits.ready_s <= 0:
            return 0.0
        return float(np.clip((t_s - self.ok_since) / self.limits.ready_s, 0.0, 1.0))
