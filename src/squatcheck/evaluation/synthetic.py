"""The engine's clip-level stages against the synthetic truth files (``squatcheck synth``).

For each ``<stem>.json`` made by ``squatcheck synth`` (``generator`` =
``squatcheck.synth``) with its pose track ``<stem>.npz`` beside it (extracted once
when missing), compare view, facing, exercise, rep count and each rep's stance
leg. Per-finding detection rates and measurement errors on the same folder are
in :mod:`squatcheck.evaluation.synthetic_findings`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..analysis.analyze import analyze_track
from .agreement import Tally, add_stance_legs
from .clips import BOTTOM_MATCH_S, track_for

ITEMS = ["view", "facing", "exercise", "rep count", "stance leg"]  # + "camera roll" in rooms
ROLL_TOLERANCE_DEG = 1.0  # camera roll read from the room (pose/camera_roll.py) this close


def truth_files(folder: str | Path) -> list[tuple[Path, dict]]:
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            truth = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if (isinstance(truth, dict) and truth.get("generator") == "squatcheck.synth"
                and isinstance(truth.get("reps"), list) and "view" in truth):
            out.append((path, truth))  # a clip's truth (not the set's index.json)
    return out


def score_synthetic(folders: str | Path | list, *, profile=None,
                    progress: Callable[[str], None] | None = None) -> Tally:
    """One tally over one folder or several; with several, a miss names its folder too."""
    folders = [Path(folders)] if isinstance(folders, (str, Path)) else [Path(f) for f in folders]
    tally = Tally(ITEMS)
    for folder in folders:
        prefix = f"{folder.name}/" if len(folders) > 1 else ""
        for path, truth in truth_files(folder):
            _score_clip(tally, path, truth, prefix + path.stem, profile, progress)
    return tally


def _score_clip(tally: Tally, path: Path, truth: dict, name: str, profile, progress) -> None:
    video = path.with_name(truth.get("video") or f"{path.stem}.mp4")
    track = track_for(video, path.parent, progress=progress)
    res = analyze_track(track, profile=profile)
    tally["view"].add(res.view == truth["view"], f"{name}: truth {truth['view']}, "
                      f"ours {res.view}")
    if truth.get("facing"):
        tally["facing"].add(res.facing == truth["facing"], f"{name}: truth "
                            f"{truth['facing']}, ours {res.facing}")
    tally["exercise"].add(res.exercise == truth["exercise"], f"{name}: truth "
                          f"{truth['exercise']}, ours {res.exercise}")
    want = len(truth["reps"])
    tally["rep count"].add(len(res.reps) == want, f"{name}: truth {want}, ours "
                           f"{len(res.reps)} at {[round(r.bottom_s, 1) for r in res.reps]} s")
    add_stance_legs(tally["stance leg"], name, truth["reps"], res.reps, label="truth",
                    match_s=BOTTOM_MATCH_S)
    if (truth.get("scene") or {}).get("edges_m"):  # a room with frames to read it from
        want, got = truth["camera"].get("roll_deg", 0.0), res.camera_roll_deg
        tally["camera roll"].add(got is not None and abs(got - want) <= ROLL_TOLERANCE_DEG,
                                 f"{name}: truth {want:+.1f} deg, ours "
                                 + ("not measured" if got is None else f"{got:+.1f} deg"))
