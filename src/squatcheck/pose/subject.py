"""Follow one person through a clip.

The model may return several people per frame, and after losing track it
re-detects whoever scores highest, which may be a spotter or a reflection.
We cut the candidates into *segments* of continuous motion, then keep the
chain of segments that stays with the person seen for longest; every other
detection becomes NaN rather than a jump to someone else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import landmarks as L

# A person cannot move more than this (in body heights) between frames < 0.2 s apart.
MAX_JUMP_BODY_HEIGHTS = 0.35
# Gaps up to this long may join two segments of the same person.
MAX_LINK_GAP_S = 2.0


@dataclass(frozen=True)
class SubjectChoice:
    """Per-frame index into the candidates (-1 = none) and a description of who."""

    candidate: np.ndarray
    description: str


def _centre_and_height(image_lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 33, 5) landmarks → hip-shoulder centre (..., 2) and body height (...,)."""
    torso = image_lm[..., [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP], :2]
    centre = torso.mean(axis=-2)
    ys = image_lm[..., :, 1]
    top = np.where(np.isnan(ys), np.inf, ys).min(axis=-1)
    bottom = np.where(np.isnan(ys), -np.inf, ys).max(axis=-1)
    height = np.where(np.isfinite(top), bottom - top, np.nan)  # NaN where nobody
    return centre, np.maximum(height, 1e-3)


def select_subject(t_s: np.ndarray, candidates: np.ndarray) -> SubjectChoice:
    """Choose one candidate per frame.

    Parameters
    ----------
    t_s : ndarray of shape (T,)
    candidates : ndarray of shape (T, K, 33, 5)
        NaN rows where the model returned fewer than K people.
    """
    n, k = candidates.shape[:2]
    centre, height = _centre_and_height(candidates)
    present = ~np.isnan(candidates[:, :, 0, 0])
    segment = np.full((n, k), -1)
    seg_last: list[tuple[int, int]] = []  # (frame, candidate) of each segment's last row
    seg_rows: list[list[tuple[int, int]]] = []
    for f in range(n):
        for c in np.flatnonzero(present[f]):
            best, best_d = -1, np.inf
            for s, (lf, lc) in enumerate(seg_last):
                if lf != f - 1 and not (lf < f and t_s[f] - t_s[lf] < 0.2):
                    continue
                d = np.linalg.norm(centre[f, c] - centre[lf, lc]) / height[lf, lc]
                if d < best_d and abs(np.log(height[f, c] / height[lf, lc])) < 0.4:
                    best, best_d = s, d
            if best >= 0 and best_d < MAX_JUMP_BODY_HEIGHTS and seg_last[best][0] != f:
                segment[f, c] = best
                seg_last[best] = (f, c)
                seg_rows[best].append((f, c))
            else:
                segment[f, c] = len(seg_rows)
                seg_last.append((f, c))
                seg_rows.append([(f, c)])
    choice = np.full(n, -1)
    if not seg_rows:
        return SubjectChoice(choice, "nobody found")
    # weight = seconds on screen x size on screen
    weight = [sum(height[f, c] for f, c in rows) for rows in seg_rows]
    anchor = int(np.argmax(weight))
    chosen = {anchor}
    # grow the chain forwards and backwards with segments near the chain's ends
    for direction in (1, -1):
        edge = seg_rows[anchor][-1] if direction == 1 else seg_rows[anchor][0]
        order = sorted(range(len(seg_rows)), key=lambda s: seg_rows[s][0][0] * direction)
        for s in order:
            rows = seg_rows[s]
            near = rows[0] if direction == 1 else rows[-1]
            gap = (t_s[near[0]] - t_s[edge[0]]) * direction
            if s in chosen or gap <= 0 or gap > MAX_LINK_GAP_S:
                continue
            d = np.linalg.norm(centre[near] - centre[edge]) / height[edge]
            if d < 0.5 + gap and abs(np.log(height[near] / height[edge])) < 0.5:
                chosen.add(s)
                edge = rows[-1] if direction == 1 else rows[0]
    for s in chosen:
        for f, c in seg_rows[s]:
            choice[f] = c
    rows = [(f, c) for s in chosen for f, c in seg_rows[s]]
    cx = float(np.median([centre[f, c][0] for f, c in rows]))
    h = float(np.median([height[f, c] for f, c in rows]))
    where = "left" if cx < 0.38 else "right" if cx > 0.62 else "centre"
    others = int(present.sum() - len(rows))
    text = f"the person at image {where} (about {h:.0%} of frame height)"
    if others:
        text += f"; {others} detections of other people ignored"
    return SubjectChoice(choice, text)
