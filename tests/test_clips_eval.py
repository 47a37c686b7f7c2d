"""The engine on short real clips against clips.json, and the ``squatcheck eval`` scoring.

Only the short clips are analysed here (about 900 frames of inference in all), one of
each kind: front single-leg, pistol, side double-leg, oblique double-leg, front
double-leg, not a squat. ``squatcheck eval`` runs all of them (see docs/analysis.md).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from clip_tracks import TrackCache
from squatcheck import analyze_track
from squatcheck.cli import main
from squatcheck.evaluation.clips import ClipRun, score_clips

SHORT_CLIPS = ["tux_hyva2.mp4", "tux_hyva6.mp4", "dnly_gf_1.gif", "lnewco_good_7026.mov",
               "lnewco_bad_7029.mov", "sports2d_demo.mp4"]


@pytest.fixture(scope="session")
def clip_cache(tmp_path_factory) -> TrackCache:
    return TrackCache(tmp_path_factory.mktemp("clip_tracks"))


@pytest.fixture(scope="session")
def clip_runs(clips_dir, clip_labels, clip_cache) -> list[ClipRun]:
    return [ClipRun(clip_labels[name], analyze_track(clip_cache.track(clips_dir / name)))
            for name in SHORT_CLIPS]


@pytest.mark.slow
@pytest.mark.parametrize("item", ["view", "facing", "exercise", "rep count", "stance leg",
                                  "no reps (not a squat)"])
def test_short_clips_agree_with_their_labels(clip_runs, item):
    tally = score_clips(clip_runs)
    assert tally[item].labelled > 0
    assert tally[item].misses == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tux_hyva6.mp4", "sports2d_demo.mp4"])
def test_a_mirrored_clip_swaps_left_and_right_and_nothing_else(clips_dir, clip_cache,
                                                                clip_runs, tmp_path, name):
    """The pistol's free foot pointed at the camera, and the bouncing on a box, were read
    differently once mirrored (bench/invariance.py runs every clip and more changes)."""
    from squatcheck.evaluation.invariance import compare, render, summarise

    mirrored = tmp_path / f"{name}.mirror.mp4"
    render(clips_dir / name, "mirror", mirrored)
    result = analyze_track(clip_cache.track(mirrored))
    base = next(run.result for run in clip_runs if run.label["file"] == name)
    diffs = compare(summarise(base, False), summarise(result, True))
    for item in ("view", "facing", "exercise", "rep count", "stance leg"):
        assert diffs[item] is None, f"{item}: {diffs[item]}"


def test_the_hand_held_wobble_is_smooth_small_and_the_same_every_run():
    from squatcheck.evaluation.invariance import CHANGES

    sway, every = CHANGES["handheld"]
    img = np.zeros((480, 640, 3), np.uint8)
    img[220:260, 300:340] = 255
    rng = np.random.default_rng(0)

    def centre(t_s):
        ys, xs = np.nonzero(sway(img, rng, t_s)[..., 0] > 127)
        return np.array([xs.mean(), ys.mean()])

    path = np.array([centre(t) for t in np.arange(0, 10, 1 / 30)])
    moved = np.linalg.norm(path - [319.5, 239.5], axis=1)
    assert every == 1 and 0.01 * 480 < moved.max() < 0.04 * 480
    assert np.linalg.norm(np.diff(path, axis=0), axis=1).max() < 0.005 * 480  # no jumps
    assert np.array_equal(sway(img, rng, 3.3), sway(img, rng, 3.3))


def test_not_a_squat_clip_explains_why(clip_runs):
    run = next(r for r in clip_runs if r.label["file"] == "sports2d_demo.mp4")
    assert run.result.reps == [] and run.result.exercise == "not_squat"
    assert any("not counted" in n or "No descent" in n for n in run.result.notes)


def _label(**kw):
    base = {"file": "x.mp4", "view": "front", "facing": "camera",
            "exercise": "single_leg_squat", "is_squat": True, "rep_count": 1,
            "rep_count_tolerance": 0, "reps": [{"bottom_s": 2.5, "stance": "left"}],
            "findings": {}}
    return {**base, **kw}


def test_scoring_counts_agreements_and_lists_misses(clip_runs):
    hyva2 = next(r for r in clip_runs if r.label["file"] == "tux_hyva2.mp4")
    wrong = ClipRun(_label(file="y.mp4", view="side", exercise="double_leg_squat",
                           rep_count=3, reps=[{"bottom_s": hyva2.result.reps[0].bottom_s,
                                               "stance": "right"}]), hyva2.result)
    mixed = ClipRun(_label(file="z.mp4", view="mixed", facing="mixed", exercise="mixed",
                           rep_count=None, reps=[]), hyva2.result)
    tally = score_clips([hyva2, wrong, mixed])
    assert (tally["view"].labelled, tally["view"].agreed) == (2, 1)
    assert "y.mp4: labelled side, ours front" in tally["view"].misses
    assert (tally["exercise"].labelled, tally["exercise"].agreed) == (2, 1)
    assert (tally["rep count"].labelled, tally["rep count"].agreed) == (2, 1)
    assert (tally["stance leg"].labelled, tally["stance leg"].agreed) == (2, 1)
    # a finding the view cannot show is a miss without a verdict, and says why
    heel = tally["heel_lift"]
    assert (heel.labelled, heel.agreed, heel.not_assessed) == (1, 0, 1)
    assert "needs a side view" in heel.misses[0]
    assert "(1 not assessed)" in tally.format("t")


@pytest.mark.slow
def test_eval_command_prints_agreement_per_item(clips_dir, clip_cache, clip_runs, tmp_path,
                                                capsys):
    out_json = tmp_path / "scores.json"
    code = main(["eval", "--clips", str(clips_dir), "--tracks", str(clip_cache.folder),
                 "--only", "tux_hyva6", "--only", "dnly_gf_1.gif", "--json", str(out_json)])
    text = capsys.readouterr().out
    assert code == 0
    assert "2 clips" in text and "stance leg" in text and "misses" in text
    scores = json.loads(out_json.read_text())
    assert scores["clips"]["view"] == {"labelled": 2, "agreed": 2, "rate": 1.0,
                                       "not_assessed": 0, "misses": []}
