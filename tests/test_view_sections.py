"""A clip filmed from two views (reps facing the camera, a turn, reps side-on) is cut where
the view changes and each part read by its own view (analysis/view_sections.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from squatcheck import analyze_track
from squatcheck.analysis.profile import load_profile
from squatcheck.analysis.view import ViewSettings
from squatcheck.analysis.view_sections import held_views, pause_cuts, sections, view_cuts
from squatcheck.signals import SignalSettings, clean_track
from stick_figure import joined, squat_track
from synthetic_media import write_video

FRONT_FINDINGS = ("knee_valgus", "pelvic_drop")
SIDE_FINDINGS = ("knee_past_toes", "heel_lift")


def _assessed(rep, names) -> bool:
    return all(rep.findings[n].present is not None for n in names)


@pytest.mark.parametrize("first_yaw, second_yaw", [(0, 90), (-90, 0), (180, 90), (90, -90),
                                                    (0, 180)])
def test_each_part_of_a_two_view_clip_is_read_by_its_own_view(first_yaw, second_yaw):
    first, _ = squat_track(yaw_deg=first_yaw, stances=("left", "left"), depth_deg=70)
    second, _ = squat_track(yaw_deg=second_yaw, stances=("left", "left"), depth_deg=70)
    res = analyze_track(joined(first, second))
    views = [r.view for r in res.reps]
    expected = {0: "front", 180: "front", 90: "side", -90: "side"}
    facing = {0: "camera", 180: "away", 90: "right", -90: "left"}
    assert views == [expected[first_yaw]] * 2 + [expected[second_yaw]] * 2
    assert [r.facing for r in res.reps] == [facing[first_yaw]] * 2 + [facing[second_yaw]] * 2
    assert len(res.views()) == 2
    assert "cut where the view changed" in res.notes[0]
    for rep in res.reps:
        if rep.view == "side":  # read with its own facing: knee ahead of the toes, trunk forward
            assert _assessed(rep, SIDE_FINDINGS)
            assert rep.findings["knee_valgus"].present is None
            assert rep.measurements["knee_toe_offset_foot_lengths"] > 0
            assert rep.measurements["trunk_inclination_deg"] > 10
        elif rep.facing == "camera":
            assert _assessed(rep, ("knee_valgus",))
            assert rep.findings["knee_past_toes"].present is None
        else:  # from behind the knee's angle is not read (README, How to film)
            assert rep.findings["knee_valgus"].present is None
    # the whole clip's series, NaN where the part's view does not read it
    fppa = res.series.values["fppa_deg_left"]
    assert len(fppa) == len(res.series.t_s)


def test_a_cameras_cut_is_found_to_the_frame():
    """Between the last window of one view and the first of the other the cut goes after
    the frame where the body jumps (a side part cut 0.2 s early lost its last rep's heel
    lift), not midway."""
    front, _ = squat_track(yaw_deg=0, stances=("left",) * 2, depth_deg=70)
    front = front[: len(front) - 11]  # the join off the windows' half-second grid
    side, _ = squat_track(yaw_deg=90, stances=("left",) * 2, depth_deg=70, origin=(0.4, 0, 0))
    profile = load_profile()
    sig, _ = clean_track(joined(front, side), SignalSettings.from_profile(profile))
    assert view_cuts(sig, ViewSettings.from_profile(profile), 50.0) == [len(front)]


def test_one_view_throughout_is_one_part():
    """The same reps, filmed from one view, are read as they were before cuts existed."""
    for yaw in (0, 45, 90):
        track, _ = squat_track(yaw_deg=yaw, stances=("left",) * 3, depth_deg=70)
        profile = load_profile()
        sig, _ = clean_track(track, SignalSettings.from_profile(profile))
        assert view_cuts(sig, ViewSettings.from_profile(profile), 50.0) == []
        assert not any(r.view != analyze_track(track).view for r in analyze_track(track).reps)


def test_a_short_turn_does_not_cut_the_clip():
    """Turning side-on for under ``change_min_section_s`` (a look at the phone) between
    front reps is not a part of its own."""
    front, _ = squat_track(yaw_deg=0, stances=("left",), depth_deg=70)
    glance = front[: int(2.0 * 30)]
    turned, _ = squat_track(yaw_deg=90, stances=("left",), depth_deg=5)
    track = joined(joined(front, turned[: len(glance)]), front)
    profile = load_profile()
    sig, _ = clean_track(track, SignalSettings.from_profile(profile))
    assert view_cuts(sig, ViewSettings.from_profile(profile), 50.0) == []


def test_held_views_keep_long_front_and_side_runs_only():
    f, s, o = ("front", "camera"), ("side", "left"), ("oblique", "left")
    w = [(0.0, 1.0, f), (0.5, 1.5, f), (1.0, 2.0, f), (1.5, 2.5, f), (2.0, 3.0, o),
         (2.5, 3.5, s), (3.0, 4.0, s), (5.0, 6.0, s), (5.5, 6.5, ("side", "unknown"))]
    assert held_views(w, 2.5) == [(0.0, 2.5, f)]
    assert held_views(w, 1.0) == [(0.0, 2.5, f), (2.5, 4.0, s), (5.0, 6.0, s)]


def test_sections_cover_every_row_once():
    assert sections(10, []) == [slice(0, 10)]
    parts = sections(10, [4, 7])
    assert parts == [slice(0, 4), slice(4, 7), slice(7, 10)]
    assert sum(p.stop - p.start for p in parts) == 10


def test_a_video_filmed_front_then_side_reads_each_fault_from_its_view(tmp_path):
    """Two of the project's sample clips back to back (the real renderer, decoder and pose
    model): the front part's valgus and the side part's knee past toes and heel lift."""
    from squatcheck.pose.extract import extract_pose
    from squatcheck.video import VideoReader

    samples = Path(__file__).parents[1] / "sample_videos"
    frames = [f.image for name in ("sls_front_drop_valgus.mp4", "sls_side_knee_heel.mp4")
              for f in VideoReader(samples / name)]
    video = write_video(tmp_path / "front_then_side.mp4", frames, fps=30.0)
    res = analyze_track(extract_pose(video, workers=1))
    assert [(r.view, r.stance) for r in res.reps] == [("front", "right")] * 3 + [
        ("side", "left")] * 3
    assert [r.findings["knee_valgus"].present for r in res.reps[:3]] == [True] * 3
    for rep in res.reps[3:]:
        assert rep.findings["knee_past_toes"].present and rep.findings["heel_lift"].present
        assert rep.findings["knee_valgus"].present is None


def test_a_paused_recording_is_cut_and_no_rep_spans_the_pause():
    """A rep cut in half by a 3-hour hole in the timestamps (clips joined, a paused
    recording) had been read as one rep from 4.9 to 10,811 s."""
    track, _ = squat_track(yaw_deg=0, stances=("left",) * 3, depth_deg=70)
    k = int(np.searchsorted(track.t_s, 5.2))  # the second rep's descent
    paused = joined(track[:k], track[k:], gap_s=3 * 3600)  # rows keep their order
    res = analyze_track(paused)
    assert all(r.end_s - r.start_s < 5 for r in res.reps)
    bottoms = paused.t_s[np.searchsorted(track.t_s, [2.5, 8.5])]  # the first and third
    assert np.allclose([r.bottom_s for r in res.reps], bottoms, atol=0.15)
    assert pause_cuts(np.array([0.0, 0.1, 0.2, 2.5, 2.6]), 2.0) == [3]
    assert pause_cuts(np.arange(0, 5, 0.5), 2.0) == []


def test_a_video_on_its_side_is_turned_upright_and_read(tmp_path):
    """A sample clip turned a quarter turn with its rotation lost (the person lies on their
    side): analysed turned back, it reads as the upright clip, and the overlay is upright."""
    import cv2

    from squatcheck.analysis.analyze import analyze
    from squatcheck.report import write_outputs
    from squatcheck.video import VideoReader

    sample = Path(__file__).parents[1] / "sample_videos" / "sls_front_drop_valgus.mp4"
    frames = [cv2.rotate(f.image, cv2.ROTATE_90_CLOCKWISE) for f in VideoReader(sample)]
    video = write_video(tmp_path / "sideways.mp4", frames, fps=30.0)
    analysis = analyze(video, workers=1)
    res = analysis.result
    assert analysis.track.meta.extra["turn_deg"] == 270
    assert analysis.track.meta.image_size == (480, 640)  # portrait again
    assert "every frame was turned 270 deg clockwise" in res.notes[0]
    assert (res.view, [r.stance for r in res.reps]) == ("front", ["right"] * 3)
    assert all(r.findings["knee_valgus"].present for r in res.reps)
    written = write_outputs(analysis, tmp_path / "out")
    with VideoReader(written["video"]) as reader:
        assert reader.info.height > reader.info.width
