"""Image evidence kept per frame while the pose model runs: the frame and the person's
segmentation mask are gone afterwards, so what the analysis needs from them is measured
here, as a few numbers per frame, and stored in ``PoseTrack.extra`` under each part's name.
"""

from __future__ import annotations

import numpy as np

from .foot_silhouette import N_FIELDS as FOOT_FIELDS
from .foot_silhouette import foot_evidence
from .silhouette import N_FIELDS as PELVIS_FIELDS
from .silhouette import pelvis_evidence
from .thigh_silhouette import N_FIELDS as THIGH_FIELDS
from .thigh_silhouette import thigh_evidence

# (name in PoseTrack.extra, fields per frame), in the order of a frame's evidence row
PARTS = (("pelvis_evidence", PELVIS_FIELDS), ("foot_evidence", FOOT_FIELDS),
         ("thigh_evidence", THIGH_FIELDS))
WIDTH = sum(n for _, n in PARTS)


def person_evidence(image: np.ndarray, mask: np.ndarray | None,
                    landmarks: np.ndarray) -> np.ndarray:
    """(WIDTH,) evidence of one person (RGB ``image``, ``mask`` (H, W) or None, normalised
    ``landmarks`` (33, >=2)); NaN where nothing was found."""
    return np.concatenate([pelvis_evidence(image, mask, landmarks),
                           foot_evidence(mask, landmarks), thigh_evidence(mask, landmarks)])


def split_evidence(rows: np.ndarray) -> dict[str, np.ndarray]:
    """(T, WIDTH) evidence rows -> {part name: (T, fields)} for ``PoseTrack.extra``."""
    out, start = {}, 0
    for name, n in PARTS:
        out[name] = rows[:, start:start + n]
        start += n
    return out
