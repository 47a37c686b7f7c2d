"""Per-rep good / fair / poor on the clinical items of Crossley et al. 2011 (+ foot).

Crossley 2011 rated the single-leg squat on overall impression, trunk posture,
pelvis "in space", hip joint and knee joint. Which findings feed which item, and how
severities map onto good/fair/poor, is squatcheck's own reading (profile [rating]).
A multi-segment SLS test (BMC Sports Sci Med Rehabil 2021) treats a lifted heel as
an invalid trial: on a single-leg rep the overall rating is then poor, with a note.
"""

from __future__ import annotations

from .findings import SEVERITY_ORDER
from .result import Finding

# item -> findings it reads (first = main). Proxies can make an item at most "fair".
ITEM_FINDINGS = {
    "trunk": ("trunk_lean",),
    "pelvis": ("pelvic_drop", "pelvic_tilt"),
    "hip": ("quad_dominant",),
    "knee": ("knee_valgus", "knee_past_toes"),
    "foot": ("heel_lift",),
}
PROXIES = ("pelvic_tilt",)
# Findings that are not faults on their own (Fry 2003; CLINICAL.md "read it together with
# the trunk"): reported, but they lower the rating only with the pattern they belong to
# (quad dominance). Most deep squats bring the front of the knee past the toes.
CONTEXTUAL = {"knee_past_toes": "quad_dominant"}


def rate_rep(findings: dict[str, Finding], profile, *, single_leg: bool = True) -> dict[str, str]:
    """{item: good|fair|poor|not_assessable} for trunk, pelvis, hip, knee, foot, overall.

    Also a ``note`` key (plain text, may be empty) saying why the overall rating is what
    it is, e.g. that a lifted heel invalidates a single-leg squat trial (the SLS test's
    rule; on a double-leg squat the heel lift is rated as the foot item only).
    """
    sec = profile.section("rating")
    poor_rank = SEVERITY_ORDER.index(sec["poor_from"])
    out: dict[str, str] = {}
    notes: list[str] = []
    for item, names in ITEM_FINDINGS.items():
        grades = []
        for name in names:
            f = findings.get(name)
            if f is None or f.present is None:
                continue
            if name in PROXIES and not f.present:
                continue  # a low-confidence proxy cannot vouch that the item is good
            grades.append(_grade_finding(f, findings, poor_rank, sec["proxy_can_rate_poor"]))
        out[item] = _worst(grades) if grades else "not_assessable"
    heel = findings.get("heel_lift")
    invalid = bool(single_leg and heel and heel.present and sec["heel_lift_invalidates"])
    assessed = [v for v in out.values() if v != "not_assessable"]
    if invalid:
        out["overall"] = "poor"
        notes.append("Invalid trial: the stance heel lifted (multi-segment SLS test, 2021).")
    elif len(assessed) < sec["min_items_for_overall"]:
        out["overall"] = "not_assessable"
        notes.append(f"Only {len(assessed)} item(s) could be assessed from this view.")
    else:
        out["overall"] = _worst(assessed)
    missing = [k for k, v in out.items() if v == "not_assessable" and k != "overall"]
    if missing and out["overall"] != "not_assessable":
        notes.append("Not assessable from this view: " + ", ".join(missing) + ".")
    out["note"] = " ".join(notes)
    return out


def _grade_finding(f: Finding, findings: dict[str, Finding], poor_rank: int,
                   proxy_can_rate_poor: bool) -> str:
    if not f.present:
        return "good"
    rank = SEVERITY_ORDER.index(f.severity) if f.severity in SEVERITY_ORDER else 1
    rating = "poor" if rank >= poor_rank else "fair"
    if f.name in PROXIES and not proxy_can_rate_poor:
        rating = "fair"
    pattern = CONTEXTUAL.get(f.name)
    if pattern and not (findings.get(pattern) and findings[pattern].present):
        rating = "good"
    return rating


def _worst(grades: list[str]) -> str:
    order = ("good", "fair", "poor")
    return max(grades, key=order.index)
