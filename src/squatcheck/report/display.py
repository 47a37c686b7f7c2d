"""How results look to a person: names, colours, units and number formats.

Everything here is presentation only (derived from a result, never a new
measurement), shared by the overlay, the plots, the HTML and the CSV so a
finding has the same name and colour everywhere.
"""

from __future__ import annotations

import math
import re

# Human names of the findings (result.FINDING_NAMES) and what they mean clinically.
FINDING_LABELS = {
    "knee_past_toes": "Knee past toes",
    "heel_lift": "Heel lift",
    "pelvic_tilt": "Pelvic tilt (proxy)",
    "pelvic_drop": "Pelvic drop",
    "knee_valgus": "Knee valgus",
    "trunk_lean": "Trunk lean",
    "quad_dominant": "Quad-dominant pattern",
}

RATING_LABELS = {"trunk": "Trunk", "pelvis": "Pelvis", "hip": "Hip", "knee": "Knee",
                 "foot": "Foot", "overall": "Overall"}

# Colours as hex for HTML/matplotlib; BGR tuples for OpenCV are derived below.
SEVERITY_HEX = {
    "none": "#2e7d32",            # green: looked for, not there
    "mild": "#f9a825",            # amber
    "moderate": "#ef6c00",        # orange
    "severe": "#c62828",          # red
    "not_assessable": "#757575",  # grey: could not be judged
}
RATING_HEX = {"good": "#2e7d32", "fair": "#f9a825", "poor": "#c62828",
              "not_assessable": "#757575"}
LEG_HEX = {"left": "#1565c0", "right": "#d84315", "both": "#6a1b9a", "": "#455a64"}
OK_HEX, WARN_HEX, NEUTRAL_HEX = "#43a047", "#e53935", "#eceff1"

# Unit suffixes used in series and measurement keys, with how to print them.
UNITS = {
    "deg": "°",
    "foot_lengths": "foot lengths",
    "leg_lengths": "leg lengths",
    "ratio": "",
    "s": "s",
    "px": "px",
    "fraction": "",
}
_UNIT_RE = re.compile(r"_(deg|foot_lengths|leg_lengths|ratio|s|px|fraction)(?=_left$|_right$|$)")
LEGS = ("left", "right")


def hex_to_bgr(color: str) -> tuple[int, int, int]:
    """'#rrggbb' -> (b, g, r) for OpenCV."""
    color = color.lstrip("#")
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return (b, g, r)


def finding_label(name: str) -> str:
    return FINDING_LABELS.get(name, name.replace("_", " ").capitalize())


def split_key(key: str) -> tuple[str, str, str]:
    """Split a series/measurement key into (quantity, unit, leg).

    ``knee_flexion_deg_left`` -> ("knee_flexion", "deg", "left");
    ``hip_knee_flexion_ratio`` -> ("hip_knee_flexion", "ratio", "");
    a key without a known unit keeps its whole name as the quantity.
    """
    leg = ""
    for side in LEGS:
        if key.endswith("_" + side):
            key, leg = key[: -len(side) - 1], side
            break
    match = _UNIT_RE.search(key)
    if match and match.end() == len(key):
        return key[: match.start()], match.group(1), leg
    return key, "", leg


KEY_LABELS = {
    "hip_knee_flexion": "Hip:knee flexion ratio",
    "fppa": "FPPA (knee valgus angle)",
    "knee_toe_offset": "Knee–toe offset",
    "tibia_minus_trunk": "Tibia minus trunk inclination",
    "hip_drop": "Hip drop (depth)",
}


def key_label(key: str) -> str:
    """Readable label for a measurement key: 'knee_toe_offset_foot_lengths' -> 'Knee–toe offset'."""
    quantity, _unit, leg = split_key(key)
    text = KEY_LABELS.get(quantity) or quantity.replace("_", " ").strip().capitalize()
    return f"{text} ({leg})" if leg else text


def unit_text(unit: str) -> str:
    return UNITS.get(unit, unit.replace("_", " "))


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def fmt_threshold(value, unit: str = "") -> str:
    """A profile threshold as it is set (13.5 deg stays 13.5, 0.065 stays 0.065): it is a
    chosen number, not a measurement to round."""
    if not is_number(value):
        return "—"
    decimals = f"{value:.3f}".rstrip("0").partition(".")[2]
    return fmt_value(value, unit, digits=len(decimals))


def fmt_value(value, unit: str = "", *, uncertainty=None, digits: int | None = None) -> str:
    """A number with its unit and optional ± uncertainty, rounded for reading.

    Degrees get 0 decimals (the pose is not more precise), lengths 2, ratios 2.
    """
    if not is_number(value):
        return "—"
    unit, _, qualifier = unit.partition(" ")  # "deg (proxy)" -> "deg", "(proxy)"
    if digits is None:
        digits = 0 if unit == "deg" else 2
    text = f"{value:.{digits}f}"
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    if is_number(uncertainty) and uncertainty > 0:
        text += f" ± {uncertainty:.{digits}f}"
    shown = unit_text(unit)
    if shown:
        text = f"{text}{shown}" if shown == "°" else f"{text} {shown}"
    return f"{text} {qualifier}" if qualifier else text


def severity_of(finding) -> str:
    """Severity name with the not-assessable case folded in (for colours)."""
    if finding is None or finding.present is None:
        return "not_assessable"
    return finding.severity if finding.severity in SEVERITY_HEX else "none"


def status_text(finding) -> str:
    """'present (moderate)', 'absent' or 'not assessable'."""
    if finding is None or finding.present is None:
        return "not assessable"
    if not finding.present:
        return "absent"
    if finding.severity and finding.severity not in ("none", "not_assessable"):
        return f"present ({finding.severity})"
    return "present"


def rep_range_text(indices: list[int]) -> str:
    """[1, 2, 3, 5] -> 'reps 1–3, 5'; [2] -> 'rep 2'."""
    nums = sorted(set(int(i) for i in indices))
    if not nums:
        return "no reps"
    parts, start, prev = [], nums[0], nums[0]
    for n in nums[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}–{prev}" if prev > start else f"{start}")
        if n is not None:
            start = prev = n
    word = "rep" if len(nums) == 1 else "reps"
    return f"{word} {', '.join(parts)}"
