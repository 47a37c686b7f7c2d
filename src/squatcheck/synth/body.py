"""Body sizes and clothing of the mannequin.

Segment lengths follow Winter's anthropometric fractions of standing height
(Winter, *Biomechanics and Motor Control of Human Movement*, table 4.1), so one
number (``height_m``) gives a plausible body; ``leg_ratio`` and ``girth`` vary
proportions and build between subjects. World frame: x forward (the way the
subject faces), y the subject's left, z up, floor at z = 0, metres.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

# Colours are BGR (OpenCV order), 0..255.
SKIN_TONES = [(150, 180, 225), (120, 160, 205), (90, 130, 180), (60, 90, 140), (45, 65, 100)]
SHIRT_COLOURS = [(200, 120, 40), (60, 60, 200), (60, 160, 60), (200, 200, 200), (40, 40, 40),
                 (30, 150, 220), (140, 60, 140)]
SHORTS_COLOURS = [(35, 35, 35), (110, 60, 20), (40, 40, 110), (90, 90, 90), (20, 70, 20)]
SHOE_COLOURS = [(30, 30, 180), (30, 30, 30), (160, 80, 20), (20, 120, 200)]
HAIR_COLOURS = [(20, 25, 35), (30, 50, 90), (60, 110, 160), (15, 15, 15)]
SOLE = (225, 225, 225)


@dataclass(frozen=True)
class Outfit:
    """Clothing and skin colours (BGR). Shorts differ from the shirt so the
    waistband shows where the pelvis is."""

    skin: tuple[int, int, int] = SKIN_TONES[1]
    shirt: tuple[int, int, int] = SHIRT_COLOURS[0]
    shorts: tuple[int, int, int] = SHORTS_COLOURS[0]
    socks: tuple[int, int, int] = (235, 235, 235)
    shoes: tuple[int, int, int] = SHOE_COLOURS[0]
    hair: tuple[int, int, int] = HAIR_COLOURS[0]
    shirt_fit: str = "tucked"  # "tight" / "tucked" (waistband shows) or "loose" (hangs over it)
    barefoot: bool = False  # as clinicians often screen: socks, shoes and soles all skin
    leggings: bool = False  # full-length tights in the shorts' colour, down to the socks

    @property
    def legs(self) -> tuple[int, int, int]:
        """Below the shorts (BGR): skin, or the leggings' colour."""
        return self.shorts if self.leggings else self.skin

    @property
    def feet(self) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
        """Socks, uppers and soles (BGR): the skin's colour barefoot (the sole a shade
        darker)."""
        if self.barefoot:
            return self.skin, self.skin, tuple(int(c * 0.85) for c in self.skin)
        return self.socks, self.shoes, SOLE

    @classmethod
    def random(cls, rng: np.random.Generator) -> Outfit:
        def pick(options):
            return tuple(int(c) for c in options[rng.integers(len(options))])

        shirt = pick(SHIRT_COLOURS)
        shorts = pick([c for c in SHORTS_COLOURS if np.abs(np.subtract(c, shirt)).sum() > 120])
        return cls(skin=pick(SKIN_TONES), shirt=shirt, shorts=shorts, shoes=pick(SHOE_COLOURS),
                   hair=pick(HAIR_COLOURS))


@dataclass(frozen=True)
class BodySpec:
    """Who squats: size and build.

    ``leg_ratio`` scales leg length against the trunk (1.0 = Winter's average);
    ``girth`` scales limb and trunk radii (0.85 slim .. 1.2 heavy).
    """

    height_m: float = 1.75
    leg_ratio: float = 1.0
    girth: float = 1.0
    outfit: Outfit = field(default_factory=Outfit)

    def __post_init__(self) -> None:
        if not 1.0 <= self.height_m <= 2.3:
            raise ValueError(f"height_m must be within 1.0..2.3, got {self.height_m}")
        if not 0.85 <= self.leg_ratio <= 1.15:
            raise ValueError(f"leg_ratio must be within 0.85..1.15, got {self.leg_ratio}")
        if not 0.7 <= self.girth <= 1.4:
            raise ValueError(f"girth must be within 0.7..1.4, got {self.girth}")

    def to_json(self) -> dict:
        d = asdict(self)
        d["segments_m"] = {k: round(v, 4) for k, v in asdict(Segments.of(self)).items()}
        return d


@dataclass(frozen=True)
class Segments:
    """Segment lengths and widths in metres, derived from a :class:`BodySpec`."""

    thigh: float
    shank: float
    ankle_height: float  # ankle joint centre above the floor, shod
    sole: float  # shoe sole thickness under the heel
    foot_length: float  # heel tip to toe tip
    heel_back: float  # heel tip behind the ankle joint centre
    hip_width: float  # between hip joint centres
    pelvis_height: float  # hip joint centres up to the waist (lumbar joint)
    thorax: float  # waist up to the shoulder-joint midpoint
    shoulder_width: float  # between shoulder joint centres
    neck: float
    head: float  # head height, chin to crown
    upper_arm: float
    forearm: float
    hand: float
    girth: float  # radius scale

    @classmethod
    def of(cls, body: BodySpec) -> Segments:
        h = body.height_m
        leg = body.leg_ratio
        thigh, shank = 0.245 * h * leg, 0.246 * h * leg
        sole = 0.025 * h / 1.75
        ankle = 0.039 * h + sole  # Winter's malleolus height is barefoot; the mannequin wears shoes
        hip_height = ankle + shank + thigh
        shoulder_height = 0.818 * h
        pelvis = 0.065 * h
        # the trunk absorbs what the legs gain or lose (shoulders stay at Winter's height)
        thorax = shoulder_height - hip_height - pelvis
        return cls(thigh=thigh, shank=shank, ankle_height=ankle, sole=sole, foot_length=0.152 * h,
                   heel_back=0.029 * h, hip_width=0.1 * h, pelvis_height=pelvis,
                   thorax=max(thorax, 0.12 * h), shoulder_width=0.2 * h, neck=0.05 * h,
                   head=0.13 * h, upper_arm=0.186 * h, forearm=0.146 * h, hand=0.108 * h,
                   girth=body.girth * h / 1.75)

    @property
    def leg_length(self) -> float:
        """Hip → knee → ankle, the leg length the analysis can measure from landmarks."""
        return self.thigh + self.shank
