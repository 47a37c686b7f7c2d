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
    """Text scale: 1 for a 640x480 picture, following its shorter side (portrait phones)."""
    return float(np.clip(min(image.shape[:2]) / 480.0, 0.6, 2.0))


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
    """A wrapped text box from ``org`` down; returns the y below it."""
    x, y = org
    for line in _wrap(text, scale, thick, image.shape[1] - x - 16):
        y = _text_box(image, line, (x, y), scale=scale, bg=bg, thick=thick, alpha=alpha)
    return y


def _text_lines_up(image, text, bottom, *, scale, bg, thick=2, alpha=1.0) -> int:
    """A wrapped text box ending at ``bottom``; returns the y above it."""
    lines = _wrap(text, scale, thick, image.shape[1] - 24)
    (_, th), base = cv2.getTextSize("Ag", FONT, scale, thick)
    y = bottom - len(lines) * (th + base + 16)
    top = y
    for line in lines:
        y = _text_box(image, line, (8, y), scale=scale, bg=bg, thick=thick, alpha=alpha)
    return top


def render(frame: np.ndarray, state: HudState, mirror: bool = False) -> np.ndarray:
    """A new image: ``frame`` with the overlay for ``state``.

    ``mirror``: show the picture (and the skeleton on it) flipped left-right, as a mirror
    and every video-call app show a person their own camera, so that stepping to the left
    moves left on screen. The text is drawn after the flip, so it reads normally.
    """
    out = frame.copy()
    draw_skeleton(out, state.landmarks)
    if mirror:
        out = np.ascontiguousarray(out[:, ::-1])
    s = _scale(out)
    h, w = out.shape[:2]

    # top: rep count, then speed beside it (or below it on a narrow picture)
    below = _text_box(out, f"Reps {state.rep_count}", (8, 8), scale=1.1 * s, bg=PANEL_BGR,
                      thick=3, alpha=0.75)
    speed = f"{state.fps:4.1f} fps"
    if state.latency_ms is not None:
        speed += f"  {state.latency_ms:3.0f} ms"
    (tw, _), _ = cv2.getTextSize(speed, FONT, 0.5 * s, 1)
    (rw, _), _ = cv2.getTextSize(f"Reps {state.rep_count}", FONT, 1.1 * s, 3)
    if rw + tw + 60 < w:
        _text_box(out, speed, (w - tw - 24, 8), scale=0.5 * s, bg=PANEL_BGR, thick=1, alpha=0.75)
    else:
        below = _text_box(out, speed, (8, below + 4), scale=0.5 * s, bg=PANEL_BGR, thick=1,
                          alpha=0.75)
    y_top = below + 8

    if state.verdict is not None:
        bg = hex_to_bgr(RATING_HEX.get(state.verdict.rating or "", "#455a64"))
        y_top = _text_lines(out, state.verdict.text, (8, y_top), scale=0.7 * s, bg=bg) + 6
    # cues under it, newest first: the top of the picture is usually free, the feet are not
    for cue in state.cues:
        y_top = _text_lines(out, cue.text, (8, y_top), scale=1.0 * s, bg=CUE_BGR) + 6
    if not state.setup_done:
        y_top = _draw_setup(out, state, s, y_top)
    elif state.setup_problems:  # framing went wrong during the set: one line, not a screen
        y_top = _text_lines(out, state.setup_problems[0], (8, y_top), scale=0.5 * s,
                            bg=SETUP_BGR, thick=1) + 6

    y_bottom = h - 8
    if not state.setup_done:
        y_bottom = _text_lines_up(out, "q / Esc: stop and write the report", y_bottom,
                                  scale=0.45 * s, bg=PANEL_BGR, thick=1, alpha=0.6) - 4
    if state.note:
        y_bottom = _text_lines_up(out, state.note, y_bottom, scale=0.45 * s, bg=PANEL_BGR,
                                  thick=1, alpha=0.6) - 4
    return out


def _draw_setup(out: np.ndarray, state: HudState, s: float, y: int) -> int:
    w = out.shape[1]
    y = _text_lines(out, "Setup: get your whole body in view", (8, y), scale=0.65 * s,
                    bg=PANEL_BGR, alpha=0.75) + 6
    if state.setup_problems:
        for problem in state.setup_problems:
            y = _text_lines(out, problem, (8, y), scale=0.55 * s, bg=SETUP_BGR, thick=1) + 4
        return y
    y = _text_lines(out, "Framing OK - hold still...", (8, y), scale=0.6 * s, bg=READY_BGR) + 4
    x1 = 8 + int((w - 16) * state.setup_progress)
    cv2.rectangle(out, (8, y), (max(x1, 9), y + 8), READY_BGR, -1, cv2.LINE_8)
    return y + 14
