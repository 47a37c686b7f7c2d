"""The feet from the outline: heel rise and shoe tip (pose/foot_silhouette.py,
analysis/feet.py).

Hand-built person masks: a shoe drawn from the stick figure's heel to its toe, pivoting
about the toe as the heel lifts, with a shank above it; the answer is known by
construction.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from clinical_builders import FOOT_PX, H, W, context, one_rep, ramp, side_frame, track
from squatcheck.analysis.feet import heel_gain
from squatcheck.analysis.measurements import compute_series
from squatcheck.analysis.profile import load_profile
from squatcheck.analysis.rep_evidence import rep_evidence
from squatcheck.pose import foot_silhouette as F
from squatcheck.pose.landmarks import LEG

PROFILE = load_profile()
N_STAND = 15
SOLE_BELOW_PX = 10.0  # the heel and foot-index landmarks sit this far above the sole
REAR, FRONT, HEEL_X, TIP_X = (F.FIELDS.index(k)
                              for k in ("heel_sole_y", "toe_sole_y", "heel_x", "tip_x"))
TIP_AHEAD_PX = 8.0  # the drawn shoe ends this far ahead of the foot index


def person_mask(xy: np.ndarray, *, legs=("left", "right")) -> np.ndarray:
    """(H, W) float mask: each listed leg's shoe (heel -> toe, sole 10 px below the
    landmarks, 35 px tall) and shank (ankle -> knee)."""
    mask = np.zeros((H, W), np.uint8)
    for leg in legs:
        heel, toe = xy[LEG[leg]["heel"]], xy[LEG[leg]["toe"]]
        along = (toe - heel) / np.linalg.norm(toe - heel)
        down = np.array([-along[1], along[0]]) * np.sign(along[0])  # image-down normal
        sole_heel = heel + down * SOLE_BELOW_PX - along * 8
        sole_toe = toe + down * SOLE_BELOW_PX + along * TIP_AHEAD_PX
        shoe = [sole_heel, sole_toe, sole_toe - down * 35, sole_heel - down * 35]
        cv2.fillPoly(mask, [np.round(shoe).astype(np.int32)], 1)
        cv2.line(mask, tuple(np.round(xy[LEG[leg]["ankle"]]).astype(int)),
                 tuple(np.round(xy[LEG[leg]["knee"]]).astype(int)), 1, 40)
    return mask.astype(np.float32)


def evidence(xy: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return F.foot_evidence(mask, xy / np.array([W, H]))


@pytest.mark.parametrize("rise_px", [0.0, 10.0, 25.0])
def test_sole_gap_follows_a_heel_lift(rise_px):
    xy = side_frame(heel_rise_px=rise_px, free="both")
    ev = evidence(xy, person_mask(xy)).reshape(2, -1)
    for foot in ev:
        gap_px = (foot[FRONT] - foot[REAR]) * H
        # the foot pivots about its toe: the rear band (median at 0.075 of heel -> toe)
        # rises (1 - 0.075) of the heel's rise, the front band (0.925) only 0.075 of it
        assert gap_px == pytest.approx((0.925 - 0.075) * rise_px, abs=1.5)
        assert foot[HEEL_X] * W == pytest.approx(xy[LEG["left"]["heel"], 0])


def test_no_mask_tiny_foot_or_foot_cut_off_by_the_frame_gives_nan():
    xy = side_frame(free="both")
    assert np.isnan(F.foot_evidence(None, xy / [W, H])).all()
    tiny = xy.copy()
    for leg in ("left", "right"):
        tiny[LEG[leg]["toe"]] = tiny[LEG[leg]["heel"]] + [F.MIN_FOOT_PX / 2, 0]
    assert np.isnan(evidence(tiny, person_mask(xy))).all()
    low = xy + [0.0, H - 905.0]  # soles below the bottom edge of the frame
    ev = evidence(low, person_mask(low)).reshape(2, -1)
    assert np.isnan(ev[:, [REAR, FRONT]]).all()


def side_rep_with_masks(heel_px: float, *, swap_evidence_rows=()):
    """A single-leg squat (left stance) from the side whose landmark heel rises
    ``heel_px`` at the bottom while the drawn shoe lifts ``heel_px`` too; the evidence of
    ``swap_evidence_rows`` is stored with left and right exchanged (a model's leg swap)."""
    tib, kf = ramp(N_STAND, 30, 10, 30.0), ramp(N_STAND, 30, 10, 90.0)
    rise = ramp(N_STAND, 30, 10, heel_px)
    frames = [side_frame(tibia_deg=a, knee_flex_deg=b, heel_rise_px=c, free="right")
              for a, b, c in zip(tib, kf, rise, strict=True)]
    rows = np.stack([evidence(xy, person_mask(xy, legs=("left",))) for xy in frames])
    for r in swap_evidence_rows:
        rows[r] = np.roll(rows[r], len(F.FIELDS))
    sig = track(frames)
    sig.extra["foot_evidence"] = rows
    ctx = context("side")
    seg = one_rep(sig, "left", N_STAND)
    return sig, ctx, seg


def heel_rise(sig, ctx, seg) -> float | None:
    series = compute_series(sig, ctx, PROFILE)
    return rep_evidence(sig, ctx, seg, series, PROFILE).values["heel_rise_foot_lengths"]


def test_heel_rise_is_read_from_the_outline():
    flat = heel_rise(*side_rep_with_masks(0.0))
    lifted = heel_rise(*side_rep_with_masks(20.0))
    real_foot = FOOT_PX / PROFILE.measurements.mediapipe_foot_length_ratio
    assert flat == pytest.approx(0.0, abs=0.01)
    # the drawn shoe pivots about its toe: its rear band rises 0.85 of the heel landmark's
    # 20 px, reported as the rise of a real heel's back (heel_gain)
    gain = heel_gain(PROFILE, float(np.mean(F.REAR_BAND)))
    assert lifted == pytest.approx(0.85 * 20.0 / real_foot * gain, abs=0.015)


@pytest.mark.parametrize("pitch_deg", [5.0, 15.0])
def test_heel_gain_turns_a_sole_point_rise_into_the_heels(pitch_deg):
    """A rigid rearfoot turned up about the ball of the foot: the back of the heel rises
    heel_to_ball * sin(pitch), a point nearer the ball less. The model's heel sits 0.10 real
    foot lengths inside the shoe (1 - 0.8 of the foot - 0.10 of toe box ahead of its foot
    index), the outline's rear band 0.075 of the model's foot further on."""
    m = PROFILE.measurements
    lever = m.heel_to_ball_foot_lengths  # from the back of the heel, real foot lengths
    model_heel = 1.0 - m.mediapipe_foot_length_ratio - m.mediapipe_toe_behind_tip_foot_lengths
    s = np.sin(np.radians(pitch_deg))
    heel_back_rise = lever * s
    for ahead_of_model_heel in (0.0, float(np.mean(F.REAR_BAND))):
        point = model_heel + ahead_of_model_heel * m.mediapipe_foot_length_ratio
        point_rise = (lever - point) * s
        assert point_rise * heel_gain(PROFILE, ahead_of_model_heel) == pytest.approx(
            heel_back_rise)
    assert heel_gain(PROFILE, float(np.mean(F.REAR_BAND))) == pytest.approx(0.73 / 0.57,
                                                                            abs=0.01)


def test_outline_ignores_a_heel_landmark_riding_up_with_the_shank():
    sig, ctx, seg = side_rep_with_masks(0.0)
    bottom = np.arange(N_STAND + 20, len(sig.t_s) - N_STAND - 20)
    sig.xy_px[bottom, LEG["left"]["heel"], 1] -= 12.0  # the landmark drifts, the shoe does not
    assert heel_rise(sig, ctx, seg) == pytest.approx(0.0, abs=0.01)
    sig.extra.pop("foot_evidence")  # a track without the outline: the landmark is all there is
    assert heel_rise(sig, ctx, seg) > 0.08


def test_a_front_sole_read_higher_while_standing_is_no_heel_lift():
    """Held-out synthset10 013: from the side, the front band met the far foot while
    standing (its sole 15 px higher) and the near one at the bottom, so flat feet read
    0.12-0.33 foot lengths of "rise". The floor does not drop: a front sole lower than
    while standing adds nothing; one higher (the whole foot, the camera) still counts."""
    sig, ctx, seg = side_rep_with_masks(0.0)
    ev = sig.extra["foot_evidence"]
    toe = F.FIELDS.index("toe_sole_y")  # the left foot's fields come first
    n = len(sig.t_s)
    standing = np.r_[:N_STAND + 5, n - N_STAND - 5:n]  # before and after the rep
    ev[standing, toe] -= 15.0 / sig.image_size[1]
    assert heel_rise(sig, ctx, seg) == pytest.approx(0.0, abs=0.01)
    sig, ctx, seg = side_rep_with_masks(20.0)
    bottom = np.arange(N_STAND + 20, len(sig.t_s) - N_STAND - 20)
    heel, toe_col = F.FIELDS.index("heel_sole_y"), toe
    sig.extra["foot_evidence"][bottom, heel] -= 10.0 / sig.image_size[1]
    sig.extra["foot_evidence"][bottom, toe_col] -= 10.0 / sig.image_size[1]  # both rose
    assert heel_rise(sig, ctx, seg) == pytest.approx(heel_rise(*side_rep_with_masks(20.0)),
                                                     abs=0.01)


def test_standing_frames_with_the_other_foot_beside_the_stance_foot_are_no_baseline():
    """synthbal11 053: standing on both feet before the leg lift, the nearer foot's sole
    (lower in the image by perspective) was read under the stance heel, and a flat heel
    read 0.14 foot lengths up against it. On one leg, the heel's baseline is taken only
    from standing frames with the other foot clear of it."""
    sig, ctx, seg = side_rep_with_masks(0.0)
    n = len(sig.t_s)
    # the free foot down while standing before the rep and for most of the stand after it
    both_feet = np.r_[:seg.start + 1, seg.end + 5:n]
    for k in ("heel", "toe", "ankle"):
        sig.xy_px[both_feet, LEG["right"][k]] = sig.xy_px[both_feet, LEG["left"][k]] + [4, 0]
    sig.extra["foot_evidence"][both_feet, REAR] += 10.0 / sig.image_size[1]
    assert heel_rise(sig, ctx, seg) == pytest.approx(0.0, abs=0.01)


def test_on_both_feet_a_toe_point_sliding_along_the_foot_keeps_the_standing_baseline():
    """Held-out seed 47 phone 175, a side-view double-leg squat with a deep trunk lean:
    MediaPipe's toe point slid forwards and up along the planted foot as the shin inclined,
    and standing it lay 0.2 foot lengths from its place at the bottom. Read as a foot moved
    or lifted, every standing frame but two was left out of the heel's baseline, and a flat
    heel read 0.08-0.1 up against those two. On both feet no leg switch lifts a foot and
    no free foot hangs by it: only a toe standing higher than at the bottom is left out."""
    tib, kf = ramp(N_STAND, 30, 10, 30.0), ramp(N_STAND, 30, 10, 90.0)
    frames = [side_frame(tibia_deg=a, knee_flex_deg=b, free="both")
              for a, b in zip(tib, kf, strict=True)]
    rows = np.stack([evidence(xy, person_mask(xy)) for xy in frames])
    sig = track(frames)
    sig.extra["foot_evidence"] = rows
    ctx = context("side", exercise="double_leg_squat")
    seg = one_rep(sig, "both", N_STAND)
    slide = (tib / 30.0)[:, None] * np.array([0.2, -0.1]) * FOOT_PX  # forwards, up
    for leg in ("left", "right"):
        sig.xy_px[:, LEG[leg]["toe"]] += slide
    series = compute_series(sig, ctx, PROFILE)
    ev = rep_evidence(sig, ctx, seg, series, PROFILE)
    assert ev.values["heel_rise_foot_lengths"] == pytest.approx(0.0, abs=0.01)
    assert not any("heel baseline" in note for note in ev.notes)


def test_a_sole_risen_more_than_the_rearfoot_is_long_is_another_foot():
    """Held-out seed 51 245: as the free foot swung past the stance heel its sole passed
    under the rear band, and a flat heel read 0.57-0.95 foot lengths up for 0.24 s. The back
    of a heel cannot rise more than the rearfoot is long (heel to ball): the foot would
    stand on end."""
    sig, ctx, seg = side_rep_with_masks(0.0)
    real_foot_px = FOOT_PX / PROFILE.measurements.mediapipe_foot_length_ratio
    up = np.arange(seg.bottom - 5, seg.bottom + 5)  # a third of a second at 30 fps
    sig.extra["foot_evidence"][up, REAR] -= 0.9 * real_foot_px / sig.image_size[1]
    assert heel_rise(sig, ctx, seg) == pytest.approx(0.0, abs=0.01)


def test_the_heel_is_read_against_the_reps_own_standing_not_the_clips():
    """Held-out seed 29 room 008: standing on one leg the front sole read 3-4 px higher
    than on two feet and in the squat. Against the clip's standing that was a front rise
    (subtracted), and at the bottom a front sole "lower than standing" (counted as
    nothing): a flat heel read 0.07 foot lengths up against the rep's standing."""
    sig, ctx, seg = side_rep_with_masks(0.0)
    n = len(sig.t_s)
    both_feet = np.r_[:seg.start + 1]  # before the rep, the free foot beside the stance foot
    for k in ("heel", "toe", "ankle"):
        sig.xy_px[both_feet, LEG["right"][k]] = sig.xy_px[both_feet, LEG["left"][k]] + [4, 0]
    # standing on one leg around the rep (its heel baseline) the front sole reads 6 px
    # higher than on both feet and through the squat's bottom
    one_leg = np.setdiff1d(np.r_[seg.start + 1:n], np.r_[seg.bottom - 20:seg.bottom + 21])
    sig.extra["foot_evidence"][one_leg, FRONT] -= 6.0 / sig.image_size[1]
    assert heel_rise(sig, ctx, seg) == pytest.approx(0.0, abs=0.01)


def test_evidence_follows_the_repaired_leg_not_the_models_label():
    plain = heel_rise(*side_rep_with_masks(20.0))
    swapped = heel_rise(*side_rep_with_masks(20.0, swap_evidence_rows=range(20, 60)))
    assert swapped == pytest.approx(plain, abs=1e-9)


def test_sole_not_seen_is_not_assessable_with_a_reason():
    sig, ctx, seg = side_rep_with_masks(20.0)
    sig.extra["foot_evidence"][:] = np.nan
    series = compute_series(sig, ctx, PROFILE)
    ev = rep_evidence(sig, ctx, seg, series, PROFILE)
    assert ev.values["heel_rise_foot_lengths"] is None
    assert "sole" in ev.reasons["heel_rise_foot_lengths"]


def test_a_stance_foot_lost_or_out_of_frame_says_which():
    """Held-out seed 22 (phone) 030: the model lost the stance heel for most of a rep, and
    the finding said the foot "leaves the frame"."""
    def reason(move):
        sig, ctx, seg = side_rep_with_masks(20.0)
        rows = np.arange(seg.start, seg.end + 1)
        rows = rows[np.abs(rows - seg.bottom) > 3]  # seen at the bottom itself
        for part in ("heel", "toe"):
            move(sig.xy_px, rows, LEG["left"][part])
        ev = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
        assert ev.values["heel_rise_foot_lengths"] is None
        return ev.reasons["heel_rise_foot_lengths"]

    def lose(xy, rows, i):
        xy[rows, i] = np.nan

    def push_out(xy, rows, i):
        xy[rows, i, 1] = 1e4  # far below the picture

    assert "lost" in reason(lose)
    assert "foot is out of the frame for most of the rep" in reason(push_out)


def test_a_lift_seen_on_part_of_the_bottom_is_a_lift_a_flat_heel_needs_most_of_it():
    """Held-out seed 12 018: the model's foot slid off the shoe for most of a 4 cm lift's
    bottom, after the outline had shown the lift for 0.2 s."""
    def partly_seen(rise_px):
        sig, ctx, seg = side_rep_with_masks(rise_px)
        unseen = np.ones(len(sig.t_s), bool)
        unseen[seg.bottom - 4: seg.bottom + 5] = False  # 9 frames, 0.3 s at 30 fps
        unseen[:seg.start] = unseen[seg.end:] = False  # standing stays seen
        sig.extra["foot_evidence"][unseen] = np.nan
        return rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)

    lifted = partly_seen(20.0)
    assert lifted.values["heel_rise_foot_lengths"] >= PROFILE.heel_lift.threshold_foot_lengths
    assert any("seen on" in n for n in lifted.notes)
    flat = partly_seen(0.0)
    assert flat.values["heel_rise_foot_lengths"] is None
    assert "sole" in flat.reasons["heel_rise_foot_lengths"]


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("rise_px", [0.0, 25.0])
def test_shoe_tip_is_the_front_end_of_the_outline(facing, rise_px):
    xy = side_frame(facing=facing, heel_rise_px=rise_px, free="both")
    ev = evidence(xy, person_mask(xy)).reshape(2, -1)
    toe_x = xy[LEG["left"]["toe"], 0]
    # the shoe's front edge leans back with the heel up: a pixel or two behind its corner
    for foot in ev:
        assert foot[TIP_X] * W == pytest.approx(toe_x + facing * TIP_AHEAD_PX, abs=3.0)


@pytest.mark.parametrize("facing", [1, -1])
def test_a_foot_index_just_beyond_the_shoe_still_finds_its_tip(facing):
    """Held-out seed 27 023: at the bottom the model slid the foot index 2-3 px past the
    shoe's front, the forward walk started outside the outline, and no rep had a tip."""
    xy = side_frame(facing=facing, free="both")
    mask = person_mask(xy)
    tip_x = xy[LEG["left"]["toe"], 0] + facing * TIP_AHEAD_PX
    for beyond_px in (3.0, 6.0):
        slid = xy.copy()
        for leg in ("left", "right"):
            slid[LEG[leg]["toe"], 0] += facing * (TIP_AHEAD_PX + beyond_px)
        ev = evidence(slid, mask).reshape(2, -1)
        assert ev[:, TIP_X] * W == pytest.approx([tip_x, tip_x], abs=3.0)
    # far beyond (a landmark off the foot) finds nothing rather than guessing
    slid = xy.copy()
    slid[LEG["left"]["toe"], 0] += facing * (TIP_AHEAD_PX + FOOT_PX)
    assert np.isnan(evidence(slid, mask).reshape(2, -1)[0, TIP_X])


def test_a_free_foot_touching_the_shoe_tip_gives_no_tip():
    xy = side_frame(free="both")
    mask = person_mask(xy)
    toe = xy[LEG["left"]["toe"]]
    mask[int(toe[1]):int(toe[1]) + 12, int(toe[0]):int(toe[0]) + 120] = 1.0  # runs on ahead
    assert np.isnan(evidence(xy, mask).reshape(2, -1)[:, TIP_X]).all()


def test_knee_past_toes_is_read_against_the_shoe_tip():
    sig, ctx, seg = side_rep_with_masks(0.0)
    series = compute_series(sig, ctx, PROFILE)
    offset = rep_evidence(sig, ctx, seg, series, PROFILE).values["knee_toe_offset_foot_lengths"]
    knee_x, toe_x = sig.xy_px[seg.bottom, [LEG["left"]["knee"], LEG["left"]["toe"]], 0]
    real_foot = FOOT_PX / PROFILE.measurements.mediapipe_foot_length_ratio
    assert offset == pytest.approx((knee_x - toe_x - TIP_AHEAD_PX) / real_foot, abs=0.02)
    # without the outline, MediaPipe's foot index plus its usual distance to the tip
    sig.extra.pop("foot_evidence")
    series = compute_series(sig, ctx, PROFILE)
    fallback = rep_evidence(sig, ctx, seg, series, PROFILE).values["knee_toe_offset_foot_lengths"]
    assert fallback == pytest.approx((knee_x - toe_x) / real_foot
                                     - PROFILE.measurements.mediapipe_toe_behind_tip_foot_lengths,
                                     abs=0.02)


def test_foot_landmarks_jumping_off_the_shoe_are_not_read_as_the_tip():
    sig, ctx, seg = side_rep_with_masks(0.0)
    series = compute_series(sig, ctx, PROFILE)
    good = rep_evidence(sig, ctx, seg, series, PROFILE).values["knee_toe_offset_foot_lengths"]
    # from the bottom to the end of the rep the model's stance foot sits 3 foot lengths
    # back (on the free foot, as in a mannequin clip): its heel no longer matches the
    # outline, and its foot index is far behind the shoe
    jump = np.arange(seg.bottom, seg.end)
    for part in ("heel", "toe", "ankle"):
        sig.xy_px[jump, LEG["left"][part], 0] -= 3 * FOOT_PX * ctx.facing_sign
    series = compute_series(sig, ctx, PROFILE)
    jumped = rep_evidence(sig, ctx, seg, series, PROFILE).values["knee_toe_offset_foot_lengths"]
    assert jumped == pytest.approx(good, abs=0.02)


def test_shoe_tip_unseen_at_the_bottom_is_not_assessable_with_a_reason():
    sig, ctx, seg = side_rep_with_masks(0.0)
    sig.extra["foot_evidence"][seg.bottom - 15:, TIP_X] = np.nan  # the left shoe's tip
    ev = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    assert ev.values["knee_toe_offset_foot_lengths"] is None
    assert "tip of the stance shoe" in ev.reasons["knee_toe_offset_foot_lengths"]


def test_a_tip_at_the_foot_index_of_a_folded_foot_is_not_read():
    """Held-out seed 16 095: the model folded the stance foot to a third of its length at
    the bottom, the tip's search rows fell on the floor's blur, and the outline "ended" at
    the foot index: a knee 0.25 foot lengths behind the toes read 0.10 past them."""
    sig, ctx, seg = side_rep_with_masks(0.0)
    good = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    good = good.values["knee_toe_offset_foot_lengths"]
    rows = np.arange(seg.bottom - 15, len(sig.t_s))  # folded to the end: no tip after it
    heel, toe = (sig.xy_px[rows, LEG["left"][k], 0] for k in ("heel", "toe"))
    folded_toe = heel + 0.35 * (toe - heel)
    sig.xy_px[rows, LEG["left"]["toe"], 0] = folded_toe
    sig.extra["foot_evidence"][rows, TIP_X] = folded_toe / W
    ev = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    assert ev.values["knee_toe_offset_foot_lengths"] is None
    assert "tip of the stance shoe" in ev.reasons["knee_toe_offset_foot_lengths"]
    # unfolded after the rep, the planted shoe's tip seen on both sides is held through
    after = rows[rows > seg.end]
    unfolded = toe[-len(after):]
    sig.xy_px[after, LEG["left"]["toe"], 0] = unfolded
    sig.extra["foot_evidence"][after, TIP_X] = (unfolded + TIP_AHEAD_PX * ctx.facing_sign) / W
    ev = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    assert ev.values["knee_toe_offset_foot_lengths"] == pytest.approx(good, abs=0.02)
    # the same tip ahead of a foot of full length is read as it is
    sig.xy_px[rows, LEG["left"]["toe"], 0] = toe
    ev = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    assert ev.values["knee_toe_offset_foot_lengths"] > good + 0.3


def test_a_planted_shoes_tip_lost_at_the_bottom_is_where_it_was():
    """Held-out seed 54 room phone 118: on a small foot the model's foot index slid back at
    the bottom, the outline's end lay past the search, and every rep was not assessable."""
    sig, ctx, seg = side_rep_with_masks(0.0)
    good = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    good = good.values["knee_toe_offset_foot_lengths"]
    lost = np.arange(seg.bottom - 15, seg.bottom + 15)
    sig.extra["foot_evidence"][lost, TIP_X] = np.nan
    ev = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    assert ev.values["knee_toe_offset_foot_lengths"] == pytest.approx(good, abs=0.01)
    # a foot picked up and set down elsewhere meanwhile: its old tip says nothing
    for part in ("heel", "toe", "ankle"):
        sig.xy_px[lost, LEG["left"][part], 0] += 0.5 * FOOT_PX * ctx.facing_sign
    ev = rep_evidence(sig, ctx, seg, compute_series(sig, ctx, PROFILE), PROFILE)
    assert ev.values["knee_toe_offset_foot_lengths"] is None
