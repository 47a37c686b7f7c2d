"""Run the pose model over time chunks of one clip in parallel processes.

Why this shape (measured on a 2-core machine, see docs/foundation.md):

- Inference is ~17 ms a frame and single-threaded; a process needs ~2 s to
  start (Python, MediaPipe import, model load). So the helper processes are
  spawned *first*, and the calling process works on the first chunk while they
  start, instead of waiting idle for a pool.
- The chunks are fixed by the clip alone (``plan_chunks``), never by the number of
  processes or how fast each runs: the model's tracker and landmark smoothing
  re-seed at each chunk (it starts ``SEAM_WARMUP_S`` early; those rows are
  dropped), so seams that moved with the machine's load made the same video give a
  knee 2 deg different from one run to the next. Now one process or several, idle
  or busy, give the same track to the bit.
- Processes take the next chunk as they finish one (a shared counter), so a slow
  helper only costs time, never changes the result.
"""

from __future__ import annotations

import math
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
MIN_CHUNKED_S = 5.0  # shorter clips are one chunk: a helper's start-up would eat the gain
# Longer clips: this many chunks. A chunk decodes the clip from its start, skipping to its
# own (frame numbers need every frame counted: phones film at a variable rate), so more
# chunks cost decoding (4K HEVC decodes at ~33 frames/s here) for no gain on 2 cores.
CHUNKS = 2
LEAD_HEAD_START_S = 1.0  # the first chunk is this much longer: its process starts ~2 s sooner


def plan_chunks(duration_s: float) -> list[tuple[float, float]]:
    """(keep_from_s, stop_s) of each chunk of a clip ``duration_s`` long; the last stops
    at infinity (headers misstate durations). Depends on the duration alone."""
    if not duration_s >= MIN_CHUNKED_S:
        return [(0.0, math.inf)]
    first = (duration_s + (CHUNKS - 1) * LEAD_HEAD_START_S) / CHUNKS
    cuts = [0.0, *np.linspace(first, duration_s, CHUNKS)[:-1].tolist(), math.inf]
    return [(cuts[i], cuts[i + 1]) for i in range(CHUNKS)]


@dataclass
class Rows:
    """Inference rows of one chunk: every candidate person of every kept frame."""

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
    stop_s: float  # end of the chunk (exclusive)
    evidence: bool = False  # segmentation masks on + per-frame image evidence (evidence.py)
    turn_deg: int = 0  # a further clockwise turn of every frame (VideoReader)


def frame_evidence(job: Job, image: np.ndarray, found) -> np.ndarray | None:
    """(K, WIDTH) image evidence of every person found in an RGB frame, or None."""
    if not job.evidence or found is None or not len(found):
        return None
    masks = found.masks if found.masks is not None else [None] * len(found)
    return np.stack([person_evidence(image, m, lm) for m, lm in zip(masks, found.image,
                                                                      strict=True)])


def run_chunk(job: Job, count) -> Rows:
    """Infer ``[warm_from_s, stop_s)`` with a fresh tracker, keep ``[keep_from_s, stop_s)``;
    ``count`` (a shared int) counts the frames read."""
    rows = Rows(job.num_poses)
    with VideoReader(job.source, max_side_px=job.max_side_px, start_s=job.warm_from_s,
                     turn_deg=job.turn_deg,
                     colour="rgb", every_s=job.infer_period_s) as reader, \
            PoseEstimator(job.model, num_poses=job.num_poses,
                          segmentation=job.evidence) as estimator:
        for frame in prefetch(iter(reader)):
            if frame.t_s >= job.stop_s:
                break
            keep = job.keep_from_s is None or frame.t_s >= job.keep_from_s
            found = None  # the reader converts (and we infer) at most 1 / infer_period_s
            if frame.image is not None:
                found = estimator.detect(frame.image, frame.t_s, rgb=True)
            if keep:
                rows.add(frame.index, frame.t_s, found, frame_evidence(job, frame.image, found))
            count.value += 1
        rows.frames_seen = reader.frames_seen
        if reader.damaged:
            rows.damaged_at_s = reader.last_t_s
    return rows


def run_chunks(jobs: list[Job], next_chunk, count, first: int | None = None
               ) -> dict[int, Rows]:
    """Run ``first`` (if given), then whichever chunk nobody has taken yet, until none is
    left: {chunk index: rows}."""
    done: dict[int, Rows] = {}
    i = first
    while True:
        if i is None:
            with next_chunk.get_lock():
                i = next_chunk.value
                next_chunk.value += 1
        if i >= len(jobs):
            return done
        done[i] = run_chunk(jobs[i], count)
        i = None


def _worker(jobs: list[Job], next_chunk, count, results) -> None:
    try:
        for i, rows in run_chunks(jobs, next_chunk, count).items():
            results.put(("ok", i, rows))
        results.put(("done", None, None))
    except SquatcheckError as exc:
        results.put(("error", None, exc))
    except BaseException as exc:  # a bug: hand it over as text, never a hang
        results.put(("bug", None, f"{type(exc).__name__}: {exc}"))


class Helpers:
    """``n`` helper processes taking chunks from a shared counter, started at once (spawn:
    MediaPipe's threads do not survive fork). Chunk 0 is left to the calling process."""

    def __init__(self, jobs: list[Job], n: int):
        ctx = mp.get_context("spawn")
        self.jobs = jobs
        self.results = ctx.Queue()
        self.next_chunk = ctx.Value("i", 1)
        self.count = [ctx.Value("q", 0, lock=False) for _ in range(n)]
        self.procs = [ctx.Process(target=_worker, args=(jobs, self.next_chunk, c, self.results),
                                  daemon=True, name=f"squatcheck-pose-{i + 1}")
                      for i, c in enumerate(self.count)]
        for proc in self.procs:
            proc.start()

    def frames_done(self) -> int:
        return sum(c.value for c in self.count)

    def collect(self, wait: Callable[[float], None]) -> dict[int, Rows]:
        """Every chunk the helpers ran; raises their user-facing errors."""
        got: dict[int, Rows] = {}
        pending = len(self.procs)
        while pending:
            try:
                status, i, payload = self.results.get(timeout=0.5)
            except queue.Empty:
                wait(0.5)
                if not any(p.is_alive() for p in self.procs) and self.results.empty():
                    raise RuntimeError("a pose worker process died without a result") from None
                continue
            if status == "ok":
                got[i] = payload
            elif status == "done":
                pending -= 1
            elif status == "error":
                raise payload
            else:
                raise RuntimeError(f"pose worker failed: {payload}")
        for proc in self.procs:
            proc.join(timeout=5)
        return got

    def close(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=2)
