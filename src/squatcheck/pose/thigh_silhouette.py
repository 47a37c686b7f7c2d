"""Per-frame image evidence of the thighs' outline, computed once while the pose model runs.

In a deep squat seen from the side MediaPipe puts the hip too high: on the mannequin's
deep double-leg squats with a forward lean it sat 0.16-0.21 thigh lengths above the
true hip joint, which turned its thigh 11-15 deg and read knee flexion 12-15 deg short.
The thigh's outline does not move with that error. Each edge of the thigh (front and
back), sampled over the part of the thigh nearer the knee, lies within 1-2 deg of the angle it
keeps to the bone while standing, at the bottom of the squat too (it tapers towards the
knee, hence an angle at all). So both edges' directions are kept per frame and thigh;
the analysis (analysis/thigh.py) measures each edge's angle to the landmarks' thigh
while standing and turns the edges back into the thigh's axis.

An edge is found by walking out from the landmark line (knee -> hip), square to it, at
:data:`STATIONS` until the mask falls below one half, and fitting a line to those points.
Where the calf folds onto the back of the thigh or the free leg crosses the front, that
side's points stop following one straight edge: its residual (``*_rms_px``) shows it.
"""

from __future__ import annotations

import numpy as np

from . import landmarks as L

# per thigh (left, then right); NaN = not found
FIELDS = (
    "edge_a_deg",   # image angle (deg, atan2(dy, dx), y down) of the edge on the side of
                    # the normal (u_y, -u_x) of the knee -> hip direction u, oriented
                    # knee -> hip
    "edge_a_rms_px",  # root-mean-square distance of its points from the fitted line, px
    "edge_b_deg",   # the same for the edge on the other side
    "edge_b_rms_px",
    "knee_x",       # the knee landmark used, image x / width (which thigh this was, after
    "knee_y",       # the analysis has repaired left/right swaps), and y / height
)
THIGHS = (("left", L.LEFT_HIP, L.LEFT_KNEE), ("right", L.RIGHT_HIP, L.RIGHT_KNEE))
N_FIELDS = len(FIELDS) * len(THIGHS)

# Where along knee -> hip (0 = knee, 1 = hip) the edges are sampled: clear of the knee
# joint, and well short of the hip, where buttock, belly and the crease of the flexed hip
# join or fold the outline (0.25-0.75 read the same on seed 11's side clips, p90 error
# 4.1 deg against 3.8)
STATIONS = np.linspace(0.2, 0.6, 9)
REACH = 0.7          # thigh lengths searched out from the landmark line
STEP_PX = 0.5
MIN_THIGH_PX = 20.0  # a shorter thigh in the image (seen end-on, or tiny) is not read
MIN_POINTS = 6       # edge points needed for a line
MASK_LEVEL = 0.5


def empty_evidence() -> np.ndarray:
    """(N_FIELDS,) of NaN: nothing measured."""
    return np.full(N_FIELDS, np.nan)


def thigh_evidence(mask: np.ndarray | None, landmarks: np.ndarray) -> np.ndarray:
    """Edge directions of both thighs of one person in one frame.

    Parameters
    ----------
    mask : ndarray of shape (H, W) or (H, W, 1), float in 0..1, or None
        The person's segmentation mask; None gives NaN (no image evidence).
    landmarks : ndarray of shape (33, >=2)
        Normalised image x, y of this person's landmarks.

    Returns
    -------
    ndarray of shape (N_FIELDS,)
        :data:`FIELDS` for the left thigh, then the right; NaN where not found.
    """
    out = empty_evidence()
    if mask is None:
        return out
    h, w = np.shape(mask)[:2]
    person = np.asarray(mask).reshape(h, w)
    pts = np.asarray(landmarks, float)[:, :2] * [w, h]
    for k, (_, hip_i, knee_i) in enumerate(THIGHS):
        knee, hip = pts[knee_i], pts[hip_i]
        thigh_px = float(np.linalg.norm(hip - knee))
        if not np.isfinite(thigh_px) or thigh_px < MIN_THIGH_PX:
            continue
        k0 = len(FIELDS) * k
        for j, side in enumerate((1.0, -1.0)):
            out[k0 + 2 * j: k0 + 2 * j + 2] = edge_line(person, knee, hip, side)
        out[k0 + 4: k0 + 6] = [knee[0] / w, knee[1] / h]
    return out


def edge_line(person: np.ndarray, knee: np.ndarray, hip: np.ndarray,
              side: float) -> tuple[float, float]:
    """(angle_deg, rms_px) of the outline on ``side`` (+1: towards the normal (u_y, -u_x)
    of the knee -> hip direction u; -1: the other) of the thigh from ``knee`` to ``hip``
    (px); NaN when fewer than :data:`MIN_POINTS` stations reach an edge inside the image."""
    h, w = person.shape
    axis = hip - knee
    length = float(np.linalg.norm(axis))
    u = axis / length
    normal = side * np.array([u[1], -u[0]])
    steps = np.arange(0.0, REACH * length, STEP_PX)
    centres = knee + STATIONS[:, None] * length * u                       # (K, 2)
    ray = centres[:, None, :] + steps[None, :, None] * normal              # (K, S, 2)
    xi, yi = np.round(ray[..., 0]).astype(int), np.round(ray[..., 1]).astype(int)
    in_image = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    inside = np.zeros(in_image.shape, bool)
    inside[in_image] = person[yi[in_image], xi[in_image]] > MASK_LEVEL
    # the ray starts on the person and its first step off the person is onto background
    # inside the image (not off the frame's edge)
    rows = np.arange(len(STATIONS))
    first_out = np.argmax(~inside, axis=1)
    ok = inside[:, 0] & ~inside[rows, first_out] & in_image[rows, first_out]
    if ok.sum() < MIN_POINTS:
        return np.nan, np.nan
    edge = ray[rows, first_out][ok]
    centre = edge.mean(axis=0)
    _, sv, vt = np.linalg.svd(edge - centre, full_matrices=False)
    direction = vt[0] if vt[0] @ u > 0 else -vt[0]
    rms = float(sv[-1] / np.sqrt(len(edge)))
    return float(np.degrees(np.arctan2(direction[1], direction[0]))), rms
