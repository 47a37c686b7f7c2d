"""VideoReader: upright frames, true timestamps, streaming, clear errors (synthetic media)."""

from __future__ import annotations

import tracemalloc
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from squatcheck.errors import CameraUnavailable, NotAVideo
from squatcheck.video import VideoReader, _magic_kind, count_frames, prefetch
from synthetic_media import (
    plain_frames,
    set_mp4_matrix,
    set_mp4_rotation,
    write_h264,
    write_hevc_hdr_mov,
    write_raw_h264,
    write_video,
)


def _marked_frames(n: int = 8, w: int = 160, h: int = 90) -> list[np.ndarray]:
    frames = []
    for _ in range(n):
        img = np.zeros((h, w, 3), np.uint8)
        img[:20, :40] = (0, 0, 255)  # a red block in the top-left corner of the stored frame
        frames.append(img)
    return frames


def _read_all(path) -> list:
    with VideoReader(path) as reader:
        return list(reader)


def _red_box(image: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(image[..., 2] > 128)
    return ys.min(), ys.max(), xs.min(), xs.max()


@pytest.mark.parametrize("clockwise", [0, 90, 180, 270])
def test_rotation_metadata_gives_upright_frames_like_opencv(tmp_path, clockwise):
    path = set_mp4_rotation(write_video(tmp_path / "r.mp4", _marked_frames()), clockwise)
    with VideoReader(path) as reader:
        first = next(iter(reader))
        info = reader.info
    cap = cv2.VideoCapture(str(path))  # OpenCV 5 applies the rotation by default
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    ok, reference = cap.read()
    cap.release()
    assert ok and first.image.shape == reference.shape
    assert _red_box(first.image) == _red_box(reference)
    assert info.rotation_deg == clockwise
    assert (info.width, info.height) == (reference.shape[1], reference.shape[0])
    # the stored top-left corner ends where a clockwise turn puts it
    h, w = first.image.shape[:2]
    y0, _, x0, _ = _red_box(first.image)
    expected_corner = {0: (0, 0), 90: (0, w - 20), 180: (h - 20, w - 40), 270: (h - 40, 0)}
    assert (y0, x0) == expected_corner[clockwise]



@pytest.mark.parametrize("matrix, corner", [
    ((-1, 0, 0, 1), "top right"),  # a mirror: flipped left-right, not stood on its head
    ((0.7071, 0.7071, -0.7071, 0.7071), "top left"),  # 45 deg: not applied, size not swapped
    ((0, 0, 0, 0), "top left"),  # a matrix of zeros: frames as stored
])
def test_odd_display_matrices_keep_the_person_upright(tmp_path, matrix, corner):
    path = set_mp4_matrix(write_video(tmp_path / "m.mp4", _marked_frames()), *matrix)
    with VideoReader(path) as reader:
        first = next(iter(reader))
        info = reader.info
    h, w = first.image.shape[:2]
    assert (info.width, info.height) == (w, h) == (160, 90)
    y0, _, x0, x1 = _red_box(first.image)
    assert (y0, x0 if corner == "top left" else x1) == (0, 0 if corner == "top left" else w - 1)


def test_a_stream_that_changes_size_keeps_its_first_frame_size(tmp_path):
    """Landmarks are fractions of the frame and a track has one frame size: frames after
    the change are scaled to the first ones' (the marked corner stays the marked corner)."""
    path = write_raw_h264(tmp_path / "resized.h264", _marked_frames(6),
                          [cv2.resize(f, (320, 180)) for f in _marked_frames(6)])
    frames = _read_all(path)
    assert len(frames) == 12
    assert {f.image.shape for f in frames} == {(90, 160, 3)}
    assert _red_box(frames[-1].image)[:3:2] == (0, 0)


def test_an_iphones_hevc_10_bit_hdr_mov_reads_like_the_same_picture_in_h264(tmp_path):
    """iPhones film HEVC, 10-bit, HDR (HLG) in .mov unless told otherwise: it decodes to
    the same 8-bit frames, times and picture as H.264 of the same frames."""
    frames = _marked_frames(12, 192, 108)
    for k, img in enumerate(frames):
        img[40:, :, 1] = np.linspace(0, 255, img.shape[1])[None, :].astype(np.uint8)
        img[60:80, 20 + 8 * k:40 + 8 * k] = 255  # a white block that moves
    paths = (write_h264(tmp_path / "a.mp4", frames, fps=30),
             write_hevc_hdr_mov(tmp_path / "b.mov", frames))
    with av.open(str(paths[1])) as container:
        ctx = container.streams.video[0].codec_context
        assert (ctx.name, ctx.pix_fmt, ctx.color_trc) == ("hevc", "yuv420p10le", 18)  # HLG
    h264, hevc = (_read_all(path) for path in paths)
    assert len(hevc) == len(h264) == 12
    for a, b in zip(h264, hevc, strict=True):
        assert b.t_s == pytest.approx(a.t_s, abs=1e-3) and b.image.dtype == np.uint8
        assert _red_box(b.image) == _red_box(a.image)
        # 1.1 grey levels; decoded with BT.601's matrix instead of the tagged BT.2020's: 3.9;
        # the next frame's picture: 9
        assert np.abs(b.image.astype(int) - a.image.astype(int)).mean() < 2.5

def test_variable_frame_rate_keeps_true_timestamps(tmp_path):
    path = tmp_path / "vfr.mp4"
    gaps_ms = [33, 33, 50, 17, 33, 100, 33, 20, 40, 33]
    pts_ms = np.concatenate([[0], np.cumsum(gaps_ms)])
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        for i, pts in enumerate(pts_ms):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8),
                                               format="rgb24")
            frame.pts, frame.time_base = int(pts), Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with VideoReader(path) as reader:
        t_s = np.array([f.t_s for f in reader])
    assert np.allclose(t_s, pts_ms / 1000.0, atol=1e-3)


def test_shard_window_keeps_frame_indices_and_times(tmp_path):
    path = write_video(tmp_path / "v.mp4", plain_frames(40), fps=20)
    with VideoReader(path) as reader:
        everything = [(f.index, f.t_s) for f in reader]
    with VideoReader(path, start_s=0.5, end_s=1.25) as reader:
        window = [(f.index, f.t_s) for f in reader]
    assert window == [(i, t) for i, t in everything if 0.5 <= t < 1.25]
    assert window[0][0] == 10 and len(window) == 15


def test_rgb_and_bgr_frames_hold_the_same_pixels(tmp_path):
    frames = [np.dstack([np.full((48, 64), c, np.uint8) for c in (30, 120, 220)])] * 3
    path = write_video(tmp_path / "c.mp4", frames)
    with VideoReader(path) as bgr, VideoReader(path, colour="rgb") as rgb:
        a, b = next(iter(bgr)).image, next(iter(rgb)).image
    assert np.array_equal(a, b[..., ::-1])
    assert abs(int(a[..., 0].mean()) - 30) < 8 and abs(int(a[..., 2].mean()) - 220) < 8


def test_downscaled_to_max_side(tmp_path):
    path = write_video(tmp_path / "big.mp4", plain_frames(3, (640, 360)))
    with VideoReader(path, max_side_px=320) as reader:
        image = next(iter(reader)).image
        assert (reader.info.width, reader.info.height) == (640, 360)  # full size reported
    assert image.shape == (180, 320, 3)


def test_memory_stays_flat_with_video_length(tmp_path):
    """Frames stream through a bounded queue: peak Python-side memory (numpy buffers are
    traced) is the same for a 4x longer video."""
    peaks = []
    for n in (60, 240):
        path = write_video(tmp_path / f"m{n}.mp4", plain_frames(n, (320, 240)))
        tracemalloc.start()
        with VideoReader(path) as reader:
            count = sum(1 for _ in prefetch(iter(reader), depth=4))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert count == n
    assert peaks[1] < 1.5 * peaks[0] + 2 * 320 * 240 * 3, peaks


def test_truncated_file_decodes_only_its_intact_part(tmp_path):
    whole = write_h264(tmp_path / "whole.mp4", plain_frames(50))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with VideoReader(cut) as reader:
        assert reader.info.frame_count_header == 50
    assert 0 < count_frames(cut)[0] < 45


def test_magic_kinds():
    assert _magic_kind(b"\x00\x00\x00\x20ftypisom") == "video"
    assert _magic_kind(b"\x00\x00\x00\x20ftypM4A ") == "audio"
    assert _magic_kind(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "audio"
    assert _magic_kind(b"RIFF\x00\x00\x00\x00AVI LIST") == "video"
    assert _magic_kind(b"\x89PNG\r\n\x1a\n") == "image"
    assert _magic_kind(b"GIF89a") == "video"
    assert _magic_kind(b"hello, world\n") == "text"


def test_unknown_binary_file_is_not_a_video(tmp_path):
    path = tmp_path / "noise.mp4"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, np.uint8).tobytes())
    with pytest.raises(NotAVideo, match="could not be read as a video"):
        VideoReader(path)


def test_missing_camera_index_is_a_clear_error():
    with pytest.raises(CameraUnavailable, match="No camera found at index 97"):
        VideoReader(97)
