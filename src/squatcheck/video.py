"""Frames with their true timestamps from files and cameras, upright, streamed.

Container headers lie (frame counts, nominal fps), phones store rotation as
metadata and record at variable frame rates; this module hides all of that
behind one iterator of :class:`Frame`. Memory stays flat: frames are decoded
one at a time (optionally a few ahead, on a thread, see ``prefetch``).

Files are decoded with PyAV (FFmpeg): it gives each frame's own presentation
time, the rotation stored by phones, and which streams a file holds (so an
audio-only file gets its own message). OpenCV 5.1's reader converts Display-P3
phone video (every iPhone clip) through FFmpeg 8's colour management at about
100 ms per 1080p frame, ten times the decode itself; PyAV does not. Cameras
are read with OpenCV.
"""

from __future__ import annotations

import math
import queue
import struct
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from .errors import CameraUnavailable, InputNotFound, NotAVideo
from .files import require_file

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".gif", ".mpg", ".mpeg", ".y4m")

MAX_FRAME_PIXELS = 8192 * 8192  # 8K in both directions: a phone's 8K video is 7680x4320
av.logging.set_level(None)  # FFmpeg's own warnings (damaged packets etc.) are not for users

# clockwise quarter turns that make a frame upright, by PyAV's ``frame.rotation``
# (the display matrix angle, counter-clockwise degrees)
_CLOCKWISE = {0: None, -90: cv2.ROTATE_90_CLOCKWISE, 270: cv2.ROTATE_90_CLOCKWISE,
              90: cv2.ROTATE_90_COUNTERCLOCKWISE, -270: cv2.ROTATE_90_COUNTERCLOCKWISE,
              180: cv2.ROTATE_180, -180: cv2.ROTATE_180}


@dataclass(frozen=True)
class Frame:
    """One decoded frame. ``image`` is uint8 of shape (H, W, 3), upright, BGR unless the
    reader was asked for RGB; None for frames a reader with ``every_s`` skipped."""

    index: int
    t_s: float
    image: np.ndarray | None


@dataclass(frozen=True)
class VideoInfo:
    """What the source says, before decoding it all.

    ``width``/``height`` are of the upright frame at full resolution (the first
    frame is decoded to know them). ``frame_count_header`` is an estimate from
    the container and may be wrong: count what decodes.
    """

    source: str
    width: int
    height: int
    fps_nominal: float
    frame_count_header: int
    is_camera: bool
    rotation_deg: int = 0  # clockwise turn applied to make frames upright (rotation metadata)


def sniff_video_file(path: Path) -> None:
    """Raise a plain-language error unless ``path`` could plausibly be a video.

    Checks existence and content (magic bytes), never the extension: a JPEG
    renamed ``.mp4`` is still a JPEG.
    """
    path = Path(path)
    require_file(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise InputNotFound(f"{path} cannot be read ({exc.strerror}).") from None
    if not head:
        raise NotAVideo(f"{path} is empty (0 bytes); record or copy the video again.")
    kind = _magic_kind(head)
    if kind == "image":
        raise NotAVideo(f"{path} is a still image, not a video; squatcheck needs a video "
                        "of the whole squat.")
    if kind == "audio":
        raise NotAVideo(_audio_only(path))
    if kind == "text":
        raise NotAVideo(f"{path} is a text file, not a video; give the video file itself.")
    if kind == "zip":
        raise NotAVideo(_archive(path))


def _archive(path: Path) -> str:
    """An .npz is a zip: a saved pose track given where a video belongs says so."""
    try:
        with zipfile.ZipFile(path) as archive:
            is_track = "meta_json.npy" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        is_track = False
    if is_track:
        return (f"{path} is a saved pose track, not a video; analyse it with "
                f"'squatcheck analyze {path.name}'.")
    return f"{path} is a zip archive, not a video; unpack it and give the video inside."


def _audio_only(path) -> str:
    return f"{path} holds audio only, no picture; give a video file recorded with the camera."


def _magic_kind(head: bytes) -> str:
    if head[4:8] == b"ftyp":
        return "audio" if head[8:12] in (b"M4A ", b"M4B ", b"M4P ") else "video"
    if head.startswith((b"\x1a\x45\xdf\xa3", b"GIF87a", b"GIF89a", b"YUV4MPEG2", b"FLV",
                        b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3", b"OggS")):
        return "video"
    if head.startswith(b"RIFF"):
        return {b"AVI ": "video", b"WEBP": "image", b"WAVE": "audio"}.get(head[8:12], "other")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"BM", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith((b"ID3", b"fLaC", b"\xff\xfb", b"\xff\xf3")):
        return "audio"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "other"
    return "text" if all(c.isprintable() or c.isspace() for c in text) else "other"


def orientation(frame) -> tuple[int, bool]:
    """(counter-clockwise quarter turn in degrees, mirrored) that the stream's display matrix
    asks for, as PyAV's ``frame.rotation`` reads it but with a mirror (a negative
    determinant, some front-camera apps) taken out first: read as a rotation, a mirror is a
    half turn and stands the person on their head. A turn that is not a quarter turn (45
    deg) or a matrix of zeros is not applied (0, False): frames stay as stored."""
    matrix = next((bytes(d) for d in getattr(frame, "side_data", ())
                   if getattr(d.type, "name", "") == "DISPLAYMATRIX"), b"")
    if len(matrix) < 36:
        return 0, False
    a, b, _, c, d = struct.unpack("<9i", matrix[:36])[:5]
    mirrored = a * d - b * c < 0
    if mirrored:
        a, c = -a, -c
    if a == b == 0:
        return 0, False
    turn = round(-math.degrees(math.atan2(b, a)))
    return (turn, mirrored) if turn in _CLOCKWISE else (0, False)


def _damaged(path) -> str:
    return (f"{path} could not be read as a video; it may be truncated or damaged, or in a "
            "format FFmpeg cannot decode. Copy it again or re-export it as MP4.")


class VideoReader:
    """Iterate the frames of a file or camera, upright, with real timestamps.

    Parameters
    ----------
    source : path or int
        A video file, or a camera index.
    max_side_px : int, optional
        Downscale frames so the longer side is at most this (decoding 4K then
        copying it costs more than inference).
    turn_deg : int
        A further clockwise quarter turn (90, 180, 270) after the file's own rotation:
        a video whose rotation was lost in an export (files only).
    start_s, end_s : float, optional
        Only yield frames with ``start_s <= t_s < end_s`` (used to shard a clip).
        Earlier frames are decoded (references need it) but not converted.
        ``start_s`` may be raised while iterating, to skip ahead.
    colour : "bgr" or "rgb"
        Channel order of ``Frame.image`` (OpenCV drawing wants BGR, the pose
        model RGB: asking for what you need saves a copy per frame).
    every_s : float
        Convert at most one frame per ``every_s`` seconds; the frames between are
        still yielded (index, time) but with ``image=None`` (files only; 0 = all).

    Raises ``InputNotFound``/``NotAVideo`` (files) or ``CameraUnavailable`` on
    opening, so a file with no decodable picture fails before any work.
    """

    def __init__(self, source: str | Path | int, *, max_side_px: int | None = None,
                 start_s: float | None = None, end_s: float | None = None,
                 colour: str = "bgr", every_s: float = 0.0, turn_deg: int = 0):
        self.turn_deg = int(turn_deg) % 360
        self.is_camera = isinstance(source, int)
        self.colour, self.every_s = colour, every_s
        self.source = source if self.is_camera else Path(source)
        self.max_side_px = max_side_px
        self.start_s, self.end_s = start_s, end_s
        self._cap = self._container = None
        self.frames_seen, self.last_t_s = 0, 0.0  # so far, while iterating
        self.damaged = False  # decoding stopped at an error before the end of the file
        if self.is_camera:
            self._open_camera()
        else:
            sniff_video_file(self.source)
            self._open_file()

    # -- files (PyAV) -------------------------------------------------------------

    def _open_file(self) -> None:
        try:
            self._container = av.open(str(self.source), mode="r")
        except (av.FFmpegError, UnicodeDecodeError, ValueError):
            raise NotAVideo(_damaged(self.source)) from None
        streams = self._container.streams
        if not streams.video:
            has_audio = bool(streams.audio)
            self.close()  # PyAV crashes if streams are touched after this
            raise NotAVideo(_audio_only(self.source) if has_audio
                            else f"{self.source} holds no video stream; give a video file.")
        # the main picture: a file may carry a thumbnail or a second, smaller stream first
        self._stream = max(streams.video, key=lambda v: (v.codec_context.width or 0)
                           * (v.codec_context.height or 0))
        self._stream.thread_type = "AUTO"
        self._frames = self._decode()
        first = next(self._frames, None)
        if first is None:
            self.close()
            raise NotAVideo(f"{self.source} holds no video frames that can be decoded; it may "
                            "be truncated or damaged. Copy it again or re-export it as MP4.")
        self._first = first
        self._stored_size = (first.width, first.height)
        if first.width * first.height > MAX_FRAME_PIXELS:
            self.close()
            raise NotAVideo(f"{self.source} has frames of {first.width}x{first.height}, larger "
                            "than squatcheck reads (8K at most); export it at 4K or less.")
        self._t0 = first.time if first.time is not None else 0.0
        self._turn, self._mirrored = orientation(first)
        self._turn = (self._turn - self.turn_deg) % 360  # and the caller's clockwise turn
        rotation = -self._turn % 360  # clockwise, as phones say it
        w, h = first.width, first.height
        if rotation % 180:
            w, h = h, w
        rate = self._stream.average_rate or self._stream.guessed_rate
        fps = float(rate) if rate else 0.0
        count = int(self._stream.frames or 0)
        if count <= 0 and self._stream.duration and self._stream.time_base and fps > 0:
            count = int(round(float(self._stream.duration * self._stream.time_base) * fps))
        self.info = VideoInfo(str(self.source), w, h, fps, count, False, rotation)

    def _decode(self):
        """Decoded PyAV frames; stops quietly at damage after the last good frame."""
        try:
            yield from self._container.decode(self._stream)
        except (av.FFmpegError, OSError, ValueError):
            self.damaged = True  # truncated or damaged: the caller decides what that means

    def _iter_file(self) -> Iterator[Frame]:
        fps = self.info.fps_nominal if 0 < self.info.fps_nominal < 1000 else 30.0
        frames = _chain_first(self._first, self._frames)
        self._first = None
        last_t = next_convert = -np.inf
        for index, frame in enumerate(frames):
            t_s = frame.time - self._t0 if frame.time is not None else index / fps
            if not t_s > last_t:  # missing, repeated or backwards pts: one nominal frame on
                t_s = last_t + 1.0 / fps if index else 0.0
            last_t = self.last_t_s = t_s
            self.frames_seen = index + 1
            if self.start_s is not None and t_s < self.start_s:
                continue
            if self.end_s is not None and t_s >= self.end_s:
                break
            if self.every_s and t_s < next_convert - 1e-4:
                yield Frame(index, t_s, None)
                continue
            next_convert = t_s + self.every_s
            yield Frame(index, t_s, self._convert(frame))

    def _convert(self, frame) -> np.ndarray:
        # a stream that changes size mid-way (raw H.264, some screen recordings) is scaled
        # to its first frame's: the landmarks are fractions of the frame, the track keeps
        # one frame size
        w, h = self._stored_size
        size = {} if (frame.width, frame.height) == (w, h) else {"width": w, "height": h}
        if self.max_side_px is not None and max(w, h) > self.max_side_px:
            scale = self.max_side_px / max(w, h)
            # FAST_BILINEAR costs a third of AREA and is as good down to half size
            size = {"width": max(2, round(w * scale)), "height": max(2, round(h * scale)),
                    "interpolation": "FAST_BILINEAR" if scale >= 0.5 else "AREA"}
        image = frame.to_ndarray(format="rgb24" if self.colour == "rgb" else "bgr24", **size)
        if self._mirrored:
            image = cv2.flip(image, 1)
        turn = _CLOCKWISE.get(self._turn)
        return cv2.rotate(image, turn) if turn is not None else image

    # -- cameras (OpenCV) -----------------------------------------------------------

    def _open_camera(self) -> None:
        cap = cv2.VideoCapture(self.source)
        if not cap.isOpened():
            raise CameraUnavailable(f"No camera found at index {self.source}; plug one in "
                                    "or pass --camera with another index.")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # OpenCV 5 does this by default; 4.x needs it
        self._cap = cap
        self.info = VideoInfo(str(self.source), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                              int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                              float(cap.get(cv2.CAP_PROP_FPS) or 0.0), 0, True)

    def _iter_camera(self) -> Iterator[Frame]:
        index, last_t, t0 = -1, -np.inf, None
        while self._cap.grab():
            index += 1
            now = cv2.getTickCount() / cv2.getTickFrequency()
            t0 = now if t0 is None else t0
            t_s = max(now - t0, last_t + 1e-3)
            last_t = t_s
            ok, image = self._cap.retrieve()
            if not ok or image is None:
                break
            image = self._resize(image)
            if self.colour == "rgb":
                image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            yield Frame(index, t_s, image)

    def _resize(self, image: np.ndarray) -> np.ndarray:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        if self.max_side_px is None or max(image.shape[:2]) <= self.max_side_px:
            return image
        scale = self.max_side_px / max(image.shape[:2])
        size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA)

    # -- common -----------------------------------------------------------------------

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
        if self._container is not None:
            self._container.close()
            self._container = None

    def __iter__(self) -> Iterator[Frame]:
        """Yield frames in order, with ``index`` counting every decoded frame."""
        return self._iter_camera() if self.is_camera else self._iter_file()


def _chain_first(first, rest):
    if first is not None:
        yield first
    yield from rest


def count_frames(source: str | Path) -> tuple[int, float]:
    """Decode every frame without converting it: (frames that decode, last ``t_s``).

    The container's count may be wrong; this is the truth, at decode cost only.
    """
    with VideoReader(source, start_s=np.inf) as reader:
        for _ in reader:
            pass
        return reader.frames_seen, reader.last_t_s


def prefetch(frames: Iterator[Frame], depth: int = 8) -> Iterator[Frame]:
    """Decode ahead on a thread so decoding overlaps inference (FFmpeg releases the GIL)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in frames:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            q.put(exc)
        q.put(done)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=2.0)
