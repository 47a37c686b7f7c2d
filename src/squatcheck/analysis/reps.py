"""Rep segmentation: descents and returns of the hip, from its height above the feet.

OpenCap counts squats at peaks of pelvis height with a prominence of at least 0.7
of its range, at least 0.5 s apart. A clip-wide range breaks when reps differ in
depth (one leg weaker) or a clip holds other movement, so here the rule is per
rep: each bottom must sit at least ``min_depth_leg_lengths`` below the standing
hip on *both* sides (descent and return), and the return must come back at least
``relative_prominence`` (0.7, OpenCap's figure) of the way. A bounce at the bottom
that rises less than that is part of one rep. Partial reps at the clip's ends
(no standing before or after) fail that test and are not counted. A rep whose hip
stood still before and after, at levels a change of stance explains, needs no ratio
(the free leg lifted on the way down: two feet before, one after; see ``_tops``).

The same function serves live use: called on the frames seen so far with
``final=False``, the last rep is closed only once the hip has been back near
its top for ``settle_s``, so a rep is reported about ``settle_s`` after its end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from ..signals.gaps import finite_runs
from .sections import ProfileSection


@dataclass(frozen=True)
class RepSettings(ProfileSection):
    """The ``[reps]`` profile section."""

    SECTION = "reps"

    ground_window_s: float
    segment_length_noise: float
    min_depth_leg_lengths: float
    relative_prominence: float
    min_rep_interval_s: float
    boundary_fraction: float
    settle_s: float
    max_phase_s: float
    top_plateau_s: float
    top_rise_leg_lengths: float
    top_min_climb_share: float
    standing_level_change_leg_lengths: float
    standing_tolerance_leg_lengths: float
    min_knee_flexion_rise_deg: float
    bent_knee_rise_deg: float
    standing_lookback_s: float
    foot_still_leg_lengths: float
    foot_swung_leg_lengths: float
    foot_visibility: float
    free_foot_elevation_front_leg_lengths: float
    free_foot_elevation_other_leg_lengths: float
    free_foot_world_elevation_m: float
    near_foot_depth_m: float
    camera_roll_tolerance_deg: float
    measured_roll_tolerance_deg: float
    free_foot_lift_front_leg_lengths: float
    free_knee_extension_deg: float
    held_knee_max_rise_deg: float
    folded_shank_max_drop: float
    balance_min_centre_shift: float
    balance_min_offset_leg_lengths: float
    balance_unloaded_centre_shift: float
    opening_s: float
    opening_still_leg_lengths: float
    opening_level_leg_lengths: float
    max_hip_flexion_asymmetry_deg: float
    max_knee_flexion_asymmetry_deg: float
    max_feet_apart_side_leg_lengths: float
    max_hip_minus_knee_rise_deg: float
    max_bottom_hold_s: float
    bottom_hold_band: float
    max_bottom_hold_share: float
    min_rep_duration_s: float
    bottom_seen_window_s: float
    min_bottom_seen_share: float
    hop_neighbour_s: float
    min_depth_share_of_deepest: float


@dataclass(frozen=True)
class Candidate:
    """One descent and return of the hip (row indices), before it is judged a squat."""

    start: int
    bottom: int
    end: int
    depth_leg_lengths: float  # the larger of descent and return
    descent_leg_lengths: float
    return_leg_lengths: float
    # where the hip stood before and after (``_tops``); ``start`` and ``end`` lie inside
    # the movement, ``boundary_fraction`` of the way down
    top_start: int | None = None
    top_end: int | None = None


def _fs(t_s: np.ndarray) -> float:
    return float(1.0 / np.median(np.diff(t_s))) if len(t_s) > 1 else 30.0


def segment_reps(hip_height: np.ndarray, t_s: np.ndarray, settings: RepSettings, *,
                 final: bool = True, feet: np.ndarray | None = None) -> list[Candidate]:
    """Candidate reps from the hip height (leg lengths above the feet, (T,), NaN allowed).

    A long NaN stretch (the person is lost) ends any rep in progress: each finite
    run is segmented on its own. With ``final=False`` the last rep of the last run
    is kept only if it has visibly ended (see module docstring). ``feet`` ((T, 2), each
    ankle's height in the image, leg lengths) lets a rep halt on its way (``_local_top``).
    """
    h = np.asarray(hip_height, float)
    t_s = np.asarray(t_s, float)
    out: list[Candidate] = []
    runs = finite_runs(h)
    for k, (a, b) in enumerate(runs):
        if b - a < 3:
            continue
        open_end = not final and k == len(runs) - 1 and b == len(h)
        out.extend(_segment_run(h[a:b], t_s[a:b], settings, a, open_end,
                                None if feet is None else np.asarray(feet, float)[a:b]))
    return out


def _segment_run(h: np.ndarray, t_s: np.ndarray, s: RepSettings, offset: int,
                 open_end: bool, feet: np.ndarray | None = None) -> list[Candidate]:
    distance = max(int(round(s.min_rep_interval_s * _fs(t_s))), 1)
    peaks, _ = find_peaks(-h, prominence=s.min_depth_leg_lengths, distance=distance)
    peaks = list(peaks)
    fs = _fs(t_s)
    # Drop the bottom that fails worst, recompute its neighbours' regions, repeat.
    dropped: list[int] = []
    while peaks:
        scores = []
        for i, p in enumerate(peaks):
            (top_l, top_r), stood = _tops(h, peaks, i, s, fs, feet, dropped)
            descent, ret = h[top_l] - h[p], h[top_r] - h[p]
            depth = max(descent, ret)
            ok_depth = min(_standing_drops(h, peaks, i, (top_l, top_r), s, fs)) \
                >= s.min_depth_leg_lengths
            # standing still on both sides: a rep whatever the ratio (see _tops)
            ratio = 1.0 if stood else min(descent, ret) / depth if depth > 0 else 0.0
            scores.append(ratio if ok_depth else -1.0 + ratio)
        worst = int(np.argmin(scores))
        if scores[worst] >= s.relative_prominence:
            break
        dropped.append(peaks.pop(worst))

    reps = []
    for i, p in enumerate(peaks):
        (top_l, top_r), _ = _tops(h, peaks, i, s, fs, feet, dropped)
        descent, ret = h[top_l] - h[p], h[top_r] - h[p]
        start_level = h[p] + (1 - s.boundary_fraction) * descent
        end_level = h[p] + (1 - s.boundary_fraction) * ret
        above = np.flatnonzero(h[top_l:p + 1] >= start_level)
        start = top_l + int(above[-1]) if above.size else top_l
        above = np.flatnonzero(h[p:top_r + 1] >= end_level)
        end = p + int(above[0]) if above.size else top_r
        if open_end and i == len(peaks) - 1 and t_s[-1] - t_s[end] < s.settle_s:
            continue  # live: the hip has not been back up long enough to close the rep
        reps.append(Candidate(offset + start, offset + p, offset + end,
                              float(max(descent, ret)), float(descent), float(ret),
                              offset + top_l, offset + top_r))
    return reps


def _tops(h: np.ndarray, peaks: list[int], i: int, s: RepSettings, fs: float,
          feet: np.ndarray | None = None,
          dropped: list[int] | None = None) -> tuple[tuple[int, int], bool]:
    """(start, end) tops of the rep whose bottom is ``peaks[i]``: the standing level the
    hip came down from and the one it went back up to.

    Each is looked for between the neighbouring bottoms and within ``max_phase_s``, and
    is where the hip levels off once it has climbed ``top_min_climb_share`` of the
    *smaller* of the two sides' climbs. The standing level need not be the same on both
    sides: people stand lower on one leg than on two (the knee unlocks, the hip on the
    free side drops), and in a side view the image floor rises when the nearer foot
    is lifted, so the two-legged stance before the first rep sits higher than the
    one-legged stance between reps. A descent measured from the clip's highest point
    would make every rep look like it never came back up.

    Also returned: did the hip stand still (within ``top_rise_leg_lengths`` for
    ``top_plateau_s``) beyond both tops, at levels no more than
    ``standing_level_change_leg_lengths`` apart? Such a rep ends where it began, on its
    feet, and needs no ``relative_prominence``: that rule is for a bounce's turning point
    and a rep cut off by the clip's end. Where the free leg lifts on the way down, the rep
    starts from two feet and ends on one (held-out seed 35 phone 002: down 0.23, back up
    0.14 to the one-leg stance, 61 %; 000, side: down 0.12 from two feet, up 0.17).
    Where neither holds and the ratio fails, the longer side is cut at a change of
    stance, if its climb ran into one (``_stance_change_top``). A top short of a bottom
    already ``dropped`` as a bounce is a bounce's turning point too (``_past_bounces``).
    """
    p = peaks[i]
    lo = peaks[i - 1] if i > 0 else 0
    hi = peaks[i + 1] if i + 1 < len(peaks) else len(h) - 1
    phase = max(int(round(s.max_phase_s * fs)), 1)
    lo, hi = max(lo, p - phase), min(hi, p + phase)
    plateau = max(int(round(s.top_plateau_s * fs)), 1)
    climb = s.top_min_climb_share * (min(np.max(h[lo:p + 1]), np.max(h[p:hi + 1])) - h[p])

    def walk(start: int, stop: int, step: int) -> int:
        return _local_top(h, start, stop, step, s.top_rise_leg_lengths, plateau, climb,
                          feet, s.foot_still_leg_lengths)

    left, right = (_past_bounces(h, p, walk(p, stop, step), stop, step, dropped or [],
                                 s.top_min_climb_share, walk)
                   for stop, step in ((lo, -1), (hi, 1)))
    held = all(_held(h, top, step, s.top_rise_leg_lengths, plateau)
               for top, step in ((left, -1), (right, 1)))
    stood = held and abs(h[left] - h[right]) <= s.standing_level_change_leg_lengths
    descent, ret = h[left] - h[p], h[right] - h[p]
    if not stood and feet is not None and min(descent, ret) < s.relative_prominence * max(
            descent, ret):
        # the higher side may have run on into a change of stance (the free foot set down
        # straight after the rep, or lifted straight before it): its top is the hip's
        # level there
        if ret > descent:
            top = _stance_change_top(h, p, right, feet, s.foot_still_leg_lengths)
            right = right if top is None else top
        else:
            top = _stance_change_top(h, p, left, feet, s.foot_still_leg_lengths)
            left = left if top is None else top
    return (left, right), stood


def _past_bounces(h: np.ndarray, p: int, top: int, stop: int, step: int,
                  dropped: list[int], share: float, walk: Callable[[int, int, int], int]) -> int:
    """Bottom ``p``'s ``top`` on one side, or the top ``walk`` finds beyond a bottom already
    dropped as a bounce, where the hip sank back to it more than ``share`` of ``top``'s
    climb and then climbed on to a level ``top`` reached less than ``share`` of the way to:
    the rep turned round at ``top``, it did not stand there. Without this a bottom held
    with three pulses kept the two inner bottoms, each read against the next pulse's top
    (a ratio of 1), as two reps, and the descent and the final return were left out. A
    level beyond no higher leaves ``top`` as it is (real ``tux_hyva_ja_paha`` begins with
    a dip before the person stands up for the squat)."""
    while True:
        climb = h[top] - h[p]
        beyond = [d for d in dropped if (top < d <= stop if step > 0 else stop <= d < top)
                  and h[d] <= h[top] - share * climb]
        if not beyond:
            return top
        far = walk(max(beyond) if step > 0 else min(beyond), stop, step)
        if climb >= share * (h[far] - h[p]):
            return top
        top = far


def _stance_change_top(h: np.ndarray, p: int, top: int, feet: np.ndarray,
                       foot_still: float) -> int | None:
    """The highest hip walking from bottom ``p`` towards ``top`` before a foot held more
    than ``foot_still`` above the other at the bottom sank ``foot_still`` below its height
    there (``feet``, (T, k) image heights, leg lengths): a free foot set down, or, walking
    back in time, lifted. None when no such foot sank. Touch and go, the last rep on a leg
    runs straight into setting the free foot down and standing on the other leg, whose
    level, in a side view from close by, can lie 0.12 leg lengths above the first leg's
    (held-out seed 75, room and phone): read to there, the return was 1.6 times the
    descent, a bounce by its ratio."""
    step = 1 if top > p else -1
    near = feet[max(p - 3, 0):p + 4]
    if not np.isfinite(near).any(axis=0).all():
        return None
    level = np.nanmedian(near, axis=0)
    # only a foot held up at the bottom can be set down: a heel lift raises the stance
    # ankle too, and lowers it on the way up (held-out seed 77 002, 0.07 leg lengths)
    raised = level - np.min(level) > foot_still
    rows = np.arange(p, top + step, step)
    with np.errstate(invalid="ignore"):
        sunk = np.any((feet[rows] <= level - foot_still) & raised, axis=1)
    if not sunk.any():
        return None
    walked = rows[:int(np.argmax(sunk)) + 1]
    return int(walked[np.nanargmax(h[walked])])


def _standing_drops(h: np.ndarray, peaks: list[int], i: int, tops: tuple[int, int],
                    s: RepSettings, fs: float) -> tuple[float, float]:
    """How far the hip dropped from standing to bottom ``peaks[i]``, on each side: from the
    highest level within ``standing_lookback_s`` beyond each top (not past the neighbouring
    bottoms). A slow descent climbs less than ``top_rise_leg_lengths`` per
    ``top_plateau_s``, so its top lies inside the movement, short of where the hip stood."""
    p = peaks[i]
    look = int(round(s.standing_lookback_s * fs))
    lo = peaks[i - 1] if i > 0 else 0
    hi = peaks[i + 1] if i + 1 < len(peaks) else len(h) - 1
    left, right = tops
    before = np.max(h[max(lo, left - look):left + 1])
    after = np.max(h[right:min(hi, right + look) + 1])
    return float(before - h[p]), float(after - h[p])


def _held(h: np.ndarray, top: int, step: int, rise: float, plateau: int) -> bool:
    """Does the hip stay within ``rise`` of its level at ``top`` for ``plateau`` samples
    beyond it (``step`` -1: before, 1: after)? Standing, not a bounce's turning point."""
    stop = top + step * plateau
    if not 0 <= stop < len(h):
        return False
    beyond = h[min(top, stop):max(top, stop) + 1]
    return bool(np.all(np.abs(beyond - h[top]) <= rise))


def _local_top(h: np.ndarray, p: int, stop: int, step: int, rise: float, plateau: int,
               min_climb: float, feet: np.ndarray | None = None,
               foot_still: float = np.inf) -> int:
    """Index of the top reached walking from bottom ``p`` towards ``stop``: once the hip
    has climbed ``min_climb``, the walk ends where it then climbs less than ``rise`` in
    ``plateau`` samples (a pause at the bottom or low down does not end it; a slow,
    steady climb does not either).

    A quiet stretch the hip then climbs on from (by more than ``rise``, to its next quiet
    stretch, without first sinking more than ``rise`` below it: that would be another
    movement) is a halt on the way, and the walk goes on, unless on that climb a foot
    (``feet``, (T, k) heights in the image) sank by ``foot_still`` or more: a free leg
    set down (or, walking back in time, lifted), a change of stance, whose one-leg level
    is the rep's top. On one leg the hip stands lower than on two, and from the side the
    image floor rises with the nearer foot, so the hip alone cannot tell the two apart;
    the feet can (docs/analysis.md, "Reps"). A free foot rises with the body. Walked
    over is the whole stretch up to where the walk stopped: the hip may stand as high on
    one leg as on two, and then the leg lift lies inside the last quiet stretch."""
    best, _, i = _walk(h, p, p + step, stop, step, rise, plateau, h[p] + min_climb)
    while feet is not None and i is not None:
        nxt, reached, after = _walk(h, best, i, stop, step, rise, plateau, h[best] + rise)
        on_the_way = h[min(best, reached):max(best, reached) + 1]
        walked = stop if after is None else after - step
        if (h[nxt] - h[best] <= rise or np.min(on_the_way) < h[best] - rise
                or _foot_sank(feet, best, walked, foot_still)):
            break
        best, i = nxt, after
    return best


def _walk(h: np.ndarray, best: int, i: int, stop: int, step: int, rise: float, plateau: int,
          must_reach: float) -> tuple[int, int, int | None]:
    """Walking from ``i`` on from ``best``: (the highest index reached, where the hip
    reached the level it then stayed at, where the walk stopped at a quiet stretch or None
    at ``stop``). No stretch is quiet before the hip has reached ``must_reach``."""
    anchor = h[best]  # level at which the current quiet stretch began
    reached = best
    quiet = 0
    while (step < 0 and i >= stop) or (step > 0 and i <= stop):
        if h[i] > h[best]:
            best = i
        if h[i] > anchor + rise or h[best] < must_reach:
            anchor, quiet, reached = h[best], 0, best
        else:
            quiet += 1
        if quiet >= plateau:
            return best, reached, i + step
        i += step
    return best, reached, None


def _foot_sank(feet: np.ndarray, a: int, b: int, foot_still: float) -> bool:
    """Did a foot sink ``foot_still`` or more below its height at row ``a`` (median of 7
    rows) anywhere up to row ``b``? A foot not seen at ``a`` counts as sunk."""
    near_a = feet[max(a - 3, 0):a + 4]
    if not np.isfinite(near_a).any(axis=0).all():
        return True  # the hip's reading stands
    level = np.nanmedian(near_a, axis=0)
    span = feet[min(a, b):max(a, b) + 1]
    lowest = np.min(np.where(np.isfinite(span), span, np.inf), axis=0)
    return bool(np.any(lowest <= level - foot_still))


def standing_rows(hip_height: np.ndarray, usable: np.ndarray,
                  settings: RepSettings) -> np.ndarray:
    """Rows where the person stands: usable, hip within a tolerance of its standing height.

    The standing height is the 95th percentile of the hip height (robust to a few
    frames on tiptoe or mid-jump).
    """
    h = np.asarray(hip_height, float)
    ok = np.asarray(usable, bool) & np.isfinite(h)
    if not ok.any():
        return np.zeros(0, int)
    top = np.percentile(h[ok], 95)
    return np.flatnonzero(ok & (h >= top - settings.standing_tolerance_leg_lengths))


def bottom_hold_s(hip_height: np.ndarray, t_s: np.ndarray, c: Candidate,
                  fraction: float) -> float:
    """How long the hip stays within ``fraction`` of the rep's depth of its lowest point
    (the whole stretch around the bottom, even beyond the rep's own boundaries)."""
    h = np.asarray(hip_height, float)
    level = h[c.bottom] + fraction * c.depth_leg_lengths
    near = np.nan_to_num(h, nan=np.inf) <= level
    lo = hi = c.bottom
    while lo - 1 >= 0 and near[lo - 1]:
        lo -= 1
    while hi + 1 < len(near) and near[hi + 1]:
        hi += 1
    return float(t_s[hi] - t_s[lo])
