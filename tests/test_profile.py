"""The analysis profile: defaults with units/ranges/sources, overrides and clear errors."""

import pickle

import pytest

from squatcheck.analysis.profile import (
    DEFAULT_PROFILE_PATH,
    as_profile,
    load_profile,
    parse_specs,
)
from squatcheck.errors import ProfileError


def test_every_default_key_has_unit_range_and_source():
    profile = load_profile()
    assert profile.name == "default" and profile.overridden == ()
    for section, specs in profile.specs.items():
        for key, spec in specs.items():
            assert spec.unit and spec.range_text and spec.source, (section, key)
            # the default itself lies in its allowed range
            assert spec.check(profile.value(section, key)) == profile.value(section, key)
    for finding in ("knee_past_toes", "heel_lift", "knee_valgus", "pelvic_drop", "pelvic_tilt",
                    "trunk_lean", "quad_dominant"):
        assert len(profile.section(finding)["source"]) > 10


def test_sections_read_by_item_and_attribute():
    profile = load_profile()
    assert profile.section("knee_valgus")["threshold_deg"] == profile.knee_valgus.threshold_deg
    assert profile.quad_dominant.tibia_minus_trunk_deg == 8.0  # Barrack 2021
    with pytest.raises(KeyError):
        profile.section("no_such_section")
    with pytest.raises(AttributeError):
        profile.knee_valgus.no_such_key  # noqa: B018


def test_profile_is_frozen():
    profile = load_profile()
    with pytest.raises(AttributeError):
        profile.knee_valgus.threshold_deg = 3.0
    with pytest.raises(TypeError):
        profile.section("knee_valgus")["threshold_deg"] = 3.0
    with pytest.raises(AttributeError):
        profile.name = "other"


def test_override_file_changes_only_its_keys(tmp_path):
    path = tmp_path / "clinic.toml"
    path.write_text('[knee_valgus]\nthreshold_deg = 12\nsource = "Our clinic, 2024"\n'
                    "[heel_lift]\npersist_s = 0.3\n")
    profile = load_profile(path)
    assert profile.name == "clinic"
    assert profile.knee_valgus.threshold_deg == 12.0
    assert isinstance(profile.knee_valgus.threshold_deg, float)
    assert profile.knee_valgus.source == "Our clinic, 2024"
    assert profile.heel_lift.persist_s == 0.3
    assert profile.knee_past_toes.threshold_foot_lengths == \
        load_profile().knee_past_toes.threshold_foot_lengths
    assert set(profile.overridden) == {"knee_valgus.threshold_deg", "knee_valgus.source",
                                       "heel_lift.persist_s"}
    assert as_profile(path).knee_valgus.threshold_deg == 12.0
    assert as_profile(profile) is profile
    assert as_profile(None).name == "default"


@pytest.mark.parametrize("text, words", [
    ("[knee_valgus]\nthreshold = 12\n", "unknown key [knee_valgus] threshold"),
    ("[valgus]\nthreshold_deg = 12\n", "unknown section [valgus]"),
    ("[knee_valgus]\nthreshold_deg = 99\n", "outside its allowed range"),
    ("[knee_valgus]\nthreshold_deg = \"ten\"\n", "must be a number"),
    ("[rating]\nheel_lift_invalidates = 1\n", "true or false"),
    ("[rating]\npoor_from = \"awful\"\n", "must be one of"),
    ("[quad_dominant]\nmin_supporting_signs = 1.5\n", "whole number"),
    ("[knee_valgus]\nthreshold_deg = 18\n", "threshold_deg <= moderate_deg"),
    ("[knee_valgus\nthreshold_deg = 12\n", "not valid TOML"),
    ("knee_valgus = 3\n", "must be a section"),
])
def test_bad_override_raises_one_sentence(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = info.value.message
    assert words in message
    assert "\n" not in message and message.endswith(".")


def test_missing_profile_file(tmp_path):
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "nope.toml")
    with pytest.raises(ProfileError, match="is a folder, not a TOML file"):
        load_profile(tmp_path)


def test_dict_overrides_and_pickle_round_trip():
    profile = load_profile(overrides={"trunk_lean": {"forward_threshold_deg": 50}})
    assert profile.trunk_lean.forward_threshold_deg == 50.0
    again = pickle.loads(pickle.dumps(profile))
    assert again.trunk_lean.forward_threshold_deg == 50.0
    assert again.overridden == profile.overridden


def test_a_key_without_its_comment_is_refused():
    text = DEFAULT_PROFILE_PATH.read_text() + "\n[extra]\nnew_key = 1.0\n"
    with pytest.raises(ValueError, match="new_key"):
        parse_specs(text)
    ok = parse_specs("[reps]\nmin_depth_leg_lengths = 0.1  # leg lengths | 0..1 | OpenCap\n")
    assert ok["reps"]["min_depth_leg_lengths"].unit == "leg lengths"


def test_mannequin_labels_share_the_engines_thresholds():
    """The synthetic truth says "present" exactly where the engine's default threshold does
    (one definition per finding), wherever both use the same units."""
    from squatcheck.synth.faults import LABEL_CRITERIA

    profile = load_profile()
    same_units = {"knee_past_toes": ("knee_past_toes", "threshold_foot_lengths", 1),
                  "knee_valgus": ("knee_valgus", "threshold_deg", 1),
                  "trunk_lean": ("trunk_lean", "forward_threshold_deg", 1),
                  "lateral_trunk_lean": ("trunk_lean", "lateral_threshold_deg", 1),
                  "pelvic_tilt": ("pelvic_tilt", "threshold_deg", 1),
                  # truth key is trunk - tibia; the profile says tibia - trunk
                  "quad_dominant": ("quad_dominant", "tibia_minus_trunk_deg", -1)}
    for label, (section, key, sign) in same_units.items():
        assert LABEL_CRITERIA[label][1] == sign * profile.value(section, key), label


def test_mannequin_reads_fppa_where_the_engine_does():
    """A deep rep's FPPA truth is read where the frontal thigh shortens to the engine's
    default ``min_thigh_fraction`` (synth/measures.py): one definition of where FPPA holds."""
    from squatcheck.synth.measures import FPPA_MIN_THIGH_FRACTION

    assert load_profile().value("knee_valgus", "min_thigh_fraction") == FPPA_MIN_THIGH_FRACTION
