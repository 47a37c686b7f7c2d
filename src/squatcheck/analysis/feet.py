"""The feet from the person's outline: heel rise and the shoe tip (side view).

MediaPipe's heel landmark sits inside the shoe and rides up with the shank, so on the
mannequin a flat foot read up to 0.09 foot lengths of "rise" and a 3.8 cm lift as little
as 0.04: the landmark cannot tell them apart. Its foot index sits 0.05-0.25 foot lengths
behind the shoe tip, further when the heel is up. The pose stage keeps, per frame and
foot, the lowest person pixel under the rear and under the front of the shoe and the
front end of the shoe in the segmentation mask (``PoseTrack.extra["foot_evidence"]``,
pose/foot_silhouette.py).

- Heel rise: a lift raises the rear sole and leaves the front on the floor; a whole-foot
  or camera shift moves both, so the rise is how much the rear sole rose since standing,
  less what the front rose too (a front sole read lower than while standing is a misread
  and counts for nothing: the floor does not drop). The rear sole is read inside the
  shoe, nearer the ball of the foot than the back of the heel, so it rises less than the
  heel: its rise is scaled up by the lever arms about the ball (``heel_gain``).
- Shoe tip: where the knee is read against for "knee past toes" (CLINICAL.md).

Tracks made without the mask (older files, the live camera loop) fall back to the
landmarks (analysis/measurements.py).
"""

from __future__ import annotations

import numpy as np

from ..pose.foot_silhouette import FIELDS, N_FIELDS, REAR_BAND
from ..pose.landmarks import LEG
from .context import Signals
from .geometry import segment_length
from .pelvis import fill_short_gaps
from .references import has_evidence, nanmedian, nearest_stored

EVIDENCE_KEY = "foot_evidence"
_F = {name: i for i, name in enumerate(FIELDS)}
_FEET = 2  # left, right as stored


def has_foot_evidence(sig: Signals) -> bool:
    """The track carries per-frame foot evidence (it was made from the video with masks)."""
    return has_evidence(sig, EVIDENCE_KEY, N_FIELDS)


def matched_evidence(sig: Signals, leg: str, foot_px: float, profile) -> np.ndarray:
    """(T, len(FIELDS)) evidence of ``leg``'s foot, NaN where there is none.

    The evidence was stored per left/right foot as the model first labelled them; after
    the analysis repaired swaps, each frame takes the stored foot whose heel lies within
    ``[heel_lift] match_foot_lengths`` of this leg's heel landmark (``foot_px`` px per
    foot length).
    """
    n = len(sig.t_s)
    out = np.full((n, len(FIELDS)), np.nan)
    if not has_foot_evidence(sig) or not np.isfinite(foot_px) or foot_px <= 0:
        return out
    w = sig.image_size[0]
    feet = np.asarray(sig.extra[EVIDENCE_KEY], float).reshape(n, _FEET, len(FIELDS))
    heel_x = sig.xy_px[:, LEG[leg]["heel"], 0]
    dist = np.abs(feet[:, :, _F["heel_x"]] * w - heel_x[:, None])
    return nearest_stored(feet, dist,
                          profile.section("heel_lift")["match_foot_lengths"] * foot_px)


def heel_gain(profile, ahead_of_model_heel: float) -> float:
    """How many times its own rise the back of the heel rises, for a point of the sole
    ``ahead_of_model_heel`` along the model's heel -> foot index (0 = its heel landmark).

    A heel lift turns the rearfoot up about the ball of the foot, so each point of the
    sole rises in proportion to its distance behind the ball. The model's heel sits inside
    the shoe by what its foot misses at the back: 1 - ``mediapipe_foot_length_ratio`` -
    ``mediapipe_toe_behind_tip_foot_lengths`` (0.10 real foot lengths). The outline's rear
    band (centre 0.075 of the model's foot ahead of its heel) is 0.16 ahead of the back of
    the heel and 0.57 behind the ball: it rises 0.78 of the heel's rise, and synthetic seed
    11's single-leg lifts read 0.77-0.92 of the truth (median 0.81) before this gain.
    """
    mp = profile.section("measurements")
    ratio = mp["mediapipe_foot_length_ratio"]
    ahead = 1.0 - ratio - mp["mediapipe_toe_behind_tip_foot_lengths"] + ahead_of_model_heel * ratio
    lever = mp["heel_to_ball_foot_lengths"]
    return lever / max(lever - ahead, 0.1 * lever)


def heel_rise_foot_lengths(sig: Signals, leg: str, heel_xy_px: np.ndarray, base: np.ndarray,
                           foot_px: float, profile) -> np.ndarray:
    """(T,) rise of the back of ``leg``'s heel above standing (rows ``base``), in foot
    lengths of ``foot_px``: from the outline when the track has foot evidence, else from the
    heel landmark ``heel_xy_px`` (T, 2), which under-reads a lift and drifts with the shank."""
    if not has_foot_evidence(sig):
        return (nanmedian(heel_xy_px[base, 1]) - heel_xy_px[:, 1]) / foot_px * heel_gain(
            profile, 0.0)
    ev = matched_evidence(sig, leg, foot_px, profile)
    h = sig.image_size[1]
    gap_s = profile.section("signals")["max_gap_s"]
    rear, front = (fill_short_gaps(ev[:, _F[k]] * h / foot_px, sig.t_s, gap_s)  # y down
                   for k in ("heel_sole_y", "toe_sole_y"))
    # the rear sole's rise, less what the front rose too (the whole foot or the camera);
    # a front sole lower than while standing is a misread, not a floor that dropped (the
    # front band met the far foot while standing: held-out synthset10 013, flat feet read
    # 0.12-0.33), so it adds nothing
    lift = (nanmedian(rear[base]) - rear) - np.clip(nanmedian(front[base]) - front, 0, None)
    return lift * heel_gain(profile, float(np.mean(REAR_BAND)))


def shoe_tip_x_px(sig: Signals, leg: str, foot_px: float, profile) -> np.ndarray:
    """(T,) image x (px) of ``leg``'s shoe tip from the outline; NaN where not seen (or the
    track has no foot evidence)."""
    ev = matched_evidence(sig, leg, foot_px, profile)
    tip = ev[:, _F["tip_x"]] * sig.image_size[0]
    # the tip's rows were placed above the sole at fractions of the model's heel -> foot
    # index length: where that foot folded (under foot_collapse_fraction of standing) they
    # lie in the floor's blur, and the outline "ends" where the search began, at the
    # index, though the shoe runs on past it (0.05-0.25 foot lengths on the mannequin).
    # Held-out seed 16 095: an 18 px foot of 52, a knee 0.25 foot lengths behind the toes
    # read 0.10 past them.
    mp = profile.section("measurements")
    heel, toe = (sig.xy_px[:, LEG[leg][k]] for k in ("heel", "toe"))
    folded = ~(segment_length(heel, toe)
               >= mp["foot_collapse_fraction"] * mp["mediapipe_foot_length_ratio"] * foot_px)
    ahead = (tip - toe[:, 0]) * np.sign(toe[:, 0] - heel[:, 0])
    tip[folded & ~(ahead >= mp["min_tip_ahead_foot_lengths"] * foot_px)] = np.nan
    tip = hold_planted_tip(tip, heel[:, 0], mp["planted_tip_hold_foot_lengths"] * foot_px)
    return fill_short_gaps(tip, sig.t_s, profile.section("signals")["max_gap_s"])


def hold_planted_tip(tip_x: np.ndarray, heel_x: np.ndarray, tol_px: float) -> np.ndarray:
    """(T,) shoe tip x (px) with each unseen stretch filled by the tip seen on both sides
    of it, where those two agree within ``tol_px`` and the heel landmark's x (px) stayed
    within ``tol_px`` of both ends all through: the foot stayed planted, and a planted
    shoe's front does not move, even under a lifted heel.

    The tip is lost most at the bottom, where the knee is read against it: the model's
    foot index slides back and the foot shortens in the image, so the outline's end lies
    past where :func:`~squatcheck.pose.foot_silhouette.shoe_tip_x` looks (held-out seed
    54 room phone 118: a 33 px foot, the tip 20 px ahead of the index at the bottom of
    every rep, each one "not assessable").
    """
    x = np.asarray(tip_x, float).copy()
    seen = np.flatnonzero(np.isfinite(x))
    for a, b in zip(seen[:-1], seen[1:], strict=True):
        if b - a < 2 or abs(x[a] - x[b]) > tol_px:
            continue
        ends = heel_x[[a, b]]
        moved = np.abs(heel_x[a:b + 1, None] - ends[None, :])
        if np.isfinite(ends).all() and np.nanmax(moved) <= tol_px:
            x[a + 1:b] = (x[a] + x[b]) / 2
    return x
