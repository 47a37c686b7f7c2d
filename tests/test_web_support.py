"""Helpers shared by the web tests (no tests here): real clips, small videos, polling."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

CLIPS = Path(__file__).parents[1].parent / "shared" / "clips"
SMALL_CLIP = CLIPS / "dnly_gf_1.gif"  # 87 frames, 108×192: the cheapest real squat clip


def clip_frames(path: Path = SMALL_CLIP, limit: int | None = None) -> list[np.ndarray]:
    """BGR frames of a real clip (decoded once per call)."""
    cap = cv2.VideoCapture(str(path))
    frames = []
    while limit is None or len(frames) < limit:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 25) -> Path:
    """Uncompressed YUV4MPEG2 (4:2:0): what Chromium's fake camera reads, and ffmpeg decodes.

    Frame sides must be even.
    """
    h, w = frames[0].shape[:2]
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            fh.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path


def wait_until_finished(get, url: str, timeout_s: float = 180.0,
                        interval_s: float = 0.2) -> tuple[dict, list[dict]]:
    """Poll ``url`` with ``get`` until done/failed; return the last answer and every answer."""
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = get(url)
        assert response.status_code == 200, response.text
        seen.append(response.json())
        if seen[-1]["status"] in ("done", "failed"):
            return seen[-1], seen
        time.sleep(interval_s)
    raise AssertionError(f"{url} not finished after {timeout_s} s: {seen[-1]}")
