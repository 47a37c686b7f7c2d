"""What to draw on one video frame, looked up from an ``Analysis`` (no new maths).

:class:`OverlayTimeline` maps a decoded frame index to a :class:`FrameState`:
the landmarks of that frame, the rep it belongs to, the series values at that
frame with their thresholds, and which findings of the rep are on show. The
annotators in :mod:`.overlay` read only a ``FrameState``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .display import split_key

# Series quantity each finding is judged on (for per-frame colouring and plot bands).
FINDING_SERIES = {
    "knee_past_toes": "knee_toe_offset_foot_lengths",
    "heel_lift": "heel_rise_foot_lengths",
    "knee_valgus": "fppa_deg",
    "pelvic_drop": "pelvic_obliquity_deg",
    "trunk_lean": "trunk_inclination_deg",
    "quad_dominant": "tibia_minus_trunk_deg",
}


@dataclass
class FrameState:
    """Everything an annotator may show on one frame.

    ``xy_norm`` is (33, 2) normalised image coordinates (NaN when no pose);
    annotators scale it to the frame they draw on. ``legs`` are the legs to
    highlight (the current or nearest rep's stance leg, both for a double-leg
    squat). ``values`` holds series values at this frame, keyed as in
    ``Series.values``; ``thresholds`` maps a key to its profile threshold.
    """

    frame_index: int
    t_s: float
    xy_norm: np.ndarray
    visibility: np.ndarray
    view: str
    facing: str
    legs: tuple[str, ...]
    measured_leg: str = ""             # the (nearest) rep's measured leg (Rep.measured_leg)
    rep_number: int | None = None      # 1-based number of the rep this frame is in
    reps_done: int = 0
    reps_total: int = 0
    stance: str = ""
    values: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    findings: list = field(default_factory=list)        # present Findings of the current rep
    rep_findings_all: list = field(default_factory=list)  # every Finding of the current rep
    evidence: set[str] = field(default_factory=set)     # findings whose evidence frame is now
    slow_motion: float = 1.0                            # >1 while shown slowed down
    band: np.ndarray | None = None  # this frame's waist line: x, y normalised, image tilt deg
    shoe_tips: dict[str, np.ndarray] = field(default_factory=dict)  # leg -> tip x, sole y (norm.)
    heel_soles: dict[str, np.ndarray] = field(default_factory=dict)  # leg -> heel x, sole y (norm.)

    @property
    def has_pose(self) -> bool:
        return bool(np.isfinite(self.xy_norm).any())

    def value(self, quantity_unit: str, leg: str = "") -> float | None:
        """Series value for e.g. ('knee_toe_offset_foot_lengths', 'left'); None if missing."""
        for key in ((f"{quantity_unit}_{leg}",) if leg else ()) + (quantity_unit,):
            v = self.values.get(key)
            if v is not None and np.isfinite(v):
                return float(v)
        return None

    def flagged(self, finding: str) -> bool:
        """Whether the current rep has ``finding`` present."""
        return any(f.name == finding for f in self.findings)

    def threshold(self, quantity_unit: str, leg: str = "") -> float | None:
        """Threshold of a series from ``Series.thresholds`` or, failing that, the finding's."""
        for key in ((f"{quantity_unit}_{leg}",) if leg else ()) + (quantity_unit,):
            if key in self.thresholds and self.thresholds[key] is not None:
                return float(self.thresholds[key])
        for finding in self.rep_findings_all:
            if FINDING_SERIES.get(finding.name) == quantity_unit and finding.threshold is not None:
                return float(finding.threshold)
        return None


class OverlayTimeline:
    """Look up a :class:`FrameState` per decoded frame index of the source video.

    Parameters
    ----------
    analysis : squatcheck.analysis.analyze.Analysis
    evidence_window_s : float
        A finding's label is emphasised within this many seconds of its evidence frame.
    max_gap_frames : int
        A video frame with no row of its own (pose run at a lower rate, frames dropped
        live) shows the nearest row up to this many frames away, so the overlay does
        not flicker; farther away it shows no pose.
    """

    def __init__(self, analysis, *, evidence_window_s: float = 0.3, max_gap_frames: int = 5):
        self.track = analysis.track
        self.result = analysis.result
        self.evidence_window_s = evidence_window_s
        self.max_gap_frames = max_gap_frames
        self._frames = np.asarray(self.track.frame_index, int)
        series = self.result.series
        self._series_frames = np.asarray(series.frame_index, int)
        self._series = {k: np.asarray(v, float) for k, v in series.values.items()
                        if np.ndim(v) == 1 and len(v) == len(series.frame_index)}
        self._thresholds = {k: v for k, v in series.thresholds.items() if v is not None}
        self.reps = sorted(self.result.reps, key=lambda r: r.start_frame)
        for rep in self.reps:  # no Series.thresholds: the findings' own, same unit only
            for f in rep.findings.values():
                stem = FINDING_SERIES.get(f.name)
                if (stem and stem not in self._thresholds and f.threshold is not None
                        and split_key(stem)[1] == f.unit):
                    self._thresholds[stem] = float(f.threshold)

    def rep_at(self, frame_index: int):
        """(rep, number) of the rep containing the frame, else (None, None)."""
        for n, rep in enumerate(self.reps, 1):
            if rep.start_frame <= frame_index <= rep.end_frame:
                return rep, n
        return None, None

    def _nearest_rep(self, frame_index: int):
        if not self.reps:
            return None
        return min(self.reps, key=lambda r: min(abs(r.start_frame - frame_index),
                                                abs(r.end_frame - frame_index)))

    def _nearest(self, frames: np.ndarray, frame_index: int) -> int | None:
        """Row of ``frames`` (sorted frame indices) nearest to ``frame_index``, within the gap."""
        if frames.size == 0:
            return None
        i = int(np.searchsorted(frames, frame_index))
        best = min((j for j in (i - 1, i) if 0 <= j < frames.size),
                   key=lambda j: abs(int(frames[j]) - frame_index))
        return best if abs(int(frames[best]) - frame_index) <= self.max_gap_frames else None

    def state(self, frame_index: int, t_s: float | None = None) -> FrameState:
        row = self._nearest(self._frames, int(frame_index))
        if row is None:
            xy = np.full((33, 2), np.nan)
            vis = np.zeros(33)
            t = float(t_s or 0.0)
        else:
            xy, vis, t = self.track.xy[row], self.track.visibility[row], float(self.track.t_s[row])
        rep, number = self.rep_at(frame_index)
        near = rep or self._nearest_rep(frame_index)
        stance = near.stance if near else ""
        legs = ("left", "right") if stance in ("both", "") else (stance,)
        srow = self._nearest(self._series_frames, int(frame_index))
        values = ({k: float(v[srow]) for k, v in self._series.items()} if srow is not None
                  else {})
        state = FrameState(
            frame_index=int(frame_index), t_s=t, xy_norm=np.asarray(xy, float),
            visibility=np.asarray(vis, float),
            view=near.view if near and near.view else self.result.view,
            facing=near.facing if near and near.facing else self.result.facing,
            legs=legs, measured_leg=near.measured_leg if near else "",
            rep_number=number, stance=stance,
            reps_done=sum(1 for r in self.reps if r.end_frame < frame_index),
            reps_total=len(self.reps), values=values, thresholds=self._thresholds,
            band=None if row is None else waist_line_at(self.track, row),
            shoe_tips={} if row is None else shoe_tips_at(self.track, row),
            heel_soles={} if row is None else heel_soles_at(self.track, row))
        if rep is not None:
            state.rep_findings_all = list(rep.findings.values())
            state.findings = [f for f in rep.findings.values() if f.present]
            for f in state.findings:
                if f.t_s is not None and abs(f.t_s - t) <= self.evidence_window_s:
                    state.evidence.add(f.name)
                elif f.t_s is None and f.frame is not None and f.frame == frame_index:
                    state.evidence.add(f.name)
        return state


def waist_line_at(track, row: int) -> np.ndarray | None:
    """(3,) x, y (normalised) and image tilt (deg) of the waist line the pelvis evidence
    found in ``row`` of ``track`` (pose/silhouette.py), or None."""
    from ..pose.silhouette import FIELDS

    ev = getattr(track, "extra", {}).get("pelvis_evidence")
    if ev is None or np.ndim(ev) != 2 or row >= len(ev):
        return None
    band = np.asarray(ev[row], float)[[FIELDS.index(k) for k in ("band_x", "band_y",
                                                                   "band_tilt_deg")]]
    return band if np.isfinite(band).all() else None


def shoe_tips_at(track, row: int) -> dict[str, np.ndarray]:
    """{leg: (2,) normalised x of the shoe tip, y of the front sole} that the foot evidence
    found in ``row`` of ``track`` (pose/foot_silhouette.py): the point knee past toes is
    measured to."""
    return _foot_points_at(track, row, "tip_x", "toe_sole_y")


def heel_soles_at(track, row: int) -> dict[str, np.ndarray]:
    """{leg: (2,) normalised x of the heel, y of the sole under the rear of the shoe}: the
    point heel rise is measured at (pose/foot_silhouette.py)."""
    return _foot_points_at(track, row, "heel_x", "heel_sole_y")


def _foot_points_at(track, row: int, x_field: str, y_field: str) -> dict[str, np.ndarray]:
    """Two foot-evidence fields of ``row`` per foot, where both were found; stored per foot
    as the track's own landmarks label them, as drawn here."""
    from ..pose.foot_silhouette import FIELDS

    ev = getattr(track, "extra", {}).get("foot_evidence")
    if ev is None or np.ndim(ev) != 2 or row >= len(ev) or np.shape(ev)[1] != 2 * len(FIELDS):
        return {}
    feet = np.asarray(ev[row], float).reshape(2, len(FIELDS))
    cols = [FIELDS.index(x_field), FIELDS.index(y_field)]
    return {leg: feet[k, cols] for k, leg in enumerate(("left", "right"))
            if np.isfinite(feet[k, cols]).all()}
