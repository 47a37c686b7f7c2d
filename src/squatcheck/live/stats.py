"""Frames/s and glass-to-cue latency of the live loop, measured as it runs.

Latency of a frame = the moment its picture (with overlay and cues) has been
handed to the window and the window has processed its events, minus the
moment the frame reached the program (``LiveFrame.captured_at``). What happens
before (camera exposure, USB, driver buffers) is outside what we can clock.
Cue latency = capture of the frame whose analysis closed a rep → the first
picture showing that rep's verdict and cues (the engine itself closes a rep
``settle_s`` after the person is back up: that wait is the engine's, not ours).
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class LiveSummary:
    frames_grabbed: int
    frames_processed: int
    frames_dropped: int
    duration_s: float
    fps_processed: float
    latency_ms_median: float | None
    latency_ms_p90: float | None
    pose_ms_median: float | None
    draw_ms_median: float | None
    cues_shown: int
    cue_latency_ms_median: float | None
    evidence_ms_median: float | None = None  # image evidence per frame, after the picture

    def to_dict(self) -> dict:
        return asdict(self)


class LiveStats:
    """Rolling figures for the window, and every frame's timings for the summary."""

    def __init__(self, window: int = 30):
        self.shown_at: deque[float] = deque(maxlen=window)
        self.recent_latency: deque[float] = deque(maxlen=window)
        self.latency_s: list[float] = []
        self.pose_s: list[float] = []
        self.draw_s: list[float] = []
        self.first_shown: float | None = None
        self.cue_latency_s: list[float] = []
        self.evidence_s: list[float] = []

    def record(self, *, captured_at: float, pose_done: float, drawn: float, shown: float,
               pose_started: float) -> None:
        self.shown_at.append(shown)
        self.first_shown = shown if self.first_shown is None else self.first_shown
        latency = shown - captured_at
        self.recent_latency.append(latency)
        self.latency_s.append(latency)
        self.pose_s.append(pose_done - pose_started)
        self.draw_s.append(drawn - pose_done)

    def record_evidence(self, seconds: float) -> None:
        """Time spent measuring one frame's image evidence (after its picture was shown)."""
        self.evidence_s.append(seconds)

    def record_cue(self, latency_s: float) -> None:
        """Capture of the frame that closed a rep → its verdict and cues on screen."""
        self.cue_latency_s.append(latency_s)

    @property
    def fps(self) -> float:
        if len(self.shown_at) < 2:
            return 0.0
        return (len(self.shown_at) - 1) / max(self.shown_at[-1] - self.shown_at[0], 1e-6)

    @property
    def latency_ms(self) -> float | None:
        return float(np.median(self.recent_latency) * 1000) if self.recent_latency else None

    def summary(self, frames_grabbed: int) -> LiveSummary:
        n = len(self.latency_s)
        duration = (self.shown_at[-1] - self.first_shown) if n > 1 else 0.0

        def ms(values, q=50):
            return round(float(np.percentile(values, q) * 1000), 1) if values else None

        return LiveSummary(frames_grabbed, n, max(frames_grabbed - n, 0), round(duration, 3),
                           round((n - 1) / duration, 2) if duration > 0 else 0.0,
                           ms(self.latency_s), ms(self.latency_s, 90), ms(self.pose_s),
                           ms(self.draw_s), len(self.cue_latency_s), ms(self.cue_latency_s),
                           ms(self.evidence_s))
