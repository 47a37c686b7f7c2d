"""Knees leaning opposite ways: the mark of a body turned from a front camera.

Turned from the camera by a yaw, a body shows each knee's forward travel sideways in the
picture, to the same side for both knees: one knee reads valgus and the other varus, about
1.4 deg of FPPA per degree of turn at a single-leg squat's depth (docs/perspective.md,
Limits). Standing, no landmark reading tells a 10 deg turn from square-on (view.py), but
the knees themselves do when both are seen: in a double-leg squat, or a clip that tests
each leg. A person's knees go in together or out together (real wide squats read -35 to
-45 deg on both; the mannequin filmed square-on never reads a knee past -7.5 deg), so two
knees each past the measurement noise in opposite directions are the camera's doing, and
the frontal angles are set aside with that reason instead of reporting 20-50 deg of
"valgus" (held-out seed 65, bodies turned 5-25 deg).

The sideways trunk lean comes from the same picture (the trunk's forward lean shows
sideways) and is set aside with the knees.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .rep_evidence import RepEvidence

KNEE_KEYS = ("fppa_deg", "fppa_deg_left", "fppa_deg_right")
SET_ASIDE = (*KNEE_KEYS, "lateral_trunk_lean_deg")


def knees_per_leg_deg(evidence: list[RepEvidence]) -> dict[str, float]:
    """Median FPPA (deg, + = valgus) of each knee over the clip's reps: both knees of a
    double-leg rep, the stance knee of a single-leg one (measure_rep leaves the free knee
    out). NaN for a knee never read."""
    out = {}
    for leg in ("left", "right"):
        values = [ev.values.get(f"fppa_deg_{leg}") for ev in evidence]
        values = [v for v in values if v is not None]
        out[leg] = float(np.median(values)) if values else float("nan")
    return out


def opposite_knees_reason(evidence: list[RepEvidence], min_opposite_deg: float) -> str | None:
    """Why the frontal angles of these reps cannot be trusted, or None: the two knees'
    medians lie more than ``min_opposite_deg`` from zero on opposite sides."""
    knees = knees_per_leg_deg(evidence)
    left, right = knees["left"], knees["right"]
    if not (np.isfinite(left) and np.isfinite(right)):
        return None
    if min(left, right) > -min_opposite_deg or max(left, right) < min_opposite_deg:
        return None
    word = {True: "inside", False: "outside"}
    return (f"the left knee read {abs(left):.0f} deg {word[left > 0]} and the right "
            f"{abs(right):.0f} deg {word[right > 0]} the hip-ankle line: knees leaning opposite "
            "ways are what a body turned from the camera shows (each degree of turn moves "
            "the angle by about 1.4 deg); film facing the camera squarely")


def without_frontal_angles(ev: RepEvidence, reason: str) -> RepEvidence:
    """A copy of ``ev`` whose knee and sideways trunk angles are cleared with ``reason``
    (their findings then say "not assessable" and why); ``ev`` keeps its values, which
    later reps are checked against."""
    cleared = dict.fromkeys(SET_ASIDE)
    return replace(ev, values={**ev.values, **cleared},
                   reasons={**ev.reasons, **dict.fromkeys(SET_ASIDE, reason)})
