"""``report.html``: one self-contained page a runner or clinician reads, and prints.

No external resources: CSS inline, plots (SVG) and rep stills (JPEG) as data
URIs, the annotated video by relative path (``annotated.webm`` beside it).
Every string that comes from data passes through :func:`html.escape`.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from pathlib import Path

from .. import __version__
from ..files import write_atomic
from .display import (
    RATING_LABELS,
    finding_label,
    fmt_threshold,
    fmt_value,
    is_number,
    key_label,
    severity_of,
    split_key,
    status_text,
    unit_text,
)
from .html_parts import (
    findings_overview,
    left_right_section,
    not_assessable_section,
    summary_details,
    uncertainty_section,
)
from .wording import MEANING, clip_rating, verdict

CSS_PATH = Path(__file__).with_name("report.css")
e = html.escape

# Columns of the per-rep table, in this order, when any rep has a value for them.
TABLE_KEYS = ("knee_flexion_deg", "hip_flexion_deg", "hip_knee_flexion_ratio",
              "trunk_inclination_deg", "tibia_inclination_deg", "tibia_minus_trunk_deg",
              "knee_toe_offset_foot_lengths", "heel_rise_foot_lengths", "fppa_deg",
              "pelvic_drop_deg", "pelvic_obliquity_deg", "lateral_trunk_lean_deg",
              "hip_drop_leg_lengths")
VIEW_TEXT = {"side": "side (sagittal)", "front": "front (frontal)", "oblique": "oblique"}
EXERCISE_TEXT = {"single_leg_squat": "single-leg squat", "double_leg_squat": "double-leg squat",
                 "not_squat": "not a squat"}


def leg_html(stance: str, *, short: bool = False) -> str:
    text = stance if short else {"both": "both legs", "left": "left leg",
                                 "right": "right leg"}.get(stance, stance)
    return f'<span class="leg-{e(stance)}">{e(text)}</span>'


def chip(text: str, cls: str) -> str:
    return f'<span class="chip {e(cls)}">{e(text)}</span>'


def _facts(analysis, rendered) -> str:
    r = analysis.result
    counts = {s: sum(1 for rep in r.reps if rep.stance == s) for s in ("left", "right", "both")}
    reps_text = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none"
    track = analysis.track
    w, h = track.meta.image_size
    facts = [
        ("Clip", Path(r.source).name or "—"),
        ("Exercise", EXERCISE_TEXT.get(r.exercise, r.exercise)),
        ("Camera view", "; then ".join(
            VIEW_TEXT.get(view, view) + (f", facing {facing}" if facing != "unknown" else "")
            for view, facing in r.views())),
        ("Reps", f"{len(r.reps)} ({reps_text})"),
        ("Duration", f"{track.duration_s:.1f} s at {track.fps:.0f} fps" if len(track) > 1
         else "—"),
        ("Usable frames", f"{r.usable_fraction:.0%}"),
        ("Camera roll", "not measured (level assumed)" if r.camera_roll_deg is None
         else f"{r.camera_roll_deg:+.1f}° off level, corrected"),
        ("Frame size", f"{w}×{h}" if w and h else "—"),
        ("Profile", r.profile),
    ]
    items = "".join(f"<div><dt>{e(k)}</dt><dd>{e(str(v))}</dd></div>" for k, v in facts)
    return f'<dl class="facts">{items}</dl>'


def _verdict(result) -> str:
    v = verdict(result)
    points = "".join(f"<li>{e(p)}</li>" for p in v.points)
    rating = clip_rating(result) if result.reps else {}
    chips = (f'<div class="chips">Clip rating: {_rating_chips(rating)}</div>' if rating else "")
    return (f'<div class="verdict {e(v.level)}" id="verdict"><p class="headline">'
            f'{e(v.headline)}</p>{chips}{f"<ul>{points}</ul>" if points else ""}</div>')


def _video(result, rendered, video_name: str | None) -> str:
    if not video_name:
        return ('<section id="video"><h2>Annotated video</h2><p class="muted">No annotated '
                "video: the source video was not available or video output was turned off."
                "</p></section>")
    jumps = "".join(f'<button type="button" data-t="{t:.3f}">rep {n}</button>'
                    for n, t in sorted(rendered.rep_video_s.items()))
    slow = "The bottom of each rep is shown in slow motion." if result.reps else ""
    first = rendered.stills.get(1)
    poster = (f' poster="data:image/jpeg;base64,{base64.b64encode(first).decode()}"'
              if first else "")
    return (f'<section id="video"><h2>Annotated video</h2>'
            f'<video id="annotated" controls preload="metadata" muted playsinline{poster} '
            f'src="{e(video_name)}"></video>'
            f'<div class="jump screen-only">{"Jump to: " + jumps if jumps else ""}</div>'
            f'<p class="sub screen-only">{e(slow)} Skeleton: stance leg highlighted. Lines turn '
            f'red while a value is past its threshold in a rep where that finding is '
            f'present.</p>'
            f'<p class="print-only muted">Annotated video: {e(video_name)} (beside this '
            f"report).</p></section>")


def _finding_row(name: str, f) -> str:
    value = fmt_value(f.value, f.unit, uncertainty=f.uncertainty)
    thr = fmt_threshold(f.threshold, f.unit)
    when = f"{f.t_s:.2f} s" if is_number(f.t_s) else "—"
    return (f'<tr data-finding="{e(name)}" title="{e(MEANING.get(name, ""))}">'
            f'<td><strong>{e(finding_label(name))}</strong>'
            f'<div class="reason">{e(f.reason)}</div></td>'
            f'<td>{chip(status_text(f), severity_of(f))}</td>'
            f'<td class="num">{e(value)}</td><td class="num">{e(thr)}</td>'
            f'<td class="num">{e(when)}</td></tr>')


def _finding_rows(rep) -> str:
    """The rep's findings; those not assessable folded under one line that names them
    (from one view most of them always are, and every rep would repeat the same rows)."""
    head = ('<table class="finding-table"><tr><th>Finding</th><th>Status</th><th>Value</th>'
            '<th>Threshold</th><th>At</th></tr>')
    judged = [_finding_row(n, f) for n, f in rep.findings.items() if f.assessable]
    unjudged = {n: f for n, f in rep.findings.items() if not f.assessable}
    if not judged and not unjudged:
        return '<p class="muted">No findings were reported for this rep.</p>'
    out = head + "".join(judged) + "</table>" if judged else ""
    if unjudged:
        names = ", ".join(finding_label(n) for n in unjudged)
        rows = "".join(_finding_row(n, f) for n, f in unjudged.items())
        out += (f'<details class="not-assessed"><summary>Not assessable in this rep: {e(names)}'
                f" (why)</summary>{head}{rows}</table></details>")
    return out


def _rating_chips(rating: dict) -> str:
    """Chips for the rating items (the free-text ``note`` is shown apart)."""
    return "".join(chip(f"{RATING_LABELS.get(k, k)}: {v.replace('_', ' ')}", v)
                   for k, v in rating.items() if k in RATING_LABELS and isinstance(v, str))


def _reps(result, rendered) -> str:
    if not result.reps:
        return ('<section id="reps"><h2>Reps</h2><p class="muted">No squat reps were found in '
                "this clip.</p></section>")
    cards = []
    for n, rep in enumerate(result.reps, 1):
        still = rendered.stills.get(n)
        img = (f'<img alt="Rep {n} at its deepest point, with overlay" '
               f'src="data:image/jpeg;base64,{base64.b64encode(still).decode()}">'
               if still else '<p class="noimg">No still available.</p>')
        ratings = _rating_chips(rep.rating)
        note = rep.rating.get("note")
        if isinstance(note, str) and note.strip():
            ratings += f'<p class="reason">{e(note)}</p>'
        cards.append(
            f'<article class="rep" id="rep-{n}" data-rep="{n}"><div>{img}<p class="sub">'
            f"Deepest frame ({rep.bottom_s:.2f} s, frame {rep.bottom_frame})</p></div>"
            f"<div><h3>Rep {n} — {leg_html(rep.stance)}, {rep.start_s:.2f}–{rep.end_s:.2f} s"
            f'</h3><div class="chips">{ratings}</div>{_finding_rows(rep)}</div></article>')
    return f'<section id="reps"><h2>Reps</h2><div class="reps">{"".join(cards)}</div></section>'


def _plots(plots, empty) -> str:
    if not plots:
        return ('<section id="plots"><h2>Over time</h2><p class="muted">No time series to plot.'
                "</p></section>")
    figs = "".join(f'<figure id="plot-{e(p.key)}"><h3>{e(p.title)}</h3><img alt="{e(p.title)}" '
                   f'src="{p.data_uri}"><figcaption>{e(p.caption)} Shaded bands: reps '
                   f'(<span class="leg-left">left</span> / <span class="leg-right">right</span> '
                   f"stance); dots: the frame that shows a finding.</figcaption></figure>"
                   for p in plots)
    missing = ""
    if empty:
        names = ", ".join(p.title[:1].lower() + p.title[1:] for p in empty)  # keep "FPPA"
        missing = f'<p class="muted">Not plotted (no measurable data in this view): {e(names)}.</p>'
    return f'<section id="plots"><h2>Over time</h2>{figs}{missing}</section>'


def _rep_table(result) -> str:
    if not result.reps:
        return ""
    keys = [k for k in TABLE_KEYS if any(is_number(r.measurements.get(k)) for r in result.reps)]
    names = list(dict.fromkeys(n for r in result.reps for n in r.findings))
    head = ("<tr><th>Rep</th><th>Leg</th><th>Time (s)</th>"
            + "".join(f"<th>{e(key_label(k))}<br><span class='muted'>"
                      f"{e(_unit_of(k))}</span></th>" for k in keys)
            + "".join(f"<th>{e(finding_label(n))}</th>" for n in names) + "</tr>")
    rows = []
    for n, rep in enumerate(result.reps, 1):
        cells = "".join(f'<td class="num">{e(_bare(rep.measurements.get(k), k))}</td>'
                        for k in keys)
        flags = "".join(f"<td>{chip(_short_status(f), severity_of(f))}</td>"
                        for f in (rep.findings.get(x) for x in names))
        rows.append(f'<tr data-rep="{n}"><td>{n}</td><td>{leg_html(rep.stance, short=True)}</td>'
                    f'<td class="num">{rep.start_s:.2f}–{rep.end_s:.2f}</td>{cells}{flags}</tr>')
    return (f'<section id="rep-table"><h2>Per-rep table</h2><div class="scroll"><table>{head}'
            f'{"".join(rows)}</table></div><p class="sub">Findings: severity when present, "no" '
            'when absent, "n/a" when not assessable. All measurements of every rep are in '
            f"<code>reps.csv</code> and <code>result.json</code>.</p></section>")


def _bare(value, key: str) -> str:
    """A number without its unit (the column header has it)."""
    return fmt_value(value, split_key(key)[1]).replace("°", "").split(" ")[0]


def _short_status(finding) -> str:
    """'moderate' / 'no' / 'n/a' for table cells (the rep cards say it in full)."""
    if finding is None or finding.present is None:
        return "n/a"
    if not finding.present:
        return "no"
    return finding.severity if finding.severity not in ("none", "not_assessable") else "yes"


def _unit_of(key: str) -> str:
    return unit_text(split_key(key)[1]) or "ratio"


def render_html(analysis, *, plots=(), empty_plots=(), rendered=None,
                video_name: str | None = None, generated: dt.datetime | None = None) -> str:
    """The whole report page as one string."""
    from .video import Rendered

    result = analysis.result
    rendered = rendered or Rendered()
    when = (generated or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    title = f"squatcheck report — {Path(result.source).name or 'clip'}"
    body = "".join([
        f"<header><h1>{e(title)}</h1><p class='sub'>Generated {e(when)} by squatcheck "
        f"{e(__version__)} · result schema {e(result.schema_version)}</p></header>",
        '<section id="summary"><h2>Summary</h2>', _verdict(result), _facts(analysis, rendered),
        findings_overview(result), summary_details(result), "</section>",
        _video(result, rendered, video_name),
        _reps(result, rendered),
        _plots(list(plots), list(empty_plots)),
        _rep_table(result),
        left_right_section(result),
        not_assessable_section(result),
        uncertainty_section(result),
        _notes(result),
        "<footer><p>squatcheck measures movement from ordinary 2D video with a pose model. It is "
        "a screening aid for a clinician or coach, not a diagnosis. Thresholds and their sources "
        "come from the analysis profile and are listed with each finding.</p></footer>",
    ])
    script = ("<script>document.querySelectorAll('.jump button').forEach(function(b){"
              "b.addEventListener('click',function(){var v=document.getElementById('annotated');"
              "if(v){v.currentTime=parseFloat(b.dataset.t);v.play();}});});</script>")
    css = CSS_PATH.read_text(encoding="utf-8")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{e(title)}</title><style>{css}</style>"
            f"<link rel=\"icon\" href=\"data:,\"></head><body><main>{body}</main>{script}"
            "</body></html>\n")


def _notes(result) -> str:
    notes = result.all_notes()
    if not notes:
        return ""
    items = "".join(f"<li>{e(n)}</li>" for n in notes)
    return f'<section id="notes"><h2>Notes on this clip</h2><ul>{items}</ul></section>'


def write_html(analysis, path: str | Path, **kwargs) -> Path:
    """Write ``report.html`` atomically (temp name, then rename)."""
    text = render_html(analysis, **kwargs)
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

