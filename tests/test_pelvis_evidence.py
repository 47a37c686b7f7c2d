"""Per-frame waist-line evidence (pose/silhouette.py) and its place in the pose track.

Hand-built frames: a torso in one colour above a straight waist line and another below,
at a known tilt, with landmarks where a pose model would put hips and shoulders.
"""

from __future__ import annotations

import numpy as np
import pytest

from squatcheck.pose import silhouette as S
from squatcheck.pose.track import PoseTrack, TrackMeta

FIELD = {name: i for i, name in enumerate(S.FIELDS)}


def band_frame(tilt_deg: float, *, torso_px: float = 150.0, size=(480, 640),
               upper=(200, 60, 60), lower=(40, 40, 40), height_torso: float = 0.25,
               noise: float = 2.0, seed: int = 0, facing_camera: bool = True,
               band=None, band_torso: float = 0.0):
    """(RGB image (H, W, 3), mask (H, W) float, landmarks (33, 2) normalised).

    The waist line passes ``height_torso`` torso lengths above the hip midpoint; its right
    end (image) is lower for a positive ``tilt_deg``. With ``band`` (a colour), a waistband
    ``band_torso`` torso lengths wide runs down from the line.
    """
    w, h = size
    hx, hy = w / 2, h * 0.6
    img = np.full((h, w, 3), 215, np.float32)
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    half = 0.32 * torso_px
    body = (np.abs(xx - hx) <= half) & (yy >= hy - torso_px) & (yy <= hy + 0.5 * torso_px)
    line_y = hy - height_torso * torso_px + np.tan(np.radians(tilt_deg)) * (xx - hx)
    img[body & (yy < line_y)] = upper
    img[body & (yy >= line_y)] = lower
    if band is not None:
        img[body & (yy >= line_y) & (yy < line_y + band_torso * torso_px)] = band
    img += np.random.default_rng(seed).normal(0, noise, img.shape)
    lm = np.full((33, 2), np.nan)
    side = 1 if facing_camera else -1  # the subject's left is image-right when facing us
    lm[23], lm[24] = (hx + side * 0.2 * torso_px, hy), (hx - side * 0.2 * torso_px, hy)
    lm[11] = (hx + side * 0.33 * torso_px, hy - torso_px)
    lm[12] = (hx - side * 0.33 * torso_px, hy - torso_px)
    return (np.clip(img, 0, 255).astype(np.uint8), body.astype(np.float32),
            lm / np.array([w, h]))


@pytest.mark.parametrize("tilt", [-12.0, -5.0, 0.0, 3.0, 8.0, 15.0])
@pytest.mark.parametrize("torso_px", [70.0, 150.0, 320.0])
def test_waist_line_angle_on_hand_built_frames(tilt, torso_px):
    size = (480, 640) if torso_px < 300 else (900, 1200)
    img, mask, lm = band_frame(tilt, torso_px=torso_px, size=size, seed=int(abs(tilt) * 10))
    ev = S.pelvis_evidence(img, mask, lm)
    assert ev[FIELD["band_tilt_deg"]] == pytest.approx(tilt, abs=0.4)
    assert ev[FIELD["band_tilt_se_deg"]] < 0.5
    assert ev[FIELD["band_height_torso"]] == pytest.approx(0.25, abs=0.03)
    assert ev[FIELD["band_contrast"]] > 40
    assert ev[FIELD["band_support"]] > 0.8
    # the line centre is reported in normalised image coordinates, on the line
    x, y = ev[FIELD["band_x"]] * size[0], ev[FIELD["band_y"]] * size[1]
    assert x == pytest.approx(size[0] / 2, abs=2)
    assert y == pytest.approx(size[1] * 0.6 - 0.25 * torso_px, abs=2)


@pytest.mark.parametrize("tilt", [-9.0, 0.0, 5.0])
@pytest.mark.parametrize("torso_px", [100.0, 150.0])
def test_a_band_with_two_equal_edges_is_followed_along_its_whole_length(tilt, torso_px):
    # a dark waistband between garments of one colour: its upper and lower edges are
    # equally strong 3 px apart (in the 100 px torso the search works in); the line must
    # follow one of them across the body, not hop between them (which left 40-70 % of it)
    img, mask, lm = band_frame(tilt, torso_px=torso_px, upper=(200, 60, 60),
                               lower=(200, 60, 60), band=(60, 20, 20), band_torso=0.03,
                               noise=3.0, seed=1)
    ev = S.pelvis_evidence(img, mask, lm)
    assert ev[FIELD["band_tilt_deg"]] == pytest.approx(tilt, abs=0.4)
    assert ev[FIELD["band_support"]] > 0.8


def test_waist_line_prefers_the_garment_edge_above_the_hips():
    # a stronger straight edge lower down (e.g. the top of a raised thigh, below the hips'
    # height band) must not win over the garment change above the hips
    img, mask, lm = band_frame(4.0, torso_px=150.0)
    h, w = mask.shape
    yy, xx = np.mgrid[:h, :w]
    thigh = (yy > h * 0.6 + 10) & (np.abs(xx - w / 2) < 45)
    img[thigh] = (250, 250, 250)
    ev = S.pelvis_evidence(img, mask, lm)
    assert ev[FIELD["band_tilt_deg"]] == pytest.approx(4.0, abs=0.5)


def test_one_colour_outfit_gives_a_weak_or_no_line():
    img, mask, lm = band_frame(0.0, upper=(60, 60, 60), lower=(62, 60, 58))
    ev = S.pelvis_evidence(img, mask, lm)
    assert not ev[FIELD["band_contrast"]] >= 12.0  # NaN (nothing found) or weak


def test_no_mask_and_bgr_input():
    img, _, lm = band_frame(6.0)
    ev_rgb = S.pelvis_evidence(img, None, lm)
    ev_bgr = S.pelvis_evidence(img[..., ::-1].copy(), None, lm, rgb=False)
    assert ev_rgb[FIELD["band_tilt_deg"]] == pytest.approx(6.0, abs=0.5)
    assert ev_bgr[FIELD["band_tilt_deg"]] == pytest.approx(ev_rgb[FIELD["band_tilt_deg"]],
                                                           abs=1e-3)


def test_missing_or_tiny_person_gives_nan():
    img, mask, lm = band_frame(0.0)
    assert np.isnan(S.pelvis_evidence(img, mask, np.full((33, 2), np.nan))).all()
    tiny = lm.copy()
    tiny[[11, 12], 1] = tiny[[23, 24], 1] - 0.01  # torso of a few pixels
    assert np.isnan(S.pelvis_evidence(img, mask, tiny)[0])


def test_line_fit_keeps_the_longest_straight_run_and_symmetric_columns():
    x = np.arange(-30, 31, dtype=float)
    y = 5.0 + np.tan(np.radians(7.0)) * x
    y[x > 14] -= 0.3 * (x[x > 14] - 14) ** 2  # a chest hanging over one end: edge bends
    a, b, se, inl = S.ransac_line(x, y, np.ones_like(x))
    assert np.degrees(np.arctan(b)) == pytest.approx(7.0, abs=0.1)
    assert not inl[x > 17].any() and inl[x < 10].all()
    # a level band seen from below is an arc about the body's midline (x = 0): with the
    # columns made symmetric about it, a straight fit reads no tilt
    arc = 0.01 * x ** 2
    w = np.where(x >= -12, 1.0, 0.0)  # one side cut short
    sym = S.mirrored(x, w, 0.0)
    assert (sym[x > 12] == 0).all() and (sym[np.abs(x) <= 12] == 1).all()
    _, slope, _ = S.weighted_line(x, arc, sym)
    assert abs(np.degrees(np.arctan(slope))) < 0.01
    assert S.ransac_line(np.zeros(12), np.arange(12.0), np.ones(12)) is None


def test_line_seen_on_both_flanks_beats_a_longer_belly_contour():
    # a belly hangs over the middle and right of a band tilted -5 deg: its level lower
    # contour runs from the left flank to x = 18 at the band's left-flank height; the band
    # shows only at both flanks (x < -25 and x > 20)
    x = np.arange(-45, 46, dtype=float)
    band = 15.0 + np.tan(np.radians(-5.0)) * x
    y = np.where((x < -25) | (x > 20), band, 15.0 + np.tan(np.radians(-5.0)) * -45.0)
    flank = np.where(x < -22.5, -1, np.where(x > 22.5, 1, 0))
    longest = S.ransac_line(x, y, np.ones_like(x))
    assert abs(np.degrees(np.arctan(longest[1]))) < 0.5  # the contour, level: the trap
    a, b, se, inl = S.ransac_line(x, y, np.ones_like(x), flank=flank)
    assert np.degrees(np.arctan(b)) == pytest.approx(-5.0, abs=0.2)
    assert inl[x < -25].all() and inl[x > 20].all() and not inl[np.abs(x) < 15].any()
    # a band seen whole also spans both flanks: the preference changes nothing there
    full = S.ransac_line(x, band, np.ones_like(x), flank=flank)
    assert np.degrees(np.arctan(full[1])) == pytest.approx(-5.0, abs=0.05) and full[3].all()


def _track(n: int, extra=None) -> PoseTrack:
    rows = np.random.default_rng(1).random((n, 33, 5))
    return PoseTrack.from_rows(np.arange(n) / 30.0, np.arange(n), rows,
                               np.zeros((n, 33, 3)), TrackMeta(image_size=(640, 480)), extra)


def test_track_extra_round_trip_slice_and_old_files(tmp_path):
    ev = np.arange(10 * S.N_FIELDS, dtype=float).reshape(10, S.N_FIELDS)
    track = _track(10, {"pelvis_evidence": ev})
    path = track.save(tmp_path / "t.npz")
    back = PoseTrack.load(path)
    np.testing.assert_array_equal(back.extra["pelvis_evidence"], ev)
    np.testing.assert_array_equal(back[2:5].extra["pelvis_evidence"], ev[2:5])
    with np.load(path) as data:  # plain numpy can read it
        assert data["extra_pelvis_evidence"].shape == (10, S.N_FIELDS)
    old = _track(10).save(tmp_path / "old.npz")  # a track made without evidence
    assert PoseTrack.load(old).extra == {}
    with pytest.raises(ValueError, match="extra"):
        _track(10, {"pelvis_evidence": ev[:4]})


@pytest.fixture(scope="session")
def drop_clip(tmp_path_factory):
    """A small rendered front-view single-leg squat with a 10 deg pelvic drop, tracked
    with pelvis evidence (the real renderer and pose model; a few seconds of CPU)."""
    from squatcheck.pose.extract import extract_pose
    from squatcheck.synth.body import BodySpec, Outfit
    from squatcheck.synth.clip import CameraSpec, ClipSpec, generate_clip
    from squatcheck.synth.motion import MotionSpec, Tempo

    spec = ClipSpec(motion=MotionSpec(stances=("left",), rep_faults=({"pelvic_drop": 10.0},),
                                      tempo=Tempo().scaled(0.8)),
                    body=BodySpec(outfit=Outfit(shirt_fit="tight")),
                    camera=CameraSpec(view="front", facing="camera", width=300, height=400,
                                      fps=15.0))
    res = generate_clip(spec, tmp_path_factory.mktemp("pelvis") / "drop.mp4")
    return res.truth, extract_pose(res.video, workers=1, max_inference_hz=None)


def test_extraction_keeps_waist_evidence_and_the_engine_reads_the_drop(drop_clip, tmp_path):
    from squatcheck.analysis.analyze import analyze_track

    truth, track = drop_clip
    ev = track.extra["pelvis_evidence"]
    assert ev.shape == (len(track), S.N_FIELDS)
    assert np.isfinite(ev[:, FIELD["band_tilt_deg"]]).mean() > 0.9
    back = PoseTrack.load(track.save(tmp_path / "t.npz"))
    np.testing.assert_array_equal(back.extra["pelvis_evidence"], ev)
    result = analyze_track(back)
    assert result.view == "front" and len(result.reps) == 1
    f = result.reps[0].findings["pelvic_drop"]
    true_drop = truth["reps"][0]["truth"]["pelvic_drop_deg"]
    assert f.present is True and f.value == pytest.approx(true_drop, abs=2.0)
    assert 0 < f.uncertainty < 3
    unc = result.series.values["pelvic_obliquity_deg_uncertainty"]
    assert np.isfinite(unc).any()


def test_flank_support_records_a_line_seen_at_both_flanks_only():
    # a belly (upper-garment colour) hangs over the middle of the band: the line shows on
    # both flanks only; the evidence says so (a line anchored at both ends)
    img, mask, lm = band_frame(6.0, torso_px=150.0)
    full = S.pelvis_evidence(img, mask, lm)
    h, w = mask.shape
    yy, xx = np.mgrid[:h, :w]
    belly = (np.abs(xx - w / 2) < 0.17 * 150) & (yy > h * 0.6 - 0.45 * 150) & (
        yy < h * 0.6 - 0.05 * 150)
    img[belly] = (200, 60, 60)
    gap = S.pelvis_evidence(img, mask, lm)
    assert full[FIELD["band_flank_support"]] > 0.8
    assert gap[FIELD["band_support"]] < full[FIELD["band_support"]] - 0.3
    assert gap[FIELD["band_flank_support"]] > 0.6
    assert gap[FIELD["band_tilt_deg"]] == pytest.approx(6.0, abs=0.6)


def test_flank_share_is_the_weaker_flank():
    cols = np.arange(0, 41)  # middle 20, flanks beyond 10 px from it
    on_left_only = np.arange(0, 10)
    assert S.flank_share(cols, on_left_only, 20.0, 20.0) == 0.0
    both = np.r_[np.arange(0, 10), np.arange(36, 41)]
    assert S.flank_share(cols, both, 20.0, 20.0) == pytest.approx(5 / 10)
