"""Intermediate records passed between analysis stages (signals → clip → reps → measurements).

These are the seams between modules: ``signals`` builds :class:`Signals`,
``view``/``exercise`` build :class:`ClipContext`, ``reps`` builds
:class:`RepSegment`, and ``measurements``/``findings`` read all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Signals:
    """A cleaned, filtered landmark track, in pixels of the upright frame.

    Attributes
    ----------
    t_s : ndarray of shape (T,)
    frame_index : ndarray of shape (T,), int
    xy_px : ndarray of shape (T, 33, 2)
        Gap-filled, outlier-rejected, left/right-repaired, low-passed image landmarks
        (x right, y down, pixels). NaN where unusable.
    visibility : ndarray of shape (T, 33)
    usable : ndarray of shape (T,), bool
        Frames whose key lower-body landmarks are trustworthy.
    world : ndarray of shape (T, 33, 3)
        Filtered world landmarks in metres (y down, as MediaPipe gives them).
    image_size : (width, height) in pixels.
    extra : dict of name -> ndarray of shape (T, ...)
        Per-frame image evidence from the pose track, unfiltered (``PoseTrack.extra``,
        e.g. ``pelvis_evidence``).
    camera_roll_deg : float or None
        The camera's roll measured from the room's vertical edges (pose/camera_roll.py),
        None when not measured (level assumed). Angles to the vertical and offsets along
        the floor are read after undoing it (``geometry.level``); ``xy_px`` itself stays
        as the image shows it.
    camera_slope_deg_per_side : float or None
        How much the room's verticals converge (pose/camera_roll.py): the camera's pitch
        for an assumed lens (``camera_pitch_deg``); None when not measured (level assumed).
    """

    t_s: np.ndarray
    frame_index: np.ndarray
    xy_px: np.ndarray
    visibility: np.ndarray
    usable: np.ndarray
    world: np.ndarray
    image_size: tuple[int, int]
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    camera_roll_deg: float | None = None
    camera_slope_deg_per_side: float | None = None


@dataclass
class ClipContext:
    """Clip-level facts that every rep's measurement needs.

    ``facing_sign`` is +1 when the subject faces image-right in a side view,
    -1 when facing image-left, 0 when not a side view. ``baseline`` holds the
    row indices of the standing phase used as the person's own reference.
    Lengths are medians over the baseline, in pixels.
    """

    view: str
    facing: str
    facing_sign: int
    exercise: str
    baseline: np.ndarray
    foot_length_px: dict[str, float] = field(default_factory=dict)
    leg_length_px: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RepSegment:
    """Row indices into :class:`Signals` of one rep, and its stance leg."""

    start: int
    bottom: int
    end: int
    stance: str  # "left" | "right" | "both"
