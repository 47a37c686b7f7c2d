"""The engine against the real clips' labels (``shared/clips/clips.json``).

Each clip is analysed from its pose track (cached as ``<stem>.npz`` in a tracks
folder; extracted once when missing) and compared item by item with its labels:
view, facing, exercise, rep count (within ``rep_count_tolerance``; zero squat reps
when ``is_squat`` is false), the stance leg of each labelled rep (matched by its
bottom time) and each labelled finding (clip level: present in at least one rep).
``null`` labels and ``mixed`` views are skipped, as clips/README.md asks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..analysis.analyze import analyze_track
from ..analysis.result import AnalysisResult
from ..errors import InputNotFound
from ..pose.track import PoseTrack
from .agreement import Tally, add_stance_legs, clip_finding, word

ITEMS = ["view", "facing", "exercise", "rep count", "stance leg", "no reps (not a squat)"]
SQUAT_EXERCISES = {"single_leg_squat": "single_leg_squat", "pistol_squat": "single_leg_squat",
                   "double_leg_squat": "double_leg_squat"}
# clips.json finding name -> ours
FINDING_LABELS = {"knee_past_toes": "knee_past_toes", "heel_lift": "heel_lift",
                  "knee_valgus": "knee_valgus", "forward_trunk_lean": "trunk_lean",
                  "pelvic_drop": "pelvic_drop"}
BOTTOM_MATCH_S = 1.0  # a labelled rep matches our rep whose bottom is this close


@dataclass
class ClipRun:
    label: dict
    result: AnalysisResult


def default_clips_dir() -> Path:
    """``shared/clips`` beside the repository (the layout of this project's machines)."""
    return Path(__file__).resolve().parents[4] / "shared" / "clips"


def load_labels(path: str | Path) -> tuple[Path, list[dict]]:
    """(folder of the clips, their label objects) from a clips.json or its folder."""
    path = Path(path)
    if path.is_dir():
        path = path / "clips.json"
    if not path.is_file():
        raise InputNotFound(f"{path} does not exist; pass the clips folder or its clips.json.")
    return path.parent, json.loads(path.read_text())


def track_for(video: Path, tracks_dir: Path | None, *,
              progress: Callable[[str], None] | None = None) -> PoseTrack:
    """The clip's cached pose track, or extract it now (and cache it if a folder is given)."""
    cached = tracks_dir / f"{video.stem}.npz" if tracks_dir else None
    if cached and cached.is_file():
        return PoseTrack.load(cached)
    from ..pose.extract import extract_pose

    if progress:
        progress(f"extracting the pose of {video.name} (cached for next time)"
                 if cached else f"extracting the pose of {video.name}")
    track = extract_pose(video, workers=1)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        track.save(cached)
    return track


def run_clips(labels_path: str | Path, *, tracks_dir: str | Path | None = None, profile=None,
              only: list[str] | None = None,
              progress: Callable[[str], None] | None = None) -> list[ClipRun]:
    folder, labels = load_labels(labels_path)
    tracks = Path(tracks_dir) if tracks_dir else None
    runs = []
    for label in labels:
        if only and label["file"] not in only and Path(label["file"]).stem not in only:
            continue
        track = track_for(folder / label["file"], tracks, progress=progress)
        runs.append(ClipRun(label, analyze_track(track, profile=profile)))
    return runs


def score_clips(runs: list[ClipRun]) -> Tally:
    tally = Tally(ITEMS + list(FINDING_LABELS.values()))
    for run in runs:
        lab, res, name = run.label, run.result, run.label["file"]
        if lab.get("view") in ("front", "side", "oblique"):
            tally["view"].add(res.view == lab["view"], f"{name}: labelled {lab['view']}, "
                              f"ours {res.view}")
        if lab.get("facing") in ("camera", "away", "left", "right"):
            tally["facing"].add(res.facing == lab["facing"], f"{name}: labelled "
                                f"{lab['facing']}, ours {res.facing}")
        _score_exercise(tally, lab, res, name)
        _score_reps(tally, lab, res, name)
        for theirs, ours in FINDING_LABELS.items():
            want = lab.get("findings", {}).get(theirs)
            if want is None or not lab.get("is_squat", True):
                continue
            got = clip_finding(res.reps, ours)
            tally[ours].add(got is want, f"{name}: labelled {word(want)}, ours {word(got)}"
                            + _finding_detail(res, ours), assessed=got is not None)
    return tally


def _score_exercise(tally: Tally, lab: dict, res: AnalysisResult, name: str) -> None:
    exercise = lab.get("exercise")
    if exercise in (None, "mixed"):
        return
    want = SQUAT_EXERCISES.get(exercise, "not_squat")
    tally["exercise"].add(res.exercise == want, f"{name}: labelled {exercise} ({want}), "
                          f"ours {res.exercise}")


def _score_reps(tally: Tally, lab: dict, res: AnalysisResult, name: str) -> None:
    ours = len(res.reps)
    if lab.get("is_squat") is False:
        tally["no reps (not a squat)"].add(ours == 0, f"{name} ({lab.get('exercise')}): "
                                           f"{ours} squat reps counted, expected none")
    elif lab.get("rep_count") is not None:
        want, tol = lab["rep_count"], lab.get("rep_count_tolerance") or 0
        tally["rep count"].add(abs(ours - want) <= tol, f"{name}: labelled {want} (+-{tol}), "
                               f"ours {ours} at {[round(r.bottom_s, 1) for r in res.reps]} s")
    add_stance_legs(tally["stance leg"], name, lab.get("reps") or [], res.reps,
                    match_s=BOTTOM_MATCH_S)


def _finding_detail(res: AnalysisResult, name: str) -> str:
    parts = []
    for r in res.reps:
        f = r.findings.get(name)
        if f is None:
            continue
        value = "" if f.value is None else f" {f.value:.3g}"
        parts.append(f"#{r.index + 1} {word(f.present)}{value}")
    why = next((r.findings[name].reason for r in res.reps if name in r.findings
                and r.findings[name].present is None and r.findings[name].reason), "")
    why = why.removeprefix("Not assessable: ")
    return (f" [{'; '.join(parts)}]" if parts else "") + (f": {why}" if why else "")
