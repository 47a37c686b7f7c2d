"""Overlay annotators and the per-frame timeline, on the hand-made analysis (no video needed)."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from squatcheck.pose.landmarks import LEFT_FOOT_INDEX, LEFT_HEEL, LEFT_HIP, LEFT_KNEE
from squatcheck.report.display import OK_HEX, WARN_HEX, hex_to_bgr, rep_range_text
from squatcheck.report.overlay import (
    AngleAnnotator,
    FindingsAnnotator,
    FppaAnnotator,
    HeelAnnotator,
    KneeToeAnnotator,
    OverlayAnnotator,
    PelvisAnnotator,
    SkeletonAnnotator,
)
from squatcheck.report.plots import empty_panels, group_series, make_plots
from squatcheck.report.timeline import OverlayTimeline
from squatcheck.report.wording import verdict
from test_report_support import FPS, REPS, SIZE, make_analysis

W, H = SIZE


@pytest.fixture(scope="module")
def analysis():
    return make_analysis(None)


@pytest.fixture(scope="module")
def timeline(analysis):
    return OverlayTimeline(analysis)


def blank():
    return np.zeros((H, W, 3), np.uint8)


def frame_of(t_s: float) -> int:
    return int(round(t_s * FPS))


def test_annotate_returns_a_copy(timeline):
    frame = blank()
    out = OverlayAnnotator().annotate(frame, timeline.state(frame_of(REPS[0][1])))
    assert out is not frame and out.shape == frame.shape
    assert frame.max() == 0          # the caller's frame is untouched
    assert out.max() > 0             # something was drawn


def test_timeline_rep_and_evidence(timeline):
    bottom = timeline.state(frame_of(REPS[0][1]))
    assert bottom.rep_number == 1 and bottom.stance == "left" and bottom.legs == ("left",)
    assert {f.name for f in bottom.findings} == {"knee_past_toes", "quad_dominant"}
    assert {"knee_past_toes", "quad_dominant"} <= bottom.evidence
    between = timeline.state(frame_of(1.8))
    assert between.rep_number is None and between.reps_done == 1 and not between.findings
    assert timeline.state(frame_of(REPS[2][1])).legs == ("right",)


def _mid_colour(img, a, b):
    p = (np.asarray(a) + np.asarray(b)) / 2
    y, x = int(round(p[1])), int(round(p[0]))
    patch = img[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3).astype(int)
    return patch[np.argmax(patch.sum(axis=1))]


@pytest.mark.parametrize("t_s, expected", [(REPS[0][1], WARN_HEX), (0.1, OK_HEX)])
def test_knee_toe_line_turns_red_past_the_toes(analysis, timeline, t_s, expected):
    f = frame_of(t_s)
    img = KneeToeAnnotator().annotate(blank(), timeline.state(f))
    xy = analysis.track.xy_px[f]
    colour = _mid_colour(img, xy[LEFT_KNEE], xy[LEFT_FOOT_INDEX])
    assert np.abs(colour - np.asarray(hex_to_bgr(expected))).max() < 40


def test_heel_marker_filled_only_while_lifted(timeline):
    lifted = HeelAnnotator().annotate(blank(), timeline.state(frame_of(2.6)))
    down = HeelAnnotator().annotate(blank(), timeline.state(frame_of(1.0)))
    red = np.asarray(hex_to_bgr(WARN_HEX))
    assert (np.abs(lifted.astype(int) - red).max(axis=2) < 30).sum() > 30
    assert (np.abs(down.astype(int) - red).max(axis=2) < 30).sum() == 0


def test_side_view_draws_the_measured_leg_only(timeline):
    """A double-leg squat from the side: both legs' joints overlap, so angles, knee-toe
    line and heel marker are drawn for the rep's measured (nearer) leg only (two sets
    overprint)."""
    state = timeline.state(frame_of(REPS[0][1]))
    values = dict(state.values)
    values.update({k.replace("_left", "_right"): v + 10.0 for k, v in state.values.items()
                   if k.endswith("_left")})
    both = dataclasses.replace(state, legs=("left", "right"), measured_leg="left",
                               values=values)
    near = dataclasses.replace(both, legs=("left",))
    far = dataclasses.replace(both, legs=("right",))
    for annotator in (AngleAnnotator(), KneeToeAnnotator(), HeelAnnotator()):
        drawn = annotator.annotate(blank(), both)
        assert np.array_equal(drawn, annotator.annotate(blank(), near)), annotator
    assert not np.array_equal(AngleAnnotator().annotate(blank(), both),
                              AngleAnnotator().annotate(blank(), far))


def test_red_only_where_the_report_flags_the_rep(timeline):
    """A frame's value past the threshold is drawn red only when the rep's finding is
    present: the report and the video never disagree."""
    red = np.asarray(hex_to_bgr(WARN_HEX))
    lifted = timeline.state(frame_of(2.6))
    assert lifted.flagged("heel_lift")
    unflagged = dataclasses.replace(lifted, findings=[f for f in lifted.findings
                                                      if f.name != "heel_lift"])
    for state, reds in ((lifted, True), (unflagged, False)):
        img = HeelAnnotator().annotate(blank(), state)
        assert ((np.abs(img.astype(int) - red).max(axis=2) < 30).sum() > 30) == reds


def test_view_gates_the_annotators(analysis, timeline):
    side = timeline.state(frame_of(REPS[0][1]))
    for annotator in (PelvisAnnotator(), FppaAnnotator()):
        assert annotator.annotate(blank(), side).max() == 0  # front-only drawings
    xy = analysis.track.xy_px[side.frame_index]
    band_y = (xy[LEFT_HIP, 1] - 40.0) / H  # the waist line, well above the hip landmarks
    drop = dataclasses.replace(side.rep_findings_all[0], name="pelvic_drop", present=True)
    front = dataclasses.replace(side, view="front", values={"pelvic_obliquity_deg": 9.0},
                                thresholds={"pelvic_obliquity_deg": 6.0}, findings=[drop],
                                band=np.array([xy[LEFT_HIP, 0] / W, band_y, 9.0]))
    img = PelvisAnnotator().annotate(blank(), front)
    hip_rows = img[int(xy[LEFT_HIP, 1]) - 3:int(xy[LEFT_HIP, 1]) + 4]
    assert hip_rows.max() == 0  # not the hip-landmark line
    red = np.abs(img.astype(int) - np.asarray(hex_to_bgr(WARN_HEX))).max(axis=2) < 40
    rows, cols = np.nonzero(red)
    assert abs(np.median(rows) - band_y * H) < 6
    left = cols < xy[LEFT_HIP, 0]  # the line's left half (its label is on the right)
    slope = np.polyfit(cols[left], rows[left], 1)[0]  # drawn at the measured image tilt
    assert np.degrees(np.arctan(slope)) == pytest.approx(9.0, abs=2.0)
    # nothing where the pelvis was not read: no value, or no line found in this frame
    for state in (dataclasses.replace(front, values={}), dataclasses.replace(front, band=None)):
        assert PelvisAnnotator().annotate(blank(), state).max() == 0
    assert KneeToeAnnotator().annotate(blank(), front).max() == 0


def test_findings_banner_only_during_a_rep_with_findings(timeline):
    during = FindingsAnnotator().annotate(blank(), timeline.state(frame_of(REPS[0][1])))
    after = FindingsAnnotator().annotate(blank(), timeline.state(frame_of(1.8)))
    assert during[:60, W // 2:].max() > 0 and after.max() == 0


def test_missing_pose_draws_no_skeleton(timeline):
    state = timeline.state(frame_of(1.0))
    state.xy_norm = np.full_like(state.xy_norm, np.nan)
    assert SkeletonAnnotator().annotate(blank(), state).max() == 0


def test_plot_panels_group_and_skip(analysis):
    series = analysis.result.series
    series.values["mystery_signal_px"] = np.linspace(0, 1, len(series.t_s))
    try:
        groups = {p.key: keys for p, keys in group_series(series)}
        assert groups["flexion"] == ["knee_flexion_deg_left", "hip_flexion_deg_left"]
        assert "pelvis" not in groups and "fppa" not in groups   # all NaN in a side view
        assert {p.key for p in empty_panels(series)} >= {"pelvis", "fppa"}
        assert groups["other_px"] == ["mystery_signal_px"]
        plots = make_plots(analysis.result)
    finally:
        del series.values["mystery_signal_px"]
    assert [p.key for p in plots][:4] == ["flexion", "inclination", "knee_toe", "heel"]
    for plot in plots:
        ET.fromstring(plot.svg)  # well-formed SVG
    knee_toe = next(p for p in plots if p.key == "knee_toe").svg
    assert "threshold" in knee_toe and "rep 3 (R)" in knee_toe


def test_verdict_in_plain_language(analysis):
    v = verdict(analysis.result)
    assert v.level == "poor"  # the engine's clip rating (a heel lift invalidates the trial)
    assert v.headline == "Watch: knee past toes"  # 2 of 3 reps; quad-dominant only 1 of 3
    text = " ".join(v.points)
    assert "Quad-dominant (rep 1: 1 of 3 assessed)" in text
    assert "foot lengths past the toes" in text and "glutes" in text
    assert "Heel lift (rep 2: 1 of 3 assessed)" in text


@pytest.mark.parametrize("reps, text", [([1, 2, 3, 5], "reps 1–3, 5"), ([2], "rep 2"),
                                        ([], "no reps")])
def test_rep_range_text(reps, text):
    assert rep_range_text(reps) == text


def test_frames_without_a_track_row_use_the_nearest(analysis):
    sparse = dataclasses.replace(analysis, track=analysis.track[::2])  # pose at half rate
    timeline = OverlayTimeline(sparse)
    odd = timeline.state(31)
    assert odd.has_pose
    np.testing.assert_array_equal(odd.xy_norm, analysis.track.xy[30])
    far = OverlayTimeline(sparse, max_gap_frames=0).state(31)
    assert not far.has_pose


def test_knee_toe_line_goes_to_the_measured_shoe_tip(analysis, timeline):
    """With the outline's tip in the frame state, the line ends where the offset was
    measured to, not at MediaPipe's foot index."""
    f = frame_of(REPS[0][1])
    state = timeline.state(f)
    xy = analysis.track.xy_px[f]
    tip = xy[LEFT_FOOT_INDEX] + np.array([60.0, 25.0])  # well away from the foot index
    with_tip = dataclasses.replace(state, shoe_tips={"left": tip / np.array([W, H])})
    img = KneeToeAnnotator().annotate(blank(), with_tip)
    assert _mid_colour(img, xy[LEFT_KNEE], tip).max() > 100
    assert _mid_colour(img, xy[LEFT_KNEE], xy[LEFT_FOOT_INDEX]).max() < 60


def test_shoe_tips_and_heel_soles_come_from_the_foot_evidence():
    from types import SimpleNamespace

    from squatcheck.pose.foot_silhouette import FIELDS
    from squatcheck.report.timeline import heel_soles_at, shoe_tips_at

    row = np.full(2 * len(FIELDS), np.nan)
    row[FIELDS.index("tip_x")], row[FIELDS.index("toe_sole_y")] = 0.4, 0.9  # left foot only
    row[len(FIELDS) + FIELDS.index("heel_x")] = 0.6  # right heel: x and
    row[len(FIELDS) + FIELDS.index("heel_sole_y")] = 0.8  # its rear sole
    track = SimpleNamespace(extra={"foot_evidence": np.stack([row, row])})
    tips = shoe_tips_at(track, 1)
    assert set(tips) == {"left"} and np.allclose(tips["left"], [0.4, 0.9])
    heels = heel_soles_at(track, 1)
    assert set(heels) == {"right"} and np.allclose(heels["right"], [0.6, 0.8])
    assert shoe_tips_at(SimpleNamespace(extra={}), 0) == {}


def test_heel_marker_sits_where_the_rise_is_measured(analysis, timeline):
    f = frame_of(REPS[0][1])
    state = timeline.state(f)
    heel = analysis.track.xy_px[f][LEFT_HEEL]
    sole = heel + np.array([-40.0, -30.0])  # the outline's rear sole, away from the landmark
    with_sole = dataclasses.replace(state, heel_soles={"left": sole / np.array([W, H])})
    img = HeelAnnotator().annotate(blank(), with_sole)

    def drawn_near(p):
        x, y = int(round(p[0])), int(round(p[1]))
        return img[y - 10:y + 11, x - 10:x + 11].max()  # the marker is a ring when down

    assert drawn_near(sole) > 100 and drawn_near(heel) < 60


def test_a_free_legs_wild_angle_outside_the_reps_does_not_squash_the_plot():
    """Before a single-leg rep the free leg, raised behind, reads an FPPA near -170 deg:
    the axis zooms onto the values the reps are read from (and the threshold), cutting it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from squatcheck.report.plots import _focus_on_reps

    ax = Figure().add_subplot()
    t = np.linspace(0, 10, 301)
    y = np.where(t < 2, -170.0, 20 * np.exp(-((t - 5) ** 2)))
    ax.plot(t, y)
    ax.axhline(13.5)
    _focus_on_reps(ax, y[(t > 3) & (t < 7)])
    low, high = ax.get_ylim()
    assert -10 < low < 0 and 20 < high < 30
    ax2 = Figure().add_subplot()  # nothing outside squashes it: left as matplotlib drew it
    ax2.plot(t, np.sin(t))
    before = ax2.get_ylim()
    _focus_on_reps(ax2, np.sin(t)[(t > 3) & (t < 7)])
    assert ax2.get_ylim() == before
