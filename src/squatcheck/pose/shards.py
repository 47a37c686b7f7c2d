"""Run the pose model over time shards of one clip in parallel processes.

Why this shape (measured on a 2-core machine, see docs/foundation.md):

- Inference is ~17 ms a frame and single-threaded; a process needs ~2 s to
  start (Python, MediaPipe import, model load). So the helper processes are
  spawned *first*, and the calling process works on the first shard while they
  start, instead of waiting idle for a pool.
- Each helper starts ``SEAM_WARMUP_S`` before its shard (the model's tracker
  and landmark smoothing re-seed there); those rows are dropped.
- Shards never balance perfectly (start-up, other load), so when the calling
  process finishes its shard it *steals* the second half of what the slowest
  helper has left: it tells the helper where to stop (a shared value the
  helper reads every frame), skips ahead decoding without converting, warms up
  and finishes the clip. The helpers report their progress the same way.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import SquatcheckError
from ..video import VideoReader, prefetch
from .estimator import PoseEstimator
from .evidence import WIDTH, person_evidence
from .track import N_LANDMARKS

SEAM_WARMUP_S = 1.0
MIN_STEAL_S = 2.0  # don't steal less than this much video: the seam's warm-up would eat it
_NO_STOP = float("inf")


@dataclass
class Rows:
    """Inference rows of one shard: every candidate person of every kept frame."""

    num_poses: int
    t_s: list = field(default_factory=list)
    frame_index: list = field(default_factory=list)
    image: list = field(default_factory=list)  # each (K, 33, 5)
    world: list = field(default_factory=list)  # each (K, 33, 3)
    frames_seen: int = 0
    damaged_at_s: float | None = None  # decoding failed after this time (truncated file)
    inferred: list = field(default_factory=list)  # bool: the model ran on this frame
    evidence: list = field(default_factory=list)  # each (K, WIDTH): image evidence

    def add(self, index: int, t_s: float, found=None, evidence=None) -> None:
        im = np.full((self.num_poses, N_LANDMARKS, 5), np.nan)
        wo = np.full((self.num_poses, N_LANDMARKS, 3), np.nan)
        ev = np.full((self.num_poses, WIDTH), np.nan)
        if found is not None:
            im[: len(found)], wo[: len(found)] = found.image, found.world
        if evidence is not None:
            ev[: len(evidence)] = evidence
        self.t_s.append(t_s)
        self.frame_index.append(index)
        self.image.append(im)
        self.world.append(wo)
        self.evidence.append(ev)
        self.inferred.append(found is not None)


@dataclass
class Job:
    source: str
    model: str
    num_poses: int
    max_side_px: int | None
    infer_period_s: float  # 0 = every frame
    warm_from_s: float | None  # start inferring here (tracker warm-up)
    keep_from_s: float | None  # keep rows from here
    stop_s: float  # initial end of the shard (exclusive); may be lowered while running
    evidence: bool = False  # segmentation masks on + per-frame image evidence (evidence.py)
    turn_deg: int = 0  # a further clockwise turn of every frame (VideoReader)


def frame_evidence(job: Job, image: np.ndarray, found) -> np.ndarray | None:
    """(K, WIDTH) image evidence of every person found in an RGB frame, or None."""
    if not job.evidence or found is None or not len(found):
        return None
    masks = found.masks if found.masks is not None else [None] * len(found)
    return np.stack([person_evidence(image, m, lm) for m, lm in zip(masks, found.image,
                                                                      strict=True)])


def run_shard(job: Job, stop_at, progress, count) -> Rows:
    """Infer ``[warm_from_s, stop)``, keep ``[keep_from_s, stop)``; ``stop_at`` is read
    every frame (a shared double: another process may lower it)."""
    rows = Rows(job.num_poses)
    with VideoReader(job.source, max_side_px=job.max_side_px, start_s=job.warm_from_s,
                     turn_deg=job.turn_deg,
                     colour="rgb", every_s=job.infer_period_s) as reader, \
            PoseEstimator(job.model, num_poses=job.num_poses,
                          segmentation=job.evidence) as estimator:
        for frame in prefetch(iter(reader)):
            if frame.t_s >= stop_at.value:
                break
            keep = job.keep_from_s is None or frame.t_s >= job.keep_from_s
            found = None  # the reader converts (and we infer) at most 1 / infer_period_s
            if frame.image is not None:
                found = estimator.detect(frame.image, frame.t_s, rgb=True)
            if keep:
                rows.add(frame.index, frame.t_s, found, frame_evidence(job, frame.image, found))
            progress.value = frame.t_s
            count.value += 1
        rows.frames_seen = reader.frames_seen
        if reader.damaged:
            rows.damaged_at_s = reader.last_t_s
    return rows


def run_lead(job: Job, helpers: Helpers | None, count) -> Rows:
    """The calling process's share: shard 0, then halves stolen from slow helpers."""
    rows = Rows(job.num_poses)
    stop, keep_from = job.stop_s, None
    with VideoReader(job.source, max_side_px=job.max_side_px, colour="rgb", turn_deg=job.turn_deg,
                     every_s=job.infer_period_s) as reader, \
            PoseEstimator(job.model, num_poses=job.num_poses,
                          segmentation=job.evidence) as estimator:
        for frame in prefetch(iter(reader)):
            if frame.t_s >= stop:
                stolen = helpers.steal(frame.t_s) if helpers is not None else None
                if stolen is None:
                    break
                keep_from, stop = stolen
                reader.start_s = keep_from - SEAM_WARMUP_S  # decode on, convert from here
            if keep_from is not None and frame.t_s < keep_from - SEAM_WARMUP_S:
                continue  # decoded ahead before the jump
            keep = keep_from is None or frame.t_s >= keep_from
            found = None
            if frame.image is not None:
                found = estimator.detect(frame.image, frame.t_s, rgb=True)
            if keep:
                rows.add(frame.index, frame.t_s, found, frame_evidence(job, frame.image, found))
            count.value += 1
        rows.frames_seen = reader.frames_seen
        if reader.damaged:
            rows.damaged_at_s = reader.last_t_s
    return rows


def _worker(job: Job, stop_at, progress, count, results) -> None:
    try:
        results.put(("ok", run_shard(job, stop_at, progress, count)))
    except SquatcheckError as exc:
        results.put(("error", exc))
    except BaseException as exc:  # a bug: hand it over as text, never a hang
        results.put(("bug", f"{type(exc).__name__}: {exc}"))


class Helpers:
    """Helper processes for shards 1..n-1, started at once (spawn: MediaPipe's
    threads do not survive fork)."""

    def __init__(self, jobs: list[Job], duration_s: float):
        ctx = mp.get_context("spawn")
        self.jobs, self.duration_s = jobs, duration_s
        self.stolen: list[float] = []  # seams made by stealing, in seconds
        self.results = ctx.Queue()
        self.stop_at = [ctx.Value("d", job.stop_s, lock=False) for job in jobs]
        self.progress = [ctx.Value("d", job.warm_from_s or 0.0, lock=False) for job in jobs]
        self.count = [ctx.Value("q", 0, lock=False) for job in jobs]
        self.procs = [ctx.Process(target=_worker, args=(job, s, p, c, self.results),
                                  daemon=True, name=f"squatcheck-pose-{i + 1}")
                      for i, (job, s, p, c) in enumerate(zip(jobs, self.stop_at, self.progress,
                                                              self.count, strict=True))]
        for proc in self.procs:
            proc.start()

    def frames_done(self) -> int:
        return sum(c.value for c in self.count)

    def steal(self, now_s: float) -> tuple[float, float] | None:
        """Take the second half of the largest remainder: (new seam, old stop) or None."""
        left = [(min(s.value, self._end(i)) - max(p.value, now_s), i)
                for i, (s, p) in enumerate(zip(self.stop_at, self.progress, strict=True))]
        remaining, i = max(left)
        if remaining < MIN_STEAL_S:
            return None
        old_stop = self.stop_at[i].value
        seam = max(self.progress[i].value, now_s) + remaining / 2 + SEAM_WARMUP_S / 2
        self.stop_at[i].value = seam
        self.stolen.append(seam)
        return seam, old_stop

    def _end(self, i: int) -> float:
        return self.jobs[i].stop_s if np.isfinite(self.jobs[i].stop_s) else self.duration_s

    def collect(self, wait: Callable[[float], None]) -> list[Rows]:
        """All helpers' rows, in shard order; raises their user-facing errors."""
        got: dict[int, Rows] = {}
        pending = len(self.procs)
        while pending:
            try:
                status, payload = self.results.get(timeout=0.5)
            except queue.Empty:
                wait(0.5)
                if not any(p.is_alive() for p in self.procs) and self.results.empty():
                    raise RuntimeError("a pose worker process died without a result") from None
                continue
            pending -= 1
            if status == "error":
                raise payload
            if status == "bug":
                raise RuntimeError(f"pose worker failed: {payload}")
            got[len(got)] = payload
        for proc in self.procs:
            proc.join(timeout=5)
        return sorted(got.values(), key=lambda r: r.frame_index[0] if r.frame_index else 0)

    def close(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=2)
