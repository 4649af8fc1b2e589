"""The email edition: what the distribution sends a subscriber, as an HTML part and a plain-text part.

It carries the contents, not the texts: each item's title, section and signature, a short excerpt, and links to the
item's web page and to the edition in every format, so that the message stays small, reads well in any client, and
the reader chooses where to read. Links are absolute (a message has no address of its own), built from
``SITE_URL`` on the published site's layout (``feeds.edition_url``).

Nothing in it is fetched when the message is opened: no image (not even a logo), no tracking pixel, no remote
stylesheet or font, no script; the styling is inline ``style`` attributes, the only kind mail clients keep. The
message carries ``lang`` and ``dir`` of the edition, and each item's title and excerpt those of its own language.
Excerpts are plain text taken from the sanitized HTML of the item's Markdown, then escaped again by the template,
so no markup a contributor wrote can reach the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from html import unescape
from html.parser import HTMLParser

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from liaison import languages as language_codes
from liaison.editorial import markdown
from liaison.editorial.markdown import CitationRef
from liaison.publishing import parsing
from liaison.publishing.edition import EditionData, ItemData
from liaison.publishing.feeds import edition_url
from liaison.publishing.renderers import Rendered, file_stem

HTML_SUFFIX = ".email.html"
TEXT_SUFFIX = ".email.txt"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
EXCERPT_CHARS = 280
# The formats published beside the web pages, named ``file_stem(data) + "." + format``, in the order offered.
DOWNLOADS = {"pdf": "PDF", "epub": "EPUB"}


class _Excerpt(HTMLParser):
    """The running text of an item's rendered HTML: headings (the title, again), tables, footnote marks and the
    footnotes themselves are left out, which an excerpt of a few lines has no room for."""

    SKIPPED = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "table", "pre"})
    VOID = frozenset({"br", "hr", "img", "wbr", "input"})
    BREAKS = frozenset({"p", "li", "br", "blockquote", "div", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            self.parts.append(" ")
            return
        if self.skipping:
            self.skipping += 1
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in self.SKIPPED or classes & {"footnotes", "footnote-ref"}:
            self.skipping = 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.skipping:
            self.skipping -= 1
        elif tag == "li":
            # A list's entries run on in an excerpt: a semicolon keeps them apart.
            self.parts.append("; ")
        if tag in self.BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def excerpt(item: ItemData, data: EditionData, limit: int = EXCERPT_CHARS) -> str:
    """The start of the item's text, cut after a word and ended with "…" when it goes on."""

    def resolve(ref: CitationRef) -> tuple[str, str] | None:
        target = data.citations.get(str(ref))
        return ("#", target.label) if target else None

    text = _leading_text(parsing.parsed(item.body, item.language), f"item-{item.position}", resolve, limit)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # Texts written without spaces (Chinese, Japanese) are cut where the limit falls.
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def _leading_text(parsed: markdown.Parsed, doc_id: str, resolve: markdown.Resolver, limit: int) -> str:
    """The running text (``_Excerpt``) of the item's first blocks, as many as it takes to go past ``limit``, or of
    the whole item when it is shorter. An excerpt needs no more: the text of the first blocks is the start of the
    whole text (each block ends with a break, so no word runs on into the next), so the first ``limit`` characters
    are the same, and rendering a long item whole for its first lines is most of what the email edition costs.
    The blocks are taken 1, 2, 4, 8... at a time, so no item costs more than twice its whole rendering."""
    tokens = parsed.tokens
    ends = []  # after each top-level block, up to the footnotes (left out of an excerpt anyway)
    for index, token in enumerate(tokens):
        if token.type == "footnote_block_open":
            break
        if token.level == 0 and token.nesting <= 0:
            ends.append(index + 1)
    count = 1
    while count < len(ends):
        text = _running_text(markdown.Parsed(tokens[: ends[count - 1]], parsed.env), doc_id, resolve)
        if len(text) > limit:
            return text
        count *= 2
    return _running_text(parsed, doc_id, resolve)


def _running_text(parsed: markdown.Parsed, doc_id: str, resolve: markdown.Resolver) -> str:
    parser = _Excerpt()
    parser.feed(markdown.render_parsed(parsed, doc_id=doc_id, resolve=resolve))
    parser.close()
    return parser.text()


def _translation_note(data: EditionData, item: ItemData) -> str:
    original = language_codes.display_name(item.original_language, data.language)
    if item.translated and item.translator:
        return _("Translated from %(language)s by %(translator)s") % {
            "language": original,
            "translator": item.translator,
        }
    if item.translated:
        return _("Translated from %(language)s") % {"language": original}
    if language_codes.normalize(item.language) != language_codes.normalize(data.language):
        return _("Original text in %(language)s") % {
            "language": language_codes.display_name(item.language, data.language)
        }
    return ""


def subject(data: EditionData) -> str:
    """The message's subject: the issue's name, and that it is a corrected edition when it is one."""
    with i18n.override(data.language):
        text = _("%(title)s (corrected edition)") % {"title": data.title} if data.version > 1 else data.title
    # A header holds one line.
    return " ".join(text.split())


def _context(data: EditionData, formats_present: Iterable[str]) -> dict[str, object]:
    def url(name: str = "index.html") -> str:
        return edition_url(data.periodical_slug, data.number, data.language, name)

    stem = file_stem(data)
    present = set(formats_present)
    items = [
        {
            "item": item,
            "url": url(f"items/{item.position}.html"),
            "excerpt": excerpt(item, data),
            "signed_apart": item.signature != item.section,
            "translation_note": _translation_note(data, item),
            # An item's language differs from the edition's when it is published in its original only.
            "own_language": language_codes.normalize(item.language) != language_codes.normalize(data.language),
        }
        for item in data.items
    ]
    return {
        "data": data,
        "subject": subject(data),
        "date": formats.date_format(data.date, "DATE_FORMAT"),
        "web_url": url(),
        "downloads": [
            {"label": label, "url": url(f"{stem}.{fmt}")} for fmt, label in DOWNLOADS.items() if fmt in present
        ],
        "items": items,
    }


def render(data: EditionData, *, formats_present: Iterable[str] = tuple(DOWNLOADS)) -> Rendered:
    """``<stem>.email.html`` and ``<stem>.email.txt``. ``formats_present`` names the formats to link to besides the
    web pages: all of them by default, since a message is sent once the whole edition is published."""
    with i18n.override(data.language):
        context = _context(data, formats_present)
        html = render_to_string("publishing/email/edition.html", context)
        text = render_to_string("publishing/email/edition.txt", context)
    stem = file_stem(data)
    files = {stem + HTML_SUFFIX: html.encode("utf-8"), stem + TEXT_SUFFIX: _tidy(text).encode("utf-8")}
    return Rendered(files=files, media_types={stem + HTML_SUFFIX: HTML, stem + TEXT_SUFFIX: TEXT})


def _tidy(text: str) -> str:
    """The text part without the blank lines and trailing spaces template tags leave behind."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# Building the message -----------------------------------------------------------------------------------------------

_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_LANG = re.compile(r'<html lang="([^"]*)"')


def message_from_files(
    files: Mapping[str, bytes],
    *,
    to: Sequence[str],
    from_email: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The message for a published email edition, from its two files as ``render`` wrote them (read back from the
    published folder, say): the text part first, the HTML as its alternative, the subject from the HTML's title."""
    html_name = next((name for name in files if name.endswith(HTML_SUFFIX)), None)
    text_name = next((name for name in files if name.endswith(TEXT_SUFFIX)), None)
    if html_name is None or text_name is None:
        raise ValueError(f"an email edition has an {HTML_SUFFIX} and an {TEXT_SUFFIX} file, not {sorted(files)}")
    html = files[html_name].decode("utf-8")
    title = _TITLE.search(html)
    language = _LANG.search(html)
    all_headers = dict(headers or {})
    if language:
        all_headers.setdefault("Content-Language", language[1])
    message = EmailMultiAlternatives(
        subject=" ".join(unescape(title[1]).split()) if title else "",
        body=files[text_name].decode("utf-8"),
        from_email=from_email,
        to=list(to),
        headers=all_headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def edition_message(
    data: EditionData,
    *,
    to: Sequence[str],
    from_email: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The message for an edition, rendered now (for a preview, or a test send before publication)."""
    return message_from_files(render(data).files, to=to, from_email=from_email, headers=headers)
