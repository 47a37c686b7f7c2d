"""Which foot stands, per rep: left, right or both (the subject's own sides).

A foot on the ground does not move (from the side its toe stays put even when the heel
lifts; from the front, its ankle); a free foot hangs from the pelvis and moves as the
hips go down, or is swung away, or is held clearly off the floor.
So per rep a visible foot is free when its anchor points (``anchor_points``) all
moved, from the start to the bottom, more than
``foot_still_leg_lengths`` the way the hips went or more than
``foot_swung_leg_lengths`` in any direction, unless it sits clearly below the other
foot (a free foot is off the floor); or, failing that, when it is raised
above the other foot by OpenCap's 5 cm (world landmarks) *and* visibly in the
image. The image height alone misleads: a planted far foot looks higher by
perspective in side and oblique views (so the image needs more there), and a
free foot held towards the camera looks lower (pistol squats: the motion rule
catches those). From the front, a still foot that rose since the clip opened on
two level feet is free too (``opening_elevation``). A hidden foot (low visibility)
in a side or oblique view is not judged by its place, which the model guesses, but by
the leg above it: folded at the knee while standing, it is held up (``folded_up``).
When the heights name a leg whose knee barely bends while the other knee, over a still
foot, bends as a squat's does, the heights lied (``bending_leg_stance``).
When both feet look planted but one knee straightens as the hips go down, that leg is
free; when only one knee bends while the other stays bent without bending further, the
other foot is free and just off the floor. From the
front, a body whose trunk stands over one ankle carries its weight on that foot
alone (``centre_shift``): the other foot is free, however low it is held.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..pose import landmarks as L
from .context import Signals
from .features import LEGS, BodyFeatures
from .geometry import level
from .reps import Candidate, RepSettings
from .rises import rise_deg
from .windows import finite_median, near_median


def _shift(pts: np.ndarray, t_s: np.ndarray, c: Candidate, start: int,
           twin: np.ndarray | None = None) -> np.ndarray:
    """(2,) move (px) of a point's median position from around ``start`` to the bottom.

    With ``twin`` (the same point of the other foot), the move is from whichever of the
    two stood nearer at ``start``: a left/right label the model swapped between the ends
    and the bottom of a rep (and a live repair, which sees only the past, kept) must not
    read as both feet moving.
    """
    b = [near_median(pts[:, k], t_s, c.bottom, 0.2) for k in (0, 1)]
    starts = [pts] if twin is None else [pts, twin]
    moves = [np.subtract(b, [near_median(p[:, k], t_s, start, 0.1) for k in (0, 1)])
             for p in starts]
    moves = [m for m in moves if np.isfinite(m).all()] or moves[:1]
    return min(moves, key=lambda m: float(np.hypot(*m)))


@dataclass
class FootState:
    """How one foot behaved during a rep (distances in leg lengths, heights in metres)."""

    moved: float  # the less-moving of its anchor points (anchor_points), to the bottom
    # along the hips' path, from whichever of the rep's start and end it moved less from
    moved_any: float  # the same in any direction
    elevation: float  # image: how much higher its lowest point sits than the other foot's
    world_elevation_m: float  # the same from the world landmarks
    visibility: float  # median visibility of ankle, heel and toe
    spread: float = 0.0  # image: how far apart the two ankles are across the image
    roll_measured: bool = False  # image heights levelled by the roll read from the room
    lift: float = float("nan")  # image: elevation now minus at the clip's two-foot opening
    nearer_m: float = float("nan")  # world: how much nearer the camera than the other foot
    shank_drop: float = float("nan")  # image: ankle below knee while standing, in half legs


def anchor_points(view: str) -> tuple[str, ...]:
    """The foot landmarks whose move tells a free foot from a planted one.

    From the side the foot is seen in profile: the toe is sharp and stays put on a
    planted foot (the shank pivots over it; the ankle landmark slides with the shin,
    0.13 leg lengths on a mannequin squatting far past its toes, and a heel lift
    raises the heel), so a foot is planted when its toe *or* heel stayed. From the
    front the toe and heel fold onto the ankle: the heel hides behind the foot and a
    free foot pointed at the camera keeps its toe landmark in place (tux_hyva6, a
    pistol: toe 7 px, ankle 28 px, heel 40 px), so the ankle alone is read there.
    """
    return ("ankle",) if view == "front" else ("toe", "heel")


def _lowest_points(sig: Signals, rows) -> tuple[dict, dict]:
    """Per leg, (frames,) image y (levelled by the camera roll) and world y of the lowest
    of the foot's ankle, heel and toe."""
    low_img, low_world = {}, {}
    for leg in LEGS:
        ids = L.LEG[leg]
        foot = [ids["ankle"], ids["heel"], ids["toe"]]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low_img[leg] = np.nanmax(level(sig.xy_px[rows][:, foot],
                                           sig.camera_roll_deg)[..., 1], axis=1)
            low_world[leg] = np.nanmax(sig.world[rows][:, foot, 1], axis=1)
    return low_img, low_world


def opening_elevation(sig: Signals, feat: BodyFeatures, rows: np.ndarray,
                      s: RepSettings) -> float:
    """How much higher the left foot stood than the right (image, leg lengths) while the
    clip opened on two still feet side by side (``rows``: frames before the first
    descent); NaN if it did not (one foot up, stepping, hopping, nobody seen).

    A foot lifted since is free even when it is held too low for its height alone to
    tell (``held_up``): what makes a planted foot look higher (perspective, a foot set
    back, a camera off level) was there at the opening too, and cancels.
    """
    if len(rows) < 2:
        return float("nan")
    low, _ = _lowest_points(sig, rows)
    leg = feat.leg_length_px
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spans = [np.diff(np.nanpercentile(low[k], [10, 90]))[0] / leg for k in LEGS]
    still = all(np.isfinite(spans)) and max(spans) <= s.opening_still_leg_lengths
    r = finite_median(low["right"] - low["left"]) / leg
    return r if still and abs(r) <= s.opening_level_leg_lengths else float("nan")


def opening_rows(sig: Signals, first: Candidate | None, s: RepSettings) -> np.ndarray:
    """The usable frames of the clip's first ``opening_s`` seconds, before its first
    descent starts."""
    t = sig.t_s
    end = first.start if first is not None else len(t)
    return np.flatnonzero((np.arange(len(t)) < end) & (t - t[0] < s.opening_s) & sig.usable)


def standing_shank_drop(sig: Signals, feat: BodyFeatures, c: Candidate, leg: str) -> float:
    """How far ``leg``'s ankle hangs below its knee while standing (image, levelled by the
    camera roll), in half leg lengths (a shank's length): 1 for a vertical shank.

    Read at whichever of the rep's start and end shows it lower (medians of +-0.1 s), as
    ``flexion_rise_deg`` takes the straighter end: a planted foot under standing hips sits
    below its knee, whatever the camera's angle, so one end is enough to show it.
    """
    ids = L.LEG[leg]
    y = level(sig.xy_px[:, [ids["knee"], ids["ankle"]]], sig.camera_roll_deg)[..., 1]
    ends = [near_median(y[:, 1] - y[:, 0], sig.t_s, k, 0.1) for k in (c.start, c.end)]
    ends = [e for e in ends if np.isfinite(e)]
    return max(ends) / (feat.leg_length_px / 2) if ends else float("nan")


def foot_states(sig: Signals, feat: BodyFeatures, c: Candidate, view: str,
                opening: float = float("nan")) -> dict[str, FootState]:
    """Per leg: did the foot move, is it raised, can it be seen (during rep ``c``);
    ``opening``: ``opening_elevation`` of the clip."""
    xy, t_s = sig.xy_px, sig.t_s
    rows = slice(c.start, c.end + 1)
    ankles = [L.LEG[leg]["ankle"] for leg in LEGS]
    spread = finite_median(np.abs(np.diff(xy[rows][:, ankles, 0], axis=1))) / feat.leg_length_px
    low_img, low_world = _lowest_points(sig, rows)
    feet_ids = {leg: [L.LEG[leg][k] for k in ("ankle", "heel", "toe")] for leg in LEGS}
    depth = {leg: finite_median(sig.world[rows][:, ids, 2])  # MediaPipe world z: + = away
             for leg, ids in feet_ids.items()}
    out = {}
    for leg in LEGS:
        ids = L.LEG[leg]
        other = "right" if leg == "left" else "left"
        # a free foot hangs from the pelvis: it moves the way the hips go, down and back
        # up. A planted foot is still on both sides of the bottom; one side is enough to
        # show it, as the model can misplace a foot at one end (on one leg with the free
        # foot held behind, it was seen to pull both ankles together while standing).
        moved = moved_any = float("nan")
        for start in (c.start, c.end):
            hip = _shift((xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2, t_s, c, start)
            norm = np.linalg.norm(hip)
            hip_dir = hip / norm if norm > 0 else np.array([0.0, 1.0])
            vecs = [_shift(xy[:, ids[k]], t_s, c, start, xy[:, L.LEG[other][k]])
                    for k in anchor_points(view)]
            vecs = [v for v in vecs if np.isfinite(v).all()]
            if vecs:
                moved = np.fmin(moved, min(float(v @ hip_dir) for v in vecs)
                                / feat.leg_length_px)
                moved_any = np.fmin(moved_any, min(float(np.hypot(*v)) for v in vecs)
                                    / feat.leg_length_px)
        vis = finite_median(sig.visibility[rows][:, [ids["ankle"], ids["heel"], ids["toe"]]])
        elevation = finite_median(low_img[other] - low_img[leg]) / feat.leg_length_px
        at_opening = opening if leg == "left" else -opening
        out[leg] = FootState(float(moved), float(moved_any), elevation,
                             finite_median(low_world[other] - low_world[leg]), vis,
                             spread, sig.camera_roll_deg is not None,
                             elevation - at_opening, depth[other] - depth[leg],
                             standing_shank_drop(sig, feat, c, leg))
    return out


def _judgeable(foot: FootState, view: str, s: RepSettings) -> bool:
    """Can this foot be called free? In side and oblique views a planted far foot hides
    behind the near one and the model guesses its place (dnly_gf_1: floating 0.25 leg
    lengths up at visibility 0.4), so a foot seen less than ``foot_visibility`` is not
    judged there. In a front view planted feet are side by side, both in sight; a
    poorly seen foot there is usually a free foot held behind the body."""
    if view == "front":
        return True
    return bool(np.isfinite(foot.visibility) and foot.visibility >= s.foot_visibility)


def moved_with_hips(foot: FootState, s: RepSettings) -> bool:
    """A visible foot whose toe and heel both followed the hips, or were swung clearly away.

    A free foot hangs from the pelvis and goes the way the hips go; lifted and swung
    (pistol, leg forward-sideways) it may go anywhere, but then far. A planted foot's
    landmarks wander less than that even when partly hidden.
    """
    along = np.isfinite(foot.moved) and foot.moved > s.foot_still_leg_lengths
    away = np.isfinite(foot.moved_any) and foot.moved_any > s.foot_swung_leg_lengths
    # a free foot is off the floor, never clearly below the planted one: landmarks
    # wandering that far on the lowest foot are noise (nowva_lunge dim and noisy: a split
    # squat, one foot read 10 cm below the other had "swung" 0.16 leg lengths)
    below = foot.world_elevation_m < -s.free_foot_world_elevation_m
    return bool((along or away) and not below)


def held_up(foot: FootState, view: str, s: RepSettings) -> bool:
    """A visible foot held clearly above the other (planted) foot.

    Read in the image *and* in world landmarks: in side and oblique views a planted
    far foot looks higher by perspective, so the image needs more there (0.25 leg
    lengths: also more than a few degrees of camera roll over the feet's spread). The
    camera looks down on the floor, so perspective only ever lowers the nearer foot: a
    foot ``near_foot_depth_m`` nearer than the other (MediaPipe's world depth) is judged
    as from the front (held-out synthset10 003: a free foot held forward on the near side
    stood 0.13 leg lengths and 15 cm up, and read as a lunge).
    From the front, a camera held off level lifts one of two planted feet in the
    image by their sideways spread times the tangent of its roll, so up to
    ``camera_roll_tolerance_deg`` of that is not a raised foot (a side lunge, feet a
    leg length apart, filmed 5 deg off level read as 10 single-leg squats:
    bench/invariance.py); when the roll was read from the room, the heights are levelled
    by it and only ``measured_roll_tolerance_deg`` is left. The image alone decides that;
    the world landmarks' margin stays as it is, as MediaPipe reports a held foot's rise
    short (4-5 cm on a held-out mannequin set, synthset8 006/011, where a roll margin
    there lost it).
    """
    world_up = foot.world_elevation_m > s.free_foot_world_elevation_m
    roll = np.tan(np.radians(s.measured_roll_tolerance_deg if foot.roll_measured
                             else s.camera_roll_tolerance_deg))
    spread = foot.spread if np.isfinite(foot.spread) else 0.0
    level_feet = s.free_foot_elevation_front_leg_lengths + roll * spread
    if view != "front":
        # perspective lifts only the far foot: the nearer one is held to the front's rule
        nearer = np.isfinite(foot.nearer_m) and foot.nearer_m > s.near_foot_depth_m
        return bool(world_up and foot.elevation > (
            level_feet if nearer else s.free_foot_elevation_other_leg_lengths))
    if world_up and foot.elevation > level_feet:
        return True
    # lifted since the clip opened on two feet, and higher in the world landmarks too
    return bool(np.isfinite(foot.lift) and foot.lift > s.free_foot_lift_front_leg_lengths
                and foot.world_elevation_m > 0)


def folded_up(foot: FootState, s: RepSettings) -> bool:
    """A leg whose ankle hung less than ``folded_shank_max_drop`` of a shank below its knee
    while standing: the knee folded, the foot held up behind. Under standing hips a
    planted foot sits below its knee. Used only for a hidden foot in a side or oblique view
    (``_judgeable``), whose own place is guessed: the model still sees the leg above it
    (an oblique view with the free foot held behind the stance leg: held-out seed 22
    phone 002, 007). A seen foot's place says more than this: a split stance's legs,
    both feet planted and seen, read 0.42-0.6 on degraded copies of a real split squat."""
    return bool(np.isfinite(foot.shank_drop) and foot.shank_drop < s.folded_shank_max_drop)


def stance_of(feet: dict[str, FootState], view: str, s: RepSettings) -> str | None:
    """left / right / both, or None when no foot stayed planted.

    Height is judged only against a planted foot: if one foot moved with the hips
    it is the free one, whatever the heights say.
    """
    missing = [leg for leg, f in feet.items()
               if not (np.isfinite(f.moved) or np.isfinite(f.elevation))]
    if view == "front" and len(missing) == 1:
        # planted feet stand side by side in a front view, both in sight: a foot lost
        # for the whole rep is a free foot hidden behind the body
        return "left" if missing[0] == "right" else "right"
    folded = [leg for leg, f in feet.items()
              if not _judgeable(f, view, s) and folded_up(f, s)]
    feet = {leg: f for leg, f in feet.items() if _judgeable(f, view, s)}
    moved = [leg for leg in feet if moved_with_hips(feet[leg], s)]
    if len(moved) == 2:
        # one foot followed the hips, the other only wandered off: the follower is the
        # free foot, the other a planted foot the model misplaced (held-out seed 20 054,
        # one leg from the front on a phone: the free foot hidden behind the stance shin
        # was put on the floor and the stance ankle 0.16 leg lengths up, against the
        # hips). Two feet that follow the hips (a jump), or none (a pistol's free foot
        # swung up and a wandering stance foot), leave no planted foot to name.
        along = [leg for leg in moved if feet[leg].moved > s.foot_still_leg_lengths]
        if len(along) == 1:
            return "left" if along[0] == "right" else "right"
        return None
    if len(moved) == 1:
        return "left" if moved[0] == "right" else "right"
    raised = sorted({leg for leg in feet if held_up(feet[leg], view, s)} | set(folded))
    if len(raised) == 1:
        return "left" if raised[0] == "right" else "right"
    return "both"


def centre_shift(sig: Signals, feat: BodyFeatures, c: Candidate) -> tuple[float, float]:
    """Where the trunk stood between the ankles during rep ``c``, and the ankles' spread.

    Returns ``(shift, spread)``: the trunk's centre (midway between the hip and shoulder
    midpoints; trunk, head and arms carry two thirds of the body's mass) from the
    ankles' midpoint, over half their sideways spread, + toward the left ankle (0 =
    midway, 1 = above the left ankle); and that spread in leg lengths. Medians over the
    rep's frames, taken before dividing (the feet cross in a frame or two). Statics
    puts (1 - shift) / 2 of the weight on the right foot.

    Sideways is the level camera's: a camera rolled r deg moves the trunk, a leg's length
    above the ankles, sideways by that length times sin r, which at 4-5 deg is as much as
    a single-leg squat's half spread (held-out seed 40, a phone off level before door
    frames: four single-leg squats' trunks read midway, 0.07 for 1.75, and a double-leg
    squat's over one foot).
    """
    xy = level(sig.xy_px[c.start:c.end + 1], sig.camera_roll_deg)
    hips = (xy[:, L.LEFT_HIP, 0] + xy[:, L.RIGHT_HIP, 0]) / 2
    shoulders = (xy[:, L.LEFT_SHOULDER, 0] + xy[:, L.RIGHT_SHOULDER, 0]) / 2
    left, right = xy[:, L.LEFT_ANKLE, 0], xy[:, L.RIGHT_ANKLE, 0]
    half = finite_median((left - right) / 2)
    offset = finite_median((hips + shoulders) / 2 - (left + right) / 2)
    spread = 2 * abs(half) / feat.leg_length_px
    return (offset / half if half else float("nan")), spread


def held_leg_stance(f: dict[str, float], s: RepSettings) -> str:
    """Both feet looked planted and the legs match at the bottom, but only one knee bent
    while the other was already bent as much: that other foot is free, just off the
    floor (too little to see). (A leg kept straight, a side lunge, was caught before.)"""
    bends = [leg for leg in LEGS if f[f"knee_rise_{leg}"] >= s.bent_knee_rise_deg]
    if len(bends) != 1:
        return "both"
    other = "right" if bends[0] == "left" else "left"
    held = f[f"knee_bottom_{other}"] >= s.bent_knee_rise_deg and \
        f[f"knee_rise_{other}"] < s.bent_knee_rise_deg
    return bends[0] if held else "both"


def bending_leg_stance(f: dict[str, float], stance: str, view: str, s: RepSettings) -> str:
    """The feet's heights named ``stance`` the standing leg, yet its knee barely bent (under
    ``min_knee_flexion_rise_deg`` from standing) while the other knee bent as a squat's does
    (``bent_knee_rise_deg``, and that much more than the first) over a foot that neither
    went the way the hips went nor swung away (``moved_with_hips``'s limits; a knee raised
    while marching swings its foot up): that other foot carries the body. A foot on the
    floor under a descending hip bends its knee; a free one need not. A free leg held
    straight out towards a camera above the hips sits nearer it, lower in the picture than
    the standing foot, which then reads as held up (held-out seed 71 004 and 019, a phone
    1.4-1.8 m up: the standing foot 0.20-0.24 leg lengths and 5-7 cm higher, its knee
    rising 59-70 deg against the free knee's 9-21; the ankles in line, so the balance could
    not tell). A shallow squat's 24 deg against a free knee's 32 (lifted from standing:
    held-out slow seed 62 019) tells nothing either way, hence the margin."""
    free = "right" if stance == "left" else "left"
    bent = rise_deg(f, "knee", free, view, from_standing=True)
    held = rise_deg(f, "knee", stance, view, from_standing=True)
    still = (f[f"foot_moved_{free}"] < s.foot_still_leg_lengths
             and f[f"foot_moved_any_{free}"] < s.foot_swung_leg_lengths)
    bent_more = bent >= s.bent_knee_rise_deg and bent - held >= s.bent_knee_rise_deg
    return free if bent_more and held < s.min_knee_flexion_rise_deg and still else stance


def straightening_leg_stance(f: dict[str, float], legs: tuple[str, ...], s: RepSettings,
                             view: str) -> str:
    """Both feet read as planted, but one seen knee straightened by
    ``free_knee_extension_deg`` or more while the hips went down: a foot on the floor under
    a descending hip brings hip and ankle closer, so its knee bends (the straight leg of a
    side lunge stays straight); only a free leg can straighten then. The other leg stands.
    (Held-out balanced seed 13 018: a free foot held forward on the far side, its knee
    straightening 13-15 deg, read as a lunge.) Failing that, a knee bent and held so
    while the other bent (``_held_still``) is free too."""
    straightened = [leg for leg in legs
                    if f[f"knee_rise_{leg}"] <= -s.free_knee_extension_deg]
    if len(straightened) != 1:
        straightened = [leg for leg in legs if _held_still(f, leg, s, view)]
    if len(straightened) != 1:
        return "both"
    return "right" if straightened[0] == "left" else "left"


def _held_still(f: dict[str, float], leg: str, s: RepSettings, view: str) -> bool:
    """``leg``'s knee was bent and stayed so while the other knee bent as a squat's does:
    a planted foot under a descending hip would bend it further (``held_knee_max_rise_deg``).
    The other knee's bend is read from standing, as the knee-bend rule reads it
    (``rise_deg``): within the rep a third of it was gone (held-out seed 45 017, oblique:
    29.7 deg, its image angle bending 39 from standing)."""
    other = "right" if leg == "left" else "left"
    nan = float("nan")
    return bool(f.get(f"knee_bottom_{leg}", nan) >= s.bent_knee_rise_deg
                and f[f"knee_rise_{leg}"] <= s.held_knee_max_rise_deg
                and rise_deg(f, "knee", other, view, from_standing=True) >= s.bent_knee_rise_deg)


def balanced_stance(f: dict[str, float], s: RepSettings) -> str:
    """Front view, both feet read as planted: the trunk stood over one ankle, so that foot
    carried the body and the other is free, held too low for its height to tell
    (held-out mannequin sets: a free foot held forward 2-5 cm up). The trunk must also
    stand ``balance_min_offset_leg_lengths`` off the ankles' midpoint, beyond the
    landmarks' sideways jitter (feet together make any offset a large share of their
    spread), and the other foot read higher, in the image and the world landmarks,
    however little: a double-leg squat leaning far to one side moves the trunk over that
    foot too (but no further: ``unloaded_stance``)."""
    stance = trunk_over(f, s.balance_min_centre_shift, s)
    if stance is None:
        return "both"
    free = "right" if stance == "left" else "left"
    higher = f[f"foot_elevation_{free}"] > 0 and f[f"foot_world_elevation_m_{free}"] > 0
    return stance if higher else "both"


def unloaded_stance(f: dict[str, float], s: RepSettings) -> str | None:
    """Front view: the foot under a trunk standing further out than two planted feet can
    hold it (``balance_unloaded_centre_shift``, beyond the ankles' jitter as in
    ``balanced_stance``); None when the trunk is not that far out. The other foot then
    carries nothing, whatever its height reads: a phone's lens magnifies a free foot held
    low in front downwards, below the standing foot, and the standing foot then reads
    as the one held up (phone mannequin sets: seed 11 016, seed 13 029)."""
    return trunk_over(f, s.balance_unloaded_centre_shift, s)


def trunk_over(f: dict[str, float], min_shift: float, s: RepSettings) -> str | None:
    """The foot ("left"/"right") the trunk's centre stands ``min_shift`` half-spreads or
    more towards (``centre_shift``), and ``balance_min_offset_leg_lengths`` off the ankles'
    midpoint; None otherwise. The ankles themselves must stand that far apart sideways:
    closer, which is left of which is the landmarks' jitter (a free foot held up behind
    the stance foot, seed 34 phone 019: 0.003 leg lengths apart, the trunk "35 half-spreads
    over" either foot as the camera's roll was undone or not)."""
    shift, spread = f["centre_shift_left"], f["ankle_spread_leg_lengths"]
    jitter = s.balance_min_offset_leg_lengths
    if not (np.isfinite(shift) and abs(shift) >= min_shift and spread >= jitter
            and abs(shift) * spread / 2 >= jitter):
        return None
    return "left" if shift > 0 else "right"
