"""How much the knee's frontal angle changes when the body is turned from the camera.

FPPA is an angle in the picture. From exactly square-on it is the angle in the body's
frontal plane; turned by a yaw, the knee's forward travel (most of a thigh's length at a
single-leg squat's depth) shows up sideways in the picture. This takes the synthetic
sets' exact 3D joints at each single-leg rep's bottom (filmed facing the camera), films
them with a far (orthographic) camera turned by each yaw either way, and prints how far
the frontal angle moves from the truth, and how many reps it carries across the knee
valgus cut-off. No pose model: this is geometry, the least a real camera adds.

    .venv/bin/python bench/fppa_yaw.py /tmp/synthset /tmp/phone --yaw 0 5 10 15 20 30
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from squatcheck.analysis.geometry import fppa_deg
from squatcheck.analysis.profile import load_profile
from squatcheck.pose.landmarks import LEG


def bottoms(folders: list[Path]):
    """(hip, knee, ankle, other hip) (4, 3) world m and the true FPPA, per single-leg rep
    filmed from the front, facing the camera."""
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            truth = json.loads(path.read_text())
            if (truth.get("view") != "front" or truth.get("facing") != "camera"
                    or "frames" not in truth):
                continue
            xyz = np.asarray(truth["frames"]["landmarks_3d"], float)
            t_s = np.asarray(truth["frames"]["t_s"], float)
            for rep in truth["reps"]:
                leg = rep["stance"]
                if leg not in LEG:
                    continue
                other = "right" if leg == "left" else "left"
                at = xyz[int(np.argmin(np.abs(t_s - rep["bottom_s"])))]
                ids = [LEG[leg]["hip"], LEG[leg]["knee"], LEG[leg]["ankle"], LEG[other]["hip"]]
                yield at[ids, :3], float(rep["truth"]["fppa_deg"])


def filmed_fppa_deg(joints: np.ndarray, yaw_deg: float) -> float:
    """The frontal angle a far camera turned ``yaw_deg`` about the vertical sees. World
    axes as the generator's (synth/camera.py): the camera at azimuth 0 looks along -x,
    z is up."""
    a = np.radians(yaw_deg)
    across = np.array([-np.sin(a), np.cos(a), 0.0])
    img = np.stack([joints @ across, -joints[:, 2]], axis=-1)
    hip, knee, ankle, other_hip = img
    return float(fppa_deg(hip, knee, ankle, np.sign(other_hip[0] - hip[0])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", type=Path, help="synthetic set folders")
    ap.add_argument("--yaw", nargs="+", type=float, default=[0, 5, 10, 15, 20, 30],
                    help="body yaw from the camera, deg (each is filmed both ways)")
    args = ap.parse_args()
    cut = load_profile().knee_valgus.threshold_deg
    reps = list(bottoms(args.sets))
    print(f"{len(reps)} single-leg reps filmed from the front; knee valgus from {cut:g} deg")
    print(f"{'yaw':>5} {'median |change|':>16} {'p90':>6} {'max':>6} {'crossed cut-off':>16}")
    for yaw in args.yaw:
        change, crossed = [], 0
        for joints, true in reps:
            for side in (1, -1):
                seen = filmed_fppa_deg(joints, side * yaw)
                change.append(seen - true)
                crossed += (seen > cut) != (true > cut)
        mag = np.abs(change)
        print(f"{yaw:5.0f} {np.median(mag):16.1f} {np.percentile(mag, 90):6.1f} "
              f"{mag.max():6.1f} {crossed:9d} / {len(change)}")


if __name__ == "__main__":
    main()
