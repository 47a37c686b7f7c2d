"""How far a joint bent during a rep: the readings the squat and stance rules share.

A rise is the joint's angle at the bottom minus standing. Within the rep (from its start
and end) it says whether a leg bent, held or straightened while the hips went down; from
standing (the rep's tops too) it says how far a stance joint bent, the squat's own size.
"""

from __future__ import annotations

import numpy as np

from .reps import Candidate
from .windows import finite_max, near_median, time_window


def flexion_rise_deg(series: np.ndarray, t_s: np.ndarray, c: Candidate, *,
                     from_top: bool = False, lookback_s: float = 0.0) -> tuple[float, float]:
    """(rise from standing to bottom, value at bottom): bottom = max within ±0.3 s of it.

    Standing is the straighter of the rep's start and end: a squat bends the joint on
    the way down and straightens it on the way up, so either side shows the bend when
    the other's landmarks are off (on one leg with the free foot held behind near the
    stance knee, MediaPipe was seen to put both ankles on the free foot).

    The start and end lie ``boundary_fraction`` of the hip's excursion into the
    movement, and the hip drops with the cosine of the bend: a tenth of the drop is a
    third of the knee's bend (held-out seed 45 017, oblique: the stance knee's image
    angle 0 -> 39 deg read a rise of 28). ``from_top`` also takes the joint where the hip
    stood before and after (the rep's tops): how far a *stance* joint bent from standing.
    Not for a free leg: it may have been lifted after the top (a knee held bent reads as
    bending). With ``from_top``, the straight end of the joint (its 10th percentile) is
    also looked for ``lookback_s`` beyond each top: a slow descent does not climb
    ``top_rise_leg_lengths`` in ``top_plateau_s``, so its top lies inside the movement
    (a 45 deg single-leg squat from the side at a third of the speed: 0.05 leg lengths
    of hip drop over 3.3 s; the top 2 s into it, the knee already 17-25 deg bent).
    """
    marks = (c.start, c.end)
    if from_top:
        marks += tuple(k for k in (c.top_start, c.top_end) if k is not None)
    ends = [near_median(series, t_s, k, 0.1) for k in marks]
    if from_top and lookback_s > 0:
        if c.top_start is not None:
            ends.append(_straight(series[np.searchsorted(t_s, t_s[c.top_start] - lookback_s):
                                         c.top_start + 1]))
        if c.top_end is not None:
            ends.append(_straight(series[c.top_end:np.searchsorted(
                t_s, t_s[c.top_end] + lookback_s, "right")]))
    ends = [v for v in ends if np.isfinite(v)]
    bottom = finite_max(series[time_window(t_s, c.bottom, 0.3)])
    return (bottom - min(ends) if ends else float("nan")), bottom


def _straight(x: np.ndarray) -> float:
    """The joint's straight end over a stretch: 10th percentile of the finite values
    (a few misread frames do not make it), NaN if none."""
    x = x[np.isfinite(x)]
    return float(np.percentile(x, 10)) if x.size else float("nan")


def rise_deg(f: dict[str, float], joint: str, leg: str, view: str, *,
             from_standing: bool = False) -> float:
    """How far ``leg``'s ``joint`` ("knee" or "hip") flexed to the bottom, as the knee-bend
    and hinge rules read it: within the rep, or ``from_standing`` (``flexion_rise_deg``'s
    ``from_top``). The knee-bend rule asks how far the stance knee bent, from standing;
    the hinge rule sets hip against knee within the rep, where its cut-off was set (from
    standing, a trunk-lean squat's hip and knee both read more, and their difference with
    them: held-out seed 16 095, 121 against 66 deg, "a hinge").

    From the side a knee bends in the picture, so there the plain image angle's rise
    counts; the depth reconstruction (``BodyFeatures``, which reads a segment seen shorter
    than its longest image length as pointing out of the picture) stands in only where
    the image angle is missing, and is the reading for front views. The reconstruction
    misreads a change of the body's size in the image: on a phone's lens the body standing
    over the far foot is further away and its straight leg read 30 deg bent (phone-lens
    set, seed 11 035: 25-30 deg rises for a true 65), and a person walking away from a
    zoomed-out camera read 46-50 deg for an image bend of 7-10 deg (``sports2d_demo``
    zoomed out, counted as a squat). Obliquely the larger of the two counts: a level
    camera sees a sagittal bend with its forward parts shortened, so the image angle reads
    less than the bend, never more, and the reconstruction can under-read too (held-out
    seed 22 phone 002: 28 deg for a true 69). The hip is read the same way as the knee,
    so that the hinge rule sets like against like: the reconstruction's knee alone made
    hip-dominant squats "hinges" (seed 20 phone 035 from the side: a knee rise of 27 where
    the picture shows 57; seed 27 002 obliquely: hip 96 against knee 40, the picture's knee
    57), 56 deg more at the hip for a true 35-40.
    """
    kind = "stand_rise" if from_standing else "rise"
    image = f.get(f"{joint}_image_{kind}_{leg}", np.nan)
    recon = f.get(f"{joint}_{kind}_{leg}", np.nan)
    if view == "oblique":
        return float(np.fmax(image, recon))
    return image if np.isfinite(image) else recon
