"""write_outputs: the files, JSON against its schema, CSV per rep, atomic writes, HTML content."""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import time
from pathlib import Path

import cv2
import jsonschema
import numpy as np
import pytest

from squatcheck.analysis import result as result_module
from squatcheck.analysis.analyze import Analysis, analyze_track
from squatcheck.errors import OutputNotWritable
from squatcheck.pose.extract import extract_pose
from squatcheck.report import OUTPUT_NAMES, write_outputs
from squatcheck.report.json_io import load_schema, result_document, validate
from squatcheck.video import VideoReader
from test_report_support import REPS, make_analysis

SAMPLE = Path(__file__).parents[1] / "sample_videos" / "sls_side_knee_heel.mp4"


@pytest.fixture(scope="session")
def written(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    analysis = make_analysis(src)
    out = tmp_path_factory.mktemp("out")
    return analysis, write_outputs(analysis, out), out


def test_all_outputs_written_and_nothing_else(written):
    _analysis, paths, out = written
    assert set(paths) == set(OUTPUT_NAMES)
    for kind, path in paths.items():
        assert path == out / OUTPUT_NAMES[kind]
        assert path.stat().st_size > 0
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_NAMES.values())


def test_json_validates_and_matches_result(written):
    analysis, paths, _ = written
    doc = json.loads(paths["json"].read_text())
    validate(doc)
    assert doc["schema_version"] == result_module.SCHEMA_VERSION
    assert len(doc["reps"]) == len(analysis.result.reps) == len(REPS)
    assert doc["reps"][0]["findings"]["pelvic_drop"]["present"] is None
    assert doc["reps"][1]["findings"]["heel_lift"]["present"] is True
    assert doc["series"]["pelvic_obliquity_deg"][0] is None  # NaN became null
    assert len(doc["series"]["knee_flexion_deg_left"]) == len(analysis.track)


@pytest.mark.parametrize("path, bad", [
    (("view",), "diagonal"),
    (("reps", 0, "stance"), "middle"),
    (("reps", 0, "findings", "heel_lift", "present"), "yes"),
    (("reps", 0, "rating", "knee"), "excellent"),
    (("series", "knee_flexion_deg_left", 3), "80"),
    (("schema_version",), "2.0"),
    (("summary", "findings", "heel_lift", "verdict"), "sometimes"),
    (("summary", "legs", "left", "mean", "knee_flexion_deg"), "deep"),
])
def test_schema_rejects_wrong_documents(written, path, bad):
    doc = copy.deepcopy(result_document(written[0].result))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_schema_enums_follow_the_result_module():
    schema = load_schema()
    props, defs = schema["properties"], schema["$defs"]
    assert tuple(props["view"]["enum"]) == result_module.VIEWS
    assert tuple(props["facing"]["enum"]) == result_module.FACINGS
    assert tuple(props["exercise"]["enum"]) == result_module.EXERCISES
    assert tuple(defs["rep"]["properties"]["stance"]["enum"]) == result_module.STANCES
    assert tuple(defs["finding"]["properties"]["severity"]["enum"]) == result_module.SEVERITIES
    assert tuple(defs["rating_value"]["enum"]) == result_module.RATINGS
    rating = defs["rep"]["properties"]["rating"]["properties"]
    assert tuple(k for k in rating if k != "note") == result_module.RATING_ITEMS
    assert set(defs["rep"]["properties"]["findings"]["properties"]) == set(
        result_module.FINDING_NAMES)
    jsonschema.Draft202012Validator.check_schema(schema)


def test_csv_one_row_per_rep_with_units_and_findings(written):
    analysis, paths, _ = written
    with paths["csv"].open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(analysis.result.reps)
    cols = rows[0].keys()
    for col in ("rep", "stance", "measured_leg", "bottom_s", "knee_toe_offset_foot_lengths",
                "knee_past_toes_present", "knee_past_toes_value_foot_lengths",
                "heel_lift_severity", "pelvic_drop_value_deg", "rating_overall"):
        assert col in cols
    assert [r["stance"] for r in rows] == [r[3] for r in REPS]
    assert [r["knee_past_toes_present"] for r in rows] == ["true", "true", "false"]
    assert rows[0]["pelvic_drop_present"] == ""          # not assessable
    assert rows[0]["pelvic_drop_severity"] == "not_assessable"
    assert rows[0]["fppa_deg"] == ""                      # not measurable
    offset = analysis.result.reps[0].measurements["knee_toe_offset_foot_lengths"]
    assert float(rows[0]["knee_toe_offset_foot_lengths"]) == pytest.approx(offset, abs=1e-4)


def test_annotated_video_has_every_frame_plus_slow_motion(written):
    analysis, paths, _ = written
    cap = cv2.VideoCapture(str(paths["video"]))
    fourcc = int(cap.get(cv2.CAP_PROP_FOURCC))
    cap.release()
    assert fourcc.to_bytes(4, "little") == b"VP80"
    with VideoReader(paths["video"]) as reader:
        frames = [f.image for f in reader]
    t = analysis.track.t_s
    slowed = sum(int(((t >= b - 0.4) & (t <= b + 0.4)).sum()) for _s, b, _e, _leg in REPS)
    assert len(frames) == len(t) + 2 * slowed  # the bottom of each rep plays at 1/3 speed
    assert frames[0].shape[:2] == (320, 240)
    # the overlay is drawn: frames differ from the plain source video
    with VideoReader(analysis.video_path) as reader:
        src = next(iter(reader)).image
    assert np.abs(frames[0].astype(int) - src.astype(int)).mean() > 1.0


def test_html_is_self_contained_and_escaped(written):
    _analysis, paths, _ = written
    page = paths["html"].read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "<link rel=\"stylesheet\"" not in page
    assert 'src="annotated.webm"' in page
    assert "&lt;built by the tests&gt; &amp; not a person" in page
    assert "<built by the tests>" not in page
    assert page.count("data:image/jpeg;base64,") == len(REPS) + 1  # + the video's poster
    assert page.count("data:image/svg+xml;base64,") >= 4
    assert "foot lengths past the toes" in page and "glutes" in page
    # a side view has no knee angle over time; named, its abbreviation kept
    assert re.search(r"Not plotted \(no measurable data in this view\):[^<]*knee valgus \(FPPA\)",
                     page)


def test_without_video_output(tmp_path):
    analysis = make_analysis(tmp_path)
    paths = write_outputs(analysis, tmp_path / "out", video=False)
    assert "video" not in paths and not (tmp_path / "out" / "annotated.webm").exists()
    page = paths["html"].read_text()
    assert "<video" not in page and page.count("data:image/jpeg;base64,") == len(REPS)


def test_pose_only_analysis_still_reports(tmp_path):
    analysis = make_analysis(None)  # no source video: stills drawn on a blank canvas
    paths = write_outputs(analysis, tmp_path)
    assert "video" not in paths
    assert paths["html"].read_text().count("data:image/jpeg;base64,") == len(REPS)


def test_no_reps_result(tmp_path):
    analysis = make_analysis(None)
    result = analysis.result
    result.reps, result.exercise, result.summary = [], "not_squat", {}
    paths = write_outputs(Analysis(analysis.track, result, None), tmp_path)
    validate(json.loads(paths["json"].read_text()))
    with paths["csv"].open(newline="") as fh:
        assert list(csv.DictReader(fh)) == []
    assert "No squat reps found" in paths["html"].read_text()


def test_failure_leaves_no_partial_files(tmp_path):
    analysis = make_analysis(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "result.json").write_text('{"old": true}')
    analysis.result.summary = {"unserialisable": object()}  # fails at the JSON step
    with pytest.raises(TypeError):
        write_outputs(analysis, out)
    assert [p.name for p in out.iterdir()] == ["result.json"]
    assert json.loads((out / "result.json").read_text()) == {"old": True}


def test_output_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(OutputNotWritable, match="choose another output folder"):
        write_outputs(make_analysis(None), blocker)
    assert blocker.read_text() == "a file where the folder should be"


@pytest.mark.slow
def test_real_sample_through_the_engine(tmp_path):
    """The engine's own result on a sample clip: schema-valid JSON, one CSV row per rep,
    a card per rep in the page and a playable-length annotated video."""
    track = extract_pose(SAMPLE, workers=1)
    analysis = Analysis(track, analyze_track(track), SAMPLE)
    assert analysis.result.reps, "the engine found no rep in the sample clip"
    assert {r.measured_leg for r in analysis.result.reps} == {r.stance for r in
                                                             analysis.result.reps}
    paths = write_outputs(analysis, tmp_path)
    validate(json.loads(paths["json"].read_text()))
    with paths["csv"].open(newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(analysis.result.reps)
    page = paths["html"].read_text()
    for n in range(1, len(analysis.result.reps) + 1):
        assert f'id="rep-{n}"' in page
    assert f'id="rep-{len(analysis.result.reps) + 1}"' not in page
    with VideoReader(paths["video"]) as reader:
        assert sum(1 for _ in reader) >= len(track)


def test_stale_stage_folders_of_killed_runs_are_removed(tmp_path):
    old, fresh = tmp_path / ".squatcheck-partial-old", tmp_path / ".squatcheck-partial-new"
    for d in (old, fresh):
        d.mkdir()
        (d / "report.html").write_text("half")
    long_ago = time.time() - 7 * 3600
    os.utime(old, (long_ago, long_ago))
    write_outputs(make_analysis(None), tmp_path, video=False)
    assert not old.exists() and fresh.exists()  # a fresh one may belong to a running write
