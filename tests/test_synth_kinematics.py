"""The mannequin's motion is physically consistent and its faults have the requested size."""

from __future__ import annotations

import numpy as np
import pytest

from squatcheck.synth.body import BodySpec, Segments
from squatcheck.synth.faults import (
    FAULTS,
    GUARD_BANDS,
    LABEL_CRITERIA,
    clear_of_label,
    label_findings,
    label_level,
    parse_fault,
)
from squatcheck.synth.kinematics import forward_kinematics
from squatcheck.synth.measures import FPPA_MIN_THIGH_FRACTION, frontal_thigh_fraction, measure
from squatcheck.synth.motion import MotionSpec, Tempo, build_timeline, rep_truth, standing_pose

FPS = 20.0
BODIES = [BodySpec(height_m=1.55, leg_ratio=0.95, girth=0.9), BodySpec(height_m=1.92, girth=1.2)]


def frames(seg, motion):
    tl = build_timeline(seg, motion)
    t = np.arange(0, tl.duration_s, 1 / FPS)
    return tl, t, [forward_kinematics(seg, tl.pose_at(ti)) for ti in t]


def sls(stances=("left", "left"), faults=None, **kw):
    return MotionSpec(exercise="single_leg_squat", stances=tuple(stances),
                      rep_faults=tuple(dict(faults or {}) for _ in stances), **kw)


def dls(faults=None, reps=2):
    return MotionSpec(exercise="double_leg_squat", stances=("both",) * reps,
                      rep_faults=tuple(dict(faults or {}) for _ in range(reps)))


def track(sks, name):
    return np.stack([sk.points[name] for sk in sks])


def bottom_truth(seg, motion, rep=0):
    tl = build_timeline(seg, motion)
    return rep_truth(seg, motion, tl, rep, tl.reps[rep]["bottom_s"])


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("motion", [sls(("left", "right"), {"knee_valgus": 15.0, "heel_lift": 3.0},
                                        free_leg="behind"),
                                    dls({"quad_dominant": 25.0})])
def test_segment_lengths_stay_constant(body, motion):
    seg = Segments.of(body)
    _, _, sks = frames(seg, motion)
    for s in "lr":
        for a, b, want in [("hip", "knee", seg.thigh), ("knee", "ankle", seg.shank),
                           ("heel", "ankle", None), ("ankle", "ball", None)]:
            length = np.linalg.norm(track(sks, f"{a}_{s}") - track(sks, f"{b}_{s}"), axis=1)
            assert np.ptp(length) < 1e-9
            if want is not None:
                assert length[0] == pytest.approx(want)
    hip_width = np.linalg.norm(track(sks, "hip_l") - track(sks, "hip_r"), axis=1)
    assert np.allclose(hip_width, seg.hip_width)
    trunk = np.linalg.norm(track(sks, "shoulder_mid") - track(sks, "waist"), axis=1)
    assert np.allclose(trunk, seg.thorax)


def test_stance_foot_stays_planted_without_heel_lift():
    seg = Segments.of(BODIES[0])
    tl, t, sks = frames(seg, sls(("right", "right", "right"), {"knee_past_toes": 0.4}))
    for name in ("ball_r", "toe_r", "heel_r"):
        pts = track(sks, name)
        assert np.abs(pts - pts[0]).max() < 1e-9, name
    single = (t > tl.standing_s[1][0])  # after the free leg lifted
    assert track(sks, "toe_l")[single, 2].min() > 0.08  # free foot clearly off the floor


def test_heel_lifts_only_when_asked_and_toes_stay_down():
    seg = Segments.of(BODIES[1])
    tl, t, sks = frames(seg, sls(faults={"heel_lift": 3.0}))
    heel, toe = track(sks, "heel_l"), track(sks, "toe_l")
    rise_cm = (heel[:, 2] - heel[0, 2]) * 100
    assert rise_cm.max() == pytest.approx(3.0, abs=0.05)
    assert np.abs(toe - toe[0]).max() < 1e-9
    for a, b in tl.standing_s:  # flat whenever standing
        assert np.abs(rise_cm[(t >= a) & (t <= b)]).max() < 1e-6


def test_double_leg_squat_keeps_both_feet_planted():
    seg = Segments.of(BODIES[1])
    _, _, sks = frames(seg, dls({"knee_valgus": 15.0, "trunk_lean": 50.0}))
    for name in ("ball_l", "ball_r", "toe_l", "toe_r", "heel_l", "heel_r"):
        pts = track(sks, name)
        assert np.abs(pts - pts[0]).max() < 1e-9, name
    assert track(sks, "ball_l")[0, 1] > track(sks, "ball_r")[0, 1]  # left foot at +y


def test_free_foot_never_hangs_beside_the_stance_foot():
    seg = Segments.of(BODIES[0])
    for free_leg in ("forward", "behind"):
        tl, t, sks = frames(seg, sls(("left", "left", "right"), free_leg=free_leg))
        for rep in tl.reps:  # during every rep the free ankle stays well above the floor
            free = "r" if rep["stance"] == "left" else "l"
            in_rep = (t >= rep["start_s"]) & (t <= rep["end_s"])
            assert track(sks, f"ankle_{free}")[in_rep, 2].min() > 0.18, free_leg


@pytest.mark.parametrize("fault, value, key, sign, tol", [
    ("knee_past_toes", 0.35, "knee_toe_offset_foot_lengths", 1, 0.005),
    ("heel_lift", 2.5, "heel_rise_cm", 1, 0.02),
    ("pelvic_drop", 8.0, "pelvic_drop_deg", 1, 0.05),
    ("pelvic_drop", -4.0, "pelvic_drop_deg", 1, 0.05),
    ("pelvic_tilt", 10.0, "pelvic_tilt_deg", 1, 0.05),
    ("pelvic_tilt", -8.0, "pelvic_tilt_deg", 1, 0.05),
    ("knee_valgus", 18.0, "fppa_deg", 1, 0.05),
    ("trunk_lean", 52.0, "trunk_inclination_deg", 1, 0.05),
    ("lateral_trunk_lean", 12.0, "lateral_trunk_lean_deg", 1, 0.05),
    ("quad_dominant", 25.0, "trunk_tibia_diff_deg", -1, 0.05),  # tibia leans 25 deg more
    ("hip_dominant", 28.0, "trunk_tibia_diff_deg", 1, 0.05),
])
@pytest.mark.parametrize("stance", ["left", "right"])
def test_fault_magnitude_is_measured_back(fault, value, key, sign, tol, stance):
    seg = Segments.of(BODIES[stance == "right"])
    truth = bottom_truth(seg, sls((stance,), {fault: value}, free_leg="forward"))
    assert truth[key] == pytest.approx(sign * value, abs=tol)


def test_a_deep_squat_has_its_fppa_read_where_the_thigh_still_shows_half_its_length():
    seg = Segments.of(BODIES[1])
    motion = dls({"knee_valgus": 17.5}, reps=1)
    tl = build_timeline(seg, motion)
    t = rep_truth(seg, motion, tl, 0, tl.reps[0]["bottom_s"])
    neutral = forward_kinematics(seg, standing_pose(seg, motion, "both", single=False))
    bottom = forward_kinematics(seg, tl.pose_at(tl.reps[0]["bottom_s"]))
    read = forward_kinematics(seg, tl.fppa_poses[0])
    assert frontal_thigh_fraction(bottom, neutral) < FPPA_MIN_THIGH_FRACTION - 0.1
    assert frontal_thigh_fraction(read, neutral) == pytest.approx(FPPA_MIN_THIGH_FRACTION,
                                                                  abs=0.005)
    # the requested valgus is there where FPPA means something; at the bottom the thigh
    # pointing at the camera inflates the projected angle on its own
    assert t["fppa_deg"] == pytest.approx(17.5, abs=0.05)
    assert t["fppa_knee_flexion_deg"] < t["knee_flexion_deg"] - 10
    assert t["fppa_bottom_deg"] > t["fppa_deg"] + 5


def test_a_single_leg_squat_has_its_fppa_read_at_the_bottom():
    seg = Segments.of(BODIES[0])
    t = bottom_truth(seg, sls(("right",), {"knee_valgus": 16.0}))
    assert t["fppa_knee_flexion_deg"] == pytest.approx(t["knee_flexion_deg"])
    assert t["fppa_deg"] == t["fppa_bottom_deg"] == pytest.approx(16.0, abs=0.05)


def test_combined_faults_all_hit_their_targets():
    seg = Segments.of(BODIES[0])
    faults = {"pelvic_drop": 9.0, "knee_valgus": 16.0, "heel_lift": 3.0, "knee_past_toes": 0.3,
              "lateral_trunk_lean": 6.0}
    t = bottom_truth(seg, sls(("right",), faults))
    assert t["pelvic_drop_deg"] == pytest.approx(9.0, abs=0.05)
    assert t["fppa_deg"] == pytest.approx(16.0, abs=0.05)
    assert t["heel_rise_cm"] == pytest.approx(3.0, abs=0.05)
    assert t["knee_toe_offset_foot_lengths"] == pytest.approx(0.3, abs=0.01)
    assert t["lateral_trunk_lean_deg"] == pytest.approx(6.0, abs=0.05)


@pytest.mark.parametrize("motion", [sls(("left",)), sls(("right",), free_leg="behind"), dls()])
def test_clean_squats_are_clearly_below_every_label_criterion(motion):
    seg = Segments.of(BODIES[0])
    t = bottom_truth(seg, motion)
    found = label_findings(t, motion.double)
    # the front of the knee comes up to the shoe tip (the joint centre 0.25 foot lengths
    # behind it), clear of the knee-past-toes level by more than its guard band
    assert not any(found.values())
    level, band = LABEL_CRITERIA["knee_past_toes"][1], GUARD_BANDS["knee_past_toes"]
    assert -0.3 <= t["knee_toe_offset_foot_lengths"] <= level - band
    assert abs(t["fppa_deg"]) < 5 and t["heel_rise_cm"] == pytest.approx(0, abs=1e-6)
    assert 20 <= t["trunk_inclination_deg"] <= 35
    assert t["knee_flexion_deg"] > 60 and t["depth_hip_drop_leg_lengths"] > 0.1


def test_quad_dominant_pattern_has_its_features():
    seg = Segments.of(BODIES[1])
    t = bottom_truth(seg, dls({"quad_dominant": FAULTS["quad_dominant"].default}))
    found = label_findings(t, double=True)
    assert found["quad_dominant"] and found["knee_past_toes"] and found["heel_lift"]
    assert not found["trunk_lean"] and t["trunk_inclination_deg"] < 20


def test_leg_switch_and_rep_stances():
    seg = Segments.of(BODIES[0])
    tl, t, sks = frames(seg, sls(("left", "right", "right"), tempo=Tempo().scaled(0.7)))
    assert [r["stance"] for r in tl.reps] == ["left", "right", "right"]
    # during rep 1 the right foot is free, during rep 2 the left one
    r0, r1 = tl.reps[0], tl.reps[1]
    in0 = (t >= r0["start_s"]) & (t <= r0["end_s"])
    in1 = (t >= r1["start_s"]) & (t <= r1["end_s"])
    assert track(sks, "toe_r")[in0, 2].min() > 0.08 and track(sks, "toe_l")[in1, 2].min() > 0.08
    # positions are continuous through the switch (no jump when the root foot changes)
    steps = np.linalg.norm(np.diff(track(sks, "pelvis"), axis=0), axis=1)
    assert steps.max() < 0.05


@pytest.mark.parametrize("phase", ["descent", "ascent"])
def test_a_halting_rep_stops_where_asked_and_reaches_the_same_bottom(phase):
    seg = Segments.of(BODIES[0])
    plain = sls(("left",))
    halting = sls(("left",), halt_s=1.0, halt_at=0.4, halt_phase=phase)
    tl, t, sks = frames(seg, halting)
    rep = tl.reps[0]
    assert rep["halt"] == {"phase": phase, "at": 0.4, "s": 1.0}
    assert rep["end_s"] - rep["start_s"] == pytest.approx(
        build_timeline(seg, plain).reps[0]["end_s"] - build_timeline(seg, plain).reps[0]
        ["start_s"] + 1.0, abs=1e-3)
    pelvis = track(sks, "pelvis")[:, 2]
    inside = (t >= rep["start_s"]) & (t <= rep["end_s"])
    speed = np.abs(np.diff(pelvis)) * FPS
    # still for most of a second on the way, at a height between standing and the bottom
    still = inside[1:] & (speed < 1e-4)
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, still.astype(int), 0])))[::2]
    assert runs.max() >= 0.8 * FPS
    where = pelvis[1:][still]
    bottom = pelvis[inside].min()
    assert bottom + 0.1 * (pelvis[0] - bottom) < where.mean() < pelvis[0] - 0.1 * (
        pelvis[0] - bottom)
    assert bottom_truth(seg, halting) == bottom_truth(seg, plain)


def test_a_halt_must_lie_between_standing_and_the_bottom():
    for kw in ({"halt_s": 1.0, "halt_at": 1.0}, {"halt_s": -1.0},
               {"halt_s": 1.0, "halt_phase": "sideways"}):
        with pytest.raises(ValueError):
            sls(("left",), **kw)


@pytest.mark.parametrize("text, want", [("heel_lift=3cm", ("heel_lift", 3.0)),
                                        ("heel_lift=25mm", ("heel_lift", 2.5)),
                                        ("knee_valgus", ("knee_valgus", 20.0)),
                                        ("pelvic-drop=-3deg", ("pelvic_drop", -3.0)),
                                        ("knee_past_toes=0.3", ("knee_past_toes", 0.3))])
def test_parse_fault(text, want):
    assert parse_fault(text) == want


@pytest.mark.parametrize("text", ["heel_lift=3deg", "wobble", "knee_valgus=lots", "heel_lift=-2",
                                  "knee_past_toes=2"])
def test_parse_fault_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_fault(text)


def test_motion_spec_rejects_impossible_requests():
    with pytest.raises(ValueError):
        dls({"pelvic_drop": 5.0})
    with pytest.raises(ValueError):
        MotionSpec(exercise="single_leg_squat", stances=("both",), rep_faults=({},))


def test_clear_of_label_moves_a_magnitude_out_of_the_guard_band():
    # valgus labelled at 13.5 deg with a 4 deg band; knee-toe at -0.10 with 0.10
    assert clear_of_label("knee_valgus", 15.0, above=True) == pytest.approx(17.5)
    assert clear_of_label("knee_valgus", 22.0, above=True) == pytest.approx(22.0)
    assert clear_of_label("knee_past_toes", -0.15, above=False) == pytest.approx(-0.20)
    assert clear_of_label("quad_dominant", 10.0, above=True) == pytest.approx(13.0)
    assert clear_of_label("hip_dominant", 5.0, above=True) == 5.0  # no label of its own


def test_benchmark_plan_keeps_every_fault_clear_of_its_label():
    from squatcheck.synth.benchset import plan_set

    checked = 0
    for name, spec in plan_set(60, seed=11):
        above = name.split("_")[3] == "above"
        for faults in spec.motion.rep_faults:
            for fault, value in faults.items():
                if fault not in GUARD_BANDS:
                    continue
                level = label_level(fault)
                gap = (value - level) if above else (level - value)
                assert gap >= GUARD_BANDS[fault] - 1e-9, (name, fault, value)
                checked += 1
    assert checked > 50


def test_a_phone_camera_frames_the_same_clip_from_nearer_with_a_wide_lens():
    """``--phone``: 63-72 deg across the long side; the body framed to the same share of
    the image, so the camera stands 1.3-2.7 m away. Nothing else about the clip changes."""
    from dataclasses import replace

    from squatcheck.synth.benchset import plan_set

    for (name, spec), (name2, phone) in zip(plan_set(10, seed=11),
                                            plan_set(10, seed=11, phone=True), strict=True):
        assert name == name2 and phone.motion == spec.motion and phone.body == spec.body
        cam = phone.camera
        fov = np.degrees(2 * np.arctan(max(cam.width, cam.height) / 2 / cam.focal_px))
        assert 63.0 <= fov <= 72.0
        assert 1.2 < cam.distance_m < 2.8 < spec.camera.distance_m
        # the body fills the same share of the image height as with the long lens
        long_lens = replace(spec.camera, focal_px=None)
        assert cam.focal_px * 1.02 * spec.body.height_m / cam.distance_m == pytest.approx(
            long_lens.fill * long_lens.height, rel=1e-3)


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("motion", [sls(), dls()])
@pytest.mark.parametrize("held", ["hips", "crossed"])
def test_arms_held_stay_in_place_with_arms_of_their_length(body, motion, held):
    """The clinic's single-leg squat with the hands on the hips (each wrist on its side of
    the pelvis-fixed waist, the elbow out beyond the shoulder) or the arms folded on the
    chest (each wrist in front of the chest past the midline, the elbow below the
    shoulder), all through the squat."""
    from dataclasses import replace

    seg = Segments.of(body)
    _, _, sks = frames(seg, replace(motion, arms=held))
    for s, sign in (("l", 1.0), ("r", -1.0)):
        upper = np.linalg.norm(track(sks, f"elbow_{s}") - track(sks, f"shoulder_{s}"), axis=1)
        fore = np.linalg.norm(track(sks, f"wrist_{s}") - track(sks, f"elbow_{s}"), axis=1)
        assert np.allclose(upper, seg.upper_arm) and np.allclose(fore, seg.forearm)
        for sk in sks:
            rt = sk.frames["thorax"]
            elbow = rt.T @ (sk.points[f"elbow_{s}"] - sk.points["shoulder_mid"])
            if held == "hips":
                local = sk.frames["pelvis"].T @ (sk.points[f"wrist_{s}"] - sk.points["waist"])
                assert abs(local[0]) < 0.05 and abs(local[2]) < 0.02  # beside the waist
                assert sign * local[1] == pytest.approx(0.142 * seg.girth + 0.025, abs=0.01)
                assert sign * elbow[1] > seg.shoulder_width / 2 + 0.05  # out to the side
            else:
                local = rt.T @ (sk.points[f"wrist_{s}"] - sk.points["waist"])
                assert local[0] > 0.108 * seg.girth  # in front of the chest
                assert sign * local[1] < 0  # past the midline
                assert elbow[2] < -0.1  # hanging below the shoulders


def test_touch_and_go_reps_run_into_each_other_and_a_switch_of_legs_still_stands():
    from dataclasses import replace

    seg = Segments.of(BODIES[0])
    touch = Tempo(between_s=0.0)
    tl = build_timeline(seg, sls(("left", "left", "right"), tempo=touch))
    first, second, third = tl.reps
    assert second["start_s"] == first["end_s"]  # no standing between reps on one leg
    assert third["start_s"] > second["end_s"] + touch.stand_s  # the switch: down, up, stand
    paused = build_timeline(seg, sls(("left", "left"), tempo=replace(touch, between_s=0.8)))
    assert paused.reps[1]["start_s"] == pytest.approx(paused.reps[0]["end_s"] + 0.8)
    assert not any(a == b for a, b in tl.standing_s)  # no empty standing spans


def test_a_short_return_turns_round_with_the_knee_still_bent_and_the_last_rep_stands():
    seg = Segments.of(BODIES[0])
    spec = sls(("left", "left", "left", "right"), tempo=Tempo(between_s=0.0), return_share=0.6)
    tl = build_timeline(seg, spec)
    neutral = forward_kinematics(seg, tl.pose_at(tl.reps[0]["start_s"] - 0.1))

    def knee_deg(t: float) -> float:
        return measure(forward_kinematics(seg, tl.pose_at(t)), neutral, seg)["knee_flexion_deg"]

    bottom = knee_deg(tl.reps[0]["bottom_s"])
    first, second, third, _ = tl.reps
    assert knee_deg(first["end_s"]) == pytest.approx(0.4 * bottom, abs=3.0)
    assert second["start_s"] == first["end_s"]
    assert knee_deg(third["end_s"] + 0.01) < 3.0  # the last rep on the left leg stands
    assert not any(a < first["end_s"] < b for a, b in tl.standing_s)
    with pytest.raises(ValueError):
        sls(("left",), return_share=0.1)
