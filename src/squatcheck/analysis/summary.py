"""Clip summary across reps: averages per stance leg, finding counts and verdicts,
left vs right when both legs were tested.

Clinicians average 3-5 reps (Crossley 2011: 5; Munro 2012: 3), so each leg's numbers
are means over its first ``max_reps_averaged`` reps, and a finding is called present
for the clip when it shows in at least ``min_share_of_reps`` of the reps that could
assess it (profile [summary]).
"""

from __future__ import annotations

import numpy as np

from .context import ClipContext
from .result import FINDING_NAMES, RATING_ITEMS, Rep

# Measurements averaged per leg, and which asymmetry threshold applies to each.
SUMMARY_KEYS = {
    "knee_flexion_deg": "deg", "hip_flexion_deg": "deg",
    "ankle_dorsiflexion_deg": "deg", "trunk_inclination_deg": "deg",
    "tibia_inclination_deg": "deg", "tibia_minus_trunk_deg": "deg",
    "hip_knee_flexion_ratio": None, "knee_toe_offset_foot_lengths": "foot_lengths",
    "heel_rise_foot_lengths": "foot_lengths", "foot_angle_rise_deg": "deg",
    "fppa_deg": "deg", "pelvic_drop_deg": "deg", "lateral_trunk_lean_deg": "deg",
    "hip_drop_leg_lengths": None,
}
LEGS = ("left", "right", "both")


def summarize(reps: list[Rep], ctx: ClipContext, profile) -> dict:
    """JSON-ready clip summary (see docs/analysis-measurements.md for the layout)."""
    sec = profile.section("summary")
    by_leg = {leg: [r for r in reps if r.stance == leg] for leg in LEGS}
    legs = {leg: _leg_summary(rs, profile) for leg, rs in by_leg.items() if rs}
    findings = {name: _finding_verdict(name, reps, sec["min_share_of_reps"])
                for name in FINDING_NAMES}
    notes = []
    for leg, rs in by_leg.items():
        if rs and len(rs) < sec["min_reps_for_average"]:
            notes.append(f"Only {len(rs)} rep(s) on {_leg_name(leg)}: clinicians average "
                         f"{sec['min_reps_for_average']}-{sec['max_reps_averaged']}.")
    out = {
        "rep_count": len(reps),
        "reps_by_stance": {leg: len(rs) for leg, rs in by_leg.items() if rs},
        "legs": legs,
        "findings": findings,
        "rating": _clip_rating(reps),
        "left_vs_right": _left_vs_right(legs, sec) if {"left", "right"} <= legs.keys() else None,
        "view": ctx.view,
        "notes": notes + list(ctx.notes),
    }
    out["verdict"] = _verdict_lines(out)
    return out


def _leg_summary(reps: list[Rep], profile) -> dict:
    used = reps[: profile.section("summary")["max_reps_averaged"]]
    means = {}
    for key in SUMMARY_KEYS:
        vals = [r.measurements.get(key) for r in used]
        vals = [v for v in vals if v is not None and np.isfinite(v)]
        means[key] = round(float(np.mean(vals)), 3) if vals else None
    return {"reps": len(reps), "reps_averaged": len(used), "mean": means,
            "findings": {name: _finding_verdict(name, reps,
                                                profile.section("summary")["min_share_of_reps"])
                         for name in FINDING_NAMES}}


def _finding_verdict(name: str, reps: list[Rep], min_share: float) -> dict:
    found = [r.findings[name] for r in reps if name in r.findings]
    assessed = [f for f in found if f.present is not None]
    present = [f for f in assessed if f.present]
    if not assessed:
        reason = found[0].reason if found else "no reps"
        return {"present": None, "verdict": "not_assessable", "reps_present": 0,
                "reps_assessed": 0, "mean_value": None, "unit": found[0].unit if found else None,
                "threshold": found[0].threshold if found else None,
                "source": found[0].source if found else None, "reason": reason,
                "worst_rep": None}
    share = len(present) / len(assessed)
    is_present = share >= min_share and bool(present)
    verdict = "present" if is_present else ("occasional" if present else "absent")
    values = [f.value for f in assessed if f.value is not None]
    worst = max(assessed, key=lambda f: (f.present, f.value if f.value is not None else -np.inf))
    worst_index = next(r.index for r in reps if r.findings.get(name) is worst)
    return {"present": is_present, "verdict": verdict, "reps_present": len(present),
            "reps_assessed": len(assessed),
            "mean_value": round(float(np.mean(values)), 3) if values else None,
            "unit": worst.unit, "threshold": worst.threshold, "source": worst.source,
            "reason": worst.reason, "worst_rep": worst_index}


def _clip_rating(reps: list[Rep]) -> dict[str, str]:
    """Per item, the most common rating among reps that could rate it (ties: the worse)."""
    order = ("good", "fair", "poor")
    out = {}
    for item in RATING_ITEMS:
        got = [r.rating.get(item) for r in reps if r.rating.get(item) in order]
        if not got:
            out[item] = "not_assessable"
            continue
        counts = {g: got.count(g) for g in order}
        out[item] = max(order, key=lambda g: (counts[g], order.index(g)))
    return out


def _left_vs_right(legs: dict, sec) -> dict:
    """Mean of each measurement on the left vs the right stance leg, and the difference."""
    out = {}
    for key, kind in SUMMARY_KEYS.items():
        left, right = legs["left"]["mean"][key], legs["right"]["mean"][key]
        if left is None or right is None:
            continue
        diff = right - left
        limit = {"deg": sec["asymmetry_deg"], "foot_lengths": sec["asymmetry_foot_lengths"]}.get(
            kind)
        out[key] = {"left": left, "right": right, "right_minus_left": round(diff, 3),
                    "notable": bool(limit is not None and abs(diff) >= limit)}
    return out


def _verdict_lines(summary: dict) -> list[str]:
    """Plain-language lines for the top of a report."""
    lines = []
    n = summary["rep_count"]
    if n == 0:
        return ["No squat reps were found."]
    stances = ", ".join(f"{c} on {_leg_name(leg)}" for leg, c in summary["reps_by_stance"].items())
    lines.append(f"{n} rep(s): {stances}. Overall rating: {summary['rating']['overall']}.")
    for name, f in summary["findings"].items():
        label = name.replace("_", " ")
        if f["verdict"] == "present":
            lines.append(f"{label.capitalize()} in {f['reps_present']} of {f['reps_assessed']} "
                         f"rep(s): {f['reason']}")
        elif f["verdict"] == "occasional":
            lines.append(f"{label.capitalize()} in only {f['reps_present']} of "
                         f"{f['reps_assessed']} rep(s).")
    absent = [k.replace("_", " ") for k, f in summary["findings"].items()
              if f["verdict"] == "absent"]
    if absent:
        lines.append("Not seen: " + ", ".join(absent) + ".")
    na = [k.replace("_", " ") for k, f in summary["findings"].items()
          if f["verdict"] == "not_assessable"]
    if na:
        lines.append("Not assessable from this video: " + ", ".join(na) + ".")
    lr = summary.get("left_vs_right") or {}
    digits = {"deg": ".1f", "foot_lengths": ".2f"}
    notable = [f"{_plain(k)} ({v['left']:+{digits.get(SUMMARY_KEYS[k], '.2f')}} left, "
               f"{v['right']:+{digits.get(SUMMARY_KEYS[k], '.2f')}} right)"
               for k, v in lr.items() if v["notable"]]
    if notable:
        lines.append("Left vs right differs in: " + "; ".join(notable) + ".")
    return lines


_NAMES = {"fppa": "FPPA knee angle", "pelvic_drop": "hip-line drop",
          "knee_toe_offset": "knee past toes", "hip_drop": "depth",
          "hip_knee_flexion_ratio": "hip:knee flexion ratio"}


def _plain(key: str) -> str:
    """'fppa_deg' -> 'FPPA knee angle (deg)': a measurement key for people."""
    stem, unit = key, ""
    for suffix in ("_deg", "_foot_lengths", "_leg_lengths"):
        if key.endswith(suffix):
            stem, unit = key[: -len(suffix)], suffix[1:].replace("_", " ")
            break
    name = _NAMES.get(stem, stem.replace("_", " "))
    return f"{name} ({unit})" if unit else name


def _leg_name(leg: str) -> str:
    return "both legs" if leg == "both" else f"the {leg} leg"
