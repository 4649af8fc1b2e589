import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from liaison.editorial import services
from liaison.editorial.models import Item, Notice, State
from liaison.errors import LiaisonError, NotAllowed
from liaison.periodicals.models import Periodical


@pytest.fixture
def bulletin(world):
    return Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency="monthly")


def test_the_whole_path(world, bulletin, django_capture_on_commit_callbacks):
    editor, corr = world.actor("editor"), world.actor("corr_a")
    issue = services.create_issue(editor, bulletin, planned_date=datetime.date(2030, 1, 1), budget_pages=4)
    with django_capture_on_commit_callbacks(execute=True):
        call = services.open_call(
            editor,
            issue,
            topic="Conference",
            deadline=timezone.now() + datetime.timedelta(days=3),
            sections=[world.section_a],
        )
    assert Notice.objects.filter(section=world.section_a, kind="call").exists()
    assert len(mail.outbox) == 1
    c = services.create_contribution(
        corr,
        section=world.section_a,
        periodical=bulletin,
        call=call,
        title="Our view",
        language="fr",
        kind="opinion",
        body="Texte[^1]\n\n[^1]: note",
    )
    with pytest.raises(NotAllowed):
        services.transition(world.actor("corr_b"), c, State.SUBMITTED)
    services.submit(corr, c)
    with pytest.raises(LiaisonError):
        services.transition(editor, c, State.RETURNED)
    services.transition(editor, c, State.RETURNED, reason="Too long")
    services.save_contribution(corr, c, base_version=1, title="Our view", language="fr", kind="opinion", body="Court")
    services.submit(corr, c)
    c.refresh_from_db()
    assert c.state == State.RESUBMITTED
    services.transition(editor, c, State.ACCEPTED)
    allocation = services.assemble_issue(editor, issue)
    assert allocation.placed == [c.pk]
    item = Item.objects.get(contribution=c)
    assert item.position == 1
    services.mark_published(editor, issue)
    c.refresh_from_db()
    assert c.state == State.PUBLISHED
    d = services.create_contribution(
        world.actor("corr_b"),
        section=world.section_b,
        periodical=bulletin,
        title="Reply",
        language="es",
        kind="letter",
        body="See [[bulletin/1/1]].",
    )
    assert list(item.cited_by.values_list("source", flat=True)) == [d.pk]
    assert "Bulletin No. 1, item 1" in services.render_body(d)
    with pytest.raises(LiaisonError, match="bulletin/1/9"):
        services.create_contribution(
            world.actor("corr_b"),
            section=world.section_b,
            periodical=bulletin,
            title="Bad",
            language="es",
            kind="letter",
            body="See [[bulletin/1/9]].",
        )


def test_a_stale_save_is_a_conflict_and_keeps_both(world, bulletin):
    corr = world.actor("corr_a")
    c = services.create_contribution(
        corr, section=world.section_a, periodical=bulletin, title="T", language="fr", kind="report", body="one"
    )
    services.save_contribution(corr, c, base_version=1, title="T", language="fr", kind="report", body="two")
    with pytest.raises(services.EditConflict) as caught:
        services.save_contribution(corr, c, base_version=1, title="T", language="fr", kind="report", body="three")
    assert caught.value.theirs.body == "two"
    assert caught.value.yours.body == "three"
    c.refresh_from_db()
    assert c.body == "two" and c.revisions.count() == 3
    assert Decimal(c.pages) == Decimal("0.25")
