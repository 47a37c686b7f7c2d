"""Plots over time of the result's series, with rep bands, thresholds and uncertainty.

matplotlib through its object API (``Figure`` + SVG), so no pyplot state and no
GUI backend is touched. A panel groups series by quantity; series the panels
don't name go to an "other" panel per unit, so nothing the engine adds is lost.
Conventions read from ``Series.values`` (all optional):

- ``{quantity}_{unit}`` or ``{quantity}_{unit}_{left|right}`` — the signals;
- ``{key}_uncertainty`` — a ± half-width band, same unit (else the matching
  findings' ``uncertainty`` gives a constant band);
- ``{key}_baseline`` — the standing baseline (else a zero line for series that
  are relative to standing).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .display import LEG_HEX, SEVERITY_HEX, is_number, key_label, split_key, unit_text
from .timeline import FINDING_SERIES


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    quantities: tuple[str, ...]   # quantity_unit stems, e.g. "knee_flexion_deg"
    caption: str = ""
    symmetric: bool = False       # threshold applies to |value| (drawn at ±threshold)


PANELS = (
    Panel("flexion", "Knee, hip and ankle flexion", ("knee_flexion_deg", "hip_flexion_deg",
                                                      "ankle_dorsiflexion_deg"),
          "Depth and strategy: a hip that flexes little against the knee is knee-dominant."),
    Panel("inclination", "Trunk vs tibia inclination",
          ("trunk_inclination_deg", "tibia_inclination_deg", "tibia_minus_trunk_deg"),
          "Tibia more inclined than the trunk by 8° or more: knee-extensor-biased squat "
          "(Barrack 2021, bilateral squats)."),
    Panel("knee_toe", "Knee–toe offset", ("knee_toe_offset_foot_lengths",),
          "Positive = knee ahead of the toes, in foot lengths."),
    Panel("heel", "Heel rise", ("heel_rise_foot_lengths", "foot_angle_rise_deg"),
          "Rise of the stance heel above standing; a lifted heel invalidates an SLS trial."),
    Panel("pelvis", "Pelvic angle", ("pelvic_obliquity_deg", "pelvic_drop_deg",
                                      "pelvic_tilt_proxy_deg", "pelvic_tilt_deg"),
          "Waistband line vs standing (dashed), shaded +- its uncertainty. Front view: + = the "
          "subject's left side lower; side view: tilt proxy, + = anterior. Blank where the "
          "waist cannot be seen.",
          symmetric=True),
    Panel("fppa", "Knee valgus (FPPA)", ("fppa_deg",),
          "Frontal plane projection angle; + = knee inside the hip–ankle line."),
    Panel("lateral", "Lateral trunk lean", ("lateral_trunk_lean_deg",),
          "Sideways trunk lean vs standing.", symmetric=True),
    Panel("depth", "Depth: hip drop", ("hip_drop_leg_lengths",),
          "How far the hips sink, in leg lengths."),
)
# Series that are relative to the person's standing baseline (zero line drawn).
BASELINE_RELATIVE = {"heel_rise_foot_lengths", "foot_angle_rise_deg", "pelvic_obliquity_deg",
                     "pelvic_drop_deg", "lateral_trunk_lean_deg", "hip_drop_leg_lengths",
                     "pelvic_tilt_proxy_deg"}
_BAND_SUFFIXES = ("_uncertainty", "_baseline")
_STYLES = ("-", "--", ":", "-.")
_AXIS_UNITS = {"deg": "degrees", "ratio": "ratio", "": "value"}


@dataclass(frozen=True)
class Plot:
    key: str
    title: str
    caption: str
    svg: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def stem_of(key: str) -> str:
    """'knee_flexion_deg_left' -> 'knee_flexion_deg' (the key without its leg)."""
    quantity, unit, _leg = split_key(key)
    return f"{quantity}_{unit}" if unit else quantity


def _signal_keys(values: dict) -> list[str]:
    return [k for k in values if not any(s in k for s in _BAND_SUFFIXES)]


def group_series(series, legs: set[str] | None = None) -> list[tuple[Panel, list[str]]]:
    """Panels with the series keys they will draw (only keys holding finite data).

    ``legs`` limits per-leg series to those legs (see :func:`plotted_legs`).
    """
    n = len(series.t_s)
    keys = [k for k in _signal_keys(series.values)
            if np.shape(series.values[k]) == (n,) and np.isfinite(
                np.asarray(series.values[k], float)).any()
            and (legs is None or not split_key(k)[2] or split_key(k)[2] in legs)]
    used: set[str] = set()
    groups = []
    for panel in PANELS:
        mine = [k for q in panel.quantities for k in keys if stem_of(k) == q]
        if mine:
            groups.append((panel, mine))
            used.update(mine)
    rest: dict[str, list[str]] = {}
    for k in keys:
        if k not in used:
            rest.setdefault(split_key(k)[1] or "other", []).append(k)
    for unit, mine in rest.items():
        title = f"Other signals ({_AXIS_UNITS.get(unit, unit_text(unit) or unit)})"
        groups.append((Panel(f"other_{unit}", title, ()), mine))
    return groups


def empty_panels(series, legs: set[str] | None = None) -> list[Panel]:
    """Panels with no finite data in this clip (the view or landmarks did not allow them)."""
    drawn = {p.key for p, _ in group_series(series, legs)}
    return [p for p in PANELS if p.key not in drawn]


def _finding_info(result, stem: str):
    """(threshold, uncertainty, evidence [(t_s, value, severity)]) from the findings of a series."""
    thr = unc = None
    evidence = []
    for rep in result.reps:
        for f in rep.findings.values():
            if FINDING_SERIES.get(f.name) != stem:
                continue
            thr = f.threshold if thr is None and is_number(f.threshold) else thr
            unc = f.uncertainty if unc is None and is_number(f.uncertainty) else unc
            if f.present and f.t_s is not None and is_number(f.value):
                evidence.append((f.t_s, f.value, f.severity))
    return thr, unc, evidence


def plotted_legs(result) -> set[str]:
    """Legs whose per-leg series are worth plotting: the stance legs of the reps.

    A free leg's knee and tibia angles only clutter a single-leg squat's plots;
    with no reps, both legs are shown.
    """
    legs = set()
    for rep in result.reps:
        legs.update(("left", "right") if rep.stance == "both" else (rep.stance,))
    return legs or {"left", "right"}


def _leg_values(result, key: str, y: np.ndarray) -> np.ndarray:
    """Per-leg series masked (NaN) during reps on which the other leg stands alone."""
    leg = split_key(key)[2]
    if not leg:
        return y
    t = np.asarray(result.series.t_s, float)
    y = y.copy()
    for rep in result.reps:
        if rep.stance in ("left", "right") and rep.stance != leg:
            y[(t >= rep.start_s) & (t <= rep.end_s)] = np.nan
    return y


def _rep_bands(ax, result) -> None:
    for n, rep in enumerate(result.reps, 1):
        ax.axvspan(rep.start_s, rep.end_s, color=LEG_HEX.get(rep.stance, LEG_HEX[""]),
                   alpha=0.08, lw=0)
        ax.axvline(rep.bottom_s, color="#9e9e9e", lw=0.6, ls=":")
        ax.text((rep.start_s + rep.end_s) / 2, 1.0, f"rep {n} ({rep.stance[0].upper()})",
                transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7,
                color="#616161")


def _draw_panel(ax, result, panel: Panel, keys: list[str]) -> None:
    """Draw one panel; a second unit (e.g. heel rise + foot angle) goes on a right axis."""
    series = result.series
    t = np.asarray(series.t_s, float)
    _rep_bands(ax, result)
    units = list(dict.fromkeys(split_key(k)[1] for k in keys))
    axes = {units[0]: ax}
    if len(units) > 1:
        axes[units[1]] = ax.twinx()
    stems = list(dict.fromkeys(stem_of(k) for k in keys))
    drawn: set[str] = set()
    shown: dict[str, list[np.ndarray]] = {}  # per unit: the values the reps are read from
    for key in keys:
        stem, unit, leg = stem_of(key), split_key(key)[1], split_key(key)[2]
        target = axes.get(unit, ax)
        y = _leg_values(result, key, np.asarray(series.values[key], float))
        color = LEG_HEX.get(leg, LEG_HEX[""])
        style = _STYLES[stems.index(stem) % len(_STYLES)]
        name = key_label(stem) + (f" ({leg})" if leg else "")
        target.plot(t, y, style, color=color, lw=1.3, label=name)
        shown.setdefault(unit, []).append(y[_in_reps_of(result, t, leg)])
        thr_f, unc_f, evidence = _finding_info(result, stem)
        band = series.values.get(f"{key}_uncertainty", series.values.get(f"{stem}_uncertainty"))
        if band is not None and np.shape(band) == t.shape:
            half = np.asarray(band, float)
        else:
            half = np.full_like(y, unc_f) if unc_f is not None else None
        if half is not None:
            target.fill_between(t, y - half, y + half, color=color, alpha=0.15, lw=0)
        base = series.values.get(f"{key}_baseline", series.values.get(f"{stem}_baseline"))
        if base is not None and np.shape(base) == t.shape:
            target.plot(t, np.asarray(base, float), color="#757575", lw=0.8, ls="--")
        elif stem in BASELINE_RELATIVE and "baseline" not in drawn:  # once: the axes differ
            target.axhline(0, color="#757575", lw=0.8, ls="--", label="standing baseline")
            drawn.add("baseline")
        thr = series.thresholds.get(key, series.thresholds.get(stem, thr_f))
        if is_number(thr) and stem not in drawn:
            drawn.add(stem)
            target.axhline(thr, color=SEVERITY_HEX["severe"], lw=0.9, ls="-.",
                           label=f"threshold: {key_label(stem).lower()}")
            if panel.symmetric and thr > 0:
                target.axhline(-thr, color=SEVERITY_HEX["severe"], lw=0.9, ls="-.")
        ok = np.isfinite(y)
        for t_s, _value, severity in evidence:
            if leg and _rep_leg_at(result, t_s) not in (leg, "both") or ok.sum() < 2:
                continue
            target.plot([t_s], [np.interp(t_s, t[ok], y[ok])], "o", ms=5,
                        color=SEVERITY_HEX.get(severity, "#c62828"), mec="white", mew=0.8)
    for unit, a in axes.items():
        _focus_on_reps(a, np.concatenate(shown.get(unit, [np.zeros(0)])))
    handles, labels = [], []
    for unit, a in axes.items():
        a.set_ylabel(_AXIS_UNITS.get(unit, unit_text(unit) or unit), fontsize=8)
        a.tick_params(labelsize=7)
        h, lab = a.get_legend_handles_labels()
        handles += h
        labels += lab
    ax.set_xlabel("time (s)", fontsize=8)
    if len(t) > 1:
        ax.set_xlim(t[0], t[-1])
    ax.grid(alpha=0.3, lw=0.5)
    ax.legend(handles, labels, fontsize=7, loc="upper left",
              bbox_to_anchor=(1.08 if len(axes) > 1 else 1.005, 1.0), frameon=False)


def _in_reps_of(result, t: np.ndarray, leg: str) -> np.ndarray:
    """(T,) bool: inside a rep this leg stands on (any rep for a series of no leg)."""
    inside = np.zeros(len(t), bool)
    for rep in result.reps:
        if not leg or rep.stance in (leg, "both"):
            inside |= (t >= rep.start_s) & (t <= rep.end_s)
    return inside


def _focus_on_reps(ax, values: np.ndarray) -> None:
    """Zoom the y axis onto the reps' values when the rest of the clip would squash them:
    a free leg raised behind before a single-leg rep reads an FPPA near -170 deg, and the
    stance knee's 20 deg of valgus became a flat line. Values outside are cut off."""
    values = values[np.isfinite(values)]
    if values.size < 2:
        return
    low, high = ax.get_ylim()
    lo, hi = float(values.min()), float(values.max())
    for level in [line.get_ydata()[0] for line in ax.get_lines()
                  if len(line.get_ydata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1]]:
        lo, hi = min(lo, float(level)), max(hi, float(level))  # thresholds and baselines
    if not hi > lo:  # one level: nothing to zoom onto
        return
    pad = 0.15 * (hi - lo)
    if (high - low) > 2 * (hi - lo + 2 * pad):
        ax.set_ylim(lo - pad, hi + pad)


def _rep_leg_at(result, t_s: float) -> str:
    for rep in result.reps:
        if rep.start_s <= t_s <= rep.end_s:
            return rep.stance
    return ""


def make_plots(result, *, width_in: float = 8.0, height_in: float = 2.4) -> list[Plot]:
    """One SVG plot per panel that has data, in the order of :data:`PANELS`."""
    plots = []
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "squatcheck",
                                "font.family": "DejaVu Sans"}):
        for panel, keys in group_series(result.series, plotted_legs(result)):
            fig = Figure(figsize=(width_in, height_in), layout="constrained")
            ax = fig.add_subplot()
            _draw_panel(ax, result, panel, keys)
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
            plots.append(Plot(panel.key, panel.title, panel.caption, buf.getvalue()))
    return plots
