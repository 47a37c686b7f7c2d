"""``squatcheck pose`` on every real clip (portrait .mov, .gif, two-person clips).

The console script runs once per clip on a stream-copied time window (the model
is the expensive part; windows keep the whole module near a minute of CPU), plus
two synthetic clips: a real person under rotation metadata, and a real person
between person-free stretches. Frame counts and durations are checked on full
decodes of the whole clips, which are cheap without inference.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from squatcheck.pose import landmarks as L
from squatcheck.pose.track import PoseTrack
from squatcheck.video import VideoReader, count_frames
from synthetic_media import crop_copy, plain_frames, set_mp4_rotation, write_video

SQUATCHECK = Path(sys.executable).with_name("squatcheck")
CLIP_NAMES = sorted(p.name for p in (Path(__file__).parents[1].parent / "shared" / "clips")
                    .iterdir() if p.suffix.lower() in (".mp4", ".mov", ".gif"))
# (start_s, end_s) of the window run through the model; None = the whole clip
WINDOWS = {
    "rohan_squat.mp4": (10.68, 13.0),  # rising from rep 1, reflections in the wall mirror
    "sports2d_demo.mp4": (0.0, 4.0),  # a woman walks in behind the subject from 1.4 s
    "dnly_gf_1.gif": None,
    "lnewco_good_7026.mov": None,
    "lnewco_bad_7029.mov": None,
}
DEFAULT_WINDOW = (0.0, 3.0)


def _hip_centre(track: PoseTrack) -> np.ndarray:
    return track.xy_px[:, [L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=1)


def _body_height_px(track: PoseTrack) -> np.ndarray:
    """(T,) top-to-bottom landmark extent in pixels, NaN where nobody was found."""
    y = track.xy_px[..., 1]
    extent = np.where(np.isnan(y), -np.inf, y).max(axis=1) - np.where(np.isnan(y), np.inf,
                                                                      y).min(axis=1)
    return np.where(track.detected, extent, np.nan)


def _rotated_person(src: Path, dst: Path) -> Path:
    """2 s of a real clip stored lying on its side, with metadata saying 'turn 90°'."""
    with VideoReader(src) as reader:
        frames = [cv2.rotate(f.image, cv2.ROTATE_90_COUNTERCLOCKWISE)
                  for _, f in zip(range(50), reader, strict=False)]
    return set_mp4_rotation(write_video(dst, frames, fps=25), 90)


def _person_between_empty(src: Path, dst: Path) -> Path:
    """1.2 s empty room, 2 s of a real person, 1.2 s empty room (25 fps)."""
    with VideoReader(src) as reader:
        person = [f.image for _, f in zip(range(50), reader, strict=False)]
    h, w = person[0].shape[:2]
    empty = plain_frames(30, (w, h))
    return write_video(dst, empty + person + empty, fps=25)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, clips_dir):
    """name → (input actually given to the CLI, PoseTrack it wrote)."""
    tmp = tmp_path_factory.mktemp("pose_clips")
    inputs = {}
    for name in CLIP_NAMES:
        window = WINDOWS.get(name, DEFAULT_WINDOW)
        inputs[name] = (clips_dir / name if window is None
                        else crop_copy(clips_dir / name, tmp / f"{name}.mp4", *window))
    inputs["synthetic_rotated"] = _rotated_person(clips_dir / "tux_hyva6.mp4",
                                                  tmp / "rotated.mp4")
    inputs["synthetic_empty_person_empty"] = _person_between_empty(
        clips_dir / "tux_hyva6.mp4", tmp / "empty_person_empty.mp4")

    def run(item):
        name, video = item
        out = tmp / f"{name}.npz"
        proc = subprocess.run([str(SQUATCHECK), "pose", str(video), "-o", str(out),
                               "--workers", "1"], capture_output=True, text=True,
                              timeout=600, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
        assert "Traceback" not in proc.stderr
        return name, (video, PoseTrack.load(out))

    with ThreadPoolExecutor(2) as pool:  # two cores: keep both busy
        return dict(pool.map(run, inputs.items()))


@pytest.mark.parametrize("name", CLIP_NAMES)
def test_whole_clip_decodes_to_labelled_frames_and_duration(clips_dir, clip_labels, name):
    label = clip_labels[name]
    frames, last_t_s = count_frames(clips_dir / name)
    assert abs(frames - label["frames"]) <= 1
    assert abs(last_t_s - label["duration_s"]) <= 1.0 / label["fps"]


@pytest.mark.slow
@pytest.mark.parametrize("name", CLIP_NAMES)
def test_pose_track_has_one_row_per_decoded_frame(runs, name):
    video, track = runs[name]
    frames, last_t_s = count_frames(video)
    assert len(track) == track.meta.frames_decoded == frames
    assert np.array_equal(track.frame_index, np.arange(frames))
    assert np.all(np.diff(track.t_s) > 0)
    assert abs(track.t_s[-1] - last_t_s) < 1e-6 and abs(track.t_s[0]) < 1e-6
    with VideoReader(video) as reader:
        assert track.meta.image_size == (reader.info.width, reader.info.height)


@pytest.mark.slow
@pytest.mark.parametrize("name", [*CLIP_NAMES, "synthetic_rotated"])
def test_person_is_upright_head_above_feet(runs, name):
    _, track = runs[name]
    seen = track.detected
    nose_y = track.xy_px[seen, L.NOSE, 1]
    ankle_y = track.xy_px[seen][:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1].mean(axis=1)
    assert np.median(ankle_y - nose_y) > 0.25 * np.median(_body_height_px(track[seen]))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lnewco_good_7026.mov", "lnewco_bad_7029.mov",
                                  "synthetic_rotated"])
def test_portrait_video_comes_out_portrait(runs, name):
    _, track = runs[name]
    width, height = track.meta.image_size
    assert height > width


@pytest.mark.slow
@pytest.mark.parametrize("name", CLIP_NAMES)
def test_landmarks_present_where_a_person_is(runs, name):
    _, track = runs[name]
    assert track.detected.mean() >= 0.9, f"{name}: found in {track.detected.mean():.0%}"


@pytest.mark.slow
def test_landmarks_absent_on_person_free_stretches(runs):
    _, track = runs["synthetic_empty_person_empty"]
    t = track.t_s
    empty = (t < 1.2 - 0.05) | (t >= 3.2 + 0.1)  # a frame of grace after the person leaves
    person = (t >= 1.2 + 0.2) & (t < 3.2 - 0.05)  # the detector needs a frame or two
    assert not track.detected[empty].any(), t[empty & track.detected]
    assert track.detected[person].mean() >= 0.95


@pytest.mark.slow
@pytest.mark.parametrize("name", CLIP_NAMES)
def test_subject_stays_the_same_person(runs, name):
    """No frame-to-frame jump of the hip centre by more than a quarter body height."""
    _, track = runs[name]
    hip = _hip_centre(track)
    height = _body_height_px(track)
    step = np.linalg.norm(np.diff(hip, axis=0), axis=1) / height[:-1]
    assert np.nanmax(step) < 0.25, f"{name}: jump of {np.nanmax(step):.2f} body heights " \
        f"at t = {track.t_s[1:][np.nanargmax(step)]:.2f} s"


@pytest.mark.slow
def test_two_person_clips_follow_the_labelled_subject(runs):
    # rohan_squat: the barbell lifter in the foreground, not his or the filmer's reflection
    _, rohan = runs["rohan_squat.mp4"]
    assert np.nanmedian(_body_height_px(rohan)) > 0.35 * rohan.meta.image_size[1]
    # sports2d_demo: the man on the concrete box (up in the frame), not the woman walking
    # past on the ground in front of it
    _, sports = runs["sports2d_demo.mp4"]
    feet_y = sports.xy[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1].mean(axis=1)
    assert np.nanmedian(feet_y) < 0.75, np.nanmedian(feet_y)
