"""Per-frame image evidence of the soles, computed once while the pose model runs.

MediaPipe's heel point sits inside the shoe and rides up with the shank: on the mannequin
a flat foot read up to 0.05-0.09 foot lengths of "rise" and a true 3.8 cm lift as little as
0.04 (FACTS.md; issue 4 synthetic set), so a heel lift cannot be told from the landmark.
What a clinician looks at is the gap between the back of the shoe and the floor. This
module finds, in the person's segmentation mask, the lowest person pixel under the rear
of each foot and under its front: a lifted heel raises the first and not the second.

Only a few numbers per frame and foot are kept (:data:`FIELDS`); masks are far too big
to store. The analysis compares them with the person's own standing frames.
"""

from __future__ import annotations

import numpy as np

from . import landmarks as L

# per foot (left, then right), normalised image coordinates (NaN = not found)
FIELDS = (
    "heel_sole_y",  # lowest person pixel under the rear of the foot, image y / height
    "toe_sole_y",   # ... under the front of the foot
    "heel_x",       # heel landmark x / width when measured (which foot this was, after
                    # the analysis has repaired left/right swaps)
    "tip_x",        # front end of the shoe just above the floor, image x / width
)
FEET = (("left", L.LEFT_HEEL, L.LEFT_FOOT_INDEX, L.LEFT_ANKLE),
        ("right", L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX, L.RIGHT_ANKLE))
N_FIELDS = len(FIELDS) * len(FEET)

# Where along heel -> foot index (0 = heel landmark, 1 = foot index) the soles are read.
# The rear band stays inside the shoe (the heel landmark is inside it) and short of the
# ball of the foot, the pivot of a heel lift; the front band is the toe box.
REAR_BAND = (-0.05, 0.2)
FRONT_BAND = (0.8, 1.05)
COLUMNS = 7               # columns sampled per band; their median is kept
ABOVE_FOOT = 0.1          # the search starts this many foot lengths above the heel/ankle
BELOW_FOOT = 0.6          # ... and ends this far below the lowest of heel and foot index
MIN_FOOT_PX = 12.0        # a shorter foot in the image (seen end-on, or tiny) is not read
MASK_LEVEL = 0.5
# The shoe tip: the person's outline is followed forward from the foot index along rows
# this many foot lengths above the front sole (low in the toe box, above where the mask
# blurs into the floor), at most TIP_SEARCH ahead; a run that does not end there (a free
# foot touching it, the frame edge) is not a tip. A foot this close to end-on (its image
# length / its heel-toe x distance) is not read: the tip is not its front-most pixel.
# A foot index just beyond the tip (up to TIP_OVERSHOOT) is walked back to the outline.
TIP_ROWS = (0.04, 0.07, 0.10)
TIP_SEARCH = 0.5
TIP_OVERSHOOT = 0.2
MIN_SIDEWAYS = 0.6


def empty_evidence() -> np.ndarray:
    """(N_FIELDS,) of NaN: nothing measured."""
    return np.full(N_FIELDS, np.nan)


def foot_evidence(mask: np.ndarray | None, landmarks: np.ndarray) -> np.ndarray:
    """Sole heights of both feet of one person in one frame.

    Parameters
    ----------
    mask : ndarray of shape (H, W) or (H, W, 1), float in 0..1, or None
        The person's segmentation mask; None gives NaN (no image evidence).
    landmarks : ndarray of shape (33, >=2)
        Normalised image x, y of this person's landmarks.

    Returns
    -------
    ndarray of shape (N_FIELDS,)
        :data:`FIELDS` for the left foot, then the right; NaN where not found.
    """
    out = empty_evidence()
    if mask is None:
        return out
    h, w = np.shape(mask)[:2]
    person = np.asarray(mask).reshape(h, w)  # thresholded only where read (it is large)
    pts = np.asarray(landmarks, float)[:, :2] * [w, h]
    for k, (_, heel_i, toe_i, ankle_i) in enumerate(FEET):
        heel, toe, ankle = pts[heel_i], pts[toe_i], pts[ankle_i]
        foot_px = float(np.linalg.norm(toe - heel))
        if not np.isfinite(foot_px) or foot_px < MIN_FOOT_PX:
            continue
        top = min(heel[1], ankle[1]) - ABOVE_FOOT * foot_px
        bottom = max(heel[1], toe[1]) + BELOW_FOOT * foot_px
        rear = lowest_person_row(person, heel, toe, REAR_BAND, top, bottom)
        front = lowest_person_row(person, heel, toe, FRONT_BAND, top, bottom)
        tip = shoe_tip_x(person, heel, toe, front)
        k0 = len(FIELDS) * k
        out[k0: k0 + len(FIELDS)] = [rear / h, front / h, heel[0] / w, tip / w]
    return out


def lowest_person_row(person: np.ndarray, heel: np.ndarray, toe: np.ndarray,
                      band: tuple[float, float], top: float, bottom: float) -> float:
    """Median over ``COLUMNS`` image columns, spread over ``band`` (fractions of heel ->
    toe), of the lowest person row between rows ``top`` and ``bottom`` (px); NaN when
    the band leaves the image, holds no person, or the sole may be cut off by the frame.
    ``person`` is the (H, W) mask, float 0..1 or bool."""
    h, w = person.shape
    xs = np.round(heel[0] + np.linspace(*band, COLUMNS) * (toe[0] - heel[0])).astype(int)
    y0, y1 = int(max(np.floor(top), 0)), int(min(np.ceil(bottom), h))
    if y1 - y0 < 2 or xs.min() < 0 or xs.max() >= w:
        return np.nan
    block = person[y0:y1, xs] > MASK_LEVEL  # (rows, COLUMNS)
    found = block.any(axis=0)
    lowest = y1 - 1 - np.argmax(block[::-1], axis=0)
    cut_off = (lowest >= h - 1) & (y1 == h)  # the person runs out of the frame there
    rows = lowest[found & ~cut_off]
    if rows.size < (COLUMNS + 1) // 2:
        return np.nan
    return float(np.median(rows))


def shoe_tip_x(person: np.ndarray, heel: np.ndarray, toe: np.ndarray, sole_y: float) -> float:
    """Image x (px) of the front end of the shoe seen from the side: along :data:`TIP_ROWS`
    above the sole row ``sole_y`` (px), the person's outline is followed forward from the
    foot index ``toe`` until it ends (or, from an index just beyond the shoe, back to the
    outline); the front-most end counts. NaN when the foot is seen too end-on, the sole is
    unknown, or no row gives a clean end."""
    h, w = person.shape
    dx = float(toe[0] - heel[0])
    foot_px = float(np.linalg.norm(toe - heel))
    if not np.isfinite(sole_y) or abs(dx) < MIN_SIDEWAYS * foot_px:
        return np.nan
    step = 1 if dx > 0 else -1
    x0 = int(round(toe[0]))
    reach = int(np.ceil(TIP_SEARCH * foot_px))
    back = int(np.ceil(TIP_OVERSHOOT * foot_px))
    ends = []
    for frac in TIP_ROWS:
        y = int(round(sole_y - frac * foot_px))
        xs = x0 + step * np.arange(-back, reach + 1)
        if not 0 <= y < h or xs.min() < 0 or xs.max() >= w:
            continue
        run = person[y, xs] > MASK_LEVEL
        if run[back:].all():
            continue  # the outline runs on: a free foot touching the tip, or no end in reach
        if run[back]:
            ends.append(xs[back + np.argmin(run[back:]) - 1])
        elif run[:back].any():
            # the foot index just beyond the tip (held-out seed 27 023: at the bottom of a
            # single-leg squat the model slid it 2-3 px past the shoe, and no rep had a tip):
            # the outline ends at the last person pixel behind it
            ends.append(xs[np.flatnonzero(run[:back])[-1]])
    if not ends:
        return np.nan
    return float(max(ends) if step > 0 else min(ends))
