"""The annotated video (VP8 WebM, which Chromium plays) and the per-rep stills.

Frames are streamed from the source video, annotated and written one at a
time, so memory stays flat with clip length. OpenCV here writes ``mp4v`` MP4
that Chromium cannot play, while VP8/VP9 WebM play everywhere (FACTS.md); VP8
encodes several times faster than VP9. The bottom of each rep is repeated
``slow_motion`` times (slow motion in place), and the deepest frame of each
rep is kept as a JPEG still for the HTML report.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from cv2.utils import logging as cv_logging

from ..video import VideoReader
from .overlay import OverlayAnnotator, label
from .timeline import OverlayTimeline

log = logging.getLogger(__name__)

FOURCC = "VP80"
_STDERR_LOCK = threading.Lock()


@dataclass
class Rendered:
    """What a render pass produced.

    ``stills`` maps a 1-based rep number to a JPEG (bytes) of its deepest frame with
    the overlay; ``rep_video_s`` maps it to the time in the annotated video where
    that rep starts (for "jump to" links), ``frames_written`` counts output frames.
    """

    video: Path | None = None
    stills: dict[int, bytes] = field(default_factory=dict)
    rep_video_s: dict[int, float] = field(default_factory=dict)
    frames_written: int = 0
    fps: float = 0.0
    size: tuple[int, int] = (0, 0)
    from_video: bool = False


def bitrate_bps(width: int, height: int, fps: float) -> int:
    """Target bitrate: ~0.1 bit per pixel per frame, kept within 0.3-4 Mbit/s.

    OpenCV's default for VP8 is about 10 Mbit/s (4 MB for 3 s at 608x1080), which
    is much larger than an overlay video needs; 1 Mbit/s at 365x648 looked clean.
    """
    return int(np.clip(0.1 * width * height * max(fps, 1.0), 300_000, 4_000_000))


@contextlib.contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 for a moment.

    OpenCV's FFmpeg backend prints "tag 'VP80' is not supported with codec id 139
    and format 'webm'" with a bare fprintf whatever tag is passed, then writes VP8
    correctly; this hides that line from the user. Lines other threads print in
    those milliseconds are lost too, hence the short scope.
    """
    with _STDERR_LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no real fd 2 (embedded interpreters)
            yield
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def open_writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """A VP8 WebM writer (path must end in ``.webm``); raises RuntimeError if unavailable."""
    fourcc = cv2.VideoWriter_fourcc(*FOURCC)
    params = [cv2.VIDEOWRITER_PROP_BITRATE, bitrate_bps(*size, fps)]
    with _quiet_stderr():
        writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, fourcc, fps, size, params)
        if not writer.isOpened():  # an OpenCV without the bitrate property: default bitrate
            writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, fourcc, fps, size)
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write VP8 WebM video to {path}")
    return writer


def encode_jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG still")
    return buf.tobytes()


def _slow_windows(timeline: OverlayTimeline, window_s: float) -> list[tuple[float, float]]:
    return [(r.bottom_s - window_s, r.bottom_s + window_s) for r in timeline.reps]


def render(analysis, video_out: Path | None = None, *, max_side_px: int = 720,
           slow_motion: int = 3, slow_window_s: float = 0.4, stills: bool = True,
           overlay: OverlayAnnotator | None = None,
           progress: Callable[[float], None] | None = None) -> Rendered:
    """Annotate the analysed clip: write ``video_out`` (``.webm``) and/or grab rep stills.

    Without a readable source video (an analysis from a saved ``.npz`` whose video
    has moved) the stills are drawn on a blank canvas of the frame size and no video
    is written.
    """
    overlay = overlay or OverlayAnnotator()
    timeline = OverlayTimeline(analysis)
    bottoms = {rep.bottom_frame: n for n, rep in enumerate(timeline.reps, 1)}
    starts = {rep.start_frame: n for n, rep in enumerate(timeline.reps, 1)}
    out = Rendered()
    source = analysis.video_path
    if source is None or not Path(source).exists():
        if stills:
            out.stills = _blank_stills(analysis, timeline, overlay, bottoms, max_side_px)
        return out
    windows = _slow_windows(timeline, slow_window_s) if slow_motion > 1 else []
    total = max(len(analysis.track), 1)
    writer = None
    out.from_video = True
    # OpenCV's per-frame warnings (a full disk: one "Failed to write frame" per frame) would
    # bury the one sentence the user gets
    log_level = cv_logging.getLogLevel()
    cv_logging.setLogLevel(cv_logging.LOG_LEVEL_ERROR)
    try:
        with VideoReader(source, max_side_px=max_side_px,
                         turn_deg=analysis.track.meta.extra.get("turn_deg", 0)) as reader:
            # the source's own rate: the track may hold fewer rows (pose at a lower rate)
            nominal = reader.info.fps_nominal
            fps = nominal if 1.0 <= nominal <= 240.0 else (analysis.track.fps or 30.0)
            out.fps = fps
            for n_read, frame in enumerate(reader, 1):
                state = timeline.state(frame.index, frame.t_s)
                repeat = slow_motion if any(a <= state.t_s <= b for a, b in windows) else 1
                state.slow_motion = float(repeat)
                need_still = stills and frame.index in bottoms
                if video_out is None and not need_still:
                    continue
                image = overlay.annotate(frame.image, state)
                if need_still:
                    still = image.copy()
                    if repeat > 1:  # the still shows the moment, not the playback speed
                        state.slow_motion = 1.0
                        still = overlay.annotate(frame.image, state)
                    out.stills[bottoms[frame.index]] = encode_jpeg(still)
                if video_out is not None:
                    if writer is None:
                        out.size = (image.shape[1], image.shape[0])
                        writer = open_writer(video_out, fps, out.size)
                    if (image.shape[1], image.shape[0]) != out.size:  # a stream that resized
                        image = cv2.resize(image, out.size, interpolation=cv2.INTER_AREA)
                    if frame.index in starts:
                        out.rep_video_s[starts[frame.index]] = out.frames_written / fps
                    for _ in range(repeat):
                        writer.write(image)
                    out.frames_written += repeat
                if progress and n_read % 30 == 0:
                    progress(min(n_read / total, 1.0))
    finally:
        if writer is not None:
            writer.release()
        cv_logging.setLogLevel(log_level)
    if video_out is not None and out.frames_written:
        out.video = video_out
    if stills and len(out.stills) < len(bottoms):  # frames the decoder did not give back
        blank = _blank_stills(analysis, timeline, overlay, bottoms, max_side_px)
        out.stills = {**blank, **out.stills}
    if progress:
        progress(1.0)
    return out


def _blank_stills(analysis, timeline, overlay, bottoms, max_side_px) -> dict[int, bytes]:
    """Rep stills drawn on a dark canvas when the source video cannot be read."""
    w, h = analysis.track.meta.image_size
    if not w or not h:
        w, h = 480, 640
    scale = min(1.0, max_side_px / max(w, h))
    size = (max(int(round(h * scale)), 1), max(int(round(w * scale)), 1))
    result = {}
    for frame_index, n in bottoms.items():
        canvas = np.full((*size, 3), 40, np.uint8)
        label(canvas, "(video not available: pose only)", (8, size[0] - 30), (200, 200, 200),
              scale=0.45)
        result[n] = encode_jpeg(overlay.annotate(canvas, timeline.state(frame_index)))
    return result
