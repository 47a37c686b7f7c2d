"""Synthetic squat videos with exact truth: an articulated, software-rendered mannequin.

``generate_clip(ClipSpec(...), "clip.mp4")`` writes the video and ``clip.json``
(the truth, layout in docs/synth.md); ``generate_set(n, folder)`` a varied
benchmark set. Pipeline: body (sizes) → motion (reps, faults solved to their
requested magnitudes) → kinematics (3D joints) → figure (shaded primitives) →
render (per-pixel depth) → truth (landmarks, per-rep values, findings).
"""

from .benchset import generate_set, plan_set
from .body import BodySpec, Outfit, Segments
from .clip import CameraSpec, ClipSpec, generate_clip
from .faults import FAULTS, parse_fault
from .motion import MotionSpec, Tempo
from .render import Scene

__all__ = ["FAULTS", "BodySpec", "CameraSpec", "ClipSpec", "MotionSpec", "Outfit", "Scene",
           "Segments", "Tempo", "generate_clip", "generate_set", "parse_fault", "plan_set"]
