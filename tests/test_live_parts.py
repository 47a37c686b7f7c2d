"""Live mode's parts without the pose model: framing check, cues, sources, recorder, HUD."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from squatcheck.analysis.result import Finding, Rep
from squatcheck.live import setup_check as sc
from squatcheck.live.cues import CueBoard, verdict_text
from squatcheck.live.engine import GridResampler
from squatcheck.live.hud import CUE_BGR, SKELETON_BGR, HudState, render
from squatcheck.live.loop import LiveOptions
from squatcheck.live.recorder import SessionRecorder
from squatcheck.live.sources import FileSource, LiveFrame
from squatcheck.pose import landmarks as L

LIMITS = sc.FramingLimits.from_profile()


def standing_person(*, cx=0.5, top=0.15, height=0.7, width_ratio=0.6,
                    turn_dx=0.0) -> np.ndarray:
    """(33, 5) landmarks of an upright person in normalised coordinates of a 640x480 frame.

    ``width_ratio``: (shoulder + hip width) / 2 over torso length, in pixels
    (0 = pure side view, ~0.6 = front view).
    """
    lm = np.zeros((33, 5))
    lm[:, 3:] = 0.95
    w_px, h_px = 640, 480
    y = lambda f: top + f * height  # noqa: E731 - fraction of the body height, from the top
    torso_px = (y(0.52) - y(0.2)) * h_px
    half = width_ratio * torso_px / 2 / w_px  # half the shoulder/hip width, normalised x
    lm[:, 0], lm[:, 1] = cx, y(0.5)
    lm[L.NOSE, :2] = cx, y(0.06)
    lm[[L.LEFT_EAR, L.RIGHT_EAR], 1] = y(0.05)
    for side, sign in (("left", 1), ("right", -1)):
        leg = L.LEG[side]
        x = cx + sign * half
        lm[leg["shoulder"], :2] = x, y(0.2)
        lm[leg["hip"], :2] = x, y(0.52)
        lm[leg["knee"], :2] = x, y(0.75)
        lm[leg["ankle"], :2] = x, y(0.96)
        lm[leg["heel"], :2] = x, y(0.99)
        # the toes ahead: to one side from the side, turned out a little from the front
        toe_dx = 0.02 if width_ratio < 0.45 else sign * 0.01 + turn_dx
        lm[leg["toe"], :2] = x + toe_dx, y(1.0)
    return lm


@pytest.mark.parametrize("landmarks, expected", [
    (standing_person(), ()),
    (standing_person(width_ratio=0.05), ()),
    (None, (sc.NOBODY,)),
    (standing_person(top=0.3), (sc.FEET_OUT,)),
    (standing_person(top=0.0, height=0.95), (sc.TOO_CLOSE,)),
    (standing_person(top=0.3, height=0.3), (sc.TOO_FAR,)),
    (standing_person(width_ratio=0.35), (sc.OBLIQUE,)),
    # from the front both toes 0.02 of the frame (13 px, ~20 deg) to the same side
    (standing_person(turn_dx=0.02), (sc.TURNED,)),
    (standing_person(turn_dx=-0.02), (sc.TURNED,)),
    (standing_person(turn_dx=0.004), ()),
])
def test_framing_problems(landmarks, expected):
    assert sc.check_framing(landmarks, (640, 480), LIMITS).problems == expected


def test_invisible_torso_counts_as_nobody():
    lm = standing_person()
    lm[:, 3] = 0.1
    assert sc.check_framing(lm, (640, 480), LIMITS).problems == (sc.NOBODY,)


def test_setup_gate_needs_framing_right_for_ready_s_without_a_break():
    gate = sc.SetupGate(LIMITS)
    good = sc.check_framing(standing_person(), (640, 480), LIMITS)
    bad = sc.check_framing(None, (640, 480), LIMITS)
    t = 0.0
    for _ in range(10):
        gate.update(t, good)
        t += 0.05
    gate.update(t, bad)  # broken before ready_s: starts over
    assert not gate.ready and gate.progress_at(t) == 0.0
    start = t + 0.05
    while t < start + LIMITS.ready_s + 0.1:
        t += 0.05
        gate.update(t, good)
    assert gate.ready and gate.ready_at_s == pytest.approx(start + LIMITS.ready_s, abs=0.06)
    assert gate.update(t + 0.05, bad)  # once the set started it stays started


def _rep(index, rating, present):
    findings = {name: Finding(name, name in present, "moderate" if name in present else "none",
                              None, "", None, "", None, None, "")
                for name in ("knee_past_toes", "heel_lift", "knee_valgus")}
    return Rep(index, "left", 0.0, 1.0, 2.0, 0, 30, 60, {}, findings, {"overall": rating})


def test_verdict_names_the_rep_leg_rating_and_what_happened():
    assert verdict_text(_rep(1, "fair", {"heel_lift"})) == "Rep 2 (left leg): fair - heel lifting"
    assert verdict_text(_rep(0, "good", set())) == "Rep 1 (left leg): good"


def test_cue_board_holds_refreshes_and_expires():
    board = CueBoard(hold_s=2.0, max_cues=2)
    assert board.cue("heel_lift", 0.0) is not None
    assert board.cue("heel_lift", 1.5) is None  # already shown: only refreshed
    board.cue("knee_valgus", 1.6)
    board.cue("pelvic_drop", 1.7)
    assert [c.text for c in board.cues] == ["hips dropping", "knee caving in"]
    board.expire(3.65)
    assert [c.text for c in board.cues] == ["hips dropping"]
    board.rep_done(_rep(0, "poor", {"knee_valgus"}), 3.0)
    board.expire(100.0)
    assert board.cues == [] and board.verdict is None


def test_hud_draws_skeleton_and_cue_in_their_colours():
    frame = np.full((480, 640, 3), 90, np.uint8)
    board = CueBoard()
    board.cue("knee_past_toes", 0.0)
    out = render(frame, HudState(landmarks=standing_person(), rep_count=2, cues=board.cues,
                                 setup_done=True, fps=24.0, latency_ms=50.0))
    assert (out == SKELETON_BGR).all(-1).sum() > 500
    assert (out == CUE_BGR).all(-1).sum() > 2000
    assert (frame == 90).all()  # drawn on a copy


def _columns(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask.all(-1).any(0))


def test_hud_mirrors_the_picture_but_not_the_text():
    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[:, :100] = 20  # a dark band on the picture's left
    board = CueBoard()
    board.cue("knee_past_toes", 0.0)
    state = HudState(landmarks=standing_person(cx=0.25), cues=board.cues, setup_done=True)
    plain, mirrored = render(frame, state), render(frame, state, mirror=True)
    skeleton = _columns(plain == SKELETON_BGR)
    assert skeleton.max() < 320
    assert np.array_equal(_columns(mirrored == SKELETON_BGR), np.sort(639 - skeleton))
    assert (mirrored[-1, -100:] == 20).all() and (mirrored[-1, :100] == 90).all()
    # the cue banner stays at the top left, its text readable (drawn after the flip)
    banner = (plain == CUE_BGR).all(-1)
    rows, cols = np.flatnonzero(banner.any(1)), np.flatnonzero(banner.any(0))
    box = np.s_[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert cols.max() < 320 and np.array_equal(mirrored[box], plain[box])


@pytest.fixture
def small_clip(tmp_path):
    """60 frames at 30 fps, each frame's index written into its pixels."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 120))
    for i in range(60):
        writer.write(np.full((120, 160, 3), i * 4, np.uint8))
    writer.release()
    return path


def test_file_source_in_real_time_drops_frames_a_slow_loop_cannot_take(small_clip):
    seen: list[LiveFrame] = []
    source = FileSource(small_clip, seen.append).start()
    taken = []
    while (frame := source.next_frame(2.0)) is not None:
        taken.append(frame)
        time.sleep(0.1)  # a loop that manages 10 frames/s
    source.stop()
    assert len(seen) == 60  # every frame reaches the recorder sink
    assert 8 <= len(taken) <= 40  # ~2 s of video at 10 frames/s, not all 60
    assert [f.index for f in taken] == sorted({f.index for f in taken})
    played_s = taken[-1].captured_at - taken[0].captured_at
    assert played_s == pytest.approx(taken[-1].t_s - taken[0].t_s, abs=0.25)


def test_file_source_every_frame_mode_hands_out_every_frame(small_clip):
    source = FileSource(small_clip, realtime=False).start()
    taken = []
    while (frame := source.next_frame(2.0)) is not None:
        taken.append(frame.index)
    source.stop()
    assert taken == list(range(60))


def test_recorder_writes_every_frame_and_renames_when_closed(tmp_path):
    recorder = SessionRecorder(tmp_path / "session", fps=None)  # fps measured from t_s
    for i in range(45):
        image = np.full((96, 128, 3), (i * 5) % 256, np.uint8)
        recorder.add(LiveFrame(i, i / 15.0, image, time.perf_counter()))
    path = recorder.close()
    assert path == tmp_path / "session.avi" and path.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.avi"]
    cap = cv2.VideoCapture(str(path))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(15.0, abs=0.1)
    frames = 0
    while cap.read()[0]:
        frames += 1
    assert frames == 45


def test_recorder_with_no_frames_leaves_nothing(tmp_path):
    assert SessionRecorder(tmp_path / "session", fps=30.0).close() is None
    assert list(tmp_path.iterdir()) == []


def test_grid_resampler_interpolates_processed_frames_onto_the_source_grid():
    grid = GridResampler(10.0, max_interp_gap_s=1.0)

    def lm(x):
        return np.full((33, 5), x, float), np.full((33, 3), x, float)

    assert [r[0] for r in grid.push(0.0, *lm(0.0))] == [0.0]
    rows = grid.push(0.35, *lm(3.5))  # frames 0.1-0.3 were dropped by the loop
    assert [round(r[0], 6) for r in rows] == [0.1, 0.2, 0.3]
    assert [r[1][0, 0] for r in rows] == pytest.approx([1.0, 2.0, 3.0])
    assert grid.push(0.36, None, None) == []  # no grid point passed yet
    rows = grid.push(2.0, *lm(20.0))  # a long gap is not invented
    assert np.isnan(rows[0][1]).all() and rows[-1][0] == pytest.approx(2.0)
    assert rows[-1][1][0, 0] == 20.0
    assert grid.push(1.5, *lm(1.0)) == []  # time never runs back


def test_grid_rows_carry_the_evidence_of_the_nearer_processed_frame():
    grid = GridResampler(10.0, max_interp_gap_s=1.0)
    lm = np.zeros((33, 5)), np.zeros((33, 3))
    a, b = {"pelvis_evidence": np.zeros(9)}, {"pelvis_evidence": np.ones(9)}
    assert grid.push(0.0, *lm, a)[0][3] is a
    rows = grid.push(0.35, *lm, b)  # grid 0.1 is nearer 0.0; 0.2, 0.3 nearer 0.35
    assert [r[3]["pelvis_evidence"][0] for r in rows] == [0.0, 1.0, 1.0]
    rows = grid.push(2.0, *lm, None)  # nobody's evidence across a long gap
    assert all(r[3] is None for r in rows)


def test_window_refuses_a_display_that_does_not_answer(monkeypatch):
    from squatcheck.errors import NoDisplay
    from squatcheck.live.window import Window

    monkeypatch.setenv("DISPLAY", ":987")  # nothing listens there: Qt would abort the process
    with pytest.raises(NoDisplay, match="--no-window"):
        Window()
    monkeypatch.delenv("DISPLAY")
    with pytest.raises(NoDisplay, match="--no-window"):
        Window()


def test_track_builder_keeps_the_subjects_image_evidence_under_the_offline_keys():
    from squatcheck.live.track_builder import TrackBuilder
    from squatcheck.pose.evidence import PARTS, WIDTH

    builder = TrackBuilder(evidence=True)
    person = standing_person()[None]
    for i in range(12):
        row = np.full((1, WIDTH), float(i))
        found = i != 5  # nobody in frame 5
        builder.add(i / 30, i, person if found else np.zeros((0, 33, 5)),
                    np.zeros((1 if found else 0, 33, 3)), row if found else None)
    track = builder.build(source="camera 0", image_size=(640, 480), fps_nominal=30.0,
                          frames_decoded=12, model="m.task")
    assert {name: arr.shape for name, arr in track.extra.items()} == \
        {name: (12, n) for name, n in PARTS}
    pelvis = track.extra["pelvis_evidence"]
    assert np.isnan(pelvis[5]).all()
    assert np.array_equal(pelvis[[0, 4, 11], 0], [0.0, 4.0, 11.0])

    plain = TrackBuilder()  # evidence off (squatcheck live --no-evidence): no extra at all
    plain.add(0.0, 0, person, np.zeros((1, 33, 3)))
    plain.add(0.1, 1, person, np.zeros((1, 33, 3)))
    assert plain.build(source="x", image_size=(640, 480), fps_nominal=30.0, frames_decoded=2,
                       model="m.task").extra == {}


def test_the_window_is_a_mirror_for_a_camera_only(tmp_path):
    assert LiveOptions(tmp_path, camera=0).mirrored
    assert not LiveOptions(tmp_path, source=tmp_path / "clip.mp4").mirrored
    assert not LiveOptions(tmp_path, camera=0, mirror=False).mirrored
    assert LiveOptions(tmp_path, source=tmp_path / "clip.mp4", mirror=True).mirrored
