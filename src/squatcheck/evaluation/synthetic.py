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

ITEMS = ["view", "facing", "exercise", "rep count", "stance leg"]


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


def score_synthetic(folder: str | Path, *, profile=None,
                    progress: Callable[[str], None] | None = None) -> Tally:
    tally = Tally(ITEMS)
    for path, truth in truth_files(folder):
        video = path.with_name(truth.get("video") or f"{path.stem}.mp4")
        track = track_for(video, path.parent, progress=progress)
        res = analyze_track(track, profile=profile)
        name = path.stem
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
    return tally
