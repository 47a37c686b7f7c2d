"""``PoseTrack``: the one record of what the pose model saw, frame by frame.

Inference happens once; everything downstream reads a ``PoseTrack``, and a
saved ``.npz`` can be re-analysed without the model. Arrays hold NaN where no
pose was found, so other tools can read the file with plain numpy.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import NotAVideo
from ..files import require_file, write_atomic

N_LANDMARKS = 33
FORMAT_VERSION = 1


@dataclass(frozen=True)
class TrackMeta:
    """Where a track came from. ``image_size`` is (width, height) in pixels of the upright frame."""

    source: str = ""
    image_size: tuple[int, int] = (0, 0)
    fps_nominal: float = 0.0
    frames_decoded: int = 0
    model: str = ""
    subject: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class PoseTrack:
    """Landmarks of one subject over time.

    Attributes
    ----------
    t_s : ndarray of shape (T,)
        Frame timestamps in seconds, strictly increasing.
    frame_index : ndarray of shape (T,), int
        Index of each row's frame among all decoded frames.
    xy : ndarray of shape (T, 33, 2)
        Image landmarks, normalised to [0, 1] by frame width and height.
    z : ndarray of shape (T, 33)
        MediaPipe's relative depth (same scale as x). Unreliable; kept for completeness.
    visibility, presence : ndarray of shape (T, 33)
        MediaPipe's per-landmark confidences in [0, 1].
    world : ndarray of shape (T, 33, 3)
        World landmarks in metres, origin between the hips.
    extra : dict of name -> ndarray of shape (T, ...)
        Optional per-frame evidence computed from the frames during inference (e.g.
        ``pelvis_evidence`` (T, k), see ``pose/silhouette.py``); saved as ``extra_<name>``.
    """

    t_s: np.ndarray
    frame_index: np.ndarray
    xy: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    meta: TrackMeta = field(default_factory=TrackMeta)
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.t_s)
        shapes = {"t_s": (n,), "frame_index": (n,), "xy": (n, N_LANDMARKS, 2),
                  "z": (n, N_LANDMARKS),
                  "visibility": (n, N_LANDMARKS), "presence": (n, N_LANDMARKS),
                  "world": (n, N_LANDMARKS, 3)}
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {shape}")
        for name, arr in self.extra.items():
            if np.shape(arr)[:1] != (n,):
                raise ValueError(f"extra {name!r} has shape {np.shape(arr)}, expected ({n}, ...)")
        if n > 1 and not np.all(np.diff(self.t_s) > 0):
            raise ValueError("t_s must be strictly increasing")

    def __len__(self) -> int:
        return len(self.t_s)

    def __getitem__(self, index) -> PoseTrack:
        """Rows by slice, integer array or boolean mask (a new track)."""
        if isinstance(index, int):
            index = slice(index, index + 1 or None)
        return PoseTrack(self.t_s[index], self.frame_index[index], self.xy[index],
                         self.z[index], self.visibility[index], self.presence[index],
                         self.world[index], self.meta,
                         {k: v[index] for k, v in self.extra.items()})

    @classmethod
    def empty(cls, meta: TrackMeta | None = None) -> PoseTrack:
        return cls.from_rows(np.zeros(0), np.zeros(0, int),
                             np.full((0, N_LANDMARKS, 5), np.nan),
                             np.full((0, N_LANDMARKS, 3), np.nan), meta or TrackMeta())

    @classmethod
    def from_rows(cls, t_s, frame_index, image_lm, world_lm, meta: TrackMeta,
                  extra: dict[str, np.ndarray] | None = None) -> PoseTrack:
        """Build from stacked landmark rows.

        ``image_lm`` is (T, 33, 5) of x, y, z, visibility, presence as MediaPipe
        gives them; ``world_lm`` is (T, 33, 3); ``extra`` as the attribute.
        """
        image_lm = np.asarray(image_lm, float)
        return cls(np.asarray(t_s, float), np.asarray(frame_index, int), image_lm[..., :2].copy(),
                   image_lm[..., 2].copy(), image_lm[..., 3].copy(), image_lm[..., 4].copy(),
                   np.asarray(world_lm, float), meta,
                   {k: np.asarray(v, float) for k, v in (extra or {}).items()})

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool: a pose was found in this frame."""
        return ~np.isnan(self.xy[:, 0, 0])

    @property
    def xy_px(self) -> np.ndarray:
        """(T, 33, 2) landmarks in pixels of the upright frame."""
        return self.xy * np.asarray(self.meta.image_size, float)

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if len(self) > 1 else 0.0

    @property
    def fps(self) -> float:
        """Median frame rate of the rows, in frames per second."""
        return float(1.0 / np.median(np.diff(self.t_s))) if len(self) > 1 else 0.0

    def save(self, path: str | Path) -> Path:
        """Write an ``.npz`` readable with plain ``numpy.load`` (atomic: no half file)."""
        def write(tmp: Path) -> None:
            with tmp.open("wb") as fh:  # a file object: numpy adds no ".npz" to its name
                np.savez_compressed(
                    fh,
                    format_version=np.int64(FORMAT_VERSION),
                    t_s=self.t_s,
                    frame_index=self.frame_index,
                    landmarks_norm=np.concatenate([self.xy, self.z[..., None]], axis=-1),
                    landmarks_px=self.xy_px,
                    visibility=self.visibility,
                    presence=self.presence,
                    world_landmarks=self.world,
                    image_size=np.asarray(self.meta.image_size, np.int64),
                    meta_json=np.asarray(json.dumps(asdict(self.meta))),
                    **{f"extra_{k}": v for k, v in self.extra.items()},
                )
        return write_atomic(path, write)

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        path = Path(path)
        require_file(path, "pose track (.npz)")
        redo = "make one with 'squatcheck pose VIDEO -o track.npz'"
        if not zipfile.is_zipfile(path):
            raise NotAVideo(f"{path} is not a squatcheck pose track (not an .npz archive, or "
                            f"cut short); {redo}.")
        try:
            with np.load(path, allow_pickle=False) as data:
                if "meta_json" not in data.files:
                    raise ValueError("no squatcheck metadata in it: saved by another program?")
                meta = json.loads(str(data["meta_json"]))
                meta["image_size"] = tuple(meta["image_size"])
                lm = data["landmarks_norm"]
                extra = {k.removeprefix("extra_"): data[k] for k in data.files
                         if k.startswith("extra_")}
                track = cls(data["t_s"], data["frame_index"], lm[..., :2], lm[..., 2],
                            data["visibility"], data["presence"], data["world_landmarks"],
                            TrackMeta(**meta), extra)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise NotAVideo(f"{path} is a damaged pose track ({exc}); {redo} again.") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NotAVideo(f"{path} is not a squatcheck pose track ({exc}); {redo}.") from None
        if len(track) and not min(track.meta.image_size) > 0:
            raise NotAVideo(f"{path} is not a squatcheck pose track (its image size is "
                            f"{track.meta.image_size}); {redo}.")
        return track
