"""The live loop: newest frame → pose → engine → window, then the report when it stops.

One thread grabs (and records every frame), the main thread runs the pose
model on the newest frame only, feeds the engine, and draws. It stops on
q / Esc / closing the window / Ctrl-C, at the end of a file, or when a camera
stops sending frames; in every case the recording so far, its pose track and
the same reports as ``squatcheck analyze`` are written to the output folder.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..analysis.analyze import Analysis, analyze_track
from ..errors import OutputNotWritable, SquatcheckError, VideoTooShort
from ..pose.camera_roll import RollReader
from ..pose.estimator import Detections, PoseEstimator
from ..pose.evidence import person_evidence, split_evidence
from ..pose.model import resolve_model
from ..report import write_outputs
from .cues import CueBoard, verdict_text
from .engine import EngineWorker, RepDone
from .hud import HudState, render
from .recorder import SessionRecorder
from .setup_check import FEET_OUT, NOBODY, FramingLimits, SetupGate, check_framing
from .sources import CameraSource, FileSource, FrameSource
from .stats import LiveStats, LiveSummary
from .track_builder import TrackBuilder
from .window import NullWindow, Window

DEFAULT_MAX_SIDE_PX = 960  # as offline extraction: the model sees 256 px


@dataclass
class LiveOptions:
    """What ``squatcheck live`` was asked to do."""

    out_dir: Path
    camera: int | None = None
    source: Path | None = None
    window: bool = True
    realtime: bool = True
    speed: float = 1.0
    record_format: str = "avi"
    model: str | Path | None = None
    profile: str | Path | None = None
    max_side_px: int | None = DEFAULT_MAX_SIDE_PX
    max_duration_s: float | None = None
    write_report: bool = True
    evidence: bool = True  # segmentation masks + image evidence (pelvis, feet) for the report
    mirror: bool | None = None  # window flipped like a mirror; None: for a camera, not a file

    @property
    def mirrored(self) -> bool:
        return self.source is None if self.mirror is None else self.mirror


@dataclass
class LiveOutcome:
    end_reason: str  # "end_of_video" | "user" | "interrupted" | "camera_lost" | "time_limit"
    summary: LiveSummary
    outputs: dict[str, Path] = field(default_factory=dict)
    live_rep_count: int = 0
    report_rep_count: int | None = None
    notes: list[str] = field(default_factory=list)


END_MESSAGES = {
    "end_of_video": "The video ended.",
    "user": "Stopped.",
    "interrupted": "Interrupted (Ctrl-C).",
    "camera_lost": "The camera stopped sending frames (unplugged?); kept what was recorded.",
    "time_limit": "Time limit reached.",
}


class _Flags:
    """Set from signal handlers and the window; read by the loop."""

    def __init__(self):
        self.stop_reason: str | None = None
        self.snapshot_requested = False


class EventLog:
    """``live_events.jsonl``: one JSON line per cue, verdict and state change, as they happen.

    Written under a ``.partial`` name during the session (readable while it
    runs) and renamed when the session ends.
    """

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_name(path.name + ".partial")
        self._fh = self.tmp.open("w", encoding="utf-8")

    def write(self, kind: str, t_s: float, **fields) -> None:
        self._fh.write(json.dumps({"kind": kind, "t_s": round(t_s, 3),
                                   "wall_s": round(time.time(), 3), **fields}) + "\n")
        self._fh.flush()

    def close(self) -> Path:
        self._fh.close()
        self.tmp.replace(self.path)
        return self.path


def open_source(options: LiveOptions, sink=None) -> FrameSource:
    if options.source is not None:
        return FileSource(options.source, sink, realtime=options.realtime,
                          speed=options.speed, max_side_px=options.max_side_px)
    return CameraSource(options.camera or 0, sink, max_side_px=options.max_side_px)


def run_live(options: LiveOptions, *, log=print, source: FrameSource | None = None) -> LiveOutcome:
    """Run a live session to its end and write its outputs into ``options.out_dir``.

    ``source`` overrides ``options.camera``/``options.source`` with any
    :class:`FrameSource` (another kind of camera, or a test's).
    """
    out_dir = Path(options.out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritable(f"The output folder {out_dir} cannot be made ({exc.strerror}); "
                                "pass another one with -o.") from None
    model_path = resolve_model(options.model)
    limits = FramingLimits.from_profile(options.profile)

    if source is None:
        source = open_source(options)  # raises CameraUnavailable / InputNotFound / ...
    info = source.info
    fps_hint = info.fps_nominal if not info.is_camera and 0 < info.fps_nominal < 1000 else None
    recorder = SessionRecorder(out_dir / "session", fmt=options.record_format, fps=fps_hint)
    source.on_frame = recorder.add  # every grabbed frame is recorded, dropped or not
    flags = _Flags()
    window = None
    estimator = None
    events = None
    restore = _install_signal_handlers(flags)
    try:
        window = Window() if options.window else NullWindow()
        estimator = PoseEstimator(model_path, num_poses=1, segmentation=options.evidence)
        events = EventLog(out_dir / "live_events.jsonl")
        loop = _Loop(options, source, estimator, window, events, limits, flags, out_dir)
        log(f"squatcheck live: {_describe(options)}; press q or Esc in the window "
            "(or Ctrl-C here) to stop." if options.window else
            f"squatcheck live: {_describe(options)}; Ctrl-C to stop.")
        source.start()
        end_reason = loop.run()
        source.stop()
        loop.finish()
    except BaseException:
        source.stop()
        recorder.close()
        if events is not None:
            events.close()
        raise
    finally:
        restore()
        if window is not None:
            window.close()
        if estimator is not None:
            estimator.close()
    recording = recorder.close()
    outcome = LiveOutcome(end_reason, loop.stats.summary(source.frames_grabbed),
                          live_rep_count=loop.engine.rep_count if loop.engine else 0)
    if loop.engine is not None and loop.engine.error:
        outcome.notes.append(f"live analysis stopped: {loop.engine.error}")
    outcome.outputs["events"] = events.close()
    if recording is not None:
        outcome.outputs["recording"] = recording
    if recorder.error:
        outcome.notes.append(f"recording problem: {recorder.error}")
    if recorder.frames_lost:
        outcome.notes.append(f"{recorder.frames_lost} frames could not be recorded in time")
    log(END_MESSAGES[end_reason] + (" Writing the report..." if options.write_report else ""))
    error = _write_report(options, loop, info, recording, model_path, outcome)
    stats_path = out_dir / "live_stats.json"
    tmp = stats_path.with_name(stats_path.name + ".partial")
    tmp.write_text(json.dumps({"end_reason": end_reason, "live_rep_count": outcome.live_rep_count,
                               "report_rep_count": outcome.report_rep_count,
                               "engine_fps_hz": loop.engine.fps_hz if loop.engine else None,
                               "recording_fps": recorder.fps, "notes": outcome.notes,
                               **outcome.summary.to_dict()}, indent=1))
    tmp.replace(stats_path)
    outcome.outputs["live_stats"] = stats_path
    if error is not None:
        raise error
    return outcome


def _write_report(options, loop, info, recording, model_path, outcome) -> SquatcheckError | None:
    """Pose track + the same outputs as ``analyze``; returns (not raises) a user error."""
    size = loop.image_size or (info.width, info.height)
    track = loop.builder.build(source=recording or options.source or f"camera {options.camera}",
                               image_size=size, fps_nominal=loop.source_fps,
                               frames_decoded=loop.source.frames_grabbed, model=model_path.name,
                               extra={"live": True, "end_reason": outcome.end_reason,
                                      "image_evidence": options.evidence,
                                      **loop.rolls.result().as_meta()})
    if len(track):
        # same name as write_outputs' copy: kept even if the analysis below fails
        outcome.outputs["track"] = track.save(Path(options.out_dir) / "track.npz")
    if not options.write_report:
        return None
    if len(track) < 2:
        return VideoTooShort("The session was too short for a report (fewer than two frames "
                             "were analysed); the recording is kept in "
                             f"{options.out_dir}.")
    try:
        result = analyze_track(track, profile=options.profile)
        written = write_outputs(Analysis(track, result, recording), options.out_dir)
    except SquatcheckError as exc:
        return type(exc)(f"{exc.message} (The recording and pose track are kept in "
                         f"{options.out_dir}.)")
    outcome.outputs.update(written)
    outcome.report_rep_count = len(result.reps)
    return None


def _describe(options: LiveOptions) -> str:
    if options.source is not None:
        return f"playing {options.source} in real time" if options.realtime else \
            f"reading {options.source}"
    return f"camera {options.camera or 0}"


def _install_signal_handlers(flags: _Flags):
    """Ctrl-C stops cleanly (a second one interrupts hard); SIGUSR1 saves the window picture."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {}

    def on_int(signum, frame):
        if flags.stop_reason is not None:
            raise KeyboardInterrupt
        flags.stop_reason = "interrupted"

    def on_usr1(signum, frame):
        flags.snapshot_requested = True

    previous[signal.SIGINT] = signal.signal(signal.SIGINT, on_int)
    if hasattr(signal, "SIGUSR1"):
        previous[signal.SIGUSR1] = signal.signal(signal.SIGUSR1, on_usr1)

    def restore():
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


class _Loop:
    """The per-frame work; state lives here so ``run_live`` stays readable."""

    def __init__(self, options, source, estimator, window, events, limits, flags, out_dir):
        self.options, self.source, self.estimator, self.window = options, source, estimator, window
        self.events, self.flags, self.out_dir = events, flags, out_dir
        info = source.info
        self.source_fps = info.fps_nominal if 0 < info.fps_nominal < 1000 else 30.0
        self.limits = limits
        self.gate = SetupGate(limits)
        self.board = CueBoard()
        self.stats = LiveStats()
        self.builder = TrackBuilder(evidence=options.evidence)
        self.rolls = RollReader(every_s=1.0)  # the first 8 s with someone in the picture
        self.engine: EngineWorker | None = None
        self.image_size: tuple[int, int] | None = None
        self.last_canvas: np.ndarray | None = None
        self.snapshots = 0
        self.last_t_s = 0.0

    def run(self) -> str:
        started = time.perf_counter()
        while True:
            if self.flags.stop_reason:
                return self.flags.stop_reason
            if (self.options.max_duration_s is not None
                    and time.perf_counter() - started > self.options.max_duration_s):
                return "time_limit"
            frame = self.source.next_frame(timeout_s=0.05)
            if frame is None:
                if self.source.ended:
                    return "end_of_video" if self.source.is_file else "camera_lost"
                if self.source.stalled():
                    return "camera_lost"
                if self.window.poll():
                    return "user"
                continue
            if self._process(frame):
                return "user"

    def _process(self, frame) -> bool:
        pose_started = time.perf_counter()
        rgb = None
        if self.options.evidence:  # the evidence reads colours in RGB, as offline
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            found = self.estimator.detect(rgb, frame.t_s, rgb=True)
        else:
            found = self.estimator.detect(frame.image, frame.t_s)
        pose_done = time.perf_counter()
        h, w = frame.image.shape[:2]
        if self.engine is None:
            self.image_size = (w, h)
            self.engine = EngineWorker((w, h), self.source_fps, profile=self.options.profile)
        image_lm = found.image[0] if len(found) else None
        world_lm = found.world[0] if len(found) else None
        self.last_t_s = frame.t_s

        framing = check_framing(image_lm, (w, h), self.limits)
        was_ready = self.gate.ready
        if self.gate.update(frame.t_s, framing) and not was_ready:
            self.events.write("ready", frame.t_s)
        new_events = self.engine.events()
        for event in new_events:
            self._show_event(event, frame.t_s)
        self.board.expire(frame.t_s)

        problems = framing.problems
        if self.gate.ready:  # mid-squat the body is shorter: only what breaks the analysis
            problems = tuple(p for p in problems if p in (NOBODY, FEET_OUT))
        state = HudState(landmarks=image_lm, rep_count=self.engine.rep_count,
                         cues=list(self.board.cues), verdict=self.board.verdict,
                         setup_problems=problems, setup_done=self.gate.ready,
                         setup_progress=self.gate.progress_at(frame.t_s),
                         fps=self.stats.fps, latency_ms=self.stats.latency_ms,
                         note=f"Live analysis stopped ({self.engine.error}); the report will "
                         "still be written." if self.engine.error else "")
        canvas = render(frame.image, state, mirror=self.options.mirrored)
        drawn = time.perf_counter()
        quit_ = self.window.show(canvas)
        shown = time.perf_counter()
        self.stats.record(captured_at=frame.captured_at, pose_started=pose_started,
                          pose_done=pose_done, drawn=drawn, shown=shown)
        # after the picture, so it adds no latency to it; feeds the saved track and the engine
        evidence = self._evidence(rgb, found)
        self.builder.add(frame.t_s, frame.index, found.image, found.world, evidence)
        if rgb is not None:
            self.stats.record_evidence(time.perf_counter() - shown)
        if image_lm is not None and self.rolls.wants(frame.t_s):
            self.rolls.add(frame.t_s, frame.image, image_lm[:, :2] * (w, h))
            if self.rolls.full:
                roll = self.rolls.result()
                self.engine.set_camera_roll(roll.roll_deg, roll.slope_deg_per_side)
        # the engine gets the frame with its evidence (its events show from the next picture)
        self.engine.submit(frame.t_s, image_lm, world_lm, frame.captured_at,
                           None if evidence is None else
                           {k: v[0] for k, v in split_evidence(evidence[:1]).items()})
        for event in new_events:
            if event.captured_at is not None:
                self.stats.record_cue(shown - event.captured_at)
        self.last_canvas = canvas
        if self.flags.snapshot_requested:
            self.flags.snapshot_requested = False
            self.save_snapshot()
        return quit_

    @staticmethod
    def _evidence(rgb: np.ndarray | None, found: Detections) -> np.ndarray | None:
        """(K, WIDTH) image evidence of each person found (as ``pose/shards.py``), or None."""
        if rgb is None or not len(found):
            return None
        masks = found.masks if found.masks is not None else [None] * len(found)
        return np.stack([person_evidence(rgb, m, lm)
                         for m, lm in zip(masks, found.image, strict=True)])

    def _show_event(self, event: RepDone, now_s: float) -> None:
        """A finished rep: its verdict, and a cue for each finding it showed."""
        shown = self.board.rep_done(event.rep, now_s)
        self.events.write("verdict", now_s, rep=event.rep.index, text=shown.text,
                          rating=shown.rating, rep_end_s=event.rep.end_s)
        for name, finding in event.rep.findings.items():
            if finding.present:
                self._cue(name, now_s)

    def _cue(self, name: str, t_s: float) -> None:
        shown = self.board.cue(name, t_s)
        if shown is not None:
            self.events.write("cue", t_s, finding=name, text=shown.text)

    def finish(self) -> None:
        """After the last frame: let the engine close a rep still open (for the live count)."""
        if self.engine is not None:
            for event in self.engine.finish():
                self.events.write("verdict", self.last_t_s, rep=event.rep.index,
                                  text=verdict_text(event.rep), rating=event.rep.rating.get(
                                      "overall"), rep_end_s=event.rep.end_s, after_stop=True)

    def save_snapshot(self) -> Path | None:
        """Write the last picture shown in the window (on request: SIGUSR1)."""
        if self.last_canvas is None:
            return None
        self.snapshots += 1
        path = self.out_dir / f"snapshot-{self.snapshots:03d}.png"
        tmp = path.with_name(path.stem + ".partial.png")
        cv2.imwrite(str(tmp), self.last_canvas)
        tmp.replace(path)
        self.events.write("snapshot", self.last_t_s, path=path.name)
        return path
