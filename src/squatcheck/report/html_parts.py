"""Sections of the HTML report that summarise across reps (kept apart from the page frame).

Each function takes an ``AnalysisResult`` and returns an HTML fragment; every
data string is escaped.
"""

from __future__ import annotations

import html
from statistics import median

from .display import (
    finding_label,
    fmt_value,
    is_number,
    key_label,
    rep_range_text,
    split_key,
)
from .wording import MEANING, tally

e = html.escape

ACCURACY_BY_VIEW = {
    "side": "From a true side view MediaPipe's knee and hip angles are within about 2–7° of a "
            "lab reference (Cosoli 2026); knee–toe offset within about 0.05 foot lengths on "
            "squatcheck's mannequin; heel rise reads only 60–65 % of the true rise.",
    "front": "From the front, 2D knee angles agree poorly with 3D motion capture (r = 0.13 in a "
             "2018 meta-analysis); FPPA has a smallest detectable difference of about 8–9° "
             "(Munro 2012); pelvic drop from the hip landmarks is unreliable (the hip points are "
             "joint centres, not the pelvis).",
    "oblique": "From an oblique camera, 2D angles are off by 14–17° or more (Cosoli 2026; "
               "Yue 2026), so squatcheck does not rate angles from this view.",
}
LEFT_RIGHT_KEYS = ("left_vs_right", "left_right", "by_stance", "sides", "legs")


def findings_overview(result) -> str:
    """One line per finding: in which reps it was present, absent, not assessable."""
    tallies = tally(result)
    if not tallies:
        return ""
    rows = []
    for name, t in tallies.items():
        rows.append(
            f'<tr data-finding="{e(name)}"><td>{e(finding_label(name))}</td>'
            f"<td>{e(rep_range_text(t.present) if t.present else '—')}</td>"
            f"<td>{e(rep_range_text(t.absent) if t.absent else '—')}</td>"
            f"<td>{e(rep_range_text(t.unassessable) if t.unassessable else '—')}</td>"
            f'<td class="reason">{e(MEANING.get(name, ""))}</td></tr>')
    return ('<h3 style="margin-top:18px">Findings across reps</h3><div class="scroll">'
            '<table id="findings-overview"><tr><th>Finding</th><th>Present</th><th>Absent</th>'
            "<th>Not assessable</th><th>What it means</th></tr>" + "".join(rows)
            + "</table></div>")


def _nested(obj, depth: int = 0) -> str:
    """Generic, escaped rendering of a JSON-like value (dict -> table, list -> list)."""
    if isinstance(obj, dict):
        if not obj:
            return "—"
        rows = "".join(f"<tr><th>{e(str(k))}</th><td>{_nested(v, depth + 1)}</td></tr>"
                       for k, v in obj.items())
        return f"<table>{rows}</table>"
    if isinstance(obj, list | tuple):
        if all(not isinstance(v, dict | list | tuple) for v in obj):
            return e(", ".join(_scalar(v) for v in obj)) or "—"
        return "<ol>" + "".join(f"<li>{_nested(v, depth + 1)}</li>" for v in obj) + "</ol>"
    return e(_scalar(obj))


def _scalar(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if is_number(v) else "—"
    return "—" if v is None else str(v)


def summary_details(result) -> str:
    """The engine's clip summary as it is, folded away (the numbers behind the verdict)."""
    summary = result.summary if isinstance(result.summary, dict) else {}
    if not summary:
        return ""
    return (f'<details class="screen-only" id="engine-summary"><summary>Clip summary as '
            f"computed by the analysis</summary>{_nested(summary)}</details>")


def left_right_section(result) -> str:
    """Left vs right: the engine's comparison if it gives one, else medians of rep values."""
    summary = result.summary if isinstance(result.summary, dict) else {}
    given = next((summary[k] for k in LEFT_RIGHT_KEYS if summary.get(k)), None)
    head = '<section id="left-right"><h2>Left vs right</h2>'
    if given is not None:
        return head + f'<div class="scroll">{_nested(given)}</div></section>'
    legs = [s for s in ("left", "right") if any(r.stance == s for r in result.reps)]
    if len(legs) < 2:
        tested = legs[0] if legs else ("both legs together" if result.reps else "neither leg")
        other = {"left": "right", "right": "left"}.get(tested)
        ask = f" Film the {other} leg too to compare sides." if other else ""
        return (head + f'<p class="muted">Only {e(tested)} tested in this clip.{e(ask)}</p>'
                "</section>")
    keys = list(dict.fromkeys(k for r in result.reps for k in r.measurements
                              if not split_key(k)[2]))
    rows = []
    for key in keys:
        meds = {}
        for leg in legs:
            vals = [r.measurements.get(key) for r in result.reps if r.stance == leg]
            vals = [v for v in vals if is_number(v)]
            meds[leg] = (median(vals), len(vals)) if vals else (None, 0)
        if all(m[0] is None for m in meds.values()):
            continue
        unit = split_key(key)[1]
        diff = (meds["left"][0] - meds["right"][0]
                if meds["left"][0] is not None and meds["right"][0] is not None else None)
        rows.append(f"<tr><td>{e(key_label(key))}</td>"
                    + "".join(f'<td class="num">{e(fmt_value(meds[lg][0], unit))} '
                              f'<span class="muted">(n={meds[lg][1]})</span></td>' for lg in legs)
                    + f'<td class="num">{e(fmt_value(diff, unit))}</td></tr>')
    tallies = tally(result)
    for name, t in tallies.items():
        cells = []
        for leg in legs:
            numbers = [n for n, r in enumerate(result.reps, 1) if r.stance == leg]
            present = len([n for n in t.present if n in numbers])
            assessed = len([n for n in t.present + t.absent if n in numbers])
            cells.append(f"{present} of {assessed} reps" if assessed else "not assessable")
        rows.append(f"<tr><td>{e(finding_label(name))}</td>"
                    + "".join(f"<td>{e(c)}</td>" for c in cells) + "<td></td></tr>")
    return (head + '<div class="scroll"><table><tr><th>Measure (median of reps)</th>'
            '<th class="leg-left">Left leg</th><th class="leg-right">Right leg</th>'
            "<th>Left − right</th></tr>" + "".join(rows) + "</table></div></section>")


def not_assessable_section(result) -> str:
    """Every finding that could not be judged on some rep, with the engine's reason."""
    items = []
    for name, t in tally(result).items():
        for reason, reps in t.reasons.items():
            items.append(f"<li><strong>{e(finding_label(name))}</strong> "
                         f"({e(rep_range_text(reps))}): {e(reason)}</li>")
    if not items:
        body = ('<p class="muted">Every finding could be assessed on every rep.</p>'
                if result.reps else '<p class="muted">No reps, so nothing was assessed.</p>')
    else:
        body = f"<ul>{''.join(items)}</ul>"
    return ('<section id="not-assessable"><h2>What could not be assessed, and why</h2>'
            f"{body}</section>")


def uncertainty_section(result) -> str:
    """How far each number can be trusted: the findings' ± values and the view's accuracy."""
    per: dict[str, dict] = {}
    for rep in result.reps:
        for name, f in rep.findings.items():
            d = per.setdefault(name, {"unc": [], "unit": f.unit, "thr": f.threshold,
                                      "source": f.source})
            if is_number(f.uncertainty):
                d["unc"].append(f.uncertainty)
            if not d["unit"] and f.unit:
                d["unit"] = f.unit
    rows = "".join(
        f"<tr><td>{e(finding_label(n))}</td>"
        f'<td class="num">{e(fmt_value(median(d["unc"]), d["unit"]) if d["unc"] else "—")}</td>'
        f'<td class="num">{e(fmt_value(d["thr"], d["unit"]))}</td>'
        f'<td class="reason">{e(d["source"] or "")}</td></tr>' for n, d in per.items())
    table = ("<table><tr><th>Finding</th><th>± uncertainty</th><th>Threshold</th>"
             f"<th>Source</th></tr>{rows}</table>" if rows else "")
    view_text = ACCURACY_BY_VIEW.get(result.view, "")
    return (f'<section id="uncertainty"><h2>Measurement uncertainty</h2><p>{e(view_text)} '
            "Values are read from 2D video by a pose model; treat a value within its ± "
            "uncertainty of the threshold as borderline. Averaging 3–5 reps (as clinicians do) "
            f'steadies the picture.</p><div class="scroll">{table}</div></section>')
