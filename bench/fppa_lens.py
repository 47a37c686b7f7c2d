"""The knee's frontal angle against the lens the engine assumes (docs/perspective.md).

For each synthetic set and each assumed field of view (``[measurements] camera_fov_deg``;
0 = as filmed, no perspective correction), runs the whole engine on the set's pose tracks
and prints FPPA within 5 deg of the truth, its median error and bias, and knee valgus
detected / raised on reps clear of the +-4 deg band. The sets' own lenses are in their
truth files (`camera.focal_px`): the default sets film with a 35 deg lens, `--phone` sets
with 63-72 deg. About 20 s per set and lens.

    .venv/bin/python bench/fppa_lens.py /tmp/synthset /tmp/phone --fov 0 40 50 65
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from squatcheck.analysis.profile import load_profile
from squatcheck.evaluation.synthetic_findings import evaluate_dir, score


def lens_deg(folder: Path) -> str:
    """The range of the set's true fields of view across the long side, as text."""
    fovs = []
    for path in folder.glob("*.json"):
        cam = json.loads(path.read_text()).get("camera")
        if cam:
            fovs.append(np.degrees(2 * np.arctan(max(cam["width"], cam["height"]) / 2
                                                 / cam["focal_px"])))
    return f"{min(fovs):.0f}-{max(fovs):.0f}" if fovs else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", type=Path, help="synthetic set folders")
    ap.add_argument("--fov", nargs="+", type=float, default=[0.0, 40.0, 50.0, 65.0],
                    help="assumed fields of view, deg (0 = as filmed)")
    args = ap.parse_args()
    print(f"{'set':28s} {'true lens':>9s} {'assumed':>7s}  {'FPPA within 5':>13s} "
          f"{'median':>6s} {'bias':>6s}  {'valgus detected':>15s} {'raised':>6s}")
    for folder in args.sets:
        truth_lens = lens_deg(folder)
        for fov in args.fov:
            profile = load_profile(overrides={"measurements": {"camera_fov_deg": fov}})
            scores = score(evaluate_dir(folder, profile, mode="engine"))
            fppa = scores["measures"].get("fppa_deg", {})
            valgus = scores["findings"]["knee_valgus"]
            detected, raised = valgus["clear_detection_rate"], valgus["clear_false_raise_rate"]
            print(f"{folder.name:28s} {truth_lens:>9s} {fov:>7.0f}  "
                  f"{_pct(fppa.get('within_target')):>13s} {fppa.get('median_abs', 0):>6.1f} "
                  f"{fppa.get('bias', 0):>+6.1f}  {_pct(detected):>15s} {_pct(raised):>6s}",
                  flush=True)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.0f} %"


if __name__ == "__main__":
    main()
