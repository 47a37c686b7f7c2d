"""The truth file: MediaPipe-indexed landmarks of the true joints, per-rep values, findings.

Layout (documented in docs/synth.md): top-level clip facts, ``reps`` with the
bottom-frame truth and per-rep findings, clip-level ``findings``, and ``frames``
holding every frame's 2D/3D landmarks and their visibility.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .camera import Camera
from .kinematics import Skeleton
from .render import RenderBuffers

# MediaPipe Pose landmark order (odd = subject's left): our point names.
LANDMARK_NAMES = [
    "nose", "eye_inner_l", "eye_l", "eye_outer_l", "eye_inner_r", "eye_r", "eye_outer_r",
    "ear_l", "ear_r", "mouth_l", "mouth_r", "shoulder_l", "shoulder_r", "elbow_l", "elbow_r",
    "wrist_l", "wrist_r", "pinky_l", "pinky_r", "index_l", "index_r", "thumb_l", "thumb_r",
    "hip_l", "hip_r", "knee_l", "knee_r", "ankle_l", "ankle_r", "heel_l", "heel_r",
    "toe_l", "toe_r",
]
# How deep (m) each landmark sits under the surface that shows it: anything nearer
# the camera than (landmark depth - this) hides it.
_BURIED_M = {"nose": 0.02, "eye": 0.02, "eye_inner": 0.02, "eye_outer": 0.02, "ear": 0.02,
             "mouth": 0.02, "shoulder": 0.075,
             "elbow": 0.05, "wrist": 0.04, "pinky": 0.03, "index": 0.03, "thumb": 0.03,
             "hip": 0.12, "knee": 0.065, "ankle": 0.05, "heel": 0.025, "toe": 0.035}
BURIED_M = np.array([_BURIED_M[n.removesuffix("_l").removesuffix("_r")]
                     for n in LANDMARK_NAMES])


def landmarks_3d(sk: Skeleton) -> np.ndarray:
    """(33, 3) world positions in MediaPipe order."""
    return np.stack([sk.points[n] for n in LANDMARK_NAMES])


def visibility(points: np.ndarray, cam: Camera, buf: RenderBuffers) -> np.ndarray:
    """(33,) bool: each landmark is inside the image and not hidden by a nearer surface."""
    uv, _ = cam.project(points)
    dist = np.linalg.norm(points - cam.position, axis=1)
    col, row = np.floor(uv[:, 0]).astype(int), np.floor(uv[:, 1]).astype(int)
    inside = (col >= 0) & (col < cam.width) & (row >= 0) & (row < cam.height)
    seen = np.zeros(len(points), bool)
    r, c = np.clip(row, 0, cam.height - 1), np.clip(col, 0, cam.width - 1)
    seen[inside] = (buf.depth[r, c] >= dist - BURIED_M - 0.01)[inside]
    return seen


def _round(a: np.ndarray, digits: int):
    return np.round(a, digits).tolist()


def write_json_atomic(path: Path, data: dict) -> Path:
    """Write JSON to a temporary name beside ``path`` and rename (no half-written file)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with tmp.open("w") as fh:
            json.dump(data, fh, separators=(",", ":"), allow_nan=False)
            fh.write("\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def frames_block(t_s: np.ndarray, lm2d: np.ndarray, lm3d: np.ndarray, vis: np.ndarray) -> dict:
    """Per-frame arrays: ``t_s`` (T,), ``landmarks_2d`` (T, 33, 2) normalised image x, y,
    ``landmarks_3d`` (T, 33, 3) metres (world frame), ``visible`` (T, 33)."""
    return {"t_s": _round(t_s, 4), "landmarks_2d": _round(lm2d, 5),
            "landmarks_3d": _round(lm3d, 4), "visible": vis.astype(bool).tolist()}


def round_values(d: dict, digits: int = 3) -> dict:
    return {k: (round(float(v), digits) if isinstance(v, (float, np.floating)) else v)
            for k, v in d.items()}
