"""Who sees and does what in the exchange of papers.

A paper's own section speaks for it: only its correspondents register its issues and choose its partners, and they
answer the claims made for it. A receiving section's correspondents record what arrived and claim what did not. The
secretariat sees everything (and acts on nothing here: the exchange is between sections); a section's members see
their section's papers and the papers it receives.
"""

from __future__ import annotations

from collections.abc import Iterable

from liaison.federation.access import Actor


def can_publish(actor: Actor, publisher_id: int | None) -> bool:
    """Register issues and partners of a paper of the section ``publisher_id``; answer the claims made for it."""
    return actor.is_correspondent_of(publisher_id)


def can_receive(actor: Actor, section_id: int | None) -> bool:
    """Record arrivals and claim missing issues for the receiving section ``section_id``."""
    return actor.is_correspondent_of(section_id)


def can_see_section(actor: Actor, section_id: int) -> bool:
    """A section's exchange page: its papers, what it receives and what it missed."""
    return actor.secretariat or section_id in actor.sections


def can_see_paper(actor: Actor, publisher_id: int | None, partner_ids: Iterable[int]) -> bool:
    """A paper's page: its section's people, its partners' people, and the secretariat."""
    if actor.secretariat or (publisher_id is not None and publisher_id in actor.sections):
        return True
    return bool(actor.sections.intersection(partner_ids))


def sees_every_partner(actor: Actor, publisher_id: int | None) -> bool:
    """Whether the whole list of a paper's partners and their arrivals is shown, or only the actor's own section's
    row: one partner's arrivals are its business and the publisher's, not the other partners'."""
    return actor.secretariat or (publisher_id is not None and publisher_id in actor.sections)
