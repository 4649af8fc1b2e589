"""Citations between bulletin items: ``[[slug/N/M]]`` becomes a link labelled "<Bulletin> No. N, item M", each is
recorded for the target's "cited by", a citation of nothing is refused when saved, and a reorder keeps every
citation pointing at the item its author meant."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from liaison.editorial import services
from liaison.editorial.models import Citation, Item, RevisionOrigin, State
from liaison.errors import LiaisonError
from liaison.periodicals.models import Periodical
from tests.editorial.fixtures_core import bring_to, bulletin, new_issue, write

__all__ = ["bulletin"]


def placed(world: Any, bulletin: Any, issue: Any, title: str, role: str = "corr_a") -> Item:
    c = bring_to(world, write(world, bulletin, title=title, role=role), State.PLACED, issue=issue)
    return Item.objects.get(contribution=c)


def test_a_citation_renders_as_a_labelled_link(world: Any, bulletin: Any) -> None:
    issue = new_issue(world, bulletin)
    placed(world, bulletin, issue, "First")
    target = placed(world, bulletin, issue, "Second")
    citing = write(world, bulletin, role="corr_b", body="As item two said ([[bulletin/1/2]]), we agree.")
    html = services.render_body(citing)
    href = reverse("editorial:item", args=["bulletin", 1, 2])
    assert f'<a class="citation" href="{href}"' in html
    assert ">Bulletin No. 1, item 2</a>" in html
    assert services.citation_label(target) == "Bulletin No. 1, item 2"
    assert list(target.cited_by.values_list("source_id", flat=True)) == [citing.pk]


def test_backlinks_follow_the_text(world: Any, bulletin: Any) -> None:
    issue = new_issue(world, bulletin)
    one, two = placed(world, bulletin, issue, "One"), placed(world, bulletin, issue, "Two")
    citing = write(world, bulletin, role="corr_b", body="[[bulletin/1/1]] and [[bulletin/1/1]] again")
    assert Citation.objects.filter(source=citing).count() == 1
    services.save_contribution(
        world.actor("corr_b"),
        citing,
        base_version=citing.version,
        title="Reply",
        language="es",
        kind="letter",
        body="Now only [[bulletin/1/2]].",
    )
    assert not one.cited_by.exists()
    assert list(two.cited_by.values_list("source_id", flat=True)) == [citing.pk]
    services.save_contribution(
        world.actor("corr_b"),
        citing,
        base_version=citing.version,
        title="Reply",
        language="es",
        kind="letter",
        body="No citation any more.",
    )
    assert not Citation.objects.exists()


def test_a_citation_of_nothing_is_refused_when_saved_naming_it(world: Any, bulletin: Any) -> None:
    issue = new_issue(world, bulletin)
    placed(world, bulletin, issue, "Only")
    with pytest.raises(LiaisonError, match=r"bulletin/1/9, bulletin/7/1") as refused:
        write(world, bulletin, body="[[bulletin/1/1]] [[bulletin/1/9]] [[bulletin/7/1]]")
    assert refused.value.field == "body"
    c = write(world, bulletin, body="Fine for now.")
    with pytest.raises(LiaisonError, match=r"nowhere/1/1"):
        services.save_contribution(
            world.actor("corr_a"),
            c,
            base_version=1,
            title="T",
            language="fr",
            kind="report",
            body="[[nowhere/1/1]]",
        )
    c.refresh_from_db()
    assert c.body == "Fine for now." and c.revisions.count() == 1


def test_an_accepted_but_unplaced_text_cannot_be_cited(world: Any, bulletin: Any) -> None:
    new_issue(world, bulletin)
    bring_to(world, write(world, bulletin), State.ACCEPTED)
    with pytest.raises(LiaisonError, match="bulletin/1/1"):
        write(world, bulletin, role="corr_b", body="[[bulletin/1/1]]")


def test_citations_name_their_bulletin(world: Any, bulletin: Any) -> None:
    internal = Periodical.objects.create(
        name="Internal Bulletin", slug="internal", language="en", frequency="monthly", audience="members"
    )
    issue = new_issue(world, internal)
    c = bring_to(world, write(world, internal, title="Inside"), State.PLACED, issue=issue)
    item = Item.objects.get(contribution=c)
    assert services.citation_label(item) == "Internal Bulletin No. 1, item 1"
    citing = write(world, bulletin, role="corr_b", body="[[internal/1/1]]")
    assert "Internal Bulletin No. 1, item 1" in services.render_body(citing)
    with pytest.raises(LiaisonError, match="bulletin/1/1"):
        write(world, bulletin, role="corr_b", body="[[bulletin/1/1]]")


def test_a_reorder_keeps_citations_on_the_item_meant(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue = new_issue(world, bulletin)
    one, _two, three = (placed(world, bulletin, issue, t) for t in ("One", "Two", "Three"))
    citing = write(world, bulletin, role="corr_b", body="On [[bulletin/1/3]], and on [[bulletin/1/1]].")
    services.move_item(editor, three, position=1)
    citing.refresh_from_db()
    assert citing.body == "On [[bulletin/1/1]], and on [[bulletin/1/2]]."
    assert citing.version == 2
    revision = citing.revisions.get(number=2)
    assert revision.origin == RevisionOrigin.CITATIONS and revision.author == world.users["editor"]
    three.refresh_from_db()
    one.refresh_from_db()
    assert (three.position, one.position) == (1, 2)
    assert {c.target_id for c in Citation.objects.filter(source=citing)} == {three.pk, one.pk}
    html = services.render_body(citing)
    assert html.index("item 1") < html.index("item 2")


def test_a_cited_item_cannot_leave_its_issue(world: Any, bulletin: Any) -> None:
    issue = new_issue(world, bulletin)
    target = placed(world, bulletin, issue, "Target")
    write(world, bulletin, role="corr_b", title="The reply", body="See [[bulletin/1/1]].")
    with pytest.raises(LiaisonError, match="cited by “The reply”"):
        services.unplace(world.actor("editor"), target, reason="Not this time.")
    target.refresh_from_db()
    assert target.contribution.state == State.PLACED


def test_published_citations_are_stable(world: Any, bulletin: Any) -> None:
    editor = world.actor("editor")
    issue = new_issue(world, bulletin)
    target = placed(world, bulletin, issue, "Target")
    services.mark_published(editor, issue)
    citing = write(world, bulletin, role="corr_b", body="[[bulletin/1/1]]")
    assert services.resolve_citation(services.markdown.CitationRef("bulletin", 1, 1)) == target
    assert list(target.cited_by.values_list("source_id", flat=True)) == [citing.pk]
