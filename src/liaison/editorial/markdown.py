"""Contributions' Markdown: parsed by markdown-it-py (CommonMark, tables, footnotes), sanitized by nh3, always.

Raw HTML in the source is never passed through (``html`` is off, so it is shown as text), and the rendered HTML is
sanitized again with an allow-list, so neither a ``<script>``, an ``onclick=`` nor a ``javascript:`` or ``data:`` link
can reach a reader. Images are shown as links (see ``render_image``). Citations of bulletin items are written
``[[bulletin/3/4]]`` (periodical, issue number, item).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# A body past this size is refused: about a hundred printed pages, far beyond any bulletin item.
MAX_BODY_CHARS = 200_000
WORDS_PER_PAGE = 500
# Block nesting (lists, quotes) the parser follows. Past it markdown-it stops parsing the deeper content, which
# would silently drop text from the page, so the services refuse a text that comes near it (``too_deep``).
MAX_NESTING = 40

CITATION = re.compile(r"\[\[([a-z0-9][a-z0-9-]*)/(\d{1,5})/(\d{1,5})\]\]")


@dataclass(frozen=True)
class CitationRef:
    periodical: str
    issue: int
    item: int

    def __str__(self) -> str:
        return f"{self.periodical}/{self.issue}/{self.item}"


# Resolves a citation to (href, label), or None when no such item exists.
Resolver = Callable[[CitationRef], "tuple[str, str] | None"]


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = CITATION.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"ref": CitationRef(match[1], int(match[2]), int(match[3]))}
        token.content = match[0]
    state.pos = match.end()
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING}).use(footnote_plugin)
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "citation", _citation_rule)

    def render_citation(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        ref: CitationRef = tokens[idx].meta["ref"]
        resolve: Resolver | None = env.get("resolve")
        target = resolve(ref) if resolve else None
        if target is None:
            return f'<span class="citation unknown">{md.utils.escapeHtml(tokens[idx].content)}</span>'
        href, label = target
        return f'<a class="citation" href="{md.utils.escapeHtml(href)}">{md.utils.escapeHtml(label)}</a>'

    def render_image(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        # An image would be fetched from someone else's server by every reader (and by the PDF and EPUB builds):
        # a tracking pixel and an edition that changes when that server does. The bulletin links it instead.
        token = tokens[idx]
        src = md.utils.escapeHtml(token.attrGet("src") or "")
        alt = md.utils.escapeHtml(self.renderInlineAsText(token.children or [], options, env) or src)
        return f'<a class="image-link" href="{src}">{alt}</a>'

    md.add_render_rule("citation", render_citation)
    md.add_render_rule("image", render_image)
    return md


_MD = _parser()

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "s", "section", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "id", "class", "title"},
    "li": {"id", "class"},
    "ol": {"start", "class"},
    "section": {"class"},
    "sup": {"class"},
    "span": {"class"},
    "hr": {"class"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    """The last word on every rendered fragment: only allow-listed tags, attributes and URL schemes survive."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _valid_unicode(text: str) -> str:
    # A lone surrogate cannot be encoded (nh3 and the database would both fail on it): show U+FFFD instead.
    return text.encode("utf-8", "replace").decode("utf-8") if not _encodable(text) else text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Parsed:
    """A text parsed once, to be rendered as often as wanted (``render_parsed``): its tokens, and what the parse
    left in the environment (the footnotes), which rendering reads. Rendering neither changes the tokens nor that
    environment, so one ``Parsed`` may be rendered many times, in any thread."""

    tokens: Sequence[Token]
    env: dict[str, object]


def parse(text: str) -> Parsed:
    """The parse ``render`` starts with: neither ``doc_id`` nor ``resolve`` play any part in it."""
    env: dict[str, object] = {}
    return Parsed(tuple(_MD.parse(_valid_unicode(text), env)), env)


def render_parsed(parsed: Parsed, *, doc_id: str = "", resolve: Resolver | None = None) -> str:
    """What ``render`` gives for the text ``parsed`` came from, byte for byte, without parsing it again."""
    env: dict[str, object] = {**parsed.env, "resolve": resolve}
    if doc_id:
        env["docId"] = doc_id
    return sanitize(_MD.renderer.render(parsed.tokens, _MD.options, env))


def render(text: str, *, doc_id: str = "", resolve: Resolver | None = None) -> str:
    """Sanitized HTML for a contribution's Markdown. ``doc_id`` keeps footnote anchors apart on a page of many."""
    return render_parsed(parse(text), doc_id=doc_id, resolve=resolve)


def too_deep(text: str) -> bool:
    """Whether lists or quotes nest so deep that the parser would stop following them (and drop text)."""
    return any(token.level >= MAX_NESTING - 1 for token in _MD.parse(_valid_unicode(text), {}))


def citations_in(text: str) -> list[CitationRef]:
    """The citations a text makes, in order and without repeats; those inside code are not citations."""
    found: list[CitationRef] = []

    def walk(tokens: Sequence[Token]) -> None:
        for token in tokens:
            if token.type == "citation" and token.meta["ref"] not in found:
                found.append(token.meta["ref"])
            if token.children:
                walk(token.children)

    walk(_MD.parse(_valid_unicode(text), {}))
    return found


# Chinese, Japanese and Korean are written without spaces between words: two of their characters count as a word.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def estimate_pages(text: str) -> Decimal:
    """Printed pages a text fills, to the quarter page (about 500 words a page, footnotes included)."""
    cjk = len(CJK.findall(text))
    words = len(re.findall(r"\w+", CJK.sub(" ", text))) + math.ceil(cjk / 2)
    quarters = max(1, math.ceil(words * 4 / WORDS_PER_PAGE))
    return Decimal(quarters) / 4
