"""Rebuild ``pose_landmarker_full.task`` from the ``mediapipe==0.10.21`` wheel.

Why: MediaPipe >= 0.10.30 ships no pose models, and the official ``.task``
files are hosted where our machines cannot reach. The 0.10.21 wheel on PyPI
still carries the BlazePose GHUM 3D networks as bare ``.tflite`` files; the
Tasks API accepts them once each carries TFLite metadata (input
normalisation, one entry per output tensor) and both sit in an uncompressed,
aligned zip under the names the PoseLandmarker graph expects.

Run it with ``bash models/build_pose_bundle.sh``, which makes the throwaway
environment this script needs (``mediapipe==0.10.21``, ``numpy<2``). The zip
entries carry a fixed timestamp so the output is byte-for-byte reproducible.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer
from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import (
    _ALIGNMENT,
    AlignZipFile,
)

WHEEL_DIR = Path(mediapipe.__file__).parent / "modules"

# (bundle entry name, file in the wheel, input mean, input std, output count)
MODELS = [
    ("pose_detector.tflite", "pose_detection/pose_detection.tflite", 127.5, 127.5, 2),
    ("pose_landmarks_detector.tflite", "pose_landmark/pose_landmark_full.tflite", 0.0, 255.0, 5),
]


def with_metadata(path: Path, name: str, mean: float, std: float, n_outputs: int) -> bytes:
    writer = metadata_writer.MetadataWriter.create(bytearray(path.read_bytes()))
    writer.add_general_info(name, "BlazePose GHUM 3D, from mediapipe==0.10.21")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for i in range(n_outputs):
        writer.add_feature_output(name=f"output_{i}")
    model, _ = writer.populate()
    return bytes(model)


def main(out: Path) -> None:
    if mediapipe.__version__ != "0.10.21":
        sys.exit(f"needs mediapipe==0.10.21, found {mediapipe.__version__}")
    with AlignZipFile(out, mode="w", alignment=_ALIGNMENT) as bundle:
        for entry, rel, mean, std, n_out in MODELS:
            info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            bundle.writestr(info, with_metadata(WHEEL_DIR / rel, entry, mean, std, n_out))
    print(f"{out}  sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("pose_landmarker_full.task"))
