"""Sharded extraction agrees with one process; subject selection; interpolation; merging."""

from __future__ import annotations

import numpy as np
import pytest

from squatcheck.pose import extract, shards
from squatcheck.pose import landmarks as L
from squatcheck.pose.shards import Rows
from squatcheck.pose.subject import select_subject
from synthetic_media import crop_copy

KEY = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
       L.LEFT_ANKLE, L.RIGHT_ANKLE]


@pytest.fixture(scope="module")
def clip_4s(tmp_path_factory, clips_dir):
    return crop_copy(clips_dir / "tux_hyva6.mp4", tmp_path_factory.mktemp("x") / "h6.mp4",
                     0.0, 4.0)


@pytest.mark.slow
def test_one_process_or_two_give_the_same_track_to_the_bit(clip_4s, monkeypatch):
    """Chunks are fixed by the clip's length alone, so the track never depends on how many
    processes ran or how fast: here three chunks, run by one process, then by two (which
    take chunks as they finish)."""
    whole = extract.extract_pose(clip_4s, workers=1)  # 4 s: one chunk, no seam
    monkeypatch.setattr(shards, "MIN_CHUNKED_S", 2.0)
    monkeypatch.setattr(shards, "CHUNKS", 3)
    one = extract.extract_pose(clip_4s, workers=1)
    two = extract.extract_pose(clip_4s, workers=2)
    assert (one.meta.extra["processes"], two.meta.extra["processes"]) == (1, 2)
    seams = one.meta.extra["seams_s"]
    assert len(seams) == 2 and seams == two.meta.extra["seams_s"]
    for name in ("t_s", "frame_index", "xy", "z", "visibility", "world"):
        assert np.array_equal(getattr(one, name), getattr(two, name), equal_nan=True), name
    for name, arr in one.extra.items():
        assert np.array_equal(arr, two.extra[name], equal_nan=True), name
    assert one.meta.extra["camera_roll_deg"] == two.meta.extra["camera_roll_deg"]
    # against no seam at all: the same computation up to the first seam's warm-up, then the
    # re-seeded tracker stays close (the yard's verticals give the roll, near level)
    assert np.array_equal(whole.frame_index, one.frame_index)
    assert abs(whole.meta.extra["camera_roll_deg"]) < 2.0
    before = whole.t_s < seams[0] - shards.SEAM_WARMUP_S
    assert before.sum() > 10
    assert np.array_equal(whole.xy[before], one.xy[before], equal_nan=True)
    height = np.nanmedian(np.nanmax(whole.xy_px[..., 1], 1) - np.nanmin(whole.xy_px[..., 1], 1))
    d = np.linalg.norm(whole.xy_px[:, KEY] - one.xy_px[:, KEY], axis=-1) / height
    assert np.nanpercentile(d, 95) < 0.02 and np.nanmax(d) < 0.06
    assert one.detected.sum() == whole.detected.sum()


def test_chunks_depend_on_the_clip_s_length_alone():
    assert shards.plan_chunks(4.0) == [(0.0, np.inf)]
    two = shards.plan_chunks(20.0)
    assert len(two) == 2 and two[0][0] == 0.0 and two[0][1] == two[1][0] == 10.5
    assert two[-1][1] == np.inf  # a header that understates the length loses nothing
    assert shards.plan_chunks(600.0)[0][1] == 300.5  # long clips: still two (decoding)
    assert shards.plan_chunks(float("nan")) == [(0.0, np.inf)]  # no duration in the header


def _person(cx: float, cy: float, h: float) -> np.ndarray:
    """(33, 5) landmarks of a stick person: torso centre (cx, cy), height h (normalised)."""
    lm = np.zeros((33, 5))
    lm[:, 0] = cx
    lm[:, 1] = np.linspace(cy - h / 2, cy + h / 2, 33)
    lm[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1] = cy - h / 4
    lm[[L.LEFT_HIP, L.RIGHT_HIP], 1] = cy + h / 4
    lm[:, 3:] = 0.9
    return lm


def test_subject_keeps_one_identity_when_the_model_reorders_people():
    n = 60
    t = np.arange(n) / 30
    cand = np.full((n, 2, 33, 5), np.nan)
    for f in range(n):
        lifter = _person(0.3 + 0.001 * f, 0.5, 0.6)
        passer = _person(0.9 - 0.01 * f, 0.55, 0.4)  # walks across, a little smaller
        order = (lifter, passer) if f % 7 else (passer, lifter)  # the model swaps slots
        cand[f, 0], cand[f, 1] = order
    choice = select_subject(t, cand)
    chosen_x = cand[np.arange(n), choice.candidate][:, 0, 0]
    assert np.all(choice.candidate >= 0)
    assert np.all(np.abs(chosen_x - (0.3 + 0.001 * np.arange(n))) < 1e-9)
    assert "other people ignored" in choice.description


def test_subject_is_dropped_rather_than_replaced_by_someone_else():
    """One model slot: the subject leaves and a stranger appears elsewhere → NaN, no jump."""
    n = 90
    t = np.arange(n) / 30
    cand = np.full((n, 1, 33, 5), np.nan)
    for f in range(60):
        cand[f, 0] = _person(0.4, 0.5, 0.6)
    for f in range(60, n):
        cand[f, 0] = _person(0.85, 0.5, 0.5)  # someone else, far away
    choice = select_subject(t, cand)
    assert np.all(choice.candidate[:60] == 0)
    assert np.all(choice.candidate[60:] == -1)


def test_interpolated_rows_lie_between_inferred_neighbours():
    t = np.arange(7) / 30
    inferred = np.array([1, 0, 1, 0, 1, 0, 0], bool)
    image = np.zeros((3, 33, 5))  # rows of the inferred frames 0, 2, 4
    image[:, :, 0] = np.array([0.1, 0.3, np.nan])[:, None]
    world = image[..., :3].copy()
    out_i, out_w = extract._fill_between(t, inferred, image, world)
    assert np.allclose(out_i[1, :, 0], 0.2)  # halfway between frames 0 and 2
    assert np.isnan(out_i[3, 0, 0])  # a neighbour without a pose: no invented pose
    assert np.isnan(out_i[5:, 0, 0]).all()  # after the last inferred frame: nothing to lean on
    assert np.array_equal(out_i[[0, 2, 4]], image, equal_nan=True)
    assert out_w.shape == (7, 33, 3)
    image[2, :, 0] = 0.7  # the last inference found someone: the clip's last frames within
    held, _ = extract._fill_between(t, inferred, image, world, hold_s=1.5 / 30)  # hold_s
    assert np.allclose(held[5, :, 0], 0.7) and np.isnan(held[6, 0, 0])  # repeat it


def test_merge_keeps_every_frame_once_and_refuses_gaps():
    def rows(indices):
        r = Rows(1)
        for i in indices:
            r.add(i, i / 30)
        return r

    t, idx, *_ = extract._merge([rows(range(0, 10)), rows(range(8, 20))])  # overlap: 8, 9
    assert np.array_equal(idx, np.arange(20)) and np.allclose(t, np.arange(20) / 30)
    with pytest.raises(RuntimeError, match="gap"):
        extract._merge([rows(range(0, 10)), rows(range(12, 20))])
