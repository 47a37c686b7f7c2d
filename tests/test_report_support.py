"""Builders for the report tests: a hand-made ``Analysis`` with a tiny synthetic video.

No tests here. The figure is a stick man doing three single-leg squats seen from
the side (facing image-right), drawn with OpenCV so the test video and the pose
track agree exactly. Findings cover present, absent and not assessable; ratings
and the clip summary come from the engine's own ``rate_rep`` and ``summarize``.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from squatcheck.analysis.analyze import Analysis
from squatcheck.analysis.context import ClipContext
from squatcheck.analysis.profile import load_profile
from squatcheck.analysis.rating import rate_rep
from squatcheck.analysis.result import AnalysisResult, Finding, Rep, Series
from squatcheck.analysis.summary import summarize
from squatcheck.pose.landmarks import LEFT_SHOULDER, LEG, RIGHT_SHOULDER
from squatcheck.pose.track import N_LANDMARKS, PoseTrack, TrackMeta

FPS = 30.0
SIZE = (240, 320)  # width, height
REPS = ((0.3, 1.0, 1.7, "left"), (1.9, 2.6, 3.3, "left"), (3.5, 4.2, 4.9, "right"))
DURATION_S = 5.2
PROFILE = load_profile(None)


def knee_flexion_deg(t: np.ndarray) -> np.ndarray:
    out = np.zeros_like(t)
    for start, _bottom, end, _ in REPS:
        inside = (t >= start) & (t <= end)
        out[inside] = 80.0 * np.sin(np.pi * (t[inside] - start) / (end - start)) ** 2
    return out


def landmarks_px(t: np.ndarray) -> np.ndarray:
    """(T, 33, 2) pixel landmarks of a side-view single-leg squat, facing +x."""
    theta = np.radians(knee_flexion_deg(t))
    n = len(t)
    xy = np.zeros((n, N_LANDMARKS, 2))
    shank, thigh, trunk, foot = 70.0, 70.0, 80.0, 34.0
    ankle = np.stack([np.full(n, 110.0), np.full(n, 290.0)], axis=1)
    tibia = 0.55 * theta                      # forward lean of the shank
    femur = theta - tibia                     # backward lean of the thigh
    knee = ankle + shank * np.stack([np.sin(tibia), -np.cos(tibia)], axis=1)
    hip = knee + thigh * np.stack([-np.sin(femur), -np.cos(femur)], axis=1)
    trunk_inc = 0.35 * theta
    shoulder = hip + trunk * np.stack([np.sin(trunk_inc), -np.cos(trunk_inc)], axis=1)
    # free leg held forward, knee bent
    free_knee = hip + [45.0, 20.0]
    free_ankle = free_knee + [20.0, 40.0]
    for leg, (h, k, a) in {"left": (hip, knee, ankle),
                           "right": (hip + [2, 0], free_knee, free_ankle)}.items():
        ids = LEG[leg]
        xy[:, ids["hip"]], xy[:, ids["knee"]], xy[:, ids["ankle"]] = h, k, a
        xy[:, ids["heel"]] = a + [-8.0, 8.0]
        xy[:, ids["toe"]] = a + [foot - 8.0, 8.0]
    xy[:, LEFT_SHOULDER] = shoulder
    xy[:, RIGHT_SHOULDER] = shoulder + [2, 0]
    head = shoulder + [6.0, -25.0]
    for i in range(11):
        xy[:, i] = head
    for i in range(13, 23):  # arms hang from the shoulders
        xy[:, i] = shoulder + [10.0, 25.0 if i < 15 else 45.0]
    return xy


def write_video(path: Path, xy_px: np.ndarray) -> Path:
    """Draw the stick man into an mp4v MP4 (decodable by OpenCV; the report re-encodes it)."""
    w, h = SIZE
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (w, h))
    assert writer.isOpened()
    for pts in xy_px:
        frame = np.full((h, w, 3), (90, 110, 120), np.uint8)
        cv2.rectangle(frame, (0, 300), (w, h), (60, 70, 80), -1)
        for a, b in ((11, 23), (23, 25), (25, 27), (27, 31), (27, 29), (24, 26), (26, 28),
                     (11, 13), (13, 15)):
            cv2.line(frame, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]),
                     (230, 200, 170), 6, cv2.LINE_AA)
        cv2.circle(frame, tuple(int(v) for v in pts[0]), 12, (200, 190, 230), -1)
        writer.write(frame)
    writer.release()
    return path


def make_track(source: str = "") -> PoseTrack:
    t = np.arange(int(DURATION_S * FPS)) / FPS
    xy = landmarks_px(t) / np.asarray(SIZE, float)
    lm = np.concatenate([xy, np.zeros((len(t), N_LANDMARKS, 1)),
                         np.full((len(t), N_LANDMARKS, 2), 0.99)], axis=-1)
    meta = TrackMeta(source=source, image_size=SIZE, fps_nominal=FPS, frames_decoded=len(t),
                     model="synthetic", subject="stick man")
    return PoseTrack.from_rows(t, np.arange(len(t)), lm, np.zeros((len(t), N_LANDMARKS, 3)), meta)


def _finding(name, present, value, unit, threshold, frame, reason, severity=None, unc=None):
    sev = severity or ("not_assessable" if present is None else "moderate" if present else "none")
    return Finding(name=name, present=present, severity=sev, value=value, unit=unit,
                   threshold=threshold, source=f"test source for {name}", frame=frame,
                   t_s=None if frame is None else frame / FPS, reason=reason, uncertainty=unc)


def make_result(track: PoseTrack) -> AnalysisResult:
    t = track.t_s
    knee = knee_flexion_deg(t)
    tibia, trunk = 0.55 * knee, 0.35 * knee
    offset = -0.1 + 0.6 * np.sin(np.radians(tibia)) * 70 / 34
    heel = np.where((t > 2.4) & (t < 2.9), 0.12, 0.0)
    nan = np.full_like(t, np.nan)
    values = {
        "knee_flexion_deg_left": knee, "hip_flexion_deg_left": 0.8 * knee,
        "tibia_inclination_deg_left": tibia, "trunk_inclination_deg": trunk,
        "tibia_minus_trunk_deg_left": tibia - trunk,
        "knee_toe_offset_foot_lengths_left": offset, "heel_rise_foot_lengths_left": heel,
        "pelvic_obliquity_deg": nan, "fppa_deg_left": nan,
    }
    thresholds = {"knee_toe_offset_foot_lengths": 0.0, "heel_rise_foot_lengths": 0.05,
                  "trunk_inclination_deg": 45.0, "tibia_minus_trunk_deg": 8.0}
    reps = []
    side_reason = "the camera is side-on; this needs a front view"
    for i, (start, bottom, end, stance) in enumerate(REPS):
        b = int(round(bottom * FPS))
        past = i < 2
        findings = {
            "knee_past_toes": _finding("knee_past_toes", past, float(offset[b]) if past else -0.05,
                                       "foot_lengths", 0.0, b,
                                       "knee ahead of the toes at the bottom" if past
                                       else "knee stayed behind the toes", unc=0.05),
            "heel_lift": _finding("heel_lift", i == 1, 0.12 if i == 1 else 0.01, "foot_lengths",
                                  0.05, int(2.5 * FPS) if i == 1 else b,
                                  "heel rose for 0.5 s" if i == 1 else "heel stayed down",
                                  severity="severe" if i == 1 else None, unc=0.03),
            "pelvic_drop": _finding("pelvic_drop", None, None, "deg", 6.0, None, side_reason),
            "knee_valgus": _finding("knee_valgus", None, None, "deg", 10.0, None, side_reason),
            "trunk_lean": _finding("trunk_lean", False, float(trunk[b]), "deg", 45.0, b,
                                   "trunk within 45 deg of vertical", unc=5.0),
            "quad_dominant": _finding("quad_dominant", i == 0, float(tibia[b] - trunk[b]), "deg",
                                      8.0, b, "tibia 16 deg more inclined than trunk" if i == 0
                                      else "no", unc=7.0),
            "pelvic_tilt": _finding("pelvic_tilt", None, None, "deg", 15.0, None,
                                    "proxy needs a standing phase <before> the rep"),
        }
        measurements = {"knee_flexion_deg": float(knee[b]), "hip_flexion_deg": float(0.8 * knee[b]),
                        "trunk_inclination_deg": float(trunk[b]),
                        "tibia_minus_trunk_deg": float(tibia[b] - trunk[b]),
                        "knee_toe_offset_foot_lengths": float(offset[b]),
                        "heel_rise_foot_lengths": 0.12 if i == 1 else 0.01,
                        "fppa_deg": None, "hip_knee_flexion_ratio": 0.8}
        reps.append(Rep(index=i, stance=stance, start_s=start, bottom_s=bottom, end_s=end,
                        start_frame=int(round(start * FPS)), bottom_frame=b,
                        end_frame=int(round(end * FPS)), measurements=measurements,
                        findings=findings, rating=rate_rep(findings, PROFILE)))
    ctx = ClipContext(view="side", facing="right", facing_sign=1, exercise="single_leg_squat",
                      baseline=np.arange(0, 9))
    return AnalysisResult(source=track.meta.source or "stick_man.mp4", view="side",
                          facing="right", exercise="single_leg_squat", usable_fraction=0.97,
                          reps=reps, summary=summarize(reps, ctx, PROFILE),
                          series=Series(t, track.frame_index, values, thresholds),
                          notes=["synthetic clip <built by the tests> & not a person"])


def make_analysis(directory: Path | None = None) -> Analysis:
    """The hand-made analysis; with ``directory``, also its synthetic source video there."""
    video = None
    if directory is not None:
        video = directory / "stick_man.mp4"
        t = np.arange(int(DURATION_S * FPS)) / FPS
        write_video(video, landmarks_px(t))
    track = make_track(str(video) if video else "")
    return Analysis(track, make_result(track), video)
