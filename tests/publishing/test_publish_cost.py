"""What a publication costs: each text parsed once per publication (and never kept past it), the PDF typeset in a
helper thread while the other formats render, few progress commits, and a constant number of queries however many
items the issue has. None of it may change a byte of what is published."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.editorial import markdown, notify
from liaison.editorial.markdown import CitationRef
from liaison.editorial.models import Contribution, Decision, Notice, NoticeKind, State
from liaison.periodicals.models import Issue, IssueStatus
from liaison.publishing import parsing, registry, services, storage, typst_markup
from liaison.publishing.edition import EditionData, ItemData
from liaison.publishing.models import Edition, EditionStatus, JobState, PublishJob
from liaison.publishing.renderers import Finish, Rendered, email, epub, file_stem, in_background, pdf, web
from tests.editorial.fixtures_core import bring_to, capture, write
from tests.editorial.translated import translate
from tests.publishing import fakes, samples
from tests.publishing.fixtures_core import (
    BODY,
    FAKES,
    FRENCH,
    assembled_issue,
    bulletin,
    issue,
    publish,
    published_dir,
    renderers,
)

__all__ = ["bulletin", "capture", "issue", "published_dir", "renderers"]

TEXTS = [
    samples.TEXTS["en"][1],
    samples.TEXTS["ru"][1],
    samples.TEXTS["zh"][1],
    samples.TEXTS["ar"][1],
    samples.TEXTS["fr"][1],
    samples.HARD["hostile"][1],
    samples.HARD["image"][1],
    "Notes[^a] and again[^a], a second[^b].\n\n[^a]: First, with [[bulletin/3/1]].\n\n[^b]: Second.\n",
    "",
]


def resolve(ref: CitationRef) -> tuple[str, str] | None:
    return ("items/1.html", "Bulletin No. 3, item 1") if ref.issue == 3 else None


class Parses:
    """Counts the texts the editorial parser really parses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        real = markdown.parse

        def counting(text: str) -> markdown.Parsed:
            self.texts.append(text)
            return real(text)

        monkeypatch.setattr(markdown, "parse", counting)


# The parse cache --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_a_parsed_text_renders_the_same_bytes_as_a_fresh_render(text: str) -> None:
    parsed = markdown.parse(text)
    for doc_id in ("item-1", "i1", ""):
        # Twice from the same tokens: rendering changes neither them nor the footnotes the parse found.
        for _time in range(2):
            assert markdown.render_parsed(parsed, doc_id=doc_id, resolve=resolve) == markdown.render(
                text, doc_id=doc_id, resolve=resolve
            )
    with parsing.one_publication():
        assert parsing.html(text, "en", doc_id="item-2", resolve=resolve) == markdown.render(
            text, doc_id="item-2", resolve=resolve
        )


def test_outside_a_publication_nothing_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = Parses(monkeypatch)
    assert parsing.current() is None
    parsing.html("Some *text*.", "en")
    parsing.html("Some *text*.", "en")
    assert len(parses.texts) == 2


def test_a_publication_parses_each_text_once_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = Parses(monkeypatch)
    with parsing.one_publication() as cache:
        first = parsing.parsed("Текст[^1].\n\n[^1]: Сноска.", "ru")
        assert parsing.parsed("Текст[^1].\n\n[^1]: Сноска.", "ru") is first
        # The same words in another language's edition are an entry of their own.
        assert parsing.parsed("Текст[^1].\n\n[^1]: Сноска.", "uk") is not first
        parsing.html("Текст[^1].\n\n[^1]: Сноска.", "ru", doc_id="item-1")
        assert (cache.parses, cache.hits, len(cache)) == (2, 2, 2)
    assert len(parses.texts) == 2


def test_the_cache_ends_with_its_publication() -> None:
    with parsing.one_publication() as first:
        kept = parsing.parsed("港口工人", "zh")
        with parsing.one_publication() as inner:
            assert parsing.current() is inner and len(inner) == 0
            assert parsing.parsed("港口工人", "zh") is not kept
        assert parsing.current() is first
    assert parsing.current() is None
    with parsing.one_publication() as second:
        assert len(second) == 0
        assert parsing.parsed("港口工人", "zh") is not kept


def test_the_real_renderers_parse_each_text_once_and_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    data = samples.edition("ar", ("en", "ru", "zh", "ar", "fr", "image", "hostile"))
    renderers, unavailable = registry.available()
    assert not unavailable and [r.format for r in renderers] == ["web", "pdf", "epub", "email"]
    alone = {}
    present = [r.format for r in renderers]
    for renderer in renderers:
        alone.update(renderer(data, present).files)  # each on its own, outside a publication: parsing every time

    parses = Parses(monkeypatch)
    files, warnings = services._render_all(data, renderers)

    assert sorted(parses.texts) == sorted({item.body for item in data.items})  # four formats, one parse each
    assert {name: f.content for name, f in files.items()} == alone
    assert any("missing.png" in w for w in warnings)

    # A second publication (another edition, the same edition again) parses anew: nothing was kept.
    parses.texts.clear()
    services._render_all(samples.edition("ru", ("en", "ru")), renderers)
    assert sorted(parses.texts) == sorted({samples.TEXTS["en"][1], samples.TEXTS["ru"][1]})
    assert parsing.current() is None


# The PDF in a helper thread ---------------------------------------------------------------------------------------

SEEN: dict[str, Any] = {}


@in_background()
def background_pdf(data: EditionData) -> Rendered:
    """A slow renderer that spends its time outside Python, like Typst: it finishes after the formats after it."""
    SEEN["thread"] = threading.get_ident()
    SEEN["cache"] = parsing.current()
    SEEN["language"] = translation.get_language()
    time.sleep(0.3)
    SEEN["finished"] = time.monotonic()
    rendered = fakes.pdf(data)
    rendered.warnings.append(f"pdf warning, told in {translation.get_language()}")
    return rendered


def foreground_epub(data: EditionData) -> Rendered:
    SEEN["epub"] = time.monotonic()
    SEEN["epub cache"] = parsing.current()
    rendered = fakes.epub(data)
    rendered.warnings.append("epub warning")
    return rendered


@in_background()
def broken_background(data: EditionData) -> Rendered:
    raise fakes.RendererBug("the typesetter has a bug")


@in_background()
def clashing_background(data: EditionData) -> Rendered:
    return Rendered(files={"index.html": b"mine", f"{file_stem(data)}.pdf": b"%PDF"})


def prepare_split(data: EditionData) -> Finish:
    SEEN["prepared in"] = threading.get_ident()

    def finish() -> Rendered:
        SEEN["finished in"] = threading.get_ident()
        return fakes.pdf(data)

    return finish


@in_background(prepare_split)
def split_pdf(data: EditionData) -> Rendered:
    return prepare_split(data)()


def prepare_broken(data: EditionData) -> Finish:
    raise fakes.RendererBug("the conversion has a bug")


@in_background(prepare_broken)
def broken_preparation(data: EditionData) -> Rendered:
    return prepare_broken(data)()


THIS = "tests.publishing.test_publish_cost"


def use(monkeypatch: pytest.MonkeyPatch, pdf_renderer: str) -> None:
    monkeypatch.setattr(
        registry,
        "RENDERERS",
        [FAKES[0], ("pdf", f"{THIS}:{pdf_renderer}"), ("epub", f"{THIS}:foreground_epub")],
    )


def test_only_the_real_pdf_renderer_runs_in_the_background() -> None:
    assert [(r.format, r.background) for r in registry.available()[0]] == [
        ("web", False),
        ("pdf", True),
        ("epub", False),
        ("email", False),
    ]
    assert all(not r.background for r in registry.available()[0] if r.render in (web.render, epub.render))
    assert pdf.render.background and not getattr(email.render, "background", False)  # type: ignore[attr-defined]


def test_a_background_renderer_runs_beside_the_others_and_its_results_keep_their_place(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, "background_pdf")
    SEEN.clear()
    job = services.request_publish(world.actor("editor"), issue, "fr")
    steps: list[str] = []

    with translation.override("de"):
        job = services.run_job(job.pk, on_progress=lambda j: steps.append(j.step))

    assert job.state == JobState.DONE, job.error
    assert SEEN["thread"] != threading.get_ident()
    assert SEEN["epub"] < SEEN["finished"]  # the EPUB was made while the PDF was
    # The thread saw the publication's parse cache, and worked in the editor's language, as this thread does.
    assert SEEN["cache"] is not None and SEEN["cache"] is SEEN["epub cache"]
    assert SEEN["language"] == "de"
    # Warnings in the registry's order (web, PDF, EPUB), whatever order the formats finished in.
    assert job.warnings == ["web: 2 items", "pdf warning, told in de", "epub warning"]
    assert job.edition is not None
    assert sorted(f.format for f in job.edition.files.all()) == ["epub", "pdf", "web", "web", "web", "web"]
    with translation.override("de"):
        rendering_web, rendered_epub, rendering_pdf, rendered_pdf = (
            gettext(step) % {"format": registry.format_label(fmt)}
            for step, fmt in (
                ("Rendering: %(format)s", "web"),
                ("Rendered: %(format)s", "epub"),
                ("Rendering: %(format)s", "pdf"),
                ("Rendered: %(format)s", "pdf"),
            )
        )
    # Said first (its preparation), and again once the others are done, while the helper thread finishes it.
    waiting = len(steps) - 1 - steps[::-1].index(rendering_pdf)
    assert steps.index(rendering_pdf) < steps.index(rendering_web)
    assert steps.index(rendered_epub) < waiting < steps.index(rendered_pdf)


def test_a_background_renderer_prepares_here_and_finishes_in_the_helper_thread(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, "split_pdf")
    SEEN.clear()

    job = publish(world, issue, "fr")

    assert job.state == JobState.DONE, job.error
    assert SEEN["prepared in"] == threading.get_ident() != SEEN["finished in"]


@pytest.mark.parametrize(
    ("renderer", "error"),
    [("broken_background", "the typesetter has a bug"), ("broken_preparation", "the conversion has a bug")],
)
def test_a_failing_background_renderer_fails_the_job_and_leaves_nothing(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch, published_dir: Path, renderer: str, error: str
) -> None:
    use(monkeypatch, renderer)

    job = publish(world, issue, "fr")

    assert job.state == JobState.FAILED
    assert job.error.startswith(f"Rendering: PDF failed: RendererBug: {error}")
    assert [p.name for p in published_dir.rglob("*") if p.is_file()] == []
    assert not Edition.objects.filter(status=EditionStatus.PUBLISHED).exists()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ASSEMBLY


def test_a_clash_with_a_background_renderer_is_named_in_the_registrys_order(
    world: Any, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, "clashing_background")

    job = publish(world, issue, "fr")

    assert job.state == JobState.FAILED
    assert "Two formats write the same file “index.html”: web pages and PDF" in job.error


# Commits and queries ----------------------------------------------------------------------------------------------


def progress_commits(queries: list[dict[str, Any]]) -> int:
    return sum(1 for q in queries if q["sql"].startswith('UPDATE "publishing_publishjob" SET "steps_done"'))


def test_progress_is_saved_at_most_once_a_format(world: Any, issue: Issue) -> None:
    job = services.request_publish(world.actor("editor"), issue, "fr")
    seen: list[str] = []

    with CaptureQueriesContext(connection) as queries:
        job = services.run_job(job.pk, on_progress=lambda j: seen.append(j.step))

    assert job.state == JobState.DONE
    # Reading, one per format (as it starts), writing, publishing; the run itself still hears of every step.
    assert progress_commits(queries.captured_queries) == len(FAKES) + 3
    assert len(seen) == 2 * len(FAKES) + 5


def first_publication(world: Any, bulletin: Any, items: int) -> tuple[int, Issue]:
    issue = assembled_issue(world, bulletin, items=items)
    job = services.request_publish(world.actor("editor"), issue, "fr")
    with CaptureQueriesContext(connection) as queries:
        job = services.run_job(job.pk)
    assert job.state == JobState.DONE, job.error
    return len(queries.captured_queries), issue


def test_the_first_publication_costs_as_many_queries_whatever_the_items(
    world: Any, bulletin: Any, published_dir: Any, renderers: Any
) -> None:
    # Marking the issue published (every contribution published, a decision and a notice each, the search index)
    # happens inside: it too must not grow with the issue.
    few, _issue = first_publication(world, bulletin, 2)
    many, issue = first_publication(world, bulletin, 6)

    assert many == few
    assert Contribution.objects.filter(item__issue=issue, state=State.PUBLISHED).count() == 6


def test_publishing_the_contents_records_and_tells_as_one_transition_each(
    world: Any, bulletin: Any, published_dir: Any, renderers: Any, capture: Any
) -> None:
    issue = assembled_issue(world, bulletin, items=2)
    # A contribution of the other section too: its correspondent is told of it, not of the first section's.
    other = write(world, bulletin, role="corr_b", title="Отчёт секции", body=BODY, language="en")
    bring_to(world, other, State.PLACED, issue=issue)
    translate(world, other, "fr", "Rapport de la section B", FRENCH)
    contributions = list(Contribution.objects.filter(item__issue=issue).order_by("item__position"))
    before = {c.pk: Decision.objects.filter(contribution=c).count() for c in contributions}
    told: list[int] = []
    mail.outbox.clear()

    with capture(execute=True):
        job = publish(world, issue, "fr")

    assert job.state == JobState.DONE, job.error
    for contribution in contributions:
        contribution.refresh_from_db()
        assert contribution.state == State.PUBLISHED
        decisions = Decision.objects.filter(contribution=contribution)
        assert decisions.count() == before[contribution.pk] + 1
        decision = decisions.last()
        assert decision is not None
        assert (decision.from_state, decision.to_state, decision.reason) == (State.PLACED, State.PUBLISHED, "")
        assert decision.actor == world.users["editor"]
        assert decision.actor_name == world.people["editor"].pseudonym
        notice = Notice.objects.get(decision=decision)
        assert notice.kind == NoticeKind.DECISION and notice.section_id == contribution.section_id
        assert notice.mailed_at is not None
        told.append(notice.pk)
    by_address: dict[str, int] = {}
    for message in mail.outbox:
        for address in message.to:
            by_address[address] = by_address.get(address, 0) + 1
    assert by_address == {"corr_a@example.org": 2, "corr_b@example.org": 1}
    assert any("Отчёт секции" in m.subject for m in mail.outbox if m.to == ["corr_b@example.org"])
    # Mailed once: a second attempt finds nothing left to send.
    assert notify.mail_notices(told) == 0
    assert len(mail.outbox) == sum(by_address.values())


def test_a_section_without_an_address_has_its_notices_on_the_dashboard_only(
    world: Any, bulletin: Any, published_dir: Any, renderers: Any, capture: Any
) -> None:
    issue = assembled_issue(world, bulletin, items=1)
    other = write(world, bulletin, role="corr_b", title="Отчёт секции", body=BODY, language="en")
    bring_to(world, other, State.PLACED, issue=issue)
    translate(world, other, "fr", "Rapport de la section B", FRENCH)
    world.users["corr_b"].email = ""
    world.users["corr_b"].save()
    mail.outbox.clear()

    with capture(execute=True):
        job = publish(world, issue, "fr")

    assert job.state == JobState.DONE, job.error
    published = Notice.objects.filter(decision__to_state=State.PUBLISHED)
    assert sorted(published.values_list("section_id", flat=True)) == sorted([world.section_a.pk, world.section_b.pk])
    # Both are done with: section B's has nobody to go to, and is not tried again later.
    assert not published.filter(mailed_at__isnull=True).exists()
    assert [m.to for m in mail.outbox] == [["corr_a@example.org"]]
    assert notify.mail_notices(list(published.values_list("pk", flat=True))) == 0


def taken_over(data: EditionData) -> Rendered:
    """The PDF is typeset while another run takes the job over: the files the web pages wrote meanwhile go."""
    PublishJob.objects.filter(runner__gt="").update(runner="another-run")
    return fakes.pdf(data)


def test_files_written_before_the_lease_was_lost_are_removed(
    world: Any, issue: Issue, published_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, "taken_over")

    job = publish(world, issue, "fr")

    assert job.runner == "another-run" and job.state == JobState.RUNNING
    assert not Edition.objects.filter(status=EditionStatus.PUBLISHED).exists()
    assert [p.name for p in published_dir.rglob("*") if p.is_file()] == []


# Typst escaping, table-driven -------------------------------------------------------------------------------------


def escape_char_by_char(text: str) -> str:
    """The definition ``typst_markup.escape`` follows, one character at a time."""
    out = []
    for char in text:
        if char in typst_markup._ESCAPED:
            out.append("\\" + char)
        elif char in typst_markup._BREAKS:
            out.append(" ")
        elif unicodedata.category(char) == "Cc":
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def test_typst_escaping_treats_every_code_point_as_its_definition_says() -> None:
    # Lone surrogates included: a text may hold one (the parser replaces them, a title may not).
    everything = "".join(chr(code) for code in range(0x110000))
    assert typst_markup.escape(everything) == escape_char_by_char(everything)
    for text in [*TEXTS, "#set page(width: 1pt)\u2028$x$\r\n\x00\x85'\u200b"]:
        assert typst_markup.escape(text) == escape_char_by_char(text)


# Writing the files ------------------------------------------------------------------------------------------------


def test_every_file_is_synced_before_the_folder_takes_its_place(
    published_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real = os.fsync

    def fsync(descriptor: int) -> None:
        time.sleep(0.01)  # a slow disk: the rename must still come after every sync
        real(descriptor)
        synced.append(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    writer = storage.FolderWriter("bulletin/1/ru/v1")
    for n in range(12):
        writer.write(f"items/{n}.html", f"<p>Статья {n}</p>".encode())
    assert not (published_dir / "bulletin/1/ru/v1").exists()

    written = writer.finish()

    assert len(synced) == 12
    assert [w.path for w in written] == sorted(f"bulletin/1/ru/v1/items/{n}.html" for n in range(12))
    assert (published_dir / "bulletin/1/ru/v1/items/3.html").read_text() == "<p>Статья 3</p>"
    assert [p.name for p in published_dir.rglob(".*")] == []


def test_a_file_that_cannot_be_synced_fails_the_writing_and_leaves_nothing(
    published_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        storage.write_folder("bulletin/1/ar/v1", {"index.html": "<p>عمال الميناء</p>".encode()})
    assert not (published_dir / "bulletin/1/ar/v1").exists()
    assert [p.name for p in published_dir.rglob("*") if p.is_file()] == []


# The email edition's excerpts, from the first blocks only -------------------------------------------------------


def excerpt_of_the_whole(item: ItemData, data: EditionData, limit: int = email.EXCERPT_CHARS) -> str:
    """The excerpt as the email edition first made it: from the whole item rendered."""

    def resolve(ref: CitationRef) -> tuple[str, str] | None:
        target = data.citations.get(str(ref))
        return ("#", target.label) if target else None

    parser = email._Excerpt()
    parser.feed(markdown.render(item.body, doc_id=f"item-{item.position}", resolve=resolve))
    parser.close()
    text = parser.text()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


LONG = [
    "# Title\n\n" + "\n\n".join(f"Paragraph {n} " + "word " * 30 for n in range(12)) + "\n",
    "## Heading\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n```\ncode " * 3 + "\n```\n\n" + "Text after code. " * 40,
    "- " + "\n- ".join("item " * 10 for _ in range(20)) + "\n\nThen a paragraph.\n",
    "短" * 100 + "\n\n" + "長い" * 200 + "\n\n---\n\n" + "后" * 300,
    "Line one  \nline two" + "x" * 400 + "\n\n[^1]: a note " * 3,
    "> quoted " * 50 + "\n\nafter[^1]\n\n[^1]: the note, which is not part of an excerpt " * 2,
    "Short.",
    "",
]
MARKDOWN_PIECES = st.sampled_from(
    ["word ", "слово ", "كلمة ", "字", "\n\n", "\n", "# ", "## ", "- ", "1. ", "> ", "*", "**", "`", "```\n",
     "| a | b |\n|---|---|\n", "[^1]", "\n\n[^1]: note\n", "[[bulletin/3/1]]", "[link](https://example.org)",
     "![img](x.png)", "---\n", "&amp; ", "<b>", "  \n", "x" * 70]
)  # fmt: skip


@pytest.mark.parametrize("body", [*TEXTS, *LONG])
@pytest.mark.parametrize("limit", [email.EXCERPT_CHARS, 40, 1000])
def test_an_excerpt_from_the_first_blocks_is_the_excerpt_of_the_whole(body: str, limit: int) -> None:
    data = samples.edition("en", ("en",))
    item = dataclasses.replace(data.items[0], body=body)
    assert email.excerpt(item, data, limit) == excerpt_of_the_whole(item, data, limit)


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_PIECES, max_size=80), st.integers(min_value=1, max_value=400))
def test_an_excerpt_is_the_excerpt_of_the_whole_for_any_text(pieces: list[str], limit: int) -> None:
    data = samples.edition("en", ("en",))
    item = dataclasses.replace(data.items[0], body="".join(pieces))
    assert email.excerpt(item, data, limit) == excerpt_of_the_whole(item, data, limit)
