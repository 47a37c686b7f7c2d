"""How far the camera was rolled off level, from the straight vertical edges of the room.

Angles to the vertical (trunk and shin inclination) and the knee's distance ahead of the
toes are read against the image's vertical, so a phone propped up a few degrees off level
shifts them: 5 deg of roll moved the knee ~0.15 foot lengths against the toe on the real
clips (bench/invariance.py). The body cannot say where vertical is (a standing person
leans a few degrees either way), but rooms are full of verticals: door frames, window
edges, shelving, racks, poles, wall corners.

Method: straight segments (OpenCV's line segment detector) within ``MAX_FROM_VERTICAL_DEG``
of the image vertical and away from the person, on a few frames spread over the clip.
A camera pitched down makes verticals converge on their vanishing point below the picture,
1 / tan(pitch) focal lengths from its centre: an edge at image x = u long sides from the
centre leans by about u x tan(pitch) x long side / focal rad, more below the centre (nearer
the point), less above. Each segment's lean is fitted as the line from its midpoint to that
point, set by the roll (its direction from the centre) and the slope (the lean per long
side of x at the centre's height, the inverse of its distance), robust to other straight
edges (Tukey weights); the roll is the lean at the image centre. The slope can only be
told from the roll when the edges are spread across the picture; edges all on one side far
from the centre leave the roll unmeasured, as does a plain wall. Unmeasured means level
(0), as before. A straight line in x (``roll + slope * u``) read a phone held at
chest or eye height 10-15 % low and, from 24 deg down, no roll at all (held-out seed 68
held, 7 of 44 clips): its edges below the centre lean more than the line allows.

Sign: ``roll_deg`` > 0 when the scene's verticals lean with their tops to image-right
(the phone turned counter-clockwise); ``analysis.geometry.level`` undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..video import VideoReader
from .landmarks import SKELETON

# the bones, and the head and neck: segments near them are the person's own outline
_BONES = [*SKELETON, (0, 7), (0, 8), (7, 11), (8, 12)]

FRAMES = 8  # frames read, spread over the clip: the camera may move, people walk past
DETECT_SIDE_PX = 640  # the detector runs on this long side: room edges are long
MIN_SEGMENT_FRACTION = 0.05  # of the image diagonal: shorter edges are texture
MAX_FROM_VERTICAL_DEG = 30.0  # a roll of a few deg plus the convergence of a steep pitch
#                               (25 deg on a phone's 70 deg lens: 20 deg at the picture's side)
PERSON_RADIUS = 0.25  # leg lengths around the person's bones: the torso's half depth, a head
CLEAR_SAMPLES = 33  # points along each segment tested against that radius
INLIER_DEG = 2.0  # a segment leaning more than this from the fit is another kind of edge
MIN_SEGMENTS = 4  # inlier segments (over all frames) to trust a roll at all
MIN_EDGE_LENGTH = 0.5  # ... and their length per frame read, in image long sides: less was
#                        one short edge (a picture frame) or chance alignments outdoors
MIN_SPREAD = 0.10  # weighted SD of the edges' x (long sides) to fit the slope
MAX_OFF_CENTRE = 0.10  # ... or their mean x this close to the centre, slope assumed 0
MAX_ROLL_DEG = 15.0  # a larger "roll" is more likely a room of slanted edges: not used
MAX_SLOPE_DEG = 45.0  # lean per long side of x: tan(pitch) x long side / focal; 45 is 29 deg
#                       of pitch on a phone's 70 deg lens, 40 on a 50 deg one


@dataclass(frozen=True)
class CameraRoll:
    """The camera's roll in degrees (None = not measured: level assumed), the number of
    vertical edge segments that agree with it, and why it was not measured.

    ``slope_deg_per_side``: how much more the verticals lean per image long side to the
    right, the convergence of a pitched camera (None when the edges were not spread
    enough to fit it). It is tan(pitch) x long side / focal length: the pitch itself needs
    the lens (``camera_pitch_deg``). The analysis only words it into a note when the
    camera looked down steeply (analysis/analyze.py); it corrects no angle (docs/
    calibration.md, "Camera pitch")."""

    roll_deg: float | None
    segments: int = 0
    reason: str = ""
    slope_deg_per_side: float | None = None

    def as_meta(self) -> dict:
        return {"camera_roll_deg": self.roll_deg, "camera_roll_segments": self.segments,
                "camera_roll_reason": self.reason,
                "camera_slope_deg_per_side": self.slope_deg_per_side}


def vertical_segments(image: np.ndarray, person_xy: np.ndarray | None = None) -> np.ndarray:
    """(n, 4) near-vertical straight segments (x0, y0, x1, y1, pixels of ``image``, BGR or
    grey) that keep clear of the person whose landmarks are ``person_xy`` (33, 2) pixels."""
    h, w = image.shape[:2]
    scale = min(1.0, DETECT_SIDE_PX / max(h, w))
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    found = cv2.createLineSegmentDetector().detect(grey)[0]
    if found is None:
        return np.zeros((0, 4))
    seg = found.reshape(-1, 4) / scale
    seg = seg[np.abs(_lean_deg(seg)) <= MAX_FROM_VERTICAL_DEG]
    if person_xy is not None:
        seg = _clear_of_person(seg, person_xy)
    d = seg[:, 2:] - seg[:, :2]
    return seg[np.hypot(d[:, 0], d[:, 1]) >= MIN_SEGMENT_FRACTION * np.hypot(w, h)]


def _clear_of_person(seg: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """(n, 4) the longest part of each segment that keeps ``PERSON_RADIUS`` leg lengths
    from every bone (a segment with none is dropped): the outline of a back, a shin or an
    arm is straight too, and a box around the person hid most of the room in side views.
    A part, not the whole edge: a door frame running behind arms held forward is a
    vertical all the same (held-out phone set in a room, seed 18: on seven side views
    whole edges left too few, or all to one side, and 1-5 deg of roll unmeasured)."""
    bones = np.array([(a, b) for a, b in _BONES
                      if np.isfinite(xy[a]).all() and np.isfinite(xy[b]).all()])
    if not len(bones) or not len(seg):
        return seg
    legs = [np.linalg.norm(xy[h] - xy[k]) + np.linalg.norm(xy[k] - xy[a])
            for h, k, a in ((23, 25, 27), (24, 26, 28))]
    radius = PERSON_RADIUS * np.nanmax(legs) if np.isfinite(legs).any() else np.inf
    t = np.linspace(0.0, 1.0, CLEAR_SAMPLES)[None, :, None]
    pts = seg[:, None, :2] + t * (seg[:, None, 2:] - seg[:, None, :2])  # (n, k, 2)
    a, b = xy[bones[:, 0]], xy[bones[:, 1]]  # (m, 2)
    ab = b - a
    u = np.clip(((pts[:, :, None] - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-9),
                0.0, 1.0)
    dist = np.linalg.norm(pts[:, :, None] - (a + u[..., None] * ab), axis=-1)  # (n, k, m)
    clear = dist.min(axis=2) > radius  # (n, k)
    parts = []
    for points, ok in zip(pts, clear, strict=True):
        first, last = _longest_run(ok)
        if last > first:
            parts.append([*points[first], *points[last]])
    return np.array(parts).reshape(-1, 4)


def _longest_run(ok: np.ndarray) -> tuple[int, int]:
    """(first, last) index of the longest run of True in ``ok``; (0, 0) if there is none."""
    best, start, out = 0, None, (0, 0)
    for i, flag in enumerate([*ok, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start > best:
                best, out = i - start, (start, i - 1)
            start = None
    return out


def _lean_deg(seg: np.ndarray) -> np.ndarray:
    """(n,) lean of each segment from the image vertical, + = top towards image-right."""
    d = seg[:, 2:] - seg[:, :2]
    d = np.where((d[:, 1] > 0)[:, None], -d, d)  # point each one up
    return np.degrees(np.arctan2(d[:, 0], -d[:, 1]))


def fit_camera_roll(segments: np.ndarray, image_size: tuple[int, int],
                    frames: int = 1) -> CameraRoll:
    """Roll from (n, 4) vertical edge segments found on ``frames`` frames of ``image_size``
    (w, h)."""
    w, h = image_size
    if len(segments) < MIN_SEGMENTS:
        return CameraRoll(None, len(segments), "too few straight vertical edges in the room")
    lean = _lean_deg(segments)
    d = segments[:, 2:] - segments[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    mid = ((segments[:, :2] + segments[:, 2:]) / 2 - (w / 2, h / 2)) / max(w, h)
    roll, slope = _best_on_grid(lean, mid, length)
    for _ in range(10):  # refine on the edges near the best fit (Tukey weights)
        r = lean - predicted_lean_deg(roll, slope, mid)
        wt = length * np.clip(1 - (r / (2 * INLIER_DEG)) ** 2, 0, None) ** 2
        total = wt.sum()
        if total <= 0:
            return CameraRoll(None, 0, "the room's straight edges do not look vertical")
        mean_u = (wt * mid[:, 0]).sum() / total
        spread = np.sqrt((wt * (mid[:, 0] - mean_u) ** 2).sum() / total)
        roll, slope = _gauss_newton_step(lean, mid, wt, roll, slope, spread >= MIN_SPREAD)
    inliers = np.abs(lean - predicted_lean_deg(roll, slope, mid)) <= INLIER_DEG
    n = int(inliers.sum())
    if n < MIN_SEGMENTS or length[inliers].sum() < MIN_EDGE_LENGTH * max(w, h) * frames:
        return CameraRoll(None, n, "too few straight vertical edges in the room")
    if spread < MIN_SPREAD and abs(mean_u) > MAX_OFF_CENTRE:
        return CameraRoll(None, n, "the room's vertical edges are all to one side")
    if abs(roll) > MAX_ROLL_DEG or abs(slope) > MAX_SLOPE_DEG:
        return CameraRoll(None, n, "the room's straight edges do not look vertical")
    return CameraRoll(round(roll, 2), n,
                      slope_deg_per_side=round(slope, 3) if spread >= MIN_SPREAD else None)


def predicted_lean_deg(roll_deg: float, slope_deg: float, mid: np.ndarray) -> np.ndarray:
    """(n,) lean (deg, as ``_lean_deg``) of a vertical through image points ``mid`` (n, 2),
    offsets from the centre in long sides (y down): the line to the verticals' vanishing
    point, which lies 1 / radians(slope) long sides from the centre in the roll's direction
    (below it for a camera looking down, slope > 0). Slope 0: all lean ``roll_deg``."""
    r, q = np.radians(roll_deg), np.radians(slope_deg)
    return np.degrees(np.arctan2(np.sin(r) + q * mid[..., 0], np.cos(r) - q * mid[..., 1]))


def _gauss_newton_step(lean: np.ndarray, mid: np.ndarray, weight: np.ndarray, roll: float,
                       slope: float, fit_slope: bool) -> tuple[float, float]:
    """(roll, slope) one weighted least-squares step nearer ``lean``. Without ``fit_slope``
    (edges too close together to tell the slope from the roll) the slope is 0 and only
    the roll moves."""
    slope = slope if fit_slope else 0.0
    h = 1e-3  # deg: the derivatives by finite differences
    base = predicted_lean_deg(roll, slope, mid)
    moved = [predicted_lean_deg(roll + h, slope, mid)]
    if fit_slope:
        moved.append(predicted_lean_deg(roll, slope + h, mid))
    jac = (np.stack(moved, axis=1) - base[:, None]) / h
    w = np.sqrt(weight)
    step = np.linalg.lstsq(jac * w[:, None], (lean - base) * w, rcond=None)[0]
    return float(roll + step[0]), float(slope + (step[1] if fit_slope else 0.0))


def camera_pitch_deg(slope_deg_per_side: float, fov_deg: float) -> float:
    """Pitch (deg, + = looking down) from the verticals' convergence, for a lens of
    ``fov_deg`` across the image's long side: tan(pitch) = slope x focal / long side."""
    focal_per_side = 0.5 / np.tan(np.radians(fov_deg) / 2)
    return float(np.degrees(np.arctan(np.radians(slope_deg_per_side) * focal_per_side)))


def _best_on_grid(lean: np.ndarray, mid: np.ndarray, length: np.ndarray) -> tuple[float, float]:
    """(roll, slope) on a grid that the most edge length agrees with, within ``INLIER_DEG``;
    among equals the least slope. A grid, not a local fit from the median: with the camera
    pitched, the edges at the two sides lean opposite ways and the median sits between."""
    rolls = np.arange(-MAX_ROLL_DEG, MAX_ROLL_DEG + 1e-9, INLIER_DEG / 4)
    best, out = -1.0, (0.0, 0.0)
    for slope in sorted(np.arange(-MAX_SLOPE_DEG, MAX_SLOPE_DEG + 1e-9, 1.0), key=abs):
        r = lean[None, :] - predicted_lean_deg(rolls[:, None], slope, mid)
        score = (length * (np.abs(r) <= INLIER_DEG)).sum(axis=1)
        if score.max() > best:  # strictly more: the least slope wins a tie
            best, out = float(score.max()), (float(rolls[np.argmax(score)]), float(slope))
    return out


class RollReader:
    """Collects vertical edges from up to ``FRAMES`` frames, at most one per ``every_s``,
    then reads the roll from them (``result``): the same for a file (``measure_camera_roll``)
    and for the live camera, which offers every frame."""

    def __init__(self, every_s: float = 1.0):
        self.every_s = every_s
        self._segments: list[np.ndarray] = []
        self._size: tuple[int, int] | None = None
        self._next_s = -np.inf

    @property
    def full(self) -> bool:
        return len(self._segments) >= FRAMES

    def wants(self, t_s: float) -> bool:
        return not self.full and t_s >= self._next_s

    def add(self, t_s: float, image: np.ndarray, person_xy: np.ndarray) -> None:
        """A frame (BGR) and the person's (33, 2) landmarks in its pixels; one without a
        person is skipped (their edges could not be kept out)."""
        if not self.wants(t_s) or not np.isfinite(person_xy).all(axis=1).any():
            return
        self._next_s = t_s + self.every_s
        self._size = image.shape[1], image.shape[0]
        self._segments.append(vertical_segments(image, person_xy))

    def result(self) -> CameraRoll:
        if self._size is None:
            return CameraRoll(None, 0, "no frame with the person to measure it on")
        return fit_camera_roll(np.concatenate(self._segments), self._size,
                               len(self._segments))


def measure_camera_roll(source: str | Path, frame_index: np.ndarray, xy_px: np.ndarray,
                        duration_s: float, *, turn_deg: int = 0) -> CameraRoll:
    """The camera's roll over a video file, from ``FRAMES`` frames spread over it; the
    person's landmarks ``xy_px`` (T, 33, 2) at ``frame_index`` (T,) keep their edges out."""
    reader_every = max(duration_s / FRAMES, 1e-3)
    rolls = RollReader(every_s=0.0)
    rows = {int(f): i for i, f in enumerate(frame_index)}
    with VideoReader(source, every_s=reader_every, turn_deg=turn_deg) as reader:
        for frame in reader:
            if frame.image is not None and frame.index in rows:
                rolls.add(frame.t_s, frame.image, xy_px[rows[frame.index]])
    return rolls.result()
