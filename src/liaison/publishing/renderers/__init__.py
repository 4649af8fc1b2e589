"""The renderers: one module per format, each a function ``render(data: EditionData) -> Rendered``.

A renderer is pure: the same ``EditionData`` gives the same bytes (no "now", no random ids, fixed ordering), it never
touches the database, and it never fails on a text it cannot typeset well: it degrades (breaks the word, drops the
image, shrinks the table) and says so in ``warnings``, which the publish job shows to the editor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from liaison.publishing.edition import EditionData


@dataclass
class Rendered:
    files: dict[str, bytes]  # path relative to the edition's folder → content
    warnings: list[str] = field(default_factory=list)
    # The format's media type per path, for serving (defaults from the file name's ending).
    media_types: dict[str, str] = field(default_factory=dict)


def file_stem(data: EditionData) -> str:
    """The name all of an edition's files share: ``bulletin-3-fr`` (the folder holds the version)."""
    return f"{data.periodical_slug}-{data.number}-{data.language}"


RenderFunction = TypeVar("RenderFunction", bound=Callable[..., Rendered])
# What a background renderer leaves for the helper thread: call it to get the format's files.
Finish = Callable[[], Rendered]


def in_background(
    prepare: Callable[..., Finish] | None = None,
) -> Callable[[RenderFunction], RenderFunction]:
    """Marks a renderer that spends most of its time outside Python (a typesetter written in Rust, say, which lets
    go of the interpreter's lock while it works): a publication runs it in a helper thread while the other formats
    render, so on a machine of two cores or more it adds little to the publication's time.

    ``prepare`` (called like the renderer) does the renderer's Python work and returns what is left to do: the
    publication calls it in its own thread first, and only what it returns in the helper thread, where it does not
    compete with the other formats for the interpreter's lock. Without it the whole renderer runs in the helper
    thread. Either way the renderer must be pure like the others (no database, no "now"), and must not care which
    thread it runs in."""

    def mark(render: RenderFunction) -> RenderFunction:
        render.background = True  # type: ignore[attr-defined]
        render.prepare = prepare  # type: ignore[attr-defined]
        return render

    return mark


def runs_in_background(render: Callable[..., Rendered]) -> bool:
    return bool(getattr(render, "background", False))


def preparation(render: Callable[..., Rendered]) -> Callable[..., Finish] | None:
    """A background renderer's ``prepare``, if it has one."""
    prepare: Callable[..., Finish] | None = getattr(render, "prepare", None)
    return prepare


class Unlinkable(ValueError):
    """A page (named by the error) is not as its renderer writes it with the languages it was said to link, or is no
    page at all: it cannot be relinked."""


class Relink(Protocol):
    """Changes the language links of an edition's web pages (see ``renderers.web.relink``)."""

    def __call__(
        self, pages: Mapping[str, bytes], *, language: str, before: Iterable[str], after: Iterable[str]
    ) -> dict[str, bytes]: ...


def relinked_by(relink: Relink) -> Callable[[RenderFunction], RenderFunction]:
    """Marks a web renderer whose pages' links to the other languages can be changed afterwards, without rendering
    them again: ``relink(pages, language=..., before=..., after=...)`` answers the pages changed, exactly as the
    renderer would render them with ``other_languages=after``. An edition published before the others gains its
    links to them that way (``services``); a web renderer without it keeps the links it was rendered with."""

    def mark(render: RenderFunction) -> RenderFunction:
        render.relink = relink  # type: ignore[attr-defined]
        return render

    return mark


def relinker(render: Callable[..., Rendered]) -> Relink | None:
    relink: Relink | None = getattr(render, "relink", None)
    return relink
