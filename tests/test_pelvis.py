"""Pelvic drop and the tilt proxy (analysis/pelvis.py, pelvis_findings.py) on hand-built reps.

The stick figures of the clinical tests carry the hip landmarks; the waist-line evidence
a pose extraction would add is built here frame by frame with a known angle, so the
geometry (signs per view, stance and facing, baseline, peak and its time, uncertainty,
gating) is pinned without a pose model.
"""

from __future__ import annotations

import numpy as np
import pytest

from clinical_builders import context, front_frame, one_rep, ramp, track
from squatcheck.analysis.findings import assess_rep
from squatcheck.analysis.measurements import compute_series, measure_rep
from squatcheck.analysis.pelvis import (
    drop_short_excursions,
    fill_short_gaps,
    line_height_torso,
    pelvis_series,
    rep_pelvis,
    running_median,
)
from squatcheck.analysis.pelvis_findings import pelvis_findings
from squatcheck.analysis.profile import load_profile
from squatcheck.pose.silhouette import FIELDS
from test_measurements import N_STAND, side_rep

PROFILE = load_profile()
TILT_ON = load_profile(overrides={"pelvic_tilt": {"assess_proxy": True}})
F = {name: i for i, name in enumerate(FIELDS)}


def evidence(image_tilt_deg: np.ndarray, *, height=0.25, contrast=40.0, support=0.7,
             se=0.3, garment=80.0) -> np.ndarray:
    """(T, k) evidence rows with the given image angle (+ = right end lower)."""
    n = len(image_tilt_deg)
    ev = np.full((n, len(FIELDS)), np.nan)
    ev[:, F["band_tilt_deg"]] = image_tilt_deg
    ev[:, F["band_tilt_se_deg"]] = se
    ev[:, F["band_height_torso"]] = height
    ev[:, F["band_contrast"]] = contrast
    ev[:, F["band_support"]] = support
    ev[:, F["garment_contrast"]] = garment
    return ev


def on_the_figure(sig, ev: np.ndarray, height=0.25) -> np.ndarray:
    """``ev`` with the line's centre ``height`` torso lengths up the trunk from the hips."""
    from squatcheck.pose.landmarks import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER

    xy = sig.xy_px
    hips = (xy[:, LEFT_HIP] + xy[:, RIGHT_HIP]) / 2
    centre = hips + height * ((xy[:, LEFT_SHOULDER] + xy[:, RIGHT_SHOULDER]) / 2 - hips)
    w, h = sig.image_size
    ev[:, F["band_x"]], ev[:, F["band_y"]] = centre[:, 0] / w, centre[:, 1] / h
    return ev


def front_rep(*, stance="left", facing="camera", drop=0.0, hip_drop=0.0, offset=2.0,
              **ev_kw):
    """A front-view single-leg rep whose WAIST LINE drops ``drop`` deg (free side down)
    while the hip landmarks drop ``hip_drop`` deg; ``offset`` is the line's standing angle
    (a camera not quite level), which the baseline removes."""
    dr, hd = ramp(N_STAND, 30, 10, drop), ramp(N_STAND, 30, 10, hip_drop)
    hip_y = 500 + ramp(N_STAND, 30, 10, 120)
    frames = [front_frame(facing=facing, stance=stance, drop_deg=b, hip_y=d)
              for b, d in zip(hd, hip_y, strict=True)]
    sig = track(frames)
    left_lower = -dr if stance == "left" else dr  # free side = the other one
    image_right_is_left = 1.0 if facing == "camera" else -1.0
    sig.extra["pelvis_evidence"] = on_the_figure(
        sig, evidence(offset + image_right_is_left * left_lower, **ev_kw),
        ev_kw.get("height", 0.25))
    return sig, context("front", facing=facing), one_rep(sig, stance, N_STAND)


def findings(sig, ctx, seg, profile=PROFILE):
    series = compute_series(sig, ctx, profile)
    m = measure_rep(sig, ctx, seg, series, profile)
    return assess_rep(m, series, sig, ctx, seg, profile), series


@pytest.mark.parametrize("stance", ["left", "right"])
@pytest.mark.parametrize("facing", ["camera", "away"])
def test_drop_read_from_the_waist_line_not_the_hip_landmarks(stance, facing):
    # the hip landmarks show 1.5 deg of a true 9 deg drop, as on the mannequin (FACTS.md)
    found, series = findings(*front_rep(stance=stance, facing=facing, drop=9.0, hip_drop=1.5))
    f = found["pelvic_drop"]
    assert f.present is True and f.value == pytest.approx(9.0, abs=0.05)
    ladder = PROFILE.pelvic_drop
    assert f.severity == ("mild" if 9.0 < ladder.moderate_deg else "moderate"
                          if 9.0 < ladder.severe_deg else "severe")
    assert f.threshold == PROFILE.pelvic_drop.threshold_deg
    assert f.source == PROFILE.pelvic_drop.source
    # uncertainty: fit error, standing spread and the calibrated floor
    assert f.uncertainty == pytest.approx(np.hypot(0.3, PROFILE.pelvis.drop_floor_deg), abs=0.02)
    assert "waistband" in f.reason and "drops up to 9.0 deg" in f.reason
    # when: in the held bottom (rows N_STAND+30 .. +40), as a video frame index
    assert N_STAND + 29 <= f.frame - 100 <= N_STAND + 41
    # the series: + = the subject's LEFT side lower, relative to standing, with a band
    obl = series["pelvic_obliquity_deg"]
    assert obl[: N_STAND - 2] == pytest.approx(0.0, abs=1e-9)
    peak = obl[N_STAND + 35]
    assert peak == pytest.approx(9.0 if stance == "right" else -9.0)
    unc = series["pelvic_obliquity_deg_uncertainty"]
    assert np.isfinite(unc).all() and (unc > 0).all()


THR = PROFILE.pelvic_drop.threshold_deg


@pytest.mark.parametrize("drop, present", [(THR - 0.6, False), (-5.0, False), (THR + 0.6, True)])
def test_small_drops_and_hikes_are_not_raised(drop, present):
    f = findings(*front_rep(drop=drop))[0]["pelvic_drop"]
    assert f.present is present and f.value == pytest.approx(drop, abs=0.05)
    if drop < 0:
        assert "hike" in f.reason


def test_a_one_frame_spike_is_not_a_drop():
    sig, ctx, seg = front_rep(drop=1.0)
    ev = sig.extra["pelvis_evidence"]
    ev[N_STAND + 35, F["band_tilt_deg"]] += 12.0  # the line jumps for one frame
    f = findings(sig, ctx, seg)[0]["pelvic_drop"]
    assert f.present is False and f.value < 2.0


def test_loose_shirt_or_one_colour_outfit_is_not_assessable():
    hem = findings(*front_rep(drop=9.0, height=0.0, garment=4.0))[0]["pelvic_drop"]
    assert hem.present is None and hem.severity == "not_assessable"  # a loose shirt's hem
    assert "loose or long top" in hem.reason and hem.value is None and hem.frame is None
    flat = findings(*front_rep(drop=9.0, garment=5.0))[0]["pelvic_drop"]
    assert flat.present is None and "one colour" in flat.reason
    weak = findings(*front_rep(drop=9.0, contrast=5.0))[0]["pelvic_drop"]
    assert weak.present is None and "not found clearly" in weak.reason


@pytest.mark.parametrize("height, readable", [(0.07, False), (0.14, True)])
def test_an_edge_lower_than_a_waistband_is_a_hem(height, readable):
    """A loose top in another colour than the shorts passes the colour test, and its hem
    is a long straight edge above the hips: but lower than a waistband rides (held-out
    seed 25 phone 013, a loose shirt's hem 0.08-0.10 torso lengths up, read an 18 deg
    posterior tilt for a level pelvis; the real lnewco_bad's T-shirt hem 0.10)."""
    f = findings(*side_tilt_rep(tilt=8.0, height=height), profile=TILT_ON)[0]["pelvic_tilt"]
    assert (f.present is not None) == readable
    if not readable:
        assert "hem of a top" in f.reason and f.value is None


def test_waist_hidden_at_the_bottom_is_not_assessable():
    sig, ctx, seg = front_rep(drop=9.0)
    sig.extra["pelvis_evidence"][N_STAND + 20: N_STAND + 60, F["band_tilt_deg"]] = np.nan
    f = findings(sig, ctx, seg)[0]["pelvic_drop"]
    assert f.present is None and "hidden or unclear at the bottom" in f.reason


def test_short_gaps_are_bridged():
    sig, ctx, seg = front_rep(drop=9.0)
    sig.extra["pelvis_evidence"][N_STAND + 30:: 2, F["band_tilt_deg"]] = np.nan  # every 2nd
    assert findings(sig, ctx, seg)[0]["pelvic_drop"].value == pytest.approx(9.0, abs=0.05)


def test_track_without_evidence_is_not_assessable():
    sig, ctx, seg = front_rep(drop=9.0, hip_drop=9.0)
    sig.extra.clear()
    found, series = findings(sig, ctx, seg)
    assert found["pelvic_drop"].present is None
    assert "no image evidence" in found["pelvic_drop"].reason
    assert np.isnan(series["pelvic_obliquity_deg"]).all()  # the hip line is not shown


def side_tilt_rep(*, tilt=10.0, facing=1, **ev_kw):
    sig, ctx, seg = side_rep(facing=facing, tibia=30.0, knee=80.0, trunk=35.0)
    # + anterior = the line's front end lower: the right end when facing image-right
    sig.extra["pelvis_evidence"] = on_the_figure(
        sig, evidence(-1.0 + facing * ramp(N_STAND, 30, 10, tilt), **ev_kw),
        ev_kw.get("height", 0.25))
    return sig, ctx, seg


TILT_THR = TILT_ON.pelvic_tilt.threshold_deg


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("tilt, present", [(TILT_THR + 3, True), (-TILT_THR - 2, True),
                                           (TILT_THR - 2, False)])
def test_tilt_proxy_signed_by_facing_and_labelled(facing, tilt, present):
    found, series = findings(*side_tilt_rep(tilt=tilt, facing=facing), profile=TILT_ON)
    f = found["pelvic_tilt"]
    assert f.present is present and f.value == pytest.approx(tilt, abs=0.05)
    assert "proxy" in f.unit and f.reason.startswith("Proxy only")
    assert ("anteriorly" in f.reason) == (tilt > 0)
    assert series["pelvic_tilt_proxy_deg"][N_STAND + 35] == pytest.approx(tilt)
    assert np.isfinite(series["pelvic_tilt_proxy_deg_uncertainty"]).all()


def test_tilt_proxy_switch_and_views():
    sig, ctx, seg = side_tilt_rep(tilt=12.0)
    off = load_profile(overrides={"pelvic_tilt": {"assess_proxy": False}})
    f = findings(sig, ctx, seg, profile=off)[0]["pelvic_tilt"]
    assert f.present is None and "assess_proxy" in f.reason
    side = findings(sig, ctx, seg, profile=TILT_ON)[0]
    assert side["pelvic_drop"].present is None and "needs a front view" in side[
        "pelvic_drop"].reason
    front = findings(*front_rep(drop=9.0), profile=TILT_ON)[0]
    assert front["pelvic_tilt"].present is None and "needs a side view" in front[
        "pelvic_tilt"].reason
    sig, _, seg = front_rep(drop=9.0)
    oblique = pelvis_findings(sig, context("oblique", facing="left"), seg,
                              compute_series(sig, context("oblique")), PROFILE)
    assert all(f.present is None and "oblique" in f.reason for f in oblique.values())


def test_double_leg_reports_the_larger_side():
    sig, ctx, seg = front_rep(drop=7.0, stance="left")
    seg = type(seg)(seg.start, seg.bottom, seg.end, "both")
    series = compute_series(sig, ctx, PROFILE)
    rp = rep_pelvis(pelvis_series(sig, ctx, PROFILE), seg, series, PROFILE, 30.0)
    assert rp.value == pytest.approx(7.0, abs=0.05)


def test_gap_filling_and_running_median():
    t = np.arange(10) / 10.0
    x = np.array([0, 1, np.nan, 3, np.nan, np.nan, np.nan, 7, 8, np.nan])
    filled = fill_short_gaps(x, t, max_gap_s=0.25)
    assert filled[2] == pytest.approx(2.0)
    assert np.isnan(filled[4:7]).all() and np.isnan(filled[9])  # too long / no right side
    spike = np.array([0.0, 0.0, 0.0, 9.0, 0.0, 0.0, np.nan])
    med = running_median(spike, np.arange(7) / 10.0, 0.3)
    assert med[3] == 0.0 and np.isnan(med[6])


@pytest.mark.slow
def test_real_clip_with_the_waist_hidden_is_not_assessable(clips_dir, clip_labels,
                                                            tmp_path_factory):
    # tux_hyva_ja_paha: black T-shirt over black shorts, labelled "pelvic_drop": false
    from clip_tracks import TrackCache
    from squatcheck import analyze_track

    name = "tux_hyva_ja_paha.mp4"
    assert clip_labels[name]["findings"]["pelvic_drop"] is False
    track = TrackCache(tmp_path_factory.mktemp("pelvis_clip")).track(clips_dir / name)
    assert "pelvis_evidence" in track.extra
    result = analyze_track(track)
    assert result.view == "front" and result.reps
    for rep in result.reps:
        f = rep.findings["pelvic_drop"]
        assert f.present is None and "waist cannot be seen" in f.reason


@pytest.mark.parametrize("stance, lean, readable", [
    ("left", -12.0, False),   # towards the free (right) side: folds over the free side
    ("left", 12.0, True),     # towards the stance side: cannot fake a drop
    ("right", 12.0, False),
    ("both", 12.0, False),    # both feet down: any lean fakes a tilt
    ("both", 4.0, True),      # under [pelvic_drop] max_lateral_lean_deg
])
def test_sideways_trunk_lean_makes_the_waist_line_unreadable(stance, lean, readable):
    sig, ctx, seg = front_rep(drop=0.0, stance="left" if stance == "both" else stance)
    seg = type(seg)(seg.start, seg.bottom, seg.end, stance)
    series = compute_series(sig, ctx, PROFILE)
    n = len(sig.t_s)
    series["lateral_trunk_lean_deg"] = ramp(N_STAND, 30, 10, lean)[:n]
    rp = rep_pelvis(pelvis_series(sig, ctx, PROFILE), seg, series, PROFILE, 30.0)
    if readable:
        assert rp.value == pytest.approx(0.0, abs=0.05)
    else:
        assert rp.value is None and "leans" in rp.reason


@pytest.mark.parametrize("drop", [0.0, 9.0])
def test_a_lean_towards_the_stance_leg_leaves_the_drop_unreadable(drop):
    """15 deg towards the stance leg folds that flank over the band, and the fold passes for
    the band's line either way (held-out synthetic sets: 10 deg drops read 1-2 deg, level
    pelvises 3.5-5.8 deg drops): whatever is read, the rep is not assessable."""
    sig, ctx, seg = front_rep(drop=drop, stance="left")
    series = compute_series(sig, ctx, PROFILE)
    series["lateral_trunk_lean_deg"] = ramp(N_STAND, 30, 10, 15.0)[:len(sig.t_s)]
    rp = rep_pelvis(pelvis_series(sig, ctx, PROFILE), seg, series, PROFILE, 30.0)
    assert rp.value is None and "towards the stance leg" in rp.reason


@pytest.mark.parametrize("jump_deg, readable", [(1.0, True), (16.0, False)])
def test_a_line_jumping_between_frames_at_the_bottom_is_not_the_waist(jump_deg, readable):
    """Edges taking turns (the thighs over the band in a deep squat, a fold of the top)
    make the angle jump between successive readings; the pelvis turns smoothly. A real
    clip (nowva_squats) jumped a median 11 deg and read a 4 deg tilt for a level pelvis.
    Here most readings are brief excursions from the ones around them: dropping them all
    would leave a smooth but arbitrary subset, read 9 deg for 5."""
    sig, ctx, seg = front_rep(drop=5.0)
    ev = sig.extra["pelvis_evidence"]
    rows = np.arange(seg.start, seg.end + 1)
    jumps = np.random.default_rng(3).uniform(-0.5, 0.5, rows.size)
    ev[rows, F["band_tilt_deg"]] += jump_deg * jumps
    rp = rep_pelvis(pelvis_series(sig, ctx, PROFILE), seg, compute_series(sig, ctx, PROFILE),
                    PROFILE, 30.0)
    if readable:
        assert rp.value == pytest.approx(5.0, abs=0.6)
    else:
        assert rp.value is None and "jumps" in rp.reason


@pytest.mark.parametrize("lean_deg", [0.0, 30.0, 55.0])
@pytest.mark.parametrize("tilt_deg", [0.0, 12.0])
def test_the_lines_height_above_the_hips_ignores_the_trunks_lean(lean_deg, tilt_deg):
    """Hips and band are both on the pelvis: the line's distance from the hips, square to
    it, is the same however far the trunk leans (side view, facing image-right)."""
    from types import SimpleNamespace

    from squatcheck.pose.landmarks import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER

    torso, w, h = 200.0, 640, 480
    hip = np.array([300.0, 300.0])
    lean = np.radians(lean_deg)
    xy = np.full((1, 33, 2), np.nan)
    xy[0, [LEFT_HIP, RIGHT_HIP]] = hip
    xy[0, [LEFT_SHOULDER, RIGHT_SHOULDER]] = hip + torso * np.array([np.sin(lean), -np.cos(lean)])
    # the band 0.25 torso lengths from the hips, square to it, tilted with the pelvis
    t = np.radians(tilt_deg)
    centre = hip - 0.25 * torso * np.array([-np.sin(t), np.cos(t)])
    ev = evidence(np.array([tilt_deg]))
    ev[0, F["band_x"]], ev[0, F["band_y"]] = centre[0] / w, centre[1] / h
    sig = SimpleNamespace(image_size=(w, h), xy_px=xy)
    assert line_height_torso(sig, ev)[0] == pytest.approx(0.25, abs=1e-9)


def test_a_short_excursion_is_dropped_but_a_ramp_and_a_new_level_are_kept():
    nan = np.nan
    x = np.array([1.0, 1.2, nan, 15.0, nan, 1.1, 1.3, 4.0, 7.0, 10.0, 10.2, 10.1])
    t = np.arange(len(x)) / 15.0  # readings at 15 Hz
    out = drop_short_excursions(x, t, 3.0, 0.3)
    assert np.isnan(out[3])  # 15 between 1.2 and 1.1: another edge for one frame
    keep = np.isfinite(x) & (np.arange(len(x)) != 3)
    assert np.array_equal(out[keep], x[keep])  # the ramp 1.3 -> 10 and its plateau stay
    # held-out seed 28 phone 014 (its readings, deg): the shading across a belly for three
    # readings; a longer stretch at a new level is not an excursion
    x = np.array([0.3, 0.1, 0.2, 0.2, 16.2, 15.8, 16.1, -0.4, 1.3, -0.4])
    out = drop_short_excursions(x, np.arange(len(x)) / 15.0, 3.0, 0.3)
    assert np.isnan(out[4:7]).all() and np.isfinite(np.delete(out, [4, 5, 6])).all()
    # seed 11 026: another edge taking turns with the band; the band's readings stay
    x = np.array([-7.1, -7.9, -7.6, 14.6, 14.6, -7.6, 14.6, -7.8, -8.0, -8.2])
    out = drop_short_excursions(x, np.arange(len(x)) / 15.0, 3.0, 0.3)
    assert np.array_equal(np.isnan(out), x > 0)
    x = np.r_[[0.2] * 4, [16.0] * 8, [0.2] * 4]  # 0.5 s away
    out = drop_short_excursions(x, np.arange(len(x)) / 15.0, 3.0, 0.3)
    assert np.array_equal(out, x)


def test_a_line_tilted_further_than_a_pelvis_turns_is_another_edge():
    """A raised thigh's outline found for a few frames at 30 deg from level (a room-lit
    mannequin read a 17.8 deg drop that way): a pelvis does not drop that far in a squat."""
    sig, ctx, seg = front_rep(drop=5.0)
    ev = sig.extra["pelvis_evidence"]
    ev[seg.bottom - 4: seg.bottom + 5, F["band_tilt_deg"]] -= 30.0  # the free side down
    rp = rep_pelvis(pelvis_series(sig, ctx, PROFILE), seg, compute_series(sig, ctx, PROFILE),
                    PROFILE, 30.0)
    assert rp.value == pytest.approx(5.0, abs=0.5)  # the frames around it (35 without)


@pytest.mark.parametrize("garment_scale, readable", [(1.8, True), (1.0, False)])
def test_a_band_stronger_at_the_bottom_is_the_band_when_the_garments_changed_alike(
        garment_scale, readable):
    """At the bottom a phone above the body lit a dark top over grey shorts differently:
    the band's contrast doubled with the garments' own colour difference (held-out seed 20
    phone 014, seed 23 phone 051, 066: 2.1-2.5x, 9-12 deg drops "hidden"). An edge twice as
    strong while the garments look as before is another edge."""
    sig, ctx, seg = front_rep(drop=9.0)
    ev = sig.extra["pelvis_evidence"]
    bottom = slice(N_STAND, N_STAND + 60)
    ev[bottom, F["band_contrast"]] *= 2.2
    ev[bottom, F["garment_contrast"]] *= garment_scale
    f = findings(sig, ctx, seg)[0]["pelvic_drop"]
    if readable:
        assert f.present is True and f.value == pytest.approx(9.0, abs=0.5)
    else:
        assert f.present is None and "hidden or unclear at the bottom" in f.reason


def test_tracks_made_before_the_flank_field_still_read():
    sig, ctx, seg = front_rep(drop=9.0)
    sig.extra["pelvis_evidence"] = sig.extra["pelvis_evidence"][:, :9]  # older tracks
    assert findings(sig, ctx, seg)[0]["pelvic_drop"].value == pytest.approx(9.0, abs=0.05)


@pytest.mark.parametrize("hand_offset_torso, covered", [(0.05, True), (0.4, False)])
def test_hands_in_front_of_the_waist_hide_it(hand_offset_torso, covered):
    """Clasped hands make their own edge across the belly (a real clip); hands on the
    hips, beside the line, do not stop the reading."""
    from squatcheck.pose.landmarks import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER

    sig, ctx, seg = front_rep(drop=9.0)
    xy = sig.xy_px
    hips = (xy[:, LEFT_HIP] + xy[:, RIGHT_HIP]) / 2
    torso = np.linalg.norm((xy[:, LEFT_SHOULDER] + xy[:, RIGHT_SHOULDER]) / 2 - hips, axis=1)
    centre = hips - np.stack([np.zeros_like(torso), 0.25 * torso], axis=1)  # the band
    w, h = sig.image_size
    ev = sig.extra["pelvis_evidence"]
    ev[:, F["band_x"]], ev[:, F["band_y"]] = centre[:, 0] / w, centre[:, 1] / h
    xy[:, 15:23] = (centre + np.stack([hand_offset_torso * torso, 0 * torso], axis=1))[:, None]
    drop = findings(sig, ctx, seg)[0]["pelvic_drop"]
    if covered:
        assert drop.present is None and "hands are held in front of the waist" in drop.reason
    else:
        assert drop.present is True and drop.value == pytest.approx(9.0, abs=0.5)


def test_from_the_side_hands_on_the_hips_hide_the_waist_and_the_advice_says_so():
    """From the side a hand on the hip lies over the waistband (the mannequin with its hands
    on its hips, seed 64: every side rep); the advice must not be "hands on the hips"."""
    sig, ctx, seg = side_tilt_rep(tilt=12.0)
    w, h = sig.image_size
    ev = sig.extra["pelvis_evidence"]
    centre = np.stack([ev[:, F["band_x"]] * w, ev[:, F["band_y"]] * h], axis=1)
    sig.xy_px[:, 15:23] = centre[:, None]
    tilt = findings(sig, ctx, seg, profile=TILT_ON)[0]["pelvic_tilt"]
    assert tilt.present is None and "hide it from the side" in tilt.reason
    assert "hands on the hips" not in tilt.reason and "arms held forward" in tilt.reason


def test_no_pelvic_number_is_reported_beside_not_assessable():
    from squatcheck.analysis.pipeline import measure_one

    def reported(sig, ctx, seg):
        series = compute_series(sig, ctx, PROFILE)
        rep = measure_one(sig, ctx, seg, series, PROFILE, index=0)
        return rep.findings["pelvic_drop"], rep.measurements

    found, values = reported(*front_rep(drop=9.0))
    assert found.present and values["pelvic_drop_deg"] == pytest.approx(9.0, abs=0.5)
    sig, ctx, seg = front_rep(drop=9.0)
    sig.extra["pelvis_evidence"][N_STAND + 20: N_STAND + 60, F["band_tilt_deg"]] = np.nan
    sig.extra["pelvis_evidence"][N_STAND + 24, F["band_tilt_deg"]] = 9.0  # one stray frame
    found, values = reported(sig, ctx, seg)
    assert found.present is None
    assert values["pelvic_drop_deg"] is None and values["pelvic_obliquity_deg"] is None
