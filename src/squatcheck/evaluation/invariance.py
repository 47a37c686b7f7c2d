"""The same squat filmed a little differently: re-encodings of a clip and a comparison.

``bench/invariance.py`` runs every real clip through these changes and prints how often
the engine's answer stays the same; the tests run one change on two short clips. A
mirrored clip must swap left and right (stance, side-view facing) and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..analysis.result import AnalysisResult
from ..video import VideoReader

FINDINGS = ["knee_past_toes", "heel_lift", "knee_valgus", "trunk_lean", "pelvic_drop",
            "pelvic_tilt", "quad_dominant"]
SWAP = {"left": "right", "right": "left"}


def _dim(img: np.ndarray, rng: np.random.Generator, _t_s: float) -> np.ndarray:
    """A dim room: 40 % of the light, a lifted black level and sensor noise (sd 4 levels)."""
    out = img.astype(np.float32) * 0.4 + 6 + rng.normal(0, 4, img.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def _jpeg(img: np.ndarray, _rng, _t_s) -> np.ndarray:
    _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 15])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _tilt(img: np.ndarray, _rng, _t_s, deg: float = 5.0) -> np.ndarray:
    """A phone held 5 deg off level (counter-clockwise), the corners filled by reflection.
    (Not enlarged to fill the frame, as a rolled phone would frame it: that cut the feet
    off tux_hyva7. The reflected corners hold room edges leaning the other way, which
    only makes the roll harder to measure.)"""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT_101)


def _zoom_out(img: np.ndarray, _rng, _t_s, scale: float = 0.6) -> np.ndarray:
    """Filmed from further away: the picture shrunk to 60 % in a frame of the same size."""
    h, w = img.shape[:2]
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    top, left = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    return cv2.copyMakeBorder(small, top, h - small.shape[0] - top, left,
                              w - small.shape[1] - left, cv2.BORDER_REPLICATE)


def _soft(img: np.ndarray, _rng, _t_s, sigma_frac: float = 0.004) -> np.ndarray:
    """Out of focus or a smudged lens: Gaussian blur of sd 0.4 % of the frame height
    (4 px at 1080p, 2 px at 480p): edges, the outline's soles and the waistband soften."""
    return cv2.GaussianBlur(img, (0, 0), sigma_frac * img.shape[0])


def _bright(img: np.ndarray, _rng, _t_s) -> np.ndarray:
    """Over-exposed (a window or a bright sky, auto-exposure set on the room): 1.8 x the
    light, highlights clipped to white; light clothes and pale skin run into the wall."""
    return np.clip(img.astype(np.float32) * 1.8 + 10, 0, 255).astype(np.uint8)


def _sway(t_s: float, parts: tuple[tuple[float, float, float], ...]) -> float:
    """A smooth wander: the sum of (amplitude, frequency Hz, phase rad) sines at ``t_s``."""
    return sum(a * np.sin(2 * np.pi * f * t_s + p) for a, f, p in parts)


# (amplitude, Hz, phase) of a hand-held phone's drift (slow, under 1.2 Hz) and tremor (6-9 Hz)
SWAY_X = ((0.012, 0.23, 0.4), (0.006, 0.61, 2.1), (0.002, 1.13, 5.0), (0.0008, 7.3, 1.0))
SWAY_Y = ((0.010, 0.31, 1.7), (0.005, 0.83, 4.2), (0.002, 1.21, 0.3), (0.0008, 8.9, 2.0))
SWAY_ROLL_DEG = ((0.8, 0.19, 3.0), (0.4, 0.71, 0.9), (0.1, 6.1, 4.4))
SWAY_SCALE = ((0.015, 0.13, 5.5), (0.005, 0.47, 1.2))


def _handheld(img: np.ndarray, _rng, t_s: float) -> np.ndarray:
    """Held in the hand instead of set down: the picture wanders up to ~3 % of its height
    sideways and up and down, rolls up to ~1.3 deg and zooms up to ~2 % as the arm drifts
    (under 1.2 Hz), with a little tremor (6-9 Hz), the edges filled by reflection. Every
    rule that reads the hips' height or a foot's place in the picture sees the camera move
    with it. Deterministic in time, so every run films the same wobble."""
    h, w = img.shape[:2]
    side = min(h, w)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), _sway(t_s, SWAY_ROLL_DEG),
                                1.0 + _sway(t_s, SWAY_SCALE))
    m[:, 2] += (side * _sway(t_s, SWAY_X), side * _sway(t_s, SWAY_Y))
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT_101)


# name -> (per-frame transform (image, rng, time s), keep every n-th frame)
CHANGES = {
    "mirror": (lambda img, _r, _t: cv2.flip(img, 1), 1),
    "half_size": (lambda img, _r, _t: cv2.resize(img, None, fx=0.5, fy=0.5,
                                                  interpolation=cv2.INTER_AREA), 1),
    "dim_noisy": (_dim, 1),
    "half_fps": (lambda img, _r, _t: img, 2),
    "jpeg_q15": (_jpeg, 1),
    "tilt_5deg": (_tilt, 1),
    "zoom_out": (_zoom_out, 1),
    "soft_focus": (_soft, 1),
    "overexposed": (_bright, 1),
    "handheld": (_handheld, 1),
}


def render(src: Path, change: str, out: Path) -> None:
    """Write ``src`` with ``change`` applied to ``out`` (mp4v; the file appears only whole)."""
    transform, every = CHANGES[change]
    rng = np.random.default_rng(0)
    tmp = out.with_suffix(".part.mp4")
    writer = None
    try:
        with VideoReader(src) as reader:
            fps = reader.info.fps_nominal or 30.0
            for i, frame in enumerate(reader):
                if i % every:
                    continue
                img = transform(frame.image, rng, frame.t_s)
                if writer is None:
                    h, w = img.shape[:2]
                    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"),
                                             fps / every, (w, h))
                writer.write(img)
    except BaseException:
        if writer is not None:
            writer.release()
        tmp.unlink(missing_ok=True)
        raise
    writer.release()
    tmp.rename(out)


def summarise(result: AnalysisResult, mirrored: bool) -> dict:
    """The items compared, with left/right swapped back for a mirrored clip."""
    side = (lambda s: SWAP.get(s, s)) if mirrored else (lambda s: s)
    reps = result.reps
    out = {"view": result.view, "facing": side(result.facing), "exercise": result.exercise,
           "rep count": len(reps), "reps": [(r.bottom_s, side(r.stance)) for r in reps]}
    for name in FINDINGS:
        states = [r.findings[name].present for r in reps if name in r.findings]
        out[name] = ("present" if any(s is True for s in states) else
                     "absent" if any(s is False for s in states) else "n/a")
    return out


def compare(base: dict, other: dict) -> dict[str, str | None]:
    """item -> None when equal, else a short 'base -> other' text."""
    diffs: dict[str, str | None] = {}
    for key in ["view", "facing", "exercise", "rep count", *FINDINGS]:
        diffs[key] = None if base[key] == other[key] else f"{base[key]} -> {other[key]}"
    wrong = []
    for t, stance in base["reps"]:
        near = [s for t2, s in other["reps"] if abs(t2 - t) < 1.0]
        if near and near[0] != stance:
            wrong.append(f"{t:.1f}s {stance}->{near[0]}")
    diffs["stance leg"] = "; ".join(wrong) or None
    return diffs
