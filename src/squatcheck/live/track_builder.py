"""Collect the poses the live loop already computed into a ``PoseTrack``.

The closing report is made from these rows, not from a second pass of the
model over the recording. Rows keep the recording's frame numbers, so the
report's annotated video lines up with the saved session video; frames the
loop dropped are simply absent (the track's ``t_s`` carries the real times).
Subject choice is the same as offline extraction (``select_subject``), and so is
the image evidence (``pose/evidence.py``): rows given with each frame's poses are
kept for the chosen subject in ``PoseTrack.extra`` under the offline keys.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..pose.evidence import WIDTH, split_evidence
from ..pose.subject import select_subject
from ..pose.track import N_LANDMARKS, PoseTrack, TrackMeta


class TrackBuilder:
    def __init__(self, num_poses: int = 1, *, evidence: bool = False):
        self.num_poses = num_poses
        self.evidence_on = evidence
        self.evidence: list[np.ndarray] = []  # each (num_poses, WIDTH), when evidence_on
        self.t_s: list[float] = []
        self.frame_index: list[int] = []
        self.image: list[np.ndarray] = []
        self.world: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.t_s)

    def add(self, t_s: float, frame_index: int, image_lm: np.ndarray,
            world_lm: np.ndarray, evidence: np.ndarray | None = None) -> None:
        """One processed frame: ``image_lm`` (K, 33, 5), ``world_lm`` (K, 33, 3), K >= 0;
        ``evidence`` (K, WIDTH) of ``person_evidence`` per person, or None (all NaN)."""
        if self.t_s and t_s <= self.t_s[-1]:
            return  # PoseTrack needs strictly rising times; a repeated stamp adds nothing
        im = np.full((self.num_poses, N_LANDMARKS, 5), np.nan)
        wo = np.full((self.num_poses, N_LANDMARKS, 3), np.nan)
        k = min(len(image_lm), self.num_poses)
        im[:k], wo[:k] = image_lm[:k], world_lm[:k]
        self.t_s.append(float(t_s))
        self.frame_index.append(int(frame_index))
        self.image.append(im)
        self.world.append(wo)
        if self.evidence_on:
            ev = np.full((self.num_poses, WIDTH), np.nan)
            if evidence is not None:
                ev[:k] = np.asarray(evidence, float)[:k]
            self.evidence.append(ev)

    def build(self, *, source: str | Path, image_size: tuple[int, int], fps_nominal: float,
              frames_decoded: int, model: str, extra: dict | None = None) -> PoseTrack:
        meta_args = dict(source=str(source), image_size=tuple(int(v) for v in image_size),
                         fps_nominal=float(fps_nominal), frames_decoded=int(frames_decoded),
                         model=model, extra=dict(extra or {}))
        if not self.t_s:
            return PoseTrack.empty(TrackMeta(subject="nobody", **meta_args))
        t_s = np.asarray(self.t_s)
        candidates = np.stack(self.image)
        world = np.stack(self.world)
        choice = select_subject(t_s, candidates)
        rows = np.arange(len(t_s))
        pick = np.clip(choice.candidate, 0, None)
        image, world = candidates[rows, pick], world[rows, pick]
        image[choice.candidate < 0] = np.nan
        world[choice.candidate < 0] = np.nan
        meta = TrackMeta(subject=choice.description, **meta_args)
        arrays = None
        if self.evidence_on:
            ev = np.stack(self.evidence)[rows, pick]
            ev[choice.candidate < 0] = np.nan
            arrays = split_evidence(ev)
        return PoseTrack.from_rows(t_s, np.asarray(self.frame_index), image, world, meta,
                                   arrays)
