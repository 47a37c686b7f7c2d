"""`squatcheck synth` writes a video and its truth; MediaPipe finds the mannequin in it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from squatcheck import extract_pose
from squatcheck.cli import main
from squatcheck.pose.landmarks import LEG

SHORT = ["--reps", "1", "--tempo", "0.6", "--fps", "15"]


@pytest.fixture(scope="module")
def side_clip(tmp_path_factory) -> Path:
    """One short single-leg squat from the side, knee past toes + heel lift (~4 s, 15 fps)."""
    out = tmp_path_factory.mktemp("synth") / "side.mp4"
    code = main(["synth", "--view", "side", "--facing", "right", "--stance", "right",
                 "--fault", "knee_past_toes", "--fault", "heel_lift=3cm", "--body-height", "1.6",
                 *SHORT, "-o", str(out)])
    assert code == 0
    return out


def test_video_and_truth_are_written_side_by_side(side_clip):
    truth = json.loads(side_clip.with_suffix(".json").read_text())
    assert sorted(p.name for p in side_clip.parent.iterdir()) == ["side.json", "side.mp4"]
    cap = cv2.VideoCapture(str(side_clip))
    n = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        n += 1
        assert frame.shape == (640, 480, 3)
    assert n == truth["frame_count"] == len(truth["frames"]["t_s"])
    assert truth["generator"] == "squatcheck.synth"
    assert (truth["view"], truth["facing"], truth["exercise"]) == ("side", "right",
                                                                  "single_leg_squat")
    assert truth["fps"] == 15.0 and truth["image_size"] == [480, 640]
    assert truth["faults"] == {"knee_past_toes": 0.4, "heel_lift": 3.0}
    rep = truth["reps"][0]
    assert rep["stance"] == "right" and rep["start_s"] < rep["bottom_s"] < rep["end_s"]
    assert rep["truth"]["heel_rise_cm"] == pytest.approx(3.0, abs=0.1)
    assert rep["truth"]["knee_toe_offset_foot_lengths"] == pytest.approx(0.4, abs=0.02)
    assert truth["findings"]["heel_lift"] and truth["findings"]["knee_past_toes"]
    assert not truth["findings"]["knee_valgus"] and not truth["findings"]["pelvic_drop"]
    lm2 = np.asarray(truth["frames"]["landmarks_2d"])
    assert lm2.shape == (n, 33, 2) and np.all((lm2 > 0) & (lm2 < 1))
    assert np.asarray(truth["frames"]["landmarks_3d"]).shape == (n, 33, 3)
    assert np.asarray(truth["frames"]["visible"]).shape == (n, 33)
    assert truth["standing_s"][0][0] == 0.0


def test_mediapipe_finds_the_mannequin(side_clip):
    truth = json.loads(side_clip.with_suffix(".json").read_text())
    track = extract_pose(side_clip, workers=1, max_inference_hz=None)
    assert track.detected.mean() >= 0.95
    w, h = truth["image_size"]
    lm2 = np.asarray(truth["frames"]["landmarks_2d"])[: len(track)] * [w, h]
    leg_px = np.linalg.norm(lm2[:, 26] - lm2[:, 24], axis=1) + np.linalg.norm(
        lm2[:, 28] - lm2[:, 26], axis=1)
    for kind in ("hip", "knee", "ankle", "heel", "toe"):
        i = LEG["right"][kind]
        err = np.linalg.norm(track.xy_px[:, i] - lm2[:, i], axis=1) / leg_px
        assert np.nanmedian(err) < 0.08, kind


def test_bad_options_give_one_sentence_and_exit_2(tmp_path, capsys):
    out = tmp_path / "x.mp4"
    assert main(["synth", "--fault", "wobble", "-o", str(out)]) == 2
    assert "unknown fault" in capsys.readouterr().err
    assert main(["synth", "--view", "front", "--facing", "left", "-o", str(out)]) == 2
    assert main(["synth", "--exercise", "dls", "--fault", "pelvic_drop", "-o", str(out)]) == 2
    assert main(["synth", "-o", str(tmp_path / "x.gif")]) == 2
    assert list(tmp_path.iterdir()) == []


def test_double_leg_front_webm(tmp_path):
    out = tmp_path / "dls.webm"
    assert main(["synth", "--exercise", "dls", "--view", "front", "--fault", "knee_valgus=15",
                 "--size", "160x240", *SHORT, "-o", str(out)]) == 0
    truth = json.loads(out.with_suffix(".json").read_text())
    assert truth["reps"][0]["stance"] == "both" and truth["facing"] == "camera"
    rep = truth["reps"][0]["truth"]
    assert rep["fppa_deg"] == pytest.approx(15.0, abs=0.1)
    # a 95 deg double-leg squat points the thigh at the camera: FPPA is read higher up
    assert rep["fppa_knee_flexion_deg"] < rep["knee_flexion_deg"] - 5
    assert rep["fppa_bottom_deg"] > rep["fppa_deg"]
    cap = cv2.VideoCapture(str(out))
    ok, frame = cap.read()
    assert ok and frame.shape == (240, 160, 3)
