"""Video → ``PoseTrack``: decode, run the pose model once per frame, keep one subject.

A clip of 5 s or more is cut into time chunks fixed by its length alone, run by
parallel processes (one per idle core; see ``shards.py`` for how start-up is hidden and
why the result never depends on the processes). Frames are decoded ahead on a thread,
in the channel order the model wants. ``max_inference_hz`` caps how often the model
runs: frames in between get landmarks interpolated from their neighbours (see
docs/foundation.md for what that costs).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import NoPersonFound, NotAVideo, VideoTooShort
from ..video import VideoReader
from .camera_roll import measure_camera_roll
from .evidence import WIDTH, split_evidence
from .model import resolve_model
from .shards import SEAM_WARMUP_S, Helpers, Job, Rows, plan_chunks, run_chunks
from .subject import select_subject
from .track import PoseTrack, TrackMeta

DEFAULT_MAX_SIDE_PX = 1280  # the model sees 224-256 px; bigger frames only cost converting
# A squat's signal is filtered at 6 Hz downstream; 15 Hz keeps 2.5x that and halves the
# model's work on 30 fps video. Measured cost (bench/inference_rate.py): knee angle p95
# 1.7-3.0 deg vs every frame, the same as the model's own change under a mere resize.
DEFAULT_MAX_INFERENCE_HZ = 15.0

# Fewer decoded frames than this share of the container's count = a cut-off file. Headers
# lie a little (edit lists, estimates); a file cut in transfer loses far more.
TRUNCATED_BELOW = 0.9

Progress = Callable[[float], None]


class _Count:
    """Quacks like a shared ``Value``: counts the calling process's frames and reports
    overall progress every 10 of them."""

    def __init__(self, report: Callable[[], None]):
        self._value, self._report = 0, report

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, v: int) -> None:
        self._value = v
        if v % 10 == 0:
            self._report()


def extract_pose(source: str | Path, *, model: str | Path | None = None, num_poses: int = 1,
                 workers: int | None = None, max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
                 max_inference_hz: float | None = DEFAULT_MAX_INFERENCE_HZ,
                 progress: Progress | None = None, image_evidence: bool = True,
                 turn_deg: int = 0) -> PoseTrack:
    """Run the pose model over a video file and return the subject's track.

    Parameters
    ----------
    workers : int, optional
        Processes for this clip; default one per idle core (see ``idle_cores``).
    num_poses : int
        People the model looks for per frame. 1 is fastest (the model tracks
        and skips its detector); 2 runs the detector every frame (~1.7x the
        cost) but also reports a second person standing close.
    max_inference_hz : float or None
        Run the model at most this often; frames in between are interpolated.
        None or 0 = every frame.
    progress : callable, optional
        Called with the fraction of frames done, in [0, 1].
    image_evidence : bool
        Also ask the model for the person's segmentation mask and keep per-frame image
        evidence (pose/evidence.py): the waist line in ``track.extra["pelvis_evidence"]``
        (pelvic drop and tilt need it) and the soles in ``track.extra["foot_evidence"]``
        (heel lift). Costs more time: see bench/pelvis_evidence_cost.py.
    turn_deg : int
        Turn every frame this much further clockwise (90, 180, 270): a video whose
        rotation was lost (``analysis.analyze`` sees the person lying and asks for it).
        Kept in ``meta.extra["turn_deg"]`` for whoever reads the video again.
    """
    source = Path(source)
    model_path = str(resolve_model(model))
    with VideoReader(source, turn_deg=turn_deg) as probe:  # NotAVideo etc. before inference
        info = probe.info
        if sum(1 for _ in itertools.islice(probe, 2)) < 2:
            raise VideoTooShort(f"{source} has only one frame; squatcheck needs a video of "
                                "the whole squat (a few seconds).")
    period = 1.0 / max_inference_hz if max_inference_hz else 0.0
    duration = info.frame_count_header / info.fps_nominal if info.fps_nominal > 0 else 0.0
    chunks = plan_chunks(duration)
    jobs = [Job(str(source), model_path, num_poses, max_side_px, period,
                None if i == 0 else max(0.0, keep - SEAM_WARMUP_S), None if i == 0 else keep,
                stop, evidence=image_evidence, turn_deg=turn_deg)
            for i, (keep, stop) in enumerate(chunks)]
    n = min(max(1, workers or idle_cores()), len(jobs))
    if multiprocessing.current_process().daemon:
        n = 1  # inside a daemonic pool worker (which may not have children)
    helpers = Helpers(jobs, n - 1) if n > 1 else None
    total = max(info.frame_count_header, 1) * (1 + SEAM_WARMUP_S / max(duration, 1.0)
                                               * (len(jobs) - 1))

    def report(*_) -> None:
        if progress:
            done = lead_count.value + (helpers.frames_done() if helpers else 0)
            progress(min(done / total, 0.99))

    lead_count = _Count(report)
    try:
        next_chunk = helpers.next_chunk if helpers else multiprocessing.Value("i", 1)
        parts = run_chunks(jobs, next_chunk, lead_count, first=0)
        if helpers:
            parts.update(helpers.collect(report))
    finally:
        if helpers:
            helpers.close()
    parts = [parts[i] for i in sorted(parts)]
    rows = _merge(parts)
    frames_decoded = max(r.frames_seen for r in parts)
    if frames_decoded == 0:
        raise NotAVideo(f"{source} holds no video frames that can be decoded; it may be "
                        "truncated or damaged. Copy it again or re-export it as MP4.")
    damaged = [r.damaged_at_s for r in parts if r.damaged_at_s is not None]
    if frames_decoded < TRUNCATED_BELOW * info.frame_count_header:
        raise NotAVideo(f"{source} ends early: only {frames_decoded} of the "
                        f"{info.frame_count_header} frames its header lists decode, so it is "
                        "probably truncated or damaged; copy it again or re-export it as MP4.")
    t_s, frame_index, candidates, world, inferred = rows
    choice = select_subject(t_s[inferred], candidates[inferred])
    if np.all(choice.candidate < 0):
        raise NoPersonFound(f"No person was found in {source}; film the whole body, head to "
                            "feet, in good light.")
    image, world = _pick(candidates[inferred], world[inferred], choice.candidate)
    image, world = _fill_between(t_s, inferred, image, world, hold_s=period)
    extra = {}
    if image_evidence:
        extra.update(split_evidence(_subject_evidence(parts, inferred,
                                                      choice.candidate)))
    roll = measure_camera_roll(source, frame_index, image[..., :2] * (info.width, info.height),
                               float(t_s[-1] - t_s[0]), turn_deg=turn_deg)
    if progress:
        progress(1.0)
    meta = TrackMeta(source=str(source), image_size=(info.width, info.height),
                     fps_nominal=info.fps_nominal, frames_decoded=frames_decoded,
                     model=Path(model_path).name, subject=choice.description,
                     extra={"rotation_deg": info.rotation_deg, "turn_deg": turn_deg,
                            "processes": n,
                            "max_inference_hz": max_inference_hz or 0.0,
                            "frames_inferred": int(inferred.sum()),
                            "frame_count_header": info.frame_count_header,
                            "seams_s": [keep for keep, _ in chunks[1:]],
                            "damaged_after_s": min(damaged) if damaged else None,
                            **roll.as_meta()})
    return PoseTrack.from_rows(t_s, frame_index, image, world, meta, extra)


def idle_cores() -> int:
    """Cores nobody else is using (1-minute load average), at least 1: a helper process on
    a busy machine only adds its start-up (measured: 1 process beat 2 at load 10)."""
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        return cores
    return max(1, min(cores, 1 + int(cores - busy + 0.5)))


def _merge(parts: list[Rows]):
    """Concatenate chunks by frame index; every decoded frame exactly once."""
    t = np.concatenate([np.asarray(p.t_s, float) for p in parts])
    idx = np.concatenate([np.asarray(p.frame_index, int) for p in parts])
    k, shape = parts[0].num_poses, (0, parts[0].num_poses, 33)
    image = np.concatenate([np.asarray(p.image).reshape(-1, k, 33, 5) if p.image
                            else np.zeros((*shape, 5)) for p in parts])
    world = np.concatenate([np.asarray(p.world).reshape(-1, k, 33, 3) if p.world
                            else np.zeros((*shape, 3)) for p in parts])
    inferred = np.concatenate([np.asarray(p.inferred, bool) for p in parts])
    order = np.argsort(idx, kind="stable")
    idx = idx[order]
    first = np.ones(len(idx), bool)
    first[1:] = idx[1:] != idx[:-1]  # chunks do not overlap; one copy if they ever did
    keep = order[first]
    if len(keep) and not np.array_equal(idx[first], np.arange(idx[first][0], idx[first][0]
                                                               + len(keep))):
        raise RuntimeError("pose chunks left a gap between frames")
    return t[keep], idx[first], image[keep], world[keep], inferred[keep]


def _subject_evidence(parts: list[Rows], inferred: np.ndarray,
                      choice: np.ndarray) -> np.ndarray:
    """(T, WIDTH) image evidence of the chosen subject, rows merged as ``_merge`` does
    (by frame index, first copy kept); NaN on frames the model did not run on."""
    idx = np.concatenate([np.asarray(p.frame_index, int) for p in parts])
    ev = np.concatenate([np.asarray(p.evidence, float).reshape(-1, p.num_poses, WIDTH)
                         for p in parts])
    order = np.argsort(idx, kind="stable")
    first = np.ones(len(idx), bool)
    first[1:] = idx[order][1:] != idx[order][:-1]
    ev = ev[order[first]][inferred]
    out = np.full((len(inferred), WIDTH), np.nan)
    picked = ev[np.arange(len(choice)), np.clip(choice, 0, None)]
    picked[choice < 0] = np.nan
    out[inferred] = picked
    return out


def _pick(candidates: np.ndarray, world: np.ndarray, choice: np.ndarray):
    rows = np.arange(len(choice))
    pick = np.clip(choice, 0, None)
    image, world = candidates[rows, pick], world[rows, pick]
    image[choice < 0] = np.nan
    world[choice < 0] = np.nan
    return image, world


def _fill_between(t_s: np.ndarray, inferred: np.ndarray, image: np.ndarray,
                  world: np.ndarray, hold_s: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Rows for every frame: inferred ones as found, the others interpolated linearly in
    time between the inferred neighbours (NaN unless both neighbours have a pose). The
    last frames of the clip, within ``hold_s`` after the last inference, repeat it."""
    if inferred.all():
        return image, world
    out_i = np.full((len(t_s), *image.shape[1:]), np.nan)
    out_w = np.full((len(t_s), *world.shape[1:]), np.nan)
    out_i[inferred], out_w[inferred] = image, world
    t_known = t_s[inferred]
    gaps = np.flatnonzero(~inferred)
    tail = gaps[(t_s[gaps] > t_known[-1]) & (t_s[gaps] <= t_known[-1] + hold_s + 1e-6)]
    out_i[tail], out_w[tail] = image[-1], world[-1]
    right = np.searchsorted(t_known, t_s[gaps])
    ok = (right > 0) & (right < len(t_known))
    gaps, right = gaps[ok], right[ok]
    left = right - 1
    w = ((t_s[gaps] - t_known[left]) / (t_known[right] - t_known[left]))[:, None, None]
    out_i[gaps] = image[left] * (1 - w) + image[right] * w  # NaN if either side has none
    out_w[gaps] = world[left] * (1 - w) + world[right] * w
    return out_i, out_w
