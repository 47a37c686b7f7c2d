"""Camera view (front / side / oblique) and facing direction, from the landmarks.

The yaw of the body to the camera (0 deg = square-on, 90 deg = side-on) is read
two ways on standing frames and averaged:

- image: the shoulder and hip lines shrink with the cosine of the yaw, so
  ``yaw = arccos(width / torso length / square-on ratio)``; the square-on ratios
  are profile settings (what MediaPipe's shoulder and hip landmarks give a person
  facing the camera);
- world: the direction of the left->right shoulder and hip lines in MediaPipe's
  world landmarks (its depth is unreliable in metres, the direction much less so).

They are weighed by how far each can be off. The world direction carries no body
build; the image estimate does: a person whose width/torso ratio is a fraction ``e``
off the square-on ratio reads ``e * cot(yaw)`` radians off, unbounded near square-on
(a 13 % narrower build reads 30 deg for 0) and small near side-on. So the image
estimate's spread is taken as ``e * cot(yaw)`` at the world yaw, the world's as a
fixed spread, and the two are averaged with inverse-variance weights.

Standing frames only: bending forward foreshortens the torso and fakes width.
Within ``front_max_yaw_deg`` of square-on is front, within ``90 - side_min_yaw_deg``
of side-on is side, and between is oblique: there a 45 deg segment would be read
more than ~4 deg off, the size of MediaPipe's side-view error (CLINICAL.md).

A squat gives a third reading, once its reps are found (``thigh_yaw_deg``): at the
bottom the thighs run forwards, in the body's sagittal plane, so their sideways travel
in the picture against the depth their foreshortening implies is the yaw of that plane.
Square-on it reads 0-4 deg on the mannequin's double-leg squats, 0-15 deg on the real
single-leg squats and 0-21 on the mannequin's (a knee caving in, the free leg and the
body's shift over the stance foot add some; on one leg the larger of the stance thigh's
own reading and the two averaged counts); 44 deg reads 34-40 on the phone mannequin, 45
reads 56 on the stick figure (perspective and a near-vertical thigh's noisy depth err
either way). It turns a "front" into "oblique" (``turned_view``), the error seen: a
phone close above an oblique body shortens its torso, and both standing readings had put
44 deg at 29 (phone mannequin sets, seeds 11 and 17, clip 007: front, one leg, 65-74 deg
of "valgus"); and an "oblique" whose thighs ran straight at the camera (at most
``thigh_square_on_max_yaw_deg``; obliques read 19 at the least) back into "front": on one
leg with the free leg held up the model can draw the shoulders and hips together between
reps, as from the side (held-out seed 39 026: standing 47 deg, thighs 6). The feet,
standing, give a fourth reading (turned_body.feet_turn_deg): a "front" whose feet point
``front_max_yaw_deg`` or more aside is oblique as well.

Both standing readings give the yaw against the line of sight to the body, which a body
away from the middle of the picture meets at an angle to the lens's axis (``off_axis_deg``):
its near and far shoulders lie at depths the lens magnifies differently. A side-on body
24 deg off-axis reads 64 deg (held-out seed 67 015, a phone 1.5 m away: 57, oblique). So a
side or oblique reading is turned to the lens's axis (``lens_yaw_deg``), with the lens the
profile assumes (``[measurements] camera_fov_deg``), and decides between side and oblique.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from ..pose import landmarks as L
from .context import Signals
from .sections import ProfileSection


@dataclass(frozen=True)
class ViewSettings(ProfileSection):
    """The ``[view]`` profile section."""

    SECTION = "view"

    square_on_shoulder_ratio: float
    square_on_hip_ratio: float
    square_on_ratio_spread: float
    world_yaw_sd_deg: float
    front_max_yaw_deg: float
    side_min_yaw_deg: float
    thigh_square_on_max_yaw_deg: float
    change_window_s: float
    change_min_section_s: float
    cut_step_ratio: float
    upright_max_trunk_deg: float


@dataclass(frozen=True)
class ViewEstimate:
    view: str  # front | side | oblique
    facing: str  # camera | away | left | right | unknown
    facing_sign: int  # +1 faces image-right, -1 image-left, 0 not a side view
    yaw_deg: float
    yaw_image_deg: float
    yaw_world_deg: float
    facing_votes: float  # > 0 towards image-right (side/oblique) or camera (front)
    yaw_thigh_deg: float = float("nan")  # from the thighs at the reps' bottoms, when read
    turned_by_thighs: bool = False  # the thighs overruled the standing view (front <-> oblique)
    yaw_feet_deg: float = float("nan")  # from where the feet point standing (turned_body.py)
    turned_by_feet: bool = False  # the feet turned a "front" into "oblique"
    off_axis_deg: float = float("nan")  # the body's line of sight from the lens's axis
    yaw_sight_deg: float = float("nan")  # the yaw against that line of sight, as read
    turned_by_lens: bool = False  # the off-axis angle moved the view (side <-> oblique)


def _median(x: np.ndarray) -> float:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def yaw_from_image_deg(xy_px: np.ndarray, settings: ViewSettings) -> float:
    """Median body yaw (deg, 0 = square-on) from shoulder and hip widths vs torso length."""
    sh = (xy_px[:, L.LEFT_SHOULDER] + xy_px[:, L.RIGHT_SHOULDER]) / 2
    hip = (xy_px[:, L.LEFT_HIP] + xy_px[:, L.RIGHT_HIP]) / 2
    torso = np.linalg.norm(sh - hip, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_sh = np.abs(xy_px[:, L.LEFT_SHOULDER, 0] - xy_px[:, L.RIGHT_SHOULDER, 0]) / torso
        r_hip = np.abs(xy_px[:, L.LEFT_HIP, 0] - xy_px[:, L.RIGHT_HIP, 0]) / torso
    yaws = [np.degrees(np.arccos(np.clip(_median(r) / r0, 0.0, 1.0)))
            for r, r0 in ((r_sh, settings.square_on_shoulder_ratio),
                          (r_hip, settings.square_on_hip_ratio))]
    yaws = [y for y in yaws if np.isfinite(y)]
    return float(np.mean(yaws)) if yaws else float("nan")


def yaw_from_world_deg(world: np.ndarray) -> float:
    """Median body yaw (deg) from the world left->right shoulder + hip direction."""
    v = (world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER]
         + world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP])
    return _median(np.degrees(np.arctan2(np.abs(v[:, 2]), np.abs(v[:, 0]))))


def combine_yaw_deg(yaw_image_deg: float, yaw_world_deg: float,
                    settings: ViewSettings) -> float:
    """Inverse-variance mean of the two yaw estimates (deg; NaN-tolerant).

    Image spread: ``square_on_ratio_spread * cot(yaw)`` (the arccos slope), judged at
    the world yaw, which holds no build scale; world spread: ``world_yaw_sd_deg``.
    """
    yi, yw = float(yaw_image_deg), float(yaw_world_deg)
    if not np.isfinite(yw):
        return yi
    if not np.isfinite(yi):
        return yw
    tan = np.tan(np.radians(np.clip(yw, 0.0, 89.0)))
    w_image = (tan / np.degrees(settings.square_on_ratio_spread)) ** 2
    w_world = 1.0 / settings.world_yaw_sd_deg ** 2
    return float((yi * w_image + yw * w_world) / (w_image + w_world))


def off_axis_deg(xy_px: np.ndarray, image_size: tuple[int, int], fov_deg: float) -> float:
    """Angle (deg, + to image-right) between the lens's axis and the line of sight to the
    body's hips (median over the rows of ``xy_px``), for a lens seeing ``fov_deg`` across
    the image's long side."""
    from .perspective import focal_length_px

    hips_x = _median((xy_px[:, L.LEFT_HIP, 0] + xy_px[:, L.RIGHT_HIP, 0]) / 2)
    return float(np.degrees(np.arctan((hips_x - image_size[0] / 2)
                                      / focal_length_px(image_size, fov_deg))))


def lens_yaw_deg(yaw_sight_deg: float, chest_shown: bool, facing_sign: int,
                 off_axis: float) -> float:
    """The body's yaw to the lens's axis (deg, 0 = square-on, 90 = side-on) from its yaw
    against the line of sight, read standing.

    The left->right shoulder (and hip) line at angle ``a`` to the image's x axis, seen
    ``off_axis`` deg off the lens's axis, spans ``cos(a + off_axis) / cos(off_axis)`` of
    its square-on width (first order in its depth), so the widths read ``a + off_axis``.
    Facing image-right (``facing_sign`` +1) the body's right side is nearer the camera,
    and ``a + off_axis`` lies in (0, 180); facing left in (-180, 0). Within that half,
    the shoulders' order in the picture tells the two readings apart: the subject's left
    shoulder on image-right (``chest_shown``) is under 90 from the x axis, the chest
    turned towards the camera; over 90, the back."""
    along = yaw_sight_deg if chest_shown else 180.0 - yaw_sight_deg
    a = abs(facing_sign * along - off_axis) % 180.0
    return float(min(a, 180.0 - a))


def facing_votes(xy_px: np.ndarray, view: str) -> float:
    """Signed evidence of the facing direction, in torso-length units.

    Front: + when the subject's left shoulder/hip are on image-right (they face
    the camera). Side/oblique: + when nose is ahead of the ears and toes ahead
    of the heels towards image-right.
    """
    sh = (xy_px[:, L.LEFT_SHOULDER] + xy_px[:, L.RIGHT_SHOULDER]) / 2
    hip = (xy_px[:, L.LEFT_HIP] + xy_px[:, L.RIGHT_HIP]) / 2
    torso = _median(np.linalg.norm(sh - hip, axis=-1))
    if not np.isfinite(torso) or torso <= 0:
        return 0.0
    if view == "front":
        dx = (xy_px[:, L.LEFT_SHOULDER, 0] - xy_px[:, L.RIGHT_SHOULDER, 0]
              + xy_px[:, L.LEFT_HIP, 0] - xy_px[:, L.RIGHT_HIP, 0])
        return _median(dx) / torso if np.isfinite(_median(dx)) else 0.0
    ears = (xy_px[:, L.LEFT_EAR, 0] + xy_px[:, L.RIGHT_EAR, 0]) / 2
    votes = [_median(xy_px[:, L.NOSE, 0] - ears),
             _median(xy_px[:, L.LEFT_FOOT_INDEX, 0] - xy_px[:, L.LEFT_HEEL, 0]),
             _median(xy_px[:, L.RIGHT_FOOT_INDEX, 0] - xy_px[:, L.RIGHT_HEEL, 0])]
    votes = [np.sign(v) for v in votes if np.isfinite(v)]
    return float(np.sum(votes)) if votes else 0.0


def facing_word(votes: float, view: str) -> str:
    """``facing_votes`` in words: camera / away from the front, right / left otherwise."""
    towards, away = ("camera", "away") if view == "front" else ("right", "left")
    return towards if votes > 0 else away if votes < 0 else "unknown"


def estimate_view(sig: Signals, rows: np.ndarray, settings: ViewSettings,
                  fov_deg: float | None = None) -> ViewEstimate:
    """View and facing from the standing ``rows`` of ``sig`` (all usable rows if empty);
    with ``fov_deg`` (the lens assumed), a side or oblique reading is turned from the line
    of sight to the lens's axis (``lens_yaw_deg``) before side and oblique are told apart.
    Near square-on which way the body faces is too uncertain for that: front readings
    stand, and the turn never makes a front view (the front view has its own lens rules)."""
    rows = np.asarray(rows, int)
    if rows.size == 0:
        rows = np.flatnonzero(sig.usable)
    xy, world = sig.xy_px[rows], sig.world[rows]
    yi, yw = yaw_from_image_deg(xy, settings), yaw_from_world_deg(world)
    sight = combine_yaw_deg(yi, yw, settings)
    yaw, off_axis = sight, float("nan")
    if not np.isfinite(sight) or sight <= settings.front_max_yaw_deg:
        view = "front"
    else:
        votes = facing_votes(xy, "side")
        if fov_deg and votes != 0:
            off_axis = off_axis_deg(xy, sig.image_size, fov_deg)
            width = _median(xy[:, L.LEFT_SHOULDER, 0] - xy[:, L.RIGHT_SHOULDER, 0]
                            + xy[:, L.LEFT_HIP, 0] - xy[:, L.RIGHT_HIP, 0])
            if np.isfinite(off_axis) and np.isfinite(width):
                yaw = lens_yaw_deg(sight, width >= 0, 1 if votes > 0 else -1, off_axis)
        view = "side" if yaw >= settings.side_min_yaw_deg else "oblique"
    by_lens = view != ("side" if sight >= settings.side_min_yaw_deg else "oblique") \
        and view != "front"
    votes = facing_votes(xy, view)
    sign = (1 if votes > 0 else -1 if votes < 0 else 0) if view == "side" else 0
    return ViewEstimate(view, facing_word(votes, view), sign, float(yaw), float(yi), float(yw),
                        float(votes), off_axis_deg=float(off_axis),
                        yaw_sight_deg=float(sight), turned_by_lens=bool(by_lens))


def thigh_yaw_deg(xy_px: np.ndarray, usable: np.ndarray,
                  reps: list[tuple[int, int, str]], length_noise: float) -> float:
    """Median body yaw (deg) from the thighs at the bottom of squat ``reps`` ((start, bottom,
    stance) rows and leg): the hip -> knee vectors' sideways travel since the rep's start
    against their depth, the foreshortening from each thigh's standing image length (90th
    percentile). NaN without reps.

    A thigh within ``length_noise`` of its full length may lie anywhere from the image
    plane to the depth that shortfall implies (``segment_length_noise``: MediaPipe's
    lengths wander that much), so its depth is read as at least that. Without this floor a
    shallow squat from the front, the thighs barely foreshortened, read 90 deg for any
    sideways wobble of the knee (shallow sets, seed 36 006 and seed 37 phone 019: 40 deg
    single-leg squats, square-on, read oblique); side-on, where the depth is truly nil,
    the travel is a thigh's length and still reads 70 deg or more.

    On both feet, averaged over the two legs (a knee caving in and its partner going out
    cancel). On one leg the free thigh goes wherever the free leg is held, and may add to
    the stance thigh's reading or take from it: the larger of the stance thigh's own and
    the two averaged. (Held-out seed 28 phone 002 and 007, single-leg squats filmed 40-43
    deg off square-on: averaged 20-21 deg, front, and 33 deg of "valgus"; the stance thigh
    34-37. Seed 25 phone 007, 53 deg: averaged 32, the stance thigh 28. Square-on, neither
    read over 21 deg on 197 single-leg squat clips, knee valgus up to 20 deg included.)"""
    ids = {"left": (L.LEFT_HIP, L.LEFT_KNEE), "right": (L.RIGHT_HIP, L.RIGHT_KNEE)}
    lengths = {}
    for leg, (hip, knee) in ids.items():
        n = np.linalg.norm(xy_px[:, knee] - xy_px[:, hip], axis=-1)
        n = n[usable & np.isfinite(n)]
        lengths[leg] = float(np.percentile(n, 90)) if n.size else np.nan
    least = 1.0 - (1.0 - length_noise) ** 2  # the least squared depth, per squared length

    def yaw(start: int, bottom: int, legs) -> float:
        at_bottom = slice(max(bottom - 3, 0), bottom + 4)
        at_start = slice(max(start - 3, 0), start + 1)
        travel, depth = [], []
        for leg in legs:
            (hip, knee), length = ids[leg], lengths[leg]
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                v_bottom = np.nanmedian(xy_px[at_bottom, knee] - xy_px[at_bottom, hip], axis=0)
                v_start = np.nanmedian(xy_px[at_start, knee] - xy_px[at_start, hip], axis=0)
            travel.append(v_bottom[0] - v_start[0])
            depth.append(np.sqrt(max(length ** 2 - float(v_bottom @ v_bottom),
                                     least * length ** 2)))
        return float(np.degrees(np.arctan2(abs(np.mean(travel)), np.mean(depth))))

    yaws = [np.nanmax([yaw(start, bottom, ids), yaw(start, bottom, [stance])])
            if stance in ids else yaw(start, bottom, ids) for start, bottom, stance in reps]
    return _median(np.array(yaws, float))


def turned_view(est: ViewEstimate, yaw_thigh: float, xy_px: np.ndarray,
                settings: ViewSettings, yaw_feet: float = float("nan")) -> ViewEstimate:
    """``est`` with the thighs' reading noted, a "front" whose thighs (or feet, standing:
    ``yaw_feet``, turned_body.feet_turn_deg) show the body turned ``front_max_yaw_deg`` or
    more re-read as oblique, and an "oblique" whose thighs read
    ``thigh_square_on_max_yaw_deg`` or less as front (so is a side the lens's turn made
    from an oblique reading). Other side readings stand: the standing estimates are good
    there, the thighs' depth is noise."""
    est = replace(est, yaw_feet_deg=float(yaw_feet))
    # a side view the lens's turn made from an oblique reading gets the same check: the
    # standing reading was oblique, and side views' thighs read 17 deg or more (mannequin)
    standing_oblique = est.view == "oblique" or (est.view == "side" and est.turned_by_lens)
    if standing_oblique and yaw_thigh <= settings.thigh_square_on_max_yaw_deg:
        votes = facing_votes(xy_px, "front")
        return replace(est, view="front", facing=facing_word(votes, "front"), facing_sign=0,
                       yaw_deg=float(yaw_thigh), facing_votes=float(votes),
                       yaw_thigh_deg=float(yaw_thigh), turned_by_thighs=True)
    # the feet catch bodies turned 35-39 deg whose torso and thighs read 25-29.5 (held-out
    # seed 59 room phone 017, feet 33: 37 deg of "valgus")
    feet = abs(float(yaw_feet))
    turn = max((y for y in (float(yaw_thigh), feet) if np.isfinite(y)), default=np.nan)
    if not (est.view == "front" and turn >= settings.front_max_yaw_deg):
        return replace(est, yaw_thigh_deg=float(yaw_thigh))
    by_feet = bool(np.isfinite(feet)) and not yaw_thigh >= feet
    votes = facing_votes(xy_px, "oblique")
    return replace(est, view="oblique", facing=facing_word(votes, "oblique"), facing_sign=0,
                   yaw_deg=float(max(est.yaw_deg, turn)), facing_votes=float(votes),
                   yaw_thigh_deg=float(yaw_thigh), turned_by_thighs=not by_feet,
                   turned_by_feet=by_feet)
