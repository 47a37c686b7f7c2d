"""Sections of the HTML report that summarise across reps (kept apart from the page frame).

Each function takes an ``AnalysisResult`` and returns an HTML fragment; every
data string is escaped.
"""

from __future__ import annotations

import html
from statistics import median

from .display import (
    finding_label,
    fmt_threshold,
    fmt_value,
    is_number,
    key_label,
    rep_range_text,
    split_key,
)
from .wording import MEANING, tally

e = html.escape
LEG_TITLES = {"left": "Left leg", "right": "Right leg", "both": "Both legs"}
VERDICT_CLASS = {"present": "severe", "occasional": "mild", "absent": "none",
                 "not_assessable": "not_assessable"}


def chip(text: str, cls: str) -> str:
    return f'<span class="chip {e(cls)}">{e(text)}</span>'

ACCURACY_BY_VIEW = {
    "side": "From a true side view MediaPipe's knee and hip angles are within about 2–7° of a "
            "lab reference (Cosoli 2026). On squatcheck's mannequin the knee–toe offset is "
            "within 0.09 foot lengths and the heel rise (from the shoe's outline) within 0.03 "
            "foot lengths, about 1 cm, in 9 reps of 10.",
    "front": "From the front, 2D knee angles agree poorly with 3D motion capture (r = 0.13 in a "
             "2018 meta-analysis); FPPA has a smallest detectable difference of about 8–9° "
             "(Munro 2012). The hip landmarks are joint centres and miss most of a pelvic drop, "
             "so the drop is read from the waistband line in the outline: within about 1° in 9 "
             "reps of 10 on squatcheck's mannequin, when a fitted top and contrasting shorts "
             "show it.",
    "oblique": "From an oblique camera, 2D angles are off by 14–17° or more (Cosoli 2026; "
               "Yue 2026), so squatcheck does not rate angles from this view.",
}


def findings_overview(result) -> str:
    """One line per finding: in which reps it was present, absent, not assessable."""
    tallies = tally(result)
    if not tallies:
        return ""
    rows = []
    for name, t in tallies.items():
        rows.append(
            f'<tr data-finding="{e(name)}"><td>{e(finding_label(name))}</td>'
            f"<td>{chip(t.verdict.replace('_', ' '), VERDICT_CLASS.get(t.verdict, ''))}</td>"
            f"<td>{e(rep_range_text(t.present) if t.present else '—')}</td>"
            f"<td>{e(rep_range_text(t.absent) if t.absent else '—')}</td>"
            f"<td>{e(rep_range_text(t.unassessable) if t.unassessable else '—')}</td>"
            f'<td class="reason">{e(MEANING.get(name, ""))}</td></tr>')
    return ('<h3 style="margin-top:18px">Findings across reps</h3><div class="scroll">'
            '<table id="findings-overview"><tr><th>Finding</th><th>Clip</th><th>Present</th>'
            "<th>Absent</th>"
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


def _per_leg(result):
    """({leg: {key: (mean, n)}}, {leg: {finding: (present, assessed)}}) for the legs tested.

    From the engine's ``summary["legs"]`` when present (means of the first reps per
    leg, as clinicians average 3-5), else the median of each leg's rep values.
    """
    summary = result.summary if isinstance(result.summary, dict) else {}
    given = summary.get("legs")
    means: dict[str, dict] = {}
    counts: dict[str, dict] = {}
    if isinstance(given, dict) and given:
        for leg, d in given.items():
            n = d.get("reps_averaged", d.get("reps", 0))
            means[leg] = {k: (v, n) for k, v in (d.get("mean") or {}).items()}
            counts[leg] = {k: (v.get("reps_present", 0), v.get("reps_assessed", 0))
                           for k, v in (d.get("findings") or {}).items() if isinstance(v, dict)}
        return means, counts
    tallies = tally(result)
    for leg in ("left", "right", "both"):
        reps = [(n, r) for n, r in enumerate(result.reps, 1) if r.stance == leg]
        if not reps:
            continue
        keys = dict.fromkeys(k for _, r in reps for k in r.measurements)
        vals = {k: [r.measurements.get(k) for _, r in reps] for k in keys}
        means[leg] = {k: (median([x for x in v if is_number(x)]) if any(is_number(x) for x in v)
                          else None, sum(is_number(x) for x in v)) for k, v in vals.items()}
        numbers = {n for n, _ in reps}
        counts[leg] = {name: (len(numbers.intersection(t.present)),
                              len(numbers.intersection(t.present + t.absent)))
                       for name, t in tallies.items()}
    return means, counts


def left_right_section(result) -> str:
    """Left vs right stance leg: mean measurements, finding counts, notable differences."""
    head = '<section id="left-right"><h2>Left vs right</h2>'
    if not result.reps:
        return head + '<p class="muted">No reps, so no sides to compare.</p></section>'
    means, counts = _per_leg(result)
    legs = [leg for leg in ("left", "right", "both") if leg in means]
    summary = result.summary if isinstance(result.summary, dict) else {}
    lvr = summary.get("left_vs_right") if isinstance(summary.get("left_vs_right"), dict) else {}
    both_sides = {"left", "right"} <= set(legs)
    note = ""
    if not both_sides:
        tested = [leg for leg in ("left", "right") if leg in legs]
        other = {"left": "right", "right": "left"}.get(tested[0]) if tested else None
        note = (f'<p class="muted">Only the {e(tested[0])} leg was tested in this clip. Film '
                f"the {e(other)} leg too to compare sides.</p>" if other else
                '<p class="muted">Both feet stayed down (double-leg squat): no single-leg '
                "sides to compare.</p>")
    keys = [k for k in dict.fromkeys(k for leg in legs for k in means[leg])
            if any(is_number(means[leg].get(k, (None, 0))[0]) for leg in legs)]
    rows = []
    for key in keys:
        unit = split_key(key)[1]
        cells = "".join(
            f'<td class="num">{e(fmt_value(means[leg].get(key, (None, 0))[0], unit))} '
            f'<span class="muted">(n={means[leg].get(key, (None, 0))[1]})</span></td>'
            for leg in legs)
        diff_cell, notable = "", False
        if both_sides:
            given = lvr.get(key) if isinstance(lvr.get(key), dict) else None
            left, right = means["left"].get(key, (None,))[0], means["right"].get(key, (None,))[0]
            diff = given.get("right_minus_left") if given else (
                right - left if is_number(left) and is_number(right) else None)
            notable = bool(given and given.get("notable"))
            mark = " <strong>notable</strong>" if notable else ""
            diff_cell = f'<td class="num">{e(fmt_value(diff, unit))}{mark}</td>'
        rows.append(f'<tr class="{"notable" if notable else ""}">'
                    f"<td>{e(key_label(key))}</td>{cells}{diff_cell}</tr>")
    names = list(dict.fromkeys(n for leg in legs for n in counts.get(leg, {})))
    for name in names:
        cells = []
        for leg in legs:
            present, assessed = counts.get(leg, {}).get(name, (0, 0))
            cells.append(f"{present} of {assessed} reps" if assessed else "not assessable")
        rows.append(f"<tr><td>{e(finding_label(name))}</td>"
                    + "".join(f"<td>{e(c)}</td>" for c in cells)
                    + ("<td></td>" if both_sides else "") + "</tr>")
    leg_heads = "".join(f'<th class="leg-{leg}">{e(LEG_TITLES[leg])}</th>' for leg in legs)
    diff_head = "<th>Right − left</th>" if both_sides else ""
    return (head + note + '<div class="scroll"><table><tr><th>Measure (mean of reps)</th>'
            f"{leg_heads}{diff_head}</tr>" + "".join(rows) + "</table></div></section>")


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
        f'<td class="num">{e(fmt_threshold(d["thr"], d["unit"]))}</td>'
        f'<td class="reason">{e(d["source"] or "")}</td></tr>' for n, d in per.items())
    table = ("<table><tr><th>Finding</th><th>± uncertainty</th><th>Threshold</th>"
             f"<th>Source</th></tr>{rows}</table>" if rows else "")
    view_text = " ".join(ACCURACY_BY_VIEW.get(view, "") for view, _ in result.views())
    return (f'<section id="uncertainty"><h2>Measurement uncertainty</h2><p>{e(view_text)} '
            "Values are read from 2D video by a pose model; treat a value within its ± "
            "uncertainty of the threshold as borderline. Averaging 3–5 reps (as clinicians do) "
            f'steadies the picture.</p><div class="scroll">{table}</div></section>')
