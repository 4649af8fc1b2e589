"""Fair allocation of an issue's pages between sections: a pure function, so its promises can be tested as properties.

The rule: every invited section with an accepted, on-time contribution gets space before any section gets a second
item. First items of invited sections go in the order they were submitted (what an earlier issue deferred goes
first). Only when all of them are in does the rest follow, one item per section per round, so a section with ten
texts cannot crowd out one with a single text. What does not fit is deferred, with the reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from liaison.editorial.models import DeferralReason


@dataclass(frozen=True)
class Candidate:
    id: int
    section_id: int
    pages: Decimal
    submitted_at: datetime.datetime
    invited: bool = True
    on_time: bool = True
    deferred_before: bool = False

    @property
    def priority(self) -> tuple[bool, datetime.datetime, int]:
        return (not self.deferred_before, self.submitted_at, self.id)


@dataclass
class Allocation:
    placed: list[int] = field(default_factory=list)
    deferred: dict[int, str] = field(default_factory=dict)
    pages_used: Decimal = Decimal(0)


def allocate(
    candidates: list[Candidate], budget: Decimal, *, sections_placed: Mapping[int, int] | None = None
) -> Allocation:
    """Place what fits of ``candidates`` in ``budget`` pages, fairly; defer the rest with a reason.

    ``sections_placed`` counts the items each section already has in the issue (placed by hand earlier): such a
    section has had its first item, so its candidates wait for the later rounds."""
    already = dict(sections_placed or {})
    result = Allocation()
    remaining = sorted(candidates, key=lambda c: c.priority)

    def place(candidate: Candidate) -> bool:
        if result.pages_used + candidate.pages > budget:
            return False
        result.placed.append(candidate.id)
        result.pages_used += candidate.pages
        return True

    # Round one: the first on-time item of each invited section.
    firsts: dict[int, Candidate] = {}
    for candidate in remaining:
        if (
            candidate.invited
            and candidate.on_time
            and candidate.section_id not in firsts
            and not already.get(candidate.section_id)
        ):
            firsts[candidate.section_id] = candidate
    every_first_in = True
    for candidate in firsts.values():
        if not place(candidate):
            every_first_in = False
            left = budget - result.pages_used
            result.deferred[candidate.id] = DeferralReason.TOO_LONG if left > 0 else DeferralReason.NO_SPACE
    first_ids = {c.id for c in firsts.values()}
    remaining = [c for c in remaining if c.id not in first_ids]
    if not every_first_in:
        # An invited section's first item is left out: no section may have a second one in this issue.
        for candidate in remaining:
            result.deferred[candidate.id] = DeferralReason.FIRST_ITEMS
        return result

    # Further rounds: one item per section per round, the sections with fewest items placed first.
    count: dict[int, int] = {**already, **{section_id: already.get(section_id, 0) + 1 for section_id in firsts}}
    while remaining:
        taken: set[int] = set()
        round_items: list[Candidate] = []
        for candidate in sorted(remaining, key=lambda c: (count.get(c.section_id, 0), c.priority)):
            if candidate.section_id not in taken:
                taken.add(candidate.section_id)
                round_items.append(candidate)
        for candidate in round_items:
            remaining.remove(candidate)
            if place(candidate):
                count[candidate.section_id] = count.get(candidate.section_id, 0) + 1
            else:
                left = budget - result.pages_used
                result.deferred[candidate.id] = DeferralReason.TOO_LONG if left > 0 else DeferralReason.NO_SPACE
    return result
