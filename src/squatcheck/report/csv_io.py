"""``reps.csv``: one row per rep, units in the column names, findings as columns.

Columns, in order: rep number, legs and timing (``rep``, ``stance``,
``measured_leg``, ``start_s``, ``bottom_s``, ``end_s``, ``*_frame``); every
measurement key of any rep (the key already carries its unit, e.g.
``knee_toe_offset_foot_lengths``); per
finding ``{name}_present`` (``true`` / ``false`` / empty = not assessable),
``{name}_severity`` and ``{name}_value_{unit}``; per rating item
``rating_{item}``. Empty cells mean "not measured". Plain UTF-8, comma
separated, ``\\r\\n`` line ends (the csv module's default, what spreadsheets expect).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..files import write_atomic
from .display import is_number

BASE_COLUMNS = ("rep", "stance", "measured_leg", "view", "start_s", "bottom_s", "end_s",
                "start_frame", "bottom_frame", "end_frame")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return round(float(value), 4) if isinstance(value, float) else value
    if isinstance(value, float):  # NaN / inf
        return ""
    return value


def _finding_units(reps) -> dict[str, str]:
    """Unit of each finding's value column (the first non-empty unit seen)."""
    units: dict[str, str] = {}
    for rep in reps:
        for name, f in rep.findings.items():
            if f.unit and not units.get(name):
                units[name] = f.unit
            units.setdefault(name, "")
    return units


def rep_table(result) -> tuple[list[str], list[dict]]:
    """(columns, rows): the per-rep table as plain values, ready for csv or pandas."""
    reps = list(result.reps)
    measurement_keys = list(dict.fromkeys(k for r in reps for k in r.measurements))
    units = _finding_units(reps)
    finding_cols = {name: (f"{name}_present", f"{name}_severity",
                           f"{name}_value_{units[name]}" if units[name] else f"{name}_value")
                    for name in units}
    rating_keys = list(dict.fromkeys(k for r in reps for k in r.rating))
    columns = [*BASE_COLUMNS, *measurement_keys,
               *(c for cols in finding_cols.values() for c in cols),
               *(f"rating_{k}" for k in rating_keys)]
    rows = []
    for number, rep in enumerate(reps, 1):
        row = {"rep": number, "stance": rep.stance, "measured_leg": rep.measured_leg,
               "view": rep.view or result.view, "start_s": rep.start_s,
               "bottom_s": rep.bottom_s, "end_s": rep.end_s, "start_frame": rep.start_frame,
               "bottom_frame": rep.bottom_frame, "end_frame": rep.end_frame}
        row.update({k: rep.measurements.get(k) for k in measurement_keys})
        for name, (c_present, c_sev, c_val) in finding_cols.items():
            f = rep.findings.get(name)
            row[c_present] = None if f is None else f.present
            row[c_sev] = None if f is None else f.severity
            same_unit = f is not None and (f.unit == units[name] or not f.unit)
            row[c_val] = f.value if same_unit else None
        row.update({f"rating_{k}": rep.rating.get(k) for k in rating_keys})
        rows.append({c: _cell(row.get(c)) for c in columns})
    return columns, rows


def dumps(result) -> str:
    columns, rows = rep_table(result)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(result, path: str | Path) -> Path:
    """Write ``reps.csv`` atomically (temp name, then rename)."""
    text = dumps(result)
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
