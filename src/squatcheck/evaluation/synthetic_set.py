"""A balanced synthetic set for the clinical findings: every fault above and below its
threshold, both views, both stance legs, several body sizes.

Clips are picked (by their plan, before anything is rendered or measured) from the
mannequin's own deterministic benchmark plan (``squatcheck.synth.benchset.plan_set``)
so that each fault appears a fixed number of times at each level; clean and oblique
clips are added as controls. Pose tracks are cached beside the clips (``.npz``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..synth.benchset import (
    FRONT_FAULTS,
    SIDE_FAULTS,
    barefoot,
    held_high,
    in_dim_light,
    in_leggings,
    on_the_floor,
    plan_set,
    turned_from_side_on,
)


def plan_balanced_set(*, per_fault_above: int = 3, per_fault_below: int = 2, clean: int = 4,
                      oblique: int = 3, seed: int = 11, reps: int = 3, pool: int = 400,
                      room: bool = False, phone: bool = False, turned: bool = False):
    """(name, ClipSpec) pairs: each side fault on side clips and each front fault on front
    clips ``per_fault_above`` times above and ``per_fault_below`` times below threshold."""
    want = {(f, lvl): n for f in SIDE_FAULTS + FRONT_FAULTS
            for lvl, n in (("above", per_fault_above), ("below", per_fault_below))}
    got: Counter = Counter()
    chosen, n_clean, n_obl, legs = [], 0, 0, Counter()
    for name, spec in plan_set(pool, seed, reps=reps, room=room, phone=phone,
                               turned=turned):
        view, level = spec.camera.view, name.split("_")[3]
        if view == "oblique":
            if n_obl < oblique and level != "clean":
                chosen.append((name, spec))
                n_obl += 1
            continue
        if level == "clean":
            if n_clean < clean:
                chosen.append((name, spec))
                n_clean += 1
            continue
        keys = [(f, level) for f in spec.faults]
        if keys and all(got[k] < want.get(k, 0) for k in keys):
            stance = spec.motion.stances[0]
            if legs[(keys[0], stance)] > legs[(keys[0], _other(stance))] + 1:
                continue  # keep both stance legs represented
            chosen.append((name, spec))
            got.update(keys)
            legs[(keys[0], stance)] += 1
    return chosen


def plan_shallow_set(*, seed: int = 36, clips: int = 20, reps: int = 3, pool: int = 400,
                     room: bool = False, phone: bool = False, turned: bool = False,
                     depths: tuple[float, ...] = (40.0, 45.0, 50.0, 55.0)):
    """(name, ClipSpec) pairs: the plan's first ``clips`` single-leg squats filmed from the
    side or the front, their bottoms taken in turn to each of ``depths`` (knee flexion,
    deg). The balanced set's squats bend 60-80 deg; a clinical single-leg squat can stop at
    45 (docs/analysis.md, "Shallow squats")."""
    chosen = []
    for name, spec in plan_set(pool, seed, reps=reps, room=room, phone=phone,
                               turned=turned):
        if spec.motion.exercise != "single_leg_squat" or spec.camera.view == "oblique":
            continue
        depth = depths[len(chosen) % len(depths)]
        chosen.append((f"{name}_d{depth:.0f}",
                       replace(spec, motion=replace(spec.motion, depth_deg=depth))))
        if len(chosen) == clips:
            break
    return chosen


# (phase, share of the way down, seconds): halts in the top half of the way down or up,
# near the bottom, and a long hold at the bottom itself
HALTS = (("descent", 0.35, 0.8), ("ascent", 0.4, 0.8), ("descent", 0.5, 1.2),
         ("descent", 0.75, 1.0), ("bottom", 1.0, 2.0))


def plan_halting_set(*, seed: int = 57, clips: int = 20, reps: int = 3, pool: int = 400,
                     room: bool = False, phone: bool = False, turned: bool = False):
    """(name, ClipSpec) pairs: the plan's first ``clips`` squats filmed from the side or
    the front, each rep halting in turn as ``HALTS`` says. The balanced set's reps never
    stop on the way; a person unsure of their balance does (docs/analysis.md, "Reps")."""
    chosen = []
    for name, spec in plan_set(pool, seed, reps=reps, room=room, phone=phone,
                               turned=turned):
        if spec.camera.view == "oblique":
            continue
        phase, at, hold_s = HALTS[len(chosen) % len(HALTS)]
        motion = (replace(spec.motion, tempo=replace(spec.motion.tempo, hold_s=hold_s))
                  if phase == "bottom" else
                  replace(spec.motion, halt_s=hold_s, halt_at=at, halt_phase=phase))
        chosen.append((f"{name}_halt_{phase}{at * 100:.0f}", replace(spec, motion=motion)))
        if len(chosen) == clips:
            break
    return chosen


def slowed(spec, factor: float):
    """``spec`` with every phase of its motion ``factor`` times as long (1: unchanged)."""
    if factor == 1:
        return spec
    return replace(spec, motion=replace(spec.motion, tempo=spec.motion.tempo.scaled(factor)))


def touch_and_go(spec, return_share: float = 1.0):
    """``spec`` with no standing between reps on the same leg: each return runs straight
    into the next descent, as in a brisk set of squats; ``return_share`` < 1: each turns
    round that share of the way back up (``MotionSpec.return_share``)."""
    return replace(spec, motion=replace(spec.motion, return_share=return_share,
                                        tempo=replace(spec.motion.tempo, between_s=0.0)))


def with_arms(spec, arms: str | None):
    """``spec`` with the arms held as ``arms`` ("forward", "down", "hips", "crossed"; None:
    as planned)."""
    return spec if arms is None else replace(spec, motion=replace(spec.motion, arms=arms))


def _other(stance: str) -> str:
    return {"left": "right", "right": "left"}.get(stance, stance)


def generate_balanced_set(out_dir: str | Path, *, progress=None, extract: bool = True,
                          jobs: int = 1, shallow: bool = False, halting: bool = False,
                          slow: float = 1.0, arms: str | None = None, touch: float | None = None,
                          side_turned: bool = False, dim: bool = False,
                          bare: bool = False, held: bool = False, floor: bool = False,
                          leggings: bool = False, **plan_kw) -> list[Path]:
    """Render the balanced set into ``out_dir`` (skipping clips already there) and cache
    each clip's pose track as ``<stem>.npz``, ``jobs`` clips at a time; returns the video
    paths in plan order. ``side_turned``: each side view's body turned 5-25 deg from
    side-on (``benchset.turned_from_side_on``); ``dim``: filmed in a dim room
    (``benchset.in_dim_light``); ``bare``: barefoot (``benchset.barefoot``); ``held``:
    the phone held at chest or eye height (``benchset.held_high``); ``floor``: the phone
    propped on the floor (``benchset.on_the_floor``); ``leggings``: full-length leggings
    (``benchset.in_leggings``); ``touch``: reps back to back, each return that share of the
    way up (``touch_and_go``; None: as planned)."""
    from concurrent.futures import ProcessPoolExecutor

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = plan_shallow_set if shallow else plan_halting_set if halting else plan_balanced_set
    plans = [(name + (f"_slow{slow:g}" if slow != 1 else "") + (f"_arms_{arms}" if arms else "")
              + ("" if touch is None else "_touch" if touch == 1 else f"_touch{touch * 100:.0f}"),
              with_arms(slowed(spec if touch is None else touch_and_go(spec, touch), slow), arms))
             for name, spec in plan(**plan_kw)]
    if side_turned:
        plans = [(name, turned_from_side_on(spec, spec.seed)) for name, spec in plans]
    if dim:
        plans = [(name, in_dim_light(spec, spec.seed)) for name, spec in plans]
    if bare:
        plans = [(name, barefoot(spec)) for name, spec in plans]
    if held:
        plans = [(name, held_high(spec, spec.seed)) for name, spec in plans]
    if floor:
        plans = [(name, on_the_floor(spec, spec.seed)) for name, spec in plans]
    if leggings:
        plans = [(name, in_leggings(spec)) for name, spec in plans]
    paths = [out_dir / f"{name}.mp4" for name, _ in plans]
    work = [(spec, video, extract) for (_, spec), video in zip(plans, paths, strict=True)]
    if jobs <= 1:
        done = map(_make_clip, work)
        for k, name in enumerate(done):
            if progress:
                progress((k + 1) / len(plans), name)
        return paths
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for k, name in enumerate(pool.map(_make_clip, work)):
            if progress:
                progress((k + 1) / len(plans), name)
    return paths


def _make_clip(item) -> str:
    """Render one planned clip and extract its pose track, unless already there."""
    from ..pose.extract import extract_pose
    from ..synth.clip import generate_clip

    spec, video, extract = item
    if not (video.exists() and video.with_suffix(".json").exists()):
        generate_clip(spec, video)
    track = video.with_suffix(".npz")
    if extract and not track.exists():
        extract_pose(video, workers=1).save(track)
    return video.stem


def main(argv: list[str] | None = None) -> int:
    """``python -m squatcheck.evaluation.synthetic_set DIR``: render the balanced set."""
    import argparse
    import os
    import sys
    import time

    parser = argparse.ArgumentParser(description="Render the balanced synthetic findings set "
                                     "(45 clips of 3 reps; 10-60 s per clip and process, "
                                     "depending on the machine's load) and cache each clip's "
                                     "pose track.")
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="clips rendered at the same time (default: one per core)")
    parser.add_argument("--room", action="store_true",
                        help="the same clips filmed 1-5 deg off level in front of door "
                        "frames (the camera's roll is read from them and undone)")
    parser.add_argument("--phone", action="store_true",
                        help="the same clips filmed with a phone's wide lens (63-72 deg) from "
                        "1.3-2.7 m instead of a long lens from 3-4.5 m: phone-strength "
                        "perspective")
    parser.add_argument("--turned", action="store_true",
                        help="the same clips with each front view's body turned 5-25 deg "
                        "from the camera (people rarely stand square to it)")
    parser.add_argument("--side-turned", action="store_true",
                        help="the same clips with each side view's body turned 5-25 deg "
                        "from side-on (a phone propped at home is rarely at a right angle)")
    parser.add_argument("--dim", action="store_true",
                        help="the same clips filmed in a dim room: darker, noisier, softer")
    parser.add_argument("--barefoot", action="store_true",
                        help="the same clips barefoot, as clinicians often screen")
    parser.add_argument("--held", action="store_true",
                        help="the same clips filmed with the phone held at chest or eye height")
    parser.add_argument("--floor", action="store_true",
                        help="the same clips filmed with the phone propped on the floor, "
                        "5-20 cm up")
    parser.add_argument("--leggings", action="store_true",
                        help="the same clips in full-length leggings (no skin below the shorts)")
    parser.add_argument("--shallow", action="store_true",
                        help="instead: 20 single-leg squats from the side and the front at "
                        "40, 45, 50 and 55 deg of knee flexion")
    parser.add_argument("--halting", action="store_true",
                        help="instead: 20 squats from the side and the front whose reps halt "
                        "0.8-1.2 s on the way down or up, or hold the bottom 2 s")
    parser.add_argument("--slow", type=float, default=1.0, metavar="FACTOR",
                        help="every clip's motion this many times slower (3: the 1 s "
                        "descents take 3 s, as a clinician's slow, controlled squat)")
    parser.add_argument("--touch-and-go", type=float, nargs="?", const=1.0, metavar="SHARE",
                        help="every clip's reps back to back, no standing between them (a "
                        "brisk set; a switch of legs still stands); SHARE < 1: each return "
                        "turns round that share of the way up (0.7: short of standing)")
    parser.add_argument("--arms", choices=["forward", "down", "hips", "crossed"],
                        help="every clip's arms held so (hips: hands on the hips; crossed: "
                        "folded on the chest; clinicians ask for either for the single-leg "
                        "squat; default: forward)")
    args = parser.parse_args(argv)
    if args.touch_and_go is not None and not 0.3 <= args.touch_and_go <= 1.0:
        parser.error("--touch-and-go SHARE must lie between 0.3 and 1 (1: back to standing)")
    t0 = time.monotonic()

    def say(fraction: float, name: str) -> None:
        print(f"{fraction:4.0%} {name} ({time.monotonic() - t0:.0f} s)", file=sys.stderr)

    paths = generate_balanced_set(args.folder, progress=say, seed=args.seed, jobs=args.jobs,
                                  room=args.room, phone=args.phone, turned=args.turned,
                                  shallow=args.shallow, halting=args.halting,
                                  slow=args.slow, arms=args.arms, touch=args.touch_and_go,
                                  side_turned=args.side_turned, dim=args.dim,
                                  bare=args.barefoot, held=args.held, floor=args.floor,
                                  leggings=args.leggings)
    print(f"{len(paths)} clips with truth and pose tracks in {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
