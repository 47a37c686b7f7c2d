"""``squatcheck analyze VIDEO|TRACK.npz``: the clip summary, a per-rep table and the
findings in plain language; ``--json`` writes the full result, ``-o`` every report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..analysis.analyze import analyze
from ..analysis.result import FINDING_NAMES, AnalysisResult, Rep
from ..files import write_atomic
from .common import ProgressBar, add_model_argument, refuse_overwriting_input

EPILOG = """examples:
  squatcheck analyze clip.mp4
  squatcheck analyze clip.mp4 -o out/ --json out/result.json
  squatcheck analyze clip.npz --profile mine.toml      # a saved pose track: no inference

A pose track comes from 'squatcheck pose VIDEO -o clip.npz'.
"""

NAMES = {"knee_past_toes": "Knee past toes", "heel_lift": "Heel lift",
         "pelvic_tilt": "Pelvic tilt (proxy)", "pelvic_drop": "Pelvic drop",
         "knee_valgus": "Knee valgus", "trunk_lean": "Trunk lean",
         "quad_dominant": "Quad-dominant pattern"}
# per-rep table columns: (measurement key, header, format)
COLUMNS = [("hip_drop_leg_lengths", "depth", "{:.2f}"), ("knee_flexion_deg", "knee°", "{:.0f}"),
           ("hip_flexion_deg", "hip°", "{:.0f}"), ("trunk_inclination_deg", "trunk°", "{:.0f}"),
           ("tibia_inclination_deg", "tibia°", "{:.0f}"),
           ("knee_toe_offset_foot_lengths", "knee-toe", "{:+.2f}"),
           ("heel_rise_foot_lengths", "heel", "{:+.2f}"), ("fppa_deg", "FPPA°", "{:+.0f}"),
           ("pelvic_drop_deg", "pelvis°", "{:+.1f}"),
           ("lateral_trunk_lean_deg", "lean°", "{:+.0f}")]


def register(sub) -> None:
    p = sub.add_parser("analyze", help="analyse a squat video (or a saved pose track)",
                       description="Find the reps of a single- or double-leg squat and report "
                       "what a clinician would look at: view, stance leg, joint angles, knee "
                       "past toes, heel lift, pelvic drop, knee valgus, trunk lean, the "
                       "quad-dominant pattern and a good/fair/poor rating per rep.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path, metavar="VIDEO|TRACK.npz")
    p.add_argument("--json", type=Path, default=None, metavar="PATH",
                   help="write the full result as JSON")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                   help="write every report (annotated video, HTML, JSON, CSV) into DIR")
    p.add_argument("--profile", type=Path, default=None, metavar="TOML",
                   help="thresholds profile overriding the built-in one")
    add_model_argument(p)
    p.set_defaults(run=run)


def run(args) -> int:
    refuse_overwriting_input(args.json, args.source)
    analysis = analyze(args.source, profile=args.profile, model=args.model,
                       workers=args.workers, progress=ProgressBar("pose"))
    print(format_result(analysis.result, args.source.name))
    if args.json:
        text = json.dumps(analysis.result.to_dict(), indent=1)
        write_atomic(args.json, lambda tmp: tmp.write_text(text))
        print(f"\nresult: {args.json}")
    if args.output:
        from ..report import write_outputs

        written = write_outputs(analysis, args.output)
        print("\nreports:\n" + "\n".join(f"  {kind:6s} {path}" for kind, path in written.items()))
    return 0


def format_result(res: AnalysisResult, name: str) -> str:
    """The plain-language text the command prints."""
    exercise = {"single_leg_squat": "single-leg squat", "double_leg_squat": "double-leg squat",
                "not_squat": "no squat"}[res.exercise]
    views = " then ".join(f"{view} view, facing {facing}" for view, facing in res.views())
    lines = [f"{name}: {views}; {exercise}; {len(res.reps)} rep(s); "
             f"{res.usable_fraction:.0%} of frames usable (profile: {res.profile})", ""]
    verdict = (res.summary or {}).get("verdict") or []
    if verdict:
        lines += ["Summary:"] + [f"  {v}" for v in verdict] + [""]
    if res.reps:
        lines += ["Reps:"] + _rep_table(res.reps) + [""]
        every_rep = set.intersection(*(_unassessed(rep) for rep in res.reps))
        lines += ["Findings:"]
        for rep in res.reps:
            lines += _rep_findings(rep, every_rep)
        if every_rep:
            lines += ["  Could not be assessed" + (" in any rep:" if len(res.reps) > 1 else ":")]
            lines += _unassessed_lines(every_rep, "    {names}: {reason}")
        lines.append("")
    if res.all_notes():
        lines += ["Notes:"] + [f"  - {n}" for n in res.all_notes()]
    return "\n".join(lines).rstrip()


def _rep_table(reps: list[Rep]) -> list[str]:
    cols = [c for c in COLUMNS if any(r.measurements.get(c[0]) is not None for r in reps)]
    head = f"  {'#':>2} {'stance':6s} {'start':>6} {'bottom':>6} {'end':>6} " + \
        " ".join(f"{h:>8}" for _, h, _ in cols) + f" {'rating':>8}"
    out = [head]
    for r in reps:
        cells = []
        for key, _, fmt in cols:
            v = r.measurements.get(key)
            cells.append(f"{fmt.format(v) if v is not None else '-':>8}")
        out.append(f"  {r.index + 1:>2} {r.stance:6s} {r.start_s:6.1f} {r.bottom_s:6.1f} "
                   f"{r.end_s:6.1f} " + " ".join(cells) +
                   f" {r.rating.get('overall', '-'):>8}")
    out.append("  (times in s; depth = hip drop in leg lengths; knee-toe and heel in foot "
               "lengths)")
    return out


def _unassessed(rep: Rep) -> set[tuple[str, str]]:
    """(finding name, reason) of each finding the rep could not assess."""
    return {(name, f.reason.removeprefix("Not assessable: ").removeprefix("Not assessable "))
            for name, f in rep.findings.items() if f.present is None}


def _unassessed_lines(pairs: set[tuple[str, str]],
                      form: str = "    not assessable ({names}): {reason}") -> list[str]:
    """One line per reason, naming its findings in the usual order."""
    by_reason: dict[str, list[str]] = {}
    for name in FINDING_NAMES:
        for reason in sorted(r for n, r in pairs if n == name):
            by_reason.setdefault(reason, []).append(NAMES[name].lower())
    return [form.format(names=", ".join(names), reason=reason)
            for reason, names in by_reason.items()]


def _rep_findings(rep: Rep, every_rep: set[tuple[str, str]]) -> list[str]:
    """The rep's findings; those not assessable in every rep for the same reason are left
    to one block after the reps (a front view repeated three lines for each rep)."""
    out = [f"  Rep {rep.index + 1} ({rep.stance} leg{'s' if rep.stance == 'both' else ''}, "
           f"bottom at {rep.bottom_s:.1f} s):"]
    absent = [NAMES[name].lower() for name in FINDING_NAMES
              if name in rep.findings and rep.findings[name].present is False]
    out += [f"    ! {NAMES[name]} ({f.severity}): {f.reason}" for name in FINDING_NAMES
            if (f := rep.findings.get(name)) is not None and f.present]
    if absent:
        out.append(f"    ok: no {', no '.join(absent)}")
    return out + _unassessed_lines(_unassessed(rep) - every_rep)
