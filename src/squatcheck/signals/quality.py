"""Per-frame quality: which landmarks and frames later stages may trust."""

from __future__ import annotations

import numpy as np

from ..pose import landmarks as L


def landmark_ok(xy_px: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int], *,
                min_visibility: float, edge_margin: float) -> np.ndarray:
    """(T, 33) bool: finite, visible enough and inside the frame (with a margin).

    xy_px : (T, 33, 2); visibility : (T, 33); ``edge_margin`` is a fraction of
    the image size a landmark may lie outside the frame (the model extrapolates
    joints just beyond the edge fairly well, far beyond it not at all).
    """
    w, h = image_size
    x, y = xy_px[..., 0], xy_px[..., 1]
    with np.errstate(invalid="ignore"):
        inside = ((x >= -edge_margin * w) & (x <= (1 + edge_margin) * w)
                  & (y >= -edge_margin * h) & (y <= (1 + edge_margin) * h))
        seen = np.nan_to_num(visibility) >= min_visibility
    return np.isfinite(x) & np.isfinite(y) & inside & seen


def usable_frames(ok: np.ndarray) -> np.ndarray:
    """(T,) bool: both hips and at least one whole leg (knee, ankle) are trustworthy.

    One leg is enough: in a side view the far leg is often hidden, and a
    single-leg squat is measured on the stance leg.
    """
    hips = ok[:, L.LEFT_HIP] & ok[:, L.RIGHT_HIP]
    left = ok[:, L.LEFT_KNEE] & ok[:, L.LEFT_ANKLE]
    right = ok[:, L.RIGHT_KNEE] & ok[:, L.RIGHT_ANKLE]
    return hips & (left | right)
