"""The engine's stages as functions, shared by the offline ``analyze_track`` and the
live ``IncrementalAnalyzer`` (which runs them on the frames seen so far).

signals → body features → standing baseline → view/facing → candidate reps →
stance and squat-or-not per rep → clinical measurements, findings, rating.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..pose import landmarks as L
from ..pose.camera_roll import camera_pitch_deg
from .context import ClipContext, RepSegment, Signals
from .exercise import RepVerdict, clip_exercise, judge_in_context, judge_rep
from .features import LEGS, BodyFeatures, body_features
from .findings import assess_rep, reported_measurements
from .measurements import RepEvidence, compute_series, rep_evidence
from .rating import rate_rep
from .references import foot_image_length_px
from .rep_evidence import FOOT_OUT_OF_FRAME
from .reps import Candidate, RepSettings, segment_reps, standing_rows
from .result import Rep
from .stance import opening_elevation, opening_rows
from .turned_body import (
    feet_turned_reason,
    opposite_knees_reason,
    profile_feet_turn_deg,
    without_frontal_angles,
)
from .view import ViewEstimate, ViewSettings, estimate_view, thigh_yaw_deg, turned_view


@dataclass
class ClipStage:
    """Everything known about the clip before the clinical stage."""

    ctx: ClipContext
    features: BodyFeatures
    view: ViewEstimate
    candidates: list[Candidate] = field(default_factory=list)
    verdicts: list[RepVerdict] = field(default_factory=list)

    @property
    def squats(self) -> list[tuple[Candidate, RepVerdict]]:
        return [(c, v) for c, v in zip(self.candidates, self.verdicts, strict=True)
                if v.is_squat]


def clip_context(sig: Signals, profile, *, final: bool = True) -> ClipStage:
    """View, facing, baseline, body lengths, candidate reps and their verdicts."""
    rs = RepSettings.from_profile(profile)
    feat = body_features(sig, ground_window_s=rs.ground_window_s, opening_s=rs.opening_s,
                         length_noise=rs.segment_length_noise)
    base = standing_rows(feat.hip_height_leg_lengths, sig.usable, rs)
    view = estimate_view(sig, base, ViewSettings.from_profile(profile),
                         fov_deg=profile.section("measurements")["camera_fov_deg"])
    collapse = profile.section("measurements")["foot_collapse_fraction"]
    foot = {leg: foot_image_length_px(sig.xy_px, base, leg, collapse) for leg in LEGS}
    legs = {k: v for k, v in feat.leg_length_px_by_side.items() if np.isfinite(v)}
    ctx = ClipContext(view=view.view, facing=view.facing, facing_sign=view.facing_sign,
                      exercise="not_squat", baseline=base,
                      foot_length_px={k: v for k, v in foot.items() if np.isfinite(v) and v > 0},
                      leg_length_px=legs)
    stage = ClipStage(ctx, feat, view)
    if np.isfinite(feat.leg_length_px) and feat.leg_length_px > 0:
        stage.candidates = segment_reps(feat.hip_height_leg_lengths, sig.t_s, rs, final=final,
                                        feet=feat.ankle_height_leg_lengths)
        first = stage.candidates[0] if stage.candidates else None
        opening = opening_elevation(sig, feat, opening_rows(sig, first, rs), rs)
        stage.verdicts = _judge(sig, feat, view.view, stage.candidates, rs, opening)
        # the squats' thighs may show the body turned further than standing did (view.py)
        reps = thigh_reps(stage.squats, sig.t_s, rs.top_plateau_s)
        thighs = thigh_yaw_deg(sig.xy_px, sig.usable, reps, rs.segment_length_noise)
        feet = profile_feet_turn_deg(sig, ctx, profile) if view.view == "front" else np.nan
        stage.view = turned_view(view, thighs, sig.xy_px[base], ViewSettings.from_profile(profile),
                                 yaw_feet=feet)
        if stage.view.view != view.view:
            ctx.view, ctx.facing = stage.view.view, stage.view.facing
            ctx.facing_sign = stage.view.facing_sign
            stage.verdicts = _judge(sig, feat, ctx.view, stage.candidates, rs, opening)
    ctx.exercise = clip_exercise(stage.verdicts)
    return stage


def thigh_reps(squats: list[tuple[Candidate, RepVerdict]], t_s: np.ndarray,
               pause_s: float) -> list[tuple[int, int, str | None]]:
    """(start, bottom, stance) of each squat for ``thigh_yaw_deg``, whose thighs' travel is
    read from where the rep began: in a run of reps back to back on one leg (the hip at
    the top between two for less than ``pause_s``: not standing, ``reps._tops``), from
    where the run began. A hurried set may turn round short of standing, and read from
    there a thigh has already travelled (held-out seed 77, touch and go turning round at
    70 % of the way up: an oblique single-leg squat's thighs read 24-25 deg from the
    second rep on, against 33 from standing, and the view "front")."""
    out, first = [], None
    for k, (c, v) in enumerate(squats):
        prev_c, prev_v = squats[k - 1] if k else (None, None)
        if prev_c is None or prev_v.stance != v.stance or None in (
                c.top_start, prev_c.top_end) or t_s[c.top_start] - t_s[prev_c.top_end] >= pause_s:
            first = c.start
        out.append((first, c.bottom, v.stance))
    return out


def _judge(sig: Signals, feat: BodyFeatures, view: str, candidates: list[Candidate],
           rs: RepSettings, opening: float) -> list[RepVerdict]:
    """Stance and squat-or-not of each candidate rep, alone and beside the others."""
    verdicts = [judge_rep(sig, feat, view, c, rs, opening) for c in candidates]
    return judge_in_context(candidates, verdicts, sig.t_s, rs)


def rep_segment(c: Candidate, v: RepVerdict) -> RepSegment:
    return RepSegment(c.start, c.bottom, c.end, v.stance or "both")


def measure_reps(sig: Signals, stage: ClipStage, profile, *,
                 series: dict[str, np.ndarray] | None = None,
                 first_index: int = 0) -> tuple[list[Rep], dict[str, np.ndarray]]:
    """Clinical measurements, findings and rating of every squat rep of ``stage``."""
    if series is None:
        series = compute_series(sig, stage.ctx, profile)
    segments = [rep_segment(c, v) for c, v in stage.squats]
    evidence = [rep_evidence(sig, stage.ctx, seg, series, profile) for seg in segments]
    turned = turned_body_reason(sig, stage.ctx, evidence, profile)
    if turned:
        evidence = [without_frontal_angles(ev, turned) for ev in evidence]
    return [measure_one(sig, stage.ctx, seg, series, profile, index=first_index + i,
                        evidence=ev)
            for i, (seg, ev) in enumerate(zip(segments, evidence, strict=True))], series


def turned_body_reason(sig: Signals, ctx: ClipContext, evidence: list[RepEvidence],
                       profile) -> str | None:
    """Front view: why the knee, pelvis and sideways trunk angles of these reps cannot be read
    (the feet point to one side of the camera, or the two knees lean opposite ways: the
    body stood turned from it, turned_body.py), noted once on the clip; None when they can."""
    if ctx.view != "front":
        return None
    sec = profile.section("knee_valgus")
    turned = (feet_turned_reason(profile_feet_turn_deg(sig, ctx, profile),
                                 sec["turned_max_feet_deg"])
              or opposite_knees_reason(evidence, sec["turned_min_opposite_deg"]))
    note = f"Knee, pelvis and sideways trunk angles not assessed: {turned}."
    if turned and note not in ctx.notes:
        ctx.notes.append(note)
    return turned


def measure_one(sig: Signals, ctx: ClipContext, seg: RepSegment, series, profile, *,
                index: int, evidence: RepEvidence | None = None) -> Rep:
    ev = evidence or rep_evidence(sig, ctx, seg, series, profile)
    findings = assess_rep(ev.values, series, sig, ctx, seg, profile, evidence=ev)
    values = reported_measurements(ev.values, findings)
    rating = rate_rep(findings, profile, single_leg=seg.stance != "both")
    t, fi = sig.t_s, sig.frame_index
    return Rep(index=index, stance=seg.stance, start_s=float(t[seg.start]),
               bottom_s=float(t[seg.bottom]), end_s=float(t[seg.end]),
               start_frame=int(fi[seg.start]), bottom_frame=int(fi[seg.bottom]),
               end_frame=int(fi[seg.end]), measurements=values, findings=findings,
               rating=rating, measured_leg=ev.leg, view=ctx.view, facing=ctx.facing)


def camera_pitch_notes(slope_deg_per_side: float | None, view: str, profile) -> list[str]:
    """What the camera's pitch, read from the room's verticals, did to the reading. From
    the front the knee's frontal angle is turned back to a level camera's view
    (analysis/perspective.py), and the note says so; from the side the trunk's and the
    shin's lean are (``perspective.levelled_px``), but not the joint angles: from
    ``camera_pitch_note_deg`` down the bent knee is seen obliquely and reads off; as far
    up (a phone propped on the floor) the hip angle reads high and the waistband and soles
    are seen edge-on; so the note says how to film. ``slope_deg_per_side``: the verticals'
    convergence (pose/camera_roll.py), None when not read."""
    m = profile.section("measurements")
    if slope_deg_per_side is None or m["camera_fov_deg"] <= 0:
        return []
    pitch = camera_pitch_deg(slope_deg_per_side, m["camera_fov_deg"])
    steep = abs(pitch) >= m["camera_pitch_note_deg"]
    front = view == "front"
    if not front and not steep:
        return []
    way = "down" if pitch >= 0 else "up"
    looked = f"looked {way} about {abs(pitch):.0f} deg" if abs(pitch) >= 0.5 else "was level"
    note = [f"The camera {looked} (from the room's vertical edges, for a "
            f"{m['camera_fov_deg']:g} deg lens).",
            "The knee's frontal angle was read as a level camera would film it." if front else
            "The trunk's and the shin's lean were read as a level camera would film them."]
    if steep:
        note += [_STEEP_CAMERA[way, front], "For the next recording, hold the phone level at "
                 "hip height, 3-4 m away."]
    return [" ".join(note)]


def feet_out_notes(reps: list[Rep]) -> list[str]:
    """A phone too close or aimed too high cuts the feet off. Each finding that needs a foot
    then says so for its rep; this says it once for the clip, with what to do next."""
    lost = [[name for name, f in r.findings.items()
             if f.present is None and FOOT_OUT_OF_FRAME in (f.reason or "")] for r in reps]
    names = list(dict.fromkeys(n.replace("_", " ") for rep in lost for n in rep))
    if not names:
        return []
    return [f"A foot was out of the picture at the bottom of {sum(map(bool, lost))} of "
            f"{len(reps)} rep(s), so {', '.join(names)} could not be read there. Film from "
            "further back or tilt the camera down, so both feet show from start to end."]


def unstood_rep_notes(t_s: np.ndarray, reps: list[Rep], profile) -> list[str]:
    """A clip trimmed tight round a rep leaves it no standing on either side, and what is
    measured against standing (heel, trunk, pelvis, the straight knee) is then measured
    against the rep's own shallowest frames (``rep_evidence._rep_window``). Only the clip's
    ends count: between two reps that window finds the standing in between, however short
    the reps' own boundaries leave it (held-out seed 71 055: 0.66 s of standing between
    reps, 0.16 s between the boundaries, which lie a tenth of the way down)."""
    need = profile.section("measurements")["rep_baseline_s"]
    first, last = float(t_s[0]), float(t_s[-1])
    cut = [r.index + 1 for r in reps if r.start_s - first < need and last - r.end_s < need]
    if not cut:
        return []
    which = ", ".join(map(str, cut))
    return [f"Rep {which} had no standing before or after it in the video, so what is "
            "measured against standing (heel, trunk and pelvis angles) was measured against "
            "its own shallowest frames, and reads small. Record a second or two of standing "
            "still before the first rep and after the last."]


def body_tilt_notes(sig: Signals, ctx: ClipContext, profile) -> list[str]:
    """Before a plain wall nothing shows a camera looking up from the floor (the README asks
    for hip height); the pose model's 3D body does, roughly: standing, its feet-to-shoulders
    axis leans back from the camera by about 0.7 x the camera's upward pitch (mannequin;
    docs/calibration.md). From ``body_tilt_note_deg`` the clip gets the steep camera's note
    for a camera looking up. Only when the room did not show the pitch."""
    if sig.camera_slope_deg_per_side is not None or len(ctx.baseline) == 0:
        return []
    world = sig.world[ctx.baseline]
    axes = world[:, [11, 12]].mean(axis=1) - world[:, [27, 28]].mean(axis=1)  # feet->shoulders
    axes = axes[np.isfinite(axes).all(axis=1)]
    if not len(axes):
        return []
    axis = np.median(axes, axis=0)
    tilt = float(np.degrees(np.arctan2(axis[2], -axis[1])))  # + = the top farther away
    if not tilt >= profile.section("measurements")["body_tilt_note_deg"]:
        return []
    seen = (_STEEP_CAMERA["up", True] if ctx.view == "front" else
            "Seen from below the hips (a phone on the floor?) the trunk's forward lean and the "
            "hip's angle read several degrees high, and the waistband and the soles are seen "
            "edge-on.")
    return [f"Standing, the pose model's 3D body leaned {tilt:.0f} deg back from the camera: "
            f"the camera probably looked up from low. {seen} For the next recording, hold the "
            "phone level at hip height, 3-4 m away."]


UPSIDE_DOWN_DEG = 135.0  # a trunk this far from image-up is nearer upside down than sideways


def picture_turn_deg(xy_px: np.ndarray, rows: np.ndarray, profile) -> int:
    """The clockwise quarter turn (0, 90, 180, 270) that stands the person upright: a
    video whose rotation was lost (an editor, a converter) shows them lying on their side
    or upside down. From the trunk's image direction (hips -> shoulders), median over
    ``rows``, from ``[view] upright_max_trunk_deg`` off image-up; 0 below it."""
    hips = xy_px[rows][:, [L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=1)
    shoulders = xy_px[rows][:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(axis=1)
    d = np.nanmedian(shoulders - hips, axis=0) if len(rows) else np.full(2, np.nan)
    from_up = float(np.degrees(np.arctan2(abs(d[0]), -d[1])))
    if not from_up >= profile.section("view")["upright_max_trunk_deg"]:
        return 0
    if from_up >= UPSIDE_DOWN_DEG:
        return 180
    return 270 if d[0] > 0 else 90  # the head at image-right: a quarter turn anticlockwise


def turned_picture_notes(sig: Signals, turned_deg: int, profile) -> list[str]:
    """Say first what the picture's rotation did: turned upright here (``turned_deg``,
    ``meta.extra["turn_deg"]``), or still lying (a saved track, or too few frames to
    tell): then everything after reads nonsense ("side view, no squat")."""
    if turned_deg:
        return [f"The person lay {'upside down' if turned_deg == 180 else 'on their side'} "
                f"in the picture (the video's rotation was lost when it was edited or "
                f"converted): every frame was turned {turned_deg} deg clockwise to stand them "
                "upright before the analysis."]
    turn = picture_turn_deg(sig.xy_px, np.flatnonzero(sig.usable), profile)
    if not turn:
        return []
    return [f"The person lies {'upside down' if turn == 180 else 'on their side'} in the "
            "picture: the video is probably turned (its rotation lost when it was edited or "
            "converted). Rotate it upright and analyse it again; nothing below can be "
            "trusted."]


_STEEP_CAMERA = {  # (way, front view): what a steep camera does to what is not turned level
    ("down", True): "Seen from above the hips a bent leg is foreshortened and the knee's "
                    "angle is less certain.",
    ("down", False): "Seen from above the hips a bent leg is foreshortened, and the knee's "
                     "and the hip's angles can read several degrees off.",
    ("up", True): "Seen from below the hips (a phone on the floor?) the waistband is seen "
                  "edge-on and the pelvis may not be read.",
    ("up", False): "Seen from below the hips (a phone on the floor?) the hip's angle reads "
                   "several degrees high, and the waistband and the soles are seen edge-on.",
}


def clip_notes(sig: Signals, stage: ClipStage) -> list[str]:
    """Plain-language notes: how the view was read, movements not counted and why."""
    v = stage.view
    notes = [f"View {v.view} (body turned {v.yaw_deg:.0f} deg from square-on; image "
             f"{v.yaw_image_deg:.0f}, world {v.yaw_world_deg:.0f}), facing {v.facing}."]
    if v.turned_by_lens:
        notes.append(f"Standing, the body read {v.yaw_sight_deg:.0f} deg from square-on "
                     f"against the line of sight, which ran {abs(v.off_axis_deg):.0f} deg off "
                     f"the lens's axis (the body away from the middle of the picture, for the "
                     f"lens assumed): {v.yaw_deg:.0f} deg to the camera, read as {v.view}. "
                     "Standing nearer the middle of the picture avoids this.")
    if v.turned_by_feet:
        notes.append(f"Standing, the torso read as a front view, but the feet pointed "
                     f"{abs(v.yaw_feet_deg):.0f} deg to one side of the camera: read as "
                     "oblique.")
    elif v.turned_by_thighs and v.view == "oblique":
        notes.append(f"Standing, the torso read as a front view, but at the bottom of the "
                     f"squats the thighs showed the body turned {v.yaw_thigh_deg:.0f} deg from "
                     "the camera: read as oblique (a phone close above the body shortens the "
                     "torso).")
    elif v.turned_by_thighs:
        notes.append(f"Standing, the torso read as turned from the camera, but at the bottom "
                     f"of the squats the thighs ran straight towards it ({v.yaw_thigh_deg:.0f} "
                     "deg): read as a front view (on one leg the pose model can draw the "
                     "shoulders and hips together).")
    if sig.camera_roll_deg:
        notes.append(f"The camera was {abs(sig.camera_roll_deg):.1f} deg off level (from the "
                     "room's vertical edges); angles to the vertical and the knee-toe offset "
                     "were read level.")
    if v.view == "oblique":
        notes.append("Oblique camera: side-view and front-view findings are not assessable; "
                     "film square-on from the side or the front for those.")
    if v.view == "front":
        # bench/fppa_yaw.py; the standing yaw above is only good to ~9 deg (view.py)
        notes.append("Front view: the knee's frontal angle, pelvic drop and sideways lean "
                     "assume you stood square to the camera, the standing foot pointing at it. "
                     "A body turned 5 deg moves the knee's angle by about 7 deg at a "
                     "single-leg squat's depth; squatcheck sees a turn from about 12 deg "
                     "(where the feet point), or when the two knees lean opposite ways.")
    for c, verdict in zip(stage.candidates, stage.verdicts, strict=True):
        if not verdict.is_squat:
            notes.append(f"Movement with its lowest point at {sig.t_s[c.bottom]:.1f} s not "
                         f"counted as a squat: {verdict.reason}.")
    if not stage.candidates:
        notes.append("No descent and return of the hips deep enough for a squat was found.")
    return notes
