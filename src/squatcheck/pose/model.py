"""The shipped pose model: where it is and proof it is the file we tested.

``models/pose_landmarker_full.task`` is rebuilt from the ``mediapipe==0.10.21``
wheel by ``models/build_pose_bundle.sh`` (see ``models/README.md``). Any
official ``pose_landmarker_{lite,full,heavy}.task`` may be passed instead.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from ..errors import ModelError

BUNDLED_NAME = "pose_landmarker_full.task"
BUNDLED_SHA256 = "914b82944af139a00b9b70b034ae6b0c1c7895a62f63cb4e3f5475c6ebdd1ac1"
REQUIRED_ENTRIES = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def bundled_model_path() -> Path:
    """The shipped bundle: ``$SQUATCHECK_MODEL_DIR`` or the repository's ``models/``."""
    env = os.environ.get("SQUATCHECK_MODEL_DIR")
    root = Path(env) if env else Path(__file__).resolve().parents[3] / "models"
    return root / BUNDLED_NAME


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_model(path: str | Path | None = None) -> Path:
    """Return a checked model path; the bundled one must match its recorded hash."""
    if path is None:
        model = bundled_model_path()
        if not model.is_file():
            raise ModelError(f"The pose model {model} is missing; restore it with "
                             "'git checkout models/' or rebuild it with "
                             "'bash models/build_pose_bundle.sh'.")
        if sha256_of(model) != BUNDLED_SHA256:
            raise ModelError(f"The pose model {model} does not match its recorded sha256 "
                             "(altered or partly downloaded); restore it with "
                             "'git checkout models/'.")
        return model
    model = Path(path)
    if not model.is_file():
        raise ModelError(f"The model file {model} does not exist.")
    try:
        with zipfile.ZipFile(model) as bundle:
            names = set(bundle.namelist())
    except zipfile.BadZipFile:
        names = set()
    if not REQUIRED_ENTRIES <= names:
        raise ModelError(f"{model} is not a MediaPipe pose landmarker .task bundle; pass an "
                         "official pose_landmarker_lite/full/heavy.task file.")
    return model
