"""Bad inputs give one plain sentence and their documented exit code, through the real
console script, with no traceback and nothing left behind, for ``pose`` and ``analyze``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from squatcheck.errors import (
    EXIT_CODES,
    InputNotFound,
    NoPersonFound,
    NotAVideo,
    OutputNotWritable,
    VideoTooShort,
)
from squatcheck.pose.track import N_LANDMARKS, PoseTrack, TrackMeta
from synthetic_media import (
    crop_copy,
    image_bytes,
    plain_frames,
    write_audio_only_mp4,
    write_h264,
    write_video,
    write_wav,
)

SQUATCHECK = Path(sys.executable).with_name("squatcheck")


def _missing(d: Path) -> Path:
    return d / "no_such_clip.mp4"


def _directory(d: Path) -> Path:
    (d / "clips.mp4").mkdir()
    return d / "clips.mp4"


def _empty(d: Path) -> Path:
    (d / "empty.mp4").write_bytes(b"")
    return d / "empty.mp4"


def _text(d: Path) -> Path:
    (d / "notes.mp4").write_text("squat notes: 3 sets of 5, knees felt fine\n")
    return d / "notes.mp4"


def _png(d: Path) -> Path:
    (d / "photo.mp4").write_bytes(image_bytes(".png"))
    return d / "photo.mp4"


def _jpeg(d: Path) -> Path:
    (d / "photo2.mp4").write_bytes(image_bytes(".jpg"))
    return d / "photo2.mp4"


def _truncated(d: Path) -> Path:
    whole = write_video(d / "whole.mp4", plain_frames(50))
    cut = d / "truncated.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    whole.unlink()
    return cut


def _cut_after_index(d: Path) -> Path:
    """Index at the front (phones, web exports): the first half still decodes."""
    whole = write_h264(d / "whole.mp4", plain_frames(50))
    cut = d / "cut_short.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    whole.unlink()
    return cut


def _wav_renamed(d: Path) -> Path:
    return write_wav(d / "voice.mp4")


def _audio_only_mp4(d: Path) -> Path:
    return write_audio_only_mp4(d / "podcast.mp4")


def _no_person(d: Path) -> Path:
    return write_video(d / "empty_room.mp4", plain_frames(30), fps=15)


def _one_frame(d: Path) -> Path:
    return write_video(d / "one_frame.mp4", plain_frames(1))


# (maker, error class, words the sentence must contain)
CASES = {
    "missing": (_missing, InputNotFound, "does not exist"),
    "directory": (_directory, InputNotFound, "is a folder"),
    "zero_bytes": (_empty, NotAVideo, "empty (0 bytes)"),
    "text_renamed": (_text, NotAVideo, "text file"),
    "png_renamed": (_png, NotAVideo, "still image"),
    "jpeg_renamed": (_jpeg, NotAVideo, "still image"),
    "truncated": (_truncated, NotAVideo, "truncated or damaged"),
    "truncated_index_first": (_cut_after_index, NotAVideo, "truncated or damaged"),
    "wav_renamed": (_wav_renamed, NotAVideo, "audio only"),
    "audio_only_mp4": (_audio_only_mp4, NotAVideo, "audio only"),
    "no_person": (_no_person, NoPersonFound, "No person was found"),
    "one_frame": (_one_frame, VideoTooShort, "only one frame"),
}


def _command(command: str, video: Path, out: Path) -> list[str]:
    if command == "pose":
        return [str(SQUATCHECK), "pose", str(video), "-o", str(out / "track.npz")]
    return [str(SQUATCHECK), "analyze", str(video), "-o", str(out / "report")]


@pytest.mark.parametrize("command", ["pose", "analyze"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gives_one_sentence_and_its_exit_code(tmp_path, command, case):
    make, error, words = CASES[case]
    _assert_refused(tmp_path, lambda inputs, out: _command(command, make(inputs), out),
                    error, words)


def _track(d: Path) -> Path:
    rows = 40
    meta = TrackMeta(source="clip.mp4", image_size=(480, 640), fps_nominal=30.0)
    track = PoseTrack.from_rows(np.arange(rows) / 30.0, np.arange(rows),
                                np.full((rows, N_LANDMARKS, 5), 0.5),
                                np.zeros((rows, N_LANDMARKS, 3)), meta)
    return track.save(d / "track.npz")


def _track_cut_short(d: Path) -> Path:
    path = _track(d)
    path.write_bytes(path.read_bytes()[:300])
    return path


def _track_scrambled(d: Path) -> Path:
    """The archive's index intact, a member's compressed bytes not (a bad disk, a bad copy)."""
    path = _track(d)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = max(archive.infolist(), key=lambda m: m.compress_size)
    start = member.header_offset + 30 + len(member.filename) + 8
    data[start:start + 64] = bytes(b ^ 0x5A for b in data[start:start + 64])
    path.write_bytes(bytes(data))
    return path


def _plain_npz(d: Path) -> Path:
    np.savez(d / "angles.npz", knee=np.arange(5.0))
    return d / "angles.npz"


def _track_bad_shapes(d: Path) -> Path:
    path = _track(d)
    with np.load(path) as data:
        arrays = dict(data)
    arrays["visibility"] = arrays["visibility"][:, :20]
    np.savez(path, **arrays)
    return path


def _text_as_track(d: Path) -> Path:
    (d / "notes.npz").write_text("not a track\n")
    return d / "notes.npz"


# saved pose tracks given to 'analyze': (maker, words the sentence must contain)
TRACK_CASES = {
    "cut_short": (_track_cut_short, "cut short"),
    "scrambled": (_track_scrambled, "damaged pose track"),
    "plain_numpy": (_plain_npz, "no squatcheck metadata"),
    "bad_shapes": (_track_bad_shapes, "visibility has shape"),
    "text_renamed": (_text_as_track, "not an .npz archive"),
}


@pytest.mark.parametrize("case", list(TRACK_CASES))
def test_a_bad_pose_track_gives_one_sentence(tmp_path, case):
    make, words = TRACK_CASES[case]
    _assert_refused(tmp_path, lambda inputs, out: _command("analyze", make(inputs), out),
                    NotAVideo, words)


def test_a_pose_track_given_for_a_video_says_how_to_analyse_it(tmp_path):
    _assert_refused(tmp_path, lambda inputs, out: _command("pose", _track(inputs), out),
                    NotAVideo, "is a saved pose track, not a video; analyse it with "
                    "'squatcheck analyze track.npz'")


def _assert_refused(tmp_path: Path, command, error, words: str) -> None:
    """``command(inputs, out)`` builds the input in ``inputs`` and returns the argv."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    argv = command(inputs, out)
    before = sorted(p.name for p in inputs.iterdir())
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == error.exit_code, proc.stderr
    assert error.exit_code in EXIT_CODES
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("squatcheck: ") and lines[0].endswith("."), lines[0]
    assert words in lines[0]
    assert list(out.iterdir()) == [], "an output was left behind"
    assert sorted(p.name for p in inputs.iterdir()) == before, "files appeared beside the input"


def test_exit_codes_are_documented_in_help():
    proc = subprocess.run([str(SQUATCHECK), "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0
    for error in (InputNotFound, NotAVideo, NoPersonFound, VideoTooShort):
        assert f"{error.exit_code:>3}  {EXIT_CODES[error.exit_code]}" in proc.stdout


@pytest.mark.parametrize("command", ["pose", "analyze"])
def test_a_pipe_is_refused_without_waiting_on_it(tmp_path, command):
    def make(inputs: Path, out: Path) -> list[str]:
        os.mkfifo(inputs / "camera_feed.mp4")
        return _command(command, inputs / "camera_feed.mp4", out)

    _assert_refused(tmp_path, make, InputNotFound, "is not a regular file")


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory) -> Path:
    """1.5 s of a sample squat clip: a person for the pose model, in a second or two."""
    sample = Path(__file__).parents[1] / "sample_videos" / "sls_clean_side.mp4"
    return crop_copy(sample, tmp_path_factory.mktemp("short") / "short.mp4", 0.0, 1.5)


def _output_cases(clip: Path, d: Path) -> dict[str, list[str]]:
    (d / "a_folder").mkdir()
    (d / "a_file").write_text("notes\n")
    track = _track(d)
    return {
        "pose into a folder": ["pose", str(clip), "-o", str(d / "a_folder")],
        "pose under a file": ["pose", str(clip), "-o", str(d / "a_file" / "t.npz")],
        "json into a folder": ["analyze", str(track), "--json", str(d / "a_folder")],
        "json under a file": ["analyze", str(track), "--json", str(d / "a_file" / "r.json")],
        "reports under a file": ["analyze", str(track), "-o", str(d / "a_file" / "out")],
        "pose over its input": ["pose", str(clip), "-o", str(clip)],
        "json over its input": ["analyze", str(track), "--json", str(track)],
    }


def test_an_output_that_cannot_be_written_is_one_sentence_and_leaves_nothing(tmp_path,
                                                                               short_clip):
    clip = Path(shutil.copy(short_clip, tmp_path / "clip.mp4"))
    cases = _output_cases(clip, tmp_path)
    inputs = {p: p.read_bytes() for p in (clip, tmp_path / "track.npz")}
    for case, argv in cases.items():
        before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
        proc = subprocess.run([str(SQUATCHECK), *argv], capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == OutputNotWritable.exit_code, (case, proc.stderr)
        assert len(lines) == 1 and lines[0].startswith("squatcheck: "), (case, proc.stderr)
        assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before, case
        for path, data in inputs.items():
            assert path.read_bytes() == data, f"{case}: {path.name} was changed"


@pytest.mark.parametrize("argv", [["pose", "x.mp4", "-o", "t.npz", "--people", "0"],
                                  ["pose", "x.mp4", "-o", "t.npz", "--max-hz", "nan"],
                                  ["analyze", "x.mp4", "--workers", "-3"]])
def test_impossible_numbers_are_usage_errors(argv):
    proc = subprocess.run([str(SQUATCHECK), *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_saved_track_finds_its_own_video_not_a_namesake(tmp_path, short_clip, monkeypatch):
    """The track names its video as it was given ("short.mp4"); run from another folder
    holding an unrelated short.mp4, the video beside the track (of the track's size) is
    the one drawn on, and a pipe under that name is skipped, not read."""
    from squatcheck.analysis.analyze import recorded_video

    here, elsewhere = tmp_path / "visit", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    shutil.copy(short_clip, here / "short.mp4")
    write_video(elsewhere / "short.mp4", plain_frames(10))
    track = PoseTrack.load(_track(here))
    track.meta = TrackMeta(source="short.mp4", image_size=(480, 640))
    monkeypatch.chdir(elsewhere)
    assert recorded_video(here / "track.npz", track) == here / "short.mp4"
    (here / "short.mp4").unlink()
    os.mkfifo(here / "short.mp4")
    assert recorded_video(here / "track.npz", track) is None


def test_sigterm_while_writing_reports_cleans_up_like_ctrl_c(tmp_path, short_clip):
    """`timeout`, systemd and docker stop a job with SIGTERM: stopped while the reports are
    being written, the command says so and leaves no hidden half-written folder."""
    track = tmp_path / "track.npz"
    subprocess.run([str(SQUATCHECK), "pose", str(short_clip), "-o", str(track)], check=True,
                   capture_output=True, timeout=120)
    out = tmp_path / "out"
    proc = subprocess.Popen([str(SQUATCHECK), "analyze", str(track), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(out.glob(".squatcheck-partial-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip() == "squatcheck: interrupted; nothing half-written was kept."
    assert not any(out.glob(".squatcheck-partial-*")) and not (out / "report.html").exists()
