"""Pelvic drop (front view) and a sagittal pelvic-tilt proxy (side view) from the waist line.

The hip landmarks are joint centres guessed from the thighs; on the mannequin their line
showed 1-6 deg of a true 8 deg drop and the wrong sign with valgus (FACTS.md). The
waistband of shorts or tights sits on the pelvis and tilts with it, so this module reads
the waist line found in each frame while the pose model ran (``pose/silhouette.py``,
``track.extra["pelvis_evidence"]``), against the person's own standing baseline:

- front view: the line's tilt, + = the subject's LEFT side lower (``pelvic_obliquity_deg``);
  per rep, + = the free-leg side down, its peak held for ``persist_s`` and when;
- side view: the line's tilt, + = its front end lower, i.e. anterior (``pelvic_tilt_proxy_deg``);
  per rep, the value at the bottom. A proxy: a waistband follows the pelvis but sits on
  soft tissue, so it is labelled as such and never called "pelvic tilt = N deg".

Everything is "not assessable" with a reason when the view, the clothing (a loose or long
top hanging over the waist, top and bottom of one colour) or the evidence don't allow it.
Settings: the ``[pelvis]`` profile section; finding thresholds: ``[pelvic_drop]`` and
``[pelvic_tilt]``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..pose.landmarks import LEFT_HIP, LEFT_SHOULDER, LEFT_WRIST, RIGHT_HIP, RIGHT_SHOULDER
from ..pose.silhouette import FIELDS
from .context import ClipContext, RepSegment, Signals
from .geometry import persistent_max, window_median
from .references import baseline_rows, nanmedian

F = {name: i for i, name in enumerate(FIELDS)}
OLDEST_FIELDS = 9  # evidence columns of the first tracks made with it (fields are appended)
EVIDENCE_KEY = "pelvis_evidence"
OBLIQUE_REASON = ("the camera is oblique; pelvic drop needs a front view and the tilt proxy a "
                  "side view")


@dataclass
class PelvisSeries:
    """The waist-line angle of a clip against standing, per frame.

    ``kind`` is "obliquity" (front view, + = subject's left side lower), "tilt" (side
    view, + = anterior) or "none". ``angle_deg`` and ``uncertainty_deg`` are (T,), NaN
    where the line was not read. ``reason`` (None when assessable) says why nothing can be
    read for the whole clip. ``baseline_deg`` is the line's standing image angle (signed
    like ``angle_deg``) and ``baseline_sd_deg`` its spread. ``reading_deg`` (T,) is the
    angle in the frames the line was read in, brief excursions dropped, before gaps are
    bridged and it is smoothed, and ``excursion`` (T,) bool the readings dropped as such
    (None: not kept).
    """

    kind: str
    angle_deg: np.ndarray
    uncertainty_deg: np.ndarray
    reason: str | None = None
    baseline_deg: float = float("nan")
    baseline_sd_deg: float = float("nan")
    reading_deg: np.ndarray | None = None
    excursion: np.ndarray | None = None

    def as_series(self) -> dict[str, np.ndarray]:
        """Series for plots: ``{key}`` and ``{key}_uncertainty`` (empty for other views)."""
        key = {"obliquity": "pelvic_obliquity_deg", "tilt": "pelvic_tilt_proxy_deg"}.get(
            self.kind)
        if key is None:
            return {}
        return {key: self.angle_deg, f"{key}_uncertainty": self.uncertainty_deg}


@dataclass
class RepPelvis:
    """One rep's reading: ``value`` (deg; None = not assessable), its ``row`` and
    ``uncertainty``, or the ``reason`` it cannot be read."""

    value: float | None
    row: int
    uncertainty: float | None
    reason: str | None = None


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def pelvis_series(sig: Signals, ctx: ClipContext, profile) -> PelvisSeries:
    """Waist-line angle vs standing, per frame (see the module docstring)."""
    sec = profile.section("pelvis")
    n = len(sig.t_s)
    kind = {"front": "obliquity", "side": "tilt"}.get(ctx.view, "none")
    if kind == "none":
        return PelvisSeries("none", _nan(n), _nan(n), OBLIQUE_REASON)
    ev = _evidence(getattr(sig, "extra", {}).get(EVIDENCE_KEY), n)
    if ev is None:
        return PelvisSeries(kind, _nan(n), _nan(n),
                            "this pose track holds no image evidence of the waist (it was made "
                            "without it); analyse the video itself again")
    base = baseline_rows(sig, ctx)
    if kind == "obliquity":
        side = np.sign(nanmedian(sig.xy_px[base, LEFT_HIP, 0] - sig.xy_px[base, RIGHT_HIP, 0]))
    else:
        side = float(ctx.facing_sign)
    if not side or not np.isfinite(side):
        return PelvisSeries(kind, _nan(n), _nan(n), "the body's orientation in the image "
                            "could not be read while standing")
    raw = ev[:, F["band_tilt_deg"]] * side
    se, height = ev[:, F["band_tilt_se_deg"]], line_height_torso(sig, ev)
    contrast, support = ev[:, F["band_contrast"]], ev[:, F["band_support"]]
    garment = ev[:, F["garment_contrast"]]
    covered = hands_on_waist(sig, ev, sec["hands_clear_torso"])
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(raw) & (contrast >= sec["min_contrast"])
              & (support >= sec["min_support"]) & (se <= sec["max_se_deg"])
              & (height >= sec["min_height_torso"]) & (height <= sec["max_height_torso"])
              & ~covered)
    good = base[ok[base]]
    seen = base[np.isfinite(raw[base])]
    if seen.size and covered[seen].mean() > 1 - sec["min_baseline_share"]:
        return PelvisSeries(kind, _nan(n), _nan(n), HANDS_REASON[kind])
    # one garment over waist and hips (a loose or long top), or one colour: judged while
    # standing (deeper, shading and a bending trunk move the colour samples around)
    with np.errstate(invalid="ignore"):
        alike = not nanmedian(garment[base]) >= sec["min_garment_contrast"]
    looked = base[np.isfinite(ev[base, F["mask_area_torso2"]])]  # frames the model ran on
    if alike or good.size < sec["min_baseline_frames"] or good.size < sec[
            "min_baseline_share"] * max(looked.size, 1):
        return PelvisSeries(kind, _nan(n), _nan(n), _hidden_reason(garment[base], sec))
    # the same garment edge keeps its height on the body and, roughly, its contrast: a
    # line much higher, lower, fainter or stronger than while standing is another edge
    # (e.g. a belly or chest hanging over the band) -- unless the garments' own colour
    # difference changed alike: the light on a bending body (log colour magnifies the
    # shading of a dark top; held-out seed 20 phone 014, seed 23 phone 051, 066)
    h0, c0 = float(np.median(height[good])), float(np.median(contrast[good]))
    g0 = float(np.nanmedian(garment[good]))
    if h0 < sec["min_baseline_height_torso"]:
        return PelvisSeries(kind, _nan(n), _nan(n), HEM_REASON)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok &= np.abs(height - h0) <= sec["max_height_change_torso"]
        ratio = sec["max_contrast_ratio"]
        as_standing = (contrast <= ratio * c0) & (contrast >= c0 / ratio)
        lit = (contrast / garment) / (c0 / g0)
        ok &= as_standing | ((lit <= ratio) & (lit >= 1 / ratio))
    good = base[ok[base]]
    if good.size < sec["min_baseline_frames"]:
        return PelvisSeries(kind, _nan(n), _nan(n), _hidden_reason(garment[base], sec))
    base_deg = float(np.median(raw[good]))
    base_sd = float(1.4826 * np.median(np.abs(raw[good] - base_deg)))
    if kind == "obliquity":  # further from level than a pelvis drops or hikes: another edge
        with np.errstate(invalid="ignore"):
            ok &= np.abs(raw - base_deg) <= sec["max_obliquity_deg"]
    reading = np.where(ok, raw - base_deg, np.nan)
    kept = drop_short_excursions(reading, sig.t_s, sec["max_step_deg"], sec["max_excursion_s"])
    se_ok = np.where(np.isfinite(kept), se, np.nan)
    angle = fill_short_gaps(kept, sig.t_s, sec["max_gap_s"])
    se_ok = fill_short_gaps(se_ok, sig.t_s, sec["max_gap_s"])
    angle = running_median(angle, sig.t_s, sec["smooth_s"])
    floor = sec["drop_floor_deg"] if kind == "obliquity" else sec["tilt_floor_deg"]
    unc = np.sqrt(se_ok ** 2 + base_sd ** 2 + floor ** 2)
    unc[~np.isfinite(angle)] = np.nan
    return PelvisSeries(kind, angle, unc, None, base_deg, base_sd, kept,
                        np.isfinite(reading) & ~np.isfinite(kept))


def line_height_torso(sig: Signals, ev: np.ndarray) -> np.ndarray:
    """(T,) distance from the hip midpoint up to the found line, square to the line, in
    torso lengths (NaN where no line).

    The hip joints and the waistband both sit on the pelvis, so this distance stays put
    however the pelvis tilts and the trunk leans. The evidence's own ``band_height_torso``
    is measured along the trunk, which a forward lean turns away from the band: at 55 deg
    of lean a band 0.28 torso lengths up read 0.11 and was taken for another edge
    (pelvis benchmark p24).
    """
    w, h = sig.image_size
    centre = np.stack([ev[:, F["band_x"]] * w, ev[:, F["band_y"]] * h], axis=1)
    xy = sig.xy_px
    hips = (xy[:, LEFT_HIP] + xy[:, RIGHT_HIP]) / 2
    torso = np.linalg.norm((xy[:, LEFT_SHOULDER] + xy[:, RIGHT_SHOULDER]) / 2 - hips, axis=1)
    tilt = np.radians(ev[:, F["band_tilt_deg"]])
    down = np.stack([-np.sin(tilt), np.cos(tilt)], axis=1)  # the line's normal, image y down
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum((hips - centre) * down, axis=1) / torso


HEM_REASON = ("the edge at the waist sits lower on the body than a waistband does: the hem "
              "of a top hanging over the hips (a tucked-in or fitted top shows the waistband)")
# what shows the waist instead (mannequin, seed 64 with each arm pose): from the side a
# hand on the hip lies over the band; from the front arms folded on the chest come down
# over it at the bottom
HANDS_REASON = {
    "obliquity": "the hands are held in front of the waist while standing and hide it (hands "
                 "on the hips or arms held forward show it)",
    "tilt": "the hands are held at the waist while standing and hide it from the side (arms "
            "held forward or crossed on the chest show it)"}
_HANDS = np.arange(LEFT_WRIST, LEFT_WRIST + 8)  # wrists, pinkies, index fingers, thumbs


def hands_on_waist(sig: Signals, ev: np.ndarray, clear_torso: float) -> np.ndarray:
    """(T,) bool: a hand landmark lies within ``clear_torso`` torso lengths of the found
    line's centre, so the line may be the edge of the hands rather than the waist."""
    w, h = sig.image_size
    centre = np.stack([ev[:, F["band_x"]] * w, ev[:, F["band_y"]] * h], axis=1)  # (T, 2)
    xy = sig.xy_px
    torso = np.linalg.norm((xy[:, LEFT_SHOULDER] + xy[:, RIGHT_SHOULDER]) / 2
                           - (xy[:, LEFT_HIP] + xy[:, RIGHT_HIP]) / 2, axis=1)
    dist = np.linalg.norm(xy[:, _HANDS] - centre[:, None, :], axis=2)  # (T, 8)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmin(dist, axis=1) < clear_torso * torso


def _evidence(ev, n: int) -> np.ndarray | None:
    """The (n, len(FIELDS)) evidence, or None; tracks made before a field was appended
    (fewer columns) get NaN in it (that check then cannot pass)."""
    if ev is None:
        return None
    ev = np.asarray(ev, float)
    if ev.ndim != 2 or ev.shape[0] != n or not OLDEST_FIELDS <= ev.shape[1] <= len(FIELDS):
        return None
    if ev.shape[1] < len(FIELDS):
        ev = np.hstack([ev, np.full((n, len(FIELDS) - ev.shape[1]), np.nan)])
    return ev


def _hidden_reason(garment: np.ndarray, sec) -> str:
    with np.errstate(invalid="ignore"):
        alike = not np.nanmedian(garment) >= sec["min_garment_contrast"] if np.isfinite(
            garment).any() else True
    if alike:
        return ("the waist cannot be seen while standing: a loose or long top hangs over it, or "
                "the top and the shorts/tights are one colour (a tucked-in or fitted top and "
                "contrasting shorts show it)")
    return "the waist line was not found clearly while standing (hidden or blurred)"


def drop_short_excursions(x: np.ndarray, t_s: np.ndarray, max_step_deg: float,
                          max_s: float) -> np.ndarray:
    """``x`` (T,) with NaN for each run of readings, spanning at most ``max_s`` (s, over
    ``t_s``), that all lie more than ``max_step_deg`` from both the reading before the run
    and the one after it, where those two agree within it: another edge, briefly (a
    thigh's outline, the shading of a belly). A pelvis neither jumps there nor back; a
    real drop builds up in steps well under ``max_step_deg``. (Seed 11 phone 069: one 15 deg
    reading read a 4.6 deg drop; held-out seed 28 phone 014, on both feet with the knees
    caving in: three readings at 16 deg over 0.13 s, the shading across a belly, read a
    7.8 deg drop for a level pelvis.)"""
    x = np.asarray(x, float).copy()
    idx = np.flatnonzero(np.isfinite(x))
    v, tt = x[idx], np.asarray(t_s, float)[idx]
    last, i = 0, 1  # the last reading kept; the first that may start an excursion
    while i < len(v) - 1:
        end = _excursion_end(v, tt, i, v[last], max_step_deg, max_s)
        if end is None:
            last, i = i, i + 1
        else:
            x[idx[i:end + 1]] = np.nan
            last, i = end + 1, end + 2
    return x


def _excursion_end(v: np.ndarray, tt: np.ndarray, i: int, prev: float, max_step_deg: float,
                   max_s: float) -> int | None:
    """Last index of the excursion starting at reading ``i`` (after ``prev``), or None."""
    for j in range(i, len(v) - 1):
        if tt[j] - tt[i] > max_s or not abs(v[j] - prev) > max_step_deg:
            return None
        nxt = v[j + 1]
        if abs(nxt - prev) <= max_step_deg and (np.abs(v[i:j + 1] - nxt) > max_step_deg).all():
            return j
    return None


def fill_short_gaps(x: np.ndarray, t_s: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linear interpolation across NaN runs no longer than ``max_gap_s`` (x, t_s: (T,))."""
    x = np.asarray(x, float).copy()
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return x
    idx = np.flatnonzero(ok)
    missing = np.flatnonzero(~ok)
    missing = missing[(missing > idx[0]) & (missing < idx[-1])]
    if missing.size == 0:
        return x
    right = idx[np.searchsorted(idx, missing)]
    left = idx[np.searchsorted(idx, missing) - 1]
    short = (t_s[right] - t_s[left]) <= max_gap_s + 1e-9
    m, lft, rgt = missing[short], left[short], right[short]
    w = (t_s[m] - t_s[lft]) / (t_s[rgt] - t_s[lft])
    x[m] = x[lft] * (1 - w) + x[rgt] * w
    return x


def running_median(x: np.ndarray, t_s: np.ndarray, window_s: float) -> np.ndarray:
    """NaN-ignoring running median over ``window_s`` (odd sample count; NaN stays NaN)."""
    x = np.asarray(x, float)
    if len(x) < 3 or window_s <= 0:
        return x.copy()
    dt = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 1.0
    k = max(int(round(window_s / dt)) | 1, 1)
    if k < 3:
        return x.copy()
    half = k // 2
    padded = np.pad(x, half, constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(padded, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        out = np.nanmedian(win, axis=1)
    out[~np.isfinite(x)] = np.nan
    return out


def bottom_phase(seg: RepSegment, series: dict[str, np.ndarray], profile) -> np.ndarray:
    """Rows of the rep with the hip at least ``bottom_phase_fraction`` of its depth down."""
    m = profile.section("measurements")
    rows = np.arange(seg.start, seg.end + 1)
    drop = np.asarray(series.get("hip_drop_leg_lengths", _nan(seg.end + 1)), float)
    deepest = window_median(drop, seg.bottom, 2)
    if not np.isfinite(deepest) or deepest <= 0:
        return np.array([seg.bottom])
    with np.errstate(invalid="ignore"):
        phase = rows[drop[rows] >= m["bottom_phase_fraction"] * deepest]
    return phase if phase.size else np.array([seg.bottom])


def leaning_rows(seg: RepSegment, series: dict[str, np.ndarray], phase: np.ndarray,
                 profile) -> tuple[np.ndarray, float]:
    """(len(phase),) bool: rows whose sideways trunk lean can fake a drop, and the largest
    lean (deg) over the phase.

    Bending sideways folds the flank on the side leant to over the waistband (the abdomen
    follows the thorax), so the line found there sits lower: that side reads as dropped.
    On one foot only a lean towards the free side fakes a drop (towards the stance side it
    hides one); on both feet any lean fakes a tilt. ``lateral_trunk_lean_deg``: + = to the
    subject's left; limit: ``[pelvic_drop] max_lateral_lean_deg``.
    """
    lean = series.get("lateral_trunk_lean_deg")
    if lean is None:
        return np.zeros(len(phase), bool), float("nan")
    lean = np.asarray(lean, float)[phase]
    to_stance = {"left": 1.0, "right": -1.0}.get(seg.stance)
    fakes = np.abs(lean) if to_stance is None else -to_stance * lean
    with np.errstate(invalid="ignore"):
        leaning = fakes >= profile.section("pelvic_drop")["max_lateral_lean_deg"]
    peak = float(np.nanmax(np.abs(lean))) if np.isfinite(lean).any() else float("nan")
    return leaning, peak


def _drop_hidden_by_lean(seg: RepSegment, series: dict[str, np.ndarray], phase: np.ndarray,
                         profile) -> str:
    """Why the reading of a rep on one foot cannot be trusted ("" if it can).

    A trunk leaning towards the stance leg folds that flank over the band. Past
    ``max_lateral_lean_stance_side_deg`` (the leans the pelvis benchmark read within
    1.4 deg) the line found is the fold's as often as the band's, either way: 10 deg drops
    under 15 deg of lean read 0.9-1.8 deg (held-out synthetic set, seed 8, 026), and level
    pelvises under 14-18 deg read 3.5-5.8 deg drops (seed 8 011, seed 13 014).
    """
    to_stance = {"left": 1.0, "right": -1.0}.get(seg.stance)
    lean = series.get("lateral_trunk_lean_deg")
    if to_stance is None or lean is None:
        return ""
    towards = to_stance * np.asarray(lean, float)[phase]
    if not np.isfinite(towards).any():
        return ""
    peak = float(np.nanmax(towards))
    if peak <= profile.section("pelvic_drop")["max_lateral_lean_stance_side_deg"]:
        return ""
    return (f"the trunk leans {peak:.0f} deg towards the stance leg at the bottom, which "
            "folds that flank over the waistband, where it passes for the band's line")


def reading_step_deg(ps: PelvisSeries, rows: np.ndarray) -> float:
    """Median change (deg) of the line's angle between successive readings in ``rows``;
    0 with fewer than three readings or none kept. The pelvis turns smoothly and slowly at
    the bottom of a squat, so readings that jump are different edges taking turns."""
    if ps.reading_deg is None:
        return 0.0
    values = ps.reading_deg[rows]
    values = values[np.isfinite(values)]
    if values.size < 3:
        return 0.0
    return float(np.median(np.abs(np.diff(values))))


def excursion_count(ps: PelvisSeries, rows: np.ndarray) -> tuple[int, int]:
    """Readings in ``rows`` dropped as brief excursions, and all readings there. What is
    left after dropping them runs smoothly even where edges took turns all along: when
    they are many, the line read is not reliably the band."""
    if ps.excursion is None or ps.reading_deg is None:
        return 0, 0
    away = ps.excursion[rows]
    return int(away.sum()), int((away | np.isfinite(ps.reading_deg[rows])).sum())


def rep_pelvis(ps: PelvisSeries, seg: RepSegment, series: dict[str, np.ndarray], profile,
               fps: float) -> RepPelvis:
    """Peak free-side drop over the bottom phase (front; a pelvis hiked all through reports
    its largest hike, negative) or the tilt at the bottom (side)."""
    if ps.reason:
        return RepPelvis(None, seg.bottom, None, ps.reason)
    sec = profile.section("pelvis")
    phase = bottom_phase(seg, series, profile)
    angle = ps.angle_deg.copy()
    seen = np.isfinite(angle[phase])
    read = phase
    if ps.kind == "obliquity":  # frames a sideways lean can fake a drop in are not read
        leaning, lean_deg = leaning_rows(seg, series, phase, profile)
        angle[phase[leaning]] = np.nan
        if (seen & ~leaning).mean() < sec["min_bottom_coverage"] and (seen & leaning).any():
            return RepPelvis(None, seg.bottom, None,
                             f"the trunk leans {lean_deg:.0f} deg sideways at the bottom, which "
                             "folds the flank over the waistband on that side")
        seen &= ~leaning
        read = phase[~leaning]
    if seen.mean() < sec["min_bottom_coverage"]:
        return RepPelvis(None, seg.bottom, None,
                         "the waist line is hidden or unclear at the bottom of this rep")
    step = reading_step_deg(ps, read)
    if step > sec["max_step_deg"]:
        return RepPelvis(None, seg.bottom, None,
                         f"the waist line jumps {step:.0f} deg from frame to frame at the bottom "
                         "of this rep: other edges (the thighs, a fold of the top) pass for it")
    away, tried = excursion_count(ps, read)
    if away > sec["max_excursion_share"] * tried:
        return RepPelvis(None, seg.bottom, None,
                         f"the waist line jumps away and back in {away} of its {tried} readings "
                         "at the bottom of this rep: other edges (the thighs, a fold of the "
                         "top) pass for it")
    if ps.kind == "tilt":
        half = max(int(round(profile.section("measurements")["bottom_window_s"] * fps)), 1)
        value = window_median(ps.angle_deg, seg.bottom, half)
        row = seg.bottom
        if not np.isfinite(value):
            value = float(np.nanmedian(ps.angle_deg[phase]))
            row = int(phase[np.nanargmin(np.abs(ps.angle_deg[phase] - value))])
    else:
        n = max(int(round(sec["persist_s"] * fps)), 1)
        to_stance = {"left": 1.0, "right": -1.0}.get(seg.stance)
        if to_stance is None:  # both feet down: no free side, the larger tilt either way
            cands = [persistent_max(s * angle[phase], n) for s in (1.0, -1.0)]
            value, i = max(cands, key=lambda vi: vi[0] if np.isfinite(vi[0]) else -np.inf)
        else:
            free_down = -to_stance * angle[phase]
            value, i = persistent_max(free_down, n)
            if np.isfinite(value) and value < 0:  # hiked all through: report the full hike
                low, j = persistent_max(-free_down, n)
                value, i = -low, j
        if i < 0 or not np.isfinite(value):
            return RepPelvis(None, seg.bottom, None,
                             "the waist line is hidden or unclear at the bottom of this rep")
        hidden = _drop_hidden_by_lean(seg, series, phase, profile)
        if hidden:
            return RepPelvis(None, seg.bottom, None, hidden)
        row = int(phase[i])
    unc = ps.uncertainty_deg[row]
    if not np.isfinite(unc) and np.isfinite(ps.uncertainty_deg[phase]).any():
        unc = float(np.nanmedian(ps.uncertainty_deg[phase]))
    return RepPelvis(float(value), row, float(unc) if np.isfinite(unc) else None)
