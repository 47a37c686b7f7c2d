"""Fault names, their units and defaults, and how the truth labels findings.

A fault named without a magnitude gets a default well above any sensible
threshold, so "--fault heel_lift" makes an unmistakable heel lift. The label
criteria below decide the truth file's ``findings`` from the measured truth:
they sit in the middle of the gap between the benchmark's "clean" and "faulty"
magnitudes, and are labelling rules for synthetic truth, not analysis thresholds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FaultInfo:
    unit: str
    default: float
    below: float  # a magnitude the benchmark uses as "present but under threshold"
    help: str
    range: tuple[float, float] = (0.0, 30.0)  # magnitudes the mannequin can show


FAULTS: dict[str, FaultInfo] = {
    "knee_past_toes": FaultInfo("foot_lengths", 0.4, -0.35,
                                "knee ahead of the toe tip at the bottom, in foot lengths",
                                (-0.5, 0.8)),
    "heel_lift": FaultInfo("cm", 4.0, 0.5, "stance heel rise at the bottom, cm", (0.0, 10.0)),
    "pelvic_tilt": FaultInfo("deg", 12.0, 2.0, "pelvis tilt at the bottom vs standing, + anterior",
                             (-25.0, 30.0)),
    "pelvic_drop": FaultInfo("deg", 10.0, 1.5,
                             "free-leg side of the pelvis down at the bottom (negative = hike)",
                             (-15.0, 20.0)),
    "hip_adduction": FaultInfo("deg", 8.0, 2.0, "stance thigh adducted, pelvis level: the pelvis "
                               "shifts sideways over the stance foot (a pelvic-drop confounder)",
                               (-5.0, 15.0)),
    "knee_valgus": FaultInfo("deg", 20.0, 3.0, "frontal-plane projection angle at the bottom",
                             (-20.0, 40.0)),
    "trunk_lean": FaultInfo("deg", 55.0, 30.0, "forward trunk inclination at the bottom",
                            (-10.0, 80.0)),
    "lateral_trunk_lean": FaultInfo("deg", 15.0, 3.0,
                                    "sideways trunk inclination, + toward the stance leg",
                                    (-30.0, 30.0)),
    "quad_dominant": FaultInfo("deg", 25.0, 0.0,
                               "tibia more inclined than the trunk by this much; upright trunk, "
                               "knees past toes, early heel rise", (0.0, 45.0)),
    "hip_dominant": FaultInfo("deg", 28.0, 0.0,
                              "trunk more inclined than the tibia by this much; knees back",
                              (0.0, 45.0)),
}

# finding -> (truth key, criterion); |value| for signed pelvic tilt. Where the truth is in
# the engine's own units the criterion IS the default profile's threshold, so the mannequin
# and the engine share one definition (tests/test_profile.py keeps them equal). Heel lift
# (true cm vs MediaPipe's heel in foot lengths) and pelvic drop (issue 9's "detected at
# >= 5 deg, raised at <= 2 deg") are judged on the truth's own scale.
LABEL_CRITERIA: dict[str, tuple[str, float]] = {
    # CLINICAL.md: the knee landmark ahead of the foot index, ~0.10 behind the shoe tip
    "knee_past_toes": ("knee_toe_offset_foot_lengths", -0.10),
    "heel_lift": ("heel_rise_cm", 1.5),
    "knee_valgus": ("fppa_deg", 13.5),  # Herrington 2014: healthy mean + 1 SD
    "trunk_lean": ("trunk_inclination_deg", 45.0),
    "lateral_trunk_lean": ("lateral_trunk_lean_deg", 8.0),
    "pelvic_drop": ("pelvic_drop_deg", 5.0),
    "pelvic_tilt": ("pelvic_tilt_deg", 5.0),
    "quad_dominant": ("trunk_tibia_diff_deg", -8.0),  # Barrack 2021: tibia >= trunk + 8 deg
}

# Half-width, in the truth's units, of the band around each label level where a rep is
# borderline: about the measurement error found on the mannequin (docs/synth.md). A
# measurement within the tolerance cannot call a truth inside the band reliably,
# so the benchmark set draws its fault magnitudes outside it and the evaluation reports
# reps that land inside it anyway (incidental values) apart.
GUARD_BANDS: dict[str, float] = {
    "knee_past_toes": 0.10, "heel_lift": 1.0, "pelvic_tilt": 3.0, "quad_dominant": 5.0,
    "trunk_lean": 5.0, "lateral_trunk_lean": 3.0, "knee_valgus": 4.0, "pelvic_drop": 2.0}


def label_level(name: str) -> float:
    """The label level of fault ``name`` in the fault's own units and sign."""
    level = LABEL_CRITERIA[name][1]
    # the quad-dominant fault is tibia minus trunk, its label trunk minus tibia
    return -level if name == "quad_dominant" else level


def clear_of_label(name: str, magnitude: float, above: bool) -> float:
    """``magnitude`` of fault ``name`` moved out of its label's guard band, on the side
    ``above`` says; faults without a label of their own are returned as they are."""
    if name not in GUARD_BANDS:
        return round(magnitude, 3)
    level, band = label_level(name), GUARD_BANDS[name]
    lo, hi = (level + band, FAULTS[name].range[1]) if above else (
        FAULTS[name].range[0], level - band)
    return round(min(max(magnitude, lo), hi), 3)


_UNIT_SCALE = {"cm": ("cm", 1.0), "mm": ("cm", 0.1), "m": ("cm", 100.0), "deg": ("deg", 1.0),
               "°": ("deg", 1.0), "fl": ("foot_lengths", 1.0), "foot": ("foot_lengths", 1.0),
               "": (None, 1.0)}


def parse_fault(text: str) -> tuple[str, float]:
    """``"heel_lift=3cm"`` → ``("heel_lift", 3.0)``; ``"knee_valgus"`` → its default.

    Raises ValueError with a readable message for unknown names or units.
    """
    name, _, value = text.partition("=")
    name = name.strip().replace("-", "_")
    if name not in FAULTS:
        raise ValueError(f"unknown fault '{name}'; choose from {', '.join(FAULTS)}")
    info = FAULTS[name]
    if not value.strip():
        return name, info.default
    m = re.fullmatch(r"\s*([-+]?\d*\.?\d+)\s*([a-z°]*)\s*", value.lower())
    if not m:
        unit = "" if info.unit == "foot_lengths" else info.unit
        raise ValueError(f"cannot read the magnitude '{value}' of {name}; write e.g. "
                         f"{name}={info.default:g}{unit}")
    unit, scale = _UNIT_SCALE.get(m.group(2), (m.group(2), 1.0))
    if unit is not None and unit != info.unit:
        raise ValueError(f"{name} is measured in {info.unit}, not '{m.group(2)}'")
    value = float(m.group(1)) * scale
    check_magnitude(name, value)
    return name, value


def check_magnitude(name: str, value: float) -> None:
    """Raise ValueError if the mannequin cannot show ``value`` of fault ``name``."""
    lo, hi = FAULTS[name].range
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value:g} is outside what the mannequin can show "
                         f"({lo:g} to {hi:g} {FAULTS[name].unit})")


def label_findings(truth: dict[str, float], double: bool) -> dict[str, bool]:
    """Per-rep findings from the bottom-frame truth (see ``LABEL_CRITERIA``)."""
    out = {}
    for finding, (key, level) in LABEL_CRITERIA.items():
        v = truth[key]
        if finding in ("pelvic_tilt", "lateral_trunk_lean"):
            out[finding] = abs(v) >= level
        elif finding == "quad_dominant":
            out[finding] = v <= level
        elif finding == "pelvic_drop" and double:
            out[finding] = abs(v) >= level
        else:
            out[finding] = v >= level
    return out
