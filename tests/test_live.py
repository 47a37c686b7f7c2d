"""``squatcheck live`` end to end: a real window on a virtual display, a clip played like a
camera, a screenshot showing the overlay and a cue, and the closing report compared with an
offline ``analyze`` of the same clip; the saved track carries the same image evidence as
offline extraction, and pelvic drop is read from it. Plus: no camera, a camera that stops,
Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from squatcheck import analyze
from squatcheck.analysis.analyze import analyze_track
from squatcheck.live.hud import CUE_BGR, SKELETON_BGR
from squatcheck.live.loop import LiveOptions, run_live
from squatcheck.live.sources import FrameSource, LiveFrame
from squatcheck.pose.evidence import PARTS
from squatcheck.pose.track import PoseTrack
from squatcheck.video import VideoReader

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "sample_videos" / "sls_side_knee_heel.mp4"  # 10 s, 3 reps, knee past toes + heel lift
SHORT_CLIP = ROOT.parent / "shared" / "clips" / "lnewco_bad_7029.mov"  # 2.9 s, real person
FRONT_CLIP = ROOT / "sample_videos" / "sls_front_drop_valgus.mp4"  # 10 s, 3 reps, 10 deg drop
ROLLED_CLIP = ROOT / "sample_videos" / "sls_side_knee_heel_rolled.mp4"  # CLIP, phone 4 deg off

pytestmark = pytest.mark.slow


def _cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "squatcheck.cli", "live", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, cwd=ROOT, **kwargs)


@pytest.fixture(scope="module")
def xdisplay():
    """A private Xvfb server (installed by ``scripts/setup.sh --system``)."""
    assert shutil.which("Xvfb"), "Xvfb is missing: run 'bash scripts/setup.sh --system'"
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        number = fh.readline().strip()  # written once the server accepts clients
    assert number, "Xvfb did not start"
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def offline_reps() -> int:
    return len(analyze(CLIP).result.reps)


def _events(out: Path) -> list[dict]:
    for name in ("live_events.jsonl", "live_events.jsonl.partial"):
        try:
            text = (out / name).read_text()
        except FileNotFoundError:
            continue
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return []


def _assert_offline_evidence(track: PoseTrack, min_fraction: float = 0.7) -> None:
    """Both evidence parts, with the offline shapes, measured on most analysed frames."""
    assert {name: arr.shape for name, arr in track.extra.items()} == \
        {name: (len(track), n) for name, n in PARTS}
    for name, arr in track.extra.items():
        measured = np.isfinite(arr).any(axis=1).mean()
        assert measured >= min_fraction, f"{name}: measured on only {measured:.0%} of frames"


def _colour_pixels(rgb: np.ndarray, bgr: tuple[int, int, int]) -> int:
    return int((rgb == bgr[::-1]).all(-1).sum())


def test_live_window_shows_overlay_and_cue_and_report_matches_offline(xdisplay, offline_reps,
                                                                       tmp_path):
    from PIL import ImageGrab

    out = tmp_path / "session"
    proc = _cli("--source", str(CLIP), "-o", str(out), env={"DISPLAY": xdisplay})
    screenshot = None
    deadline = time.monotonic() + 240
    try:
        while proc.poll() is None and time.monotonic() < deadline and screenshot is None:
            if any(e["kind"] in ("cue", "verdict") for e in _events(out)):
                proc.send_signal(signal.SIGUSR1)  # the loop saves the picture it shows
                for _ in range(20):  # the cue stays up >= 2.5 s; catch a painted frame
                    shot = np.asarray(ImageGrab.grab(xdisplay=xdisplay).convert("RGB"))
                    if _colour_pixels(shot, CUE_BGR) > 1000:
                        screenshot = shot
                        break
                    time.sleep(0.1)
                break
            time.sleep(0.05)
        stdout, stderr = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    events = _events(out)
    assert any(e["kind"] == "cue" for e in events), f"no cue was shown: {events}"
    assert screenshot is not None, "the cue never appeared on the X display"
    assert _colour_pixels(screenshot, SKELETON_BGR) > 300  # the skeleton overlay
    snapshot = cv2.imread(str(out / "snapshot-001.png"))
    assert snapshot is not None
    assert (snapshot == SKELETON_BGR).all(-1).sum() > 300

    stats = json.loads((out / "live_stats.json").read_text())
    assert stats["end_reason"] == "end_of_video"
    recording = out / "session.avi"
    n_recorded = sum(1 for _ in VideoReader(recording))
    n_clip = sum(1 for _ in VideoReader(CLIP))
    assert n_recorded == n_clip == stats["frames_grabbed"]
    assert 0 < stats["frames_processed"] <= n_clip
    result = json.loads((out / "result.json").read_text())
    for name in ("track.npz", "reps.csv", "report.html"):
        assert (out / name).is_file(), name
    assert offline_reps >= 1
    assert len(result["reps"]) == offline_reps
    assert not list(out.glob("*.partial*"))
    _assert_offline_evidence(PoseTrack.load(out / "track.npz"))


def test_live_session_reads_pelvic_drop_from_the_image_evidence(tmp_path):
    """The front clip's 10 deg drop: assessed from the waist line the live loop measured,
    in the report and in the live cues (without evidence both say "not assessable")."""
    out = tmp_path / "front"
    outcome = run_live(LiveOptions(out_dir=out, source=FRONT_CLIP, window=False,
                                   write_report=False), log=lambda s: None)
    track = PoseTrack.load(outcome.outputs["track"])
    assert track.meta.extra["image_evidence"] is True
    _assert_offline_evidence(track)
    reps = analyze_track(track).reps
    assert reps
    drops = [rep.findings["pelvic_drop"] for rep in reps]
    assert all(f.present is not None and np.isfinite(f.value) for f in drops), \
        [f.reason for f in drops]
    assert any(f.present for f in drops)
    # the live engine got the evidence too: its cue for a dropping pelvis was shown
    assert any(e["kind"] == "cue" and e["finding"] == "pelvic_drop" for e in _events(out))


def test_live_session_reads_the_camera_roll_from_the_room(tmp_path):
    """Filmed 4 deg off level before door frames: the live loop reads the roll from its
    first seconds, and the report reads the trunk's angle to the vertical level (4 deg
    short without it)."""
    out = tmp_path / "rolled"
    run_live(LiveOptions(out_dir=out, source=ROLLED_CLIP, window=False, evidence=False),
             log=lambda s: None)
    truth = json.loads(ROLLED_CLIP.with_suffix(".json").read_text())
    result = json.loads((out / "result.json").read_text())
    assert result["camera_roll_deg"] == pytest.approx(truth["camera"]["roll_deg"], abs=1.0)
    assert PoseTrack.load(out / "track.npz").meta.extra["camera_roll_deg"] == \
        result["camera_roll_deg"]
    trunk = [rep["measurements"]["trunk_inclination_deg"] for rep in result["reps"]]
    true = [rep["truth"]["trunk_inclination_deg"] for rep in truth["reps"]]
    assert len(trunk) == len(true) == 3
    assert trunk == pytest.approx(true, abs=2.5)


def test_no_camera_is_a_clear_message_and_exit_code_8(tmp_path):
    proc = _cli("--camera", "57", "--no-window", "-o", str(tmp_path / "out"))
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 8
    assert "camera" in stderr.lower() and "--camera" in stderr
    assert "Traceback" not in stderr


class StoppingCamera(FrameSource):
    """Frames of a real clip at camera pace, then silence without an error (cable pulled)."""

    stall_timeout_s = 0.5

    def __init__(self, path: Path, frames: int):
        super().__init__()
        self.reader = VideoReader(path, max_side_px=640)
        self.info = self.reader.info
        self.frames = frames

    def _produce(self):
        for frame in self.reader:
            if frame.index >= self.frames:
                break
            time.sleep(1 / 30)
            yield LiveFrame(frame.index, frame.t_s, frame.image, time.perf_counter())
        self._stop.wait()  # hangs like a dead camera until the loop gives up

    def stop(self) -> None:
        super().stop()
        self.reader.close()


def test_camera_that_stops_keeps_recording_and_report(tmp_path):
    out = tmp_path / "out"
    camera = StoppingCamera(SHORT_CLIP, frames=60)
    outcome = run_live(LiveOptions(out_dir=out, window=False, evidence=False), source=camera,
                       log=lambda s: None)
    assert outcome.end_reason == "camera_lost"
    assert outcome.summary.frames_grabbed == 60
    assert sum(1 for _ in VideoReader(out / "session.avi")) == 60
    assert (out / "result.json").is_file() and (out / "track.npz").is_file()
    assert PoseTrack.load(out / "track.npz").extra == {}  # --no-evidence: landmarks only
    assert json.loads((out / "live_stats.json").read_text())["end_reason"] == "camera_lost"


def test_ctrl_c_stops_cleanly_and_writes_the_report(tmp_path):
    out = tmp_path / "out"
    proc = _cli("--source", str(SHORT_CLIP), "--no-window", "-o", str(out))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if any(e["kind"] == "ready" for e in _events(out)):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr
    stats = json.loads((out / "live_stats.json").read_text())
    assert stats["end_reason"] == "interrupted"
    assert (out / "session.avi").is_file() and (out / "result.json").is_file()
    assert not list(out.glob("*.partial*"))


def test_grab_thread_keeps_only_the_newest_frame():
    """A consumer slower than the camera gets the newest frame, never a backlog."""
    source = StoppingCamera(SHORT_CLIP, frames=40)
    source.stall_timeout_s = 0.3
    source.start()
    got = []
    while (frame := source.next_frame(0.5)) is not None:
        got.append((frame.index, source.frames_grabbed))
        time.sleep(0.15)
    source.stop()
    assert 3 <= len(got) < 40
    # each frame handed out was the newest grabbed at that moment (allowing one in flight)
    assert all(grabbed - 1 - index <= 1 for index, grabbed in got)
