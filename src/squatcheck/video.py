"""Frames with their true timestamps from files and cameras, upright, streamed.

Container headers lie (frame counts, nominal fps), phones store rotation as
metadata and record at variable frame rates; this module hides all of that
behind one iterator of :class:`Frame`. Memory stays flat: frames are decoded
one at a time (optionally a few ahead, on a thread, see ``prefetch``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .errors import CameraUnavailable, InputNotFound, NotAVideo

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".gif", ".mpg", ".mpeg", ".y4m")


@dataclass(frozen=True)
class Frame:
    """One decoded frame. ``image`` is BGR uint8 of shape (H, W, 3)."""

    index: int
    t_s: float
    image: np.ndarray


@dataclass(frozen=True)
class VideoInfo:
    """What the container says, before decoding. ``frame_count_header`` may be wrong."""

    source: str
    width: int
    height: int
    fps_nominal: float
    frame_count_header: int
    is_camera: bool


def sniff_video_file(path: Path) -> None:
    """Raise a plain-language error unless ``path`` could plausibly be a video.

    Checks existence and content (magic bytes), never the extension: a JPEG
    renamed ``.mp4`` is still a JPEG.
    """
    if not path.exists():
        raise InputNotFound(f"{path} does not exist; check the path and try again.")
    if path.is_dir():
        raise InputNotFound(f"{path} is a folder, not a video file; give one video file "
                            "(or use 'squatcheck batch' for a folder).")
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
        raise NotAVideo(f"{path} holds audio only, no video picture.")
    if kind == "text":
        raise NotAVideo(f"{path} is a text file, not a video.")


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
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "other"
    return "text" if all(c.isprintable() or c.isspace() for c in text) else "other"


class VideoReader:
    """Iterate the frames of a file or camera, upright, with real timestamps.

    Parameters
    ----------
    source : path or int
        A video file, or a camera index.
    max_side_px : int, optional
        Downscale frames so the longer side is at most this (the pose model
        works at 256 px; decoding 4K then copying it costs more than inference).
    start_s, end_s : float, optional
        Only yield frames with ``start_s <= t_s < end_s`` (used to shard a clip).
    """

    def __init__(self, source: str | Path | int, *, max_side_px: int | None = None,
                 start_s: float | None = None, end_s: float | None = None):
        self.is_camera = isinstance(source, int)
        self.source = source if self.is_camera else Path(source)
        if not self.is_camera:
            sniff_video_file(self.source)
        self.max_side_px = max_side_px
        self.start_s, self.end_s = start_s, end_s
        self._cap = self._open()
        self.info = VideoInfo(
            source=str(source),
            width=int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps_nominal=float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0),
            frame_count_header=int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
            is_camera=self.is_camera,
        )

    def _open(self) -> cv2.VideoCapture:
        if self.is_camera:
            cap = cv2.VideoCapture(self.source)
            if not cap.isOpened():
                raise CameraUnavailable(f"No camera found at index {self.source}; plug one in "
                                        "or pass --camera with another index.")
            return cap
        cap = cv2.VideoCapture(str(self.source), cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise NotAVideo(f"{self.source} could not be opened as a video; it may be "
                            "truncated or in a format OpenCV cannot decode. Try re-exporting "
                            "it as MP4.")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # OpenCV 5 does this by default; 4.x needs it
        return cap

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._cap.release()

    def __iter__(self) -> Iterator[Frame]:
        """Yield frames in order. Frames outside ``[start_s, end_s)`` are only
        grabbed (demuxed and decoded, not converted), so shards keep exact
        frame indices and timestamps without seeking, which is inexact."""
        fps = self.info.fps_nominal if 0 < self.info.fps_nominal < 1000 else 30.0
        index, last_t, camera_t0 = -1, -np.inf, None
        while self._cap.grab():
            index += 1
            if self.is_camera:
                now = cv2.getTickCount() / cv2.getTickFrequency()
                camera_t0 = now if camera_t0 is None else camera_t0
                t_s = now - camera_t0
            else:
                t_s = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                if not np.isfinite(t_s) or (index > 0 and t_s <= 0):
                    t_s = index / fps  # the backend gave no timestamps
            t_s = max(t_s, last_t + 1e-3)  # MediaPipe VIDEO mode needs strictly rising times
            last_t = t_s
            if self.start_s is not None and t_s < self.start_s:
                continue
            if self.end_s is not None and t_s >= self.end_s:
                break
            ok, image = self._cap.retrieve()
            if not ok or image is None:
                break
            yield Frame(index, t_s, self._resize(image))

    def _resize(self, image: np.ndarray) -> np.ndarray:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        if self.max_side_px is None or max(image.shape[:2]) <= self.max_side_px:
            return image
        scale = self.max_side_px / max(image.shape[:2])
        size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def prefetch(frames: Iterator[Frame], depth: int = 8) -> Iterator[Frame]:
    """Decode ahead on a thread so decoding overlaps inference (OpenCV releases the GIL)."""
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
