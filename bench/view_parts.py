"""Two one-view clips back to back: is the cut found, and is every rep read as alone?

Joins the pose tracks of a front and a side clip of a synthetic set (a camera's cut:
front-then-side and side-then-front pairs of the same frame size), analyses the joined
track (``analysis/view_sections.py`` cuts it into parts) and each clip alone, and prints how
many joins were cut into two parts and how many reps kept their stance, view and every
finding. Use sets filmed without a room (a track keeps one camera roll). About 3 s a pair.

    .venv/bin/python bench/view_parts.py /tmp/sets/seed57 /tmp/sets/seed64
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from squatcheck import analyze_track
from squatcheck.pose.track import PoseTrack


def join(a: PoseTrack, b: PoseTrack) -> PoseTrack:
    """``b`` right after ``a``, one frame interval later (a hard cut)."""
    dt = float(np.median(np.diff(a.t_s)))
    t = np.concatenate([a.t_s, b.t_s - b.t_s[0] + a.t_s[-1] + dt])
    extra = {k: np.concatenate([a.extra[k], b.extra[k]]) for k in a.extra
             if k in b.extra and a.extra[k].shape[1:] == b.extra[k].shape[1:]}
    stack = {k: np.concatenate([getattr(a, k), getattr(b, k)])
             for k in ("xy", "z", "visibility", "presence", "world")}
    return PoseTrack(t, np.arange(len(t)), meta=a.meta, extra=extra, **stack)


def rep_key(rep) -> tuple:
    return rep.stance, rep.view, tuple(sorted((n, f.present) for n, f in rep.findings.items()))


def pairs(folder: Path) -> list[tuple[Path, Path]]:
    truth = {f: json.loads(f.with_suffix(".json").read_text())
             for f in sorted(folder.glob("*.npz"))}
    by_view = {v: [f for f, t in truth.items() if t["view"] == v] for v in ("front", "side")}
    fronts, sides = by_view["front"], by_view["side"]
    out = [*zip(fronts, sides, strict=False),
           *((s, f) for f, s in zip(fronts[1:], sides, strict=False))]
    return [(a, b) for a, b in out if truth[a]["image_size"] == truth[b]["image_size"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="synthetic set folders")
    args = parser.parse_args()
    joins = cut = reps = same = 0
    for folder in args.sets:
        for a, b in pairs(folder):
            ta, tb = PoseTrack.load(a), PoseTrack.load(b)
            alone = [rep_key(r) for t in (ta, tb) for r in analyze_track(t).reps]
            result = analyze_track(join(ta, tb))
            joined = [rep_key(r) for r in result.reps]
            two = len(result.views()) == 2 and result.notes[0].startswith("The clip was read in 2")
            kept = sum(x == y for x, y in zip(alone, joined, strict=False)) if len(
                alone) == len(joined) else 0
            joins, cut, reps, same = joins + 1, cut + two, reps + len(alone), same + kept
            if not two or kept < len(alone):
                print(f"{folder.name} {a.stem} + {b.stem}: parts {two}, reps {len(alone)} "
                      f"alone, {len(joined)} joined, {kept} read alike")
    print(f"joins cut into two parts: {cut} of {joins}; reps read as alone: {same} of {reps}")


if __name__ == "__main__":
    main()
