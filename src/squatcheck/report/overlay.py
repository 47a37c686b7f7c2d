"""Overlay annotators: skeleton, key angles, rep counter and each finding where it happens.

Each annotator is a small keyword-only dataclass of drawing settings with
``annotate(frame, state) -> frame``, which returns a new image and never touches the
caller's array, and ``draw(canvas, state)``, which draws in place (used by
:class:`OverlayAnnotator` to stack several on one copy) when the clip's view is one
of the annotator's ``views``. ``state`` is a :class:`~.timeline.FrameState`;
colours follow the result (series value vs its threshold), never a new analysis.
OpenCV's Hershey fonts are ASCII only, hence "deg" instead of the degree sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from ..pose.landmarks import LEFT_HIP, LEFT_SHOULDER, LEG, RIGHT_HIP, RIGHT_SHOULDER, SKELETON
from ..pose.silhouette import HALF_WIDTH_TORSO
from .display import NEUTRAL_HEX, OK_HEX, SEVERITY_HEX, WARN_HEX, finding_label, hex_to_bgr
from .timeline import FrameState

OK, WARN, NEUTRAL = hex_to_bgr(OK_HEX), hex_to_bgr(WARN_HEX), hex_to_bgr(NEUTRAL_HEX)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _unit(canvas: np.ndarray) -> float:
    """Drawing scale: 1.0 for a 640-px long side (not below 0.7, so small frames stay legible)."""
    return max(max(canvas.shape[:2]) / 640.0, 0.7)


def _point(canvas, state: FrameState, index: int, min_visibility: float):
    """Landmark ``index`` in canvas pixels as an int tuple, or None if missing/unseen."""
    xy = state.xy_norm[index]
    if not np.all(np.isfinite(xy)) or state.visibility[index] < min_visibility:
        return None
    return _px(canvas, xy)


def _px(canvas, xy_norm) -> tuple[int, int]:
    """Normalised image x, y -> canvas pixels (int tuple)."""
    h, w = canvas.shape[:2]
    return (int(round(xy_norm[0] * w)), int(round(xy_norm[1] * h)))


def _mid(a, b):
    if a is None or b is None:
        return None
    return ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2)


def _measured_legs(state: FrameState) -> tuple[str, ...]:
    """The legs a measure is drawn for: from the side both legs of a double-leg squat sit
    on top of each other, so only the rep's measured (nearer) leg, or two sets of lines
    and labels overprint; otherwise the highlighted legs."""
    if state.view == "side" and len(state.legs) > 1 and state.measured_leg in state.legs:
        return (state.measured_leg,)
    return state.legs


def _leg_points(canvas, state: FrameState, joints: tuple[str, ...], min_visibility: float):
    """(leg, [points]) for each leg a measure is drawn for (:func:`_measured_legs`) whose
    ``joints`` ("hip", "knee", ...) are all seen, in canvas pixels."""
    for leg in _measured_legs(state):
        if leg not in LEG:
            continue
        pts = [_point(canvas, state, LEG[leg][j], min_visibility) for j in joints]
        if all(p is not None for p in pts):
            yield leg, pts


def _dashed(canvas, p, q, color, thickness, dash_px=8):
    p, q = np.asarray(p, float), np.asarray(q, float)
    length = float(np.hypot(*(q - p)))
    if length < 1:
        return
    n = max(int(length // dash_px), 1)
    for i in range(0, n, 2):
        a = p + (q - p) * i / n
        b = p + (q - p) * min(i + 1, n) / n
        cv2.line(canvas, tuple(int(v) for v in a), tuple(int(v) for v in b), color, thickness,
                 cv2.LINE_AA)


def label(canvas, text: str, org, color, *, scale: float = 0.5, fill=(20, 20, 20),
          thickness: int = 1, align: str = "left") -> tuple[int, int]:
    """Text on a dark box; ``org`` is its top-left corner (``align="right"``: top-right).

    The box is kept inside the canvas. Returns the box (width, height).
    """
    u = _unit(canvas)
    fs = scale * u
    th = max(int(round(thickness * u)), 1)
    (tw, tht), base = cv2.getTextSize(text, FONT, fs, th)
    pad = max(int(3 * u), 2)
    h, w = canvas.shape[:2]
    x0 = org[0] - tw - 2 * pad if align == "right" else org[0]
    x = int(min(max(x0, 0), max(w - tw - 2 * pad, 0)))
    y = int(min(max(org[1], 0), max(h - tht - base - 2 * pad, 0)))
    if fill is not None:
        cv2.rectangle(canvas, (x, y), (x + tw + 2 * pad, y + tht + base + 2 * pad), fill, -1)
    cv2.putText(canvas, text, (x + pad, y + pad + tht), FONT, fs, color, th, cv2.LINE_AA)
    return tw + 2 * pad, tht + base + 2 * pad


def _judge(value, threshold, flagged: bool, *, absolute: bool = False):
    """Colour for a series value against its threshold: neutral if either is missing.
    Red only while the rep's finding is ``flagged`` too, so the video never shows a fault
    the report does not (a frame's value is not the rep's, which has its own baseline and
    evidence rules)."""
    if value is None or threshold is None:
        return NEUTRAL
    return WARN if flagged and (abs(value) if absolute else value) > threshold else OK


class Annotator:
    """Base: ``annotate`` copies, ``draw`` paints in place on the canvas it is given, if
    the clip's view is one of ``views`` (empty: any view)."""

    views: ClassVar[tuple[str, ...]] = ()
    min_visibility = 0.3

    def annotate(self, frame: np.ndarray, state: FrameState) -> np.ndarray:
        canvas = frame.copy()
        self.draw(canvas, state)
        return canvas

    def draw(self, canvas: np.ndarray, state: FrameState) -> None:
        if not self.views or state.view in self.views:
            self.paint(canvas, state)

    def paint(self, canvas: np.ndarray, state: FrameState) -> None:  # pragma: no cover
        raise NotImplementedError


@dataclass(kw_only=True)
class SkeletonAnnotator(Annotator):
    """Bones and joints; the stance leg(s) drawn thicker in their leg colour."""

    color: tuple[int, int, int] = NEUTRAL
    stance_color: tuple[int, int, int] = (255, 200, 80)
    thickness: float = 2.0
    min_visibility: float = 0.3

    def paint(self, canvas, state):
        if not state.has_pose:
            return
        u = _unit(canvas)
        stance = {i for leg in state.legs for i in LEG[leg].values() if leg in LEG}
        for a, b in SKELETON:
            p = _point(canvas, state, a, self.min_visibility)
            q = _point(canvas, state, b, self.min_visibility)
            if p is None or q is None:
                continue
            on_stance = a in stance and b in stance
            color = self.stance_color if on_stance else self.color
            th = max(int(round(self.thickness * u * (1.6 if on_stance else 1.0))), 1)
            cv2.line(canvas, p, q, color, th, cv2.LINE_AA)
        for i in {j for pair in SKELETON for j in pair}:
            p = _point(canvas, state, i, self.min_visibility)
            if p is not None:
                cv2.circle(canvas, p, max(int(3 * u), 2), self.color, -1, cv2.LINE_AA)


@dataclass(kw_only=True)
class AngleAnnotator(Annotator):
    """Knee and hip flexion (and tibia inclination from the side) beside the joints."""

    scale: float = 0.45
    min_visibility: float = 0.3

    def paint(self, canvas, state):
        u = _unit(canvas)
        for leg in _measured_legs(state):
            items = (("knee", "knee_flexion_deg", "knee"), ("hip", "hip_flexion_deg", "hip"),
                     ("knee", "tibia_inclination_deg", "tibia"))
            for n, (joint, key, name) in enumerate(items):
                value = state.value(key, leg)
                p = _point(canvas, state, LEG[leg][joint], self.min_visibility)
                if value is None or p is None:
                    continue
                dy = int(18 * u * (1 if n < 2 else 2.2))
                org = (p[0] + int(10 * u), p[1] + dy - int(8 * u))
                label(canvas, f"{name} {value:.0f} deg", org, NEUTRAL, scale=self.scale)


@dataclass(kw_only=True)
class KneeToeAnnotator(Annotator):
    """Side view: vertical through the shoe tip (the outline's, else MediaPipe's foot index)
    and a knee-tip line, red when the knee is past."""

    views: ClassVar[tuple[str, ...]] = ("side",)
    thickness: float = 2.0
    min_visibility: float = 0.3

    def paint(self, canvas, state):
        u = _unit(canvas)
        th = max(int(round(self.thickness * u)), 1)
        for leg, (knee, toe) in _leg_points(canvas, state, ("knee", "toe"),
                                            self.min_visibility):
            offset = state.value("knee_toe_offset_foot_lengths", leg)
            color = _judge(offset, state.threshold("knee_toe_offset_foot_lengths", leg),
                           state.flagged("knee_past_toes"))
            if leg in state.shoe_tips:  # the tip the offset is measured to
                toe = _px(canvas, state.shoe_tips[leg])
            top = (toe[0], min(knee[1], toe[1]) - int(20 * u))
            _dashed(canvas, toe, top, color, max(th - 1, 1))
            cv2.line(canvas, knee, toe, color, th, cv2.LINE_AA)
            if offset is not None:
                label(canvas, f"knee-toe {offset:+.2f} foot", (knee[0] - int(150 * u),
                      knee[1] - int(28 * u)), color, scale=0.45)


@dataclass(kw_only=True)
class HeelAnnotator(Annotator):
    """Side view: a marker under the stance heel where its rise is measured (the sole at
    the rear of the shoe in the outline, else MediaPipe's heel), filled red while lifted."""

    views: ClassVar[tuple[str, ...]] = ("side",)
    radius: float = 7.0
    min_visibility: float = 0.3

    def paint(self, canvas, state):
        u = _unit(canvas)
        for leg, (heel,) in _leg_points(canvas, state, ("heel",), self.min_visibility):
            rise = state.value("heel_rise_foot_lengths", leg)
            thr = state.threshold("heel_rise_foot_lengths", leg)
            color = _judge(rise, thr, state.flagged("heel_lift"))
            if leg in state.heel_soles:  # where the rise is measured
                heel = _px(canvas, state.heel_soles[leg])
            r = max(int(self.radius * u), 3)
            lifted = color == WARN
            cv2.circle(canvas, heel, r, color, -1 if lifted else max(int(2 * u), 1), cv2.LINE_AA)
            if lifted:
                label(canvas, f"heel up {rise:.2f} foot", (heel[0] - int(60 * u),
                      heel[1] + int(12 * u)), color, scale=0.45)


@dataclass(kw_only=True)
class TrunkAnnotator(Annotator):
    """Side view: trunk line against the vertical, red beyond the trunk-lean threshold."""

    views: ClassVar[tuple[str, ...]] = ("side",)
    thickness: float = 2.0
    min_visibility: float = 0.3

    def paint(self, canvas, state):
        u = _unit(canvas)
        hip = _mid(_point(canvas, state, LEFT_HIP, self.min_visibility),
                   _point(canvas, state, RIGHT_HIP, self.min_visibility))
        sh = _mid(_point(canvas, state, LEFT_SHOULDER, self.min_visibility),
                  _point(canvas, state, RIGHT_SHOULDER, self.min_visibility))
        if hip is None or sh is None:
            return
        value = state.value("trunk_inclination_deg")
        color = _judge(value, state.threshold("trunk_inclination_deg"),
                       state.flagged("trunk_lean"))
        length = int(np.hypot(sh[0] - hip[0], sh[1] - hip[1]))
        _dashed(canvas, hip, (hip[0], hip[1] - length), NEUTRAL, 1)
        cv2.line(canvas, hip, sh, color, max(int(round(self.thickness * u)), 1), cv2.LINE_AA)
        if value is not None:
            label(canvas, f"trunk {value:.0f} deg", (sh[0] + int(12 * u), sh[1]), color,
                  scale=0.45)


@dataclass(kw_only=True)
class PelvisAnnotator(Annotator):
    """The waist line the pelvis is read from (front: pelvic drop; side: the tilt proxy),
    against the horizontal, red beyond its threshold. Nothing where the pelvis was not
    read (not assessable, or this frame's line did not count): the hip landmarks are not
    the pelvis (docs/pelvis.md)."""

    KEYS: ClassVar[dict[str, str]] = {"front": "pelvic_obliquity_deg",
                                        "side": "pelvic_tilt_proxy_deg"}
    thickness: float = 2.0
    min_visibility: float = 0.3

    def paint(self, canvas, state):
        key = self.KEYS.get(state.view)
        value = state.value(key) if key else None
        if value is None or state.band is None:
            return
        u = _unit(canvas)
        h, w = canvas.shape[:2]
        centre = np.array([state.band[0] * w, state.band[1] * h])
        half = self._half_length_px(canvas, state)
        tilt = np.radians(state.band[2])  # + = the line's image-right end lower
        d = half * np.array([np.cos(tilt), np.sin(tilt)])
        finding = "pelvic_drop" if state.view == "front" else "pelvic_tilt"
        color = _judge(value, state.threshold(key), state.flagged(finding), absolute=True)
        _dashed(canvas, centre - [half, 0.0], centre + [half, 0.0], NEUTRAL, 1)
        a, b = (tuple(int(round(v)) for v in p) for p in (centre - d, centre + d))
        cv2.line(canvas, a, b, color, max(int(round(self.thickness * u)), 1), cv2.LINE_AA)
        name = "pelvis" if state.view == "front" else "pelvis tilt proxy"
        label(canvas, f"{name} {value:+.0f} deg", (int(max(a[0], b[0]) + 6 * u),
              int(centre[1] - 10 * u)), color, scale=0.45)

    def _half_length_px(self, canvas, state) -> float:
        """Half the width searched for the line: HALF_WIDTH_TORSO torso lengths."""
        hip = _mid(_point(canvas, state, LEFT_HIP, self.min_visibility),
                   _point(canvas, state, RIGHT_HIP, self.min_visibility))
        sh = _mid(_point(canvas, state, LEFT_SHOULDER, self.min_visibility),
                  _point(canvas, state, RIGHT_SHOULDER, self.min_visibility))
        if hip is None or sh is None:
            return 0.1 * max(canvas.shape[:2])
        return HALF_WIDTH_TORSO * float(np.hypot(sh[0] - hip[0], sh[1] - hip[1]))


@dataclass(kw_only=True)
class FppaAnnotator(Annotator):
    """Front view: thigh and shank with the hip-ankle line, red when FPPA passes its threshold."""

    views: ClassVar[tuple[str, ...]] = ("front",)
    thickness: float = 3.0
    min_visibility: float = 0.3

    def paint(self, canvas, state):
        u = _unit(canvas)
        for leg, (hip, knee, ankle) in _leg_points(canvas, state, ("hip", "knee", "ankle"),
                                                   self.min_visibility):
            value = state.value("fppa_deg", leg)
            color = _judge(value, state.threshold("fppa_deg", leg), state.flagged("knee_valgus"))
            th = max(int(round(self.thickness * u)), 1)
            _dashed(canvas, hip, ankle, NEUTRAL, 1)
            cv2.line(canvas, hip, knee, color, th, cv2.LINE_AA)
            cv2.line(canvas, knee, ankle, color, th, cv2.LINE_AA)
            if value is not None:  # label on the outer side of this knee
                other = _point(canvas, state, LEG["right" if leg == "left" else "left"]["knee"],
                               self.min_visibility)
                outward = -1 if other is not None and knee[0] < other[0] else 1
                label(canvas, f"FPPA {value:.0f} deg", (knee[0] + outward * int(12 * u), knee[1]),
                      color, scale=0.45, align="right" if outward < 0 else "left")


@dataclass(kw_only=True)
class RepCounterAnnotator(Annotator):
    """Top-left: rep number and stance leg, and a slow-motion tag while slowed."""

    scale: float = 0.6

    def paint(self, canvas, state):
        u = _unit(canvas)
        if state.rep_number is not None:
            text = f"REP {state.rep_number}/{state.reps_total}"
            if state.stance:
                text += f"  {state.stance} leg" if state.stance != "both" else "  both legs"
        else:
            text = f"reps {state.reps_done}/{state.reps_total}"
        _, h = label(canvas, text, (int(8 * u), int(8 * u)), (255, 255, 255), scale=self.scale,
                     thickness=2)
        if state.slow_motion > 1:
            label(canvas, f"slow motion x1/{state.slow_motion:g}", (int(8 * u), int(12 * u) + h),
                  (120, 220, 255), scale=self.scale * 0.8)


@dataclass(kw_only=True)
class FindingsAnnotator(Annotator):
    """Top-right: the findings present in the current rep; highlighted at their evidence frame."""

    scale: float = 0.5

    def paint(self, canvas, state):
        u = _unit(canvas)
        y = int(8 * u)
        w = canvas.shape[1]
        for finding in state.findings:
            color = hex_to_bgr(SEVERITY_HEX.get(finding.severity, WARN_HEX))
            text = finding_label(finding.name)
            if finding.severity not in ("none", "not_assessable", ""):
                text += f" ({finding.severity})"
            here = finding.name in state.evidence
            if here:
                text = "> " + text
            (tw, _), _ = cv2.getTextSize(text, FONT, self.scale * u, 1)
            fill = color if here else (20, 20, 20)
            fg = (255, 255, 255) if here else color
            _, h = label(canvas, text, (w - tw - int(16 * u), y), fg, scale=self.scale, fill=fill)
            y += h + int(4 * u)


class OverlayAnnotator(Annotator):
    """All of the above stacked on one copy of the frame (the default report overlay)."""

    def __init__(self, annotators: list[Annotator] | None = None):
        self.annotators = annotators if annotators is not None else [
            SkeletonAnnotator(), TrunkAnnotator(), KneeToeAnnotator(), HeelAnnotator(),
            PelvisAnnotator(), FppaAnnotator(), AngleAnnotator(), RepCounterAnnotator(),
            FindingsAnnotator()]

    def draw(self, canvas, state):
        for annotator in self.annotators:
            annotator.draw(canvas, state)
