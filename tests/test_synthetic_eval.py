"""``squatcheck eval --synthetic``: a committed sample clip scored against the mannequin's
truth beside it (the track is extracted by the command itself, as for a new set)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from squatcheck.cli import main
from squatcheck.synth.faults import LABEL_CRITERIA

SAMPLE = Path(__file__).parents[1] / "sample_videos" / "sls_side_knee_heel.mp4"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthset")
    for path in (SAMPLE, SAMPLE.with_suffix(".json")):
        shutil.copy(path, folder / path.name)
    out = folder / "scores.json"
    assert main(["eval", "--synthetic", str(folder), "--no-clips", "--json", str(out)]) == 0
    return folder, json.loads(out.read_text())


def test_clip_level_items_agree_with_the_truth(scored):
    folder, scores = scored
    assert (folder / f"{SAMPLE.stem}.npz").exists()  # the pose track is cached beside it
    clip = scores["synthetic"]
    for item in ("view", "facing", "exercise", "rep count"):
        assert clip[item]["labelled"] == 1 and clip[item]["agreed"] == 1, item
    assert clip["stance leg"]["agreed"] == clip["stance leg"]["labelled"] == 3


def test_each_rep_is_judged_on_todays_labels(scored):
    _, scores = scored
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    knee_key, knee_level = LABEL_CRITERIA["knee_past_toes"]
    above = sum(r["truth"][knee_key] >= knee_level for r in truth["reps"])
    rows = scores["synthetic_findings"]["findings"]
    # the clip's faults (knee 0.4 foot lengths past the tip, 4 cm heel lift) in every rep
    assert rows["knee_past_toes"]["above"] == above == 3
    assert rows["knee_past_toes"]["detection_rate"] == 1.0
    assert rows["heel_lift"]["detection_rate"] == 1.0
    # front-view findings get no verdict from a side clip
    assert rows["knee_valgus"]["wrong_view_verdicts"] == 0
    offset = scores["synthetic_findings"]["measures"]["knee_toe_offset_foot_lengths"]
    assert offset["n"] == 3 and offset["within_target"] == 1.0


def test_several_sets_are_scored_as_one_pool(scored, tmp_path):
    # the closing figures pool many sets: each clip counts once per set, and a miss says
    # which set it came from (the same stem is in both)
    folder, _ = scored
    for name in ("set_a", "set_b"):
        (tmp_path / name).mkdir()
        for suffix in (".mp4", ".json", ".npz"):
            shutil.copy(folder / f"{SAMPLE.stem}{suffix}", tmp_path / name)
    truth_b = tmp_path / "set_b" / f"{SAMPLE.stem}.json"
    truth_b.write_text(json.dumps(json.loads(truth_b.read_text()) | {
        "exercise": "double_leg_squat"}))
    out = tmp_path / "pooled.json"
    assert main(["eval", "--synthetic", str(tmp_path / "set_a"), str(tmp_path / "set_b"),
                 "--no-clips", "--json", str(out)]) == 0
    scores = json.loads(out.read_text())
    exercise = scores["synthetic"]["exercise"]
    assert (exercise["labelled"], exercise["agreed"]) == (2, 1)
    assert exercise["misses"] == [f"set_b/{SAMPLE.stem}: truth double_leg_squat, "
                                  "ours single_leg_squat"]
    assert scores["synthetic_findings"]["reps"] == 6


def test_each_rep_is_a_spreadsheet_row(scored, tmp_path):
    """``--reps-csv``: per rep the truth, our verdict and value; per measurement the truth,
    ours and the error, as a spreadsheet opens them."""
    import csv

    folder, scores = scored
    out = tmp_path / "reps.csv"
    assert main(["eval", "--synthetic", str(folder), "--no-clips", "--reps-csv",
                 str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == scores["synthetic_findings"]["reps"] == 3
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    for row, rep in zip(rows, truth["reps"], strict=True):
        assert row["view"] == "side" and row["stance"] == rep["stance"]
        assert row["knee_past_toes_truth"] == "True" and row["knee_past_toes_ours"] == "True"
        assert row["knee_valgus_truth"] == ""  # a side view shows no knee valgus
        true = rep["truth"]["knee_toe_offset_foot_lengths"]
        ours = float(row["knee_toe_offset_foot_lengths_ours"])
        assert float(row["knee_toe_offset_foot_lengths_truth"]) == pytest.approx(true)
        assert float(row["knee_toe_offset_foot_lengths_error"]) == pytest.approx(
            ours - true, abs=1e-3)


@pytest.mark.parametrize("finding, flag, label, truth_key, words", [
    ("pelvic_drop", "loose_top", "pelvic_drop", "pelvic_drop_deg", "wear a loose top"),
    ("knee_valgus", "from_behind", "knee_valgus", "fppa_deg", "are filmed from behind")])
def test_findings_are_also_scored_over_the_reps_filmed_as_the_readme_asks(
        finding, flag, label, truth_key, words):
    # a loose top hides the waistband, and from behind knee valgus is not assessed (the
    # engine says so; the README asks for a fitted top and the front): the table gives the
    # plain rate and the rate over the reps filmed as asked
    from squatcheck.evaluation.synthetic_findings import RepOutcome, format_report, score

    def rep(i, not_as_asked, got):
        o = RepOutcome(clip=f"c{i}", rep=0, view="front", stance="left",
                       truth={truth_key: 20.0}, labels={label: True},
                       criteria={label: 5.0}, **{flag: not_as_asked})
        for name in ("knee_past_toes", "heel_lift", "pelvic_tilt", "quad_dominant",
                     "trunk_lean", "knee_valgus", "pelvic_drop"):
            o.present[name], o.values[name], o.reasons[name] = None, None, ""
        o.present[finding] = got
        return o

    scores = score([rep(0, True, None), rep(1, True, None), rep(2, False, True),
                    rep(3, False, None)])
    row = scores["findings"][finding]
    assert row["detection_rate"] == 0.25
    assert (row["above_as_asked"], row["detected_as_asked"]) == (2, 1)
    assert f"{finding}: 2 of the 4 reps above {words}" in format_report(scores)
    assert "detected in the rest: 1/2" in format_report(scores)


def test_the_shallow_set_takes_single_leg_squats_to_each_depth_in_turn():
    # the balanced set's squats bend 60-80 deg; this one checks the rep gates at 40-55
    from squatcheck.evaluation.synthetic_set import plan_shallow_set

    plan = plan_shallow_set(seed=36, clips=8)
    assert len(plan) == 8
    for k, (name, spec) in enumerate(plan):
        assert spec.motion.exercise == "single_leg_squat"
        assert spec.camera.view in ("side", "front")
        assert spec.motion.depth_deg == (40.0, 45.0, 50.0, 55.0)[k % 4]
        assert name.endswith(f"_d{spec.motion.depth_deg:.0f}")
    assert {spec.camera.view for _, spec in plan} == {"side", "front"}


def test_a_labelled_bottom_held_two_seconds_matches_the_rep_whose_span_holds_it():
    # the lowest frame of a held bottom may lie a second or more from its middle
    from types import SimpleNamespace

    from squatcheck.evaluation.agreement import Item, add_stance_legs, matching_rep

    ours = [SimpleNamespace(start_s=1.8, bottom_s=2.3, end_s=5.5, stance="right"),
            SimpleNamespace(start_s=6.5, bottom_s=7.9, end_s=9.0, stance="right")]
    assert matching_rep(ours, 3.8) is ours[0]  # 1.5 s from its bottom, inside its span
    assert matching_rep(ours, 6.0) is None
    assert matching_rep(ours, 7.2) is ours[1]
    item = Item("stance leg")
    add_stance_legs(item, "clip", [{"bottom_s": 3.8, "stance": "right"},
                                   {"bottom_s": 6.0, "stance": "right"}], ours)
    assert (item.labelled, item.agreed) == (2, 1) and "not found" in item.misses[0]


def test_a_slowed_set_keeps_its_clips_and_stretches_their_time():
    from squatcheck.evaluation.synthetic_set import plan_shallow_set, slowed

    for _, spec in plan_shallow_set(seed=36, clips=4):
        slow = slowed(spec, 3.0)
        assert slow.motion.tempo.descent_s == pytest.approx(3 * spec.motion.tempo.descent_s)
        assert slow.motion.depth_deg == spec.motion.depth_deg and slow.camera == spec.camera
        assert slowed(spec, 1.0) is spec
