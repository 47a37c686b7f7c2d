"""Agreement tallies: per item (view, exercise, stance leg, rep count, each finding),
how many labelled cases agree, and which do not."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Item:
    """One compared item: cases labelled, cases agreeing, the misses in words, and how many
    of the misses we did not assess (a finding the view cannot show, a hidden waist): no
    verdict, as opposed to a wrong one."""

    name: str
    labelled: int = 0
    agreed: int = 0
    misses: list[str] = field(default_factory=list)
    not_assessed: int = 0

    def add(self, ok: bool, miss: str, *, assessed: bool = True) -> None:
        self.labelled += 1
        if ok:
            self.agreed += 1
        else:
            self.misses.append(miss)
            self.not_assessed += not assessed

    @property
    def rate(self) -> float | None:
        return self.agreed / self.labelled if self.labelled else None

    def to_dict(self) -> dict:
        return {"labelled": self.labelled, "agreed": self.agreed, "rate": self.rate,
                "not_assessed": self.not_assessed, "misses": list(self.misses)}


class Tally:
    """Items in a fixed order, created on first use."""

    def __init__(self, names: list[str]):
        self.items = {n: Item(n) for n in names}

    def __getitem__(self, name: str) -> Item:
        if name not in self.items:
            self.items[name] = Item(name)
        return self.items[name]

    def to_dict(self) -> dict:
        return {n: i.to_dict() for n, i in self.items.items()}

    def format(self, title: str) -> str:
        lines = [title, "", f"{'item':22s} agree / labelled", "-" * 44]
        for item in self.items.values():
            rate = "   -" if item.rate is None else f"{item.rate:5.0%}"
            na = f"   ({item.not_assessed} not assessed)" if item.not_assessed else ""
            lines.append(f"{item.name:22s} {item.agreed:5d} / {item.labelled:<5d} {rate}{na}")
        misses = [(i.name, m) for i in self.items.values() for m in i.misses]
        if misses:
            lines += ["", "misses:"]
            lines += [f"  {name}: {m}" for name, m in misses]
        else:
            lines += ["", "misses: none"]
        return "\n".join(lines)


def clip_finding(reps, name: str) -> bool | None:
    """A clip-level verdict from per-rep findings, as the clip labels are defined:
    True if present in at least one rep, False if assessed and absent in all, None if
    no rep could assess it."""
    seen = [r.findings[name].present for r in reps if name in r.findings]
    seen = [p for p in seen if p is not None]
    if not seen:
        return None
    return any(seen)


def matching_rep(reps, bottom_s: float, match_s: float = 1.0):
    """Our rep for a labelled bottom: the one whose bottom is nearest, among those within
    ``match_s`` seconds of it or whose span holds it (a bottom held 2 s is a stretch, and
    the lowest frame anywhere in it), or None."""
    near = [r for r in reps
            if abs(r.bottom_s - bottom_s) <= match_s or r.start_s <= bottom_s <= r.end_s]
    return min(near, key=lambda r: abs(r.bottom_s - bottom_s)) if near else None


def add_stance_legs(item: Item, name: str, labelled_reps: list[dict], reps, *,
                    label: str = "labelled", match_s: float = 1.0) -> None:
    """Compare each labelled rep's stance leg with its ``matching_rep`` (``labelled_reps``:
    dicts with ``bottom_s`` and ``stance``)."""
    for rep in labelled_reps:
        if rep.get("stance") is None or rep.get("bottom_s") is None:
            continue
        best = matching_rep(reps, rep["bottom_s"], match_s)
        if best is None:
            item.add(False, f"{name}: rep at {rep['bottom_s']:.1f} s ({rep['stance']}) not found")
            continue
        item.add(best.stance == rep["stance"], f"{name}: rep at {rep['bottom_s']:.1f} s "
                 f"{label} {rep['stance']}, ours {best.stance}")


def word(value) -> str:
    return {True: "present", False: "absent", None: "not assessed"}.get(value, str(value))
