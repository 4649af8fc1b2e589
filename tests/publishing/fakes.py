"""Renderers for the publishing core's tests: small, deterministic, and each with one behaviour to test.

Named in ``registry.RENDERERS`` as ``"tests.publishing.fakes:web"`` and so on. They are importable by a worker
process too (``celery_boot``), which is why they live in a module of their own, free of pytest.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

from liaison.publishing.edition import EditionData
from liaison.publishing.renderers import Rendered, file_stem

WEB = [("web", "tests.publishing.fakes:web"), ("pdf", "tests.publishing.fakes:pdf")]


def _dump(data: EditionData) -> bytes:
    """Everything the data holds, in a fixed order: same data, same bytes. But the other languages published, which
    only the web pages may show (they change after publication)."""
    fields = dataclasses.asdict(data)
    del fields["other_languages"]
    return json.dumps(fields, default=str, sort_keys=True, ensure_ascii=False).encode("utf-8")


def web(data: EditionData, *, formats_present: list[str] | tuple[str, ...] = ()) -> Rendered:
    items = "".join(f'<li><a href="items/{i.position}.html" lang="{i.language}">{i.title}</a></li>' for i in data.items)
    downloads = "".join(f'<a href="{file_stem(data)}.{fmt}">{fmt}</a>' for fmt in formats_present if fmt != "web")
    files = {
        "index.html": (
            f'<html lang="{data.language}"><title>{data.title}</title><p>{data.published_at.isoformat()} '
            f"v{data.version} {data.correction}</p><ul>{items}</ul>{downloads}</html>"
        ).encode(),
        "style.css": b"body { margin: 0 }",
    }
    for item in data.items:
        files[f"items/{item.position}.html"] = f"<h1>{item.title}</h1><div>{item.body}</div>".encode()
    return Rendered(files=files, warnings=[f"web: {len(data.items)} items"])


def pdf(data: EditionData) -> Rendered:
    return Rendered(files={f"{file_stem(data)}.pdf": b"%PDF-1.7 fake\n" + _dump(data)})


def epub(data: EditionData) -> Rendered:
    return Rendered(
        files={f"{file_stem(data)}.epub": b"PK fake epub " + _dump(data)},
        media_types={f"{file_stem(data)}.epub": "application/epub+zip"},
    )


def warning_pdf(data: EditionData) -> Rendered:
    """A PDF that had to degrade a text: it publishes, and says so."""
    rendered = pdf(data)
    rendered.warnings.append("PDF: item 1 has a word too long for the line; it was broken.")
    return rendered


class RendererBug(RuntimeError):
    pass


def broken(data: EditionData) -> Rendered:
    raise RendererBug("the renderer has a bug")


def unsafe(data: EditionData) -> Rendered:
    return Rendered(files={"../../escape.html": b"no"})


def clashing(data: EditionData) -> Rendered:
    """Writes a file the web renderer writes too."""
    return Rendered(files={"index.html": b"mine"})


def flaky(data: EditionData) -> Rendered:
    """Fails once (a full disk, a passing trouble), then works: what a retry gets past."""
    mark = Path(os.environ["LIAISON_TEST_FLAKY_MARK"])
    if not mark.exists():
        mark.write_text("failed once")
        raise OSError(28, "No space left on device")
    return pdf(data)


def slow(data: EditionData) -> Rendered:
    """Marks that it started, then waits while the blocking file exists: the test kills the worker meanwhile."""
    started = os.environ.get("LIAISON_TEST_STARTED")
    block = os.environ.get("LIAISON_TEST_BLOCK")
    if started:
        Path(started).write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while block and Path(block).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pdf(data)
