"""Could a heel lift be read from the front? (why heel_lift is side-view only)

From the front the heel hides behind the foot, but a heel lift turns the foot about the
ball and so lifts the ankle: by ~0.74 x the heel's rise (the ankle sits ~0.54 foot lengths
behind the ball, the heel 0.73), ~0.016 leg lengths at the 0.07 foot-length cut-off. This
prints, for each front-view rep of the given pose tracks, the stance ankle's largest rise
above where it stood just before the rep (held 0.2 s, in leg lengths), the same less the
toe's rise (a whole-foot or camera shift), and, where a truth file sits beside the track,
the true heel rise and the ankle rise it should give.

    .venv/bin/squatcheck synth -o /tmp/fh/lift.mp4 --view front --fault heel_lift=5
    .venv/bin/squatcheck pose /tmp/fh/lift.mp4 -o /tmp/fh/lift.npz
    .venv/bin/python bench/front_heel_rise.py /tmp/fh/*.npz /tmp/tracks/*.npz
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from squatcheck.analysis.pipeline import clip_context, measure_reps
from squatcheck.analysis.profile import as_profile
from squatcheck.pose.landmarks import LEG
from squatcheck.pose.track import PoseTrack
from squatcheck.signals import SignalSettings, clean_track

ANKLE_PER_HEEL_RISE = 0.54 / 0.73  # ankle's and heel's distances behind the ball of the foot
HELD_S = 0.2


def held_max(x: np.ndarray, n: int) -> float:
    """Largest value ``x`` keeps for ``n`` samples running."""
    if len(x) < n or np.isnan(x).all():
        return float("nan")
    return float(np.nanmax(np.nanmin(np.lib.stride_tricks.sliding_window_view(x, n), axis=1)))


def front_reps(path: Path, profile) -> list[dict]:
    track = PoseTrack.load(path)
    sig, _ = clean_track(track, SignalSettings.from_profile(profile))
    stage = clip_context(sig, profile)
    if stage.ctx.view != "front":
        return []
    reps, _ = measure_reps(sig, stage, profile)
    truth_file = path.with_suffix(".json")
    truth = json.loads(truth_file.read_text()) if truth_file.exists() else None
    n = max(int(round(HELD_S * track.fps)), 1)
    rows = []
    for rep in reps:
        a, b = np.searchsorted(sig.t_s, [rep.start_s, rep.end_s])
        before = slice(max(a - 8, 0), a + 3)
        for leg in [rep.stance] if rep.stance in LEG else list(LEG):
            leg_px = stage.ctx.leg_length_px[leg]
            up = {k: (np.nanmedian(sig.xy_px[before, LEG[leg][k], 1])
                      - sig.xy_px[a:b, LEG[leg][k], 1]) / leg_px for k in ("ankle", "toe")}
            row = {"clip": path.stem, "rep": rep.index, "leg": leg,
                   "ankle": held_max(up["ankle"], n),
                   "ankle_less_toe": held_max(up["ankle"] - np.clip(up["toe"], 0, None), n)}
            if truth:
                near = min(truth["reps"], key=lambda r: abs(r["bottom_s"] - rep.bottom_s))
                heel = near["truth"]["heel_rise_foot_lengths"]
                body = truth["body"]
                row["true_heel_foot_lengths"] = heel
                row["expected_ankle"] = (ANKLE_PER_HEEL_RISE * heel * body["foot_length_m"]
                                         / body["leg_length_m"])
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracks", nargs="+", type=Path, help="pose tracks (.npz)")
    args = parser.parse_args()
    profile = as_profile(None)
    rows = [row for path in args.tracks for row in front_reps(path, profile)]
    print(f"{'clip':40s} rep leg    true heel  expected  ankle  ankle-toe   (leg lengths)")
    for r in rows:
        true = r.get("true_heel_foot_lengths")
        truth = (f"{true:6.3f} FL  {r['expected_ankle']:7.3f}" if true is not None
                 else f"{'-':>9s}  {'-':>7s}")
        print(f"{r['clip'][:40]:40s} {r['rep']:3d} {r['leg']:5s}  {truth}  {r['ankle']:6.3f}"
              f"  {r['ankle_less_toe']:8.3f}")
    for label, keep in (("flat (true < 0.02 FL)", lambda t: t is not None and t < 0.02),
                        ("lifted (true >= 0.07 FL)", lambda t: t is not None and t >= 0.07),
                        ("no truth (real clips)", lambda t: t is None)):
        sel = [r for r in rows if keep(r.get("true_heel_foot_lengths"))]
        if sel:
            ankle = np.array([r["ankle"] for r in sel])
            rel = np.array([r["ankle_less_toe"] for r in sel])
            print(f"{label:26s} n {len(sel):3d}  ankle rise {np.nanmin(ankle):+.3f}.."
                  f"{np.nanmax(ankle):+.3f}  less toe {np.nanmin(rel):+.3f}..{np.nanmax(rel):+.3f}")


if __name__ == "__main__":
    main()
