"""The engine's live path alone: how soon after its end is each rep reported, and at what
cost per frame, compared with the offline analysis of the same pose track.

Feeds cached pose tracks frame by frame into ``IncrementalAnalyzer`` (no camera, no
window: the pose model is not part of this figure) and prints, per clip, the reps found
live vs offline (stance, bottom time), each rep's report latency (time of the frame that
closed it minus the rep's end; target <= 1 s, issue 4) and milliseconds of engine time
per frame, and at the end the totals: offline reps found live on the same leg (bottom
within ``MATCH_S``), and reps found live only.

    .venv/bin/python bench/engine_incremental.py [TRACK.npz ...]    # default: /tmp/tracks/*.npz
"""

from __future__ import annotations

import argparse
import glob
import time

import numpy as np

from squatcheck import analyze_track
from squatcheck.analysis.incremental import IncrementalAnalyzer
from squatcheck.pose.track import PoseTrack

MATCH_S = 0.6  # a live rep is an offline one when its bottom is this close and its leg the same


def matched(offline: list, live: list) -> int:
    """How many (stance, bottom_s) of ``offline`` have a live rep of their own in ``live``."""
    free = list(live)
    n = 0
    for leg, bottom in offline:
        hit = next((x for x in free if x[0] == leg and abs(x[1] - bottom) < MATCH_S), None)
        if hit is not None:
            free.remove(hit)
            n += 1
    return n


def run(path: str) -> tuple[int, int, int]:
    """Prints one clip's figures; returns (offline reps, of them found live, live reps)."""
    track = PoseTrack.load(path)
    image = np.concatenate([track.xy, track.z[..., None], track.visibility[..., None],
                            track.presence[..., None]], axis=-1)
    live = IncrementalAnalyzer(image_size=track.meta.image_size, fps_hz=track.fps)
    # the room's roll and convergence, as live/loop.py hands them over once read
    live.camera_roll_deg = track.meta.extra.get("camera_roll_deg")
    live.camera_slope_deg_per_side = track.meta.extra.get("camera_slope_deg_per_side")
    t0 = time.process_time()
    events = []
    for i, t in enumerate(track.t_s):
        events += live.update(t, image[i], track.world[i])
    events += live.finish()
    ms = 1000 * (time.process_time() - t0) / max(len(track), 1)
    offline = analyze_track(track).reps
    lat = [e.t_s - e.rep.end_s for e in events]
    print(f"{path}: {len(track)} frames, {ms:.1f} ms/frame (CPU)")
    print(f"  offline {[(r.stance, round(r.bottom_s, 1)) for r in offline]}")
    print(f"  live    {[(e.rep.stance, round(e.rep.bottom_s, 1)) for e in events]}")
    if lat:
        print(f"  latency after rep end: max {max(lat):.2f} s, median {np.median(lat):.2f} s")
    off = [(r.stance, r.bottom_s) for r in offline]
    return len(off), matched(off, [(e.rep.stance, e.rep.bottom_s) for e in events]), len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracks", nargs="*")
    args = parser.parse_args()
    totals = np.zeros(3, int)
    for path in args.tracks or sorted(glob.glob("/tmp/tracks/*.npz")):
        totals += run(path)
    offline, found, live = totals
    print(f"total: {found} of {offline} offline reps found live on the same leg (bottom within "
          f"{MATCH_S} s); {live - found} live reps with no offline match")


if __name__ == "__main__":
    main()
