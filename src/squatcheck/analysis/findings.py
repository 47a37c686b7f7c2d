"""Clinical findings per rep: a verdict, its size, the threshold and source, the frame.

Each finding is assessed only from the view that shows it (CLINICAL.md "Which view
shows what"); otherwise it is "not assessable" with the reason. Thresholds, sources
and uncertainties all come from the profile.
"""

from __future__ import annotations

import numpy as np

from .context import ClipContext, RepSegment, Signals
from .pelvis_findings import pelvis_findings
from .rep_evidence import RepEvidence, rep_evidence
from .result import Finding

SEVERITY_ORDER = ("none", "mild", "moderate", "severe")


def assess_rep(measurements: dict[str, float | None], series: dict[str, np.ndarray],
               sig: Signals, ctx: ClipContext, seg: RepSegment, profile,
               evidence: RepEvidence | None = None) -> dict[str, Finding]:
    """All findings of one rep, keyed by finding name (result.FINDING_NAMES order).

    ``measurements`` is what :func:`measure_rep` returned for this rep; ``evidence``
    (optional) saves recomputing its rows and reasons.
    """
    ev = evidence or rep_evidence(sig, ctx, seg, series, profile)
    mk = _Maker(sig, ev, measurements)
    pelvis = pelvis_findings(sig, ctx, seg, series, profile,  # waist line (analysis/pelvis.py)
                             set_aside=ev.frontal_set_aside)
    out = {
        "knee_past_toes": _knee_past_toes(mk, profile),
        "heel_lift": _heel_lift(mk, profile, seg),
        "pelvic_tilt": pelvis["pelvic_tilt"],
        "pelvic_drop": pelvis["pelvic_drop"],
        "knee_valgus": _knee_valgus(mk, profile, ctx, seg),
        "trunk_lean": _trunk_lean(mk, profile, ctx, seg),
    }
    out["quad_dominant"] = _quad_dominant(mk, profile, out, seg)
    return out


# measurements read from the same evidence as a finding whose own gates can set it aside
_MEASURED_FOR = {"pelvic_drop": ("pelvic_obliquity_deg", "pelvic_drop_deg")}


def reported_measurements(values: dict[str, float | None],
                          findings: dict[str, Finding]) -> dict[str, float | None]:
    """``values`` without the measurements of a finding that was not assessable: the
    pelvic line is set aside where the trunk leans or the waist is hidden, and a number
    shown beside "not assessable" would still be read as a measurement."""
    out = dict(values)
    for name, keys in _MEASURED_FOR.items():
        if name in findings and findings[name].present is None:
            out.update(dict.fromkeys(keys))
    return out


def grade(value: float, threshold: float, moderate: float, severe: float) -> str:
    """Severity of a value on a threshold ladder (none < mild < moderate < severe)."""
    if value < threshold:
        return "none"
    if value < moderate:
        return "mild"
    return "moderate" if value < severe else "severe"


class _Maker:
    """Builds Findings with the evidence frame and time filled in."""

    def __init__(self, sig: Signals, ev: RepEvidence, values: dict):
        self.sig, self.ev, self.values = sig, ev, values

    def get(self, key: str) -> float | None:
        return self.values.get(key)

    def reason(self, key: str) -> str:
        return self.ev.reasons.get(key, "not measured on this rep")

    def make(self, name: str, key: str | None, *, present: bool | None, severity: str,
             value: float | None, unit: str, threshold: float | None, source: str,
             reason: str, uncertainty: float | None) -> Finding:
        row = self.ev.rows.get(key) if key else self.ev.bottom_row
        frame = t_s = None
        if row is not None and present is not None:
            frame, t_s = int(self.sig.frame_index[row]), float(self.sig.t_s[row])
        return Finding(name=name, present=present, severity=severity,
                       value=None if value is None else round(float(value), 3), unit=unit,
                       threshold=threshold, source=source, frame=frame, t_s=t_s,
                       reason=reason, uncertainty=uncertainty)

    def not_assessable(self, name: str, key: str, unit: str, sec, threshold_key: str,
                       uncertainty_key: str | None = None) -> Finding:
        return self.make(name, key, present=None, severity="not_assessable", value=None,
                         unit=unit, threshold=sec[threshold_key], source=sec["source"],
                         reason=f"Not assessable: {self.reason(key)}.",
                         uncertainty=sec[uncertainty_key] if uncertainty_key else None)


def _on_ladder(mk: _Maker, name: str, key: str, unit: str, sec, suffix: str,
               describe) -> Finding:
    """A finding graded on its section's ``threshold_/moderate_/severe_/uncertainty_{suffix}``
    ladder; ``describe(value, severity, threshold)`` writes its reason."""
    value = mk.get(key)
    if value is None:
        return mk.not_assessable(name, key, unit, sec, f"threshold_{suffix}",
                                 f"uncertainty_{suffix}")
    thr = sec[f"threshold_{suffix}"]
    sev = grade(value, thr, sec[f"moderate_{suffix}"], sec[f"severe_{suffix}"])
    return mk.make(name, key, present=sev != "none", severity=sev, value=value, unit=unit,
                   threshold=thr, source=sec["source"], reason=describe(value, sev, thr),
                   uncertainty=sec[f"uncertainty_{suffix}"])


def in_cm(foot_lengths: float, profile) -> str:
    """``foot_lengths`` worded in centimetres on a typical foot: "about 4 cm on a 26 cm foot"
    (the analysis never knows the foot's real size)."""
    foot_cm = profile.section("measurements")["typical_foot_length_cm"]
    cm = abs(foot_lengths) * foot_cm
    return f"{'under 1' if cm < 0.5 else f'about {cm:.0f}'} cm on a {foot_cm:g} cm foot"


def _knee_past_toes(mk: _Maker, profile) -> Finding:
    sec = profile.section("knee_past_toes")

    def describe(value: float, sev: str, thr: float) -> str:
        where = "ahead of" if value >= 0 else "behind"
        trunk = mk.get("trunk_inclination_deg")
        trunk_txt = f", with the trunk {trunk:.0f} deg from vertical" if trunk is not None else ""
        reason = (f"At the bottom the knee joint centre is {abs(value):.2f} foot lengths "
                  f"({in_cm(value, profile)}) {where} the toe tip{trunk_txt} (flagged from "
                  f"{thr:+g}, where the front of the knee passes the toes; "
                  f"+- {sec['uncertainty_foot_lengths']:.2f}).")
        if sev != "none":
            reason += " Knees past the toes are not wrong on their own: read it with the trunk."
        return reason

    return _on_ladder(mk, "knee_past_toes", "knee_toe_offset_foot_lengths", "foot lengths", sec,
                      "foot_lengths", describe)


def _heel_lift(mk: _Maker, profile, seg: RepSegment) -> Finding:
    sec = profile.section("heel_lift")
    held = f"held for {sec['persist_s']:.2f} s"
    heel = "The heel" if seg.stance == "both" else "The stance heel"
    # the invalid-trial rule belongs to the single-leg squat test (rating.py)
    invalid = "" if seg.stance == "both" else "makes a single-leg squat trial invalid and "

    def describe(rise: float, sev: str, thr: float) -> str:
        if sev == "none":
            return (f"{heel} stays down: at most {max(rise, 0):.2f} foot lengths of "
                    f"rise {held} (flagged from {thr:g} foot lengths).")
        return (f"{heel} lifts {rise:.2f} foot lengths ({in_cm(rise, profile)}), {held} "
                f"(flagged from {thr:g} foot lengths). A lifted heel {invalid}often "
                "compensates for limited ankle dorsiflexion.")

    return _on_ladder(mk, "heel_lift", "heel_rise_foot_lengths", "foot lengths", sec,
                      "foot_lengths", describe)


def _knee_valgus(mk: _Maker, profile, ctx: ClipContext, seg: RepSegment) -> Finding:
    sec = profile.section("knee_valgus")
    key = "fppa_deg"

    def describe(value: float, sev: str, thr: float) -> str:
        if seg.stance == "both":
            left, right = mk.get("fppa_deg_left"), mk.get("fppa_deg_right")
            which = "right" if (right or -np.inf) >= (left or -np.inf) else "left"
            knee = f"the {which} knee"
        else:
            knee = "the stance knee"
        side = "inside" if value >= 0 else "outside"
        when = ("At the bottom" if mk.ev.rows.get(key, mk.ev.bottom_row) == mk.ev.bottom_row
                else "At the deepest point where the thigh still showed its length (deeper it "
                "pointed at the camera)")
        fov = profile.section("measurements")["camera_fov_deg"]
        lens = (f" The camera's perspective is undone for a lens of {fov:g} deg across the "
                "picture." if fov else "")
        return (f"{when} {knee} is {abs(value):.0f} deg {side} the hip-ankle line "
                f"(FPPA {value:+.0f} deg; flagged from {thr:g} deg; healthy SLS 8.4 +- 5.1 "
                f"deg). 2D FPPA changes smaller than {sec['uncertainty_deg']:.0f} deg are "
                f"within measurement noise (Munro 2012).{lens}")

    return _on_ladder(mk, "knee_valgus", key, "deg", sec, "deg", describe)


def _trunk_lean(mk: _Maker, profile, ctx: ClipContext, seg: RepSegment) -> Finding:
    sec = profile.section("trunk_lean")
    unc = sec["uncertainty_deg"]
    if ctx.view == "front":
        key = "lateral_trunk_lean_deg"
        thr, severe = sec["lateral_threshold_deg"], sec["lateral_severe_deg"]
        signed = mk.get(key)
        if signed is None:
            return mk.not_assessable("trunk_lean", key, "deg", sec, "lateral_threshold_deg",
                                     "uncertainty_deg")
        value = abs(signed)
        if seg.stance == "both":  # + = towards the subject's left (measurements.py)
            toward = "to their left" if signed >= 0 else "to their right"
        else:
            toward = "towards the stance leg" if signed >= 0 else "away from the stance leg"
        what = f"the trunk leans {value:.0f} deg {toward} compared with standing"
    else:
        key = "trunk_inclination_deg"
        thr, severe = sec["forward_threshold_deg"], sec["forward_severe_deg"]
        value = mk.get(key)
        if value is None:
            return mk.not_assessable("trunk_lean", key, "deg", sec, "forward_threshold_deg",
                                     "uncertainty_deg")
        what = f"the trunk is inclined {value:.0f} deg forward from vertical"
    sev = grade(value, thr, (thr + severe) / 2, severe)
    reason = f"At the bottom {what} (flagged from {thr:g} deg; +- {unc:.0f} deg)."
    return mk.make("trunk_lean", key, present=sev != "none", severity=sev, value=value,
                   unit="deg", threshold=thr, source=sec["source"], reason=reason,
                   uncertainty=unc)


def _quad_dominant(mk: _Maker, profile, found: dict[str, Finding],
                   seg: RepSegment) -> Finding:
    sec = profile.section("quad_dominant")
    key, unit = "tibia_minus_trunk_deg", "deg"
    diff = mk.get(key)
    if diff is None:
        return mk.not_assessable("quad_dominant", key, unit, sec, "tibia_minus_trunk_deg",
                                 "uncertainty_deg")
    thr = sec["tibia_minus_trunk_deg"]
    signs = []
    if found["knee_past_toes"].present:
        signs.append(f"knee {found['knee_past_toes'].value:.2f} foot lengths past the toes")
    ratio = mk.get("hip_knee_flexion_ratio")
    if ratio is not None and ratio < sec["low_hip_knee_ratio"]:
        signs.append(f"hip:knee flexion ratio {ratio:.2f} (below {sec['low_hip_knee_ratio']:.2f})")
    if found["heel_lift"].present:
        signs.append("heel lift")
    # the Barrack criterion itself, or within its measurement uncertainty of it when most
    # of the rest of the pattern (two of: knee past toes, low hip:knee ratio, heel lift) shows
    primary = diff >= thr or (diff >= thr - sec["uncertainty_deg"] and len(signs) >= 2)
    present = primary and len(signs) >= sec["min_supporting_signs"]
    sev = "none" if not present else SEVERITY_ORDER[min(1 + len(signs), 3)]
    trunk, tibia = mk.get("trunk_inclination_deg"), mk.get("tibia_inclination_deg")
    angles = ("" if trunk is None or tibia is None else
              f"The tibia is inclined {tibia:.0f} deg and the trunk {trunk:.0f} deg: ")
    extrapolated = "" if seg.stance == "both" else ", an extrapolation on the single-leg squat"
    reason = (f"{angles}{'t' if angles else 'T'}ibia minus trunk {diff:+.0f} deg "
              f"(knee-extensor biased from {thr:+g} deg, "
              f"Barrack 2021; measured on the double-leg squat{extrapolated}; "
              f"+- {sec['uncertainty_deg']:.0f} deg).")
    if present and diff < thr:
        reason += (" Just under the cut-off, but within its uncertainty and with the rest of "
                   "the pattern present.")
    if signs:
        reason += " Supporting signs: " + "; ".join(signs) + "."
    if present:
        reason += " The knees do most of the work; the glutes may be doing little."
    return mk.make("quad_dominant", key, present=present, severity=sev, value=diff, unit=unit,
                   threshold=thr, source=sec["source"], reason=reason,
                   uncertainty=sec["uncertainty_deg"])
