"""Pure angle and distance maths on image points, vectorised over time.

Points are arrays of shape (..., 2) in pixels of the upright frame: x right, y DOWN.
Every function propagates NaN (a missing landmark gives a NaN result, never a guess).
"""

from __future__ import annotations

import numpy as np

_UP = np.array([0.0, -1.0])  # image "up" (y grows downwards)


def _unit_angle_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    dot = np.sum(u * v, axis=-1)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Interior angle at ``b`` between b->a and b->c, in degrees (0..180).

    a, b, c : (..., 2) -> (...,)

    >>> float(joint_angle_deg(np.array([0., 0]), np.array([0., 1]), np.array([1., 1])))
    90.0
    """
    return _unit_angle_deg(np.asarray(a, float) - b, np.asarray(c, float) - b)


def flexion_deg(proximal: np.ndarray, joint: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Flexion = 180 - interior angle: 0 when the three points are in a straight line.

    Knee: hip, knee, ankle. Hip: shoulder, hip, knee (the trunk-thigh angle).
    """
    return 180.0 - joint_angle_deg(proximal, joint, distal)


def level(vec: np.ndarray, roll_deg: float | None) -> np.ndarray:
    """Image vectors (..., 2) as a level camera would have shown them.

    ``roll_deg``: the camera's roll, + when the room's verticals lean with their tops to
    image-right (pose/camera_roll.py). 0 or None (not measured) returns ``vec`` as it is.
    """
    vec = np.asarray(vec, float)
    if not roll_deg:
        return vec
    c, s = np.cos(np.radians(roll_deg)), np.sin(np.radians(roll_deg))
    return np.stack([vec[..., 0] * c + vec[..., 1] * s, vec[..., 1] * c - vec[..., 0] * s],
                    axis=-1)


def level_points(xy: np.ndarray, centre_px, roll_deg: float | None, pitch_deg: float = 0.0,
                 focal_px: float = 0.0) -> np.ndarray:
    """Image points (..., 2) px as a level camera in the same place would show them: the
    roll undone about the image centre ``centre_px`` (``level``), then, given the focal
    length, the pitch (+ = the camera looked down): each point's ray turned up by it and
    projected again. A camera turned about its own centre moves every point by the same
    homography, whatever its depth, so a side view's sagittal plane, square to the level
    camera, shows its true angles; pitched, its verticals are foreshortened and converge.
    The output keeps the image's scale at its centre, not its place: use it for angles."""
    c = np.asarray(centre_px, float)
    p = level(np.asarray(xy, float) - c, roll_deg)
    if not pitch_deg or focal_px <= 0:
        return p + c
    t = np.radians(pitch_deg)
    down = p[..., 1] * np.cos(t) + focal_px * np.sin(t)
    depth = focal_px * np.cos(t) - p[..., 1] * np.sin(t)
    return np.stack([p[..., 0], down], axis=-1) * (focal_px / depth)[..., None] + c


def inclination_deg(lower: np.ndarray, upper: np.ndarray, forward_sign: float,
                    roll_deg: float | None = None) -> np.ndarray:
    """Angle of the segment lower->upper from the upward vertical, in degrees.

    Signed + when ``upper`` is ahead of ``lower`` along image x * ``forward_sign``
    (+1 = the person faces image-right, -1 = image-left). With ``forward_sign`` 0 the
    angle is unsigned (0..180). Tibia: ankle->knee; trunk: hip-mid->shoulder-mid.
    The vertical is the world's: a camera roll of ``roll_deg`` is undone (``level``).
    """
    seg = level(np.asarray(upper, float) - lower, roll_deg)
    mag = _unit_angle_deg(seg, np.broadcast_to(_UP, seg.shape))
    if forward_sign == 0:
        return mag
    return np.where(seg[..., 0] * forward_sign < 0, -mag, mag)


def lateral_inclination_deg(lower: np.ndarray, upper: np.ndarray,
                            toward_x_sign: np.ndarray | float) -> np.ndarray:
    """Signed angle of lower->upper from vertical, + when it leans toward image x * sign.

    Front view trunk lean: lower = hip midpoint, upper = shoulder midpoint.
    """
    seg = np.asarray(upper, float) - lower
    return np.degrees(np.arctan2(seg[..., 0] * toward_x_sign, -seg[..., 1]))


def line_tilt_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle of the line a-b to the horizontal, + when ``b`` is LOWER in the image than ``a``.

    Independent of which side ``b`` is on: used for pelvic obliquity (a = stance hip,
    b = free hip: + = free side down) and the foot pitch (a = toe, b = heel gives
    - when the heel is up, so call it as (heel, toe) for + = heel up).
    """
    d = np.asarray(b, float) - a
    return np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0])))


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
             medial_x_sign: np.ndarray | float) -> np.ndarray:
    """Frontal plane projection angle: thigh (hip->knee) vs shank (knee->ankle), degrees.

    + when the knee lies medial of the hip-ankle line (valgus), - when lateral (varus).
    ``medial_x_sign`` is the image-x direction of the body midline from this leg
    (+1 or -1): for a subject facing the camera their LEFT leg is on image-right,
    so its medial direction is -1 (image-left).

    hip, knee, ankle : (..., 2); medial_x_sign : scalar or (...,) -> (...,)
    """
    hip, knee, ankle = (np.asarray(p, float) for p in (hip, knee, ankle))
    angle = _unit_angle_deg(knee - hip, ankle - knee)
    line = ankle - hip
    # x of the hip-ankle line at the knee's height (fallback: knee's own x if degenerate)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(np.abs(line[..., 1]) > 1e-9, (knee[..., 1] - hip[..., 1]) / line[..., 1],
                        np.nan)
    line_x = hip[..., 0] + frac * line[..., 0]
    side = np.sign((knee[..., 0] - line_x) * medial_x_sign)
    return np.where(side < 0, -angle, angle)


def forward_offset(a: np.ndarray, b: np.ndarray, forward_sign: float,
                   roll_deg: float | None = None) -> np.ndarray:
    """Horizontal distance of ``a`` ahead of ``b`` along the facing direction (pixels),
    level with the floor: a camera roll of ``roll_deg`` is undone (``level``)."""
    return level(np.asarray(a, float) - b, roll_deg)[..., 0] * forward_sign


def heel_up_rotation(point: np.ndarray, pivot: np.ndarray, heel_up_deg: float,
                     forward_sign: float) -> np.ndarray:
    """``point`` turned about ``pivot`` the way a heel lift turns the rearfoot (up about
    the planted forefoot) by ``heel_up_deg``, for a person facing image-x *
    ``forward_sign``. point, pivot : (2,) px -> (2,) px

    >>> np.round(heel_up_rotation(np.array([0., 0]), np.array([10., 0]), 90.0, 1), 6)
    array([ 10., -10.])
    """
    a = np.radians(heel_up_deg) * forward_sign
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    pivot = np.asarray(pivot, float)
    return pivot + rot @ (np.asarray(point, float) - pivot)


def rearfoot_pitch_deg(heel_rise_foot_lengths, heel_to_ball_foot_lengths: float) -> np.ndarray:
    """Angle (deg) the rearfoot turns up about the ball of the foot for a heel rise (foot
    lengths); a heel that did not rise (or reads below 0) gives 0."""
    return np.degrees(np.arcsin(np.clip(np.asarray(heel_rise_foot_lengths, float)
                                        / heel_to_ball_foot_lengths, 0.0, 1.0)))


def segment_length(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(b, float) - a, axis=-1)


def persistent_max(x: np.ndarray, n: int) -> tuple[float, int]:
    """Largest level that ``x`` holds for ``n`` consecutive samples, and its centre index.

    For each window of ``n`` samples take its minimum (NaN if any sample is NaN);
    return the largest of these and the index of that window's centre. A single
    spike cannot pass; a sustained rise does. Returns (nan, -1) if no full window.

    x : (T,), n >= 1
    """
    x = np.asarray(x, float)
    n = max(int(n), 1)
    if x.size < n:
        return float("nan"), -1
    windows = np.lib.stride_tricks.sliding_window_view(x, n)
    lows = windows.min(axis=1)  # NaN propagates: a gap breaks persistence
    if np.all(np.isnan(lows)):
        return float("nan"), -1
    i = int(np.nanargmax(lows))
    return float(lows[i]), i + n // 2


def window_median(x: np.ndarray, centre: int, half: int) -> float:
    """NaN-ignoring median of ``x[centre-half : centre+half+1]`` (NaN if all missing)."""
    x = np.asarray(x, float)
    lo, hi = max(centre - half, 0), min(centre + half + 1, len(x))
    part = x[lo:hi]
    if part.size == 0 or np.all(np.isnan(part)):
        return float("nan")
    return float(np.nanmedian(part))
