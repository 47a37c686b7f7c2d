"""Small media files made on the spot for tests: videos, bad inputs, rotation metadata.

Everything here is written with what squatcheck already installs (OpenCV, PyAV,
the standard library), in milliseconds, so tests need no media in the repo.
"""

from __future__ import annotations

import struct
import wave
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np


def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 25.0) -> Path:
    """Write BGR frames as an ``mp4v`` MP4 with OpenCV (its index sits at the end)."""
    writer = None
    for image in frames:
        if writer is None:
            h, w = image.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(image)
    writer.release()
    return path


def write_h264(path: Path, frames: Iterable[np.ndarray], fps: int = 25) -> Path:
    """Write BGR frames as H.264 MP4 with PyAV, index first ("faststart", as phones and
    web exports do), so a cut-off copy still opens and decodes up to the cut."""
    with av.open(str(path), "w", options={"movflags": "faststart"}) as out:
        stream = None
        for image in frames:
            if stream is None:
                stream = out.add_stream("libx264", rate=fps)
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = "yuv420p"
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path



def write_hevc_hdr_mov(path: Path, frames: Iterable[np.ndarray], fps: int = 30) -> Path:
    """Write BGR frames as an iPhone films by default: HEVC (``hvc1``), 10-bit, tagged HDR
    (BT.2020 primaries, HLG transfer), in a QuickTime ``.mov``."""
    with av.open(str(path), "w") as out:
        stream = None
        for image in frames:
            if stream is None:
                stream = out.add_stream("libx265", rate=fps)
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt, stream.codec_tag = "yuv420p10le", "hvc1"
                stream.options = {"x265-params": "log-level=error:colorprim=bt2020:"
                                  "transfer=arib-std-b67:colormatrix=bt2020nc"}
            frame = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(
                format="yuv420p10le", dst_colorspace="BT2020")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path

def plain_frames(n: int, size: tuple[int, int] = (160, 120)) -> list[np.ndarray]:
    """``n`` frames of a slowly changing empty room (no person): (H, W, 3) uint8."""
    w, h = size
    ramp = np.linspace(60, 180, w, dtype=np.uint8)[None, :, None]
    return [np.ascontiguousarray(np.broadcast_to(ramp + i % 7, (h, w, 3))) for i in range(n)]


def set_mp4_rotation(path: Path, clockwise_deg: int) -> Path:
    """Store a display rotation in the first ``tkhd`` box, as phones do (in place)."""
    a, b, c, d = {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1),
                  270: (0, -1, 1, 0)}[clockwise_deg]
    return set_mp4_matrix(path, a, b, c, d)


def set_mp4_matrix(path: Path, a: float, b: float, c: float, d: float) -> Path:
    """Store the display matrix [[a, b], [c, d]] in the first ``tkhd`` box (in place): a
    rotation, a mirror (a = -1), or an odd one."""
    data = bytearray(path.read_bytes())
    i = data.find(b"tkhd")
    version = data[i + 4]
    # version+flags, creation/modification time, track id, reserved, duration, reserved(8),
    # layer, alternate group, volume, reserved, then the 3x3 matrix
    off = i + 8 + (16 if version == 1 else 8) + 8 + (8 if version == 1 else 4) + 8 + 8
    fixed = [round(v * 65536) for v in (a, b, c, d)]
    data[off:off + 36] = struct.pack(">9i", fixed[0], fixed[1], 0, fixed[2], fixed[3], 0, 0, 0,
                                     1 << 30)
    path.write_bytes(bytes(data))
    return path


def write_wav(path: Path, seconds: float = 1.0, rate: int = 8000) -> Path:
    """A mono 16-bit sine tone (whatever the file name says)."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def write_audio_only_mp4(path: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    """A real MP4 container (brand ``isom``) whose only stream is AAC audio."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate)
        stream.layout = "mono"
        n = int(seconds * rate)
        tone = (np.sin(2 * np.pi * 440 * np.arange(n) / rate) * 0.3).astype(np.float32)
        for start in range(0, n, 1024):
            chunk = tone[start:start + 1024][None, :]
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def image_bytes(ext: str, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small still image encoded as ``.png`` or ``.jpg``."""
    ok, buf = cv2.imencode(ext, plain_frames(1, size)[0])
    assert ok
    return buf.tobytes()


def crop_copy(src: Path, dst: Path, start_s: float, end_s: float) -> Path:
    """Copy the video packets of ``src`` from the keyframe at or before ``start_s`` until
    ``end_s`` into ``dst`` (no re-encoding: milliseconds, the real codec and size)."""
    with av.open(str(src)) as inp:
        vin = inp.streams.video[0]
        packets = [(p.pts, p.dts, p.is_keyframe) for p in inp.demux(vin)
                   if p.pts is not None and p.dts is not None]
    t0 = min(pts for pts, _, _ in packets)
    keys = [dts for pts, dts, key in packets if key and (pts - t0) * vin.time_base <= start_s]
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        vin = inp.streams.video[0]
        vout = out.add_stream_from_template(vin)
        first = keys[-1] if keys else None
        for packet in inp.demux(vin):
            if packet.dts is None or packet.pts is None:
                continue
            if first is None:
                first = packet.dts
            if packet.dts < first:
                continue
            if (packet.dts - t0) * vin.time_base >= end_s:
                break
            packet.pts -= first
            packet.dts -= first
            packet.stream = vout
            out.mux(packet)
    return dst


def write_raw_h264(path: Path, *parts: list[np.ndarray], fps: int = 25) -> Path:
    """A raw H.264 stream (``.h264``, no container) of ``parts`` one after another, each
    encoded at its own frame size: a stream that changes size mid-way."""
    data = b""
    for frames in parts:
        cc = av.CodecContext.create("libx264", "w")
        cc.height, cc.width = frames[0].shape[:2]
        cc.pix_fmt, cc.time_base, cc.framerate = "yuv420p", Fraction(1, fps), fps
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            data += b"".join(bytes(p) for p in cc.encode(frame))
        data += b"".join(bytes(p) for p in cc.encode(None))
    path.write_bytes(data)
    return path
