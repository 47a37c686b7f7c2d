"""Live analysis: the incremental analyser finds the offline reps, each within a second of
its end, using only the frames seen so far."""

from __future__ import annotations

import numpy as np
import pytest

from squatcheck import analyze_track
from squatcheck.analysis.incremental import IncrementalAnalyzer, RepEvent
from stick_figure import joined, squat_track


def _image_rows(track):
    return np.concatenate([track.xy, track.z[..., None], track.visibility[..., None],
                           track.presence[..., None]], axis=-1)


def _feed(track, *, drop=()):
    live = IncrementalAnalyzer(image_size=track.meta.image_size, fps_hz=track.fps)
    image = _image_rows(track)
    events = []
    for i, t in enumerate(track.t_s):
        if i in drop:
            events += live.update(t, None, None)
        else:
            events += live.update(t, image[i], track.world[i])
    return events, live.finish()


@pytest.mark.parametrize("yaw, stances", [(0, ("both", "both", "both")),
                                          (90, ("left", "right")),
                                          (0, ("right", "left"))])
def test_live_reps_match_offline_and_come_within_a_second(yaw, stances):
    track, bottoms = squat_track(yaw_deg=yaw, stances=stances)
    events, tail = _feed(track)
    offline = analyze_track(track).reps
    assert tail == []  # every rep was closed while the person stood afterwards
    assert all(isinstance(e, RepEvent) for e in events)
    assert [e.rep.stance for e in events] == list(stances) == [r.stance for r in offline]
    assert np.allclose([e.rep.bottom_s for e in events], bottoms, atol=0.2)
    for e in events:
        assert 0.0 <= e.t_s - e.rep.end_s <= 1.0
        assert e.rep.findings and e.rep.rating  # measured like offline


def test_live_reps_after_a_turn_are_read_by_the_new_view():
    """Front reps, then the body turns side-on: the live reps after the turn are read from
    the side, as offline (analysis/view_sections.py), not by the front view of the buffer."""
    front, _ = squat_track(yaw_deg=0, stances=("left", "left"), depth_deg=70)
    side, _ = squat_track(yaw_deg=90, stances=("left", "left"), depth_deg=70)
    track = joined(front, side)
    events, _ = _feed(track)
    offline = analyze_track(track).reps
    assert [e.rep.view for e in events] == ["front", "front", "side", "side"]
    assert [r.view for r in offline] == ["front", "front", "side", "side"]
    assert all(e.rep.findings["knee_past_toes"].present is not None for e in events[2:])


def test_finish_closes_a_rep_that_ends_with_the_session():
    track, bottoms = squat_track(stances=("both", "both"))
    end = bottoms[-1] + 0.9  # back up just before the session stops
    events, tail = _feed(track[track.t_s <= end])
    assert len(events) == 1 and len(tail) == 1
    assert tail[0].rep.bottom_s == pytest.approx(bottoms[-1], abs=0.2)


def test_frames_without_a_person_are_tolerated():
    track, bottoms = squat_track(stances=("both", "both"))
    n = len(track)
    events, _ = _feed(track, drop=set(range(n // 2 - 3, n // 2 + 3)))
    assert len(events) == 2


def test_no_events_for_a_movement_that_is_not_a_squat():
    track, _ = squat_track(stances=("both", "both"), depth_deg=20)
    events, tail = _feed(track)
    assert events == [] and tail == []



def test_a_rep_seen_early_is_not_judged_again_when_its_bottom_settles():
    """A track of tux_hyva_ja_paha (bench/engine_incremental.py, an older extraction):
    seen early, the rep's bottom read at 7.0 s; with more frames it settled at 6.2 s, 0.8 s
    away, and was counted a second time. A candidate sharing most of its descent and
    return with a judged rep is that rep; the next rep, after it, is new."""
    live = IncrementalAnalyzer(image_size=(640, 480))
    live._judged.append((5.2, 7.0, 7.6))
    assert not live._is_new((4.9, 6.2, 7.5))  # the same rep, its bottom settled
    assert not live._is_new((5.3, 7.1, 7.7))  # ... or barely moved
    assert live._is_new((7.5, 9.0, 10.4))  # the next rep, touching it
