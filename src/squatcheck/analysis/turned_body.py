"""A body turned from a front camera: where its feet point, and knees leaning opposite ways.

Turned from the camera by a yaw, a body shows each knee's forward travel sideways in the
picture, to the same side for both knees: one knee reads valgus and the other varus, about
1.4 deg of FPPA per degree of turn at a single-leg squat's depth (docs/perspective.md,
Limits). The shoulders and hips do not tell a 10 deg turn from square-on (view.py); two
other things do, and either sets the clip's knee angles aside with its reason instead of
reporting 20-50 deg of "valgus" (held-out seed 65, bodies turned 6-24 deg):

- **the feet**, standing on both: each toe lies ahead of its ankle, so turned it lies to
  one side of it, both feet to the same side (toe-out is one foot to each side, and
  cancels). With MediaPipe's ankle-to-toe length from the side views, the mannequin's turns
  (6-25 deg, 27 clips) read within 3 deg on 19, square-on ones at most 8.3 deg (178 clips),
  the real square-on squats at most 6 deg (10 with the camera 5 deg off level unseen). Past
  ``turned_max_feet_deg`` (12) the knee angle would move 17 deg, past the valgus cut-off;
  turns of 8-12 deg, inside the feet's square-on spread, still move it 11-17.
- **the knees**, when both are seen (a double-leg squat, or a clip that tests each leg): a
  person's knees go in together or out together (real wide squats read -35 to -45 deg on
  both; the mannequin square-on never reads a knee past -7.5 deg), so two knees each past
  the measurement noise in opposite directions are the camera's doing.

The sideways trunk lean comes from the same picture (the trunk's forward lean shows
sideways), and so does the pelvis's forward tilt in the waist line (pelvic drop): both
are set aside with the knees.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..pose.landmarks import LEG
from .context import ClipContext, Signals
from .geometry import level
from .perspective import focal_length_px
from .references import nanmedian
from .rep_evidence import RepEvidence

FPPA_DEG_PER_TURN_DEG = 1.4  # bench/fppa_yaw.py: 7.3 deg at 5 deg of turn, 14.4 at 10, 21.2 at 15
KNEE_KEYS = ("fppa_deg", "fppa_deg_left", "fppa_deg_right")
SET_ASIDE = (*KNEE_KEYS, "lateral_trunk_lean_deg", "pelvic_obliquity_deg", "pelvic_drop_deg")


def feet_turn_deg(sig: Signals, ctx: ClipContext, toe_ahead_leg_lengths: float,
                  fov_deg: float, max_foot_rise_leg_lengths: float) -> float:
    """The body's turn from the camera (deg, its sign the side turned to) from the feet
    standing on both feet: :func:`toes_turn_deg` on the medians of the standing rows whose
    ankles lie within ``max_foot_rise_leg_lengths`` of level (on one leg between reps the
    free foot's toe hangs down or back: held-out seed 50 071 and 081, turned 16-19 deg,
    read 0-3 with those rows in), levelled, for a lens of ``fov_deg``. NaN when the feet
    or the facing are not known."""
    toward_camera = {"camera": 1.0, "away": -1.0}.get(ctx.facing)
    leg_px = np.mean(list(ctx.leg_length_px.values())) if ctx.leg_length_px else np.nan
    if toward_camera is None or not np.isfinite(leg_px) or len(ctx.baseline) == 0:
        return float("nan")
    xy, roll = sig.xy_px[ctx.baseline], sig.camera_roll_deg
    ankles = level(xy[:, LEG["right"]["ankle"]] - xy[:, LEG["left"]["ankle"]], roll)
    rows = np.abs(ankles[:, 1]) < max_foot_rise_leg_lengths * leg_px
    if not rows.any():
        return float("nan")
    side, from_centre = [], []
    for ids in LEG.values():
        toe, ankle = xy[rows, ids["toe"]], xy[rows, ids["ankle"]]
        side.append(nanmedian(level(toe - ankle, roll)[:, 0]))
        from_centre.append(nanmedian(toe[:, 0]) - sig.image_size[0] / 2)
    return toes_turn_deg(float(np.mean(side)), float(np.mean(from_centre)), leg_px,
                         toe_ahead_leg_lengths, focal_length_px(sig.image_size, fov_deg)
                         if fov_deg else np.inf, toward_camera)


def toes_turn_deg(side_px: float, from_centre_px: float, leg_px: float,
                  toe_ahead_leg_lengths: float, focal_px: float, toward_camera: float) -> float:
    """The turn (deg, its sign the side turned to) that sets the toes ``side_px`` to one
    side of their ankles (the two feet's mean, px, + = image-right), a toe lying
    ``toe_ahead_leg_lengths`` ahead of its ankle on legs ``leg_px`` long. The toe stands
    nearer the camera than the ankle (``toward_camera`` +1; -1 facing away), so a lens of
    ``focal_px`` moves it away from the picture's middle, ``from_centre_px`` off: that
    share is taken off first. NaN when any input is."""
    ahead_px = toe_ahead_leg_lengths * leg_px
    lens = from_centre_px * toward_camera * ahead_px / focal_px
    ratio = (side_px - lens) * toward_camera / ahead_px
    if not np.isfinite(ratio):
        return float("nan")
    return float(np.degrees(np.arcsin(np.clip(ratio, -1.0, 1.0))))


def profile_feet_turn_deg(sig: Signals, ctx: ClipContext, profile) -> float:
    """:func:`feet_turn_deg` with the profile's toe length, lens and free-foot rise."""
    return feet_turn_deg(sig, ctx, profile.section("knee_valgus")["toe_ahead_leg_lengths"],
                         profile.section("measurements")["camera_fov_deg"],
                         profile.section("reps")["free_foot_elevation_front_leg_lengths"])


def feet_turned_reason(turn_deg: float, max_turn_deg: float) -> str | None:
    """Why the frontal angles cannot be read when the feet point more than ``max_turn_deg``
    to one side of the camera, or None."""
    if not abs(turn_deg) > max_turn_deg:
        return None
    return (f"standing, the feet pointed about {abs(turn_deg):.0f} deg to one side of the "
            f"camera: a body turned that much moves the knee's angle by about "
            f"{FPPA_DEG_PER_TURN_DEG * abs(turn_deg):.0f} deg; film facing the camera squarely, "
            "the feet pointing at it")


def knees_per_leg_deg(evidence: list[RepEvidence]) -> dict[str, float]:
    """Median FPPA (deg, + = valgus) of each knee over the clip's reps: both knees of a
    double-leg rep, the stance knee of a single-leg one (measure_rep leaves the free knee
    out). NaN for a knee never read."""
    out = {}
    for leg in ("left", "right"):
        values = [ev.values.get(f"fppa_deg_{leg}") for ev in evidence]
        values = [v for v in values if v is not None]
        out[leg] = float(np.median(values)) if values else float("nan")
    return out


def opposite_knees_reason(evidence: list[RepEvidence], min_opposite_deg: float) -> str | None:
    """Why the frontal angles of these reps cannot be trusted, or None: the two knees'
    medians lie more than ``min_opposite_deg`` from zero on opposite sides."""
    knees = knees_per_leg_deg(evidence)
    left, right = knees["left"], knees["right"]
    if not (np.isfinite(left) and np.isfinite(right)):
        return None
    if min(left, right) > -min_opposite_deg or max(left, right) < min_opposite_deg:
        return None
    word = {True: "inside", False: "outside"}
    return (f"the left knee read {abs(left):.0f} deg {word[left > 0]} and the right "
            f"{abs(right):.0f} deg {word[right > 0]} the hip-ankle line: knees leaning opposite "
            f"ways are what a body turned from the camera shows (each degree of turn moves "
            f"the angle by about {FPPA_DEG_PER_TURN_DEG:g} deg); film facing the camera squarely")


def without_frontal_angles(ev: RepEvidence, reason: str) -> RepEvidence:
    """A copy of ``ev`` whose knee, pelvis and sideways trunk angles are cleared with ``reason``
    (their findings then say "not assessable" and why); ``ev`` keeps its values, which
    later reps are checked against."""
    cleared = dict.fromkeys(SET_ASIDE)
    return replace(ev, values={**ev.values, **cleared},
                   reasons={**ev.reasons, **dict.fromkeys(SET_ASIDE, reason)},
                   frontal_set_aside=reason)
