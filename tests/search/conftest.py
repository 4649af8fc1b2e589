"""Fixtures of the search tests: an archive built through the real services, in every script the index must read.

``archive`` publishes the public bulletin's No. 1 with five items — a French original translated into English,
German, Russian and Spanish; a Chinese original; an Arabic one; an English opinion of section B full of hostile
markup; a German letter — and the internal bulletin's No. 1 with one item. Beside them, texts that must never be
found: a draft, a contribution placed in an issue not yet published, a translation still in review, and one made
stale by a change of the original before publication.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection

from liaison.editorial import services as editorial
from liaison.editorial.models import Contribution, State
from liaison.periodicals.models import Issue, Periodical
from liaison.search import services
from liaison.translations.models import Translation, TranslationState
from tests.editorial.conftest import bulletin, internal, make_contribution, open_issue  # noqa: F401
from tests.editorial.translated import translate

FRENCH_TITLE = "Les dockers en grève"
FRENCH = "Le syndicat des dockers du Havre a voté la grève générale[^1].\n\n[^1]: Le 12 mars, à l'unanimité.\n"
ENGLISH_TITLE = "The dockers on strike"
ENGLISH = "The dockers' union of Le Havre voted for a general strike[^1].\n\n[^1]: On 12 March, unanimously.\n"
GERMAN_TITLE = "Die Hafenarbeiter im Streik"
GERMAN = "Die Gewerkschaft der Hafenarbeiter von Le Havre beschloss den Generalstreik[^1].\n\n[^1]: Am 12. März.\n"
RUSSIAN_TITLE = "Докеры бастуют"
RUSSIAN = "Профсоюз докеров Гавра объявил, что всеобщая забастовка начнётся в понедельник[^1].\n\n[^1]: 12 марта.\n"
SPANISH_TITLE = "Los estibadores en huelga"
SPANISH = "El sindicato de estibadores de Le Havre votó la huelga general[^1].\n\n[^1]: El 12 de marzo.\n"
CHINESE_TITLE = "码头工人罢工"
CHINESE = "码头工人工会投票决定举行总罢工。工会的声明说，罢工将持续到合同签订为止。"
ARABIC_TITLE = "إضراب عمال الميناء"
ARABIC = "صوتت نقابة عمال الميناء على الإضراب العام، كما أُعلن في الاجتماع."
HOSTILE_TITLE = "<img src=x onerror=alert(1)> Tactics & <b>tricks</b>"
# Markdown shows raw HTML as text: the index holds it as text, and every page must escape it. The private-use
# characters are the index's own highlight marks: a text that carries them must not forge a highlight.
HOSTILE = (
    'Our tactics: <script>alert("owned")</script> and <b onclick="x()">bold</b> &amp; more.\n\n'
    "A forged \ue000mark\ue001 here, and the word tactics again."
)
GERMAN_LETTER_TITLE = "Brief über die Solidarität"
GERMAN_LETTER = "Wir grüßen die Genossinnen und Genossen in Übersee und senden unsere Solidarität."
INTERNAL_TITLE = "Minutes of the clandestine congress"
INTERNAL = "The delegates met in a clandestine place and agreed on the strategy."


@dataclass
class Archive:
    bulletin: Periodical
    internal: Periodical
    issue: Issue
    internal_issue: Issue
    items: dict[str, Contribution] = field(default_factory=dict)
    hidden: dict[str, Any] = field(default_factory=dict)


def published_issue(world: Any, periodical: Periodical, make: Any, texts: list[dict[str, Any]]) -> Issue:
    """A new issue of ``periodical`` with one item per entry of ``texts``, published through the services."""
    issue = open_issue(world, periodical, budget=200)
    for text in texts:
        make(state=State.PLACED, periodical=periodical, issue=issue, **text)
    editorial.mark_published(world.actor("editor"), issue)
    issue.refresh_from_db()
    return issue


@pytest.fixture
def archive(world: Any, bulletin: Periodical, internal: Periodical, make_contribution: Any) -> Archive:  # noqa: F811
    make = make_contribution
    editor = world.actor("editor")
    issue = open_issue(world, bulletin, budget=200)
    items = {
        "dockers": make(state=State.PLACED, issue=issue, title=FRENCH_TITLE, body=FRENCH, language="fr"),
        "chinese": make(state=State.PLACED, issue=issue, title=CHINESE_TITLE, body=CHINESE, language="zh"),
        "arabic": make(state=State.PLACED, issue=issue, title=ARABIC_TITLE, body=ARABIC, language="ar"),
        "hostile": make(
            state=State.PLACED,
            issue=issue,
            section="b",
            kind="opinion",
            title=HOSTILE_TITLE,
            body=HOSTILE,
            language="en",
        ),
        "letter": make(
            state=State.PLACED,
            issue=issue,
            kind="letter",
            title=GERMAN_LETTER_TITLE,
            body=GERMAN_LETTER,
            language="de",
        ),
    }
    dockers = items["dockers"]
    for language, title, body in (
        ("en", ENGLISH_TITLE, ENGLISH),
        ("de", GERMAN_TITLE, GERMAN),
        ("ru", RUSSIAN_TITLE, RUSSIAN),
        ("es", SPANISH_TITLE, SPANISH),
    ):
        translate(world, dockers, language, title, body)
    # Never to be found: a translation in review, and one approved before the original changed (stale).
    hidden: dict[str, Any] = {
        "in_review": translate(
            world,
            items["letter"],
            "fr",
            "Lettre sur la solidarité",
            "Une brouillonnerie.",
            to=TranslationState.IN_REVIEW,
        ),
        "stale": translate(world, items["hostile"], "fr", "Tactiques", "Une tactique périmée et obsolète."),
    }
    hostile = items["hostile"]
    editorial.save_contribution(
        editor,
        hostile,
        base_version=hostile.version,
        title=hostile.title,
        language="en",
        kind="opinion",
        body=HOSTILE + "\n\nA sentence the editor added.",
    )
    hidden["stale"].refresh_from_db()
    assert hidden["stale"].stale
    editorial.mark_published(editor, issue)
    issue.refresh_from_db()

    internal_issue = published_issue(
        world, internal, make, [{"title": INTERNAL_TITLE, "body": INTERNAL, "language": "en"}]
    )
    # Drafts and contributions not yet published: never found, by anyone.
    hidden["draft"] = make(title="A draft", body="An unpublishedword in a draft.", language="en")
    next_issue = open_issue(world, bulletin, budget=200)
    hidden["pending"] = make(
        state=State.PLACED, issue=next_issue, title="Pending", body="A pendingword not yet published.", language="en"
    )
    translate(world, hidden["pending"], "fr", "En attente", "Un motenattente approuvé mais pas publié.")
    return Archive(bulletin, internal, issue, internal_issue, items, hidden)


def titles(results: services.Results) -> list[str]:
    return [hit.document.title for hit in results.hits]


def find(actor: Any, text: str, **filters: Any) -> list[str]:
    return titles(services.search(actor, text, services.Filters(**filters)))


def approved(contribution: Contribution) -> list[Translation]:
    return list(contribution.translations.filter(state=TranslationState.APPROVED, stale=False))


POSTGRES = connection.vendor == "postgresql"
TODAY = datetime.date.today()
