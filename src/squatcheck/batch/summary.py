"""The batch summary: ``summary.csv`` and a self-contained ``summary.html``.

One row per input clip, in input order, failed clips included with their
reason. Nothing time-dependent goes in (no dates, no durations): the same
inputs give byte-identical files, whether the batch ran straight through or
was interrupted and resumed, locally or on Ray. For a manifest, the HTML adds
a per-patient view: visits down, sides across.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from pathlib import Path

from .inputs import BatchInput
from .state import write_text_atomic

RESULT_COLUMNS = ("clip_id", "file", "status", "exercise", "view", "stance", "reps", "findings",
                  "rating", "reason", "report", "sha256")
STATUS_TEXT = {"ok": "ok", "failed": "failed", "internal_error": "internal error",
               "pending": "not run yet"}


def summary_columns(batch: BatchInput) -> list[str]:
    """Manifest columns first (as given), then ours; ours are renamed on a clash."""
    taken = {c.lower() for c in batch.columns}
    ours = [c if c not in taken else f"{c}_squatcheck" for c in RESULT_COLUMNS]
    return [*batch.columns, *ours]


def write_summary(out_dir: Path, batch: BatchInput, rows: list[dict]) -> tuple[Path, Path]:
    """Write both files atomically; ``rows`` hold RESULT_COLUMNS keys and ``extra``."""
    csv_path, html_path = out_dir / "summary.csv", out_dir / "summary.html"
    write_text_atomic(csv_path, render_csv(batch, rows))
    write_text_atomic(html_path, render_html(batch, rows))
    return csv_path, html_path


def _flat(batch: BatchInput, row: dict) -> list[str]:
    extra = row.get("extra", {})
    return [*(extra.get(c, "") for c in batch.columns), *(str(row.get(c, "")) for c in
                                                          RESULT_COLUMNS)]


def render_csv(batch: BatchInput, rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(summary_columns(batch))
    for row in rows:
        writer.writerow(_flat(batch, row))
    return buf.getvalue()


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2}tbody th{white-space:nowrap}
tr.failed td,tr.internal_error td{background:#fff1f0}
tr.pending td{color:#888}
.badge{display:inline-block;padding:0 .45em;border-radius:.6em;font-weight:600}
.good{background:#d9f2d9}.fair{background:#fff0c2}.poor{background:#ffd6d6}
.not_assessable{background:#e8e8e8}.num{text-align:right}.reason{color:#a00}
.cell{margin-bottom:.4em}
@media print{a{color:inherit;text-decoration:none}}
"""


def render_html(batch: BatchInput, rows: list[dict]) -> str:
    e = html.escape
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUS_TEXT}
    head = ", ".join(f"{n} {STATUS_TEXT[s]}" for s, n in counts.items() if n)
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>squatcheck batch: {e(batch.source.name)}</title><style>{CSS}</style>",
           "</head><body>", f"<h1>squatcheck batch: {e(batch.source.name)}</h1>",
           f"<p>{len(rows)} clips from the {batch.kind} <code>{e(str(batch.source))}</code>: "
           f"{e(head)}.</p>"]
    if batch.patient_column:
        out.append(_patients_html(batch, rows))
    out.append("<h2>All clips</h2>" if batch.patient_column else "")
    extra_cols = [c for c in batch.columns if c.lower() not in ("path", "file", "filename",
                                                                  "video", "clip")]
    cols = [*extra_cols, "file", "exercise", "stance leg", "reps", "findings", "rating",
            "report"]
    out.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) +
               "</tr></thead><tbody>")
    for row in rows:
        cells = [e(row.get("extra", {}).get(c, "")) for c in extra_cols]
        cells.append(e(row["file"]))
        if row["status"] == "ok":
            cells += [e(_words(row["exercise"])), e(row["stance"]), f"{row['reps']}",
                      e(_words(row["findings"])) or "none", _badge(row["rating"]), _link(row)]
            td = [f"<td>{c}</td>" for c in cells]
            td[len(extra_cols) + 3] = f"<td class='num'>{row['reps']}</td>"
        else:
            td = [f"<td>{c}</td>" for c in cells]
            td.append(f"<td colspan='6' class='reason'>{e(STATUS_TEXT[row['status']])}"
                      f"{': ' + e(row['reason']) if row['reason'] else ''}</td>")
        out.append(f"<tr class='{e(row['status'])}'>" + "".join(td) + "</tr>")
    out.append("</tbody></table>")
    out.append("<p>Findings: each one seen in at least one rep, with the number of reps "
               "that showed it out of those that could assess it. Rating: the clip's overall "
               "rating (good / fair / poor). Each clip's report has the numbers, the frames "
               "and what could not be assessed, and why.</p></body></html>")
    return "\n".join(out) + "\n"


def _badge(rating: str) -> str:
    return f"<span class='badge {html.escape(rating)}'>{html.escape(_words(rating))}</span>" \
        if rating else ""


def _link(row: dict) -> str:
    return f"<a href='{html.escape(row['report'])}'>report</a>" if row.get("report") else ""


def _patients_html(batch: BatchInput, rows: list[dict]) -> str:
    """Per patient: one table, visits in date order down, sides across."""
    e = html.escape
    pcol, vcol, scol = batch.patient_column, batch.visit_column, batch.side_column
    patients: dict[str, list[dict]] = {}
    for row in rows:
        patients.setdefault(row["extra"].get(pcol, "") or "(no patient)", []).append(row)
    out = ["<h2>Per patient</h2>"]
    for patient, prow in patients.items():
        visits: dict[str, list[dict]] = {}
        for row in sorted(prow, key=lambda r: _visit_key(r["extra"].get(vcol, "") if vcol
                                                         else "", r["order"])):
            visits.setdefault(row["extra"].get(vcol, "") if vcol else "", []).append(row)
        sides = sorted(dict.fromkeys(_side(r, scol) for r in prow), key=_side_key)
        out.append(f"<h3>{e(patient)}</h3><table><thead><tr><th>{e(vcol or 'visit')}</th>"
                   + "".join(f"<th>{e(s or 'clip')}</th>" for s in sides) + "</tr></thead>"
                   "<tbody>")
        for visit, vrows in visits.items():
            cells = []
            for side in sides:
                here = [r for r in vrows if _side(r, scol) == side]
                cells.append("<td>" + "".join(_visit_cell(r) for r in here) + "</td>")
            out.append(f"<tr><th>{e(visit or '-')}</th>{''.join(cells)}</tr>")
        out.append("</tbody></table>")
    return "\n".join(out)


def _side_key(side: str) -> tuple:
    known = ("left", "l", "right", "r", "both")
    return (known.index(side.lower()) if side.lower() in known else len(known), side)


def _side(row: dict, side_col: str | None) -> str:
    if side_col:
        return row["extra"].get(side_col, "")
    return row.get("stance", "") if row["status"] == "ok" else ""


def _visit_cell(row: dict) -> str:
    e = html.escape
    if row["status"] != "ok":
        return (f"<div class='cell reason'>{e(row['file'])}: {e(STATUS_TEXT[row['status']])}"
                f"{': ' + e(row['reason']) if row['reason'] else ''}</div>")
    reps = f"{row['reps']} rep{'' if row['reps'] == 1 else 's'}"
    return (f"<div class='cell'>{_badge(row['rating'])} {reps}, "
            f"{e(_words(row['exercise']))} ({e(row['file'])})<br>"
            f"{e(_words(row['findings'])) or 'no findings'} {_link(row)}</div>")


def _words(text: str) -> str:
    """Names as people read them: 'knee_valgus 2/3' -> 'knee valgus 2/3'."""
    return str(text).replace("_", " ")


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d")


def _visit_key(text: str, order: int) -> tuple:
    """Dates sort as dates (ISO or day-first), anything else after them in manifest order."""
    for fmt in DATE_FORMATS:
        try:
            return (0, datetime.strptime(text.strip(), fmt).toordinal(), order)
        except ValueError:
            continue
    return (1, 0, order)
