"""The thigh's axis from its outline (side view), where MediaPipe's hip strays: knee and
hip flexion use it, and the trunk starts from the hip moved onto it.

In a deep squat seen from the side, MediaPipe puts the hip above the joint. On the
mannequin's deep double-leg squats with a forward lean, it sat 0.16-0.21 thigh lengths
too high, which turned the thigh 11-15 deg and read knee flexion 12-15 deg short
(issue 4, seed 11 010 and 018). The pose stage keeps the direction of both edges of each
thigh per frame (pose/thigh_silhouette.py). While standing, each edge keeps a fixed
angle to the landmarks' thigh, since the thigh tapers towards the knee: 4-8 deg on the mannequin.
That angle holds at the bottom too, so each edge, turned back by it, gives the
thigh's axis.

An edge is not used where its points do not lie on one line (``max_rms_thigh_lengths``),
or where it points further from the landmarks' thigh than MediaPipe strays
(``max_from_landmarks_deg``): there the calf, folded onto the back of the thigh, or the
free leg across its front, is the outline. Of two edges far apart, the one nearer the
landmarks counts: those outlines bend further from the thigh than MediaPipe strays. A
straight edge whose partner is bent and turned the other way from the landmarks' thigh
is not used: the outline is disturbed on both sides (docs/calibration.md).
Where nothing is read, the landmarks' thigh stands.

Tracks made without the mask (older files) use the landmarks.
"""

from __future__ import annotations

import numpy as np

from ..pose.landmarks import LEFT_SHOULDER, LEG, RIGHT_SHOULDER
from ..pose.thigh_silhouette import FIELDS, N_FIELDS
from .context import ClipContext, Signals
from .geometry import flexion_deg
from .pelvis import fill_short_gaps
from .references import baseline_rows, has_evidence, nanmedian, nearest_stored

EVIDENCE_KEY = "thigh_evidence"
_F = {name: i for i, name in enumerate(FIELDS)}
_THIGHS = 2  # left, right as stored


def has_thigh_evidence(sig: Signals) -> bool:
    """The track carries per-frame thigh-outline evidence (made from the video with masks)."""
    return has_evidence(sig, EVIDENCE_KEY, N_FIELDS)


def wrap_deg(a: np.ndarray) -> np.ndarray:
    """Angles (deg) into [-180, 180)."""
    return (np.asarray(a, float) + 180.0) % 360.0 - 180.0


def image_angle_deg(vec: np.ndarray) -> np.ndarray:
    """Image angle (deg, atan2(dy, dx), y down) of vectors (..., 2)."""
    vec = np.asarray(vec, float)
    return np.degrees(np.arctan2(vec[..., 1], vec[..., 0]))


def matched_evidence(sig: Signals, leg: str, thigh_px: float, profile) -> np.ndarray:
    """(T, len(FIELDS)) evidence of ``leg``'s thigh, NaN where there is none: each frame
    takes the stored thigh whose knee lies within ``[thigh_axis] match_thigh_lengths`` of
    this leg's (repaired) knee landmark, the nearer one when both do."""
    n = len(sig.t_s)
    out = np.full((n, len(FIELDS)), np.nan)
    if not has_thigh_evidence(sig) or not np.isfinite(thigh_px) or thigh_px <= 0:
        return out
    w, h = sig.image_size
    stored = np.asarray(sig.extra[EVIDENCE_KEY], float).reshape(n, _THIGHS, len(FIELDS))
    knees = stored[:, :, [_F["knee_x"], _F["knee_y"]]] * [w, h]
    dist = np.linalg.norm(knees - sig.xy_px[:, None, LEG[leg]["knee"]], axis=-1)
    return nearest_stored(stored, dist,
                          profile.section("thigh_axis")["match_thigh_lengths"] * thigh_px)


def thigh_axis_offset_deg(sig: Signals, leg: str, base: np.ndarray, profile) -> np.ndarray:
    """(T,) how far (deg, image angle) the thigh's axis read from its outline lies from the
    landmarks' knee -> hip direction; NaN where the outline gives nothing usable."""
    n = len(sig.t_s)
    knee, hip = sig.xy_px[:, LEG[leg]["knee"]], sig.xy_px[:, LEG[leg]["hip"]]
    thigh_px = nanmedian(np.linalg.norm(hip[base] - knee[base], axis=-1))
    ev = matched_evidence(sig, leg, thigh_px, profile)
    if not np.isfinite(ev).any():
        return np.full(n, np.nan)
    p = profile.section("thigh_axis")
    landmark_deg = image_angle_deg(hip - knee)
    reads, bent = [], []
    for edge in ("edge_a", "edge_b"):
        straight = ev[:, _F[f"{edge}_rms_px"]] <= p["max_rms_thigh_lengths"] * thigh_px
        off = wrap_deg(ev[:, _F[f"{edge}_deg"]] - landmark_deg)
        # the edge's own angle to the thigh, from standing, where the landmarks hold
        off = off - nanmedian(np.where(straight, off, np.nan)[base])
        near = np.abs(off) <= p["max_from_landmarks_deg"]
        reads.append(np.where(straight & near, off, np.nan))
        bent.append(np.where(~straight & near, off, np.nan))
    a, b = reads
    both = np.isfinite(a) & np.isfinite(b)
    offset = np.where(both, (a + b) / 2, np.where(np.isfinite(a), a, b))
    gap = p["max_edge_disagreement_deg"]
    # two edges far apart: one follows the calf or the free leg, which bend the outline
    # further from the thigh than MediaPipe strays, so the edge nearer the landmarks counts
    far = both & (np.abs(a - b) > gap)
    offset[far] = np.where(np.abs(a) <= np.abs(b), a, b)[far]
    # one edge straight, the other bent and on the far side of the landmarks' thigh: the
    # outline is disturbed on both sides and the straight edge has nothing to back it
    for lone, other in ((a, bent[1]), (b, bent[0])):
        split = (lone * other < 0) & (np.abs(lone - other) > gap)
        offset[split] = np.nan
    return fill_short_gaps(offset, sig.t_s, profile.section("signals")["max_gap_s"])


def straight_leg_rows(sig: Signals, leg: str, base: np.ndarray,
                      max_flexion_deg: float) -> np.ndarray:
    """The rows of ``base`` where ``leg``'s knee and hip (landmarks; the hip against the
    shoulders' midpoint) are each bent less than ``max_flexion_deg``: the leg stands. The
    clip's standing baseline holds the frames standing on one leg too, whose free leg is
    held bent. All of ``base`` when fewer than 3 rows qualify."""
    ids = LEG[leg]
    xy = sig.xy_px[base]
    shoulders = (xy[:, LEFT_SHOULDER] + xy[:, RIGHT_SHOULDER]) / 2
    knee = flexion_deg(xy[:, ids["hip"]], xy[:, ids["knee"]], xy[:, ids["ankle"]])
    hip = flexion_deg(shoulders, xy[:, ids["hip"]], xy[:, ids["knee"]])
    with np.errstate(invalid="ignore"):
        straight = (knee < max_flexion_deg) & (hip < max_flexion_deg)
    return base[straight] if straight.sum() >= 3 else base


def thigh_direction(sig: Signals, ctx: ClipContext, leg: str, profile) -> np.ndarray:
    """(T, 2) unit knee -> hip direction of ``leg``'s thigh in the image: the outline's axis
    where it was read, the landmarks' elsewhere (and for tracks without the evidence).
    Each edge's angle to the thigh is taken from the clip's standing baseline, on both
    feet, and of those the frames with this leg straight (``straight_leg_rows``): standing
    on one leg, the free thigh is bent and may lie along the stance thigh's front."""
    knee, hip = sig.xy_px[:, LEG[leg]["knee"]], sig.xy_px[:, LEG[leg]["hip"]]
    offset = np.zeros(len(sig.t_s))
    if has_thigh_evidence(sig):
        base = straight_leg_rows(sig, leg, baseline_rows(sig, ctx),
                                 profile.section("thigh_axis")["baseline_max_flexion_deg"])
        offset = np.nan_to_num(thigh_axis_offset_deg(sig, leg, base, profile))
    angle = np.radians(image_angle_deg(hip - knee) + offset)
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)


def hip_shift_onto_thigh_px(sig: Signals, thighs: dict[str, np.ndarray]) -> np.ndarray:
    """(T, 2) shift (px) that moves the hip midpoint square onto the thighs' axes.

    MediaPipe's high hip errs *across* the thigh: moved onto the axis (the line through the
    knee along ``thighs[leg]``, (T, 2) unit directions) it keeps its place along the thigh,
    which no length constraint pins (docs/calibration.md). The mean over the legs
    is taken, as the hip midpoint is; zero where neither leg's points are known."""
    shifts = []
    for leg, direction in thighs.items():
        knee, hip = sig.xy_px[:, LEG[leg]["knee"]], sig.xy_px[:, LEG[leg]["hip"]]
        along = np.sum((hip - knee) * direction, axis=-1, keepdims=True)
        shifts.append(knee + along * direction - hip)
    shifts = np.stack(shifts)
    known = np.isfinite(shifts).all(axis=-1, keepdims=True)
    total = np.where(known, shifts, 0.0).sum(axis=0)
    return total / np.maximum(known.sum(axis=0), 1)
