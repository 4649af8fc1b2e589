"""Fixtures of the translation tests: a bulletin and an issue, accepted contributions with their translations, more
translators, and a local HTTP server that speaks LibreTranslate's protocol.

The ``world`` translator ("translator", pseudonym Tongues) translates French and German; ``translators`` adds a
second French translator ("reviewer_fr") and a Russian one ("translator_ru"). Originals are written in English, so
each gets a translation into French, German, Russian and Spanish.
"""

from __future__ import annotations

import datetime
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from liaison.accounts.models import User
from liaison.editorial.models import Contribution, Item, Revision, State
from liaison.federation.models import Person, Role, RoleKind
from liaison.periodicals.models import Frequency, Issue, IssueStatus, Periodical
from liaison.translations import services
from liaison.translations.models import Translation, TranslationState

ORIGINAL = """# Workers of the port

The dockers' union met on Monday[^1] and voted, as the last bulletin reported [[bulletin/1/1]].

- a general assembly every month
- a strike fund

[^1]: In the hall of the union, 12 March.
"""

FRENCH = """# Les travailleurs du port

Le syndicat des dockers s'est réuni lundi[^1] et a voté, comme le rapportait le dernier bulletin [[bulletin/1/1]].

- une assemblée générale chaque mois
- une caisse de grève

[^1]: Dans la salle du syndicat, le 12 mars.
"""


@pytest.fixture
def translators(world: Any) -> dict[str, User]:
    made = {}
    for key, pseudonym, langs in (("reviewer_fr", "Second Voice", ["fr"]), ("translator_ru", "Perevodchik", ["ru"])):
        user = User.objects.create_user(username=key, email=f"{key}@example.org", password="x")
        person = Person.objects.create(pseudonym=pseudonym, user=user, real_name=f"{key} Hidden")
        Role.objects.create(person=person, kind=RoleKind.TRANSLATOR, languages=langs, since=datetime.date(2020, 1, 1))
        made[key] = user
        world.users[key] = user
    return made


@pytest.fixture
def bulletin(world: Any) -> Periodical:
    return Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency=Frequency.MONTHLY)


@pytest.fixture
def issue(bulletin: Periodical) -> Issue:
    return Issue.objects.create(
        periodical=bulletin, number=2, planned_date=datetime.date(2030, 3, 20), status=IssueStatus.ASSEMBLY
    )


@dataclass
class Factory:
    world: Any
    bulletin: Periodical
    made: list[Contribution] = field(default_factory=list)

    def contribution(
        self,
        *,
        body: str = ORIGINAL,
        title: str = "Workers of the port",
        language: str = "en",
        state: str = State.ACCEPTED,
        issue: Issue | None = None,
        target: Issue | None = None,
    ) -> Contribution:
        """An accepted contribution (placed in ``issue`` when one is given) with revision 1, and its translations."""
        contribution = Contribution.objects.create(
            section=self.world.section_a,
            periodical=self.bulletin,
            target_issue=target or issue,
            title=title,
            language=language,
            body=body,
            state=State.PLACED if issue is not None and state == State.ACCEPTED else state,
            created_by=self.world.users["corr_a"],
        )
        Revision.objects.create(contribution=contribution, number=1, title=title, body=body, language=language)
        if issue is not None:
            position = issue.items.count() + 1
            Item.objects.create(issue=issue, contribution=contribution, position=position)
        services.ensure_translations(contribution)
        self.made.append(contribution)
        return contribution

    def translation(self, contribution: Contribution, language: str = "fr") -> Translation:
        return Translation.objects.get(contribution=contribution, language=language)


@pytest.fixture
def make(world: Any, bulletin: Periodical) -> Factory:
    return Factory(world, bulletin)


def edit_original(contribution: Contribution, body: str, *, title: str | None = None) -> Contribution:
    """What editorial's save does to the text: a new revision, the new text, the version counted."""
    number = contribution.revisions.count() + 1
    contribution.body = body
    contribution.title = title or contribution.title
    contribution.version += 1
    contribution.save()
    Revision.objects.create(
        contribution=contribution, number=number, title=contribution.title, body=body, language=contribution.language
    )
    return contribution


def approved(world: Any, translation: Translation, *, body: str = FRENCH, title: str = "Les travailleurs du port"):
    """A French translation written by the world's translator and approved by the secretariat."""
    translator = world.actor("translator")
    services.save_translation(translator, translation, base_version=translation.version, title=title, body=body)
    services.transition(translator, translation, TranslationState.IN_REVIEW)
    services.transition(world.actor("editor"), translation, TranslationState.APPROVED)
    translation.refresh_from_db()
    return translation


# A local server speaking LibreTranslate's protocol -----------------------------------------------------------------

API_KEY = "s3cret-key"
SUPPORTED = {"en", "fr", "de", "ru", "es", "pt", "zh", "ar", "ja"}
# Words the server knows, so that answers carry text the client did not send (and must decode).
DICTIONARY = {"hello": {"ru": "привет", "zh": "你好", "ar": "مرحبا", "fr": "bonjour"}}


def fake_translate(text: str, target: str) -> str:
    known = DICTIONARY.get(text.strip().lower(), {}).get(target)
    return known if known is not None else f"«{target}» {text}"


class LibreTranslateHandler(BaseHTTPRequestHandler):
    """``/<mode>/translate``: the mode picks the server's behaviour, so one server plays every case."""

    server: LibreTranslateServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._answer(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def do_POST(self) -> None:
        mode, _, endpoint = self.path.strip("/").partition("/")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if "json" in (self.headers.get("Content-Type") or ""):
            payload = json.loads(raw.decode("utf-8"))
        else:
            payload = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("utf-8")).items()}
        self.server.requests.append({"mode": mode, "endpoint": endpoint, **payload})
        if endpoint != "translate":
            return self._json(404, {"error": "Not Found"})
        if mode == "fail":
            return self._answer(500, b"<h1>Internal Server Error</h1>", "text/html")
        if mode == "busy":
            return self._json(429, {"error": "Too many requests"})
        if mode == "garbage":
            return self._answer(200, b"<html>this is not json {", "text/html")
        if mode == "nokey":
            return self._json(200, {"translation": "missing the key"})
        if mode == "slow":
            self.server.stopping.wait(5)
        if mode == "keyed" and payload.get("api_key") != API_KEY:
            return self._json(403, {"error": "Invalid API key"})
        for side in ("source", "target"):
            if payload.get(side) not in SUPPORTED:
                return self._json(400, {"error": f"{payload.get(side)} is not supported"})
        q = payload.get("q")
        if isinstance(q, list):
            return self._json(200, {"translatedText": [fake_translate(x, payload["target"]) for x in q]})
        return self._json(200, {"translatedText": fake_translate(str(q), payload["target"])})


class LibreTranslateServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), LibreTranslateHandler)
        self.requests: list[dict[str, Any]] = []
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out leaves a broken pipe behind: expected here

    def url(self, mode: str = "ok") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{mode}"


@pytest.fixture(scope="session")
def _libretranslate_server() -> Iterator[LibreTranslateServer]:
    server = LibreTranslateServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def libretranslate(_libretranslate_server: LibreTranslateServer) -> LibreTranslateServer:
    _libretranslate_server.requests.clear()
    return _libretranslate_server


class Upper:
    """A provider in-process, for tests about what is stored rather than about HTTP."""

    name = "upper"

    def __init__(self, before: Callable[[], None] | None = None) -> None:
        self.calls: list[str] = []
        self.before = before

    def translate(self, text: str, source: str, target: str, *, format: str = "text") -> str:
        if self.before is not None:
            before, self.before = self.before, None
            before()
        self.calls.append(text)
        return text.upper()
