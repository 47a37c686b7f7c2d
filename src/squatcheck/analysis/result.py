"""What an analysis says, as plain dataclasses: the contract between the engine
and every report, edge and evaluation.

The JSON form (``AnalysisResult.to_dict``) keeps these names stable; other
tools read them (see docs/result-schema.md and report/schema.json).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

SCHEMA_VERSION = "1.1"

VIEWS = ("front", "side", "oblique")
FACINGS = ("camera", "away", "left", "right", "unknown")
EXERCISES = ("single_leg_squat", "double_leg_squat", "not_squat")
STANCES = ("left", "right", "both")
FINDING_NAMES = ("knee_past_toes", "heel_lift", "pelvic_tilt", "pelvic_drop", "knee_valgus",
                 "trunk_lean", "quad_dominant")
SEVERITIES = ("none", "mild", "moderate", "severe", "not_assessable")
RATINGS = ("good", "fair", "poor", "not_assessable")
RATING_ITEMS = ("trunk", "pelvis", "hip", "knee", "foot", "overall")


@dataclass(frozen=True)
class Finding:
    """One clinical observation on one rep.

    ``present`` is None when the finding is not assessable; ``reason`` then says
    why (wrong view, landmark not visible...). Otherwise ``reason`` explains the
    verdict in plain language. ``frame`` is the frame index that shows it best.
    """

    name: str
    present: bool | None
    severity: str
    value: float | None
    unit: str
    threshold: float | None
    source: str
    frame: int | None
    t_s: float | None
    reason: str
    uncertainty: float | None = None

    @property
    def assessable(self) -> bool:
        return self.present is not None


@dataclass
class Rep:
    """One descent and return, with its own stance leg."""

    index: int
    stance: str
    start_s: float
    bottom_s: float
    end_s: float
    start_frame: int
    bottom_frame: int
    end_frame: int
    measurements: dict[str, float | None]
    findings: dict[str, Finding]
    rating: dict[str, str]
    # the leg the measurements are read on: the stance leg, or on both feet the better
    # seen (side view: the nearer) leg
    measured_leg: str = ""
    # the view and facing this rep was read in: the clip's, or its part's when the view
    # changed during the clip (analysis/view_sections.py)
    view: str = ""
    facing: str = ""


@dataclass
class Series:
    """Time series for plots and overlays; every array is (T,) aligned with ``t_s``.

    Keys carry units, e.g. ``knee_flexion_deg``, ``heel_rise_foot_lengths``.
    ``thresholds`` maps a series key to the profile threshold drawn on its plot.
    """

    t_s: np.ndarray
    frame_index: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)


@dataclass
class AnalysisResult:
    source: str
    view: str
    facing: str
    exercise: str
    usable_fraction: float
    reps: list[Rep]
    summary: dict
    series: Series
    profile: str = "default"
    notes: list[str] = field(default_factory=list)
    camera_roll_deg: float | None = None  # measured and undone; None = not measured
    schema_version: str = SCHEMA_VERSION

    def all_notes(self) -> list[str]:
        """The clip's notes and the summary's (rep counts, frontal angles set aside), once
        each: what the text and HTML reports list."""
        summary = self.summary if isinstance(self.summary, dict) else {}
        extra = summary.get("notes") if isinstance(summary.get("notes"), list) else []
        return list(dict.fromkeys(str(n) for n in [*self.notes, *extra] if str(n).strip()))

    def views(self) -> list[tuple[str, str]]:
        """(view, facing) the reps were read in, in order: the clip's alone unless the view
        changed during the clip (analysis/view_sections.py)."""
        seen = list(dict.fromkeys((r.view, r.facing) for r in self.reps if r.view))
        return seen if len(seen) > 1 else [(self.view, self.facing)]

    def to_dict(self) -> dict:
        """JSON-ready dict (NaN becomes None); series arrays become lists."""
        out = {
            "schema_version": self.schema_version,
            "source": self.source,
            "view": self.view,
            "facing": self.facing,
            "exercise": self.exercise,
            "usable_fraction": self.usable_fraction,
            "camera_roll_deg": self.camera_roll_deg,
            "profile": self.profile,
            "notes": list(self.notes),
            "reps": [asdict(rep) for rep in self.reps],
            "summary": self.summary,
            "series": {"t_s": self.series.t_s, "frame_index": self.series.frame_index,
                       **self.series.values},
        }
        return _jsonable(out)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj
