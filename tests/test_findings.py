"""Findings, rating and clip summary on hand-built reps with known answers."""

import pytest

from squatcheck.analysis.findings import assess_rep
from squatcheck.analysis.measurements import compute_series, measure_rep
from squatcheck.analysis.profile import load_profile
from squatcheck.analysis.rating import rate_rep
from squatcheck.analysis.result import FINDING_NAMES, RATING_ITEMS, SEVERITIES, Rep
from squatcheck.analysis.summary import summarize
from test_measurements import PROFILE, front_rep, side_rep


def findings_of(sig, ctx, seg, profile=PROFILE):
    series = compute_series(sig, ctx, profile)
    m = measure_rep(sig, ctx, seg, series, profile)
    return assess_rep(m, series, sig, ctx, seg, profile), m


def as_rep(index, seg, sig, findings, measurements, profile=PROFILE):
    return Rep(index=index, stance=seg.stance, start_s=float(sig.t_s[seg.start]),
               bottom_s=float(sig.t_s[seg.bottom]), end_s=float(sig.t_s[seg.end]),
               start_frame=seg.start, bottom_frame=seg.bottom, end_frame=seg.end,
               measurements=measurements, findings=findings,
               rating=rate_rep(findings, profile))


def test_every_finding_is_well_formed():
    for sig, ctx, seg in (side_rep(tibia=35, heel_px=8), front_rep(fppa=16, drop=8)):
        found, _ = findings_of(sig, ctx, seg)
        assert tuple(found) == FINDING_NAMES
        for name, f in found.items():
            assert f.name == name and f.severity in SEVERITIES and f.reason and f.source
            if f.present is None:
                assert f.severity == "not_assessable" and f.frame is None
                assert f.reason.startswith("Not assessable")
            else:
                # the frame of evidence is a video frame index, not a row number
                assert f.frame - 100 in range(len(sig.t_s))
                assert f.t_s == pytest.approx(sig.t_s[f.frame - 100])
                assert (f.severity != "none") == f.present


def test_knee_past_toes_above_and_below_threshold():
    past, m = findings_of(*side_rep(tibia=35.0))
    assert past["knee_past_toes"].present is True
    assert past["knee_past_toes"].value == pytest.approx(m["knee_toe_offset_foot_lengths"],
                                                         abs=1e-3)
    assert past["knee_past_toes"].threshold == PROFILE.knee_past_toes.threshold_foot_lengths
    assert "read it with the trunk" in past["knee_past_toes"].reason
    behind, _ = findings_of(*side_rep(tibia=15.0))
    assert behind["knee_past_toes"].present is False
    assert behind["knee_past_toes"].value < 0 and "behind" in behind["knee_past_toes"].reason


def test_knee_past_toes_alone_does_not_lower_the_rating():
    # not a fault on its own (Fry 2003): reported, rated only with the quad-dominant pattern
    alone, _ = findings_of(*side_rep(tibia=35.0, trunk=40.0))
    assert alone["knee_past_toes"].present and not alone["quad_dominant"].present
    assert rate_rep(alone, PROFILE)["knee"] == "good"
    pattern, _ = findings_of(*side_rep(tibia=45.0, knee=100.0, trunk=20.0))
    assert pattern["knee_past_toes"].present and pattern["quad_dominant"].present
    assert rate_rep(pattern, PROFILE)["knee"] in ("fair", "poor")


def test_heel_lift_needs_persistence_and_invalidates_the_trial():
    lifted, _ = findings_of(*side_rep(heel_px=9.0))
    assert lifted["heel_lift"].present and "invalid" in lifted["heel_lift"].reason
    # foot lengths also put into centimetres, on a typical foot
    cm = lifted["heel_lift"].value * PROFILE.measurements.typical_foot_length_cm
    assert f"about {cm:.0f} cm on a 26 cm foot" in lifted["heel_lift"].reason
    rating = rate_rep(lifted, PROFILE)
    assert rating["foot"] in ("fair", "poor") and rating["overall"] == "poor"
    assert "Invalid trial" in rating["note"]
    blip, _ = findings_of(*side_rep(heel_px=9.0, heel_frames=2))
    assert blip["heel_lift"].present is False


def test_foot_lengths_in_centimetres_on_a_typical_foot():
    from squatcheck.analysis.findings import in_cm

    assert in_cm(0.15, PROFILE) == "about 4 cm on a 26 cm foot"
    assert in_cm(-0.4, PROFILE) == "about 10 cm on a 26 cm foot"  # behind: the distance
    assert in_cm(0.005, PROFILE) == "under 1 cm on a 26 cm foot"


def test_a_heel_lift_does_not_invalidate_a_double_leg_squat():
    # the invalid-trial rule is the single-leg squat test's; on both feet the heel lift
    # is still found and rates the foot, but the rep is not called an invalid trial
    lifted, _ = findings_of(*side_rep(heel_px=9.0, free="both"))
    assert lifted["heel_lift"].present and "invalid" not in lifted["heel_lift"].reason
    rating = rate_rep(lifted, PROFILE, single_leg=False)
    assert rating["foot"] in ("fair", "poor") and "Invalid trial" not in rating["note"]
    items = [v for k, v in rating.items() if k not in ("overall", "note")]
    assert rating["overall"] == max((v for v in items if v != "not_assessable"),
                                    key=("good", "fair", "poor").index)


def test_wrong_view_findings_are_not_assessable_with_the_reason():
    side, _ = findings_of(*side_rep(tibia=35.0))
    for name in ("knee_valgus", "pelvic_drop"):
        assert side[name].present is None
        assert "needs a front view" in side[name].reason
    front, _ = findings_of(*front_rep(fppa=16.0))
    for name in ("knee_past_toes", "heel_lift", "quad_dominant", "pelvic_tilt"):
        assert front[name].present is None
        assert "needs a side view" in front[name].reason
    assert front["trunk_lean"].present is not None  # lateral lean is a front-view item


def test_oblique_view_says_why():
    from clinical_builders import context

    sig, _, seg = side_rep(tibia=40.0)
    found, _ = findings_of(sig, context("oblique", facing="left"), seg)
    assert all(f.present is None for f in found.values())
    assert all("oblique" in f.reason for f in found.values())
    assert rate_rep(found, PROFILE)["overall"] == "not_assessable"


@pytest.mark.parametrize("ladder_key, offset, present, severity", [
    ("threshold_deg", -1.0, False, "none"), ("threshold_deg", 1.0, True, "mild"),
    ("moderate_deg", 1.0, True, "moderate"), ("severe_deg", 1.0, True, "severe")])
def test_knee_valgus_grades_on_herrington(ladder_key, offset, present, severity):
    fppa = PROFILE.knee_valgus[ladder_key] + offset
    found, _ = findings_of(*front_rep(fppa=fppa, facing="camera", stance="right"))
    f = found["knee_valgus"]
    assert (f.present, f.severity) == (present, severity)
    assert f.uncertainty == PROFILE.knee_valgus.uncertainty_deg
    assert "Herrington" in f.source


@pytest.mark.parametrize("fppa", [8.0, 20.0])
def test_knee_valgus_from_behind_is_not_assessable(fppa):
    """From behind the pose model read a caving knee at about half its angle (mannequin:
    21-23 deg as 9-12), and a straight knee under a sideways trunk lean as 15 deg of
    valgus (held-out seed 31 phone 006): no reading there shows what the knee did."""
    behind, measured = findings_of(*front_rep(fppa=fppa, facing="away", stance="right"))
    assert behind["knee_valgus"].present is None
    assert "from behind" in behind["knee_valgus"].reason
    # nor is the angle itself reported (tables, CSV, the left-right comparison)
    assert measured["fppa_deg"] is None and measured["fppa_deg_right"] is None
    front, _ = findings_of(*front_rep(fppa=fppa, facing="camera", stance="right"))
    assert front["knee_valgus"].present is (fppa >= PROFILE.knee_valgus.threshold_deg)


def test_pelvic_drop_is_not_read_from_the_hip_landmarks():
    # the hip line misses most of a drop (FACTS.md): without the waist line found in the
    # frames the finding is not assessable (waist-line cases: test_pelvis.py, issue 9)
    large, _ = findings_of(*front_rep(fppa=0.0, drop=9.5))
    assert large["pelvic_drop"].present is None
    assert "image evidence of the waist" in large["pelvic_drop"].reason


def test_quad_dominant_pattern_from_barrack():
    quad, _ = findings_of(*side_rep(tibia=38.0, knee=85.0, trunk=15.0, heel_px=9.0))
    f = quad["quad_dominant"]
    # (1 deg: the stick figure's ankle does not turn rigidly with its lifted heel)
    assert f.present and f.value == pytest.approx(23.0, abs=1.0)
    assert "extrapolation" in f.reason and "Barrack" in f.source
    assert f.severity in ("moderate", "severe")  # knee past toes and heel lift support it
    hip, _ = findings_of(*side_rep(tibia=25.0, knee=90.0, trunk=40.0))
    assert hip["quad_dominant"].present is False
    # Barrack measured the double-leg squat: there it is no extrapolation
    both, _ = findings_of(*side_rep(tibia=38.0, knee=85.0, trunk=15.0, free="both"))
    assert both["quad_dominant"].present and "extrapolation" not in both["quad_dominant"].reason


def test_trunk_lean_forward_and_lateral():
    forward, _ = findings_of(*side_rep(tibia=25.0, trunk=55.0))
    assert forward["trunk_lean"].present and forward["trunk_lean"].value == pytest.approx(55.0)
    lateral, _ = findings_of(*front_rep(fppa=0.0, lean=12.0))
    assert lateral["trunk_lean"].present
    assert "towards the stance leg" in lateral["trunk_lean"].reason
    # on both feet there is no stance leg: the side is the subject's own
    for facing in ("camera", "away"):
        both, _ = findings_of(*front_rep(stance="both", facing=facing, fppa=0.0, lean=12.0))
        assert both["trunk_lean"].present and "to their left" in both["trunk_lean"].reason


def test_profile_override_changes_the_verdict():
    strict = load_profile(overrides={"knee_valgus": {"threshold_deg": 3.0, "moderate_deg": 5.0}})
    found, _ = findings_of(*front_rep(fppa=6.0), profile=strict)
    assert found["knee_valgus"].present and found["knee_valgus"].threshold == 3.0
    assert not findings_of(*front_rep(fppa=6.0))[0]["knee_valgus"].present


def test_rating_items_and_summary_with_both_legs():
    reps = []
    for i, (stance, fppa) in enumerate([("left", 3.0), ("right", 20.0), ("left", 3.0),
                                        ("right", 21.0)]):
        sig, ctx, seg = front_rep(stance=stance, fppa=fppa)
        found, m = findings_of(sig, ctx, seg)
        reps.append(as_rep(i, seg, sig, found, m))
    for rep in reps:
        assert set(RATING_ITEMS) <= set(rep.rating)
        assert rep.rating["hip"] == "not_assessable"
    assert reps[0].rating["knee"] == "good" and reps[1].rating["knee"] == "poor"
    summary = summarize(reps, ctx, PROFILE)
    assert summary["rep_count"] == 4 and summary["reps_by_stance"] == {"left": 2, "right": 2}
    assert summary["legs"]["right"]["findings"]["knee_valgus"]["present"] is True
    assert summary["legs"]["left"]["findings"]["knee_valgus"]["present"] is False
    assert summary["findings"]["knee_valgus"]["reps_present"] == 2
    lr = summary["left_vs_right"]["fppa_deg"]
    assert lr["right_minus_left"] == pytest.approx(17.5, abs=0.01) and lr["notable"]
    assert summary["findings"]["heel_lift"]["verdict"] == "not_assessable"
    assert any("Only 2 rep(s)" in n for n in summary["notes"])
    assert any("FPPA knee angle (deg) (+3.0 left, +20.5 right)" in line
               for line in summary["verdict"])


def test_summary_of_no_reps():
    _, ctx, _ = side_rep()
    summary = summarize([], ctx, PROFILE)
    assert summary["rep_count"] == 0 and summary["verdict"] == ["No squat reps were found."]
    assert summary["left_vs_right"] is None


def test_summary_uses_at_most_max_reps_averaged():
    profile = load_profile(overrides={"summary": {"max_reps_averaged": 2}})
    reps = []
    for i, tibia in enumerate([30.0, 32.0, 45.0]):
        sig, ctx, seg = side_rep(tibia=tibia)
        found, m = findings_of(sig, ctx, seg)
        reps.append(as_rep(i, seg, sig, found, m))
    mean = summarize(reps, ctx, profile)["legs"]["left"]["mean"]["tibia_inclination_deg"]
    assert mean == pytest.approx(31.0)


def test_a_rise_of_the_whole_foot_is_not_a_heel_lift():
    sig, ctx, seg = side_rep()
    sig.xy_px[40:60, [29, 31], 1] -= 9.0  # the whole foot shifts up in the bottom phase
    found, m = findings_of(sig, ctx, seg)
    assert m["heel_rise_foot_lengths"] < PROFILE.heel_lift.threshold_foot_lengths
    assert found["heel_lift"].present is False
    lifted, _ = findings_of(*side_rep(heel_px=9.0))  # the same rise with the toe down
    assert lifted["heel_lift"].present is True


def test_pelvic_tilt_proxy_is_off_by_default_and_labelled_when_on():
    sig, ctx, seg = side_rep(tibia=30.0)
    off, _ = findings_of(sig, ctx, seg, profile=load_profile(
        overrides={"pelvic_tilt": {"assess_proxy": False}}))
    assert off["pelvic_tilt"].present is None
    assert "cannot be measured from joint-centre landmarks" in off["pelvic_tilt"].reason
    on_profile = load_profile(overrides={"pelvic_tilt": {"assess_proxy": True}})
    on, _ = findings_of(sig, ctx, seg, profile=on_profile)
    # the proxy reads the waist line in the frames (test_pelvis.py); none in this track
    assert on["pelvic_tilt"].present is None and "proxy" in on["pelvic_tilt"].unit
    assert rate_rep(on, on_profile)["pelvis"] == "not_assessable"  # a proxy cannot vouch


def test_heel_lift_from_the_front_says_why_not():
    found, _ = findings_of(*front_rep(fppa=0.0))
    assert found["heel_lift"].present is None
    assert "hides behind the foot" in found["heel_lift"].reason


def test_quad_dominant_just_under_the_cut_off_needs_most_of_the_pattern():
    # tibia 38 deg, trunk 34: 4 deg under Barrack's 8, within the 7 deg uncertainty
    both_signs, _ = findings_of(*side_rep(tibia=38.0, knee=85.0, trunk=34.0, heel_px=9.0))
    assert both_signs["knee_past_toes"].present and both_signs["heel_lift"].present
    assert both_signs["quad_dominant"].present is True
    assert "Just under the cut-off" in both_signs["quad_dominant"].reason
    one_sign, _ = findings_of(*side_rep(tibia=38.0, knee=85.0, trunk=34.0))
    assert one_sign["knee_past_toes"].present and not one_sign["heel_lift"].present
    assert one_sign["quad_dominant"].present is False


def test_reasons_quote_the_thresholds_as_set_in_the_profile():
    """A cut-off of 0.065 or 13.5 is quoted as such, never rounded to 0.07 or 14."""
    odd = load_profile(overrides={"heel_lift": {"threshold_foot_lengths": 0.045},
                                  "knee_valgus": {"threshold_deg": 12.5},
                                  "trunk_lean": {"forward_threshold_deg": 42.5}})
    side, _ = findings_of(*side_rep(heel_px=9.0), profile=odd)
    assert "flagged from 0.045 foot lengths" in side["heel_lift"].reason
    assert "flagged from 42.5 deg" in side["trunk_lean"].reason
    front, _ = findings_of(*front_rep(fppa=20.0), profile=odd)
    assert "flagged from 12.5 deg" in front["knee_valgus"].reason


def test_report_tables_show_thresholds_unrounded():
    from squatcheck.report.display import fmt_threshold

    assert fmt_threshold(13.5, "deg") == fmt_threshold(13.50, "deg") != fmt_threshold(14, "deg")
    assert "13.5" in fmt_threshold(13.5, "deg") and "0.065" in fmt_threshold(0.065, "foot_lengths")
    assert fmt_threshold(None, "deg") == "—"


def test_quad_dominance_without_the_trunk_and_tibia_angles_is_worded_without_them():
    """The tibia-minus-trunk difference can be kept where the trunk or tibia angle alone
    was not (held-out synthset10 138: the far leg's landmarks guessed); the finding's
    wording then leaves them out instead of failing on the missing numbers."""
    sig, ctx, seg = side_rep(tibia=38.0, knee=85.0, trunk=15.0, heel_px=9.0)
    series = compute_series(sig, ctx, PROFILE)
    m = dict(measure_rep(sig, ctx, seg, series, PROFILE))
    m["trunk_inclination_deg"] = m["tibia_inclination_deg"] = None
    quad = assess_rep(m, series, sig, ctx, seg, PROFILE)["quad_dominant"]
    assert quad.present is True
    assert quad.reason.startswith(f"Tibia minus trunk {quad.value:+.0f} deg (")
