"""A body turned from a front camera: knees leaning opposite ways, or feet pointing aside,
set its frontal angles aside (analysis/turned_body.py); the live setup screen asks it to
turn (tests/test_live_parts.py)."""

from __future__ import annotations

import numpy as np
import pytest

from squatcheck import analyze_track
from squatcheck.analysis.rep_evidence import RepEvidence
from squatcheck.analysis.turned_body import opposite_knees_reason, without_frontal_angles
from stick_figure import squat_track

NOISE_DEG = 8.5


def _rep(left: float | None, right: float | None, lean: float = 3.0) -> RepEvidence:
    values = {"fppa_deg_left": left, "fppa_deg_right": right, "lateral_trunk_lean_deg": lean,
              "fppa_deg": max(v for v in (left, right) if v is not None)}
    return RepEvidence(leg="left", bottom_row=0, values=values)


@pytest.mark.parametrize("reps", [
    [_rep(19.0, -22.0)] * 3,                          # both feet, turned
    [_rep(12.0, None), _rep(None, -11.0), _rep(12.7, None)],  # each leg in turn
])
def test_knees_leaning_opposite_ways_are_a_turned_body(reps):
    reason = opposite_knees_reason(reps, NOISE_DEG)
    assert reason is not None and "turned from the camera" in reason


@pytest.mark.parametrize("reps", [
    [_rep(20.0, 5.0)] * 3,            # one knee caving in: a finding, not the camera
    [_rep(-36.0, -16.0)] * 2,         # a wide squat, both knees out (real lnewco_bad)
    [_rep(19.0, -7.5)] * 3,           # the varus knee within the noise
    [_rep(18.0, None)] * 3,           # one leg only: nothing to compare
])
def test_knees_that_agree_or_one_knee_are_read(reps):
    assert opposite_knees_reason(reps, NOISE_DEG) is None


def test_set_aside_clears_the_frontal_angles_with_the_reason():
    rep = _rep(19.0, -22.0)
    cleared = without_frontal_angles(rep, "turned")
    for key in ("fppa_deg", "fppa_deg_left", "lateral_trunk_lean_deg"):
        assert cleared.values[key] is None and cleared.reasons[key] == "turned"
    assert rep.values["fppa_deg_left"] == 19.0  # later reps are checked against it


@pytest.mark.parametrize("yaw_deg", [-12.0, 8.0, 12.0])
def test_a_turned_double_leg_squat_says_why_knee_valgus_is_not_assessed(yaw_deg):
    # the stick figure has no valgus; turned 8-12 deg it stays a front view
    result = analyze_track(squat_track(yaw_deg=yaw_deg, stances=("both",) * 3)[0])
    assert result.view == "front" and len(result.reps) == 3
    for rep in result.reps:
        valgus = rep.findings["knee_valgus"]
        assert valgus.present is None and "turned from the camera" in valgus.reason
        assert rep.findings["trunk_lean"].present is None
    assert any("Knee, pelvis and sideways trunk angles not assessed" in n
               for n in result.all_notes())
    # the pelvis's forward tilt leaks into the waist line the same way
    assert all("turned from the camera" in r.findings["pelvic_drop"].reason for r in result.reps)


def test_a_square_on_double_leg_squat_keeps_its_knee_angles():
    result = analyze_track(squat_track(yaw_deg=0.0, stances=("both",) * 3)[0])
    assert result.view == "front"
    for rep in result.reps:
        assert rep.findings["knee_valgus"].present is False
        assert rep.measurements["fppa_deg_left"] is not None


def test_live_reps_set_the_angles_aside_as_offline():
    from test_incremental import _feed

    track, _ = squat_track(yaw_deg=12.0, stances=("both",) * 3)
    events, tail = _feed(track)
    reps = [e.rep for e in events] + [e.rep for e in tail]
    assert len(reps) == 3
    assert all(r.findings["knee_valgus"].present is None for r in reps)


def _feet_turn(track) -> float:
    from squatcheck.analysis.pipeline import clip_context
    from squatcheck.analysis.profile import default_profile
    from squatcheck.analysis.turned_body import profile_feet_turn_deg
    from squatcheck.signals import SignalSettings, clean_track

    profile = default_profile()
    sig, _ = clean_track(track, SignalSettings.from_profile(profile))
    return profile_feet_turn_deg(sig, clip_context(sig, profile).ctx, profile)


def test_the_feet_show_which_way_and_how_far_the_body_is_turned():
    # a first rep on both feet gives the standing rows with both feet down
    reps = ("both", "left", "left")
    square = _feet_turn(squat_track(yaw_deg=0.0, stances=reps)[0])
    left = _feet_turn(squat_track(yaw_deg=15.0, stances=reps)[0])
    right = _feet_turn(squat_track(yaw_deg=-15.0, stances=reps)[0])
    assert abs(square) < 1.0
    assert 11.0 < abs(left) < 17.0 and 11.0 < abs(right) < 17.0
    assert np.sign(left) == -np.sign(right)
    # on one leg throughout the free foot's toe hangs anywhere: not read
    assert np.isnan(_feet_turn(squat_track(yaw_deg=15.0, stances=("left",) * 2)[0]))


def test_a_turned_single_leg_squat_says_why_knee_valgus_is_not_assessed():
    # the single-leg reps have no second knee to compare, but the feet pointed aside
    reps = ("both", "left", "left")
    turned = analyze_track(squat_track(yaw_deg=18.0, stances=reps)[0])
    square = analyze_track(squat_track(yaw_deg=0.0, stances=reps)[0])
    assert turned.view == square.view == "front"
    assert all(r.findings["knee_valgus"].present is None
               and "the feet pointed" in r.findings["knee_valgus"].reason for r in turned.reps)
    assert all(r.findings["knee_valgus"].present is not None for r in square.reps)
