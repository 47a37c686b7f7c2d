"""Undo the camera's perspective on one leg seen from the front (docs/perspective.md).

A camera magnifies what is nearer to it. In a squat seen from the front the knee comes
a thigh's length towards (or away from) the camera while the hip and ankle stay back,
so the knee's image is pushed away from the middle of the picture and its frontal angle
(FPPA) changes with where the body stands in the frame: on a phone's wide lens by up to
9 deg either way (synthetic set with exact joints). The angle that describes the body is
the one in its frontal plane, as a camera far away would film it: what this returns.

How: a segment shortens in the image as it turns towards the camera; with its standing
length known, its depth is what the missing length takes (scaled orthography, Taylor 2000).
The knee lies ahead of the hip and the ankle behind the knee in any squat, which fixes the
signs. A point ``n`` pixels (at the hip's scale) nearer than the hip is magnified by
``f / (f - n)`` about the image centre, ``f`` the focal length in pixels. Undone, with the
segment's image and depth making up its standing length, ``n`` is the root of a quadratic:
no iteration.

A camera looking down (or up) sees the frontal plane at a slant: the knee that comes
towards it also moves down (up) in the picture, which lengthens the thigh's image and
folds the angle (held-out seed 34, a phone 9 deg down: a true 20 deg read 16 with exact
joints and the lens undone). With the depths solved above and the camera's pitch (from
the room's converging verticals, pose/camera_roll.py), each point is turned back to what
a level camera sees.

The focal length is not in the video: it comes from the profile's field of view
([measurements] ``camera_fov_deg``; docs/perspective.md says how it was chosen).

``levelled_px`` turns any image point level the same way (roll, then pitch), with no depth
needed: the side view's trunk and shin lean are read on it.
"""

from __future__ import annotations

import numpy as np

from ..pose.camera_roll import camera_pitch_deg
from .context import Signals
from .geometry import level, level_points


def focal_length_px(image_size: tuple[int, int], fov_deg: float) -> float:
    """Focal length in pixels of a camera seeing ``fov_deg`` across the image's long side."""
    return max(image_size) / 2 / np.tan(np.radians(fov_deg) / 2)


def levelled_px(sig: Signals, points: np.ndarray, fov_deg: float) -> np.ndarray:
    """Image points (..., 2) px as a level camera sees them (``geometry.level_points``): the
    roll the room's verticals showed undone, and their pitch too when they showed it, for a
    lens of ``fov_deg`` (none: the roll alone). For angles to the vertical from the side: a
    phone on the floor looking up 17-27 deg read the forward trunk lean +5 deg (held-out
    seed 69), the shoulders farther and the vertical foreshortened."""
    pitch = (camera_pitch_deg(sig.camera_slope_deg_per_side, fov_deg)
             if sig.camera_slope_deg_per_side is not None and fov_deg > 0 else 0.0)
    focal = focal_length_px(sig.image_size, fov_deg) if fov_deg > 0 else 0.0
    return level_points(points, np.asarray(sig.image_size, float) / 2, sig.camera_roll_deg,
                        pitch, focal)


def orthographic_leg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, *,
                     thigh_px: float, shank_px: float, focal_px: float,
                     centre_px: np.ndarray, toward_camera: float,
                     near_hint_px: tuple[np.ndarray, np.ndarray] | None = None,
                     pitch_deg: float = 0.0, roll_deg: float | None = None):
    """Hip, knee and ankle as a level camera at the hip's distance without perspective
    sees them.

    hip, knee, ankle : (T, 2) image pixels; thigh_px, shank_px : standing image lengths
    (the leg straight and square to the camera); centre_px : (2,) the image centre;
    toward_camera : +1 when the person faces the camera (the knee comes nearer), -1 when
    they face away. near_hint_px : two (T,) arrays, how much nearer the camera than the
    hip the knee and the ankle are, pixels at the hip's scale, from the pose model's own
    depth (see ``_nearness``); None takes the smaller depth. pitch_deg : the camera's
    pitch, + looking down; roll_deg : its roll (``geometry.level``), undone first when
    the pitch is turned back. Returns three (T, 2) arrays; the hip is left where it is
    (its depth is the reference).
    """
    hip, knee, ankle = (np.asarray(p, float) for p in (hip, knee, ankle))
    c = np.asarray(centre_px, float)
    f = float(focal_px)
    knee_hint, ankle_hint = near_hint_px if near_hint_px is not None else (0.0, None)
    knee_near = _nearness(knee - hip, knee - c, thigh_px, f, toward_camera, knee_hint)
    knee_out = c + (knee - c) * (1 - knee_near / f)[:, None]
    # the ankle relative to the corrected knee, its nearness counted from the knee's
    shank = ankle - knee_out - (knee_near / f)[:, None] * (ankle - c)
    ankle_hint = 0.0 if ankle_hint is None else ankle_hint - knee_near
    ankle_near = knee_near + _nearness(shank, ankle - c, shank_px, f, -toward_camera,
                                       ankle_hint)
    ankle_out = c + (ankle - c) * (1 - ankle_near / f)[:, None]
    if pitch_deg:
        knee_out, ankle_out = (_level_pitch(p, hip, near, pitch_deg, roll_deg)
                               for p, near in ((knee_out, knee_near), (ankle_out, ankle_near)))
    return hip, knee_out, ankle_out


def _level_pitch(point: np.ndarray, hip: np.ndarray, near: np.ndarray, pitch_deg: float,
                 roll_deg: float | None) -> np.ndarray:
    """(T, 2) ``point``, ``near`` pixels nearer the camera than the hip, as a level camera
    sees it: a camera pitched down by p shows a drop dy (image) and a nearness n as
    dy cos p + n sin p below the hip, so the drop is dy cos p - n sin p."""
    offset = level(point - hip, roll_deg)
    p = np.radians(pitch_deg)
    down = offset[:, 1] * np.cos(p) - near * np.sin(p)
    return hip + np.stack([offset[:, 0], down], axis=-1)


def _nearness(segment: np.ndarray, from_centre: np.ndarray, length_px: float, focal_px: float,
              sign: float, hint: np.ndarray | float) -> np.ndarray:
    """(T,) the nearness ``n`` (pixels at the segment's root's scale, its sign ``sign`` or 0)
    for which ``segment - n / f * from_centre`` (the segment with its end's magnification
    undone) and ``n`` make up ``length_px``: ``|segment - n u / f|^2 + n^2 = length^2``.

    An image shorter than the standing length has one root of each sign. A longer one can
    have two of the same sign: a segment nearly square to the camera, or one turned well
    towards it whose near end the camera magnifies past its standing length (a shank
    filmed from behind). The image cannot tell them apart; the root nearer ``hint`` is
    taken.
    """
    a = 1 + np.sum(from_centre**2, axis=-1) / focal_px**2
    b = -2 * np.sum(segment * from_centre, axis=-1) / focal_px
    c = np.sum(segment**2, axis=-1) - length_px**2
    disc = b * b - 4 * a * c
    with np.errstate(invalid="ignore"):
        roots = (-b + np.array([[1.0], [-1.0]]) * np.sqrt(disc)) / (2 * a)
    # an image longer than any depth explains (landmark noise): the depth that comes closest
    roots = np.where(disc >= 0, roots, -b / (2 * a))
    miss = np.where(roots * sign >= 0, np.abs(roots - hint), np.inf)
    pick = np.take_along_axis(roots, np.argmin(miss, axis=0)[None], axis=0)[0]
    return np.where(np.isfinite(miss.min(axis=0)), pick, 0.0)
