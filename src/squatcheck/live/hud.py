"""Draw the live window: skeleton, rep count, cues, verdict, setup screen, frames/s.

Pure drawing on a copy of the frame; no state beyond what is passed in. Solid
colours without anti-aliasing for the banners, so a test can find them in a
screenshot pixel for pixel (``CUE_BGR``, ``SKELETON_BGR``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..pose.landmarks import SKELETON
from ..report.display import RATING_HEX, hex_to_bgr
from .cues import ShownCue

SKELETON_BGR = (255, 255, 0)      # cyan
JOINT_BGR = (255, 255, 255)
CUE_BGR = (0, 110, 250)           # orange banner behind a cue
SETUP_BGR = (40, 40, 200)         # red-ish banner behind a framing problem
PANEL_BGR = (30, 30, 30)
TEXT_BGR = (255, 255, 255)
READY_BGR = (60, 170, 60)
FONT = cv2.FONT_HERSHEY_SIMPLEX
MIN_VISIBILITY = 0.3  # below this a landmark is not drawn (it would float around)


@dataclass
class HudState:
    """Everything the window shows besides the picture."""

    landmarks: np.ndarray | None = None      # (33, 5) normalised, or None
    rep_count: int = 0
    cues: list[ShownCue] = field(default_factory=list)
    verdict: ShownCue | None = None
    setup_problems: tuple[str, ...] = ()
    setup_done: bool = False
    setup_progress: float = 0.0
    fps: float = 0.0
    latency_ms: float | None = None
    note: str = ""


def _scale(image: np.ndarray) -> float:
    return max(image.shape[0], 360) / 480.0


def draw_skeleton(image: np.ndarray, landmarks: np.ndarray | None) -> None:
    if landmarks is None:
        return
    h, w = image.shape[:2]
    ok = np.isfinite(landmarks[:, :2]).all(1) & (np.nan_to_num(landmarks[:, 3]) >= MIN_VISIBILITY)
    pts = np.nan_to_num(landmarks[:, :2] * (w, h)).astype(int)
    thick = max(2, round(3 * _scale(image)))
    for a, b in SKELETON:
        if ok[a] and ok[b]:
            cv2.line(image, tuple(pts[a]), tuple(pts[b]), SKELETON_BGR, thick, cv2.LINE_8)
    for i in {i for pair in SKELETON for i in pair}:
        if ok[i]:
            cv2.circle(image, tuple(pts[i]), thick + 1, JOINT_BGR, -1, cv2.LINE_8)


def _text_box(image, text, org, *, scale, bg, fg=TEXT_BGR, pad=8, thick=2, alpha=1.0):
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    x, y = org
    x0, y0, x1, y1 = x, y, x + tw + 2 * pad, y + th + base + 2 * pad
    h, w = image.shape[:2]
    x1, y1 = min(x1, w), min(y1, h)
    if alpha >= 1.0:
        cv2.rectangle(image, (x0, y0), (x1 - 1, y1 - 1), bg, -1, cv2.LINE_8)
    else:
        roi = image[y0:y1, x0:x1]
        roi[:] = cv2.addWeighted(roi, 1 - alpha, np.full_like(roi, bg), alpha, 0)
    cv2.putText(image, text, (x + pad, y + pad + th), FONT, scale, fg, thick, cv2.LINE_AA)
    return y1


def _wrap(text: str, scale: float, thick: int, max_w: int) -> list[str]:
    """Split ``text`` into lines no wider than ``max_w`` pixels."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and cv2.getTextSize(trial, FONT, scale, thick)[0][0] > max_w:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines


def _text_lines(image, text, org, *, scale, bg, thick=2, alpha=1.0) -> int:
    """A wrapped text box; returns the y below it."""
    x, y = org
    for line in _wrap(text, scale, thick, image.shape[1] - x - 24):
        y = _text_box(image, line, (x, y), scale=scale, bg=bg, thick=thick, alpha=alpha)
    return y


def render(frame: np.ndarray, state: HudState) -> np.ndarray:
    """A new image: ``frame`` with the overlay for ``state``."""
    out = frame.copy()
    s = _scale(out)
    h, w = out.shape[:2]
    draw_skeleton(out, state.landmarks)

    # top left: rep count; top right: speed
    _text_box(out, f"Reps {state.rep_count}", (8, 8), scale=1.1 * s, bg=PANEL_BGR, thick=3,
              alpha=0.75)
    speed = f"{state.fps:4.1f} fps"
    if state.latency_ms is not None:
        speed += f"  {state.latency_ms:3.0f} ms"
    (tw, _), _ = cv2.getTextSize(speed, FONT, 0.55 * s, 1)
    _text_box(out, speed, (w - tw - 24, 8), scale=0.55 * s, bg=PANEL_BGR, thick=1, alpha=0.75)

    if state.note:
        _text_lines(out, state.note, (8, h - int(64 * s)), scale=0.45 * s, bg=PANEL_BGR,
                    thick=1, alpha=0.6)
    if not state.setup_done:
        _draw_setup(out, state, s)
    elif state.setup_problems:  # framing went wrong during the set: one line, not a screen
        _text_lines(out, state.setup_problems[0], (8, int(60 * s)), scale=0.5 * s,
                    bg=SETUP_BGR, thick=1)

    y = h - 8
    for cue in state.cues[::-1]:  # newest at the bottom, nearest the eye line of the feet
        (tw, th), base = cv2.getTextSize(cue.text, FONT, 1.0 * s, 2)
        y -= th + base + 16
        _text_box(out, cue.text, ((w - tw) // 2 - 8, y), scale=1.0 * s, bg=CUE_BGR, thick=2)
        y -= 6
    if state.verdict is not None:
        bg = hex_to_bgr(RATING_HEX.get(state.verdict.rating or "", "#455a64"))
        _text_lines(out, state.verdict.text, (8, int(60 * s)), scale=0.7 * s, bg=bg, thick=2)
    return out


def _draw_setup(out: np.ndarray, state: HudState, s: float) -> None:
    h, w = out.shape[:2]
    y = int(70 * s)
    y = _text_box(out, "Setup: get the whole body in view", (8, y), scale=0.7 * s,
                  bg=PANEL_BGR, alpha=0.75) + 6
    if state.setup_problems:
        for problem in state.setup_problems:
            y = _text_lines(out, problem, (8, y), scale=0.55 * s, bg=SETUP_BGR, thick=1) + 4
    else:
        y = _text_box(out, "Framing OK - hold still...", (8, y), scale=0.6 * s,
                      bg=READY_BGR) + 4
        x1 = 8 + int((w - 16) * state.setup_progress)
        cv2.rectangle(out, (8, y), (x1, y + 8), READY_BGR, -1, cv2.LINE_8)
    _text_box(out, "q / Esc: stop and write the report", (8, h - int(34 * s)), scale=0.45 * s,
              bg=PANEL_BGR, thick=1, alpha=0.6)
