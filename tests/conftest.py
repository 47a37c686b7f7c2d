"""Shared test fixtures. Keep this file small; append fixtures others need too."""

from __future__ import annotations

import json
from pathlib import Path

# OpenCV before PyAV in the test process too (see src/squatcheck/__init__.py): test helpers
# import av, and if it loads first cv2.imshow's Qt window (live tests) hangs.
import cv2  # noqa: F401, I001
import pytest

CLIPS_DIR = Path(__file__).parents[1].parent / "shared" / "clips"


@pytest.fixture(scope="session")
def clips_dir() -> Path:
    """The real clips, beside the repository (never copied into it)."""
    assert (CLIPS_DIR / "clips.json").is_file(), f"real clips not found at {CLIPS_DIR}"
    return CLIPS_DIR


@pytest.fixture(scope="session")
def clip_labels(clips_dir) -> dict[str, dict]:
    """clips.json by file name."""
    return {c["file"]: c for c in json.loads((clips_dir / "clips.json").read_text())}
