"""Publishing benchmark: an issue of N items, translated into the five working languages, published in every format.

Run from the repository's root with the project's virtualenv:

    .venv/bin/python bench/publish.py prepare --items 200 --dir /tmp/bench200  # the database and the floor's inputs
    .venv/bin/python bench/publish.py publish --dir /tmp/bench200  # publish the five editions (what is timed)
    .venv/bin/python bench/publish.py floor --dir /tmp/bench200    # Typst and ebooklib alone on the same content
    .venv/bin/python bench/publish.py formats --dir /tmp/bench200  # seconds per format, measured in one process

``publish`` starts from a copy of the prepared, unpublished database each time, so it can be timed over several runs
(with /usr/bin/time -v, hyperfine or any whole-process timer); it moves the previous run's files into ``DIR/trash``,
which ``prepare`` empties. It publishes as a worker does: the PDF is typeset in a helper thread while the other
formats render, so it uses two cores when there are two (``taskset -c 0`` gives the one-core figure).

``floor`` is the work no publisher can avoid: Typst compiling the very Typst source Liaison produced for each
language, and ebooklib writing an EPUB of the very XHTML chapters Liaison produced; the ratio publish/floor is
Liaison's own cost on top.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "fr", "de", "ru", "es")

# One paragraph per language, the scripts the federation writes in; an item is several of them, a footnote and a
# citation of the first item, about a page.
PARAGRAPHS = {
    "en": "The dockers' union met on Monday and voted for a strike fund, after a long discussion of the wage scale "
    "and of the hours at the port; the section's circle on political economy will read the minutes next week.",
    "fr": "Le syndicat des dockers s'est réuni lundi et a voté une caisse de grève, après une longue discussion sur "
    "l'échelle des salaires et les horaires du port ; le cercle d'économie politique lira le compte rendu.",
    "de": "Die Gewerkschaft der Hafenarbeiter trat am Montag zusammen und beschloss eine Streikkasse, nach langer "
    "Aussprache über die Lohnskala und die Arbeitszeiten im Hafen; der Lesekreis bespricht das Protokoll.",
    "ru": "Профсоюз докеров собрался в понедельник и проголосовал за стачечный фонд после долгого обсуждения "
    "тарифной сетки и рабочего времени в порту; кружок политической экономии прочтёт протокол на неделе.",
    "es": "El sindicato de estibadores se reunió el lunes y votó un fondo de huelga, tras una larga discusión sobre "
    "la escala salarial y los horarios del puerto; el círculo de economía política leerá el acta.",
}


def setup(directory: Path, database: str) -> None:
    os.environ["LIAISON_VAR_DIR"] = str(directory / "var")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()


def body(language: str, position: int) -> str:
    text = PARAGRAPHS[language]
    cite = " [[bulletin/1/1]]" if position > 1 else ""
    paragraphs = [f"{text}[^1]{cite}"] + [text] * 5
    return f"## {position}\n\n" + "\n\n".join(paragraphs) + f"\n\n[^1]: {text[:60]}.\n"


def prepare(directory: Path, items: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in ("pristine.sqlite3", "run.sqlite3"):
        (directory / leftover).unlink(missing_ok=True)
    shutil.rmtree(directory / "trash", ignore_errors=True)
    setup(directory, "pristine.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from liaison.accounts.models import User
    from liaison.editorial.models import Citation, Contribution, Item, Revision, State
    from liaison.federation.models import Federation, Person, Region, Role, RoleKind, Section
    from liaison.periodicals.models import Frequency, Issue, IssueStatus, Periodical
    from liaison.translations.models import Translation, TranslationState

    Federation.objects.create(
        name="Bench Federation", working_languages=list(LANGUAGES), founded=datetime.date(2020, 1, 1)
    )
    region = Region.objects.create(name="Europe")
    sections = [
        Section.objects.create(name=f"Section {code}", slug=f"section-{code}", country="FR", region=region)
        for code in LANGUAGES
    ]
    user = User.objects.create_user(username="editor")  # no password: nobody logs in to a bench database
    person = Person.objects.create(pseudonym="Editor", user=user)
    Role.objects.create(person=person, kind=RoleKind.SECRETARIAT, since=datetime.date(2020, 1, 1))
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency=Frequency.MONTHLY)
    issue = Issue.objects.create(
        periodical=bulletin, number=1, planned_date=datetime.date(2030, 3, 20), status=IssueStatus.ASSEMBLY
    )
    for position in range(1, items + 1):
        original = LANGUAGES[position % len(LANGUAGES)]
        contribution = Contribution.objects.create(
            section=sections[position % len(sections)],
            periodical=bulletin,
            target_issue=issue,
            title=f"Report {position}",
            language=original,
            body=body(original, position),
            state=State.PLACED,
        )
        Revision.objects.create(
            contribution=contribution, number=1, title=contribution.title, body=contribution.body, language=original
        )
        item = Item.objects.create(issue=issue, contribution=contribution, position=position)
        if position > 1:
            Citation.objects.create(source=contribution, target=Item.objects.get(issue=issue, position=1))
        Translation.objects.bulk_create(
            Translation(
                contribution=contribution,
                language=code,
                state=TranslationState.APPROVED,
                title=f"{position} ({code})",
                body=body(code, position),
                translator=user,
                reviewer=user,
                source_revision=1,
                approved_revision=1,
                approved_at=datetime.datetime(2030, 3, 1, tzinfo=datetime.UTC),
            )
            for code in LANGUAGES
            if code != original
        )
        del item
    floor_inputs(directory, issue)
    print(f"prepared {items} items in {len(LANGUAGES)} languages in {directory}")


def floor_inputs(directory: Path, issue: Any) -> None:
    """What Liaison hands to Typst and to ebooklib for each language, saved so ``floor`` can time those alone."""
    from django.conf import settings
    from django.utils import translation as i18n

    from liaison.publishing.edition import edition_data
    from liaison.publishing.renderers import epub, pdf

    at = datetime.datetime(2030, 3, 20, 12, tzinfo=datetime.UTC)
    inputs = directory / "floor"
    shutil.rmtree(inputs, ignore_errors=True)
    for code in LANGUAGES:
        data = edition_data(issue, code, published_at=at)
        fonts = pdf._fonts(tuple(str(d) for d in settings.PDF_FONT_DIRS))
        notes = pdf._Notes()
        with i18n.override(code):
            edition = pdf._edition(data, fonts)
            bodies = [pdf._body(data, item, notes) for item in data.items]
        folder = inputs / code
        folder.mkdir(parents=True)
        (folder / "edition.typ").write_text(pdf._source(bodies), encoding="utf-8")
        (folder / "edition.json").write_text(json.dumps(edition, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        book = epub.render(data).files[f"bulletin-1-{code}.epub"]
        with zipfile.ZipFile(__import__("io").BytesIO(book)) as archive:
            for name in archive.namelist():
                if name.endswith(".xhtml") and "nav" not in name:
                    (folder / Path(name).name).write_bytes(archive.read(name))


def publish(directory: Path) -> None:
    shutil.copyfile(directory / "pristine.sqlite3", directory / "run.sqlite3")
    published = directory / "var" / "published"
    if published.exists():
        # The previous run's thousand files are moved aside, not deleted: deleting them is the benchmark's
        # housekeeping, not publishing, and would be timed with it. ``prepare`` empties the trash.
        trash = directory / "trash"
        trash.mkdir(exist_ok=True)
        published.rename(trash / uuid.uuid4().hex)
    setup(directory, "run.sqlite3")
    from liaison.accounts.models import User
    from liaison.federation.access import actor_for_user
    from liaison.periodicals.models import Issue
    from liaison.publishing import services

    actor = actor_for_user(User.objects.get(username="editor"))
    issue = Issue.objects.get(number=1)
    # As ``liaison publish bulletin 1`` does: each language in turn, then the editions' language links once.
    for position, code in enumerate(LANGUAGES):
        job = services.run_job(
            services.request_publish(actor, issue, code).pk, link_languages=False, coming=LANGUAGES[position + 1 :]
        )
        if job.state != "done":
            sys.exit(f"{code}: {job.state}: {job.error}")
    relinked = services.relink_issue(issue)
    if relinked.warnings:
        sys.exit("; ".join(relinked.warnings))


def floor(directory: Path) -> None:
    setup(directory, "pristine.sqlite3")
    import typst
    from django.conf import settings
    from ebooklib import epub as ebook

    from liaison.publishing.renderers import pdf

    fonts = pdf._fonts(tuple(str(d) for d in settings.PDF_FONT_DIRS))
    for code in LANGUAGES:
        folder = directory / "floor" / code
        compiler = typst.Compiler(root=Path(str(pdf.TEMPLATE)).parent, font_paths=fonts.book, ignore_system_fonts=True)
        compiler.compile(
            input=(folder / "edition.typ").read_bytes(),
            format="pdf",
            sys_inputs={"edition": (folder / "edition.json").read_text(encoding="utf-8")},
            pdf_standards=[pdf.PDF_STANDARD],
        )
        book = ebook.EpubBook()
        book.set_identifier(f"bench-{code}")
        book.set_title("Bulletin")
        book.set_language(code)
        chapters = []
        for path in sorted(folder.glob("*.xhtml")):
            chapter = ebook.EpubHtml(file_name=path.name, title=path.stem, lang=code)
            chapter.content = path.read_bytes()
            book.add_item(chapter)
            chapters.append(chapter)
        book.toc = chapters
        book.spine = chapters
        book.add_item(ebook.EpubNcx())
        book.add_item(ebook.EpubNav())
        ebook.write_epub(str(directory / f"floor-{code}.epub"), book)


def formats(directory: Path) -> None:
    """Seconds per format, one after the other in this thread (no helper thread): each language's texts are parsed
    once, as a publication does (``parsing.one_publication``), and that parse is a line of its own."""
    setup(directory, "pristine.sqlite3")
    from liaison.periodicals.models import Issue
    from liaison.publishing import parsing
    from liaison.publishing.edition import edition_data
    from liaison.publishing.renderers import email, epub, pdf, web

    issue = Issue.objects.get(number=1)
    at = datetime.datetime(2030, 3, 20, 12, tzinfo=datetime.UTC)
    totals: dict[str, float] = {}

    def timed(name: str, work: Any) -> Any:
        started = time.perf_counter()
        try:
            return work()
        finally:
            totals[name] = totals.get(name, 0) + time.perf_counter() - started

    typeset = pdf._typeset

    def typst_alone(*args: Any, **kwargs: Any) -> bytes:
        result: bytes = timed("PDF: Typst", lambda: typeset(*args, **kwargs))
        return result

    pdf._typeset = typst_alone  # type: ignore[assignment]
    for code in LANGUAGES:
        data = timed("edition data", lambda: edition_data(issue, code, published_at=at))  # noqa: B023
        with parsing.one_publication():
            timed("parse (once)", lambda: [parsing.parsed(i.body, i.language) for i in data.items])  # noqa: B023
            for name, module in (("web", web), ("PDF", pdf), ("EPUB", epub), ("email", email)):
                timed(name, lambda: module.render(data))  # noqa: B023
    totals["PDF: the rest"] = totals["PDF"] - totals["PDF: Typst"]
    order = ("edition data", "parse (once)", "web", "PDF", "PDF: Typst", "PDF: the rest", "EPUB", "email")
    for name in order:
        print(f"{name:<14} {totals[name]:7.2f} s for {len(LANGUAGES)} languages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["prepare", "publish", "floor", "formats"])
    parser.add_argument("--dir", type=Path, required=True, help="where the benchmark's database and files live")
    parser.add_argument("--items", type=int, default=200, help="items in the issue (prepare only)")
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    if options.step == "prepare":
        prepare(options.dir.resolve(), options.items)
    else:
        {"publish": publish, "floor": floor, "formats": formats}[options.step](options.dir.resolve())


if __name__ == "__main__":
    main()
