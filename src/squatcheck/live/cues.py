"""What the person reads while squatting: short cues and a verdict after each rep.

The engine decides what happened (findings, ratings); this module only turns
its events into a few plain words and keeps each on screen long enough to be
read (``hold_s``), newest first.
"""

from __future__ import annotations

from dataclasses import dataclass

# Finding name (analysis.result.FINDING_NAMES) -> what to say while it happens.
CUE_TEXT = {
    "knee_past_toes": "knee past toes",
    "heel_lift": "heel lifting",
    "pelvic_drop": "hips dropping",
    "knee_valgus": "knee caving in",
    "trunk_lean": "trunk leaning",
    "quad_dominant": "sit back into the hip",
    "pelvic_tilt": "pelvis tipping",
}

RATING_TEXT = {"good": "good", "fair": "fair", "poor": "poor",
               "not_assessable": "not judged"}


def cue_text(finding_name: str) -> str:
    return CUE_TEXT.get(finding_name, finding_name.replace("_", " "))


def verdict_text(rep) -> str:
    """One line for a finished rep, e.g. ``Rep 2 (left leg): fair - knee past toes``.

    ``rep`` is an :class:`squatcheck.analysis.result.Rep`.
    """
    rating = RATING_TEXT.get(rep.rating.get("overall", "not_assessable"), "not judged")
    present = [cue_text(name) for name, f in rep.findings.items() if f.present]
    leg = f" ({rep.stance} leg)" if rep.stance in ("left", "right") else ""
    text = f"Rep {rep.index + 1}{leg}: {rating}"
    return text + (" - " + ", ".join(present) if present else "")


@dataclass
class ShownCue:
    kind: str  # "cue" | "verdict"
    key: str  # finding name for cues, rep index for verdicts
    text: str
    rating: str | None
    since_s: float
    until_s: float


class CueBoard:
    """Cues currently on screen. ``now`` is the session clock (frame ``t_s``)."""

    def __init__(self, *, hold_s: float = 2.5, verdict_hold_s: float = 4.0, max_cues: int = 3):
        self.hold_s, self.verdict_hold_s, self.max_cues = hold_s, verdict_hold_s, max_cues
        self.cues: list[ShownCue] = []
        self.verdict: ShownCue | None = None
        self.history: list[ShownCue] = []

    def cue(self, name: str, now: float) -> ShownCue | None:
        """Show (or refresh) a cue. Returns it when it is newly shown, else None."""
        for shown in self.cues:
            if shown.key == name:
                shown.until_s = now + self.hold_s
                return None
        shown = ShownCue("cue", name, cue_text(name), None, now, now + self.hold_s)
        self.cues.insert(0, shown)
        del self.cues[self.max_cues:]
        self.history.append(shown)
        return shown

    def rep_done(self, rep, now: float) -> ShownCue:
        rating = rep.rating.get("overall", "not_assessable")
        shown = ShownCue("verdict", str(rep.index), verdict_text(rep), rating, now,
                         now + self.verdict_hold_s)
        self.verdict = shown
        self.history.append(shown)
        return shown

    def expire(self, now: float) -> None:
        self.cues = [c for c in self.cues if c.until_s > now]
        if self.verdict is not None and self.verdict.until_s <= now:
            self.verdict = None
