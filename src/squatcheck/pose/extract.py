"""Video → ``PoseTrack``: decode, run the pose model once per frame, keep one subject.

A long clip is cut into time shards run in parallel processes (one per core).
Each shard starts ``SEAM_WARMUP_S`` early so the model's tracker is re-seeded
and settled by the seam; the warm-up rows are dropped. Decoding runs ahead on
a thread, overlapping inference.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import NoPersonFound, NotAVideo, VideoTooShort
from ..video import VideoReader, prefetch
from .estimator import PoseEstimator
from .model import resolve_model
from .subject import select_subject
from .track import N_LANDMARKS, PoseTrack, TrackMeta

SEAM_WARMUP_S = 1.0
MIN_SHARD_S = 8.0  # shorter clips run in one process: start-up would eat the gain
DEFAULT_MAX_SIDE_PX = 960  # the model sees 256 px; bigger frames only cost copying

Progress = Callable[[float], None]


@dataclass
class _Shard:
    t_s: np.ndarray
    frame_index: np.ndarray
    image: np.ndarray  # (T, K, 33, 5)
    world: np.ndarray  # (T, K, 33, 3)
    frames_decoded: int


def _run_shard(source: str, model: str, num_poses: int, max_side_px: int | None,
               start_s: float | None, keep_from_s: float | None, end_s: float | None,
               counter=None) -> _Shard:
    t_s, index, image, world = [], [], [], []
    decoded = 0
    with VideoReader(source, max_side_px=max_side_px, start_s=start_s, end_s=end_s) as reader, \
            PoseEstimator(model, num_poses=num_poses) as estimator:
        for frame in prefetch(iter(reader)):
            found = estimator.detect(frame.image, frame.t_s)
            if counter is not None:
                with counter.get_lock():
                    counter.value += 1
            if keep_from_s is not None and frame.t_s < keep_from_s:
                continue
            decoded = frame.index + 1
            im = np.full((num_poses, N_LANDMARKS, 5), np.nan)
            wo = np.full((num_poses, N_LANDMARKS, 3), np.nan)
            im[: len(found)], wo[: len(found)] = found.image, found.world
            t_s.append(frame.t_s)
            index.append(frame.index)
            image.append(im)
            world.append(wo)
    shape = (-1, num_poses, N_LANDMARKS)
    return _Shard(np.asarray(t_s), np.asarray(index, int),
                  np.asarray(image).reshape(*shape, 5), np.asarray(world).reshape(*shape, 3),
                  decoded)


def extract_pose(source: str | Path, *, model: str | Path | None = None, num_poses: int = 1,
                 workers: int | None = None, max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
                 progress: Progress | None = None) -> PoseTrack:
    """Run the pose model over a video file and return the subject's track.

    Parameters
    ----------
    workers : int, optional
        Processes to shard a long clip over; default: one per core.
    num_poses : int
        People the model looks for per frame. 1 is fastest and lets the model's
        own tracker keep the identity; 2 also tells apart people who stand close.
    progress : callable, optional
        Called with the fraction of frames done, in [0, 1].
    """
    source = Path(source)
    model_path = str(resolve_model(model))
    with VideoReader(source) as probe:  # raises NotAVideo etc. before any inference
        info = probe.info
        if sum(1 for _ in itertools.islice(probe, 2)) < 2:
            raise VideoTooShort(f"{source} has only one frame; squatcheck needs a video of "
                                "the whole squat (a few seconds).")
    workers = workers or os.cpu_count() or 1
    est_duration = info.frame_count_header / info.fps_nominal if info.fps_nominal > 0 else 0.0
    n_shards = max(1, min(workers, int(est_duration // MIN_SHARD_S)))
    bounds = np.linspace(0.0, est_duration, n_shards + 1)
    jobs = []
    for i in range(n_shards):
        start = None if i == 0 else float(bounds[i])
        end = None if i == n_shards - 1 else float(bounds[i + 1])
        warm = None if start is None else max(0.0, start - SEAM_WARMUP_S)
        jobs.append((str(source), model_path, num_poses, max_side_px, warm, start, end))

    total = max(info.frame_count_header, 1) + (n_shards - 1) * SEAM_WARMUP_S * max(
        info.fps_nominal, 1)
    if n_shards == 1:
        counter = _LocalCounter(progress, total)
        shards = [_run_shard(*jobs[0], counter=counter)]
    else:
        shards = _run_parallel(jobs, progress, total)

    t_s = np.concatenate([s.t_s for s in shards])
    candidates = np.concatenate([s.image for s in shards])
    world = np.concatenate([s.world for s in shards])
    frame_index = np.concatenate([s.frame_index for s in shards])
    frames_decoded = max(s.frames_decoded for s in shards)
    if frames_decoded == 0:
        raise NotAVideo(f"{source} holds no video frames that can be decoded; it may be "
                        "truncated, audio-only or damaged. Try re-exporting it as MP4.")
    if frames_decoded < 2:
        raise VideoTooShort(f"{source} has only one frame; squatcheck needs a video of the "
                            "whole squat (a few seconds).")
    choice = select_subject(t_s, candidates)
    if np.all(choice.candidate < 0):
        raise NoPersonFound(f"No person was found in {source}; film the whole body, head to "
                            "feet, in good light.")
    rows = np.arange(len(t_s))
    pick = np.clip(choice.candidate, 0, None)
    image = candidates[rows, pick]
    world = world[rows, pick]
    image[choice.candidate < 0] = np.nan
    world[choice.candidate < 0] = np.nan
    if progress:
        progress(1.0)
    meta = TrackMeta(source=str(source), image_size=(info.width, info.height),
                     fps_nominal=info.fps_nominal, frames_decoded=frames_decoded,
                     model=Path(model_path).name, subject=choice.description)
    return PoseTrack.from_rows(t_s, frame_index, image, world, meta)


class _LocalCounter:
    """Quacks like a ``multiprocessing.Value`` counter; reports progress in-process."""

    def __init__(self, progress: Progress | None, total: float):
        self.progress, self.total, self.value = progress, total, 0

    def get_lock(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.progress and self.value % 10 == 0:
            self.progress(min(self.value / self.total, 0.99))


def _run_parallel(jobs: list[tuple], progress: Progress | None, total: float) -> list[_Shard]:
    ctx = mp.get_context("spawn")  # MediaPipe's threads do not survive fork
    counter = ctx.Value("q", 0)
    with ProcessPoolExecutor(len(jobs), mp_context=ctx, initializer=_set_counter,
                             initargs=(counter,)) as pool:
        futures = [pool.submit(_run_shard_in_worker, *job) for job in jobs]
        while not wait(futures, timeout=0.5, return_when=FIRST_EXCEPTION).not_done == set():
            if progress:
                progress(min(counter.value / total, 0.99))
        return [f.result() for f in futures]


_worker_counter = None


def _set_counter(counter) -> None:
    global _worker_counter
    _worker_counter = counter


def _run_shard_in_worker(*job) -> _Shard:
    return _run_shard(*job, counter=_worker_counter)
