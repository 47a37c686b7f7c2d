"""Plain-language verdicts tied to clinical meaning (CLINICAL.md), from a result.

Counting reps and taking a median of their reported values are the only
arithmetic here; every number shown comes from the engine's findings and
measurements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from .display import finding_label, fmt_value, is_number, rep_range_text

# Why each finding matters, in a clinician's words (shown under the finding).
MEANING = {
    "knee_past_toes": "The knee travels ahead of the toes: more load on the knee extensors "
                      "and patellofemoral joint, less on the hip. Not a fault on its own "
                      "(Fry 2003) — read it together with the trunk.",
    "heel_lift": "The heel leaves the floor: usually a compensation for limited ankle "
                 "dorsiflexion; clinically a lifted heel makes a single-leg-squat trial invalid.",
    "pelvic_tilt": "Change of the trunk–pelvis posture from standing (a proxy: the pelvis has no "
                   "landmarks). An anterior tilt leaves the glutes at a poor lever "
                   "(glute inhibition). Low confidence.",
    "pelvic_drop": "The pelvis drops on the free-leg side: the stance-side hip abductors "
                   "(gluteus medius) do not hold it level. In runners each degree of drop "
                   "raised the odds of injury (Bramah 2018).",
    "knee_valgus": "The knee caves in past the hip–ankle line (dynamic valgus): linked with "
                   "patellofemoral pain (Herrington 2014: 8° healthy vs 17° with pain) and weak "
                   "hip abductors and external rotators.",
    "trunk_lean": "The trunk leans (forwards from the side, sideways from the front): forward "
                  "lean shifts load to the hips and back; sideways lean often compensates for "
                  "weak hip abductors.",
    "quad_dominant": "The knees do the work: tibia more inclined than the trunk, knee ahead "
                     "of the toes, trunk upright — a knee-extensor-biased squat in which the "
                     "glutes contribute little (Barrack 2021; relative glute weakness).",
}
_ORDER = ("quad_dominant", "knee_valgus", "pelvic_drop", "knee_past_toes", "heel_lift",
          "trunk_lean", "pelvic_tilt")


@dataclass
class FindingTally:
    """How one finding came out across the reps of a clip."""

    name: str
    present: list[int] = field(default_factory=list)     # 1-based rep numbers
    absent: list[int] = field(default_factory=list)
    unassessable: list[int] = field(default_factory=list)
    reasons: dict[str, list[int]] = field(default_factory=dict)  # reason -> rep numbers
    engine_verdict: str = ""   # the engine's clip-level call (summary.findings.{name}.verdict)

    @property
    def assessed(self) -> int:
        return len(self.present) + len(self.absent)

    @property
    def verdict(self) -> str:
        """present | occasional | absent | not_assessable for the clip.

        The engine's call when the summary has one (it applies the profile's share of
        reps); otherwise present in at least half of the assessed reps.
        """
        if self.engine_verdict in ("present", "occasional", "absent", "not_assessable"):
            return self.engine_verdict
        if not self.assessed:
            return "not_assessable"
        if not self.present:
            return "absent"
        return "present" if len(self.present) * 2 >= self.assessed else "occasional"


def tally(result) -> dict[str, FindingTally]:
    """Per finding name: which reps have it present, absent, not assessable (and why)."""
    out: dict[str, FindingTally] = {}
    for number, rep in enumerate(result.reps, 1):
        for name, f in rep.findings.items():
            t = out.setdefault(name, FindingTally(name))
            if f.present is None:
                t.unassessable.append(number)
                t.reasons.setdefault(f.reason or "no reason given", []).append(number)
            elif f.present:
                t.present.append(number)
            else:
                t.absent.append(number)
    clip = summary_findings(result)
    for name, t in out.items():
        t.engine_verdict = str(clip.get(name, {}).get("verdict") or "")
    order = {n: i for i, n in enumerate(_ORDER)}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


def summary_findings(result) -> dict[str, dict]:
    """The engine's per-finding clip summary (``summary["findings"]``), or {}."""
    summary = result.summary if isinstance(result.summary, dict) else {}
    found = summary.get("findings")
    return {k: v for k, v in found.items() if isinstance(v, dict)} if isinstance(
        found, dict) else {}


def clip_rating(result) -> dict[str, str]:
    """The engine's clip rating per item (``summary["rating"]``), or {}."""
    summary = result.summary if isinstance(result.summary, dict) else {}
    rating = summary.get("rating")
    return {k: v for k, v in rating.items() if isinstance(v, str)} if isinstance(
        rating, dict) else {}


def _median_of(values) -> float | None:
    vals = [v for v in values if is_number(v)]
    return median(vals) if vals else None


def finding_sentence(result, name: str, reps: list[int], assessed: int | None = None) -> str:
    """One plain sentence for a finding present in ``reps`` (1-based), with its numbers.

    ``assessed`` (reps that could show it) adds "2 of 3 assessed" to the rep list.
    """
    chosen = [result.reps[i - 1] for i in reps]
    fs = [r.findings[name] for r in chosen]
    unit = next((f.unit for f in fs if f.unit), "")
    value = fmt_value(_median_of(f.value for f in fs), unit)
    where = rep_range_text(reps)
    if assessed:
        where += f": {len(reps)} of {assessed} assessed"
    if name == "quad_dominant":
        knee = _median_of(r.measurements.get("knee_toe_offset_foot_lengths") for r in chosen)
        trunk = _median_of(r.measurements.get("trunk_inclination_deg") for r in chosen)
        diff = _median_of(r.measurements.get("tibia_minus_trunk_deg") for r in chosen)
        parts = []
        if knee is not None:
            side = "past" if knee > 0 else "behind"
            parts.append(f"knee {abs(knee):.2f} foot lengths {side} the toes")
        if trunk is not None:
            parts.append(f"trunk fairly upright ({trunk:.0f}° from vertical)")
        if diff is not None:
            parts.append(f"tibia {diff:.0f}° more inclined than the trunk")
        detail = ", ".join(parts) or f"value {value}"
        return (f"Quad-dominant ({where}): {detail} — the quadriceps carry the squat and the "
                "glutes are doing little.")
    texts = {
        "knee_past_toes": f"Knee past the toes ({where}): the front of the knee passes the "
                          f"toes at the bottom (knee joint centre {value} from the toe tip, "
                          "+ = ahead).",
        "heel_lift": f"Heel lift ({where}): the heel rose {value} — limited ankle "
                     "dorsiflexion is the usual reason; it invalidates a single-leg-squat trial.",
        "pelvic_drop": f"Pelvic drop ({where}): the free-leg side dropped {value} — the "
                       "stance-side gluteus medius is not holding the pelvis level.",
        "knee_valgus": f"Knee valgus ({where}): the knee caved in (FPPA {value}) — a sign of "
                       "weak hip abductors and external rotators, linked with patellofemoral pain.",
        "trunk_lean": f"Trunk lean ({where}): {value} at the bottom.",
        "pelvic_tilt": f"Pelvic posture changed ({where}; proxy, low confidence): {value} "
                       "— possibly an anterior tilt that switches the glutes off.",
    }
    return texts.get(name, f"{finding_label(name)} ({where}): {value}.")


@dataclass
class Verdict:
    level: str          # good | fair | poor | not_assessable (colour of the banner)
    headline: str
    points: list[str]   # one sentence per finding that was present


def verdict(result) -> Verdict:
    """The clip's verdict in plain language, led by the most telling pattern."""
    if not result.reps:
        why = ("the movement did not look like a squat" if result.exercise == "not_squat" else
               "no full descent and return of the hips was seen")
        return Verdict("not_assessable", "No squat reps found",
                       [f"Nothing to rate: {why}.", *result.notes[:4]])
    tallies = tally(result)
    points = []
    for name, t in tallies.items():
        if not t.present:
            continue
        points.append(finding_sentence(result, name, t.present, t.assessed))
    called = [name for name, t in tallies.items() if t.verdict == "present"]
    occasional = [name for name, t in tallies.items() if t.verdict == "occasional"]
    overall = clip_rating(result).get("overall")
    if overall not in ("good", "fair", "poor"):
        overall = ("poor" if len(called) >= 2 else "fair" if called or occasional else
                   "good" if any(t.assessed for t in tallies.values()) else "not_assessable")
    if "quad_dominant" in called:
        headline = "Quad-dominant squat: the knees do the work, the glutes do little"
    elif called:
        headline = "Watch: " + " and ".join(finding_label(n).lower() for n in called)
    elif occasional:
        headline = "Mostly controlled, with occasional faults"
    elif overall == "not_assessable":
        headline = "Reps found, but this view lets too little be assessed"
    else:
        headline = "Good control: no fault found in any assessed rep"
    return Verdict(overall, headline, points)
