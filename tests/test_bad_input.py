"""Bad inputs give one plain sentence and their documented exit code, through the real
console script, with no traceback and nothing left behind, for ``pose`` and ``analyze``."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from squatcheck.errors import EXIT_CODES, InputNotFound, NoPersonFound, NotAVideo, VideoTooShort
from squatcheck.pose.track import N_LANDMARKS, PoseTrack, TrackMeta
from synthetic_media import (
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
