"""Live analysis: frames arrive one at a time; each rep is reported within a second of its end.

The stages are the offline ones (:mod:`squatcheck.analysis.pipeline`), run on the
frames seen so far: :class:`~squatcheck.signals.LiveCleaner` cleans each frame
causally (forward-only Butterworth), and every ``check_every_s`` the rep
segmenter runs on the recent hip-height signal with ``final=False``, which closes
a rep only once the hip has been back up for ``settle_s`` (profile ``[reps]``).
A new rep is then judged (stance, squat or not) and measured exactly as offline.
Latency: ``settle_s`` + the filter's lag (~0.1 s) + ``check_every_s``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..signals import LiveCleaner, SignalSettings
from .context import Signals
from .features import body_features
from .measurements import compute_series, rep_evidence
from .pipeline import clip_context, measure_one, rep_segment, turned_body_reason
from .profile import as_profile
from .rep_evidence import RepEvidence
from .reps import RepSettings, segment_reps
from .result import Rep
from .turned_body import without_frontal_angles
from .view import ViewSettings
from .view_sections import view_cuts


@dataclass(frozen=True)
class RepEvent:
    """A rep the analyser has just closed: ``t_s`` is the time of the frame that closed it."""

    t_s: float
    rep: Rep


class IncrementalAnalyzer:
    """``update(t_s, image_lm, world_lm) -> list[RepEvent]``; ``finish() -> list[RepEvent]``.

    image_lm : (33, 5) normalised x, y, z, visibility, presence (NaN: nobody found);
    world_lm : (33, 3) metres. Keeps the last ``max_buffer_s`` seconds.
    """

    def __init__(self, *, image_size: tuple[int, int], fps_hz: float = 30.0, profile=None,
                 check_every_s: float = 0.1, max_buffer_s: float = 90.0):
        self.profile = as_profile(profile)
        self.size = (int(image_size[0]), int(image_size[1]))
        self.fps_hz = float(fps_hz) if fps_hz and fps_hz > 0 else 30.0
        self.cleaner = LiveCleaner(self.size, SignalSettings.from_profile(self.profile),
                                   fs_hz=self.fps_hz)
        self.rep_settings = RepSettings.from_profile(self.profile)
        self.view_settings = ViewSettings.from_profile(self.profile)
        self.check_every_s = check_every_s
        n = max(int(max_buffer_s * self.fps_hz), 64)
        self._rows: deque[tuple] = deque(maxlen=n)
        self._frames = 0
        self._last_check = -np.inf
        self._judged: list[tuple[float, float, float]] = []  # (start, bottom, end) s judged
        self.reps: list[Rep] = []
        self._evidence: list[RepEvidence] = []  # every squat rep's, for the turned-body check
        # the camera's roll and its verticals' convergence, set once read (live/loop.py)
        self.camera_roll_deg: float | None = None
        self.camera_slope_deg_per_side: float | None = None

    def update(self, t_s: float, image_lm: np.ndarray | None, world_lm: np.ndarray | None,
               extra: dict[str, np.ndarray] | None = None) -> list[RepEvent]:
        """``extra``: this frame's image evidence {name: (fields,)} as ``PoseTrack.extra``
        holds it per row (pelvis and feet read it as offline), or None."""
        if self._rows and t_s <= self._rows[-1][0]:
            return []  # time must rise
        if image_lm is None:
            image_lm = np.full((33, 5), np.nan)
        if world_lm is None:
            world_lm = np.full((33, 3), np.nan)
        image_lm = np.asarray(image_lm, float)
        xy = image_lm[:, :2] * np.asarray(self.size, float)
        xy_f, world_f, usable, vis = self.cleaner.update(t_s, xy, image_lm[:, 3],
                                                         np.asarray(world_lm, float))
        self._rows.append((float(t_s), self._frames, xy_f, vis, world_f, usable, extra))
        self._frames += 1
        if t_s - self._last_check < self.check_every_s:
            return []
        self._last_check = t_s
        return self._check(final=False)

    def finish(self) -> list[RepEvent]:
        """Close a rep still open at the end of the session (as offline analysis would)."""
        return self._check(final=True)

    def signals(self, last_s: float | None = None) -> Signals:
        """The buffered frames (or the last ``last_s`` seconds) as :class:`Signals`."""
        rows = list(self._rows)
        if last_s is not None:
            t_end = rows[-1][0]
            rows = [r for r in rows if r[0] >= t_end - last_s]
        t, fi, xy, vis, world, usable, extra = zip(*rows, strict=True)
        return Signals(np.asarray(t), np.asarray(fi, int), np.stack(xy), np.stack(vis),
                       np.asarray(usable, bool), np.stack(world), self.size,
                       _stack_extra(extra), self.camera_roll_deg,
                       self.camera_slope_deg_per_side)

    def _is_new(self, span: tuple[float, float, float]) -> bool:
        """A candidate (start, bottom, end in s) that is not one already judged: its bottom
        is ``min_rep_interval_s`` from theirs, and it does not share half its descent and
        return with one of them (seen early, a long bottom read 0.8 s later than it settled:
        tux_hyva_ja_paha counted twice live)."""
        start, bottom, end = span
        gap = self.rep_settings.min_rep_interval_s
        for s0, b0, e0 in self._judged:
            shared = min(end, e0) - max(start, s0)
            if abs(bottom - b0) < gap or shared > 0.5 * min(end - start, e0 - s0):
                return False
        return True

    def _check(self, *, final: bool) -> list[RepEvent]:
        if len(self._rows) < 8:
            return []
        rs = self.rep_settings
        # cheap trigger on the recent frames: is there a rep not judged yet?
        recent = self.signals(2 * rs.max_phase_s + rs.ground_window_s)
        feat = body_features(recent, ground_window_s=rs.ground_window_s, opening_s=rs.opening_s,
                             length_noise=rs.segment_length_noise)
        if not np.isfinite(feat.leg_length_px):
            return []
        cands = segment_reps(feat.hip_height_leg_lengths, recent.t_s, rs, final=final,
                             feet=feat.ankle_height_leg_lengths)
        if not any(self._is_new(_span(recent.t_s, c)) for c in cands):
            return []
        sig = self.signals()  # the whole buffer: baseline, view and lengths from all of it
        cuts = view_cuts(sig, self.view_settings,
                         self.profile.section("measurements")["camera_fov_deg"])
        if cuts:  # ... since the body last turned to another view (view_sections.py)
            sig = self.signals(sig.t_s[-1] - sig.t_s[cuts[-1]])
        stage = clip_context(sig, self.profile, final=final)
        series = None
        events = []
        for c, v in zip(stage.candidates, stage.verdicts, strict=True):
            span = _span(sig.t_s, c)
            if not self._is_new(span):
                continue
            self._judged.append(span)
            if not v.is_squat:
                continue
            if series is None:
                series = compute_series(sig, stage.ctx, self.profile)
            seg = rep_segment(c, v)
            ev = rep_evidence(sig, stage.ctx, seg, series, self.profile)
            # the knees of the reps so far, as offline: a turned body shows on both knees
            self._evidence.append(ev)
            turned = turned_body_reason(sig, stage.ctx, self._evidence, self.profile)
            ev = without_frontal_angles(ev, turned) if turned else ev
            rep = measure_one(sig, stage.ctx, seg, series, self.profile, index=len(self.reps),
                              evidence=ev)
            self.reps.append(rep)
            events.append(RepEvent(float(sig.t_s[-1]), rep))
        return events


def _span(t_s: np.ndarray, c) -> tuple[float, float, float]:
    return float(t_s[c.start]), float(t_s[c.bottom]), float(t_s[c.end])


def _stack_extra(rows: tuple) -> dict[str, np.ndarray]:
    """Per-frame evidence dicts (or None) -> {name: (T, fields)}, NaN where a frame has none."""
    widths = {name: np.size(v) for row in rows if row for name, v in row.items()}
    out = {name: np.full((len(rows), n), np.nan) for name, n in widths.items()}
    for i, row in enumerate(rows):
        for name, v in (row or {}).items():
            out[name][i] = v
    return out
