"""The PDF renderer, checked by real tools: qpdf --check, pdffonts (every font embedded), pdftotext (every script
comes back), pdfinfo (PDF/A, fixed dates, A4); and by what a reader sees: a cover, the contents, running heads, real
footnotes, citations that jump within the edition, Arabic set right to left, the hard texts degraded with a warning
and the hostile one shown as written."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from liaison.publishing import typst_markup
from liaison.publishing.edition import EditionData
from liaison.publishing.renderers import Rendered, pdf
from tests.helpers import have_program, need
from tests.publishing import samples

ALL = tuple(samples.TEXTS) + tuple(samples.HARD)
# The page's text area: A4 (595.28 pt wide) less the template's 22 mm margins.
RIGHT_EDGE = 595.28 - 22 / 25.4 * 72


def _need_tools() -> None:
    need(have_program("pdftotext") and have_program("pdffonts"), "poppler-utils is not installed")


def _need_fonts() -> None:
    families = pdf._fonts(tuple(str(d) for d in django_settings.PDF_FONT_DIRS)).families
    need(
        {"DejaVu Serif", "Amiri", "Noto Serif CJK SC"} <= families,
        "the fonts (fonts-dejavu-core, fonts-dejavu-extra, fonts-hosny-amiri, fonts-noto-cjk) are not installed",
    )


def _write(rendered: Rendered, folder: Path, prefix: str = "") -> Path:
    ((name, content),) = rendered.files.items()
    path = folder / f"{prefix}{name}"
    path.write_bytes(content)
    return path


def _run(*command: str | Path) -> str:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True).stdout


def _text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _run("pdftotext", "-enc", "UTF-8", *pages, path, "-")


def _pages(path: Path) -> list[str]:
    return _text(path).split("\f")[:-1]


def _words(path: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(xMin, xMax, yMin, word) of every word on a page, as poppler places them (Arabic words in visual order)."""
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>',
        _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), path, "-"),
    )
    return [(float(x0), float(x1), float(y0), html.unescape(word)) for x0, y0, x1, word in found]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def sample() -> Rendered:
    """An English edition with one item per script."""
    return pdf.render(samples.edition("en"))


@pytest.fixture(scope="module")
def full() -> Rendered:
    """An English edition with an item in every script and every hard case."""
    return pdf.render(samples.edition("en", ALL))


@pytest.fixture(scope="module")
def sample_pdf(sample: Rendered, folder: Path) -> Path:
    _need_tools()
    return _write(sample, folder, "sample-")


@pytest.fixture(scope="module")
def full_pdf(full: Rendered, folder: Path) -> Path:
    _need_tools()
    return _write(full, folder, "full-")


def test_it_is_one_pdf_named_after_the_edition(sample: Rendered) -> None:
    assert list(sample.files) == ["bulletin-3-en.pdf"]
    assert sample.media_types == {"bulletin-3-en.pdf": "application/pdf"}
    assert sample.files["bulletin-3-en.pdf"].startswith(b"%PDF-")
    assert sample.warnings == []


def test_it_passes_qpdf_check(full_pdf: Path) -> None:
    need(have_program("qpdf"), "qpdf is not installed")

    result = subprocess.run(["qpdf", "--check", str(full_pdf)], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_it_embeds_every_font_it_uses(full_pdf: Path) -> None:
    _need_fonts()

    rows = _run("pdffonts", full_pdf).splitlines()[2:]

    # name, type..., emb, sub, uni, object, generation: "emb" is the fifth column from the end.
    assert rows and all(row.split()[-5] == "yes" for row in rows), rows
    names = " ".join(row.split()[0] for row in rows)
    for family in ("DejaVuSerif", "Amiri", "NotoSerifCJK"):
        assert family in names


def test_pdftotext_gives_back_every_script(full_pdf: Path) -> None:
    _need_fonts()

    text = _text(full_pdf)

    assert "The dockers’ union met on Monday" in text
    assert "Профсоюз докеров собрался в понедельник" in text
    assert "Η ένωση των λιμενεργατών συνεδρίασε τη Δευτέρα" in text
    assert "码头工人工会于星期一开会" in text
    for word in ("اجتمعت", "نقابة", "الرصيف", "للإضراب"):
        assert word in text


def test_it_is_an_archival_pdf_a_dated_by_its_publication(sample_pdf: Path) -> None:
    metadata = _run("pdfinfo", "-meta", sample_pdf)
    info = _run("pdfinfo", "-isodates", sample_pdf)

    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>A</pdfaid:conformance>" in metadata
    assert re.search(r"CreationDate:\s+2030-03-20T12:00:00", info)
    assert re.search(r"Tagged:\s+yes", info)
    assert re.search(r"Title:\s+Bulletin No. 3", info)
    assert "Page size:       595.276 x 841.89 pts (A4)" in info


def test_the_same_edition_gives_the_same_bytes(sample: Rendered) -> None:
    again = pdf.render(samples.edition("en"))

    assert again.files == sample.files


def test_another_process_gives_the_same_bytes(sample: Rendered) -> None:
    # A fresh interpreter (other hash seeds, no cache) must agree byte for byte.
    script = (
        "import django, hashlib; django.setup();"
        "from liaison.publishing.renderers import pdf; from tests.publishing import samples;"
        "print(hashlib.sha256(pdf.render(samples.edition('en')).files['bulletin-3-en.pdf']).hexdigest())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "liaison.settings", "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)

    assert result.stdout.strip() == hashlib.sha256(sample.files["bulletin-3-en.pdf"]).hexdigest()


def test_its_dates_are_the_editions_not_the_clock() -> None:
    later = dataclasses.replace(samples.edition("en"), published_at=datetime.datetime(2031, 1, 2, tzinfo=datetime.UTC))

    content = pdf.render(later).files["bulletin-3-en.pdf"]

    assert b"2031-01-02T00:00:00+00:00" in content
    assert content != pdf.render(samples.edition("en")).files["bulletin-3-en.pdf"]


def test_it_has_a_cover_a_contents_page_and_running_heads(sample_pdf: Path) -> None:
    cover, contents, first, *_rest = _pages(sample_pdf)

    for line in ("International Federation of Labour Education Circles", "Bulletin", "No. 3", "March 20, 2030"):
        assert line in cover
    assert "Bulletin · No. 3" not in cover  # no running head on the cover
    assert "Contents" in contents
    titles = [re.sub(r"\s+", " ", line) for line in contents.splitlines()]
    for title in ("Workers of the port", "Les travailleurs du port", "Рабочие порта", "港口工人"):
        assert any(line.startswith(title) and line.endswith(("3", "4")) for line in titles), titles
    assert first.startswith("Bulletin · No. 3")  # the running head...
    assert "March 20, 2030" in first.splitlines()[:4]
    assert first.rstrip().endswith("3")  # ... and the page number


def test_each_item_has_its_title_byline_and_translator(tmp_path: Path) -> None:
    _need_tools()
    translated = dataclasses.replace(
        samples.item(1, "en"), translated=True, translator="Marie", original_language="ru", signature="Иван"
    )
    data = dataclasses.replace(samples.edition("en", ("en",)), items=(translated,))

    rendered = pdf.render(data)
    text = _text(_write(rendered, tmp_path))

    assert rendered.warnings == []
    assert "Workers of the port" in text
    assert "report" in text
    assert "by Иван, Section française" in text
    assert "Translated from Russian by Marie" in text


def test_footnotes_are_set_at_the_foot_of_their_page(sample_pdf: Path) -> None:
    page = next(n for n, text in enumerate(_pages(sample_pdf), start=1) if "The dockers’ union" in text)
    text = _text(sample_pdf, page)

    note = text.index("In the hall of the union, 12 March.")
    assert note > text.index("Unity in action, freedom of criticism.")
    assert note > text.index("Η ένωση των λιμενεργατών")  # after the last text on the page, not after its call
    assert text.index("Dans la salle du syndicat, le 12 mars.") > note
    assert "Monday1 and voted" in text  # the call


def test_citations_within_the_edition_jump_to_the_item(sample: Rendered, sample_pdf: Path, folder: Path) -> None:
    need(have_program("qpdf"), "qpdf is not installed")
    expanded = folder / "expanded.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(sample_pdf), str(expanded)], check=True)
    content = expanded.read_bytes()

    assert b"/Dest (item-bulletin-3-2)" in content  # Workers of the port cites item 2
    assert b"/Dest (item-bulletin-3-1)" in content  # item 2 cites item 1, and is cited by it
    text = _text(sample_pdf)
    assert "as reported in Bulletin No. 3, item 2." in text
    assert "Bulletin No. 2, item 1." in text  # another issue: named, not linked
    assert b"bulletin-2-1" not in content


def test_arabic_is_set_right_to_left(sample_pdf: Path) -> None:
    _need_fonts()
    page = next(n for n, text in enumerate(_pages(sample_pdf), start=1) if "اجتمعت" in text)
    words = _words(sample_pdf, page)

    def place(word: str) -> tuple[float, float, float]:
        # poppler gives an Arabic word's letters in the order they are drawn: right to left, so reversed.
        return next((x0, x1, y) for x0, x1, y, w in words if word in (w, w[::-1]))

    first, second, last = place("اجتمعت"), place("نقابة"), place("للإضراب.")
    assert first[0] > second[0] > last[0]  # the first word is the rightmost
    assert first[1] == pytest.approx(RIGHT_EDGE, abs=1)  # and the line starts at the right margin


def test_no_line_runs_off_the_page(full_pdf: Path, tmp_path: Path) -> None:
    _need_fonts()
    long_chinese = dataclasses.replace(samples.item(1, "zh"), body="码头工人工会于星期一开会，并进行了投票。" * 40)
    # Digits have no hyphenation points: only the break opportunities the renderer adds can break this one.
    digits = dataclasses.replace(samples.item(2, "en"), body="Account " + "0123456789" * 60 + " closed.")
    data = dataclasses.replace(samples.edition("en", ("en",)), items=(long_chinese, digits))
    text_pdf = _write(pdf.render(data), tmp_path)

    for path in (full_pdf, text_pdf):
        pages = len(_pages(path))
        # Typst lets a line's last comma or hyphen hang a little into the margin (optical alignment): a few
        # points. A word that does not fit would run tens or hundreds of points off.
        overflowing = [w for page in range(1, pages + 1) for w in _words(path, page) if w[1] > RIGHT_EDGE + 5]
        assert overflowing == []


def test_hard_texts_publish_degraded_with_a_warning(full: Rendered, full_pdf: Path) -> None:
    text = _text(full_pdf)

    assert full.warnings == [
        'Item 7 ("A very long word"): a word of 1050 characters is longer than a line; it was broken to fit.',
        'Item 8 ("A huge table"): a table of 40 columns is too wide for the page; each of its rows is shown as a '
        "paragraph instead.",
        'Item 9 ("A missing image"): the image "https://example.org/missing.png" is not included; its description '
        "is shown instead.",
        'Item 9 ("A missing image"): the image "nothing.png" is not included; its description is shown instead.',
    ]
    assert "Look: [Image: the poster] and [Image: nothing.png]." in text
    assert "c39: r299c39" in text  # the last cell of the table
    assert "Before Arbeiterbildungsvere" in text.replace(typst_markup.ZERO_WIDTH_SPACE, "")


def test_hostile_text_is_shown_as_written(tmp_path: Path) -> None:
    _need_tools()
    rendered = pdf.render(samples.edition("en", ("hostile",)))
    path = _write(rendered, tmp_path)

    text = re.sub(r"\s+", " ", _text(path))
    for part in ("<script>alert(1)</script>", "[x](javascript:alert(2))", "#set page(width: 1pt)", "$ math $",
                 "code \\ * _ # @label <label>", '"quotes" [[bulletin/9/9]]'):  # fmt: skip
        assert part in text
    assert "Page size:       595.276 x 841.89 pts (A4)" in _run("pdfinfo", path)
    assert rendered.warnings == []
    assert b"javascript" not in rendered.files["bulletin-3-en.pdf"]


def test_a_missing_font_still_gives_a_pdf_and_says_which_script_lacks_one(tmp_path: Path, settings: Any) -> None:
    _need_tools()
    latin_only = tmp_path / "fonts"
    latin_only.mkdir()
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    need(dejavu.exists(), "fonts-dejavu-core is not installed")
    (latin_only / dejavu.name).symlink_to(dejavu)
    settings.PDF_FONT_DIRS = [str(latin_only)]

    rendered = pdf.render(samples.edition("en"))

    assert [w for w in rendered.warnings if w.startswith("No font for")] == [
        f"No font for the Arabic script was found in {latin_only}: its letters may show as empty boxes in the PDF. "
        "Install one (for example Amiri).",
        f"No font for the Chinese, Japanese and Korean script was found in {latin_only}: its letters may show as "
        "empty boxes in the PDF. Install one (for example Noto Serif CJK SC).",
    ]
    assert any("the PDF is not an archival PDF/A" in w for w in rendered.warnings)
    path = _write(rendered, tmp_path)
    if have_program("qpdf"):
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    assert "Профсоюз докеров" in _text(path)


def test_a_text_typst_cannot_read_is_published_as_written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _need_tools()

    def broken(text: str, **kwargs: object) -> typst_markup.Converted:
        return typst_markup.Converted("#set page(")  # as if the converter had a bug

    monkeypatch.setattr(typst_markup, "convert", broken)

    rendered = pdf.render(samples.edition("en", ("en", "ru")))

    assert len(rendered.warnings) == 1
    assert rendered.warnings[0].startswith("The PDF could not be typeset with its formatting (")
    text = _text(_write(rendered, tmp_path))
    assert "Профсоюз докеров собрался в понедельник[^1]" in text  # the Markdown, as written


@pytest.mark.parametrize(
    ("language", "date"), [("fr", "20 mars 2030"), ("de", "20. März 2030"), ("ru", "20 марта 2030")]
)
def test_its_interface_is_in_the_editions_language(language: str, date: str, tmp_path: Path) -> None:
    _need_tools()

    text = _text(_write(pdf.render(samples.edition(language)), tmp_path))

    assert date in text
    with translation.override(language):
        assert translation.gettext("Contents") in text


def test_an_internal_or_corrected_edition_says_so_on_its_cover(tmp_path: Path) -> None:
    _need_tools()
    data = samples.edition("en", ("en",), public=False, version=2, correction="The date of the meeting.")

    cover = re.sub(r"\s+", " ", _pages(_write(pdf.render(data), tmp_path))[0])

    assert "Internal bulletin: for members of the federation only." in cover
    assert "Corrected edition (version 2). The date of the meeting." in cover


def test_an_arabic_edition_is_laid_out_right_to_left(tmp_path: Path) -> None:
    _need_fonts()
    need(have_program("qpdf"), "qpdf is not installed")
    path = _write(pdf.render(samples.edition("ar")), tmp_path)

    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    contents = [w for w in _words(path, 2) if w[3] == "Contents"]
    assert contents and contents[0][1] == pytest.approx(RIGHT_EDGE, abs=1)  # the title stands at the right


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_item_of_a_big_edition_is_in_the_contents(language: str, tmp_path: Path) -> None:
    _need_tools()
    data: EditionData = samples.big_edition(30, language)

    rendered = pdf.render(data)
    pages = _pages(_write(rendered, tmp_path))

    contents = next(page for page in pages if "Contents" in page)
    assert sum(contents.count(item.title) for item in data.items) >= len(data.items)
    assert rendered.warnings == []
