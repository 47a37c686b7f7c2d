"""The ``pelvic_drop`` and ``pelvic_tilt`` findings of one rep, from the waist line
(:mod:`.pelvis`): value, per-rep uncertainty, threshold and source, the frame that shows
it, or "not assessable" with the reason (view, clothing, evidence)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .context import ClipContext, RepSegment, Signals
from .pelvis import PelvisSeries, RepPelvis, pelvis_series, rep_pelvis
from .result import Finding

SEVERITY_LADDER = ("threshold_deg", "moderate_deg", "severe_deg")


def pelvis_findings(sig: Signals, ctx: ClipContext, seg: RepSegment,
                    series: dict[str, np.ndarray], profile,
                    ps: PelvisSeries | None = None,
                    set_aside: str | None = None) -> dict[str, Finding]:
    """``{"pelvic_drop": Finding, "pelvic_tilt": Finding}`` for one rep; ``set_aside``: why
    the clip's frontal angles cannot be read (turned_body.py), which the drop then gives."""
    ps = ps if ps is not None else pelvis_series(sig, ctx, profile)
    fps = float(1.0 / np.median(np.diff(sig.t_s))) if len(sig.t_s) > 1 else 30.0
    rp = rep_pelvis(ps, seg, series, profile, fps)
    if set_aside and ctx.view == "front":
        rp = replace(rp, value=None, reason=set_aside)
    return {"pelvic_drop": _drop(sig, ctx, seg, rp, profile),
            "pelvic_tilt": _tilt(sig, ctx, rp, profile)}


def _finding(name: str, sig: Signals, rp: RepPelvis, sec, *, present, severity, unit,
             reason, value=None, uncertainty=None) -> Finding:
    frame = t_s = None
    if present is not None:
        frame, t_s = int(sig.frame_index[rp.row]), float(sig.t_s[rp.row])
    return Finding(name=name, present=present, severity=severity,
                   value=None if value is None else round(float(value), 2), unit=unit,
                   threshold=sec["threshold_deg"], source=sec["source"], frame=frame, t_s=t_s,
                   reason=reason,
                   uncertainty=None if uncertainty is None else round(float(uncertainty), 2))


def _grade(value: float, sec) -> str:
    thr, mod, sev = (sec[k] for k in SEVERITY_LADDER)
    if value < thr:
        return "none"
    return "mild" if value < mod else "moderate" if value < sev else "severe"


def _drop(sig, ctx, seg, rp: RepPelvis, profile) -> Finding:
    sec = profile.section("pelvic_drop")
    if ctx.view != "front":
        why = ("needs a front view; this rep is filmed from the " + ctx.view
               if ctx.view != "oblique" else rp.reason or "the camera is oblique")
        return _finding("pelvic_drop", sig, rp, sec, present=None, severity="not_assessable",
                        unit="deg", reason=f"Not assessable: {why}.")
    if rp.value is None:
        return _finding("pelvic_drop", sig, rp, sec, present=None, severity="not_assessable",
                        unit="deg", reason=f"Not assessable: {rp.reason}.")
    value, unc, thr = rp.value, rp.uncertainty, sec["threshold_deg"]
    sev = _grade(value, sec)
    when = f"at {sig.t_s[rp.row]:.1f} s"
    if seg.stance == "both":
        what = f"the waistband tilts up to {max(value, 0):.1f} deg to one side {when}"
    elif value >= 0:
        what = f"the free-leg side of the pelvis drops up to {value:.1f} deg {when}"
    else:
        what = f"the free-leg side of the pelvis stays {abs(value):.1f} deg higher (hike)"
    reason = (f"Against standing, {what} (waistband line, +- {unc:.1f} deg; flagged from "
              f"{thr:g} deg).")
    return _finding("pelvic_drop", sig, rp, sec, present=sev != "none", severity=sev,
                    unit="deg", reason=reason, value=value, uncertainty=unc)


def _tilt(sig, ctx, rp: RepPelvis, profile) -> Finding:
    sec = profile.section("pelvic_tilt")
    unit = "deg (proxy)"
    if ctx.view != "side":
        why = ("needs a side view; this rep is filmed from the " + ctx.view
               if ctx.view != "oblique" else rp.reason or "the camera is oblique")
        return _finding("pelvic_tilt", sig, rp, sec, present=None, severity="not_assessable",
                        unit=unit, reason=f"Not assessable: {why}.")
    if not sec["assess_proxy"]:
        return _finding("pelvic_tilt", sig, rp, sec, present=None, severity="not_assessable",
                        unit=unit, reason="Not assessable: sagittal pelvic tilt cannot be "
                        "measured from joint-centre landmarks, and the waistband proxy is "
                        "switched off in this profile ([pelvic_tilt] assess_proxy).")
    if rp.value is None:
        return _finding("pelvic_tilt", sig, rp, sec, present=None, severity="not_assessable",
                        unit=unit, reason=f"Not assessable: {rp.reason}.")
    value, unc, thr = rp.value, rp.uncertainty, sec["threshold_deg"]
    present = abs(value) >= thr
    way = "anteriorly (front down)" if value >= 0 else "posteriorly (front up)"
    reason = (f"Proxy only, low confidence: at the bottom the waistband line tilts "
              f"{abs(value):.0f} deg {way} compared with standing (+- {unc:.0f} deg; flagged "
              f"from {thr:g} deg either way). A waistband follows the pelvis but rests on "
              "soft tissue: this is not a measured pelvic tilt angle.")
    return _finding("pelvic_tilt", sig, rp, sec, present=present,
                    severity="mild" if present else "none", unit=unit, reason=reason,
                    value=value, uncertainty=unc)
