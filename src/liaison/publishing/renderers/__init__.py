"""The renderers: one module per format, each a function ``render(data: EditionData) -> Rendered``.

A renderer is pure: the same ``EditionData`` gives the same bytes (no "now", no random ids, fixed ordering), it never
touches the database, and it never fails on a text it cannot typeset well: it degrades (breaks the word, drops the
image, shrinks the table) and says so in ``warnings``, which the publish job shows to the editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
